"""The band keys and search postings live in two tiers (storage/tiers.py): the newest rows in a
small table, the bulk in a main one (for band keys, a file of its own attached read-only), folded
together when the small one fills. Look-ups must see both, before and after a fold, and a crash
in a fold must lose nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys

import duckdb
import pytest

from extractors.seeds import read_seeds
from flows.config import parse_settings
from flows.cycle import fold_tiers
from storage import tiers
from storage.db import open_store, redirect, wal_path
from storage.search import search

from .conftest import SEEDS
from .test_store import _found_through_indexes, incoming, save


def _rows(con: duckdb.DuckDBPyConnection, tiered: tiers.Tiered) -> tuple[int, int]:
    assert tiers.attach_bands(con)  # open_store tells its connections of the band-key file
    main = con.execute(f"SELECT count(*) FROM {tiered.main}").fetchone()[0]
    recent = con.execute(f"SELECT count(*) FROM {tiered.recent}").fetchone()[0]
    return main, recent


@pytest.fixture
def small_tiers(monkeypatch):
    monkeypatch.setattr(tiers, "TIERED", {"article_bands": tiers.Tiered(tiers.BANDS.main, tiers.BANDS.recent, 64),
                                          "search_terms": tiers.Tiered(tiers.POSTINGS.main, tiers.POSTINGS.recent, 100)})


def _settings(db_path):  # type: ignore[no-untyped-def]
    return parse_settings({"database": str(db_path), "seeds": str(SEEDS), "feeds": []})


def test_new_rows_go_to_the_recent_tier_and_a_full_one_is_folded(db_path, small_tiers):
    seeds = [d.text for d in read_seeds(SEEDS)]
    save(db_path, [incoming("https://a.example/1", seeds[0])])
    assert tiers.bands_path(db_path).exists()  # made by the first look-up, empty
    with open_store(db_path) as con:
        bands, terms = _rows(con, tiers.BANDS), _rows(con, tiers.POSTINGS)
    assert bands == (0, 32) and terms[0] == 0 and terms[1] >= 100
    assert fold_tiers(_settings(db_path)) == ({"search_terms": terms[1]}, [])  # only the full one moves
    # A near copy is found, a new article lands in the recent tiers.
    edited = seeds[0].replace("great heroes and patriots", "heroes of the motherland") + "\nShare this story."
    near = save(db_path, [incoming("https://b.example/1", edited), incoming("https://a.example/2", seeds[1])])
    assert near[0].outcome == "duplicate" and near[1].outcome == "new"
    with open_store(db_path) as con:
        assert _rows(con, tiers.POSTINGS)[0] == terms[1]
        folded_terms = [r[0] for r in con.execute(f"SELECT term FROM {tiers.POSTINGS.main}").fetchall()]
        assert folded_terms == sorted(folded_terms)  # appended in term order: a search skips by min and max
        # search ranks over both tiers: the first seed's postings are main-tier now, the second's recent
        found = {h.url for q in ("sappers", "Kursk", "Kim Jong Un", "troops") for h in search(con, q)}
        assert {"https://a.example/1", "https://a.example/2"} <= found
    folded, put_off = fold_tiers(_settings(db_path))
    assert folded["article_bands"] == 64 and not put_off
    with open_store(db_path) as con:
        assert _rows(con, tiers.BANDS) == (64, 0) and _rows(con, tiers.POSTINGS)[1] == 0
        assert all(hits == rows for hits, rows in _found_through_indexes(con).values())
    with duckdb.connect(str(tiers.bands_path(db_path)), read_only=True) as bands_file:
        assert bands_file.execute("SELECT count(DISTINCT article_id) FROM article_bands").fetchone() == (2,)
        keys = [r[0] for r in bands_file.execute("SELECT DISTINCT band_key FROM article_bands").fetchall()]
        assert all(bands_file.execute("SELECT count(*) FROM article_bands WHERE band_key = ?", [k]).fetchone()[0]
                   for k in keys)  # found through the file's own index
    # After the fold, near copies of both are still found: their band keys come from the file.
    again = save(db_path, [incoming("https://c.example/1", seeds[1] + "\nRead more."),
                           incoming("https://c.example/2", edited + "\nMore on this story.")])
    assert [s.outcome for s in again] == ["duplicate", "duplicate"]
    assert fold_tiers(_settings(db_path)) == ({}, [])  # nothing due: the recent tiers are nearly empty again


def test_a_fold_of_band_keys_that_crashes_loses_nothing(db_path, small_tiers, monkeypatch):
    """Stopped after the file's commit: the keys are in both tiers and read once. Stopped before
    the file's checkpoint: its WAL is replayed and checkpointed before it is attached again."""
    seeds = [d.text for d in read_seeds(SEEDS)]
    originals = save(db_path, [incoming(f"https://a.example/{i}", t) for i, t in enumerate(seeds[:2])])

    class Killed(BaseException):
        pass

    def killed(con):  # type: ignore[no-untyped-def]
        raise Killed()

    with monkeypatch.context() as patched:
        patched.setattr(tiers, "_forget_folded_bands", killed)
        with pytest.raises(Killed), open_store(db_path) as con:
            tiers.fold_bands(con)
    with open_store(db_path) as con:
        assert _rows(con, tiers.BANDS) == (64, 64)
    with open_store(db_path) as con:  # each (key, article) read once, though it is in both tiers
        rows = con.execute(tiers.band_keys_sql(con, "band_key, article_id", "true")).fetchall()
        assert len(rows) == len(set(rows)) == 64
    copy = save(db_path, [incoming("https://b.example/1", seeds[0] + "\nShare this story.")])
    assert copy[0].outcome == "duplicate" and copy[0].duplicate_of == originals[0].article_id
    assert fold_tiers(_settings(db_path))[0]["article_bands"] == 64  # the next fold: all of the tier again
    with duckdb.connect(str(tiers.bands_path(db_path)), read_only=True) as bands_file:
        assert bands_file.execute("SELECT count(*), count(DISTINCT (band_key, article_id)) FROM article_bands"
                                  ).fetchone() == (64, 64)  # nothing copied twice
    # a fold that stops before its checkpoint leaves the file's WAL behind
    con = duckdb.connect(str(tiers.bands_path(db_path)))
    con.execute("PRAGMA disable_checkpoint_on_shutdown")
    con.execute("INSERT INTO article_bands VALUES (42, 'x')")
    con.close()
    assert wal_path(tiers.bands_path(db_path)).exists()
    with open_store(db_path) as con:
        assert _rows(con, tiers.BANDS)[0] == 65
    assert not wal_path(tiers.bands_path(db_path)).exists()
    with duckdb.connect(str(tiers.bands_path(db_path)), read_only=True) as bands_file:
        assert bands_file.execute("SELECT count(*) FROM article_bands WHERE band_key = 42").fetchone() == (1,)


