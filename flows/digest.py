"""Rendering a digest: plain text, Markdown, HTML email and Slack mrkdwn. Pure functions of
DigestContent; nothing here reads the store or sends anything."""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from extractors.records import value_text as format_value
from storage.outbox import DigestContent, DigestEvent, DigestFigure

SLACK_LIMIT = 3900  # Slack truncates long messages and refuses > 40,000 chars; keep one readable message

CATEGORY_NAMES = {
    "troops_deployed": "Troops deployed", "killed": "Killed", "wounded": "Wounded",
    "casualties": "Casualties (killed, wounded, missing)", "captured": "Captured", "missing": "Missing",
    "shells": "Shells", "missiles": "Missiles", "artillery": "Artillery", "rocket_launchers": "Rocket launchers",
    "workers": "Workers", "sappers": "Sappers", "ammo_share_percent": "Share of Russia's ammunition",
    "duration_days": "Duration (days)", "other": "Other",
}
EVENT_NAMES = {
    "deployment": "Deployment", "reinforcement": "Reinforcement", "casualties_acknowledged": "Casualties acknowledged",
    "ceremony_award": "Ceremony / award", "return_withdrawal": "Return / withdrawal", "capture": "Capture of soldiers",
    "weapons_transfer": "Weapons transfer", "treaty_summit_visit": "Treaty / summit / visit",
    "engineering": "Engineering / mine clearing / reconstruction",
}


def value_text(f: DigestFigure) -> str:
    """'about 12,000', '25,000–30,000', 'up to 40%'; a vague quantity is shown in its own words."""
    return format_value(f.low, f.high, f.category, f.qualifier)


def figure_line(f: DigestFigure) -> str:
    """'about 2,000 — NIS, as of 2025-09-01 (planned)' — value, claimant, date, stance."""
    parts = [value_text(f)]
    parts.append(f"— {f.attribution or 'unattributed'}")
    if f.as_of:
        parts.append(f"as of {f.as_of.isoformat()}")
    if f.stance != "fact":
        parts.append(f"({f.stance})")
    if f.revises:
        parts.append(f"[revises {f.revises}]")
    return " ".join(parts[:2]) + (", " + " ".join(parts[2:]) if parts[2:] else "")


def title_for(content: DigestContent, now: datetime) -> str:
    if not content.has_news:
        return f"nkwatch: all quiet ({now:%Y-%m-%d})"
    bits = []
    if content.figures:
        bits.append(f"{len(content.figures)} new figure{'s' if len(content.figures) != 1 else ''}")
    if content.events:
        bits.append(f"{len(content.events)} new event{'s' if len(content.events) != 1 else ''}")
    return f"nkwatch: {', '.join(bits)} ({now:%Y-%m-%d})"


def _by_category(figures: Iterable[DigestFigure]) -> dict[str, list[DigestFigure]]:
    groups: dict[str, list[DigestFigure]] = defaultdict(list)
    for f in figures:
        groups[f.category].append(f)
    return dict(groups)


def _numbers(c: DigestContent, digest_id: str = "") -> str:
    return (f"{c.runs} run(s), {c.articles_scanned} feed entries scanned, {c.duplicates_skipped} duplicate(s) skipped"
            + (f" since {c.since:%Y-%m-%d %H:%M} UTC" if c.since else "")
            + (f" · digest {digest_id}" if digest_id else ""))


def _event_line(e: DigestEvent) -> str:
    return f"{EVENT_NAMES.get(e.type, e.type)}" + (f" ({e.date.isoformat()})" if e.date else "")


def render_text(c: DigestContent, now: datetime, digest_id: str = "") -> str:
    out = [title_for(c, now), ""]
    for cat, figs in _by_category(c.figures).items():
        out.append(CATEGORY_NAMES.get(cat, cat).upper())
        for f in figs:
            out += [f"  * {figure_line(f)}", f"    \"{f.quote}\"", f"    {f.outlet}: {f.url}"]
        out.append("")
    if c.events:
        out.append("NEW EVENTS")
        for e in c.events:
            out += [f"  * {_event_line(e)}", f"    \"{e.quote}\"", f"    {e.outlet}: {e.url}"]
        out.append("")
    if c.corroborations:
        out.append("CORROBORATIONS (known figures, new claimant)")
        for f in c.corroborations:
            out += [f"  * {CATEGORY_NAMES.get(f.category, f.category)}: {figure_line(f)}", f"    {f.url}"]
        out.append("")
    if c.sources:
        out.append("SOURCES NEEDING ATTENTION")
        out += [f"  * {name}: {problem}" for name, problem in c.sources]
        out.append("")
    out.append(_numbers(c, digest_id))
    return "\n".join(out).strip() + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("[", "\\[").replace("]", "\\]")


