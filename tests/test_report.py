"""The timeline report over a store with the seeds and the local site, rendered in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess

import pytest


from .conftest import demo_config

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture()
def store(prefect_harness, site, tmp_path):
    from flows.monitor import monitor

    monitor(str(demo_config(tmp_path, site)))
    return tmp_path / "nk.duckdb"


def test_report_charts_the_seeds_estimates_and_works_offline(store, tmp_path):
    from flows.report import write_report

    out = tmp_path / "report.html"
    counts = write_report(store, out)
    page = out.read_text()
    assert counts["charts"] >= 3 and counts["claims"] >= 20
    for chart in ("chart-troops_deployed", "chart-casualties", "chart-killed"):
        assert chart in page
    assert "15,000" in page and "4,700" in page  # the seeds' deployment and casualty estimates, in the table
    import re

    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?:", page)  # self-contained: nothing to fetch

    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs it)")
    profile = tmp_path / "chromium-profile"
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=8000",
                          "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert dom.count('class="main-svg"') >= 2 * counts["charts"]  # plotly drew every chart
    assert "South Korean lawmakers" in dom and "NIS" in dom  # claimants in the legends
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=8000",
                    "--window-size=1300,1800", f"--screenshot={shot}", out.as_uri()], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000
