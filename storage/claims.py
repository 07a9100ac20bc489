"""Tagging results: relevance per article, figures and events, each classified for novelty
(extractors/novelty.py) against everything stored before it, in the caller's transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

from extractors.novelty import PriorFigure, classify_figure, is_new_event
from extractors.records import Event, Figure, Tagging
from storage.db import double_literals, insert_rows, text_literals

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


def figure_values(con: duckdb.DuckDBPyConnection, article_ids: list[str]) -> dict[str, set[tuple[str, float, float, str]]]:
    """Article id → (category, low, high, stance) of every figure stored for it, in one query
    (inlined literals: DuckDB answers them from the article_id index)."""
    values: dict[str, set[tuple[str, float, float, str]]] = {a: set() for a in article_ids}
    if article_ids:
        for aid, c, lo, hi, st in con.execute(
                "SELECT article_id, category, low, high, stance FROM store.figures"
                f" WHERE article_id IN ({text_literals(sorted(set(article_ids)))})").fetchall():
            values[aid].add((c, lo, hi, st))
    return values


@dataclass(frozen=True)
class ArticleTagging:
    """One article's tagging to store, with the date its figures default to."""

    article_id: str
    tagging: Tagging
    article_date: date | None


def save_taggings(con: duckdb.DuckDBPyConnection, items: list[ArticleTagging], *, now: datetime, seed: bool,
                  event_window_days: int, lexicon: str = "") -> list[SavedClaims]:
    """Store each article's tagging once (an article already tagged is left as it is), one
    SavedClaims per item. Each figure's and event's novelty depends on everything stored before
    it, this batch's earlier items included: what the store knows is read in a few queries for the
    whole batch (``_Known``), each claim is decided in order in memory, then all are written in
    one statement per table. (One look-up and one insert per claim cost about 4 ms each, as much
    as the rest of an article's saving.)"""
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
    claimed = [new and i.tagging.relevant for i, new in zip(items, is_fresh)]
    known = _Known.read(con, [i for i, c in zip(items, claimed) if c], event_window_days)
    rows = _ClaimRows(now, SEED_BASELINE if seed else None)
    results = [_decide(i, known, rows, event_window_days) if c else SavedClaims(0, 0, 0, 0, 0)
               for i, c in zip(items, claimed)]
    rows.insert(con)
    return results


