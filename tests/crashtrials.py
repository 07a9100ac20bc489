"""Crash consistency: kill `nkwatch run` with SIGKILL at random points, restart, check nothing is
lost, duplicated or sent twice.

    python3 tasks.py crash [--trials 50]      # or: .venv/bin/python -m tests.crashtrials --trials 50

Each trial adds a story with a new figure to the local site (so every cycle has a digest to send to
a real SMTP server and a webhook on 127.0.0.1), starts `nkwatch run` as its own process and kills
it: either at a named failpoint (flows/failpoints.py: during fetch, mid-transaction, after the
articles and before the feed cursors, after a digest was delivered and before it was recorded,
inside a fold of the search postings, between the two steps of a fold of band keys) or at a random
moment. Every cycle folds its recent tiers (storage/tiers.py), as a real store does once every few
thousand articles. After every kill the store must open and hold no duplicate; at the end, after
clean runs, every story must be stored once, every digest delivered to every target, and no target
may have received a digest twice except through the documented window (a kill after delivery,
before the `sent` commit).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
DIGEST_ID = re.compile(r"digest ([0-9a-f]{16})")
WORDS = ("analysts", "border", "winter", "supply", "convoy", "briefing", "village", "river", "factory", "harvest",
         "railway", "market", "council", "bridge", "weather", "school", "museum", "port", "tunnel", "garden",
         "election", "budget", "festival", "harbour", "orchard", "library", "stadium", "airport", "valley", "forest")


@dataclass
class Report:
    trials: int = 0
    kills: Counter = field(default_factory=Counter)  # type: ignore[type-arg]
    problems: list[str] = field(default_factory=list)
    stories: int = 0
    stored: int = 0
    digests: int = 0
    deliveries_sent: int = 0
    duplicates: int = 0  # (digest, target) received more than once
    # explained by kills after a send and before its `sent` commit: each reception had an attempt
    # of its own recorded (mark_sending commits before the send), at a failpoint or a random moment
    duplicates_in_window: int = 0
    durations: list[tuple[str, int, float]] = field(default_factory=list)  # (kind, exit code, seconds)

    @property
    def lost(self) -> int:
        return self.stories - self.stored

    def lines(self) -> list[str]:
        return [
            f"trials run: {self.trials} ({', '.join(f'{k}: {v}' for k, v in sorted(self.kills.items()))})",
            f"stories published: {self.stories}, stored: {self.stored}, lost: {self.lost}",
            f"digests in the outbox: {self.digests}, deliveries sent: {self.deliveries_sent}",
            f"duplicate deliveries: {self.duplicates} ({self.duplicates_in_window} inside the documented window,"
            f" {self.duplicates - self.duplicates_in_window} beyond it)",
            f"invariant violations after kills: {len(self.problems)}",
            *[f"  {p}" for p in self.problems[:20]],
        ]


def _received(smtp, hook) -> Counter:  # type: ignore[no-untyped-def, type-arg]
    got: Counter = Counter()  # type: ignore[type-arg]
    for message in smtp.messages:
        for digest_id in set(DIGEST_ID.findall(smtp.html_of(message))):
            got[(digest_id, "mailto")] += 1
    for body in hook.bodies:
        for digest_id in set(DIGEST_ID.findall(body.get("message", ""))):
            got[(digest_id, "json")] += 1
    return got


def _invariants(db: Path, received: Counter, trial: int) -> list[str]:  # type: ignore[type-arg]
    problems = []
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        return [f"trial {trial}: the store does not open: {exc}"]
    try:
        ids, distinct = con.execute("SELECT count(*), count(DISTINCT id) FROM store.articles").fetchone()
        if ids != distinct:
            problems.append(f"trial {trial}: {ids - distinct} duplicate article id(s)")
        dup_versions = con.execute("SELECT count(*) FROM (SELECT canonical_url, version FROM store.articles"
                                   " GROUP BY ALL HAVING count(*) > 1)").fetchone()[0]
        if dup_versions:
            problems.append(f"trial {trial}: {dup_versions} URL stored twice as the same version")
        # Each URL looked up through its index, as de-duplication does: a crash must not leave
        # rows that only a scan finds (DuckDB 1.5.5 lost replayed rows' index entries).
        urls = [r[0] for r in con.execute("SELECT DISTINCT canonical_url FROM store.articles").fetchall()]
        unindexed = sum(not con.execute("SELECT count(*) FROM store.articles WHERE canonical_url = ?", [u]).fetchone()[0]
                        for u in urls)
        if unindexed:
            problems.append(f"trial {trial}: {unindexed} stored URL(s) not found through the index")
        problems += _tier_problems(con, db, trial)
        stored = {r[0] for r in con.execute("SELECT id FROM store.digests").fetchall()}
        for digest_id, _ in received:
            if digest_id not in stored:
                problems.append(f"trial {trial}: digest {digest_id} was received but is not in the outbox")
    except duckdb.CatalogException:
        pass  # killed before the first migration committed: an empty store is consistent
    finally:
        con.close()
    return problems


def _tier_problems(con: duckdb.DuckDBPyConnection, db: Path, trial: int) -> list[str]:
    """Every cycle of the trials folds (tests/crash_cli.py): a kill in a fold must leave each
    posting in exactly one tier and each stored story's band keys in at least one."""
    from storage.db import wal_path
    from storage.tiers import BANDS, POSTINGS, bands_path

    problems = []
    twice = con.execute(f"SELECT count(*) FROM (SELECT term, article_id FROM {POSTINGS.main}"
                        f" INTERSECT SELECT term, article_id FROM {POSTINGS.recent})").fetchone()[0]
    if twice:
        problems.append(f"trial {trial}: {twice} search posting(s) in both tiers")
    unposted = con.execute(f"SELECT count(*) FROM store.search_docs d WHERE NOT EXISTS (SELECT 1 FROM"
                           f" {POSTINGS.main} t WHERE t.article_id = d.article_id) AND NOT EXISTS (SELECT 1 FROM"
                           f" {POSTINGS.recent} r WHERE r.article_id = d.article_id)").fetchone()[0]
    if unposted:
        problems.append(f"trial {trial}: {unposted} indexed article(s) with no search postings in either tier")
    bands = bands_path(db)
    if not bands.exists() or wal_path(bands).exists():
        return problems  # not made yet, or a fold's WAL the next writer replays first
    con.execute(f"ATTACH '{bands}' AS trial_bands (READ_ONLY)")
    try:
        keyless = con.execute(
            "SELECT count(*) FROM store.articles a WHERE a.url LIKE '%/crash-story-%' AND a.duplicate_of IS NULL"
            f" AND NOT EXISTS (SELECT 1 FROM {BANDS.recent} r WHERE r.article_id = a.id)"
            " AND NOT EXISTS (SELECT 1 FROM trial_bands.article_bands m WHERE m.article_id = a.id)").fetchone()[0]
    finally:
        con.execute("DETACH trial_bands")
    if keyless:
        problems.append(f"trial {trial}: {keyless} stored story(ies) with no band keys in either tier")
    return problems


