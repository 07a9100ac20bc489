"""The topic's vocabulary, loaded from ``lexicon.yaml`` and compiled once.

The tagger's knowledge of the topic (names of North Korea, claimants, category triggers, event
triggers) lives in YAML so an analyst can extend it without touching code. This module turns that
file into a frozen :class:`Lexicon` of compiled patterns, and refuses a file it cannot trust: an
unknown key, a wrong type, an empty list, an unknown category or a bad regular expression raises
:class:`LexiconError` naming the file and the key path, because a silently ignored typo would
silently lose figures.

How a phrase becomes a pattern is described at the top of ``lexicon.yaml``; in short, case matters
only where the phrase writes a capital, and spaces and hyphens are interchangeable.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PACKAGED = Path(__file__).with_name("lexicon.yaml")

# The fixed taxonomy of figure categories (the storage schema and the gold sets use these names).
CATEGORIES = (
    "troops_deployed", "killed", "wounded", "casualties", "captured", "missing", "shells", "missiles",
    "artillery", "rocket_launchers", "workers", "sappers", "ammo_share_percent", "duration_days", "other",
)
EVENT_TYPES = (
    "deployment", "reinforcement", "casualties_acknowledged", "ceremony_award", "return_withdrawal",
    "capture", "weapons_transfer", "treaty_summit_visit", "engineering",
)
KINDS = ("count", "percent", "duration")
PERSONNEL = "personnel"  # the label of a people noun whose category comes from its predicate

_APOSTROPHES = "'’ʼ"


class LexiconError(Exception):
    """The lexicon file is missing, unreadable or does not follow the schema."""


@dataclass(frozen=True)
class Terms:
    """A list of phrases compiled into one pattern; each match says which label it stands for.

    Alternatives are ordered longest first, so at one position the longest phrase wins
    ("killed or wounded" over "killed").
    """

    phrases: tuple[str, ...]
    labels: tuple[str, ...]
    pattern: re.Pattern[str]

    def finditer(self, text: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
        return list(self.pattern.finditer(text, start, len(text) if end is None else end))

    def search(self, text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
        return self.pattern.search(text, start, len(text) if end is None else end)

    def match(self, text: str, start: int = 0) -> re.Match[str] | None:
        """A phrase starting exactly at ``start``."""
        return self.pattern.match(text, start)

    def label(self, match: re.Match[str]) -> str:
        """The label (category, claimant, ...) of the phrase that produced ``match``."""
        assert match.lastgroup is not None
        return self.labels[int(match.lastgroup[1:])]


@dataclass(frozen=True)
class CategoryRules:
    """How one figure category is recognised (see the comment above ``categories`` in the YAML)."""

    name: str
    kind: str  # count | percent | duration
    nouns: tuple[str, ...]
    of_nouns: tuple[str, ...]
    predicates: tuple[str, ...]


@dataclass(frozen=True)
class EventRule:
    type: str
    triggers: Terms
    with_: Terms | None  # when set, the sentence needs one of these too


@dataclass(frozen=True)
class Lexicon:
    """The compiled vocabulary. Build it with :func:`load_lexicon`."""

    source: Path
    north_korea: Terms
    north_korea_references: Terms
    other_sides: Terms
    war_sides: Terms
    russia_war: Terms
    link: Terms
    min_score: float
    end_markers: re.Pattern[str]  # fullmatch on a stripped line
    drop_lines: re.Pattern[str]  # match at the start of a stripped line
    categories: tuple[CategoryRules, ...]
    nouns: Terms  # count categories' nouns and the personnel nouns, labelled by category
    of_nouns: Terms  # count categories' "<noun> of N", labelled by category
    predicates: Terms  # count categories' predicates, labelled by category
    percent_nouns: Terms
    duration_predicates: Terms
    totals: Terms
    links: Terms  # "casualties reach N"
    continuations: Terms  # "up from N": another value of the figure before
    references: Terms  # "the figure of N", "put the number at N": a figure named in a sentence before
    transfer: Terms
    weapon_markers: Terms
    claimants: Terms  # labelled by canonical claimant
    reporting_after: Terms  # "<claimant> said"
    reporting_before: Terms  # "according to <claimant>"
    qualifiers: Terms  # labelled "approximate" or "exact"
    qualifier_tail: re.Pattern[str]  # one or two qualifiers at the end of a string
    planned: Terms
    denied: Terms
    events: tuple[EventRule, ...]

    def category(self, name: str) -> CategoryRules | None:
        return next((rules for rules in self.categories if rules.name == name), None)


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Load and compile a lexicon; ``None`` is the packaged ``lexicon.yaml`` beside this module.

    The result is cached per resolved path (edit the file, then restart to see the change).
    """
    return _load((path or PACKAGED).resolve())


@lru_cache(maxsize=8)
def _load(path: Path) -> Lexicon:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise LexiconError(f"{path}: not valid YAML: {exc}") from exc
    return _Compiler(path).lexicon(data)