@dataclass
class _Known:
    """What novelty needs of the stored figures and events, for one batch's claims, kept up to
    date as the batch's claims are decided (in seq order, as they are stored)."""

    by_value: dict[tuple[str, float, float, str], list[PriorFigure]]  # (category, low, high, stance)
    latest: dict[tuple[str, str], PriorFigure]  # (category, claimant) → their latest figure
    events: dict[str, list[tuple[str, date | None, int]]]  # type → (id, date, seq) in or near the batch's dates
    first_event: dict[str, tuple[str, int]]  # type → its earliest event (id, seq), for undated events
    taken: set[str]  # figure and event ids already stored: inserting them again does nothing
    next_seq: list[int]  # the claim_seq values of the batch's claims, in order

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, items: list[ArticleTagging], window_days: int) -> _Known:
        known = cls({}, {}, {}, {}, set(), [])
        known._read_figures(con, [f for i in items for f in i.tagging.figures])
        known._read_events(con, [(e.type, e.date or i.article_date) for i in items for e in i.tagging.events],
                           window_days)
        claim_ids = [_figure_id(i.article_id, f) for i in items for f in i.tagging.figures]
        claim_ids += [_event_id(i.article_id, e) for i in items for e in i.tagging.events]
        if claim_ids:
            listed = text_literals(sorted(set(claim_ids)))
            known.taken = {r[0] for r in con.execute(
                f"SELECT id FROM store.figures WHERE id IN ({listed}) UNION ALL"
                f" SELECT id FROM store.events WHERE id IN ({listed})").fetchall()}
            # One value per claim, in the order the claims are stored (as one nextval per insert gave).
            known.next_seq = sorted(r[0] for r in con.execute(
                "SELECT nextval('store.claim_seq') FROM range(?)", [len(claim_ids)]).fetchall())[::-1]
        return known

    def _read_figures(self, con: duckdb.DuckDBPyConnection, figures: list[Figure]) -> None:
        """The stored figures with a value of the batch, and each claimant's latest of a category.
        Literal IN lists on one column: DuckDB scans that column once, where a look-up per figure
        scanned the table each time (DuckDB does not use the (category, low, high) index for it)."""
        if not figures:
            return
        lows = double_literals(sorted({f.low for f in figures}))
        values = {(f.category, f.low, f.high, f.stance) for f in figures}
        for fid, low, high, stance, claimant, seq, category in con.execute(
                "SELECT id, low, high, stance, attribution, seq, category FROM store.figures"
                f" WHERE low IN ({lows}) ORDER BY seq").fetchall():
            if (category, low, high, stance) in values:
                self.by_value.setdefault((category, low, high, stance), []).append(
                    PriorFigure(fid, low, high, stance, claimant, seq))
        pairs = {(f.category, f.attribution) for f in figures if f.attribution}
        if not pairs:
            return
        for category, claimant, fid, low, high, stance, seq in con.execute(
                "SELECT category, attribution, arg_max(id, seq), arg_max(low, seq), arg_max(high, seq),"
                " arg_max(stance, seq), max(seq) FROM store.figures"
                f" WHERE attribution IN ({text_literals(sorted({a for _, a in pairs}))})"
                f" AND category IN ({text_literals(sorted({c for c, _ in pairs}))}) GROUP BY ALL").fetchall():
            if (category, claimant) in pairs:
                self.latest[(category, claimant)] = PriorFigure(fid, low, high, stance, claimant, seq)

    def _read_events(self, con: duckdb.DuckDBPyConnection, events: list[tuple[str, date | None]],
                     window_days: int) -> None:
        """For dated events, the stored events of their types that are undated or within the
        window of the batch's dates; for undated ones, the earliest event of their type. (All of
        them: a look-up per event read the first 100 by seq, and behind 100 undated events it
        missed a dated one in the window and called a repeat new.)"""
        dated = [when for _, when in events if when is not None]
        if dated:
            types = text_literals(sorted({t for t, when in events if when is not None}))
            for eid, etype, when, seq in con.execute(
                    f"SELECT id, type, date, seq FROM store.events WHERE type IN ({types})"
                    " AND (date IS NULL OR date BETWEEN ?::DATE - ?::INTEGER AND ?::DATE + ?::INTEGER) ORDER BY seq",
                    [min(dated), window_days, max(dated), window_days]).fetchall():
                self.events.setdefault(etype, []).append((eid, when, seq))
        undated = sorted({t for t, when in events if when is None})
        if undated:
            for etype, eid, seq in con.execute(
                    "SELECT type, arg_min(id, seq), min(seq) FROM store.events"
                    f" WHERE type IN ({text_literals(undated)}) GROUP BY type").fetchall():
                self.first_event[etype] = (eid, seq)

    def figure_priors(self, f: Figure) -> list[PriorFigure]:
        """The earlier figures that decide ``f``'s novelty: those with its value, and its claimant's
        latest of its category."""
        same = self.by_value.get((f.category, f.low, f.high, f.stance), [])
        latest = self.latest.get((f.category, f.attribution)) if f.attribution else None
        return same + [latest] if latest else list(same)

    def add_figure(self, f: Figure, prior: PriorFigure) -> None:
        self.by_value.setdefault((f.category, f.low, f.high, f.stance), []).append(prior)
        if f.attribution:
            self.latest[(f.category, f.attribution)] = prior

    def event_verdict(self, etype: str, when: date | None, window_days: int) -> tuple[bool, str | None]:
        """(is new, the earlier event it repeats) for an event of ``etype`` on ``when``."""
        if when is None:
            first = self.first_event.get(etype)
            return first is None, (first[0] if first else None)
        earlier = self.events.get(etype, [])
        fresh = is_new_event(when, [d for _, d, _ in earlier], window_days)
        first = None if fresh else next((i for i, d, _ in earlier if d is None or abs((d - when).days) <= window_days),
                                        None)
        return fresh, first

    def add_event(self, etype: str, eid: str, when: date | None, seq: int) -> None:
        self.events.setdefault(etype, []).append((eid, when, seq))
        if etype not in self.first_event:
            self.first_event[etype] = (eid, seq)


