"""What a number counts: the category of one quantity, read from the words around it.

Without a parser, the category comes from the words around the number, most specific first:

1. a noun before it with "of" ("the deaths of 100", "a first wave of 6,000");
2. the counted noun after it ("4,700 casualties", "150 missiles", "50 of its 240 mm rocket launchers");
3. a noun the number is said of ("casualties reach 4,700", "the toll at 1,500") or set off after
   ("the troops, some 11,000, are ...", "shells - as many as 5 million"), a force's size ("the troops
   number 11,000") or a pronoun for a noun of the sentence before ("They number 12,000");
4. the figure just before it, for another value of the same ("up from the 3,000");
5. a share of a total ("2,000 of the 15,000 soldiers sent have been killed"): what happened to the share;
6. for people ("600 troops", "an 11,000-strong contingent", a bare "another 3,000") the nearest
   thing said of them ("were killed", "sent"), or the whole force ("out of 15,000 fighters");
7. a word that stands for a figure named before ("put the number at 11,000", "the figure of 3,000").

A number followed by a noun of no category ("12 brigades") is nothing. Percentages count a share
of Russia's ammunition; durations, days of a deployment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.lexicon import PERSONNEL, Lexicon, Terms
from extractors.numbers import Quantity
from extractors.sentences import Sentence

PEOPLE = frozenset({"troops_deployed", "killed", "wounded", "casualties", "captured", "missing", "workers", "sappers"})

# The noun phrase after a number ends at punctuation (not the full stop of an initial: "N. Korean")
# or at a word that starts a new phrase.
_PHRASE_STOP = re.compile(
    r"[,;:()\[\]\"“”!?—–]|(?<!\b[A-Z])\.|"
    r"\b(?i:were|was|is|are|be|been|being|have|has|had|will|would|could|may|might|who|whom|which|that|"
    r"to|in|into|on|at|from|for|by|with|as|after|before|since|during|while|when|than|but|and|or|"
    r"said|says|including|according|across|near|inside|out)\b")
_PHRASE_WORDS = 6  # the counted noun is among the first words after the number (calibres not counted)
_NOT_A_WORD = re.compile(r"\S*\d\S*|(?i:mm|cm)")  # "240 mm" in "50 of its 240 mm rocket launchers"
_OF_LINK = re.compile(r"\s+(?i:of|among|totall?ing|numbering)\s+(?:(?i:the|its|their|his|some|at\s+least)\s+)?")
_PREDICATE_REACH = 14  # words between a number and what is said of it
_ADJACENT = 1  # a predicate this close beats a "total" reading: "a fraction of the 600 troops killed"
_BARE_REACH = 3  # a number without a noun ("another 3,000") needs its predicate right beside it
_CLAUSE_COST = 3  # a comma or dash between them counts as this many words
_NUMBER_COST = 6  # and another number between them as this many
_PERCENT_REACH = 40  # characters from a percentage to "of Russia's ammunition"
_USER_REACH = 60  # characters after "of the ammunition" to the army that fires it
_DESTINATION = re.compile(r"\b(?i:to|into|for|from)\s+(?:the\s+)?$")
_AMMO_USER = re.compile(r"\b(?i:used|fired|consumed|expended|needed|needs|uses|fires)\b")
_DURATION_REACH = 80
_NOT_A_SPAN = re.compile(r"\s*(?i:later|ago|earlier|afterwards|after)\b")  # "two days later" is not a deployment
_SUBJECT_WORDS = 8  # "N. Korean casualties in Russia reach 4,700": the noun is a few words before the link
_REFERENCE_WORDS = 4  # "put the number at", "the agency's estimate is"
_REFERENCE_WAY = r"\s+(?:(?i:is|was|are|were|now|has|had|been|estimated|believed|thought|put|set)\s+){0,3}"
_REFERENCE_VERB = re.compile(_REFERENCE_WAY)  # "their number is estimated at 12,000"
_REFERENCE_LINK = re.compile(_REFERENCE_WAY + r"(?i:of|at|to)\s+")  # "the figure of 3,000", "the total to 14,000"
_SIZE_LINK = re.compile(r"(?i:number(?:s|ed|ing)?|total(?:s|led|ed|ling|ing)?)")  # the size of a force
# "the troops, some 11,000, are ...", "shells - as many as 5 million -", "Casualties: 4,000": the number
# set off after a noun says how many of it there are
_APPOSITION = re.compile(r"(?:[,(:—–]|\s-)\s*$")
_APPOSITION_END = re.compile(r"\s*(?:(?i:of\s+them)\s*)?(?:[,);:—–]|\s-\s|\.?\s*$)")
_PRONOUN = re.compile(r"\b(?i:they|these|those)(?:\s+(?i:now|still|currently|already|reportedly|together))?\s*,?\s*$")
_PARTITIVE = re.compile(r"\s+(?i:of)\s+(?:(?i:the|its|their|those|these|an\s+estimated)\s+)?")
_SPACES = re.compile(r"\s*")  # always matches
_CLOSING_QUOTES = re.compile(r"[\"”’']*")  # always matches
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z][\w'’-]*)")
_BARE_NEXT = frozenset({"of", "more", "others", "other", "additional", "further", "so", "odd", "plus", "had", "have",
                        "were", "are", "now", "already", "still", "reportedly", "all", "each", "altogether",
                        "it", "they", "he", "she", "we", "you", "its", "their"})
_NAME_THEN_VERB = re.compile(r"\s+(?:[a-z]+ed|gave|gives|put|puts|says|said|has|had|cites|estimates|claims)\b")
_LY_NOUNS = frozenset({"ally", "family", "supply", "assembly", "rally", "anomaly", "italy"})
_STRONG = re.compile(r"[-‐ ]strong\b(?:\s+[\w-]+){0,2}", re.IGNORECASE)
_ARTICLE = r"the|an|a|some|its|their|earlier|previous|initial"
# Words that do not add distance between a number and its predicate ("600 of them have been killed",
# "200 were believed to have been killed").
_FILLER_WORDS = frozenset({"were", "was", "is", "are", "be", "been", "being", "have", "has", "had", "of", "them",
                           "whom", "those", "these", "already", "now", "still", "reportedly", "also", "then", "so",
                           "far", "believed", "thought", "estimated", "feared", "said", "reported", "likely", "to",
                           "actually", "probably", "eventually"})


@dataclass(frozen=True)
class Reading:
    """What a number counts: its category and where its noun phrase ends."""

    category: str
    head_end: int
    people: bool
    continues: bool = False  # another value of the figure before it ("up from the 3,000"): same owner


@dataclass(frozen=True)
class Before:
    """What the text said before the sentence, for a number that refers back to it."""

    sentence: Sentence | None = None  # the sentence just before ("They number about 12,000")
    category: str | None = None  # the category of the last figure read in the sentences before


def read(text: str, sentence: Sentence, q: Quantity, here: list[Quantity], previous: str | None,
         lexicon: Lexicon, before: Before = Before()) -> Reading | None:
    """The category of the number ``q``, or None when it counts nothing this tagger knows.

    ``here`` are the quantities of the sentence; ``previous`` is the category of the number before
    it in the sentence ("up from the 3,000").
    """
    if q.kind == "percent":
        return _share(text, sentence, q, lexicon)
    if q.kind == "duration":
        if q.unit != "day" or _NOT_A_SPAN.match(text, q.end):
            return None
        near = lexicon.duration_predicates.search(text, max(sentence.start, q.start - _DURATION_REACH),
                                                  min(sentence.end, q.end + _DURATION_REACH))
        return Reading(lexicon.duration_predicates.label(near), q.end, people=False) if near else None
    of_noun = _noun_before(text, sentence, q, lexicon)
    head = _head(text, sentence, q, here, lexicon)
    head_end = head.end() if head else q.end
    if of_noun:
        return Reading(of_noun, head_end, people=of_noun in PEOPLE)
    if head and lexicon.nouns.label(head) != PERSONNEL:
        category = lexicon.nouns.label(head)
        return Reading(category, head_end, people=category in PEOPLE)
    subject = _subject_noun(text, sentence, q, here, lexicon, before.sentence)
    if subject:
        return Reading(subject, head_end, people=subject in PEOPLE)
    if previous and not head and _ends_with(lexicon.continuations, text, sentence.start, q.start, _ARTICLE):
        return Reading(previous, head_end, people=previous in PEOPLE, continues=True)
    if head is None and (share := _share_of_total(text, sentence, q, here, lexicon)):
        return Reading(share, head_end, people=True)
    strong = _STRONG.match(text, q.end) if head is None else None
    if head is None and not strong and _counts_something_else(text, q, lexicon):
        return None  # "12 brigades": a count of something this tagger has no category for
    if strong:
        head_end = strong.end()  # "an 11,000-strong contingent" counts people, as a noun would
    reach = _PREDICATE_REACH if head or strong else _BARE_REACH
    predicate = _predicate(text, sentence, q, head_end, here, lexicon, reach)
    if predicate and predicate[1] <= _ADJACENT:
        return Reading(predicate[0], head_end, people=True)  # "the roughly 600 troops killed"
    if _is_total(text, sentence, q, lexicon):
        return Reading("troops_deployed", head_end, people=True)
    if predicate:
        return Reading(predicate[0], head_end, people=True)
    reference = _refers_back(text, sentence, q, lexicon)  # also "the estimate is 11,000 soldiers"
    if reference is None:
        return None
    referred = (previous or before.category or _referent(text, sentence.start, reference, lexicon)
                or (_referent(text, before.sentence.start, before.sentence.end, lexicon) if before.sentence else None))
    return Reading(referred, head_end, people=referred in PEOPLE) if referred else None


def _share(text: str, sentence: Sentence, q: Quantity, lexicon: Lexicon) -> Reading | None:
    """A share of Russia's ammunition: "40% of Russia's shells", "half of the rounds Russian forces fire".

    The ammunition must be the army's that fires it (a name of Russia, or "used"/"fired" after it),
    so that "20% of the shells it sent failed" is not a share of Russia's supply.
    """
    noun = lexicon.percent_nouns.search(text, q.end, min(sentence.end, q.end + _PERCENT_REACH))
    if noun is None:
        return None
    between = text[q.end:noun.start()]
    if len(re.findall(r"\w+", between)) > 4 or re.search(r"[,;:.()]", between) or lexicon.north_korea.search(between):
        return None  # not "20% of the North Korean shells failed"
    user_end = min(sentence.end, noun.end() + _USER_REACH)
    users = [m for m in lexicon.other_sides.finditer(text, q.end, user_end)
             if not _DESTINATION.search(text, max(sentence.start, m.start() - 12), m.start())]
    if not (users or _AMMO_USER.search(text, noun.end(), user_end)):
        return None  # "half of the shells it produces go to Russia": Russia receives them, does not fire them
    return Reading(lexicon.percent_nouns.label(noun), noun.end(), people=False)


def _counts_something_else(text: str, q: Quantity, lexicon: Lexicon) -> bool:
    """True when the word after a number is a noun of no category ("12 brigades", "three generals").

    A bare number is followed by punctuation, a function word or pronoun ("the 12,000 it sent"),
    "of them", "more", an adverb ("10,000 actually saw combat"), a verb ("3,000 followed", "600
    died", "200 listed as missing") or a name that starts a clause ("the figure of 7,000 Kyiv gave").
    """
    word = _NEXT_WORD.match(text, q.end)
    if not word or word.group(1).lower() in _BARE_NEXT or _PHRASE_STOP.fullmatch(word.group(1)):
        return False
    lowered = word.group(1).lower()
    if word.group(1)[0].isupper() and _NAME_THEN_VERB.match(text, word.end(1)):
        return False  # a name that starts a clause: "the 3,000 Seoul cited" (not "1,000 Kursk residents")
    if lowered.endswith("ed") or (lowered.endswith("ly") and lowered not in _LY_NOUNS):
        return False  # a verb ("200 listed as missing", "3,000 moved up") or an adverb
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
    words = [w for w in re.finditer(r"\S+", text[begin:end]) if not _NOT_A_WORD.fullmatch(w.group())]
    if len(words) > _PHRASE_WORDS:
        end = begin + words[_PHRASE_WORDS - 1].end()
    return lexicon.nouns.search(text, begin, end)


def _subject_noun(text: str, sentence: Sentence, q: Quantity, here: list[Quantity], lexicon: Lexicon,
                  before: Sentence | None) -> str | None:
    """The category of a noun the number is said of: "casualties reach 4,700", "the toll at 1,500".

    The noun stands a few words before a linking word right in front of the number, with no other
    number between (in "sent 5 million shells at 600 sites" the shells have their own number). A
    word of size ("number", "total") makes people a force ("the troops number 11,000"), and after
    "they" the force of the sentence before ("They number about 12,000").
    """
    link = _ends_with(lexicon.links, text, sentence.start, q.start, "")
    size = link is not None and bool(_SIZE_LINK.match(text, link))
    apposition = _APPOSITION.search(text, max(sentence.start, q.start - 3), q.start)
    if link is None and apposition and not q.vague and _APPOSITION_END.match(text, q.end, sentence.end):
        link, size = apposition.start(), True  # "the troops, some 11,000, are ...", "casualties (about 4,000)"
    if link is None:
        return None
    pronoun = _PRONOUN.search(text, max(sentence.start, link - 12), link) if size else None
    if pronoun:  # "North Korea sent a force, and they number ...", "... a force. They number ..."
        return _referent(text, sentence.start, pronoun.start(), lexicon) or (
            _referent(text, before.start, before.end, lexicon) if before else None)
    reach = _words_back(text, sentence.start, link, _SUBJECT_WORDS)
    for terms in (lexicon.of_nouns, lexicon.nouns):
        found = [m for m in terms.finditer(text, reach, link) if (size or terms.label(m) != PERSONNEL)
                 and not re.search(r"[;:]", text[m.end():link])
                 and not any(m.start() - 20 <= other.start < link for other in here if other is not q)]
        if found:
            label = terms.label(found[-1])
            return _said_of(text, found[-1].end(), lexicon) if label == PERSONNEL else label
    return None


def _said_of(text: str, position: int, lexicon: Lexicon) -> str:
    """The size of a group of people: what is said of them right after the noun, else a deployment.

    "NK troops killed in Kursk total 600" counts the dead; "the troops number 11,000" the force.
    """
    predicate = lexicon.predicates.match(text, _SPACES.match(text, position).end())  # type: ignore[union-attr]
    return lexicon.predicates.label(predicate) if predicate else "troops_deployed"


def _referent(text: str, start: int, end: int, lexicon: Lexicon) -> str | None:
    """The category of the last counted noun in ``text[start:end]``: a force of people is a deployment."""
    found = sorted(lexicon.of_nouns.finditer(text, start, end) + lexicon.nouns.finditer(text, start, end),
                   key=lambda m: m.start())
    if not found:
        return None
    last = found[-1]
    label = (lexicon.of_nouns if lexicon.of_nouns.pattern is last.re else lexicon.nouns).label(last)
    return "troops_deployed" if label == PERSONNEL else label


def _share_of_total(text: str, sentence: Sentence, q: Quantity, here: list[Quantity], lexicon: Lexicon) -> str | None:
    """What happened to a share of a force: "some 2,000 of the roughly 15,000 soldiers sent have been killed".

    The whole force is a deployment; the share takes the nearest other thing said after the force's
    noun phrase, and nothing when only the deployment is said of them.
    """
    link = _PARTITIVE.match(text, q.end)
    total = next((other for other in here if link and other.start == link.end()), None)
    if total is None:
        return None
    head = _head(text, sentence, total, here, lexicon)
    if head is None or lexicon.nouns.label(head) != PERSONNEL:
        return None
    found = _predicate(text, sentence, total, head.end(), here, lexicon, _PREDICATE_REACH,
                       exclude=frozenset({"troops_deployed"}), after_only=True)
    return found[0] if found else None


def _refers_back(text: str, sentence: Sentence, q: Quantity, lexicon: Lexicon) -> int | None:
    """Where the word that makes the number a figure named before starts, if there is one.

    "put the number at 11,000", "the agency's estimate is 11,000", "their number is estimated at 12,000".
    """
    reach = _words_back(text, sentence.start, q.start, _REFERENCE_WORDS + 1)
    for m in reversed(lexicon.references.finditer(text, reach, q.start)):
        link = _ends_with(lexicon.links, text, m.end(), q.start, "")
        if _REFERENCE_LINK.fullmatch(text, m.end(), q.start) or (
                link is not None and _REFERENCE_VERB.fullmatch(text, m.end(), link)):
            return m.start()
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


def _predicate(text: str, sentence: Sentence, q: Quantity, head_end: int, here: list[Quantity], lexicon: Lexicon,
               reach: int, exclude: frozenset[str] = frozenset(), after_only: bool = False) -> tuple[str, int] | None:
    """The category of the nearest thing said of the counted people ("were killed", "sent"), and its distance.

    The distance counts the words between them, plus a cost for each comma and each other number
    crossed; ties go to what is written after the number ("600 were killed").
    """
    best: tuple[int, bool, bool, str] | None = None
    for m in lexicon.predicates.finditer(text, sentence.start, sentence.end):
        if m.end() <= q.start and not after_only:
            gap = (m.end(), q.start)
        elif m.start() >= q.end:
            gap = (min(head_end, m.start()), m.start())
        else:
            continue
        category = lexicon.predicates.label(m)
        if category in exclude:
            continue
        between = text[gap[0]:gap[1]]
        if ";" in between:
            continue  # another clause: "2,000 prisoners remain in captivity; Kyiv holds 10"
        words = [w for w in re.findall(r"\w+", between) if w.lower() not in _FILLER_WORDS]
        cost = len(words) + _CLAUSE_COST * len(re.findall(r"[,;—–]", between))
        cost += _NUMBER_COST * sum(1 for other in here if other is not q and gap[0] <= other.start < gap[1])
        if cost > reach:
            continue
        # at equal distance, what happened to them beats where they are; then what is written after wins
        rank = (cost, category == "troops_deployed", m.start() < q.end, category)
        if best is None or rank[:3] < best[:3]:
            best = rank
    return (best[3], best[0]) if best else None
