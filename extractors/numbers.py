"""Numbers as news writes them, with what kind of quantity each one is.

A figure is a count of people or materiel, a share, or a number of days; a text also holds years,
dates, times, money, ordinals, distances, ages and calibres, which look the same to a regex. So
:func:`find_quantities` returns every number it can read, each with a ``kind`` decided from the
words around it, and the figure stage keeps only the kinds it wants.

Forms read: digits with any thousands separator ("12,000", "12 000" with a space, thin space,
narrow or plain no-break space; a full stop in European copy: "12.000 soldiers"), decimals with a
scale word ("1.5 million", "6m"), number words ("nine", "two hundred", "twenty-five thousand", "a
dozen", "half a million"), vague quantities read as ranges ("thousands" = 2,000-9,999; see
``VAGUE``), percentages, shares written as fractions ("half of", "a third of": percentages, see
``FRACTIONS``), ranges ("25,000 to 30,000", "between 11,000 and 12,000", "11,000-12,000", "from
10,000 to 12,000", "10,000 or 12,000") and the qualifier in front ("about", "up to", "another": the
list is the lexicon's ``qualifiers``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from extractors.lexicon import Lexicon, load_lexicon

# Kinds a figure may be made of; every other kind is a number that is not a quantity of anything.
QUANTITY_KINDS = ("count", "percent", "duration")

# Vague quantities and the range each stands for (low, high), longest phrase first.
VAGUE: tuple[tuple[str, float, float], ...] = (
    ("hundreds of thousands", 200_000, 999_999),
    ("tens of thousands", 20_000, 99_999),
    ("several thousand", 2_000, 9_999),
    ("a few thousand", 2_000, 9_999),
    ("thousands", 2_000, 9_999),
    ("several hundred", 200, 999),
    ("a few hundred", 200, 999),
    ("hundreds", 200, 999),
    ("several dozen", 24, 99),
    ("a few dozen", 24, 99),
    ("dozens", 24, 99),
    ("a handful", 2, 9),
    ("millions", 2_000_000, 9_999_999),
)

# Shares written as fractions, as the percentage they stand for. Only before "of"/"the" ("half of
# Russia's shells", "half the ammunition"): "half a million" is a number and "the second half" a time.
FRACTIONS: dict[str, float] = {
    "half": 50, "a half": 50, "one half": 50,
    "a third": 33, "one third": 33, "two thirds": 67,
    "a quarter": 25, "one quarter": 25, "three quarters": 75,
    "a fifth": 20, "one fifth": 20, "two fifths": 40, "three fifths": 60, "four fifths": 80,
    "a tenth": 10, "one tenth": 10,
}

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "mln": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "m": 1_000_000, "k": 1_000}
_WORD_VALUES = {w: i for i, w in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}

_SEP = "[ \u00a0\u2009\u202f]"  # a space, no-break space, thin space or narrow no-break space
_NUMWORD = r"(?:" + "|".join(sorted(_UNITS + _TENS, key=len, reverse=True)) + r"|hundred|thousand|million|billion|dozen)\b"
_JOIN = r"(?:[\s-]+|(?:(?<=hundred)|(?<=thousand)|(?<=million))\s+and\s+)"
_FRACTION_WORDS = "|".join(re.escape(f).replace(r"\ ", r"[\s-]+") for f in sorted(FRACTIONS, key=len, reverse=True))
# "half of the shells", not "a third of a century"
_FRACTION = rf"(?P<fraction>(?i:{_FRACTION_WORDS}))(?=\s+(?i:of|the|its|all)\s+(?!an?\b))"
_SCALE_AHEAD = r"(?=(?:hundred|thousand|million|billion|dozen)\b)"
_SCALE_WORD = r"(?i:million|billion|thousand|mln|mn|bn)\b"
_ATOM = re.compile(
    r"(?<![\w.,:/])(?:"
    rf"{_FRACTION}"
    # "one and a half million", "2 and a half thousand"
    rf"|(?P<and_half>(?P<whole>\d{{1,3}}|(?i:{'|'.join(_UNITS[1:])}))\s+(?i:and\s+a\s+half)\s+"
    r"(?P<half_scale>(?i:million|thousand|billion))\b)"
    rf"|(?P<vague>(?i:{'|'.join(re.escape(v[0]) for v in VAGUE)}))\b"
    rf"|(?P<words>(?i:(?:half\s+|(?:a|one|three)\s+quarters?\s+of\s+)?\ban?\s+{_SCALE_AHEAD})?"
    rf"(?i:\b{_NUMWORD}(?:{_JOIN}{_NUMWORD})*))"
    # "12.000" with a full stop is European copy for twelve thousand (never a decimal without a scale word)
    r"|(?P<dotted>[1-9]\d{0,2}(?:\.\d{3})+)"
    rf"(?![\d,]|\.\d|\s*(?:{_SCALE_WORD}|(?i:m|k|%|per\s*cent|percent)\b))"
    # "1,5 million": a decimal comma, only before a scale word (else "1,500" is fifteen hundred);
    # a space-grouped "12 000", but not "120 240mm" (a count before a calibre)
    rf"|(?P<digits>\d{{1,3}},\d{{1,2}}(?={_SEP}?{_SCALE_WORD})"
    rf"|\d{{1,3}}(?:,\d{{3}}(?!\d)|{_SEP}\d{{3}}(?!\w|[-‐][A-Za-z]))+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"(?:{_SEP}?(?P<scale>{_SCALE_WORD})"
    r"|(?P<short_scale>[mkMK])\b(?!\s+(?:from|away|long|wide|high|deep|tall|above|below|of)\b))?"
    r")"
)

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
# Each rule: (kind, pattern on the text before the number, pattern on the text after it).
# The first rule that matches decides; an "after" match also extends the quantity over its unit.
_KIND_RULES: tuple[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None], ...] = (
    # "Number 3", "the number 7" are labels; "soldiers number 11,000" is a verb
    ("label", re.compile(r"(?:[A-Za-z][-‐]|(?:\bNo\.|\bno\.|\bNumber|\bArticle|\bResolution|\bSection|\bChapter"
                         r"|\b(?i:the|a|serial|registration|hull|tail|phone)\s+number"
                         r"|\bParagraph|\bRoute|\bFlight|\bPage|\bJuche|#)\s*)$"), None),
    ("money", re.compile(r"(?:[$€£₩¥]|\bUS\$?|\bUSD|\bEUR|\bRUB)\s*$"),
     re.compile(r"\s*(?i:dollars|won|rubles|roubles|euros|yuan|usd|eur)\b")),
    ("percent", None, re.compile(r"\s*(?:%|(?i:per\s*cent|percent|pct|pc|percentage\s+points?)\b)")),
    ("time", None, re.compile(r":\d{2}|\s*(?:a\.m\.|p\.m\.|(?i:am|pm|o'clock|hrs)\b|GMT|UTC|KST)")),
    ("ordinal", None, re.compile(r"(?:st|nd|rd|th)\b")),
    ("decade", None, re.compile(r"['’]?s\b")),
    ("age", re.compile(r"\b(?i:aged|age\s+of|ages?)\s*(?:\d{1,2}\s*(?:[-–]|to|and)\s*)?$"),  # and "aged 18-25"
     re.compile(r"[\s-]*(?i:years?|yrs?)[\s-]*(?i:old)\b")),
    ("distance", None, re.compile(r"[\s-]*(?i:km|kilomet(?:er|re)s?|miles?|m|met(?:er|re)s?|feet|ft|yards?)\b")),
    ("caliber", None, re.compile(r"[\s-]*(?i:mm|millimet(?:er|re)s?|cm|calibre|caliber)\b")),
    ("measure", None, re.compile(r"[\s-]*(?i:tons?|tonnes?|barrels?|litres?|liters?|kg|kilograms?|pounds?|lbs?"
                                 r"|hectares?|acres?|square|sq)\b")),
    ("duration", None, re.compile(r"[\s-]*(?P<unit>(?i:days?|weeks?|months?|years?|hours?|minutes?|decades?|nights?))\b")),
    # "March 4, 2025", and the second day of "Dec. 14-15", "Oct. 8 and 13"
    ("date", re.compile(rf"\b{_MONTH}\s*(?:\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s*|\s*(?:[-–]|to|and|through)\s*))?$"),
     re.compile(rf"\s*(?:of\s+)?{_MONTH}(?!\w)")),
    ("year", re.compile(r"\b(?:19|20)\d\d[-–/]$"), None),
)
_RANGE_JOIN = re.compile(r"\s*(?:[-–—]|to|or|and)\s*$", re.IGNORECASE)
_AFTER_QUALIFIER = re.compile(r"(?:\s*(?:or\s+so|or\s+more|-?odd)\b|\+|-plus\b)", re.IGNORECASE)
_PHRASAL = re.compile(r"\b(?i:hand(?:ed|s|ing)?|turn(?:ed|s|ing)?|t(?:ake|akes|aken|aking|ook)|pass(?:ed|es|ing)?|"
                      r"hand(?:ed)?\s+it|move[ds]?|roll(?:ed)?)\s+$")
_NOT_FIRST = frozenset({"over", "under", "some", "just", "only", "estimated", "further", "additional",
                        "about", "around"})  # "talks about almost 6,000": "about" belongs to the verb
_ONE_SKIP_BEFORE = re.compile(r"\b(?i:no|any|every|the|this|that|which|each)\s+$")
_ONE_SKIP_AFTER = re.compile(r"\s*(?:-|(?i:of|another|or\s+two|or\s+other)\b)")


@dataclass(frozen=True)
class Quantity:
    """One number found in a text. ``text[start:end]`` covers its qualifier, the number and its unit."""

    start: int
    end: int
    low: float
    high: float
    approximate: bool
    qualifier: str  # "about", "up to", "another", "thousands" (for a vague quantity), ... or ""
    kind: str  # count | percent | duration | year | date | time | money | ordinal | decade | age | distance | ...
    unit: str = ""  # the unit of a duration: day, week, month, year, ...
    vague: bool = False
    scale: float = 1  # the scale word it was written with: 1_000_000 for "6 million", 1 for none

    @property
    def is_quantity(self) -> bool:
        """True for a count, a percentage or a duration: the kinds a figure can be."""
        return self.kind in QUANTITY_KINDS


def find_quantities(text: str, lexicon: Lexicon | None = None) -> list[Quantity]:
    """Every number in ``text``, in order, ranges joined and qualifiers attached."""
    lexicon = lexicon or load_lexicon()
    atoms = [q for m in _ATOM.finditer(text) if (q := _atom(text, m)) is not None]
    return [_qualified(text, q, lexicon) for q in _join_ranges(text, atoms)]


def _atom(text: str, m: re.Match[str]) -> Quantity | None:
    if m.group("and_half"):
        whole = m.group("whole")
        scale = _SCALES[m.group("half_scale").lower()]
        value = ((float(whole) if whole.isdigit() else words_value(whole)) + 0.5) * scale
        return Quantity(m.start(), m.end(), value, value, False, "", "count", scale=scale)
    if m.group("fraction"):
        if re.search(r"\b(?i:first|second|latter|former|last|other)\s+$", text[max(0, m.start() - 12):m.start()]):
            return None  # "the second half of 2024" is a time
        share = FRACTIONS[" ".join(re.split(r"[\s-]+", m.group("fraction").lower()))]
        return Quantity(m.start(), m.end(), share, share, False, "", "percent")
    if m.group("dotted"):
        value = float(m.group("dotted").replace(".", ""))
        kind, unit, end = _kind(text, m.start(), m.end(), value, plain_digits=False)
        return Quantity(m.start(), end, value, value, False, "", kind, unit)
    if m.group("vague"):
        phrase = m.group("vague").lower()
        low, high = next((lo, hi) for v, lo, hi in VAGUE if v == phrase)
        return Quantity(m.start(), m.end(), low, high, True, phrase, "count", vague=True)
    if m.group("words"):
        words = m.group("words")
        if words.lower() == "one" and (_ONE_SKIP_BEFORE.search(text, 0, m.start())
                                       or _ONE_SKIP_AFTER.match(text, m.end())):
            return None
        if words.lower() in _SCALES:
            return None  # a scale word alone is part of a vague phrase: "a couple of thousand"
        value = words_value(words)
        scale = max((v for w, v in _SCALES.items() if len(w) > 2 and w in words.lower()), default=1)
    else:
        digits = m.group("digits")
        if re.fullmatch(r"\d+,\d{1,2}", digits):
            digits = digits.replace(",", ".")
        value = float(re.sub(r"[,\u00a0\u2009\u202f ]", "", digits))
        scale = _SCALES.get((m.group("scale") or m.group("short_scale") or "").lower(), 1)
        value *= scale
    kind, unit, end = _kind(text, m.start(), m.end(), value, bool(m.group("digits")) and scale == 1)
    return Quantity(m.start(), end, value, value, False, "", kind, unit, scale=scale)


def words_value(words: str) -> float:
    """The value of number words: "twenty-five thousand" -> 25000, "half a million" -> 500000,
    "a quarter of a million" -> 250000."""
    tokens = re.findall(r"[a-z]+", words.lower())
    factor = 1.0
    if "of" in tokens and {"quarter", "quarters"} & set(tokens[:2]):  # "a quarter of a million"
        factor = 0.75 if tokens[0] == "three" else 0.25
        tokens = tokens[tokens.index("of") + 1:]
    total, current = 0.0, 0.0
    for token in tokens:
        if token in _WORD_VALUES:
            current += _WORD_VALUES[token]
        elif token == "hundred":
            current = (current or 1) * 100
        elif token == "dozen":
            current = (current or 1) * 12
        elif token in _SCALES:
            total += (current or 1) * _SCALES[token]
            current = 0
    value = (total + current) * factor
    return value / 2 if tokens and tokens[0] == "half" else value


def _kind(text: str, start: int, end: int, value: float, plain_digits: bool) -> tuple[str, str, int]:
    """(kind, unit, end) of the number at ``text[start:end]``, from the words around it."""
    before = text[max(0, start - 40):start]
    for kind, before_re, after_re in _KIND_RULES:
        if kind in ("date", "year") and not (plain_digits and (value <= 31 or 1900 <= value <= 2100)):
            continue  # "in March 3,000 troops": a day of the month is at most 31
        if before_re is not None and before_re.search(before):
            return kind, "", end
        if after_re is not None and (after := after_re.match(text, end)):
            unit = after.groupdict().get("unit") or ""
            return kind, unit.lower().rstrip("s"), after.end()
    number = text[start:end]
    if plain_digits and re.fullmatch(r"(?:19|20)\d\d", number):
        return "year", "", end
    return "count", "", end


def _join_ranges(text: str, atoms: list[Quantity]) -> list[Quantity]:
    """Join "A to B", "A-B", "between A and B", "from A to B" into one quantity low=A, high=B."""
    out: list[Quantity] = []
    for q in atoms:
        prev = out[-1] if out else None
        if prev is not None and _is_range(text, prev, q):
            low = prev.low
            if prev.scale == 1 and q.scale > 1 and low * q.scale <= q.low:
                low *= q.scale  # "10 to 12 thousand", "2-3 million"
            elif prev.scale == 1 and low < 1_000 <= q.low and q.low / 10_000 <= low and low * 1_000 <= q.low:
                low *= 1_000  # "10-12,000", "2-3,000": the thousands are written once
            if low < q.low:
                out[-1] = replace(q, start=prev.start, low=low, high=q.high, approximate=True)  # a range is an estimate
                continue
        out.append(q)
    return out


def _is_range(text: str, a: Quantity, b: Quantity) -> bool:
    if a.vague or b.vague or a.kind not in ("count", b.kind) or b.kind not in QUANTITY_KINDS:
        return False
    join = _RANGE_JOIN.fullmatch(text, a.end, b.start)
    if not join:
        return False
    word = join.group().strip().lower()
    return word != "and" or bool(re.search(r"\bbetween\s*$", text[max(0, a.start - 12):a.start], re.IGNORECASE))


def _qualified(text: str, q: Quantity, lexicon: Lexicon) -> Quantity:
    """Attach the qualifier written in front ("about", "up to another") and behind ("or so")."""
    start = q.start
    frame = re.search(r"\b(?i:between|from)\s+$", text[max(0, start - 12):start]) if q.low < q.high else None
    if frame:  # "between 11,000 and 12,000": the qualifier, if any, stands before "between" ("up from two" is no range)
        start -= len(frame.group())
    window_start = max(0, start - 60)
    tail = lexicon.qualifier_tail.search(text, window_start, start)
    words = lexicon.qualifiers.finditer(text, tail.start(), start) if tail else []
    while words and _not_a_qualifier(text, words):
        words = words[1:]  # "handed over up to 6 million": "over" belongs to the verb
    qualifier = " ".join(" ".join(m.group().lower().split()) for m in words)
    approximate = q.approximate or any(lexicon.qualifiers.label(m) == "approximate" for m in words)
    if words:
        start = words[0].start()
    end = q.end
    if q.kind in ("count", "percent") and (after := _AFTER_QUALIFIER.match(text, q.end)):
        approximate, end = True, after.end()
        qualifier = f"{qualifier} {after.group().strip()}".strip()
    if q.vague:
        qualifier = f"{qualifier} {q.qualifier}".strip()
    return replace(q, start=start if words or frame else q.start, end=end, qualifier=qualifier,
                   approximate=approximate)


def _not_a_qualifier(text: str, words: list[re.Match[str]]) -> bool:
    """True when the first of the qualifier words in front of a number is not one.

    "over" after a phrasal verb ("handed over 6 million") is part of the verb; a word that is only
    sometimes a qualifier ("some", "over") does not start a pair ("over up to").
    """
    first = words[0].group().lower()
    if first in ("over", "under") and _PHRASAL.search(text, max(0, words[0].start() - 20), words[0].start()):
        return True
    return len(words) > 1 and first in _NOT_FIRST