class _Compiler:
    """Validates the parsed YAML and compiles it; every error names ``path`` and the key path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> LexiconError:
        return LexiconError(f"{self.path}: {key}: {problem}")

    def mapping(self, value: Any, key: str, allowed: Collection[str] | None = None,
                required: Collection[str] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a mapping (got {type(value).__name__})")
        for name in value:
            if not isinstance(name, str):
                raise self.fail(key, f"keys must be strings (got {name!r})")
            if allowed is not None and name not in allowed:
                raise self.fail(f"{key}.{name}" if key else name,
                                f"unknown key (expected one of: {', '.join(sorted(allowed))})")
        for name in sorted(set(required) - set(value)):
            raise self.fail(f"{key}.{name}" if key else name, "missing")
        return value

    def phrases(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, "must be a non-empty list of phrases")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{key}[{i}]", f"must be a non-empty string (got {item!r})")
        return tuple(item.strip() for item in value)

    def terms(self, value: Any, key: str) -> Terms:
        phrases = self.phrases(value, key)
        return self.labelled([(p, p.casefold(), key) for p in phrases])

    def labelled(self, entries: list[tuple[str, str, str]]) -> Terms:
        """Compile (phrase, label, key path) entries; one phrase may not carry two labels."""
        seen: dict[str, tuple[str, str]] = {}
        unique: list[tuple[str, str, str]] = []
        for phrase, label, key in entries:
            folded = phrase.casefold()
            if folded in seen:
                if seen[folded][0] != label:
                    raise self.fail(key, f"{phrase!r} is also listed under {seen[folded][1]}")
                continue
            seen[folded] = (label, key)
            unique.append((phrase, label, key))
        unique.sort(key=lambda entry: len(entry[0]), reverse=True)
        alternatives = []
        for i, (phrase, _, key) in enumerate(unique):
            body = phrase_regex(phrase)
            try:
                re.compile(body)
            except re.error as exc:
                raise self.fail(key, f"bad regular expression {phrase!r}: {exc}") from exc
            alternatives.append(f"(?P<p{i}>{body})")
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
        return Terms(tuple(e[0] for e in unique), tuple(e[1] for e in unique), pattern)

    def lexicon(self, data: Any) -> Lexicon:
        sections = {"relevance", "boilerplate", "figures", "claimants", "reporting", "qualifiers", "stance", "events"}
        top = self.mapping(data, "", sections | {"version"}, sections)
        if top.get("version", 1) != 1:
            raise self.fail("version", f"unsupported version {top['version']!r} (expected 1)")
        rel_keys = {"north_korea", "north_korea_references", "other_sides", "war_sides", "russia_war", "link",
                    "min_score"}
        rel = self.mapping(top["relevance"], "relevance", rel_keys, rel_keys)
        min_score = rel["min_score"]
        if isinstance(min_score, bool) or not isinstance(min_score, (int, float)) or not 0 <= min_score <= 1:
            raise self.fail("relevance.min_score", f"must be a number between 0 and 1 (got {min_score!r})")
        boiler_keys = {"end_markers", "drop_lines"}
        boiler = self.mapping(top["boilerplate"], "boilerplate", boiler_keys, boiler_keys)
        fig_keys = {"personnel", "totals", "links", "continuations", "references", "transfer", "weapon_markers",
                    "categories"}
        fig = self.mapping(top["figures"], "figures", fig_keys, fig_keys)
        reporting_keys = {"after", "before"}
        reporting = self.mapping(top["reporting"], "reporting", reporting_keys, reporting_keys)
        stance_keys = {"planned", "denied"}
        stance = self.mapping(top["stance"], "stance", stance_keys, stance_keys)
        categories = self.categories(fig["categories"])
        personnel = self.phrases(fig["personnel"], "figures.personnel")
        qualifiers = self.qualifiers(top["qualifiers"])

        def by_category(field: str, kind: str) -> Terms:
            entries = [(phrase, rules.name, f"figures.categories.{rules.name}.{field}")
                       for rules in categories if rules.kind == kind for phrase in getattr(rules, field)]
            if field == "nouns" and kind == "count":
                entries += [(phrase, PERSONNEL, "figures.personnel") for phrase in personnel]
            return self.labelled(entries or [("re:(?!)", "", f"figures.categories ({kind} {field})")])

        return Lexicon(
            source=self.path,
            north_korea=self.terms(rel["north_korea"], "relevance.north_korea"),
            north_korea_references=self.terms(rel["north_korea_references"], "relevance.north_korea_references"),
            other_sides=self.terms(rel["other_sides"], "relevance.other_sides"),
            war_sides=self.terms(rel["war_sides"], "relevance.war_sides"),
            russia_war=self.terms(rel["russia_war"], "relevance.russia_war"),
            link=self.terms(rel["link"], "relevance.link"),
            min_score=float(min_score),
            end_markers=self.line_pattern(boiler["end_markers"], "boilerplate.end_markers", whole=True),
            drop_lines=self.line_pattern(boiler["drop_lines"], "boilerplate.drop_lines", whole=False),
            categories=categories,
            nouns=by_category("nouns", "count"),
            of_nouns=by_category("of_nouns", "count"),
            predicates=by_category("predicates", "count"),
            percent_nouns=by_category("nouns", "percent"),
            duration_predicates=by_category("predicates", "duration"),
            totals=self.terms(fig["totals"], "figures.totals"),
            links=self.terms(fig["links"], "figures.links"),
            continuations=self.terms(fig["continuations"], "figures.continuations"),
            references=self.terms(fig["references"], "figures.references"),
            transfer=self.terms(fig["transfer"], "figures.transfer"),
            weapon_markers=self.terms(fig["weapon_markers"], "figures.weapon_markers"),
            claimants=self.claimants(top["claimants"]),
            reporting_after=self.terms(reporting["after"], "reporting.after"),
            reporting_before=self.terms(reporting["before"], "reporting.before"),
            qualifiers=qualifiers,
            qualifier_tail=re.compile(
                r"(?:(?<!\w)(?:" + "|".join(phrase_regex(p) for p in qualifiers.phrases) + r")\s+){1,2}$"),
            planned=self.terms(stance["planned"], "stance.planned"),
            denied=self.terms(stance["denied"], "stance.denied"),
            events=self.events(top["events"]),
        )

    def categories(self, value: Any) -> tuple[CategoryRules, ...]:
        table = self.mapping(value, "figures.categories")
        rules = []
        for name, spec in table.items():
            key = f"figures.categories.{name}"
            if name not in CATEGORIES:
                raise self.fail(key, f"unknown category (expected one of: {', '.join(CATEGORIES)})")
            spec = self.mapping(spec, key, {"kind", "nouns", "of_nouns", "predicates"})
            if not {"nouns", "of_nouns", "predicates"} & set(spec):
                raise self.fail(key, "needs at least one of nouns, of_nouns, predicates")
            kind = spec.get("kind", "count")
            if kind not in KINDS:
                raise self.fail(f"{key}.kind", f"must be one of {', '.join(KINDS)} (got {kind!r})")
            lists = {field: self.phrases(spec[field], f"{key}.{field}") if field in spec else ()
                     for field in ("nouns", "of_nouns", "predicates")}
            rules.append(CategoryRules(name, kind, lists["nouns"], lists["of_nouns"], lists["predicates"]))
        return tuple(rules)

    def claimants(self, value: Any) -> Terms:
        table = self.mapping(value, "claimants")
        if not table:
            raise self.fail("claimants", "must name at least one claimant")
        entries = []
        for name, aliases in table.items():
            entries += [(alias, name, f"claimants.{name}") for alias in self.phrases(aliases, f"claimants.{name}")]
        return self.labelled(entries)

    def qualifiers(self, value: Any) -> Terms:
        table = self.mapping(value, "qualifiers")
        if not table:
            raise self.fail("qualifiers", "must list at least one qualifier")
        entries = []
        for phrase, approximate in table.items():
            if not isinstance(approximate, bool):
                raise self.fail(f"qualifiers.{phrase}", f"must be true or false (got {approximate!r})")
            entries.append((phrase, "approximate" if approximate else "exact", f"qualifiers.{phrase}"))
        return self.labelled(entries)

    def events(self, value: Any) -> tuple[EventRule, ...]:
        table = self.mapping(value, "events")
        rules = []
        for name, spec in table.items():
            key = f"events.{name}"
            if name not in EVENT_TYPES:
                raise self.fail(key, f"unknown event type (expected one of: {', '.join(EVENT_TYPES)})")
            spec = self.mapping(spec, key, {"triggers", "with"}, {"triggers"})
            with_ = self.terms(spec["with"], f"{key}.with") if "with" in spec else None
            rules.append(EventRule(name, self.terms(spec["triggers"], f"{key}.triggers"), with_))
        return tuple(rules)

    def line_pattern(self, value: Any, key: str, whole: bool) -> re.Pattern[str]:
        terms = self.terms(value, key)
        body = "|".join(phrase_regex(p) for p in terms.phrases)
        # a whole-line marker may carry a count: "Comments (12)"
        return re.compile(rf"(?:{body})\s*(?:\(\d+\))?\W*$" if whole else rf"(?:{body})")


def phrase_regex(phrase: str) -> str:
    """The regular expression for one lexicon phrase (without word boundaries)."""
    if phrase.startswith("re:"):
        return f"(?i:{phrase[3:]})"
    words = []
    for token in phrase.split():
        pieces = [_word_regex(piece) for piece in token.split("-") if piece]
        words.append(r"(?:[-‐]|\s)?".join(pieces))
    return r"[\s\-‐]+".join(words)


def _word_regex(word: str) -> str:
    """Case is kept only where the phrase writes a capital: all of an acronym, the first letter of a name."""
    letters = [ch for ch in word if ch.isalpha()]
    if len(letters) >= 2 and all(ch.isupper() for ch in letters):
        return "".join(_char(ch) for ch in word)
    if word[0].isupper():
        return _char(word[0]) + (f"(?i:{''.join(_char(ch) for ch in word[1:])})" if word[1:] else "")
    return f"(?i:{''.join(_char(ch) for ch in word)})"


def _char(ch: str) -> str:
    return f"[{_APOSTROPHES}]" if ch in _APOSTROPHES else re.escape(ch)
