from datetime import UTC, datetime

import duckdb
import pytest

from extractors.fingerprint import canonical_url, content_hash, fingerprint_keys
from extractors.records import Article, FeedEntry
from extractors.seeds import read_seeds
from storage import tiers
from storage.articles import Incoming, latest_versions, save_articles
from storage.db import open_store, transaction
from storage.migrations import migrate

from .conftest import SEEDS

NOW = datetime(2025, 9, 1, tzinfo=UTC)


def incoming(url, text, feed="wire", guid=None):
    _, keys = fingerprint_keys(text)
    entry = FeedEntry(f"https://{feed}.example/rss", guid or url, url, "t", None, None, "", "")
    return Incoming(Article(url, "t", text), canonical_url(url), content_hash(text), tuple(keys), "feed", None,
                    feed=feed, entry=entry, entry_hash="h")


def save(db_path, items):
    with open_store(db_path) as con, transaction(con):
        return save_articles(con, items, threshold=0.5, shingle_size=5, run_id="r", now=NOW)


def test_migrations_are_recorded_and_idempotent(db_path):
    with open_store(db_path) as con:
        assert migrate(con) == []
        steps = con.execute("SELECT step FROM store.schema_migrations").fetchall()
        assert steps == [(1,), (2,), (3,), (4,), (5,), (6,), (7,), (8,)]
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)


def test_writers_append_in_small_row_groups_which_a_plain_connection_reads(db_path):
    """A writer attaches the store with a small row group, so a checkpoint rewrites at most that
    many rows of an indexed table (storage/db.py ROW_GROUP_SIZE); the file itself is a plain store."""
    from storage.db import ROW_GROUP_SIZE

    n = 3 * ROW_GROUP_SIZE + 5
    with open_store(db_path) as con, transaction(con):
        con.execute("INSERT INTO store.feeds (name, url) SELECT 'f' || i, 'https://f.example/' || i FROM range(?) r(i)",
                    [n])
    with duckdb.connect(str(db_path), read_only=True) as plain:
        groups = plain.execute("SELECT row_group_id, max(count) FROM pragma_storage_info('store.feeds')"
                               " GROUP BY ALL").fetchall()
        assert plain.execute("SELECT count(*) FROM store.feeds WHERE name = 'f77'").fetchone() == (1,)
    assert len(groups) == 4 and max(rows for _, rows in groups) == ROW_GROUP_SIZE


def test_exact_near_refetch_and_version(db_path):
    seed = read_seeds(SEEDS)[0].text
    first = save(db_path, [incoming("https://wire.example/a", seed)])
    assert first[0].outcome == "new"
    again = save(db_path, [incoming("https://wire.example/a?utm_source=x", seed)])
    assert again[0].outcome == "refetch" and again[0].article_id == first[0].article_id
    copy = save(db_path, [incoming("https://daily.example/b", seed.upper(), feed="daily")])
    assert copy[0].outcome == "duplicate" and copy[0].duplicate_of == first[0].article_id and copy[0].similarity == 1.0
    edited = seed.replace("great heroes and patriots", "heroes of the motherland") + "\nShare this story."
    near = save(db_path, [incoming("https://herald.example/c", edited, feed="herald")])
    assert near[0].outcome == "duplicate" and near[0].duplicate_of == first[0].article_id
    assert 0.5 <= near[0].similarity < 1.0
    update = save(db_path, [incoming("https://wire.example/a", seed + "\nUpdated with a new paragraph at the end.")])
    assert update[0].outcome == "version"
    with open_store(db_path) as con:
        rows = con.execute("SELECT version, previous_version_id FROM articles WHERE canonical_url = ? ORDER BY version",
                           ["https://wire.example/a"]).fetchall()
        assert rows == [(1, None), (2, first[0].article_id)]
        # copies are not band-indexed: a copy of a copy resolves to the original
        assert con.execute("SELECT count(DISTINCT article_id) FROM store.article_bands").fetchone() == (2,)


def test_separately_written_reports_are_not_duplicates(db_path):
    docs = read_seeds(SEEDS)
    saved = save(db_path, [incoming(f"https://x.example/{i}", d.text) for i, d in enumerate(docs)])
    assert [s.outcome for s in saved] == ["new"] * 5


