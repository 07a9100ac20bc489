"""The article's sentences, with their offsets, and without what is not the article.

Figures are read one sentence at a time, and a figure's quote is its sentence, so sentence
boundaries decide what a figure can see. Extracted page text also carries things that are not the
article: photo credits, "Read more:" links, and after the article reader comments and "most read"
boxes whose numbers must never become figures. The lexicon's ``boilerplate`` lists the lines that
end the article and the lines to drop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.lexicon import Lexicon

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    ["mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "sgt", "cpl", "adm", "sen", "rep", "gov", "pres", "st", "jr", "sr", "prof", "no", "vs", "approx", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e"]
)
_BOUNDARY = re.compile(r"[.!?]+[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9•–—-])|[.!?]+[\"”’)\]]*$")
_BULLET = re.compile(r"[•*·▪\-–—]\s+")
_LINE = re.compile(r"[^\n]+")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text[start:end]`` of the tagged text, and the paragraph (line) it is in."""

    start: int
    end: int
    text: str
    paragraph: int


def article_end(text: str, lexicon: Lexicon) -> int:
    """Where the article stops: at the first line that is an end marker ("Most read", "Comments").

    A marker on the very first line of text is ignored: there is no article before it to end.
    """
    seen_text = False
    for line in _LINE.finditer(text):
        stripped = line.group().strip()
        if not stripped:
            continue
        if seen_text and lexicon.end_markers.match(stripped):
            return line.start()
        seen_text = True
    return len(text)


def split_sentences(text: str, lexicon: Lexicon) -> list[Sentence]:
    """The sentences of the article body, in order; dropped lines and text after the end are left out."""
    end = article_end(text, lexicon)
    sentences: list[Sentence] = []
    paragraph = 0
    for line in _LINE.finditer(text, 0, end):
        start = line.start() + len(line.group()) - len(line.group().lstrip())
        stripped = line.group().strip()
        if not stripped:
            continue
        if lexicon.drop_lines.match(stripped):
            continue
        bullet = _BULLET.match(text, start)
        if bullet:
            start = bullet.end()
        sentences += _split_line(text, start, line.start() + len(line.group().rstrip()), paragraph)
        paragraph += 1
    return sentences


def _split_line(text: str, start: int, end: int, paragraph: int) -> list[Sentence]:
    out: list[Sentence] = []
    begin = start
    for boundary in _BOUNDARY.finditer(text, start, end):
        if _is_abbreviation(text, begin, boundary.start()):
            continue
        out.append(_sentence(text, begin, boundary.end(), paragraph))
        begin = boundary.end()
    if text[begin:end].strip():
        out.append(_sentence(text, begin, end, paragraph))
    return [s for s in out if s.text]


def _is_abbreviation(text: str, begin: int, stop: int) -> bool:
    """True when the full stop at ``stop`` closes an abbreviation or an initial ("Gen.", "N. Korea")."""
    if text[stop] != ".":
        return False
    word = _WORD_BEFORE.search(text, begin, stop + 1)
    if not word:
        return False
    token = word.group(1)
    return token.lower() in _ABBREVIATIONS or (len(token) == 1 and token.isupper())


def _sentence(text: str, start: int, end: int, paragraph: int) -> Sentence:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(start, end, text[start:end], paragraph)
