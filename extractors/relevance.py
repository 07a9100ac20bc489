"""Is a text about North Korea's part in Russia's war?

Two kinds of near misses dominate a news feed on this topic: North Korea news with no Russian war
in it (a missile test, a party plenum) and war news with no North Korea in it. Neither is enough
alone, so the score rests on *link sentences*: one sentence naming North Korea together with the
war or Russia and a word that ties them (troops, shells, deployed, Kursk ...). A passing remark in
an otherwise unrelated article ("Pyongyang, which has sent troops to Russia, fired a missile") gives
one such sentence; an article on the topic gives several, usually from its first lines. The war is
named by its places and words or by Russia and Ukraine (``war_sides``), never by "both sides" or
American troops alone, so the Korean War and US forces in Korea do not link.

A feature tells its story in sentences that name North Korea and its soldiers without repeating
the war ("North Korea has never said how many of its soldiers died"). Once one link sentence is
found, each such sentence counts half a link.
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors.lexicon import Lexicon
from extractors.sentences import Sentence

_LEAD_SENTENCES = 3  # the headline and first sentences say what an article is about
_MAX_EVIDENCE = 8


@dataclass(frozen=True)
class Relevance:
    relevant: bool
    score: float  # 0..1
    evidence: tuple[str, ...]  # the terms of the link sentences; without one, the North Korea and war terms found
    link_sentences: tuple[int, ...]  # indexes into the sentence list


def judge(text: str, sentences: list[Sentence], lexicon: Lexicon) -> Relevance:
    """Score the text; relevant when the score reaches the lexicon's ``min_score``.

    score = 0.45 * min(1, (links + half links / 2) / 2) + 0.2 * min(1, NK sentences / 3)
            + 0.15 * min(1, war sentences / 2) + 0.2 * (a link sentence among the first three)
    """
    links: list[int] = []
    half_links = 0  # sentences naming North Korea with a link word but not the war
    nk_count = war_count = 0
    evidence: list[str] = []
    found: list[str] = []  # every North Korea and war term, the evidence when no sentence links them
    # Most texts of a news feed never name North Korea: one search of the whole text spares them
    # the per-sentence North Korea searches (their score then rests on war sentences alone).
    names_nk = lexicon.north_korea.search(text) is not None
    for i, sentence in enumerate(sentences):
        nk = [m.group() for m in lexicon.north_korea.finditer(text, sentence.start, sentence.end)] if names_nk else []
        war = [m.group() for m in lexicon.russia_war.finditer(text, sentence.start, sentence.end)]
        nk_count += bool(nk)
        war_count += bool(war)
        found += nk + war
        if not nk:
            continue
        sides = [m.group() for m in lexicon.war_sides.finditer(text, sentence.start, sentence.end)]
        link = [m.group() for m in lexicon.link.finditer(text, sentence.start, sentence.end)]
        if link and (war or sides):
            links.append(i)
            evidence += nk + war + sides + link
        elif link:
            half_links += 1
    lead = any(i < _LEAD_SENTENCES for i in links)
    linked = len(links) + half_links / 2 if links else 0
    score = (0.45 * min(1.0, linked / 2) + 0.2 * min(1.0, nk_count / 3)
             + 0.15 * min(1.0, war_count / 2) + 0.2 * lead)
    score = round(score, 3)
    relevant = bool(links) and score >= lexicon.min_score
    return Relevance(relevant, score, _distinct(evidence if links else found), tuple(links))


def _distinct(terms: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for term in terms:
        seen.setdefault(" ".join(term.split()).lower(), None)
    return tuple(seen)[:_MAX_EVIDENCE]
