"""A CI-sized subset of the crash trials (tests/crashtrials.py; `python3 tasks.py crash` runs 50):
every failpoint once and random-moment kills, then the invariants."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_kills_lose_nothing_and_duplicate_nothing_beyond_the_window(tmp_path):
    from tests.crashtrials import run_trials

    from flows.failpoints import POINTS

    report = run_trials(tmp_path, trials=2 * len(POINTS), seed=3)
    print("\n".join(report.lines()))
    assert all(report.kills[f"failpoint {p}"] == 1 for p in POINTS)  # the folds' two among them
    killed = {kind for kind, code, _ in report.durations if code == -9}
    assert killed >= set(POINTS), report.durations  # each failpoint was reached and killed its run
    assert report.kills["random moment"] == len(POINTS)
    assert report.problems == []
    assert report.lost == 0 and report.stored == report.stories == 2 * len(POINTS)
    assert report.digests >= 2 and report.deliveries_sent == 2 * report.digests
    assert report.duplicates == report.duplicates_in_window  # only the documented window, never beyond
