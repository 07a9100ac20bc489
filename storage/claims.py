"""Tagging results: relevance per article, figures and events, each classified for novelty
(extractors/novelty.py) against everything stored before it, in the caller's transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from extractors.novelty import PriorFigure, classify_figure, is_new_event
from extractors.records import Tagging
from storage.db import text_literals

SEED_BASELINE = "seed-baseline"  # digest_id of claims from seeds: known, never reported


@dataclass(frozen=True)
class SavedClaims:
    figures: int
    new_figures: int  # new + revision
    corroborations: int
    events: int
    new_events: int


def _id(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:20]


def _prior_figures(con: duckdb.DuckDBPyConnection, category: str, low: float, high: float, stance: str,
                   attribution: str) -> list[PriorFigure]:
    """The earlier figures that decide novelty: those with the same value, and the claimant's latest
    figure of the category. Two index look-ups, whatever the size of the store."""
    rows = con.execute(
        "SELECT id, low, high, stance, attribution, seq FROM store.figures"
        " WHERE category = ? AND low = ? AND high = ? AND stance = ?",
        [category, low, high, stance],
    ).fetchall()
    if attribution:
        rows += con.execute(
            "SELECT id, low, high, stance, attribution, seq FROM store.figures"
            " WHERE category = ? AND attribution = ? ORDER BY seq DESC LIMIT 1",
            [category, attribution],
        ).fetchall()
    return [PriorFigure(*r) for r in rows]


def figure_values(con: duckdb.DuckDBPyConnection, article_id: str) -> set[tuple[str, float, float, str]]:
    """(category, low, high, stance) of every figure stored for an article."""
    rows = con.execute("SELECT category, low, high, stance FROM store.figures WHERE article_id = ?",
                       [article_id]).fetchall()
    return {(c, lo, hi, st) for c, lo, hi, st in rows}


@dataclass(frozen=True)
class ArticleTagging:
    """One article's tagging to store, with the date its figures default to."""

    article_id: str
    tagging: Tagging
    article_date: date | None


def save_taggings(con: duckdb.DuckDBPyConnection, items: list[ArticleTagging], *, now: datetime, seed: bool,
                  event_window_days: int, lexicon: str = "") -> list[SavedClaims]:
    """Store each article's tagging once (an article already tagged is left as it is), one
    SavedClaims per item. The taggings are written in one statement; figures and events one by
    one, in order, since each one's novelty depends on those stored before it."""
    if not items:
        return []
    ids = sorted({i.article_id for i in items})
    tagged = {r[0] for r in con.execute(
        f"SELECT article_id FROM store.taggings WHERE article_id IN ({text_literals(ids)})").fetchall()}
    is_fresh: list[bool] = []  # per item: not tagged before, nor earlier in this list
    for item in items:
        is_fresh.append(item.article_id not in tagged)
        tagged.add(item.article_id)
    fresh = [i for i, new in zip(items, is_fresh) if new]
    if fresh:
        con.execute(
            "INSERT INTO store.taggings (article_id, relevant, score, evidence, tagged_at, lexicon)"
            " SELECT unnest($1::TEXT[]), unnest($2::BOOLEAN[]), unnest($3::DOUBLE[]), unnest($4::TEXT[][]), $5, $6",
            [[i.article_id for i in fresh], [i.tagging.relevant for i in fresh], [i.tagging.score for i in fresh],
             [list(i.tagging.evidence) for i in fresh], now, lexicon])
    return [_save_claims(con, i.article_id, i.tagging, i.article_date, now, seed, event_window_days)
            if new and i.tagging.relevant else SavedClaims(0, 0, 0, 0, 0) for i, new in zip(items, is_fresh)]


def _save_claims(con: duckdb.DuckDBPyConnection, article_id: str, tagging: Tagging, article_date: date | None,
                 now: datetime, seed: bool, event_window_days: int) -> SavedClaims:
    digest = SEED_BASELINE if seed else None
    new = corroborations = 0
    for f in tagging.figures:
        prior = _prior_figures(con, f.category, f.low, f.high, f.stance, f.attribution)
        verdict = classify_figure(f.low, f.high, f.stance, f.attribution, prior)
        fid = _id(article_id, f.category, f.low, f.high, f.start)
        con.execute(
            "INSERT INTO store.figures (id, article_id, category, low, high, approximate, qualifier, stance,"
            " attribution, as_of, quote, start_offset, end_offset, seen_at, seq, novelty, first_seen_id,"
            " revises_id, digest_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, nextval('store.claim_seq'),"
            " ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [fid, article_id, f.category, f.low, f.high, f.approximate, f.qualifier, f.stance, f.attribution,
             f.as_of or article_date, f.quote, f.start, f.end, now, verdict.novelty, verdict.first_seen_id or fid,
             verdict.revises_id, digest],
        )
        new += verdict.novelty in ("new", "revision")
        corroborations += verdict.novelty == "corroboration"
    new_events = 0
    for e in tagging.events:
        when = e.date or article_date
        earlier = con.execute(
            "SELECT id, date FROM store.events WHERE type = ? AND (date IS NULL OR ? IS NULL"
            " OR date BETWEEN ?::DATE - ?::INTEGER AND ?::DATE + ?::INTEGER) ORDER BY seq LIMIT 100",
            [e.type, when, when, event_window_days, when, event_window_days],
        ).fetchall()
        fresh = is_new_event(when, [d for _, d in earlier], event_window_days)
        eid = _id(article_id, e.type, e.start)
        first = None if fresh else next((i for i, d in earlier if when is None or d is None
                                         or abs((d - when).days) <= event_window_days), None)
        con.execute(
            "INSERT INTO store.events (id, article_id, type, date, dated, quote, start_offset, end_offset, seen_at,"
            " seq, is_new, first_seen_id, digest_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, nextval('store.claim_seq'),"
            " ?, ?, ?) ON CONFLICT DO NOTHING",
            [eid, article_id, e.type, when, e.date is not None, e.quote, e.start, e.end, now, fresh,
             first or eid, digest],
        )
        new_events += fresh
    return SavedClaims(len(tagging.figures), new, corroborations, len(tagging.events), new_events)
