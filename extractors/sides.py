"""Whose number it is: North Korea's, or another side's (Russia's, Ukraine's).

An article on North Korean troops also reports Russian and Ukrainian losses, and only North
Korea's numbers are figures. Without a parser, the owner of a number is read from the nearest name
of a side, in this order:

1. in the noun phrase after it ("600 North Korean troops", "1,000 Russian soldiers");
2. the nearest name before it in the sentence ("North Korea sent 3,000"; "Russia has lost 5,000");
3. else the first name after it, up to a turn of the sentence ("out of 15,000 fighters, the DPRK
   had lost ..."; not "3,000 workers could follow, while Ukraine says ...");
4. else the side the previous sentences were about ("Photographs of 101 soldiers were displayed"),
   and for a headline, the side of the sentences after it ("3,000 dead, NIS says").

A name does not own a number when it is a place or a destination ("sent to Russia", "shipped to
eastern Russia", "aboard Russian ships", "Russia's war", "in Ukraine's Kursk region"), the ally
helped ("to replace Russian units"), a speaker ("Ukraine's General Staff talks about ...") or the
source of a claim ("Ukraine said", "South Korea's spy agency" is a claimant, masked before the
scan). For people, a North Korean *weapon* names the other side ("a North Korean missile killed 20
people": the 20 are not North Korea's dead), but not its crew ("North Korean artillery crews").
"""

from __future__ import annotations

import re

from extractors.claims import sources
from extractors.lexicon import PERSONNEL, Lexicon
from extractors.sentences import Sentence

NORTH_KOREA = "north_korea"
OTHER = "other"

_PREPOSITION_BEFORE = re.compile(
    r"\b(?i:to|in|into|for|with|against|from|of|on|at|toward|towards|inside|across|over|via|near|aboard|onboard|"
    r"within|throughout|help|helping|support|supporting|backing|beside|alongside|than|by|"
    r"replace|replacing|reinforce|reinforcing|relieve|relieving|join|joining|joined|assist|assisting|"  # the ally
    r"bolster|bolstering|aid|aiding)\s+(?:the\s+)?"
    r"(?i:(?:(?:far[\s-])?(?:north|south)?(?:east|west)ern|northern|southern|central)\s+)?$")  # "to eastern Russia"
_NOT_OWNER_AFTER = re.compile(
    r"\s*(?:['’ʼ]s\s+)?(?i:war|invasion|territory|soil|region|oblast|border|side|front|frontline|conflict|"
    r"full[\s-]scale|aggression|Kursk|government|officials|authorities|media|ministry|president|leader|"
    r"and\s+North\s+Korea|-North\s+Korea|-held|-occupied|-controlled)\b")
# A speaker or a source, not an owner: "Ukraine's General Staff talks about 6,000 casualties", "the
# South Korean figure is 15,000". Inside a number's noun phrase the name still owns it ("12 Russian
# intelligence officers").
_SPEAKER_AFTER = re.compile(
    r"\s*(?:['’ʼ]s\s+)?(?i:General\s+Staff|(?:military\s+)?intelligence|spy|security\s+service|"
    r"spokes(?:man|woman|person)|envoy|ambassador|embassy|minister|foreign|defen[cs]e\s+minist\w+|"
    r"figures?|estimates?|assessment|data|count|tally|report)\b")
_RECEIVER_AFTER = re.compile(r"\s+(?i:with)\b")  # "provided Russia with ..."
# A name after the number owns it only up to a turn of the sentence: in "3,000 workers could follow,
# while Ukraine says ..." Ukraine is the subject of another clause.
_CLAUSE_TURN = re.compile(r";|,\s*(?i:while|whereas|but|although|though)\b|\s(?i:while|whereas)\s")
_LOOKBACK_SENTENCES = 12
_LOOKAHEAD_SENTENCES = 2


def side_of(text: str, sentences: list[Sentence], index: int, start: int, end: int, head_end: int,
            lexicon: Lexicon, people: bool) -> str:
    """``NORTH_KOREA``, ``OTHER`` or "" for the number at ``text[start:end]`` in ``sentences[index]``.

    ``head_end`` ends the noun phrase of the number; ``people`` says the number counts people (so a
    North Korean *weapon* named before it does not make the people North Korean).
    """
    sentence = sentences[index]
    phrase = _mentions(text, end, head_end, lexicon, sentence, people=False, in_phrase=True)
    if phrase:
        sides = {side for _, side in phrase}
        return OTHER if OTHER in sides else NORTH_KOREA
    before = _mentions(text, sentence.start, start, lexicon, sentence, people)
    if before:
        return before[-1][1]
    turn = _CLAUSE_TURN.search(text, head_end, sentence.end)
    after = _mentions(text, head_end, turn.start() if turn else sentence.end, lexicon, sentence, people)
    if after:
        return after[0][1]
    return topic(text, sentences, index, lexicon)