def test_a_fold_of_postings_is_all_or_nothing(db_path, small_tiers, monkeypatch):
    seeds = [d.text for d in read_seeds(SEEDS)]
    save(db_path, [incoming(f"https://a.example/{i}", t) for i, t in enumerate(seeds)])
    with open_store(db_path) as con:
        before = _rows(con, tiers.POSTINGS)
    real_fold = tiers.fold_postings

    def fold_then_fail(con):  # type: ignore[no-untyped-def]
        real_fold(con)
        raise duckdb.IOException("disk full")

    monkeypatch.setattr(tiers, "fold_postings", fold_then_fail)
    with pytest.raises(duckdb.IOException):
        fold_tiers(_settings(db_path))
    with open_store(db_path) as con:
        assert _rows(con, tiers.POSTINGS) == before


def test_a_fold_of_band_keys_waits_while_the_file_is_open_or_the_cycle_works_on_a_copy(db_path, small_tiers):
    seeds = [d.text for d in read_seeds(SEEDS)]
    save(db_path, [incoming(f"https://a.example/{i}", t) for i, t in enumerate(seeds[:2])])
    bands = tiers.bands_path(db_path)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time;"
                               " c = duckdb.connect(sys.argv[1], read_only=True); print('open', flush=True);"
                               " time.sleep(60)", str(bands)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        folded, put_off = fold_tiers(_settings(db_path))
        assert "article_bands" not in folded and len(put_off) == 1 and "open in another program" in put_off[0]
    finally:
        holder.kill()
        holder.wait()
    store = db_path.resolve()
    copy = store.with_name("copy.duckdb")
    shutil.copyfile(store, copy)
    redirect(store, copy)  # as writer_session does while readers hold the store
    try:
        folded, put_off = fold_tiers(_settings(db_path))
        assert "article_bands" not in folded and "copy" in put_off[0]
    finally:
        redirect(store, None)
    with open_store(db_path) as con:
        assert _rows(con, tiers.BANDS) == (0, 64)  # both times: nothing moved, nothing lost
    assert fold_tiers(_settings(db_path))[0]["article_bands"] == 64  # and on the store itself it folds


