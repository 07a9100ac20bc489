"""Every written form of a number, and the numbers that are not quantities (years, dates, money ...)."""

from __future__ import annotations

import pytest

from extractors.numbers import Quantity, find_quantities, words_value


def only(text: str) -> Quantity:
    found = find_quantities(text)
    assert len(found) == 1, [(text[q.start:q.end], q.kind) for q in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("12,000 troops", 12_000, 12_000),
        ("12 000 troops", 12_000, 12_000),
        ("12\u2009000 troops", 12_000, 12_000),  # thin space
        ("12\u202f000 troops", 12_000, 12_000),  # narrow no-break space
        ("12\u00a0000 troops", 12_000, 12_000),  # no-break space
        ("1,234,567 rounds", 1_234_567, 1_234_567),
        ("6 million shells", 6_000_000, 6_000_000),
        ("1.5 million shells", 1_500_000, 1_500_000),
        ("6m shells", 6_000_000, 6_000_000),
        ("half a million shells", 500_000, 500_000),
        ("nine members", 9, 9),
        ("Eleven soldiers", 11, 11),
        ("two hundred deminers", 200, 200),
        ("twenty-five thousand troops", 25_000, 25_000),
        ("one hundred and fifty missiles", 150, 150),
        ("a dozen officers", 12, 12),
        ("a hundred thousand rounds", 100_000, 100_000),
    ],
)
def test_exact_numbers(text: str, low: float, high: float) -> None:
    q = only(text)
    assert (q.low, q.high, q.kind, q.approximate, q.vague) == (low, high, "count", False, False)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("thousands of troops", 2_000, 9_999),
        ("several thousand troops", 2_000, 9_999),
        ("tens of thousands of troops", 20_000, 99_999),
        ("dozens of soldiers", 24, 99),
        ("several dozen missiles", 24, 99),
        ("several hundred soldiers", 200, 999),
        ("hundreds of soldiers", 200, 999),
        ("a handful of soldiers", 2, 9),
        ("millions of shells", 2_000_000, 9_999_999),
    ],
)
def test_vague_quantities_are_approximate_ranges(text: str, low: float, high: float) -> None:
    q = only(text)
    assert (q.low, q.high, q.approximate, q.vague) == (low, high, True, True)
    assert q.qualifier == text.rsplit(" of ", 1)[0].removesuffix(" missiles").removesuffix(" soldiers").removesuffix(" troops")


@pytest.mark.parametrize("text", ["40%", "40 %", "40 percent", "40 per cent", "40 pct"])
def test_percentages(text: str) -> None:
    q = only(f"up to {text} of Russia's ammunition")
    assert (q.low, q.kind, q.qualifier, q.approximate) == (40, "percent", "up to", True)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("25,000 to 30,000 soldiers", 25_000, 30_000),
        ("between 11,000 and 12,000 troops", 11_000, 12_000),
        ("11,000-12,000 troops", 11_000, 12_000),
        ("11,000–12,000 troops", 11_000, 12_000),
        ("from 10,000 to 12,000 troops", 10_000, 12_000),
        ("25 000 to 30 000 soldiers", 25_000, 30_000),
        ("10 to 12 thousand troops", 10_000, 12_000),
        ("2-3 million shells", 2_000_000, 3_000_000),
        ("two or three soldiers", 2, 3),
        ("30-40% of the shells", 30, 40),
    ],
)
def test_ranges(text: str, low: float, high: float) -> None:
    q = only(text)
    assert (q.low, q.high) == (low, high)
    assert text.startswith(text[q.start:q.end])


@pytest.mark.parametrize(
    ("text", "qualifier", "approximate"),
    [
        ("about 12 000 people", "about", True),
        ("around 11,000 troops", "around", True),
        ("roughly 600 troops", "roughly", True),
        ("some 4,700 casualties", "some", True),
        ("nearly 3,000 soldiers", "nearly", True),
        ("almost 3 million rounds", "almost", True),
        ("up to 6 million shells", "up to", True),
        ("more than 13,000 containers", "more than", True),
        ("over 12 million shells", "over", True),
        ("at least 2,000 soldiers", "at least", True),
        ("as many as 30,000 troops", "as many as", True),
        ("an estimated 8 million shells", "an estimated", True),
        ("another 3 000 soldiers", "another", False),
        ("a further 2,000 soldiers", "a further", False),
        ("an additional 25 000 to 30 000 soldiers", "an additional", True),  # a range is an estimate
        ("an additional 3 000 soldiers", "an additional", False),
        ("more than a handful of soldiers", "more than a handful", True),
        ("12,000 or so troops", "or so", True),
    ],
)
def test_qualifier_in_front(text: str, qualifier: str, approximate: bool) -> None:
    q = only(text)
    assert (q.qualifier, q.approximate) == (qualifier, approximate)
    assert q.start == 0  # the quantity's span covers its qualifier


