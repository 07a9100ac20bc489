"""Readers and a writer in separate real processes: a reader holding the store never makes a cycle
fail, and `nkwatch query` always answers while a cycle is writing."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from flows.localsite import DEMO_EXPECTATIONS

from .conftest import ROOT, demo_config

pytestmark = pytest.mark.slow

READER = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM articles").fetchone()[0], flush=True)
sys.stdin.readline()
print(con.execute("SELECT count(*) FROM articles").fetchone()[0], flush=True)
"""


def write_config(tmp_path, site):
    return demo_config(tmp_path, site, store_wait_seconds=20)


def add_stories(site, n, start=0):
    for i in range(start, start + n):
        site.add_article("daily", f"story-{i}", f"Story {i} from the front",
                         [f"Report number {i}: officials described developments on the front line in detail. " * 6,
                          f"Further paragraph {i} with background on the war and on diplomacy in the region. " * 5],
                         datetime(2025, 10, 1 + i % 28, 8, tzinfo=UTC), feed=DEMO_EXPECTATIONS.feeds["daily"])


def test_a_reader_holding_the_store_does_not_make_a_cycle_fail(prefect_harness, site, tmp_path):
    from flows.monitor import monitor

    config = write_config(tmp_path, site)
    first = monitor(str(config))
    reader = subprocess.Popen([sys.executable, "-c", READER, str(tmp_path / "nk.duckdb")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        before = int(reader.stdout.readline())  # the reader now holds the store open, read-only
        add_stories(site, 3)
        second = monitor(str(config))
        assert second["new_articles"] == 3 and second["worked_on_copy"] is True
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert int(reader.stdout.readline()) == before  # its view stays consistent
    finally:
        reader.communicate(timeout=30)
    import duckdb

    with duckdb.connect(str(tmp_path / "nk.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == before + 3
    assert first["longest_lock_seconds"] < 5


def test_query_always_answers_while_a_cycle_writes(prefect_harness, site, tmp_path):
    from flows.monitor import monitor

    config = write_config(tmp_path, site)
    monitor(str(config))
    add_stories(site, 40)
    writer = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", "-c", str(config)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    answers, notes = [], 0
    try:
        while writer.poll() is None or len(answers) < 3:
            q = subprocess.run([sys.executable, "-m", "flows.cli", "query", "-c", str(config), "-f", "csv",
                                "SELECT count(*) AS n FROM articles"], cwd=ROOT, capture_output=True, text=True,
                               timeout=60)
            assert q.returncode == 0, q.stderr
            assert "Traceback" not in q.stderr
            answers.append(int(q.stdout.splitlines()[1]))
            notes += "snapshot" in q.stderr
            if writer.poll() is not None and len(answers) >= 3:
                break
            time.sleep(0.1)
    finally:
        out, _ = writer.communicate(timeout=300)
    assert writer.returncode == 0, out
    assert "Traceback" not in out
    assert all(n >= 5 for n in answers) and answers == sorted(answers)  # never a wrong or torn count
    assert answers[-1] == answers[0] + 40