def render_markdown(c: DigestContent, now: datetime, digest_id: str = "") -> str:
    out = [f"# {_md(title_for(c, now))}", ""]
    if c.figures:
        out.append("## New figures")
        for cat, figs in _by_category(c.figures).items():
            out += ["", f"### {CATEGORY_NAMES.get(cat, cat)}", ""]
            for f in figs:
                out.append(f"- **{_md(value_text(f))}** — {_md(figure_line(f).split(' — ', 1)[1])}"
                           f" — [{_md(f.outlet or 'article')}]({f.url})")
                out.append(f"  > {_md(f.quote)}")
        out.append("")
    if c.events:
        out += ["## New events", ""]
        for e in c.events:
            out.append(f"- **{_md(_event_line(e))}** — [{_md(e.outlet or 'article')}]({e.url})")
            out.append(f"  > {_md(e.quote)}")
        out.append("")
    if c.corroborations:
        out += ["## Corroborations", ""]
        out += [f"- {_md(CATEGORY_NAMES.get(f.category, f.category))}: {_md(figure_line(f))} — [source]({f.url})"
                for f in c.corroborations]
        out.append("")
    if c.sources:
        out += ["## Sources needing attention", ""]
        out += [f"- **{_md(name)}**: {_md(problem)}" for name, problem in c.sources]
        out.append("")
    out.append(f"_{_md(_numbers(c, digest_id))}_")
    return "\n".join(out) + "\n"


def render_html(c: DigestContent, now: datetime, digest_id: str = "") -> str:
    e = html.escape
    out = ["<!doctype html><html><body style=\"font-family: sans-serif; max-width: 720px\">",
           f"<h1 style=\"font-size: 1.3em\">{e(title_for(c, now))}</h1>"]
    if c.figures:
        out.append("<h2 style=\"font-size: 1.15em\">New figures</h2>")
        for cat, figs in _by_category(c.figures).items():
            out.append(f"<h3 style=\"font-size: 1em\">{e(CATEGORY_NAMES.get(cat, cat))}</h3><ul>")
            for f in figs:
                out.append(f"<li><b>{e(value_text(f))}</b> — {e(figure_line(f).split(' — ', 1)[1])}"
                           f" — <a href=\"{e(f.url)}\">{e(f.outlet or f.title or 'article')}</a>"
                           f"<blockquote style=\"color: #444\">{e(f.quote)}</blockquote></li>")
            out.append("</ul>")
    if c.events:
        out.append("<h2 style=\"font-size: 1.15em\">New events</h2><ul>")
        for ev in c.events:
            out.append(f"<li><b>{e(_event_line(ev))}</b> — <a href=\"{e(ev.url)}\">{e(ev.outlet or 'article')}</a>"
                       f"<blockquote style=\"color: #444\">{e(ev.quote)}</blockquote></li>")
        out.append("</ul>")
    if c.corroborations:
        out.append("<h2 style=\"font-size: 1.15em\">Corroborations</h2><ul>")
        out += [f"<li>{e(CATEGORY_NAMES.get(f.category, f.category))}: {e(figure_line(f))} — "
                f"<a href=\"{e(f.url)}\">source</a></li>" for f in c.corroborations]
        out.append("</ul>")
    if c.sources:
        out.append("<h2 style=\"font-size: 1.15em\">Sources needing attention</h2><ul>")
        out += [f"<li><b>{e(name)}</b>: {e(problem)}</li>" for name, problem in c.sources]
        out.append("</ul>")
    out.append(f"<p style=\"color: #666\"><i>{e(_numbers(c, digest_id))}</i></p></body></html>")
    return "\n".join(out)


def _slack(text: str) -> str:
    """Text for a mrkdwn line. apprise's Slack plugin escapes & < > itself and then restores
    <url|label> links, so only the characters that would break our own link syntax are changed."""
    return text.replace("|", "¦").replace("<", "‹").replace(">", "›")


def render_slack(c: DigestContent, now: datetime, limit: int = SLACK_LIMIT, digest_id: str = "") -> str:
    """Slack mrkdwn: *bold*, <url|label> links, > quotes; cut at ``limit`` (escaping by apprise adds a
    few characters, far below Slack's 40,000) with a count of what was left out."""
    lines = [f"*{_slack(title_for(c, now))}*"]
    items: list[str] = []
    for cat, figs in _by_category(c.figures).items():
        items.append(f"*{_slack(CATEGORY_NAMES.get(cat, cat))}*")
        items += [f"• *{_slack(value_text(f))}* — {_slack(figure_line(f).split(' — ', 1)[1])} "
                  f"<{f.url}|{_slack(f.outlet or 'article')}>\n> {_slack(f.quote[:280])}" for f in figs]
    if c.events:
        items.append("*New events*")
        items += [f"• {_slack(_event_line(e))} <{e.url}|{_slack(e.outlet or 'article')}>" for e in c.events]
    if c.corroborations:
        items.append("*Corroborations*")
        items += [f"• {_slack(CATEGORY_NAMES.get(f.category, f.category))}: {_slack(figure_line(f))} <{f.url}|source>"
                  for f in c.corroborations]
    if c.sources:
        items.append("*Sources needing attention*")
        items += [f"• {_slack(name)}: {_slack(problem)}" for name, problem in c.sources]
    footer = f"_{_slack(_numbers(c, digest_id))}_"
    used = len(lines[0]) + len(footer) + 2
    for i, item in enumerate(items):
        more = f"…and {len(items) - i} more line(s): see the email digest or `nkwatch digest --dry-run`"
        if used + len(item) + 1 + len(more) + 1 > limit:
            lines.append(more)
            break
        lines.append(item)
        used += len(item) + 1
    lines.append(footer)
    return "\n".join(lines)


def render_all(c: DigestContent, now: datetime, digest_id: str = "") -> tuple[str, dict[str, str]]:
    return title_for(c, now), {"text": render_text(c, now, digest_id), "markdown": render_markdown(c, now, digest_id),
                               "html": render_html(c, now, digest_id),
                               "slack": render_slack(c, now, digest_id=digest_id)}