def test_over_after_a_verb_is_not_a_qualifier() -> None:
    q = only("North Korea had handed over up to 6 million shells")
    assert (q.qualifier, q.low) == ("up to", 6_000_000)
    assert only("handed over 6 million shells").qualifier == ""


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("in 2024", "year"),
        ("the 2024-25 season", "year"),
        ("on April 26", "date"),
        ("22 August", "date"),
        ("at 12:20", "time"),
        ("at 10 a.m.", "time"),
        ("$1.5 billion", "money"),
        ("1,000 won", "money"),
        ("the 2nd battalion", "ordinal"),
        ("the 1990s", "decade"),
        ("10 km from the border", "distance"),
        ("500m from the border", "distance"),
        ("aged 19", "age"),
        ("a 19-year-old soldier", "age"),
        ("152mm shells", "caliber"),
        ("170-mm guns", "caliber"),
        ("7.5 million tons of oil", "measure"),
        ("KN-23 missiles", "label"),
        ("Article 4 of the treaty", "label"),
        ("three years of fighting", "duration"),
        ("a nearly four-year invasion", "duration"),
        ("120 days", "duration"),
    ],
)
def test_numbers_that_are_not_counts_say_what_they_are(text: str, kind: str) -> None:
    found = find_quantities(text)
    assert found and {q.kind for q in found} == {kind}  # "2024-25" is two years
    assert found[0].is_quantity == (kind == "duration")


def test_a_duration_keeps_its_unit() -> None:
    assert (only("deployed for 120 days").unit, only("three months").unit) == ("day", "month")


def test_a_full_date_is_not_a_count() -> None:
    kinds = [q.kind for q in find_quantities("As early as January 4, 2024, and on 22 August 2025, 12:20")]
    assert "count" not in kinds


def test_a_count_before_a_calibre_stays_a_count() -> None:
    found = find_quantities("around 120 240mm multiple rocket launchers")
    assert [(q.low, q.kind) for q in found] == [(120, "count"), (240, "caliber")]


def test_a_day_of_the_month_is_at_most_31() -> None:
    assert only("In March 3,000 troops").kind == "count"


def test_one_of_is_not_a_count() -> None:
    assert find_quantities("one of the soldiers") == []
    assert only("one soldier").low == 1


def test_offsets_index_the_text() -> None:
    text = "Seoul said about 12 000 people, and another 3,000 were deployed."
    assert [text[q.start:q.end] for q in find_quantities(text)] == ["about 12 000", "another 3,000"]


def test_words_value() -> None:
    assert words_value("twenty-five thousand") == 25_000
    assert words_value("half a dozen") == 6
    assert words_value("two hundred and fifty") == 250


# --- Forms added when set-b became a development set. ---


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("half of the rounds", 50),
        ("Half the ammunition", 50),
        ("a quarter of the shells", 25),
        ("one-third of its munitions", 33),
        ("two thirds of all shells", 67),
        ("three quarters of the rounds", 75),
    ],
)
def test_shares_written_as_fractions_are_percentages(text: str, share: float) -> None:
    q = only(text)
    assert (q.kind, q.low, q.high) == ("percent", share, share)


@pytest.mark.parametrize("text", ["the second half of 2024", "a third of a century", "half a dozen soldiers"])
def test_fractions_that_are_not_shares(text: str) -> None:
    assert all(q.kind != "percent" for q in find_quantities(text))


def test_a_fraction_takes_its_qualifier() -> None:
    q = only("roughly half of the rounds")
    assert (q.qualifier, q.approximate, q.low) == ("roughly", True, 50)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12.000 soldiers", 12_000),  # a full stop as the thousands separator (European copy)
        ("1.500.000 rounds", 1_500_000),
        ("1,5 million rounds", 1_500_000),  # a decimal comma before a scale word
        ("2.4mn shells", 2_400_000),
        ("a quarter of a million rounds", 250_000),
        ("three quarters of a million rounds", 750_000),
        ("one and a half million rounds", 1_500_000),
        ("11K troops", 11_000),
        ("6M shells", 6_000_000),
    ],
)
def test_more_written_forms(text: str, value: float) -> None:
    q = only(text)
    assert (q.low, q.high, q.kind) == (value, value, "count")


def test_a_decimal_with_a_scale_word_stays_a_decimal() -> None:
    assert only("2.125 million rounds").low == 2_125_000
    assert only("1.5 million rounds").low == 1_500_000


def test_pc_is_a_percentage() -> None:
    assert only("40pc of the shells").kind == "percent"


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("10-12,000 troops", 10_000, 12_000),  # the thousands written once
        ("2-3,000 troops", 2_000, 3_000),
        ("500-1,000 troops", 500, 1_000),  # not 500,000
        ("8,000 or 9,000 troops", 8_000, 9_000),
        ("11.000-12.000 troops", 11_000, 12_000),
        ("10 000-12 000 troops", 10_000, 12_000),  # space-grouped on both sides of the dash
    ],
)
def test_more_ranges(text: str, low: float, high: float) -> None:
    q = only(text)
    assert (q.low, q.high, q.approximate) == (low, high, True)


def test_up_from_a_single_number_is_no_range_frame() -> None:
    text = "up from two a year earlier"
    assert [text[q.start:q.end] for q in find_quantities(text)] == ["two"]


@pytest.mark.parametrize(("text", "kind"), [("Dec. 14-15", "date"), ("between Oct. 8 and 13", "date"),
                                            ("aged 18-25", "age")])
def test_the_second_number_of_a_day_or_age_range_is_no_count(text: str, kind: str) -> None:
    assert {q.kind for q in find_quantities(text)} == {kind}


def test_number_as_a_verb_is_a_count_and_as_a_noun_a_label() -> None:
    assert only("the soldiers number 11,000").kind == "count"
    assert only("Number 7 battalion").kind == "label"


def test_about_before_another_qualifier_is_not_one() -> None:
    assert only("talks about almost 6,000 casualties").qualifier == "almost"


def test_a_scale_word_alone_is_no_number() -> None:
    assert find_quantities("a couple of thousand troops") == []