def run_trials(folder: Path, trials: int, seed: int = 1) -> Report:
    import yaml

    from flows.failpoints import POINTS
    from flows.localsite import DEMO_EXPECTATIONS, build_demo_site
    from flows.serve import LocalPrefectServer
    from tests.receivers import SmtpReceiver, WebhookReceiver, free_port

    rng = random.Random(seed)
    report = Report()
    site = build_demo_site(ROOT / "seeds")
    site.start()
    smtp, hook = SmtpReceiver().start(), WebhookReceiver().start()
    server = LocalPrefectServer(folder / "prefect", free_port())
    server.start()
    db = folder / "nk.duckdb"
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({
        "database": str(db), "seeds": str(ROOT / "seeds"),
        "feeds": [{"name": n, "url": site.url(p)} for n, p in DEMO_EXPECTATIONS.feeds.items()],
        "http": {"allow_private_addresses": True, "retries": 0},
        "notifications": [smtp.url(), hook.url()], "digest": {"retry_minutes": 0.0001, "max_attempts": 1000},
    }))
    env = {**os.environ, "PREFECT_API_URL": server.api_url}
    env.pop("NKWATCH_FAILPOINT", None)
    start = datetime(2025, 10, 1, 8, tzinfo=UTC)

    def run(point: str | None, kill_after: float | None) -> None:
        began = time.monotonic()
        # tests/crash_cli.py: `nkwatch run` with every cycle folding, so the kills reach the folds too.
        proc = subprocess.Popen([sys.executable, "-m", "tests.crash_cli", "run", "-c", str(config)], cwd=ROOT,
                                env={**env, **({"NKWATCH_FAILPOINT": point} if point else {})},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=kill_after if kill_after is not None else 300)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        report.durations.append((point or ("kill" if kill_after is not None else "clean"), proc.returncode,
                                 round(time.monotonic() - began, 1)))

    try:
        for trial in range(trials):
            n = report.stories
            # Every story is written differently (so none is a near copy of another) and carries a
            # figure no earlier story had, so every completed cycle has a digest to deliver.
            filler = " ".join(rng.choice(WORDS) for _ in range(120))
            site.add_article("daily", f"crash-story-{n}", f"NIS revises toll, report {n}",
                             [f"South Korea's National Intelligence Service said about {3000 + 17 * n:,} North Korean"
                              f" soldiers had been killed in Russia's war, lawmakers said on Monday.", filler],
                             start + timedelta(hours=n), feed=DEMO_EXPECTATIONS.feeds["daily"])
            report.stories += 1
            if trial % 2 == 0:
                point = POINTS[(trial // 2) % len(POINTS)]
                run(point, None)
                report.kills[f"failpoint {point}"] += 1
            else:
                run(None, rng.uniform(0.2, 8.0))
                report.kills["random moment"] += 1
            report.trials += 1
            report.problems += _invariants(db, _received(smtp, hook), trial)
        for _ in range(2):  # clean runs: everything pending must now land
            run(None, None)
        received = _received(smtp, hook)
        report.problems += _invariants(db, received, trials)
        with duckdb.connect(str(db), read_only=True) as con:
            report.stored = con.execute("SELECT count(DISTINCT canonical_url) FROM store.articles"
                                        " WHERE url LIKE '%/crash-story-%'").fetchone()[0]
            report.digests = con.execute("SELECT count(*) FROM store.digests").fetchone()[0]
            report.deliveries_sent = con.execute("SELECT count(*) FROM store.deliveries WHERE status = 'sent'"
                                                 ).fetchone()[0]
            unsent = con.execute("SELECT count(*) FROM store.deliveries WHERE status <> 'sent'").fetchone()[0]
            if unsent:
                report.problems.append(f"{unsent} deliveries still not sent after clean runs")
            missing = [d for (d,) in con.execute("SELECT id FROM store.digests").fetchall()
                       if received[(d, "mailto")] == 0 or received[(d, "json")] == 0]
            if missing:
                report.problems.append(f"{len(missing)} digest(s) never reached a target")
            attempts = {(d, "mailto" if target.startswith("mailto") else "json"): n for d, target, n in
                        con.execute("SELECT digest_id, target, attempts FROM store.deliveries").fetchall()}
        twice = {key: count for key, count in received.items() if count > 1}
        report.duplicates = len(twice)
        report.duplicates_in_window = sum(1 for key, count in twice.items() if attempts.get(key, 0) >= count)
    finally:
        server.stop()
        smtp.stop()
        hook.stop()
        site.stop()
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        report = run_trials(Path(tmp), args.trials, args.seed)
    print("\n".join(report.lines()))
    print(f"took {time.monotonic() - started:.0f} s")
    ok = not report.problems and report.lost == 0 and report.duplicates == report.duplicates_in_window
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
