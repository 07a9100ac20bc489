"""Dates written in a sentence, resolved against the article's date.

A figure is true *as of* some date ("as of April, 15,000 fighters"), and an event happened on one.
News rarely writes full dates: "in April", "last year", "on Friday", "in January and February".
The conventions (those of the annotated sets):

- a day is that day; a month is its first day;
- a longer period is the first day of its last month: "in 2024" -> 2024-12-01, "January and
  February" -> February 1st, "the first three months of 2025" -> 2025-03-01, "late 2024" -> 2024-12-01;
  its start is its first month: "the start of 2025", "early 2025" -> 2025-01-01;
- a season or "this year" is too vague: the mention is found (so it is the nearest date) but its
  value is None.

A month without a year is taken in the article's year unless that would put it after the article,
in which case it is the year before. Without an article date, only dates that name their year are
resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {name: i + 1 for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}
_MONTHS |= {name[:3]: n for name, n in _MONTHS.items()} | {"sept": 9}
_MONTH = (r"(?P<month>(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?)(?![\w])")
_YEAR = r"(?P<year>(?:19|20)\d\d)(?![\d\w])"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_PARTS = {"early": 1, "beginning of": 1, "start of": 1, "first half of": 6, "mid": 6, "middle of": 6,
          "second half of": 12, "late": 12, "end of": 12}
_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "nine": 9}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

# Most specific first: a later pattern may not overlap an earlier match.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("months", re.compile(rf"{_MONTH.replace('month', 'first')}\s+(?:and|to|through|-|–)\s+{_MONTH}(?:,?\s+{_YEAR})?")),
    ("first_months", re.compile(rf"(?i:\bfirst\s+(?P<count>two|three|four|five|six|nine)\s+months\s+of)\s+{_YEAR}")),
    ("month_day", re.compile(rf"{_MONTH}\s+{_DAY}(?!\d)(?:,?\s+(?:of\s+)?{_YEAR})?")),
    ("day_month", re.compile(rf"(?<!\d){_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?")),
    ("month_year", re.compile(rf"{_MONTH},?\s+(?:of\s+)?{_YEAR}")),
    ("season", re.compile(r"(?i:\b(?:(?:last|this|that|next)\s+)?(?:spring|summer|fall|autumn|winter)"
                          r"(?:\s+(?:of\s+)?(?:19|20)\d\d)?\b)")),
    ("part_year", re.compile(rf"(?i:(?P<part>early|beginning of|start of|first half of|mid|middle of|"
                             rf"second half of|late|end of))[\s-]+{_YEAR}")),
    ("month", re.compile(rf"(?i:\b(?:in|as of|since|by|until|from|on|during|through|early|late|mid-?|"
                         rf"end of|beginning of|start of)\s+(?:early\s+|late\s+|mid-?)?){_MONTH}")),
    ("year", re.compile(rf"(?i:\b(?:in|since|by|of|during|throughout|until|as of|from|before)\s+){_YEAR}")),
    ("relative", re.compile(r"(?i:\b(?P<rel>last\s+year|this\s+year|last\s+month|this\s+month|"
                            r"yesterday|today|last\s+week|recently|in\s+recent\s+(?:weeks|months))\b)")),
    ("weekday", re.compile(r"\b(?i:on\s+)?(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
)
_VAGUE_KINDS = ("season", "relative")
_AS_OF = re.compile(r"(?i:\bas\s+of\s+(?:the\s+)?(?:end\s+of\s+|early\s+|late\s+|mid-?)?)$")


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    value: date | None  # None: a time too vague to date ("last autumn", "this year")
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
            if value is None and kind not in _VAGUE_KINDS:
                continue
            taken.append((m.start(), m.end()))
            as_of = bool(_AS_OF.search(text, max(start, m.start() - 20), m.start())) or "as of" in m.group().lower()
            found.append(DateMention(m.start(), m.end(), value, as_of))
    return sorted(found, key=lambda d: d.start)


def _resolve(kind: str, m: re.Match[str], published: date | None) -> date | None:
    groups = m.groupdict()
    year = int(groups["year"]) if groups.get("year") else None
    if kind == "season":
        return None
    if kind == "months":
        return _safe_date(year, _MONTHS[groups["month"].rstrip(".").lower()], 1, published)
    if kind == "first_months":
        return _safe_date(year, _COUNT_WORDS[groups["count"].lower()], 1, published)
    if kind in ("month_day", "day_month", "month_year", "month"):
        month = _MONTHS[groups["month"].rstrip(".").lower()]
        day = int(groups["day"]) if groups.get("day") else 1
        if not 1 <= day <= 31:
            return None
        return _safe_date(year, month, day, published)
    if kind == "part_year":
        return _safe_date(year, _PARTS[" ".join(groups["part"].lower().split())], 1, published)
    if kind == "year":
        return date(year, 12, 1) if year else None
    if published is None:
        return None
    if kind == "weekday":
        back = (published.weekday() - _WEEKDAYS.index(groups["weekday"].lower())) % 7
        return published - timedelta(days=back)
    rel = " ".join(groups["rel"].lower().split())
    return {
        "last year": date(published.year - 1, 12, 1),
        "this year": None,
        "recently": None,
        "in recent weeks": None,
        "in recent months": None,
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
