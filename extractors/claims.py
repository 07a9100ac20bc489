"""How a number is claimed: who says it (attribution) and whether as fact, plan or denial (stance).

Coverage of this war is mostly estimates relayed from intelligence services, officials and state
media, and they disagree; a figure without its claimant cannot be weighed. The claimant is not the
outlet that carries the story: a name counts as a source only with a reporting word next to it
("the NIS said", "according to Seoul's spy agency"), so "fighting for Vladimir Putin" or a
"(Yonhap)" signature does not make one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.lexicon import Lexicon
from extractors.sentences import Sentence

_WORDS_AFTER = 9  # a reporting verb may stand this many words after the claimant ("Budanov, head of ..., said")
_CONTRAST = re.compile(r"\b(?i:but|however|although|though|whereas)\b|;")
# A claimant right after one of these is an object, not a speaker: "to battle for Vladimir Putin".
_OBJECT = re.compile(r"\b(?i:for|to|against|with|on|at|about|from|into|toward|towards|than)\s+(?:the\s+)?$")
_STANCE_BEFORE = 160  # characters before the number searched for a stance cue
_STANCE_AFTER = 60


@dataclass(frozen=True)
class Source:
    start: int
    end: int
    claimant: str  # canonical name


def sources(text: str, sentence: Sentence, lexicon: Lexicon) -> list[Source]:
    """The claimants of ``sentence`` that are named as the source of what it says."""
    found = []
    for m in lexicon.claimants.finditer(text, sentence.start, sentence.end):
        after = _first_words(text, m.end(), sentence.end, _WORDS_AFTER)
        before = text[max(sentence.start, m.start() - 40):m.start()]
        if _ends_with(lexicon, before) or (lexicon.reporting_after.search(after) and not _OBJECT.search(before)):
            found.append(Source(m.start(), m.end(), lexicon.claimants.label(m)))
    return found


def attribution(text: str, sentences: list[Sentence], index: int, position: int, lexicon: Lexicon) -> str:
    """The claimant of a number at ``position`` in ``sentences[index]``, or "" when none is named.

    The nearest source before the number wins, then the nearest after it; a sentence naming none
    takes the source of the sentence before it in the same paragraph ("It said ...").
    """
    sentence = sentences[index]
    here = sources(text, sentence, lexicon)
    before = [s for s in here if s.end <= position]
    if before:
        return before[-1].claimant
    after = [s for s in here if s.start >= position]
    if after:
        return after[0].claimant
    if index > 0 and sentences[index - 1].paragraph == sentence.paragraph:
        previous = sources(text, sentences[index - 1], lexicon)
        if previous:
            return previous[-1].claimant
    return ""


def stance(text: str, sentence: Sentence, start: int, end: int, lexicon: Lexicon) -> str:
    """"planned", "denied" or "fact" for the number at ``text[start:end]``.

    The nearest cue wins: before the number back to a "but"/"however" (which turns the sentence),
    or just after it ("3,000 troops are expected to follow").
    """
    window = max(sentence.start, start - _STANCE_BEFORE)
    turns = list(_CONTRAST.finditer(text, window, start))
    if turns:
        window = turns[-1].end()
    cues: list[tuple[int, str]] = []
    for name, terms in (("planned", lexicon.planned), ("denied", lexicon.denied)):
        cues += [(start - m.end(), name) for m in terms.finditer(text, window, start)]
        cues += [(m.start() - end, name) for m in terms.finditer(text, end, min(sentence.end, end + _STANCE_AFTER))]
    return min(cues)[1] if cues else "fact"


def _first_words(text: str, start: int, stop: int, count: int) -> str:
    words = re.finditer(r"\S+", text[start:stop])
    end = 0
    for i, word in enumerate(words):
        if i == count:
            break
        end = word.end()
    return text[start:start + end]


def _ends_with(lexicon: Lexicon, before: str) -> bool:
    """True when ``before`` ends with "according to", "citing" ... (and perhaps "the")."""
    return any(re.fullmatch(r"[\s,]*(?:the\s+)?", before[m.end():], re.IGNORECASE)
               for m in lexicon.reporting_before.finditer(before))
