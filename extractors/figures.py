"""The tagger: relevance, figures and events of one text.

:func:`tag` is the entry point. A figure is read one sentence at a time, from a number that is a
quantity (not a year, date, sum of money ...; see ``extractors.numbers``), a category, and a North
Korean owner:

- the category comes from the words around the number, most specific first: a noun before it with
  "of" ("the deaths of 100"); the counted noun after it ("4,700 casualties", "150 missiles"); a noun
  the number is said of ("casualties reach 4,700"); the figure just before it, for another value of
  the same ("up from the 3,000"); and for people ("600 troops", "an 11,000-strong contingent", a bare
  "another 3,000") the nearest thing said of them ("were killed", "sent"), or the whole force
  ("out of 15,000 fighters"). A number followed by a noun of no category ("12 brigades") is nothing;
- the owner is read by ``extractors.sides`` (Russian and Ukrainian numbers are not figures);
- materiel must stand in a sentence about this war or a supply, so a missile test is not a figure.

Claimant and stance come from ``extractors.claims``, the date the figure refers to from
``extractors.dates``. Only a relevant text has figures and events. Each (category, low, high) is
reported once per text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from extractors.claims import attribution, stance
from extractors.dates import find_dates
from extractors.events import find_events
from extractors.lexicon import PERSONNEL, Lexicon, Terms
from extractors.numbers import Quantity, find_quantities
from extractors.records import Figure, Tagging
from extractors.relevance import judge
from extractors.sentences import Sentence, split_sentences
from extractors.sides import NORTH_KOREA, side_of, topic

PEOPLE = frozenset({"troops_deployed", "killed", "wounded", "casualties", "captured", "missing", "workers", "sappers"})
MATERIEL = frozenset({"shells", "missiles", "artillery", "rocket_launchers", "other"})

# The noun phrase after a number ends at punctuation or at a word that starts a new phrase.
_PHRASE_STOP = re.compile(
    r"[,;:.()\[\]\"“”!?—–]|\b(?i:were|was|is|are|be|been|being|have|has|had|will|would|could|may|might|who|whom|"
    r"which|that|to|in|into|on|at|from|for|by|with|as|after|before|since|during|while|when|than|but|and|or|"
    r"said|says|including|according|across|near|inside|out)\b")
_PHRASE_WORDS = 6  # the counted noun is among the first words after the number
_OF_LINK = re.compile(r"\s+(?i:of|among|totall?ing|numbering)\s+(?:(?i:the|its|their|his|some|at\s+least)\s+)?")
_PREDICATE_REACH = 14  # words between a number and what is said of it
_ADJACENT = 1  # a predicate this close beats a "total" reading: "a fraction of the 600 troops killed"
_BARE_REACH = 3  # a number without a noun ("another 3,000") needs its predicate right beside it
_CLAUSE_COST = 3  # a comma or dash between them counts as this many words
_NUMBER_COST = 6  # and another number between them as this many
_DATE_CLAUSE_COST = 40  # characters a comma adds to the distance to a date
_PERCENT_REACH = 40  # characters from a percentage to "of Russia's ammunition"
_DURATION_REACH = 80
_NOT_A_SPAN = re.compile(r"\s*(?i:later|ago|earlier|afterwards|after)\b")  # "two days later" is not a deployment
_SUBJECT_WORDS = 8  # "N. Korean casualties in Russia reach 4,700": the noun is a few words before the link
_CLOSING_QUOTES = re.compile(r"[\"”’']*")  # always matches
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z][\w'’-]*)")
_BARE_NEXT = frozenset({"of", "more", "others", "other", "additional", "further", "so", "odd", "plus", "had", "have",
                        "were", "are", "now", "already", "still", "reportedly", "all", "each", "altogether",
                        "it", "they", "he", "she", "we", "you", "its", "their"})
_STRONG = re.compile(r"[-‐ ]strong\b(?:\s+[\w-]+){0,2}", re.IGNORECASE)
_ARTICLE = r"the|an|a|some|its|their|earlier|previous|initial"
# Words that do not add distance between a number and its predicate ("600 of them have been killed").
_FILLER_WORDS = frozenset({"were", "was", "is", "are", "be", "been", "being", "have", "has", "had", "of", "them", "whom",
                           "those", "these", "already", "now", "still", "reportedly", "also", "then", "so", "far"})


@dataclass(frozen=True)
class _Reading:
    """What a number counts: its category and where its noun phrase ends."""

    category: str
    head_end: int
    people: bool
    continues: bool = False  # another value of the figure before it ("up from the 3,000"): same owner


def tag(text: str, published: date | None, lexicon: Lexicon) -> Tagging:
    """Tag one text: is it about North Korea's part in Russia's war, which figures and events it states.

    ``published`` is the article's date: the default ``as_of`` of a figure and the anchor of dates
    written without a year. Offsets in the records index ``text`` as given.
    """
    sentences = split_sentences(text, lexicon)
    relevance = judge(text, sentences, lexicon)
    if not relevance.relevant:
        return Tagging(False, relevance.score, relevance.evidence)
    quantities = [q for q in find_quantities(text, lexicon) if q.is_quantity]
    figures = _once(f for index in range(len(sentences))
                    for f in _sentence_figures(text, sentences, index, quantities, published, lexicon))
    events = find_events(text, sentences, published, lexicon)
    return Tagging(True, relevance.score, relevance.evidence, tuple(figures), tuple(events))


def _sentence_figures(text: str, sentences: list[Sentence], index: int, quantities: list[Quantity],
                      published: date | None, lexicon: Lexicon) -> Iterable[Figure]:
    sentence = sentences[index]
    here = [q for q in quantities if sentence.start <= q.start and q.end <= sentence.end]
    previous: str | None = None
    previous_ours = False
    for q in here:
        reading = _read(text, sentence, q, here, previous, lexicon)
        if reading is None:
            continue
        ours = previous_ours if reading.continues else _north_korean(text, sentences, index, q, reading, lexicon)
        previous, previous_ours = reading.category, ours
        if not ours:
            continue
        if reading.category in MATERIEL and not _about_the_war(text, sentence, lexicon):
            continue
        yield Figure(
            category=reading.category, low=q.low, high=q.high, approximate=q.approximate,
            qualifier=q.qualifier, stance=stance(text, sentence, q.start, q.end, lexicon),
            attribution=attribution(text, sentences, index, q.start, lexicon),
            as_of=_as_of(text, sentence, q, published), quote=sentence.text,
            start=sentence.start, end=sentence.end,
        )


def _read(text: str, sentence: Sentence, q: Quantity, here: list[Quantity], previous: str | None,
          lexicon: Lexicon) -> _Reading | None:
    """The category of the number ``q``, or None when it counts nothing this tagger knows.

    ``previous`` is the category of the number before it in the sentence ("up from the 3,000").
    """
    if q.kind == "percent":
        noun = lexicon.percent_nouns.search(text, q.end, min(sentence.end, q.end + _PERCENT_REACH))
        between = text[q.end:noun.start()] if noun else ""
        if (noun and len(re.findall(r"\w+", between)) <= 4 and not re.search(r"[,;:.()]", between)
                and not lexicon.north_korea.search(between)):  # not "20% of the North Korean shells failed"
            return _Reading(lexicon.percent_nouns.label(noun), noun.end(), people=False)  # "40% of Russia's shells"
        return None
    if q.kind == "duration":
        if q.unit != "day" or _NOT_A_SPAN.match(text, q.end):
            return None
        near = lexicon.duration_predicates.search(text, max(sentence.start, q.start - _DURATION_REACH),
                                                  min(sentence.end, q.end + _DURATION_REACH))
        return _Reading(lexicon.duration_predicates.label(near), q.end, people=False) if near else None
    of_noun = _noun_before(text, sentence, q, lexicon)
    head = _head(text, sentence, q, here, lexicon)
    head_end = head.end() if head else q.end
    if of_noun:
        return _Reading(of_noun, head_end, people=of_noun in PEOPLE)
    if head and lexicon.nouns.label(head) != PERSONNEL:
        category = lexicon.nouns.label(head)
        return _Reading(category, head_end, people=category in PEOPLE)
    subject = _subject_noun(text, sentence, q, here, lexicon)
    if subject:
        return _Reading(subject, head_end, people=subject in PEOPLE)
    if previous and not head and _ends_with(lexicon.continuations, text, sentence.start, q.start, _ARTICLE):
        return _Reading(previous, head_end, people=previous in PEOPLE, continues=True)
    strong = _STRONG.match(text, q.end) if head is None else None
    if head is None and not strong and _counts_something_else(text, q, lexicon):
        return None  # "12 brigades": a count of something this tagger has no category for
    if strong:
        head_end = strong.end()  # "an 11,000-strong contingent" counts people, as a noun would
    reach = _PREDICATE_REACH if head or strong else _BARE_REACH
    predicate = _predicate(text, sentence, q, head_end, here, lexicon, reach)
    if predicate and predicate[1] <= _ADJACENT:
        return _Reading(predicate[0], head_end, people=True)  # "the roughly 600 troops killed"
    if _is_total(text, sentence, q, lexicon):
        return _Reading("troops_deployed", head_end, people=True)
    return _Reading(predicate[0], head_end, people=True) if predicate else None


def _counts_something_else(text: str, q: Quantity, lexicon: Lexicon) -> bool:
    """True when the word after a number is a noun of no category ("12 brigades", "three generals").

    A bare number is followed by punctuation, a function word or pronoun ("the 12,000 it sent"),
    "of them", "more", or a verb ("3,000 followed", "600 died", "200 listed as missing").
    """
    word = _NEXT_WORD.match(text, q.end)
    if not word or word.group(1).lower() in _BARE_NEXT or _PHRASE_STOP.fullmatch(word.group(1)):
        return False
    if word.group(1).lower().endswith("ed"):
        return False  # a verb: "200 listed as missing", "3,000 moved up"
    return not lexicon.predicates.match(text, word.start(1))


def _noun_before(text: str, sentence: Sentence, q: Quantity, lexicon: Lexicon) -> str | None:
    """The category of a noun written before the number with "of": "the deaths of 100 troops"."""
    for m in reversed(lexicon.of_nouns.finditer(text, max(sentence.start, q.start - 60), q.start)):
        if _OF_LINK.fullmatch(text, m.end(), q.start):
            return lexicon.of_nouns.label(m)
    return None


def _head(text: str, sentence: Sentence, q: Quantity, here: list[Quantity], lexicon: Lexicon) -> re.Match[str] | None:
    """The counted noun in the few words after the number ("150 ballistic missiles"), if any."""
    begin = _CLOSING_QUOTES.match(text, q.end).end()  # type: ignore[union-attr]  # '"around 11,000" North Koreans'
    stop = _PHRASE_STOP.search(text, begin, sentence.end)
    end = stop.start() if stop else sentence.end
    following = [other.start for other in here if other.start >= q.end]
    if following:
        end = min(end, following[0])
    words = list(re.finditer(r"\S+", text[begin:end]))
    if len(words) > _PHRASE_WORDS:
        end = begin + words[_PHRASE_WORDS - 1].end()
    return lexicon.nouns.search(text, begin, end)


def _subject_noun(text: str, sentence: Sentence, q: Quantity, here: list[Quantity], lexicon: Lexicon) -> str | None:
    """The category of a noun the number is said of: "casualties reach 4,700", "the toll at 1,500".

    The noun stands a few words before a linking word right in front of the number, with no other
    number between (in "sent 5 million shells at 600 sites" the shells have their own number).
    """
    link = _ends_with(lexicon.links, text, sentence.start, q.start, "")
    if link is None:
        return None
    reach = _words_back(text, sentence.start, link, _SUBJECT_WORDS)
    for terms in (lexicon.of_nouns, lexicon.nouns):
        found = [m for m in terms.finditer(text, reach, link) if terms.label(m) != PERSONNEL
                 and not re.search(r"[;:]", text[m.end():link])
                 and not any(m.start() - 20 <= other.start < link for other in here if other is not q)]
        if found:
            return terms.label(found[-1])
    return None


def _ends_with(terms: Terms, text: str, start: int, end: int, filler: str) -> int | None:
    """Where the phrase of ``terms`` that ends ``text[start:end]`` (perhaps followed by ``filler``) begins."""
    window = max(start, end - 40)
    for m in reversed(terms.finditer(text, window, end)):
        if re.fullmatch(rf"\s*(?:{filler})?\s*" if filler else r"\s*", text[m.end():end], re.IGNORECASE):
            return m.start()
    return None


def _words_back(text: str, start: int, end: int, count: int) -> int:
    """The position ``count`` words before ``end`` (not before ``start``)."""
    words = list(re.finditer(r"\S+", text[start:end]))
    return start + words[-count].start() if len(words) >= count else start


def _is_total(text: str, sentence: Sentence, q: Quantity, lexicon: Lexicon) -> bool:
    """True for "out of 15,000 fighters", "of the 15,000 troops": the whole force a share is taken from."""
    return any(not text[m.end():q.start].strip()
               for m in lexicon.totals.finditer(text, max(sentence.start, q.start - 25), q.start))


def _predicate(text: str, sentence: Sentence, q: Quantity, head_end: int, here: list[Quantity],
               lexicon: Lexicon, reach: int) -> tuple[str, int] | None:
    """The category of the nearest thing said of the counted people ("were killed", "sent"), and its distance.

    The distance counts the words between them, plus a cost for each comma and each other number
    crossed; ties go to what is written after the number ("600 were killed").
    """
    best: tuple[int, bool, bool, str] | None = None
    for m in lexicon.predicates.finditer(text, sentence.start, sentence.end):
        if m.end() <= q.start:
            gap = (m.end(), q.start)
        elif m.start() >= q.end:
            gap = (min(head_end, m.start()), m.start())
        else:
            continue
        between = text[gap[0]:gap[1]]
        words = [w for w in re.findall(r"\w+", between) if w.lower() not in _FILLER_WORDS]
        cost = len(words) + _CLAUSE_COST * len(re.findall(r"[,;—–]", between))
        cost += _NUMBER_COST * sum(1 for other in here if other is not q and gap[0] <= other.start < gap[1])
        if cost > reach:
            continue
        category = lexicon.predicates.label(m)
        # at equal distance, what happened to them beats where they are; then what is written after wins
        rank = (cost, category == "troops_deployed", m.start() < q.end, category)
        if best is None or rank[:3] < best[:3]:
            best = rank
    return (best[3], best[0]) if best else None


def _north_korean(text: str, sentences: list[Sentence], index: int, q: Quantity, reading: _Reading,
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
