"""A CI-sized subset of the crash trials (tests/crashtrials.py; `python3 tasks.py crash` runs 50):
every failpoint once and random-moment kills, then the invariants."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_kills_lose_nothing_and_duplicate_nothing_beyond_the_window(tmp_path):
    from tests.crashtrials import run_trials

    report = run_trials(tmp_path, trials=8, seed=3)
    print("\n".join(report.lines()))
    assert report.kills["failpoint after-send"] == 1 and report.kills["random moment"] == 4
    assert report.problems == []
    assert report.lost == 0 and report.stored == report.stories == 8
    assert report.digests >= 2 and report.deliveries_sent == 2 * report.digests
    assert report.duplicates == report.duplicates_in_window  # only the documented window, never beyond