def topic(text: str, sentences: list[Sentence], index: int, lexicon: Lexicon) -> str:
    """The side the sentences before ``sentences[index]`` were about, or "".

    The nearest sentence that names a side decides; in a text about North Korea, a sentence that
    names it is taken to be about it even when it also names Russia or Ukraine ("KYIV (Reuters) -
    North Korea shipped ... to Russia"). Explainers put questions and quotes between the subject and
    the number ("How many have been killed?"), so the look back is several sentences long. A headline
    or lead with nothing before it ("3,000 dead, NIS says") takes the side of the sentences after it.
    """
    for previous in reversed(sentences[max(0, index - _LOOKBACK_SENTENCES):index]):
        found = _sides(text, previous, lexicon)
        if found:
            return NORTH_KOREA if NORTH_KOREA in found else OTHER
    if index <= _LOOKBACK_SENTENCES:  # nothing before it names a side: a headline or a lead
        for following in sentences[index + 1:index + 1 + _LOOKAHEAD_SENTENCES]:
            found = _sides(text, following, lexicon)
            if found:
                return NORTH_KOREA if NORTH_KOREA in found else OTHER
    return ""


def _sides(text: str, sentence: Sentence, lexicon: Lexicon) -> set[str]:
    return {side for _, side in _mentions(text, sentence.start, sentence.end, lexicon, sentence, people=False)}


def names_north_korea(text: str, sentence: Sentence, lexicon: Lexicon) -> bool:
    """True when the sentence names North Korea (strongly or by a back-reference like "Kim")."""
    return bool(lexicon.north_korea.search(text, sentence.start, sentence.end)
                or lexicon.north_korea_references.search(text, sentence.start, sentence.end))


def _mentions(text: str, start: int, stop: int, lexicon: Lexicon, sentence: Sentence,
              people: bool, in_phrase: bool = False) -> list[tuple[int, str]]:
    """(position, side) of the names that may own a number in ``text[start:stop]``, in order."""
    masked = [(s.start, s.end) for s in sources(text, sentence, lexicon)]
    found: list[tuple[int, str]] = []
    for terms, side in ((lexicon.north_korea, NORTH_KOREA), (lexicon.north_korea_references, NORTH_KOREA),
                        (lexicon.other_sides, OTHER)):
        for m in terms.finditer(text, start, stop):
            if any(s <= m.start() < e for s, e in masked):
                continue
            if side == NORTH_KOREA and people and _is_weapon(text, m.end(), lexicon):
                found.append((m.start(), OTHER))  # the people a North Korean weapon killed are not North Korea's
                continue
            if side == OTHER and not (_owns(text, m, sentence, lexicon)
                                      and (in_phrase or not _SPEAKER_AFTER.match(text, m.end()))):
                continue
            found.append((m.start(), side))
    return sorted(found)


def _owns(text: str, m: re.Match[str], sentence: Sentence, lexicon: Lexicon) -> bool:
    """False when Russia/Ukraine is named as a place, a destination or a source, not an owner."""
    if _PREPOSITION_BEFORE.search(text, max(sentence.start, m.start() - 30), m.start()):
        return False
    before = text[max(sentence.start, m.start() - 30):m.start()]
    if any(not before[t.end():].strip() for t in lexicon.transfer.finditer(before)):
        return False  # the receiver of a supply: "supplied Russia with 8 million shells"
    if _RECEIVER_AFTER.match(text, m.end()):
        return False
    if _NOT_OWNER_AFTER.match(text, m.end()):
        return False
    return not lexicon.reporting_after.match(text, _next_word(text, m.end()))


def _is_weapon(text: str, position: int, lexicon: Lexicon) -> bool:
    """True when the North Korean name at ``position`` qualifies a weapon ("North Korean-made missiles").

    The weapon word may be the next word or the one after ("North Korean ballistic missiles"); a
    weapon's crew are people ("North Korean artillery crews").
    """
    hit = lexicon.weapon_markers.search(text, position, min(len(text), position + 40))
    if hit is None or len(re.findall(r"\w+", text[position:hit.start()])) > 1:
        return False
    crew = lexicon.nouns.search(text, hit.end(), min(len(text), hit.end() + 20))
    return not (crew and lexicon.nouns.label(crew) == PERSONNEL and not text[hit.end():crew.start()].strip())


def _next_word(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t,":
        position += 1
    return position
