"""`nkwatch serve` as a real process: it starts its own Prefect server, fires scheduled monitor runs
against the local site, and stops cleanly on SIGTERM, taking the server with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from flows.localsite import DEMO_EXPECTATIONS, build_demo_site

from .conftest import ROOT, SEEDS
from .receivers import free_port

pytestmark = pytest.mark.slow


def completed_runs(db: Path) -> int:
    import duckdb

    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute("SELECT count(*) FROM store.runs WHERE status = 'completed'").fetchone()[0]
    except (duckdb.Error, FileNotFoundError):
        return 0  # not created yet, or the writer holds the lock right now


def test_serve_fires_schedules_and_stops_cleanly(tmp_path):
    site = build_demo_site(SEEDS)
    site.start()
    port = free_port()
    cfg = {"database": str(tmp_path / "data" / "nk.duckdb"), "seeds": str(SEEDS),
           "feeds": [{"name": n, "url": site.url(p)} for n, p in DEMO_EXPECTATIONS.feeds.items()],
           "http": {"allow_private_addresses": True, "retries": 0},
           "schedule": {"monitor": "every 10 seconds", "digest": "every 1 hours"}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "-c", str(tmp_path / "config.yaml"),
                             "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 240
        while completed_runs(tmp_path / "data" / "nk.duckdb") < 2 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            time.sleep(2)
        assert completed_runs(tmp_path / "data" / "nk.duckdb") >= 2
        assert httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).status_code == 200
        assert (tmp_path / "data" / "prefect").is_dir()  # the server's database lives under the data folder
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        site.stop()
    assert proc.returncode == 0, out
    assert "Traceback" not in out
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)


def test_a_prefect_server_set_in_the_active_profile_counts_as_configured(tmp_path):
    """`prefect config set PREFECT_API_URL=...` names a lasting server as the variable does: runs
    then keep their heartbeats and `nkwatch serve` starts no server of its own."""
    import os
    import subprocess
    import sys

    profiles = tmp_path / "profiles.toml"
    profiles.write_text('[profiles.lasting]\nPREFECT_API_URL = "http://127.0.0.1:4999/api"\n\n[profiles.none]\n')
    code = "from flows import prefect_env; print(prefect_env.configured_api_url())"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {"PREFECT_PROFILES_PATH": str(profiles)}
    answers = [subprocess.run([sys.executable, "-c", code], env=env | {"PREFECT_PROFILE": name}, capture_output=True,
                              text=True, check=True).stdout.strip().splitlines()[-1] for name in ("lasting", "none")]
    assert answers == ["http://127.0.0.1:4999/api", "None"]
