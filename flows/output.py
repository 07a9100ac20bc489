"""Printing rows for people (aligned tables) and for programs (CSV, JSON lines)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

MAX_CELL = 60


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value


def _cell(value: Any, width: int = MAX_CELL) -> str:
    if value is None:
        return ""
    text = str(_plain(value)).replace("\n", " ⏎ ")
    return text if len(text) <= width else text[: width - 1] + "…"


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], max_cell: int = MAX_CELL) -> str:
    """Aligned columns, long text cut with an ellipsis, numbers right-aligned."""
    cells = [[_cell(v, max_cell) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row[i], (int, float, Decimal)) or row[i] is None for row in rows) and rows
               for i in range(len(columns))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if numeric[i] else v.ljust(w)
                         for i, (v, w) in enumerate(zip(values, widths))).rstrip()

    out = [line(list(columns)), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def csv_text(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[_plain(v) for v in row] for row in rows])
    return buf.getvalue().rstrip("\n")


def json_lines(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return "\n".join(json.dumps({c: _plain(v) for c, v in zip(columns, row)}, ensure_ascii=False, default=str)
                     for row in rows)


FORMATS = {"table": table, "csv": csv_text, "json": json_lines}


def run_summary(summary: dict[str, Any]) -> str:
    """The lines `nkwatch run` prints at the end of a cycle."""
    lines = []
    for feed in summary["feeds"]:
        mark = {"ok": "ok", "not_modified": "unchanged", "failed": "FAILED", "skipped": "skipped"}[feed["outcome"]]
        detail = f"{feed['entries']} entries" if feed["outcome"] == "ok" else (feed["error"] or "")
        if feed.get("warning"):
            detail += f" (warning: {feed['warning']})"
        lines.append(f"  {mark:<9} {feed['name']}" + (f": {detail}" if detail else ""))
    lines.append(
        f"feeds: {summary['feeds_ok']} ok, {summary['feeds_failed']} failed, {summary['feeds_skipped']} skipped"
        f" | entries seen: {summary['entries_seen']} | pages read: {summary['pages_read']}"
    )
    lines.append(
        f"new articles: {summary['new_articles']} | new versions: {summary['new_versions']}"
        f" | duplicates: {summary['duplicates']} | already stored: {summary['already_stored']}"
        f" | unreadable: {summary['unreadable']}"
        + (f" | seeds loaded: {summary['seeds_loaded']}" if summary.get("seeds_loaded") else "")
    )
    lines.append(f"new figures: {summary.get('new_figures', 0)} | new events: {summary.get('new_events', 0)}"
                 + (f" | digest written: {summary['digest']}" if summary.get("digest") else "")
                 + "".join(f" | {'sent to' if d['ok'] else 'FAILED'} {d['target']}" for d in summary.get("deliveries", [])))
    for failure in summary.get("failures", [])[:10]:
        lines.append(f"  unreadable: {failure}")
    lines.append(f"done in {summary['seconds']:.1f} s")
    return "\n".join(lines)