def test_a_failed_batch_leaves_nothing_behind(db_path):
    seed = read_seeds(SEEDS)[1].text
    try:
        with open_store(db_path) as con, transaction(con):
            save_articles(con, [incoming("https://wire.example/z", seed)], threshold=0.5, shingle_size=5,
                          run_id="r", now=NOW)
            raise RuntimeError("crash mid-batch")
    except RuntimeError:
        pass
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM store.articles").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM store.entries").fetchone() == (0,)


DOCUMENTED = {
    "articles": "id, url, title, source, feed, published, fetched_at, duplicate_of, similarity, text",
    "figures": "id, article_id, article_url, category, low, high, approximate, qualifier, stance, attribution,"
               " as_of, quote, is_new, first_seen_article_id, repeat_count",
    "events": "id, article_id, article_url, type, date, quote, is_new",
    "deliveries": "digest_id, target, status, attempts, last_error, sent_at",
    "runs": "id, started_at, finished_at, status, entries_seen, new_articles, duplicates",
}


def test_documented_views_have_their_columns(db_path):
    with open_store(db_path) as con:
        for view, columns in DOCUMENTED.items():
            have = {r[0] for r in con.execute(f"DESCRIBE {view}").fetchall()}
            missing = {c.strip() for c in columns.split(",")} - have
            assert not missing, (view, missing)


def test_feeds_back_off_after_repeated_failures_and_on_retry_after():
    from datetime import timedelta

    from storage.feeds import backoff_until

    assert backoff_until(NOW, 1, None) is None and backoff_until(NOW, 2, None) is None
    assert backoff_until(NOW, 3, None) == NOW + timedelta(minutes=5)
    assert backoff_until(NOW, 5, None) == NOW + timedelta(minutes=20)
    assert backoff_until(NOW, 30, None) == NOW + timedelta(hours=6)  # capped
    assert backoff_until(NOW, 1, 120) == NOW + timedelta(seconds=120)  # the server's Retry-After wins


def test_snapshots_are_published_as_often_as_configured_or_by_store_size(db_path, monkeypatch):
    import os
    import time

    from storage import session

    with open_store(db_path) as con:
        migrate(con)
    assert session.snapshot_due(db_path, None)  # none yet
    snap = session.publish_snapshot(db_path)
    assert not session.snapshot_due(db_path, 30) and session.snapshot_due(db_path, 0)
    assert session.snapshot_due(db_path, None)  # a small store: after every cycle
    monkeypatch.setattr(session, "AUTO_EVERY_CYCLE_BELOW_BYTES", 1)  # now it counts as big: hourly
    assert not session.snapshot_due(db_path, None)
    hour_ago = time.time() - 3601
    os.utime(snap, (hour_ago, hour_ago))
    assert session.snapshot_due(db_path, None) and session.snapshot_due(db_path, 30)


