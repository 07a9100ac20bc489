"""The tagger: relevance, figures and events of one text.

:func:`tag` is the entry point. A figure is read one sentence at a time, from a number that is a
quantity (not a year, date, sum of money ...; see ``extractors.numbers``), a category (what it
counts, see ``extractors.readings``), and a North Korean owner (``extractors.sides``: Russian and
Ukrainian numbers are not figures). Some numbers are not figures whatever they count:

- a count of one ("one soldier who was about to be captured") is a story, not a statistic;
- a vague quantity ("tens of thousands") is only North Korea's when its sentence names North
  Korea: two doubts (how many, whose) make no figure ("The war has killed tens of thousands");
- a number dated before this war, in a sentence that does not speak of it ("since 1998, when the
  famine killed hundreds of thousands") is history;
- materiel must stand in a sentence about this war or a supply, or continue the supply account of
  the sentence before ("... shipped 16,500 containers. This represents 5 million rounds"), so a
  missile test is not a figure.

Claimant and stance come from ``extractors.claims``, the date the figure refers to from
``extractors.dates``. Only a relevant text has figures and events. Each (category, low, high) is
reported once per text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from extractors.claims import attribution, stance
from extractors.dates import find_dates
from extractors.events import find_events
from extractors.lexicon import Lexicon
from extractors.numbers import Quantity, find_quantities
from extractors.readings import Before, Reading, read
from extractors.records import Figure, Tagging
from extractors.relevance import judge
from extractors.sentences import Sentence, split_sentences
from extractors.sides import NORTH_KOREA, names_north_korea, side_of, topic

MATERIEL = frozenset({"shells", "missiles", "artillery", "rocket_launchers", "other"})

_DATE_CLAUSE_COST = 40  # characters a comma adds to the distance to a date
_REFER_BACK = 3  # sentences over which "the number", "the figure" still means the last figure read
_TEST = re.compile(r"\b(?i:fired|fires|firing|launch\w*|test\w*)\b")  # a missile test is not a supply
_WAR_YEAR = 2022  # a number dated before this year is not about this war


@dataclass
class _Story:
    """What the sentences read so far have said, for the numbers that refer back to it."""

    category: str | None = None  # the category of the last number read
    category_at: int = -10  # and the index of its sentence
    materiel_at: int = -10  # the index of the last sentence with a materiel figure


def tag(text: str, published: date | None, lexicon: Lexicon) -> Tagging:
    """Tag one text: is it about North Korea's part in Russia's war, which figures and events it states.

    ``published`` is the article's date: the default ``as_of`` of a figure and the anchor of dates
    written without a year. Offsets in the records index ``text`` as given.
    """
    if lexicon.north_korea.search(text) is None and lexicon.russia_war.search(text) is None:
        # What most of a news feed is: a text naming neither North Korea nor the war scores 0
        # whatever its sentences, so it is not split into them (1.2 ms of a page's ~17 ms of work).
        return Tagging(False, 0.0, ())
    sentences = split_sentences(text, lexicon)
    relevance = judge(text, sentences, lexicon)
    if not relevance.relevant:
        return Tagging(False, relevance.score, relevance.evidence)
    quantities = find_quantities(text, lexicon)
    story = _Story()
    figures = _once(f for index in range(len(sentences))
                    for f in _sentence_figures(text, sentences, index, quantities, published, lexicon, story))
    events = find_events(text, sentences, published, lexicon)
    return Tagging(True, relevance.score, relevance.evidence, tuple(figures), tuple(events))


def _sentence_figures(text: str, sentences: list[Sentence], index: int, quantities: list[Quantity],
                      published: date | None, lexicon: Lexicon, story: _Story) -> Iterable[Figure]:
    sentence = sentences[index]
    here = [q for q in quantities if sentence.start <= q.start and q.end <= sentence.end and q.is_quantity]
    before = Before(sentences[index - 1] if index else None,
                    story.category if index - story.category_at <= _REFER_BACK else None)
    previous: str | None = None
    previous_ours = False
    for q in here:
        if not (math.isfinite(q.low) and math.isfinite(q.high)):
            continue  # "111…1" (hundreds of digits) is no count of anything
        if q.kind == "count" and q.low == q.high == 1:
            continue  # "one soldier who ...": an anecdote, not a figure
        reading = read(text, sentence, q, here, previous, lexicon, before)
        if reading is None:
            continue
        ours = previous_ours if reading.continues else _north_korean(text, sentences, index, q, reading, lexicon)
        previous, previous_ours = reading.category, ours
        story.category, story.category_at = reading.category, index
        if not ours or (q.vague and not names_north_korea(text, sentence, lexicon)):
            continue
        if reading.category in MATERIEL:
            if not (_about_the_war(text, sentence, lexicon)
                    or _continues_supply(text, sentences, index, lexicon, story)):
                continue
            story.materiel_at = index
        as_of = _as_of(text, sentence, q, published)
        if as_of and as_of.year < _WAR_YEAR and not lexicon.russia_war.search(text, sentence.start, sentence.end):
            continue  # history: "since 1998, when the famine killed hundreds of thousands"
        yield Figure(
            category=reading.category, low=q.low, high=q.high, approximate=q.approximate,
            qualifier=q.qualifier, stance=stance(text, sentence, q.start, q.end, lexicon),
            attribution=attribution(text, sentences, index, q.start, lexicon),
            as_of=as_of, quote=sentence.text, start=sentence.start, end=sentence.end,
        )


def _north_korean(text: str, sentences: list[Sentence], index: int, q: Quantity, reading: Reading,
                  lexicon: Lexicon) -> bool:
    """True when the number is North Korea's (see ``extractors.sides``).

    A share of Russia's ammunition always names Russia; it is North Korea's when the sentence (or
    the text just before it) speaks of North Korea.
    """
    if reading.category == "ammo_share_percent":
        sentence = sentences[index]
        return bool(lexicon.north_korea.search(text, sentence.start, sentence.end)) or \
            topic(text, sentences, index, lexicon) == NORTH_KOREA
    return side_of(text, sentences, index, q.start, q.end, reading.head_end, lexicon, reading.people) == NORTH_KOREA


def _about_the_war(text: str, sentence: Sentence, lexicon: Lexicon) -> bool:
    """Materiel counts only in a sentence about a supply or about the war's sides and places."""
    return any(terms.search(text, sentence.start, sentence.end)
               for terms in (lexicon.transfer, lexicon.other_sides, lexicon.russia_war))


