"""`nkwatch search`: ranked articles with the sentence that matches best."""

from __future__ import annotations

import re
from pathlib import Path

from storage.query import open_for_reading
from storage.search import Hit, has_index, search

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_WORD = re.compile(r"\w+")


def best_sentence(text: str, query: str, width: int = 240) -> str:
    """The sentence sharing the most query words (by prefix, so 'sapper' finds 'sappers')."""
    terms = [t.lower() for t in _WORD.findall(query) if len(t) > 1]
    best, best_score = "", 0
    for match in _SENTENCE.finditer(text):
        sentence = match.group().strip()
        words = [w.lower() for w in _WORD.findall(sentence)]
        score = sum(any(w.startswith(t[:5]) for w in words) for t in terms)
        if score > best_score:
            best, best_score = sentence, score
    best = best or text.strip().split("\n", 1)[0]
    return best if len(best) <= width else best[: width - 1] + "…"


def run_search(store: Path, query: str, limit: int) -> tuple[list[tuple[Hit, str]], str | None]:
    con, note = open_for_reading(store)
    try:
        if not has_index(con):
            return [], (note or "") + "\nno search index in this store yet: `nkwatch run` adds it"
        hits = search(con, query, limit)
    finally:
        con.close()
    return [(h, best_sentence(h.text, query)) for h in hits], note


def render(results: list[tuple[Hit, str]]) -> str:
    if not results:
        return "no matching article"
    out = []
    for i, (hit, sentence) in enumerate(results, 1):
        when = hit.published.date().isoformat() if hit.published else "undated"
        out.append(f"{i}. {hit.title}  [{when} · {hit.outlet} · score {hit.score:.2f}]")
        out.append(f"   {sentence}")
        out.append(f"   {hit.url}")
    return "\n".join(out)
