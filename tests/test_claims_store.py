"""Saving taggings: a batch decides every claim's novelty as if its claims were stored one by one."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from extractors.lexicon import load_lexicon
from extractors.figures import tag
from extractors.records import Event, Figure, Tagging
from extractors.seeds import read_seeds
from storage.claims import ArticleTagging, save_taggings
from storage.db import open_store, transaction

from .conftest import ROOT, SEEDS

NOW = datetime(2025, 9, 1, tzinfo=UTC)
TAGGING_SETS = ROOT / "tests" / "data" / "tagging"


def _claims(db: Path) -> tuple[list[tuple], list[tuple]]:  # type: ignore[type-arg]
    with open_store(db, read_only=True) as con:
        figures = con.execute("SELECT id, article_id, category, low, high, stance, attribution, as_of, seq, novelty,"
                              " first_seen_id, revises_id, digest_id FROM store.figures ORDER BY seq").fetchall()
        events = con.execute("SELECT id, article_id, type, date, dated, seq, is_new, first_seen_id, digest_id"
                             " FROM store.events ORDER BY seq").fetchall()
    return figures, events


def _save(db: Path, batches: list[list[ArticleTagging]], seed: bool = False) -> list:  # type: ignore[type-arg]
    saved = []
    for batch in batches:
        with open_store(db) as con, transaction(con):
            saved += save_taggings(con, batch, now=NOW, seed=seed, event_window_days=7)
    return saved


@pytest.fixture(scope="module")
def taggings() -> list[ArticleTagging]:
    """Every article of the hand-annotated tagging sets, twice (under other ids), so the second
    half repeats and corroborates the first; many share values, claimants and event dates."""
    lexicon = load_lexicon(None)
    docs = [d for folder in sorted(TAGGING_SETS.glob("*/articles")) for d in read_seeds(folder)]
    items = [ArticleTagging(f"a{n}-{d.file}", tag(d.text, d.published, lexicon), d.published)
             for n, d in enumerate(docs)]
    return items + [ArticleTagging(f"b{n}", i.tagging, i.article_date) for n, i in enumerate(items)]


def test_a_batch_stores_the_same_claims_as_one_article_at_a_time(taggings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert sum(len(i.tagging.figures) for i in taggings) > 500 and sum(len(i.tagging.events) for i in taggings) > 300
    one_by_one = _save(tmp_path / "one.duckdb", [[i] for i in taggings])
    in_batches = _save(tmp_path / "batches.duckdb", [taggings[n:n + 40] for n in range(0, len(taggings), 40)])
    assert in_batches == one_by_one
    figures, events = _claims(tmp_path / "batches.duckdb")
    assert (figures, events) == _claims(tmp_path / "one.duckdb")
    novelty = {f[9] for f in figures}
    assert novelty == {"new", "revision", "corroboration", "repeat"}  # every rule was exercised
    assert {e[6] for e in events} == {True, False}


def test_claims_earlier_in_the_same_batch_count(tmp_path) -> None:  # type: ignore[no-untyped-def]
    def figure(low: float, who: str, start: int) -> Figure:
        return Figure("killed", low, low, False, "", "fact", who, None, "q", start, start + 1)

    def tagging(*figures: Figure, events: tuple[Event, ...] = ()) -> Tagging:
        return Tagging(True, 1.0, (), figures, events)

    deploy = Event("deployment", date(2025, 8, 30), "q", 0, 1)
    undated = Event("ceremony_award", None, "q", 5, 6)
    batch = [
        ArticleTagging("a1", tagging(figure(600, "NIS", 0), events=(deploy,)), date(2025, 8, 31)),
        ArticleTagging("a2", tagging(figure(600, "", 0), figure(600, "GUR", 9), figure(700, "NIS", 20),
                                     events=(Event("deployment", date(2025, 9, 2), "q", 0, 1), undated)), None),
        ArticleTagging("a3", tagging(events=(Event("ceremony_award", None, "q", 7, 8),)), None),
        ArticleTagging("a1", tagging(figure(999, "NIS", 0)), None),  # tagged already, earlier in this batch
    ]
    saved = _save(tmp_path / "nk.duckdb", [batch])
    assert [(s.new_figures, s.corroborations, s.new_events) for s in saved] == [(1, 0, 1), (1, 1, 1), (0, 0, 0),
                                                                               (0, 0, 0)]
    figures, events = _claims(tmp_path / "nk.duckdb")
    by_article = [(f[1], f[6], f[9]) for f in figures]
    assert by_article == [("a1", "NIS", "new"), ("a2", "", "repeat"), ("a2", "GUR", "corroboration"),
                          ("a2", "NIS", "revision")]
    assert figures[3][11] == figures[0][0]  # the revision points at NIS's 600 of the same batch
    assert [f[8] for f in figures] == sorted(f[8] for f in figures)
    assert [(e[1], e[2], e[6]) for e in events] == [("a1", "deployment", True), ("a2", "deployment", False),
                                                    ("a2", "ceremony_award", True), ("a3", "ceremony_award", False)]
    assert events[1][7] == events[0][0] and events[3][7] == events[2][0]


def test_seed_claims_are_the_baseline(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lexicon = load_lexicon(None)
    items = [ArticleTagging(f"seed:{d.file}", tag(d.text, d.published, lexicon), d.published)
             for d in read_seeds(SEEDS)]
    _save(tmp_path / "nk.duckdb", [items], seed=True)
    figures, events = _claims(tmp_path / "nk.duckdb")
    assert figures and events and {f[12] for f in figures} == {e[8] for e in events} == {"seed-baseline"}


def test_unusual_values_and_names_are_matched_exactly_and_never_break_a_batch(tmp_path) -> None:  # type: ignore[no-untyped-def]
    def one(aid: str, low: float, who: str) -> ArticleTagging:
        return ArticleTagging(aid, Tagging(True, 1.0, (), (Figure("killed", low, low, False, "", "fact", who, None,
                                                                   "q", 0, 1),)), None)

    odd = 0.9021001412854511  # a bare literal of it reads as a DECIMAL and lands on another double
    names = ["O'Brien", "N\x00IS", "Ukraine's GUR"]
    first = _save(tmp_path / "nk.duckdb", [[one(f"a{n}", v, who) for n, (v, who) in
                                            enumerate([(odd, names[0]), (float("inf"), names[1]), (1e16, names[2])])]])
    assert [s.new_figures for s in first] == [1, 1, 1]
    later = _save(tmp_path / "nk.duckdb", [[one("b0", odd, ""), one("b1", float("inf"), names[1]),
                                            one("b2", 2e16, names[2])]])
    figures, _ = _claims(tmp_path / "nk.duckdb")
    assert [f[9] for f in figures[3:]] == ["repeat", "repeat", "revision"]
    assert figures[3][10] == figures[0][0] and figures[5][11] == figures[2][0]
    assert [s.new_figures for s in later] == [0, 0, 1]