def _continues_supply(text: str, sentences: list[Sentence], index: int, lexicon: Lexicon, story: _Story) -> bool:
    """True when a sentence goes on with the supply account before it ("The shells, 3 million of them, ...").

    The sentence before stated materiel or spoke of the war, and this one neither names North Korea
    afresh nor speaks of a test ("It also fired 10 missiles into the sea" is not a supply).
    """
    if index == 0:
        return False
    sentence = sentences[index]
    if _TEST.search(text, sentence.start, sentence.end) or names_north_korea(text, sentence, lexicon):
        return False
    return story.materiel_at == index - 1 or _about_the_war(text, sentences[index - 1], lexicon)


def _as_of(text: str, sentence: Sentence, q: Quantity, published: date | None) -> date | None:
    """The date written "as of", else the date nearest the number in its sentence, else ``published``."""
    dates = find_dates(text, published, sentence.start, sentence.end)
    if not dates:
        return published
    explicit = [d for d in dates if d.as_of]
    if explicit:
        return explicit[0].value

    def distance(d_start: int, d_end: int) -> int:
        lo, hi = (d_end, q.start) if d_end <= q.start else (q.end, d_start)
        return max(0, hi - lo) + _DATE_CLAUSE_COST * len(re.findall(r"[,;—–]", text[lo:hi]))

    return min(dates, key=lambda d: distance(d.start, d.end)).value


def _once(figures: Iterable[Figure]) -> list[Figure]:
    """One figure per (category, low, high): the first, or a later one that names its claimant."""
    kept: dict[tuple[str, float, float], Figure] = {}
    for figure in figures:
        key = (figure.category, figure.low, figure.high)
        if key not in kept or (not kept[key].attribution and figure.attribution):
            kept[key] = figure
    return list(kept.values())
