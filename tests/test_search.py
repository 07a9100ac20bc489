"""`nkwatch search` ranks stored articles with the offline fts extension after a real cycle."""

from __future__ import annotations

import pytest
import yaml

from flows.localsite import DEMO_EXPECTATIONS, build_demo_site

from .conftest import SEEDS

pytestmark = pytest.mark.slow


def test_search_finds_the_sappers_story_first(prefect_harness, tmp_path, capsys):
    from flows.cli import main
    from flows.monitor import monitor

    site = build_demo_site(SEEDS)
    site.start()
    try:
        cfg = {"database": str(tmp_path / "nk.duckdb"), "seeds": str(SEEDS),
               "feeds": [{"name": n, "url": site.url(p)} for n, p in DEMO_EXPECTATIONS.feeds.items()],
               "http": {"allow_private_addresses": True, "retries": 0}}
        (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
        monitor(str(tmp_path / "config.yaml"))
        expected = site.url(DEMO_EXPECTATIONS.feed_only)
    finally:
        site.stop()
    capsys.readouterr()
    assert main(["search", "-c", str(tmp_path / "config.yaml"), "deminers", "Kursk", "-n", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("1. North Korean deminers begin clearing Kursk")
    assert "Kursk" in out[1] and out[2].strip() == expected  # the matching sentence, then the link
    assert main(["search", "-c", str(tmp_path / "config.yaml"), "zzzzunmatched"]) == 0
    assert capsys.readouterr().out.strip() == "no matching article"
