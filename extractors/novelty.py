"""Is a claim new? The rules, as pure functions over what was stored before it.

Figures. Two figures state *the same value* when category, low, high and stance are equal. The
qualifier and the approximate flag are ignored: "about 12,000" and "12,000" are one estimate
written two ways, and telling a reader twice is noise. A range is its own value: "25,000 to
30,000" is not "30,000". Stance counts: "plans to send 30,000" then "sent 30,000" is news.
Given the earlier figures:

- no earlier figure with the same value, and the claimant has an earlier figure of the same
  category → **revision** (new; ``revises_id`` is the claimant's latest earlier figure);
- no earlier figure with the same value otherwise → **new**;
- the same value from the same claimant, or from nobody named → **repeat** of the first one;
- the same value from a claimant not seen with it before → **corroboration** (shown in a digest,
  not alerted on its own unless configured).

Events. An event is new when no earlier event of the same type falls within ``window_days`` of
its date (the stated date, else its article's date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NEW, REVISION, CORROBORATION, REPEAT = "new", "revision", "corroboration", "repeat"


@dataclass(frozen=True)
class PriorFigure:
    id: str
    low: float
    high: float
    stance: str
    attribution: str
    seq: int


@dataclass(frozen=True)
class Verdict:
    novelty: str
    first_seen_id: str | None
    revises_id: str | None = None


def classify_figure(low: float, high: float, stance: str, attribution: str,
                    earlier: list[PriorFigure]) -> Verdict:
    """``earlier``: the stored figures of the same category (any claimant, any value)."""
    same_value = sorted((p for p in earlier if (p.low, p.high, p.stance) == (low, high, stance)), key=lambda p: p.seq)
    if same_value:
        first = same_value[0].id
        if not attribution or any(p.attribution == attribution for p in same_value):
            return Verdict(REPEAT, first)
        return Verdict(CORROBORATION, first)
    if attribution:
        mine = [p for p in earlier if p.attribution == attribution]
        if mine:
            return Verdict(REVISION, None, max(mine, key=lambda p: p.seq).id)
    return Verdict(NEW, None)


def is_new_event(when: date | None, earlier_dates: list[date | None], window_days: int) -> bool:
    """``earlier_dates``: dates of the stored events of the same type (None when unknown)."""
    if when is None:
        return not earlier_dates
    return not any(d is not None and abs((d - when).days) <= window_days for d in earlier_dates)
