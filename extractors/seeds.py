"""The seed corpus: plain-text articles that define what is already known.

A seed file may begin with a metadata line `` date YYYY-MM-DD`` (a space, the word ``date``, the
date); the article's text follows on the same line or the next. That prefix is metadata, never
text, so it is removed before anything is hashed or tagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

_DATE_PREFIX = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})[ \t]*\n?[ \t]*")


@dataclass(frozen=True)
class SeedDocument:
    file: str  # file name, the seed's stable identity
    published: date | None
    title: str  # the first line of the text, shortened
    text: str


def split_date_line(raw: str) -> tuple[date | None, str]:
    """``(date, text)`` from a seed file's contents; ``(None, text)`` when there is no date line."""
    match = _DATE_PREFIX.match(raw)
    if not match:
        return None, raw.strip()
    try:
        published = date.fromisoformat(match.group(1))
    except ValueError:
        return None, raw.strip()
    return published, raw[match.end() :].strip()


def _title(text: str) -> str:
    """The first line of four words or more (skipping a site's section label), cut to a sentence."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    first = next((line for line in lines if len(line.split()) >= 4), lines[0] if lines else "")
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    return sentence if len(sentence) <= 160 else sentence[:157].rstrip() + "..."


def parse_seed(name: str, raw: str) -> SeedDocument:
    published, text = split_date_line(raw)
    return SeedDocument(file=name, published=published, title=_title(text), text=text)


def read_seeds(folder: Path) -> list[SeedDocument]:
    """Every ``*.txt`` in ``folder``, in name order."""
    return [parse_seed(p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]