def test_a_store_named_like_the_alias_and_a_half_made_band_key_file(tmp_path):
    db = tmp_path / "bands.duckdb"
    tiers.bands_path(db).with_name(tiers.bands_path(db).name + ".new").write_bytes(b"half made")  # a crash while made
    seed = read_seeds(SEEDS)[0].text
    first = save(db, [incoming("https://a.example/1", seed)])
    near = save(db, [incoming("https://b.example/1", seed + "\nShare this story.")])
    assert first[0].outcome == "new" and near[0].outcome == "duplicate"
    assert not tiers.bands_path(db).with_name(tiers.bands_path(db).name + ".new").exists()


def test_a_lost_band_key_file_is_noticed_warned_of_and_rebuilt(db_path, small_tiers):
    from flows.cycle import prepare, repairs_due
    from flows.repair import rebuild_band_keys

    seeds = [d.text for d in read_seeds(SEEDS)]
    originals = save(db_path, [incoming(f"https://a.example/{n}", text) for n, text in enumerate(seeds)])
    settings = _settings(db_path)
    assert fold_tiers(settings)[0]["article_bands"] == 32 * len(seeds)
    prepare(settings, "r1")  # the seeds themselves are exact copies of those: no keys of their own
    assert repairs_due(settings) == []  # nothing lost: nothing to warn of
    tiers.bands_path(db_path).unlink()
    prepare(settings, "r2")
    due = repairs_due(settings)
    assert len(due) == 1 and f"{len(seeds)} stored article(s)" in due[0] and "nkwatch rebuild-band-keys" in due[0]
    prepare(settings, "r3")  # the file is there again, empty; the repair is still due
    assert repairs_due(settings) == due
    said: list[str] = []
    assert rebuild_band_keys(settings, said.append) == len(seeds)
    assert said[0] == f"{len(seeds)} stored article(s) without band keys" and said[-1].startswith("done in")
    assert repairs_due(settings) == [] and rebuild_band_keys(settings, said.append) == 0
    edited = seeds[0].replace("great heroes and patriots", "heroes of the motherland") + "\nShare this story."
    copy = save(db_path, [incoming("https://b.example/1", edited)])
    assert copy[0].outcome == "duplicate" and copy[0].duplicate_of == originals[0].article_id


_FOLD_THEN_CRASH = """
import os, sys
from pathlib import Path
from storage import tiers
from storage.db import open_store, transaction
with open_store(Path(sys.argv[1])) as con:
    with transaction(con):
        tiers.fold_postings(con)
    tiers.fold_bands(con)
    with transaction(con):  # rows in the tiers just made again, committed
        con.execute("INSERT INTO store.search_terms_recent VALUES ('zzcrash', 'x', 1)")
        con.execute("INSERT INTO store.article_bands VALUES (42, 'x')")
    os._exit(0)  # killed before the connection closes: the next one replays the WAL
"""