def _figure_id(article_id: str, f: Figure) -> str:
    return _id(article_id, f.category, f.low, f.high, f.start)


def _event_id(article_id: str, e: Event) -> str:
    return _id(article_id, e.type, e.start)


@dataclass
class _ClaimRows:
    """The batch's figures and events, written in one statement per table."""

    now: datetime
    digest: str | None
    figures: list[tuple[object, ...]] = field(default_factory=list)
    events: list[tuple[object, ...]] = field(default_factory=list)

    def insert(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.figures:
            insert_rows(con, "store.figures", _FIGURE_COLUMNS, self.figures)
        if self.events:
            insert_rows(con, "store.events", _EVENT_COLUMNS, self.events)


_FIGURE_COLUMNS = (("id", "TEXT"), ("article_id", "TEXT"), ("category", "TEXT"), ("low", "DOUBLE"), ("high", "DOUBLE"),
                   ("approximate", "BOOLEAN"), ("qualifier", "TEXT"), ("stance", "TEXT"), ("attribution", "TEXT"),
                   ("as_of", "DATE"), ("quote", "TEXT"), ("start_offset", "INTEGER"), ("end_offset", "INTEGER"),
                   ("seen_at", "TIMESTAMPTZ"), ("seq", "BIGINT"), ("novelty", "TEXT"), ("first_seen_id", "TEXT"),
                   ("revises_id", "TEXT"), ("digest_id", "TEXT"))
_EVENT_COLUMNS = (("id", "TEXT"), ("article_id", "TEXT"), ("type", "TEXT"), ("date", "DATE"), ("dated", "BOOLEAN"),
                  ("quote", "TEXT"), ("start_offset", "INTEGER"), ("end_offset", "INTEGER"), ("seen_at", "TIMESTAMPTZ"),
                  ("seq", "BIGINT"), ("is_new", "BOOLEAN"), ("first_seen_id", "TEXT"), ("digest_id", "TEXT"))


def _decide(item: ArticleTagging, known: _Known, rows: _ClaimRows, event_window_days: int) -> SavedClaims:
    """Classify one article's figures, then its events, against the store and the batch so far."""
    new = corroborations = 0
    for f in item.tagging.figures:
        verdict = classify_figure(f.low, f.high, f.stance, f.attribution, known.figure_priors(f))
        fid, seq = _figure_id(item.article_id, f), known.next_seq.pop()
        if fid not in known.taken:  # an id stored before keeps its row (the insert does nothing)
            known.taken.add(fid)
            known.add_figure(f, PriorFigure(fid, f.low, f.high, f.stance, f.attribution, seq))
        rows.figures.append((fid, item.article_id, f.category, f.low, f.high, f.approximate, f.qualifier, f.stance,
                             f.attribution, f.as_of or item.article_date, f.quote, f.start, f.end, rows.now, seq,
                             verdict.novelty, verdict.first_seen_id or fid, verdict.revises_id, rows.digest))
        new += verdict.novelty in ("new", "revision")
        corroborations += verdict.novelty == "corroboration"
    new_events = 0
    for e in item.tagging.events:
        when = e.date or item.article_date
        fresh, first = known.event_verdict(e.type, when, event_window_days)
        eid, seq = _event_id(item.article_id, e), known.next_seq.pop()
        if eid not in known.taken:
            known.taken.add(eid)
            known.add_event(e.type, eid, when, seq)
        rows.events.append((eid, item.article_id, e.type, when, e.date is not None, e.quote, e.start, e.end, rows.now,
                            seq, fresh, first or eid, rows.digest))
        new_events += fresh
    return SavedClaims(len(item.tagging.figures), new, corroborations, len(item.tagging.events), new_events)
