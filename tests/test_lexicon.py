"""The lexicon: the packaged file loads, phrases match as documented, a bad file is refused by key path."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from extractors.lexicon import CATEGORIES, PACKAGED, Lexicon, LexiconError, load_lexicon


@pytest.fixture()
def lexicon() -> Lexicon:
    return load_lexicon()


def packaged() -> dict:
    return yaml.safe_load(PACKAGED.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "lexicon.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_packaged_lexicon_loads_and_is_cached(lexicon: Lexicon) -> None:
    assert lexicon is load_lexicon(None) is load_lexicon(PACKAGED)
    assert lexicon.source == PACKAGED.resolve()
    assert {rules.name for rules in lexicon.categories} <= set(CATEGORIES)
    with pytest.raises(dataclasses.FrozenInstanceError):
        lexicon.min_score = 0.1  # type: ignore[misc]


def test_a_copy_of_the_file_loads_the_same(tmp_path: Path) -> None:
    copy = load_lexicon(write(tmp_path, packaged()))
    assert copy is not load_lexicon()
    assert sorted(zip(copy.claimants.phrases, copy.claimants.labels)) == sorted(
        zip(load_lexicon().claimants.phrases, load_lexicon().claimants.labels))


def labels(terms, text: str) -> list[tuple[str, str]]:
    return [(m.group(), terms.label(m)) for m in terms.finditer(text)]


def test_claimant_aliases_give_the_canonical_name(lexicon: Lexicon) -> None:
    text = ("South Korea's spy agency, Seoul's intelligence, the National Intelligence Service, Budanov, "
            "Zelensky, Zelenskiy, Zelenskyy, the Korean Central News Agency, the Institute for the Study of War")
    assert [label for _, label in labels(lexicon.claimants, text)] == [
        "NIS", "NIS", "NIS", "GUR (Budanov)", "Zelenskyy", "Zelenskyy", "Zelenskyy", "KCNA", "ISW"]


def test_the_longest_phrase_wins(lexicon: Lexicon) -> None:
    assert labels(lexicon.predicates, "were killed or wounded") == [("killed or wounded", "casualties")]
    assert labels(lexicon.claimants, "Russian state media") == [("Russian state media", "Russian media")]


def test_case_matters_only_where_a_capital_is_written(lexicon: Lexicon) -> None:
    refs = lexicon.north_korea_references
    assert [m.group() for m in refs.finditer("the North said")] == ["the North"]
    assert [m.group() for m in refs.finditer("the north of Ukraine")] == []
    assert [m.group() for m in lexicon.claimants.finditer("NIS said; nis said")] == ["NIS"]  # acronyms exactly
    assert [m.group() for m in lexicon.predicates.finditer("KILLED")] == ["KILLED"]  # lower case: any case


def test_spaces_hyphens_and_apostrophes_are_interchangeable(lexicon: Lexicon) -> None:
    nk = [m.group() for m in lexicon.north_korea.finditer("Kim Jong Un, Kim Jong-un, KIM JONG UN")]
    assert nk == ["Kim Jong Un", "Kim Jong-un", "KIM JONG UN"]
    assert labels(lexicon.claimants, "South Korea’s spy agency") == [("South Korea’s spy agency", "NIS")]
    assert [m.group() for m in lexicon.events[-1].triggers.finditer("mine clearing and mine-clearing")] == [
        "mine clearing", "mine-clearing"]


def test_whole_words_only(lexicon: Lexicon) -> None:
    assert lexicon.north_korea.search("NKorea NKVD") is None
    assert lexicon.predicates.search("unkilled") is None


def test_qualifiers_know_which_are_approximate(lexicon: Lexicon) -> None:
    assert dict(labels(lexicon.qualifiers, "about another up to")) == {
        "about": "approximate", "another": "exact", "up to": "approximate"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["relevance"].update(colour=["red"]), "relevance.colour: unknown key"),
        (lambda d: d.update(extra={}), "extra: unknown key"),
        (lambda d: d["relevance"].pop("link"), "relevance.link: missing"),
        (lambda d: d["relevance"].pop("war_sides"), "relevance.war_sides: missing"),
        (lambda d: d["figures"].pop("references"), "figures.references: missing"),
        (lambda d: d["relevance"].update(north_korea="North Korea"), "relevance.north_korea: must be a non-empty list"),
        (lambda d: d["relevance"].update(north_korea=[]), "relevance.north_korea: must be a non-empty list"),
        (lambda d: d["relevance"].update(north_korea=["North Korea", 3]), "relevance.north_korea[1]: must be a non-empty string"),
        (lambda d: d["relevance"].update(min_score=2), "relevance.min_score: must be a number between 0 and 1"),
        (lambda d: d["figures"]["categories"].update(tanks={"nouns": ["tanks"]}), "figures.categories.tanks: unknown category"),
        (lambda d: d["figures"]["categories"]["killed"].update(kind="ratio"), "figures.categories.killed.kind: must be one of"),
        (lambda d: d["figures"]["categories"]["killed"].update(verbs=["slain"]), "figures.categories.killed.verbs: unknown key"),
        (lambda d: d["figures"]["categories"]["killed"].update(nouns=[]), "figures.categories.killed.nouns: must be a non-empty list"),
        (lambda d: d["figures"]["categories"]["shells"]["nouns"].append("missiles"),
         "figures.categories.shells.nouns: 'missiles' is also listed under figures.categories.missiles.nouns"),
        (lambda d: d["claimants"].update(NIS=[]), "claimants.NIS: must be a non-empty list"),
        (lambda d: d["qualifiers"].update(about="yes"), "qualifiers.about: must be true or false"),
        (lambda d: d["events"].update(parade={"triggers": ["parade"]}), "events.parade: unknown event type"),
        (lambda d: d["events"]["capture"].update(when=["x"]), "events.capture.when: unknown key"),
        (lambda d: d["stance"].update(planned=["re:(unclosed"]), "stance.planned: bad regular expression"),
        (lambda d: d.update(version=2), "version: unsupported version 2"),
    ],
)
def test_a_bad_file_is_refused_naming_the_key_path_and_the_file(tmp_path: Path, change, message: str) -> None:
    data = packaged()
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(LexiconError) as error:
        load_lexicon(path)
    assert message in str(error.value)
    assert str(path.resolve()) in str(error.value)


def test_a_missing_or_unparsable_file_is_a_lexicon_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot read"):
        load_lexicon(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("relevance: [unclosed", encoding="utf-8")
    with pytest.raises(LexiconError, match="not valid YAML"):
        load_lexicon(broken)
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(LexiconError, match="must be a mapping"):
        load_lexicon(empty)


def test_an_analyst_can_add_a_claimant_without_code(tmp_path: Path) -> None:
    data = packaged()
    data["claimants"]["Estonian intelligence"] = ["Estonia's foreign intelligence service"]
    lexicon = load_lexicon(write(tmp_path, data))
    assert labels(lexicon.claimants, "Estonia's foreign intelligence service said") == [
        ("Estonia's foreign intelligence service", "Estonian intelligence")]


def test_abbreviations_of_north_korea(lexicon: Lexicon) -> None:
    text = "N. Korea, N Korea, N.Korean, NK, DPRK, KPA, Pyongyang; not NKVD, UNKNOWN or IN Korea"
    assert [m.group() for m in lexicon.north_korea.finditer(text)] == [
        "N. Korea", "N Korea", "N.Korean", "NK", "DPRK", "KPA", "Pyongyang"]


def test_war_sides_name_russia_and_ukraine_only(lexicon: Lexicon) -> None:
    assert [m.group() for m in lexicon.war_sides.finditer("Russian, Ukraine's, American, Chinese, both sides")] == [
        "Russian", "Ukraine's"]


def test_a_reference_word_stands_for_a_figure(lexicon: Lexicon) -> None:
    assert [m.group() for m in lexicon.references.finditer("put the number at, the figure of, the estimate is")] == [
        "number", "figure", "estimate"]