def test_folds_empty_the_recent_tiers_by_making_them_again_and_a_crash_after_keeps_their_indexes(db_path):
    """A fold empties a recent tier by dropping it and making it again from its own definition (a
    DELETE of a full tier spent seconds removing index entries). Killed after that commit, the
    store comes back with both tables, their indexes, and every row findable through them."""
    from .conftest import ROOT

    seeds = [d.text for d in read_seeds(SEEDS)]
    save(db_path, [incoming(f"https://a.example/{i}", t) for i, t in enumerate(seeds)])
    with open_store(db_path) as con:
        postings = _rows(con, tiers.POSTINGS)[1]
        indexes = con.execute("SELECT table_name, index_name, sql FROM duckdb_indexes() WHERE schema_name = 'store'"
                              " ORDER BY ALL").fetchall()
    subprocess.run([sys.executable, "-c", _FOLD_THEN_CRASH, str(db_path)], cwd=ROOT, check=True, timeout=120)
    assert wal_path(db_path).exists()
    with open_store(db_path) as con:
        assert con.execute("SELECT table_name, index_name, sql FROM duckdb_indexes() WHERE schema_name = 'store'"
                           " ORDER BY ALL").fetchall() == indexes  # the recent tiers' indexes included
        assert _rows(con, tiers.POSTINGS) == (postings, 1) and _rows(con, tiers.BANDS) == (32 * len(seeds), 1)
        assert con.execute("SELECT * FROM store.article_bands").fetchall() == [(42, "x")]
        assert all(hits == rows for hits, rows in _found_through_indexes(con).values())
        assert {h.url for h in search(con, "sappers Kursk")} >= {"https://a.example/0"}
    near = save(db_path, [incoming("https://b.example/1", seeds[1] + "\nShare this story.")])
    assert near[0].outcome == "duplicate"  # the folded band keys, read from the file


def test_the_postings_step_drops_the_main_index_and_puts_the_rows_in_term_order(db_path, caplog):
    seeds = [d.text for d in read_seeds(SEEDS)]
    save(db_path, [incoming(f"https://a.example/{i}", t) for i, t in enumerate(seeds)])
    with open_store(db_path) as con:  # as before step 8: the main tier indexed, its rows in no order
        hits = [(h.article_id, round(h.score, 9)) for h in search(con, "Kursk troops sappers")]
        con.execute("DELETE FROM store.schema_migrations WHERE step = 8")
        con.execute("CREATE INDEX idx_search_terms_term ON store.search_terms (term)")
        con.execute("INSERT INTO store.search_terms SELECT * FROM store.search_terms_recent ORDER BY article_id, tf")
        con.execute("DELETE FROM store.search_terms_recent")
        postings = sorted(con.execute("SELECT * FROM store.search_terms").fetchall())
    with caplog.at_level("WARNING", logger="storage.migrations"), open_store(db_path) as con:
        assert con.execute("SELECT count(*) FROM duckdb_indexes() WHERE table_name = 'search_terms'").fetchone() == (0,)
        stored = con.execute("SELECT * FROM store.search_terms").fetchall()  # in the order the file holds them
        assert sorted(stored) == postings and [r[0] for r in stored] == sorted(r[0] for r in stored)
        assert [(h.article_id, round(h.score, 9)) for h in search(con, "Kursk troops sappers")] == hits
    assert "upgrading the store (008_postings_in_term_order)" in caplog.text


def test_a_rebuild_of_many_makes_the_fingerprints_in_the_workers_with_the_same_keys(db_path, small_tiers, monkeypatch):
    from flows import repair

    seeds = [d.text for d in read_seeds(SEEDS)]
    save(db_path, [incoming(f"https://a.example/{n}", text) for n, text in enumerate(seeds)])
    settings = _settings(db_path)
    fold_tiers(settings)
    with duckdb.connect(str(tiers.bands_path(db_path)), read_only=True) as bands_file:
        made_by_cycles = sorted(bands_file.execute("SELECT band_key, article_id FROM article_bands").fetchall())
    tiers.bands_path(db_path).unlink()
    monkeypatch.setattr(repair, "IN_PROCESS_BELOW", 1)  # as for a store of thousands
    monkeypatch.setattr(repair, "CHUNK", 2)  # several trips to the workers
    said: list[str] = []
    assert repair.rebuild_band_keys(settings, said.append) == len(seeds)
    assert said[0].endswith("fingerprints in 2 worker processes")
    with open_store(db_path) as con:
        rows = con.execute(tiers.band_keys_sql(con, "band_key, article_id", "true")).fetchall()
    assert sorted(rows) == made_by_cycles