def test_a_snapshot_waits_for_a_reader_then_gives_up_with_a_clear_error(db_path):
    import subprocess
    import sys

    import pytest

    from storage import session
    from storage.db import StoreLocked

    with open_store(db_path) as con:
        migrate(con)
    hold = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True);"
            " print('ready', flush=True); time.sleep(float(sys.argv[2]))")
    reader = subprocess.Popen([sys.executable, "-c", hold, str(db_path), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLocked):
            session.publish_snapshot(db_path, wait_seconds=0.5)
    finally:
        reader.kill()
        reader.wait()
    brief = subprocess.Popen([sys.executable, "-c", hold, str(db_path), "1"], stdout=subprocess.PIPE, text=True)
    assert brief.stdout.readline().strip() == "ready"
    assert session.publish_snapshot(db_path, wait_seconds=20).exists()  # waited for the brief reader
    brief.wait()


def test_a_snapshot_is_copied_while_the_store_is_locked_against_other_writers(db_path, monkeypatch):
    import shutil

    from storage import session

    with open_store(db_path) as con:
        migrate(con)
    seen = []
    real_copy = shutil.copyfile

    def copy_while_another_program_tries(src, dst):
        seen.append(_count_in_other_process(src))  # another program opening the store for writing
        return real_copy(src, dst)

    monkeypatch.setattr(session.shutil, "copyfile", copy_while_another_program_tries)
    snap = session.publish_snapshot(db_path)
    assert len(seen) == 1 and "Could not set lock" in seen[0]
    assert snap.exists() and not list(snap.parent.glob(f".{snap.name}.tmp-*"))
    assert _count_in_other_process(db_path) == "0"  # ... and released once the copy is made


def test_held_stages_share_one_connection_and_release_the_store_after(db_path):
    from storage.db import held, lock_holds, redirect

    redirect(db_path.resolve(), db_path.resolve())  # as writer_session does: holds are recorded
    try:
        with held(db_path):
            with open_store(db_path) as first, transaction(first):
                first.execute("CREATE TABLE store.t (x INTEGER)")
                first.execute("INSERT INTO store.t VALUES (1)")
            with open_store(db_path) as second:
                assert second is first  # the same connection, its transaction committed
                assert second.execute("SELECT x FROM store.t").fetchall() == [(1,)]
        with duckdb.connect(str(db_path), read_only=True) as reader:  # released: a reader gets in
            assert reader.execute("SELECT count(*) FROM store.t").fetchone() == (1,)
        assert len(lock_holds(db_path)) == 1  # the whole held block counts as one hold
    finally:
        redirect(db_path.resolve(), None)


def _found_through_indexes(con) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Per indexed column: (rows whose value a look-up by that value finds, rows)."""
    found = {}
    for table, column in [("articles", "canonical_url"), ("articles", "content_hash"), ("article_bands", "band_key"),
                          ("entries", "canonical_url"), ("search_terms", "term"), ("search_terms_recent", "term"),
                          ("figures", "article_id"), ("events", "type")]:
        values = [r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM store.{table}").fetchall()]
        hits = sum(con.execute(f"SELECT count(*) > 0 FROM store.{table} WHERE {column} = ?", [v]).fetchone()[0]
                   for v in values)
        found[f"{table}.{column}"] = (hits, len(values))
    return found


def test_a_quiet_cycle_keeps_every_row_findable_through_the_indexes(tmp_path):
    """Each stage's connection checkpoints as it closes. When the cycle's first one did not (PRAGMA
    disable_checkpoint_on_shutdown), DuckDB 1.5.5 wrote the indexes of the tables the next
    connection left alone without that WAL's rows: after a cycle that found nothing new the seeds'
    URLs, hashes, band keys and search terms were no longer found (and each cycle tagged the seeds
    again)."""
    from flows.config import parse_settings
    from flows.cycle import Plan, begin_run, finish, prepare

    settings = parse_settings({"database": str(tmp_path / "nk.duckdb"), "seeds": str(SEEDS), "feeds": []})
    prepare(settings, "run-1")
    begin_run(settings, "run-1")
    finish(settings, "run-1", [], Plan((), ()), {})  # nothing new: only the run log is written
    with open_store(settings.database, read_only=True) as con:
        seeds = [r[0] for r in con.execute("SELECT canonical_url FROM store.articles WHERE source = 'seed'").fetchall()]
        assert len(seeds) == 5 and set(latest_versions(con, seeds)) == set(seeds)
        assert all(hits == rows for hits, rows in _found_through_indexes(con).values())


_CRASH_AFTER_PREPARE = """
import os, sys
import storage.db as db
from flows.config import parse_settings
from flows.cycle import prepare

class DiesOnClose:  # the process is killed after the commit, before the connection closes
    def __init__(self, con):
        self.con = con
    def close(self):
        os._exit(0)
    def __getattr__(self, name):
        return getattr(self.con, name)

real = db.connect
db.connect = lambda *args, **kwargs: DiesOnClose(real(*args, **kwargs))
prepare(parse_settings({"database": sys.argv[1], "seeds": sys.argv[2], "feeds": []}), "run-1")
"""


def test_after_a_crash_every_row_stays_findable_through_the_indexes(tmp_path):
    """A writer killed after committing leaves a WAL that the next connection replays. DuckDB
    1.5.5's next checkpoint then wrote the indexes of the tables that connection did not change
    without the replayed rows; the store now checkpoints right after such a replay."""
    import subprocess
    import sys

    from flows.config import parse_settings
    from flows.cycle import Plan, begin_run, finish
    from storage.session import writer_session

    from .conftest import ROOT

    db = tmp_path / "nk.duckdb"
    subprocess.run([sys.executable, "-c", _CRASH_AFTER_PREPARE, str(db), str(SEEDS)], cwd=ROOT, check=True)
    assert db.with_name("nk.duckdb.wal").exists()  # the seeds, their claims and search terms: committed, not checkpointed
    settings = parse_settings({"database": str(db), "seeds": str(SEEDS), "feeds": []})
    with writer_session(db):  # as the next cycle starts: it first checks that the store can be written
        begin_run(settings, "run-1")  # then writes only the run log
        finish(settings, "run-1", [], Plan((), ()), {})
    with open_store(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM store.articles").fetchone() == (5,)
        found = _found_through_indexes(con)
        assert found["figures.article_id"][1] > 0 and found["events.type"][1] > 0
        assert all(hits == rows for hits, rows in found.values()), found


def test_preparing_an_unchanged_store_writes_nothing_and_runs_are_logged_apart(tmp_path):
    """A cycle's first stage leaves the file as it found it when the seeds and feeds are unchanged
    (its close then has no checkpoint to make, which grew with the store); the run is logged by
    begin_run, which counts the runs an earlier crash left running."""
    import hashlib

    from flows.config import parse_settings
    from flows.cycle import begin_run, prepare

    settings = parse_settings({"database": str(tmp_path / "nk.duckdb"), "seeds": str(SEEDS),
                               "feeds": [{"name": "wire", "url": "https://wire.example/rss"}]})
    assert prepare(settings, "run-1")[1] == 5
    before = hashlib.sha256(settings.database.read_bytes()).hexdigest()
    states, seeded = prepare(settings, "run-2")
    assert (list(states), seeded) == (["wire"], 0)
    assert hashlib.sha256(settings.database.read_bytes()).hexdigest() == before
    assert not settings.database.with_name("nk.duckdb.wal").exists()
    assert begin_run(settings, "run-2") == 0
    assert begin_run(settings, "run-3") == 1  # run-2 never finished
    with open_store(settings.database, read_only=True) as con:
        assert con.execute("SELECT id, status FROM store.runs ORDER BY id").fetchall() == [
            ("run-2", "crashed"), ("run-3", "running")]


def test_the_index_rebuild_step_repairs_a_store_that_lost_index_entries(db_path, caplog):
    with open_store(db_path) as con:  # a store as it was before step 5, its indexes under the old names
        con.execute("DELETE FROM store.schema_migrations WHERE step IN (5, 8)")  # 8 drops the postings' index
        for old, table, columns in [("entries_canonical_url", "entries", "canonical_url"),
                                    ("articles_canonical_url", "articles", "canonical_url"),
                                    ("articles_content_hash", "articles", "content_hash"),
                                    ("article_bands_key", "article_bands", "band_key"),
                                    ("figures_value", "figures", "category, low, high"),
                                    ("figures_article", "figures", "article_id"), ("events_type", "events", "type"),
                                    ("search_terms_term", "search_terms", "term")]:
            new = {"article_bands_key": "idx_article_bands_band_key", "figures_value": "idx_figures_value",
                   "figures_article": "idx_figures_article_id"}.get(old, f"idx_{old}")
            con.execute(f"DROP INDEX IF EXISTS store.{new}")
            con.execute(f"CREATE INDEX {old} ON store.{table} ({columns})")
    con = duckdb.connect(str(db_path))  # rows written, then closed the way that lost their index entries
    with transaction(con):
        save_articles(con, [incoming(f"https://wire.example/{n}", d.text) for n, d in enumerate(read_seeds(SEEDS))],
                      threshold=0.5, shingle_size=5, run_id="r", now=NOW)
        tiers.fold_postings(con)  # where the postings were then: no recent tier yet (step 6)
    con.execute("PRAGMA disable_checkpoint_on_shutdown")
    con.close()
    duckdb.connect(str(db_path)).close()  # the next connection's checkpoint
    con = duckdb.connect(str(db_path), read_only=True)
    lost = _found_through_indexes(con)
    con.close()
    if lost["articles.canonical_url"] != (0, 5):
        pytest.skip("this DuckDB no longer loses the entries: there is nothing to repair")
    with caplog.at_level("WARNING", logger="storage.migrations"), open_store(db_path) as con:
        assert migrate(con) == [] and con.execute("SELECT max(step) FROM store.schema_migrations").fetchone() == (8,)
        assert all(hits == rows for hits, rows in _found_through_indexes(con).values())
    assert "upgrading the store (005_rebuild_indexes, 008_postings_in_term_order)" in caplog.text  # the user learns why it takes a while


# Write connections are cursors on an in-memory database kept per store path (storage/db.py
# StoreConnection): closing one must leave the store as closing a database did.
_OTHER_WRITER = ("import duckdb, sys; c = duckdb.connect(sys.argv[1]);"
                 " print(c.execute('SELECT count(*) FROM store.feeds').fetchone()[0]); c.close()")


def _count_in_other_process(db_path) -> str:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _OTHER_WRITER, str(db_path)], capture_output=True, text=True,
                          timeout=60)
    return done.stdout.strip() or done.stderr.strip()[-300:]


def test_a_closed_writer_checkpoints_and_unlocks_the_store_for_other_processes(db_path):
    from storage.db import wal_path

    for n in range(2):  # the second on the kept database
        with open_store(db_path) as con, transaction(con):
            con.execute("INSERT INTO store.feeds (name, url) VALUES (?, ?)", [f"f{n}", f"https://f.example/{n}"])
        assert not wal_path(db_path).exists()  # checkpointed as it closed
        assert _count_in_other_process(db_path) == str(n + 1)  # another process writes at once


def test_write_connections_reuse_the_database_kept_for_the_store(db_path):
    from storage.search import load_fts

    with open_store(db_path) as con:
        load_fts(con)
    with open_store(db_path) as con:  # the extension loaded by the last connection is still there
        assert con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'fts'").fetchone() == (True,)
        assert con.execute("SELECT stem('running', 'porter')").fetchone() == ("run",)


def test_a_writer_dropped_without_closing_releases_the_store(db_path):
    import gc

    from storage.db import raw_connect

    with open_store(db_path):
        pass  # the schema
    con = raw_connect(db_path)
    con.execute("INSERT INTO store.feeds (name, url) VALUES ('f', 'https://f.example/')")
    del con
    gc.collect()
    assert _count_in_other_process(db_path) == "1"


def test_a_writer_opened_while_the_kept_database_is_in_use_gets_one_of_its_own(db_path):
    from storage import db

    with open_store(db_path):
        pass  # the schema, and the kept database for this path
    claimed = db._claim_instance(db_path)  # as if another connection of this process had it
    assert claimed is not None
    try:
        con = db.raw_connect(db_path)
        assert not con._kept  # a database of its own ...
        con.execute("INSERT INTO store.feeds (name, url) VALUES ('f', 'https://f.example/')")
        con.close()  # ... closed with the connection
        assert _count_in_other_process(db_path) == "1"
        assert db._claim_instance(db_path) is None  # the kept one was never touched: still claimed
    finally:
        claimed.busy.release()
    kept = db.raw_connect(db_path)
    assert kept._kept
    kept.close()


def test_only_a_few_idle_databases_are_kept_however_many_stores_are_opened(tmp_path):
    from storage import db

    for n in range(db._KEPT + 4):
        db.raw_connect(tmp_path / f"s{n}.duckdb").close()
    assert len(db._instances) <= db._KEPT
    assert tmp_path / f"s{db._KEPT + 3}.duckdb" in db._instances  # the most recent is kept


def test_a_writer_session_closes_the_databases_its_connections_shared(db_path):
    """DuckDB keeps the memory a database's queries used until the database closes: a process that
    runs cycles for days must get it back after each (storage/db.py close_kept)."""
    from storage import db
    from storage.session import writer_session

    with writer_session(db_path, 5):
        with open_store(db_path) as con:
            con.execute("SELECT count(*) FROM store.articles").fetchall()
        assert db_path.resolve() in db._instances  # shared by the session's connections
    assert db_path.resolve() not in db._instances
    assert _count_in_other_process(db_path) == "0"
