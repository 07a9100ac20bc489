"""`nkwatch report`: one self-contained HTML page of how each estimate moved, and who said it.

Per category, a plotly chart of each claimed value over time (x: the date the figure refers to),
one colour per claimant, ranges drawn as ranges (error bars from low to high); clicking a point
opens its article. Below: the table of claims and the latest events. plotly.js is inlined once, so
the file opens with no network.
"""

from __future__ import annotations

import html
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from extractors.records import value_text
from flows.digest import CATEGORY_NAMES, EVENT_NAMES
from storage.query import open_for_reading

_CLICK_JS = """
<script>
document.querySelectorAll('.plotly-graph-div').forEach(function (el) {
  el.on('plotly_click', function (ev) {
    var url = ev.points[0].customdata && ev.points[0].customdata[0];
    if (url && /^https?:/.test(url)) { window.open(url, '_blank', 'noopener'); }
  });
});
</script>
"""


def _rows(store: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str | None]:
    con, note = open_for_reading(store)
    try:
        cur = con.execute("SELECT as_of, category, low, high, approximate, qualifier, stance, claimant, outlet, url,"
                          " title, novelty, quote FROM timeline ORDER BY category, as_of NULLS LAST")
        cols = [d[0] for d in cur.description]
        claims = [dict(zip(cols, r)) for r in cur.fetchall()]
        cur = con.execute("SELECT date, type, outlet, article_url AS url, quote FROM events WHERE is_new"
                          " ORDER BY date DESC NULLS LAST LIMIT 30")
        cols = [d[0] for d in cur.description]
        events = [dict(zip(cols, r)) for r in cur.fetchall()]
    finally:
        con.close()
    return claims, events, note


def _value(c: dict[str, Any]) -> str:
    return value_text(c["low"], c["high"], c["category"], c["qualifier"])


def chart(category: str, claims: list[dict[str, Any]], include_js: bool) -> str:
    """One category's chart as an HTML fragment."""
    fig = go.Figure()
    by_claimant: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in claims:
        if c["as_of"] is not None:
            by_claimant[c["claimant"] or "unattributed"].append(c)
    for claimant, points in sorted(by_claimant.items()):
        mids = [(p["low"] + p["high"]) / 2 for p in points]
        fig.add_trace(go.Scatter(
            x=[p["as_of"] for p in points], y=mids, mode="markers", name=claimant,
            marker={"size": 10, "symbol": ["circle" if p["low"] == p["high"] else "diamond" for p in points]},
            error_y={"type": "data", "symmetric": False, "array": [p["high"] - m for p, m in zip(points, mids)],
                     "arrayminus": [m - p["low"] for p, m in zip(points, mids)], "thickness": 2, "width": 6},
            customdata=[[p["url"]] for p in points],
            hovertext=[f"{_value(p)} — {claimant}<br>{p['outlet']}<br>{html.escape(p['quote'][:140])}"
                       for p in points],
            hoverinfo="text",
        ))
    dates = [c["as_of"] for c in claims if c["as_of"] is not None]
    # At least two months of axis, so a single date does not zoom the axis to milliseconds.
    first, last = min(dates) - timedelta(days=30), max(dates) + timedelta(days=30)
    fig.update_layout(title=CATEGORY_NAMES.get(category, category), height=360,
                      margin={"l": 70, "r": 20, "t": 50, "b": 40},
                      yaxis={"title": "claimed value", "rangemode": "tozero", "tickformat": ","},
                      xaxis={"title": "as of", "type": "date", "range": [first.isoformat(), last.isoformat()]},
                      legend={"title": "claimant"}, template="plotly_white")
    return str(fig.to_html(full_html=False, include_plotlyjs=include_js, div_id=f"chart-{category}"))


def _table(claims: list[dict[str, Any]]) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(str(c['as_of'] or ''))}</td><td>{e(CATEGORY_NAMES.get(c['category'], c['category']))}</td>"
        f"<td>{e(_value(c))}</td><td>{e(c['claimant'] or '')}</td><td>{e(c['stance'])}</td>"
        f"<td>{e(c['novelty'])}</td><td><a href=\"{e(c['url'])}\">{e(c['outlet'] or 'article')}</a></td>"
        f"<td>{e(c['quote'][:200])}</td></tr>" for c in claims)
    return ("<table><thead><tr><th>as of</th><th>category</th><th>value</th><th>claimant</th><th>stance</th>"
            f"<th>novelty</th><th>source</th><th>quote</th></tr></thead><tbody>{rows}</tbody></table>")


def _events(events: list[dict[str, Any]]) -> str:
    e = html.escape
    items = "".join(f"<li><b>{e(str(ev['date'] or 'undated'))}</b> {e(EVENT_NAMES.get(ev['type'], ev['type']))} — "
                    f"<a href=\"{e(ev['url'])}\">{e(ev['outlet'] or 'article')}</a>: {e(ev['quote'][:200])}</li>"
                    for ev in events)
    return f"<ul>{items}</ul>" if items else "<p>No events yet.</p>"


def build_report(store: Path, now: datetime | None = None) -> tuple[str, dict[str, int]]:
    """The page, and how many charts/claims/events it holds."""
    now = now or datetime.now(UTC)
    claims, events, note = _rows(store)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in claims:
        groups[c["category"]].append(c)
    charted = [cat for cat in CATEGORY_NAMES if any(c["as_of"] for c in groups.get(cat, []))]
    charts = "".join(f"<section>{chart(cat, groups[cat], i == 0)}</section>" for i, cat in enumerate(charted))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nkwatch — claims over time</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}} table{{border-collapse:collapse;font-size:.85em}}
td,th{{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}} th{{background:#f4f4f4}}</style>
</head><body>
<h1>North Korea's deployment to Russia's war: claims over time</h1>
<p>Generated {now:%Y-%m-%d %H:%M} UTC from the nkwatch store{(' (' + html.escape(note) + ')') if note else ''}.
{len(claims)} claims, {len(charted)} categories charted. Each point is a claim at the date it refers to; bars
show ranges; colours are claimants; click a point to open its article.</p>
{charts or '<p>No dated claims yet.</p>'}
<h2>Latest events</h2>{_events(events)}
<h2>All claims</h2>{_table(claims)}
{_CLICK_JS}
</body></html>"""
    return page, {"charts": len(charted), "claims": len(claims), "events": len(events)}


def write_report(store: Path, out: Path) -> dict[str, int]:
    page, counts = build_report(store)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return counts
