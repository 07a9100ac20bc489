"""`nkwatch search` ranks stored articles with the offline fts extension after a real cycle."""

from __future__ import annotations

import pytest

from flows.localsite import DEMO_EXPECTATIONS

from .conftest import demo_config

pytestmark = pytest.mark.slow


def test_search_finds_the_sappers_story_first(prefect_harness, site, tmp_path, capsys):
    from flows.cli import main
    from flows.monitor import monitor

    monitor(str(demo_config(tmp_path, site)))
    expected = site.url(DEMO_EXPECTATIONS.feed_only)
    capsys.readouterr()
    assert main(["search", "-c", str(tmp_path / "config.yaml"), "deminers", "Kursk", "-n", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("1. North Korean deminers begin clearing Kursk")
    assert "Kursk" in out[1] and out[2].strip() == expected  # the matching sentence, then the link
    assert main(["search", "-c", str(tmp_path / "config.yaml"), "zzzzunmatched"]) == 0
    assert capsys.readouterr().out.strip() == "no matching article"
