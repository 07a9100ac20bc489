"""The band keys and search postings live in two tiers (storage/tiers.py): new rows in a small
table, folded into the main one when it fills. Look-ups must see both, before and after a fold."""

from __future__ import annotations

import duckdb
import pytest

from extractors.seeds import read_seeds
from flows.config import parse_settings
from flows.cycle import fold_tiers
from storage import tiers
from storage.db import open_store
from storage.search import search

from .conftest import SEEDS
from .test_store import _found_through_indexes, incoming, save


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int]:
    main = con.execute(f"SELECT count(*) FROM store.{table}").fetchone()[0]
    recent = con.execute(f"SELECT count(*) FROM {tiers.recent(table)}").fetchone()[0]
    return main, recent


@pytest.fixture
def small_tiers(monkeypatch):
    monkeypatch.setattr(tiers, "FOLD_AT", {"article_bands": 64, "search_terms": 100})


def test_new_rows_go_to_the_recent_tier_and_a_full_one_is_folded(db_path, small_tiers):
    seeds = [d.text for d in read_seeds(SEEDS)]
    settings = parse_settings({"database": str(db_path), "seeds": str(SEEDS), "feeds": []})
    save(db_path, [incoming("https://a.example/1", seeds[0])])
    with open_store(db_path) as con:
        bands, terms = _rows(con, "article_bands"), _rows(con, "search_terms")
    assert bands[0] == 0 and 0 < bands[1] < 64 and terms[0] == 0 and terms[1] >= 100
    assert fold_tiers(settings) == {"search_terms": terms[1]}  # only the full one moves
    # A near copy is found through the main tier's band keys, a new article lands in the recent one.
    edited = seeds[0].replace("great heroes and patriots", "heroes of the motherland") + "\nShare this story."
    near = save(db_path, [incoming("https://b.example/1", edited), incoming("https://a.example/2", seeds[1])])
    assert near[0].outcome == "duplicate" and near[1].outcome == "new"
    with open_store(db_path) as con:
        assert _rows(con, "search_terms")[0] == terms[1]
        # search ranks over both tiers: the seed with sappers is in the recent one
        assert {h.url for h in search(con, "sappers")} | {h.url for h in search(con, "Kursk")} >= {
            "https://a.example/1", "https://a.example/2"}
    folded = fold_tiers(settings)
    assert set(folded) == {"article_bands", "search_terms"}
    with open_store(db_path) as con:
        assert _rows(con, "article_bands")[1] == 0 and _rows(con, "search_terms")[1] == 0
        assert all(hits == rows for hits, rows in _found_through_indexes(con).values())
    # after the fold, a copy of the second article is still found (its band keys are now main-tier)
    again = save(db_path, [incoming("https://c.example/1", seeds[1] + "\nRead more.")])
    assert again[0].outcome == "duplicate"
    assert fold_tiers(settings) == {}  # nothing due: the recent tiers are nearly empty again


def test_a_fold_is_all_or_nothing(db_path, small_tiers, monkeypatch):
    seeds = [d.text for d in read_seeds(SEEDS)]
    settings = parse_settings({"database": str(db_path), "seeds": str(SEEDS), "feeds": []})
    save(db_path, [incoming(f"https://a.example/{i}", t) for i, t in enumerate(seeds)])
    with open_store(db_path) as con:
        before = _rows(con, "article_bands"), _rows(con, "search_terms")
    real_fold = tiers.fold

    def fail_second(con, table):  # type: ignore[no-untyped-def]
        if table == "search_terms":
            raise RuntimeError("disk full")
        return real_fold(con, table)

    monkeypatch.setattr(tiers, "fold", fail_second)
    with pytest.raises(RuntimeError):
        fold_tiers(settings)
    with open_store(db_path) as con:
        assert (_rows(con, "article_bands"), _rows(con, "search_terms")) == before
