"""Dates written in a sentence, resolved against the article's date.

A figure is true *as of* some date ("as of April, 15,000 fighters"), and an event happened on one.
News rarely writes full dates: "in April", "last year", "on Friday", "in the fall of 2024". A month
without a year is taken in the article's year unless that would put it after the article, in which
case it is the year before. Without an article date, only dates that name their year are resolved.
A month, season or year stands for its first day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {name: i + 1 for i, name in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTHS |= {name[:3]: n for name, n in _MONTHS.items()} | {"sept": 9}
_MONTH = (r"(?P<month>(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?)(?![\w])")
_YEAR = r"(?P<year>(?:19|20)\d\d)(?![\d\w])"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
_PARTS = {"early": 1, "beginning of": 1, "start of": 1, "first half of": 1, "mid": 6, "middle of": 6,
          "second half of": 7, "late": 10, "end of": 12}
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()

# Most specific first: a later pattern may not overlap an earlier match.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("month_day", re.compile(rf"{_MONTH}\s+{_DAY}(?!\d)(?:,?\s+(?:of\s+)?{_YEAR})?")),
    ("day_month", re.compile(rf"(?<!\d){_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?")),
    ("month_year", re.compile(rf"{_MONTH},?\s+(?:of\s+)?{_YEAR}")),
    ("season", re.compile(rf"(?i:(?P<season>spring|summer|fall|autumn|winter))\s+(?:of\s+)?{_YEAR}")),
    ("part_year", re.compile(rf"(?i:(?P<part>early|beginning of|start of|first half of|mid|middle of|"
                             rf"second half of|late|end of))[\s-]+{_YEAR}")),
    ("month", re.compile(rf"(?i:\b(?:in|as of|since|by|until|from|on|during|through|early|late|mid-?|"
                         rf"end of|beginning of|start of)\s+(?:early\s+|late\s+|mid-?)?){_MONTH}")),
    ("year", re.compile(rf"(?i:\b(?:in|since|by|of|during|throughout|until|as of|from)\s+){_YEAR}")),
    ("relative", re.compile(r"(?i:\b(?P<rel>last\s+year|this\s+year|last\s+month|this\s+month|"
                            r"yesterday|today|last\s+week)\b)")),
    ("weekday", re.compile(r"\b(?i:on\s+)?(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
)
_AS_OF = re.compile(r"(?i:\bas\s+of\s+(?:the\s+)?(?:end\s+of\s+|early\s+|late\s+|mid-?)?)$")


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    value: date
    as_of: bool  # written "as of ...": the date a count refers to, not when it was said


def find_dates(text: str, published: date | None, start: int = 0, end: int | None = None) -> list[DateMention]:
    """The dates written in ``text[start:end]``, in order of appearance."""
    end = len(text) if end is None else end
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text, start, end):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            value = _resolve(kind, m, published)
            if value is None:
                continue
            taken.append((m.start(), m.end()))
            as_of = bool(_AS_OF.search(text, max(start, m.start() - 20), m.start())) or "as of" in m.group().lower()
            found.append(DateMention(m.start(), m.end(), value, as_of))
    return sorted(found, key=lambda d: d.start)


def _resolve(kind: str, m: re.Match[str], published: date | None) -> date | None:
    groups = m.groupdict()
    year = int(groups["year"]) if groups.get("year") else None
    if kind in ("month_day", "day_month", "month_year", "month"):
        month = _MONTHS[groups["month"].rstrip(".").lower()]
        day = int(groups["day"]) if groups.get("day") else 1
        if not 1 <= day <= 31:
            return None
        return _safe_date(year, month, day, published)
    if kind == "season":
        return _safe_date(year, _SEASONS[groups["season"].lower()], 1, published)
    if kind == "part_year":
        return _safe_date(year, _PARTS[" ".join(groups["part"].lower().split())], 1, published)
    if kind == "year":
        return date(year, 1, 1) if year else None
    if published is None:
        return None
    if kind == "weekday":
        back = (published.weekday() - _WEEKDAYS.index(groups["weekday"].lower())) % 7
        return published - timedelta(days=back)
    rel = " ".join(groups["rel"].lower().split())
    return {
        "last year": date(published.year - 1, 1, 1),
        "this year": date(published.year, 1, 1),
        "this month": published.replace(day=1),
        "last month": (published.replace(day=1) - timedelta(days=1)).replace(day=1),
        "yesterday": published - timedelta(days=1),
        "today": published,
        "last week": published - timedelta(days=7),
    }[rel]


def _safe_date(year: int | None, month: int, day: int, published: date | None) -> date | None:
    """The date, with the year inferred from ``published`` so that it is not after the article."""
    if year is None:
        if published is None:
            return None
        year = published.year
        if (month, day) > (published.month, published.day):
            year -= 1
    try:
        return date(year, month, day)
    except ValueError:
        return None
