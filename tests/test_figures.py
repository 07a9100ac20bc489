"""The tagger on written examples: categories, traps, owners, stance, claimants, dates, offsets, relevance."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.figures import tag
from extractors.lexicon import load_lexicon
from extractors.records import Figure, Tagging

PUBLISHED = date(2025, 8, 22)
# A lead that makes any text relevant, so that each test can look at one sentence.
LEAD = "North Korea has sent troops to fight for Russia against Ukraine in the Kursk region, officials say.\n\n"


def run(text: str, published: date | None = PUBLISHED) -> Tagging:
    tagging = tag(text, published, load_lexicon())
    for record in tagging.figures + tagging.events:
        assert text[record.start:record.end] == record.quote
    return tagging


def figures(sentence: str, published: date | None = PUBLISHED) -> list[tuple[str, float, float]]:
    return [(f.category, f.low, f.high) for f in run(LEAD + sentence, published).figures]


def one(sentence: str, published: date | None = PUBLISHED) -> Figure:
    found = run(LEAD + sentence, published).figures
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Russia's media reported the North will send 5,000 military construction workers and 1,000 sappers to Kursk.",
         [("workers", 5000, 5000), ("sappers", 1000, 1000)]),
        ("Kim placed medals next to 101 portraits of the dead on a memorial wall.", [("killed", 101, 101)]),
        ("Photographs of 101 soldiers were displayed on stage.", [("killed", 101, 101)]),
        ("The deaths of 100 North Korean troops that Kim Jong Un dispatched are acknowledged.", [("killed", 100, 100)]),
        ("In March 2025, North Korea sent another 3 000 soldiers.", [("troops_deployed", 3000, 3000)]),
        (("South Korean lawmakers, citing intelligence, stated that as of April, out of 15 000 fighters, "
         "the DPRK had lost approximately 4 700, of whom 600 were killed."),
         [("troops_deployed", 15000, 15000), ("casualties", 4700, 4700), ("killed", 600, 600)]),
        ("Seoul said there were 4,700 casualties, of whom 600 were killed.",
         [("casualties", 4700, 4700), ("killed", 600, 600)]),
        ("Budanov said North Korea plans to send another 150 ballistic missiles to Russia this year.",
         [("missiles", 150, 150)]),
        ("In April, Reuters reported that North Korea had handed over up to 6 million shells to Russia.",
         [("shells", 6_000_000, 6_000_000)]),
        ("Budanov told Bloomberg that North Korea is supplying up to 40% of Russia's ammunition.",
         [("ammo_share_percent", 40, 40)]),
        (("Up to 12,000 North Korean troops were sent to Kursk in the fall of 2024, before another 3,000 were "
         "deployed in early 2025."), [("troops_deployed", 12000, 12000), ("troops_deployed", 3000, 3000)]),
        ("Kim told the ceremony that nine members of the regiment had died during the mission.", [("killed", 9, 9)]),
        ("Kim hailed the return of an engineering regiment that had been deployed for 120 days from August.",
         [("duration_days", 120, 120)]),
        ("Ukrainian forces have captured two North Korean soldiers in Russia's Kursk region.", [("captured", 2, 2)]),
        ("Zelensky put their losses at more than 3,000 killed and wounded.", [("casualties", 3000, 3000)]),
        ("Around 50 North Korean troops are missing, the JCS said.", [("missing", 50, 50)]),
        ("The NIS said about 2,300 of them have been killed.", [("killed", 2300, 2300)]),
        ("N. Korean casualties in Russia reach 4,700, the NIS said.", [("casualties", 4700, 4700)]),
        ("Ukraine's military intelligence puts the death toll far higher, at more than 1,500.",
         [("killed", 1500, 1500)]),
        ("The US believed about 10,000 North Korean soldiers had been sent, up from the 3,000 it cited a week earlier.",
         [("troops_deployed", 10000, 10000), ("troops_deployed", 3000, 3000)]),
        (("Pyongyang supplied Moscow with about 100 long-range 170mm self-propelled guns and around 120 240mm "
         "multiple rocket launchers."), [("artillery", 100, 100), ("rocket_launchers", 120, 120)]),
        ("North Korea has shipped more than 13,000 containers of munitions to Russia.", [("other", 13000, 13000)]),
        ("Its engineering units of about 1\u00a0000 people are clearing mines in Kursk Oblast.",
         [("sappers", 1000, 1000)]),
        ("A first group of two hundred deminers came back to Pyongyang after 90 days in Kursk.",
         [("sappers", 200, 200), ("duration_days", 90, 90)]),
        ("Japan believed \"around 11,000\" North Korean troops were now in Russia.", [("troops_deployed", 11000, 11000)]),
    ],
)
def test_figures_in_written_examples(sentence: str, expected: list[tuple[str, float, float]]) -> None:
    assert figures(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Putin and Zelenskyy may hold a summit to end the three years of fighting.",  # the length of the war
        "Pyongyang has backed Russia's nearly four-year invasion of Ukraine.",
        "Drones struck a refinery processing some 7.5 million tons of oil annually.",  # capacity
        "Russia has lost more than 600,000 troops since the invasion began, Ukraine says.",  # another side
        "Russian forces lost 1,500 soldiers a day in November.",
        "The war has killed or wounded hundreds of thousands of soldiers on both sides.",
        "A North Korean missile killed 20 people in Kyiv on Tuesday.",  # victims of a weapon, not NK dead
        "Kim Jong Un, 41, attended the ceremony on January 4, 2024, at 12:20.",  # age, date, time
        "The deliveries were worth an estimated $5.5 billion.",  # money
        "Russia fired around 120 KN-23 missiles' worth of 152mm rounds.",  # designation, calibre
        "Moscow sustained a rate of fire of around 10,000 shells a day.",  # Russia's shells
        "The 28,500 American troops stationed in South Korea are on alert.",
        "North Korea fired 10 ballistic missiles into the sea last month.",  # a test, not this war
        "Seoul estimates North Korea has 1.2 million active troops.",  # an army, not a deployment
        "Two days later, North Korea confirmed that its troops were fighting.",  # not a deployment's length
        "Officers said roughly 20 percent of the North Korean shells failed to explode.",  # a failure rate
        "North Korea has sent " + "1" * 400 + " troops to Russia, South Korea's spy agency said.",  # no number
    ],
)
def test_traps_are_not_figures(sentence: str) -> None:
    assert figures(sentence) == []


def test_reader_comments_and_most_read_boxes_are_not_the_article() -> None:
    text = (LEAD + "About 11,000 North Korean soldiers are fighting in Kursk, the NIS said.\n\n"
            "Comments (2)\n\nNorth Korea has surely sent 50,000 troops to Russia, lol.\n"
            "Most read\nNorth Korea sends 20,000 more troops to Russia\n")
    assert [(f.category, f.low) for f in run(text).figures] == [("troops_deployed", 11000)]


def test_same_figure_twice_is_reported_once_keeping_the_attributed_one() -> None:
    text = (LEAD + "North Korea has sent 11,000 troops to Kursk.\n\n"
            "About 11,000 North Korean troops were sent to Russia, the NIS said.")
    found = run(text).figures
    assert [(f.category, f.low, f.attribution) for f in found] == [("troops_deployed", 11000, "NIS")]


@pytest.mark.parametrize(
    ("sentence", "stance"),
    [
        ("North Korea plans to send another 150 ballistic missiles to Russia.", "planned"),
        ("Pyongyang is expected to send as many as 30,000 more troops.", "planned"),
        ("The North will send 5,000 military construction workers to Kursk.", "planned"),
        ("Russia denied that 12,000 North Korean troops were in Kursk.", "denied"),
        ("Moscow first denied it, but the NIS said 12,000 North Korean troops were in Kursk.", "fact"),
        ("North Korea sent another 3,000 soldiers in March.", "fact"),
    ],
)
def test_stance(sentence: str, stance: str) -> None:
    assert one(sentence).stance == stance


@pytest.mark.parametrize(
    ("sentence", "claimant"),
    [
        ("South Korea's spy agency said 1,500 North Korean soldiers were sent to Russia.", "NIS"),
        ("According to Seoul's intelligence, 1,500 North Korean soldiers were sent to Russia.", "NIS"),
        ("Kyrylo Budanov, head of Ukraine's defence intelligence, said 1,500 North Korean soldiers had died.",
         "GUR (Budanov)"),
        ("Zelenskiy said 1,500 North Korean soldiers had died.", "Zelenskyy"),
        ("1,500 North Korean soldiers were sent to Russia, the Korean Central News Agency said.", "KCNA"),
        ("The Institute for the Study of War estimated 1,500 North Korean soldiers had died.", "ISW"),
        ("The deaths of 100 North Korean troops who fought for Vladimir Putin were acknowledged.", ""),
        ("North Korea sent 1,500 soldiers to Russia, Yonhap reported.", ""),  # an outlet carrying the story
    ],
)
def test_attribution_is_the_canonical_claimant_not_the_outlet(sentence: str, claimant: str) -> None:
    assert one(sentence).attribution == claimant


def test_attribution_carries_to_the_next_sentence_of_the_paragraph() -> None:
    text = LEAD + "The NIS briefed lawmakers on Tuesday. It said 1,500 North Korean soldiers had died."
    assert run(text).figures[0].attribution == "NIS"


@pytest.mark.parametrize(
    ("sentence", "as_of"),
    [
        ("As of April, 4,700 North Korean soldiers had been killed or wounded.", date(2025, 4, 1)),
        ("In March 2025, North Korea sent another 3 000 soldiers.", date(2025, 3, 1)),
        ("In October, 3,000 North Korean troops were sent to Russia.", date(2024, 10, 1)),  # not in the future
        ("Last year North Korea sent 11,000 troops to Russia.", date(2024, 12, 1)),
        ("North Korea sent 3,000 soldiers in January and February.", date(2025, 2, 1)),
        ("North Korea sent 11,000 troops to Russia last autumn.", None),  # too vague to date
        ("North Korea sent 11,000 troops to Russia.", PUBLISHED),  # no date: the article's
    ],
)
def test_as_of(sentence: str, as_of: date | None) -> None:
    assert one(sentence).as_of == as_of


def test_as_of_without_an_article_date() -> None:
    assert one("In October, 3,000 North Korean troops were sent to Russia.", published=None).as_of is None
    assert one("In October 2024, 3,000 North Korean troops were sent.", published=None).as_of == date(2024, 10, 1)


def test_figure_fields() -> None:
    text = LEAD + "The NIS said about 12 000 North Korean soldiers were sent to Russia."
    figure = run(text).figures[0]
    assert (figure.low, figure.high, figure.approximate, figure.qualifier) == (12000, 12000, True, "about")
    assert figure.quote == "The NIS said about 12 000 North Korean soldiers were sent to Russia."
    assert (figure.start, figure.end) == (len(LEAD), len(text))


@pytest.mark.parametrize(
    "text",
    [
        ("North Korea fired two short-range ballistic missiles into the East Sea on Thursday, South Korea's Joint "
        "Chiefs of Staff said. Kim Jong Un has vowed to expand his nuclear arsenal. North Korea has also deepened "
        "ties with Russia."),
        ("Russia launched 120 drones and 8 missiles at Ukraine overnight, Ukraine's air force said. Russian forces "
        "lost 1,200 soldiers in the past day, according to Kyiv."),
        ("President Trump said he would meet Kim Jong Un again. Talks on ending Russia's war in Ukraine continued in "
        "Geneva, where a prisoner exchange of 1,000 for 1,000 was agreed."),
    ],
)
def test_not_relevant_without_a_link_between_north_korea_and_the_war(text: str) -> None:
    tagging = run(text)
    assert not tagging.relevant and tagging.score < load_lexicon().min_score
    assert tagging.figures == () and tagging.events == ()
    assert tagging.evidence  # what was found, to explain the verdict


def test_a_text_naming_neither_north_korea_nor_the_war_is_scored_without_splitting_it(monkeypatch) -> None:
    import extractors.figures as figures_module

    real_split = figures_module.split_sentences
    split: list[str] = []
    monkeypatch.setattr(figures_module, "split_sentences", lambda text, lexicon: split.append(text) or real_split(text, lexicon))
    assert run("The central bank kept rates at 4.5%, citing 3,000 new jobs. Markets rose.") == Tagging(False, 0.0, ())
    assert split == []
    war_only = "Russia launched 120 drones at Ukraine overnight, Ukraine's air force said."
    assert run(war_only).score > 0 and split == [war_only]  # a war term alone still counts


def test_relevant_with_evidence() -> None:
    tagging = run("North Korean troops have been deployed to Russia's Kursk region, Ukraine's military intelligence "
                  "said. About 11,000 North Korean soldiers are fighting alongside Russian forces.")
    assert tagging.relevant and 0.5 <= tagging.score <= 1
    assert {"north korean", "troops", "deployed"} <= set(tagging.evidence)


def test_events() -> None:
    text = ("Kim Jong Un awarded medals to soldiers who fought in Russia's Kursk region at a ceremony on Friday.\n"
            "Ukraine captured two North Korean soldiers in Kursk on January 9.\n"
            "North Korea has supplied Russia with millions of artillery shells.")
    events = {(e.type, e.date) for e in run(text).events}
    assert ("ceremony_award", PUBLISHED) in events
    assert ("capture", date(2025, 1, 9)) in events
    assert ("weapons_transfer", None) in events


# --- Rules added when set-b became a development set. Examples are written for these tests. ---

# A lead that makes the text relevant but leaves the topic on Russia's side, so that a sentence
# after it is North Korea's only when it says so itself (by name or abbreviation).
RUSSIAN_TOPIC = LEAD + "Russian units have also taken heavy losses in the region.\n\n"


def figures_after_russia(sentence: str) -> list[tuple[str, float, float]]:
    return [(f.category, f.low, f.high) for f in run(RUSSIAN_TOPIC + sentence).figures]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # shares written as fractions
        ("Pyongyang's shells now make up about half of the ammunition Russian gunners fire.",
         [("ammo_share_percent", 50, 50)]),
        ("North Korea supplies a quarter of Russia's artillery rounds.", [("ammo_share_percent", 25, 25)]),
        # numbers after their noun: "numbering", an apposition, a force's size
        ("The North Korean detachment, numbering roughly 2,500, moved to the border.",
         [("troops_deployed", 2500, 2500)]),
        ("Pyongyang's soldiers, some 4,000, are dug in near Sudzha.", [("troops_deployed", 4000, 4000)]),
        ("North Korean losses (about 3,500) are rising.", [("casualties", 3500, 3500)]),
        ("North Korea has sent artillery shells - as many as 5 million, Seoul says.", [("shells", 5e6, 5e6)]),
        ("North Korean casualties: 4,000", [("casualties", 4000, 4000)]),
        ("North Korean soldiers number 9,000 in the region, while Moscow keeps 40,000 of its own there.",
         [("troops_deployed", 9000, 9000)]),
        ("NK troops killed near Sudzha total about 450.", [("killed", 450, 450)]),
        # passive voice and sentence starts
        ("About 250 North Korean soldiers are thought to have been killed near Sudzha.", [("killed", 250, 250)]),
        ("Some 1,200 North Korean soldiers have been wounded since spring.", [("wounded", 1200, 1200)]),
        ("Twelve hundred North Korean troops were moved up to the front.", [("troops_deployed", 1200, 1200)]),
        # abbreviations name the owner even after a sentence about Russia
        ("The DPRK has sent 4,000 more soldiers.", [("troops_deployed", 4000, 4000)]),
        ("KPA units numbering 2,000 men reached the front.", [("troops_deployed", 2000, 2000)]),
        ("N. Korea has lost 800 soldiers there.", [("casualties", 800, 800)]),
        ("NK has sent 300 combat engineers.", [("sappers", 300, 300)]),
        # "fewer than", "X or Y", a narrow no-break space, "10-12,000"
        ("Fewer than 400 North Korean soldiers remain at the front.", [("troops_deployed", 400, 400)]),
        ("North Korea sent 8,000 or 9,000 troops.", [("troops_deployed", 8000, 9000)]),
        ("North Korea has sent 13\u202f000 troops.", [("troops_deployed", 13000, 13000)]),
        ("North Korea has sent 10-12,000 troops.", [("troops_deployed", 10000, 12000)]),
        # a share of a total takes what happened to it; the total is the force
        ("Around 1,000 of the 12,000 North Korean soldiers sent to Kursk are believed to have been wounded.",
         [("wounded", 1000, 1000), ("troops_deployed", 12000, 12000)]),
        # an adverb after a bare number does not make it a count of something else
        ("Of the North Korean troops sent, between 8,000 and 9,000 actually saw combat.",
         [("troops_deployed", 8000, 9000)]),
        # "killed, wounded" in a headline is both together
        ("Kyiv: 2,000 North Korean soldiers killed, wounded in a month", [("casualties", 2000, 2000)]),
        # a compass word or "aboard" does not make Russia the owner of people moved there
        ("About 2,000 North Korean soldiers were moved to Vladivostok aboard Russian transport ships.",
         [("troops_deployed", 2000, 2000)]),
        ("About 2,000 North Korean soldiers were shipped to eastern Russia for training.",
         [("troops_deployed", 2000, 2000)]),
        # a name after a turn of the sentence owns nothing before it; an artillery crew are people
        ("A further 2,000 North Korean workers could arrive soon, while Ukraine says Russian units are retreating.",
         [("workers", 2000, 2000)]),
        ("Kyiv says 600 North Korean artillery crews are deployed in Kursk.", [("troops_deployed", 600, 600)]),
        ("A first wave of about 4,000 North Korean troops left in May.", [("troops_deployed", 4000, 4000)]),
        ("Ukraine now holds six North Korean prisoners, up from two in January.",
         [("captured", 6, 6), ("captured", 2, 2)]),
    ],
)
def test_figures_in_written_examples_of_new_rules(sentence: str, expected: list[tuple[str, float, float]]) -> None:
    assert sorted(figures_after_russia(sentence)) == sorted(expected)


@pytest.mark.parametrize(
    "sentence",
    [
        "One North Korean officer who was about to be captured blew himself up.",  # a count of one is a story
        "In 1953, the armistice ended a war in which 400,000 North Korean soldiers were killed.",  # history
        "Since 1997, when floods killed thousands of North Koreans, aid has dwindled.",  # history, vague
        "Fighting in the region has killed tens of thousands.",  # vague, and North Korea not named
        "North Korea sends half of the shells it makes to Russia.",  # Russia receives them: no share of its fire
        "Half of Russia's economy now works for the war.",  # a share of no ammunition
        "The pace of shipments slowed by roughly a third in the winter.",
        "South Korea deployed 500 more troops to the border.",  # South Korea is another side
        "Kyiv said 12 Russian intelligence officers were killed in the strike.",  # a name in the phrase owns it
        "About 2,000 Ukrainians remain in Russian captivity; Kyiv holds fewer than 10 North Koreans.",  # a clause
    ],
)
def test_traps_of_new_rules_are_not_figures(sentence: str) -> None:
    assert figures(sentence) == []


def test_a_headline_takes_its_owner_from_the_sentences_after_it() -> None:
    text = ("2,500 dead, Kyiv says\n\n"
            "North Korea has lost many soldiers fighting for Russia in the Kursk region, Ukraine says.")
    assert [(f.category, f.low) for f in run(text).figures] == [("killed", 2500)]


def test_a_pronoun_takes_the_force_of_the_sentence_before() -> None:
    text = LEAD + "Pyongyang has quietly built up a force in the Kursk region. They now number around 9,000."
    assert [(f.category, f.low) for f in run(text).figures] == [("troops_deployed", 9000)]


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        ("The Pentagon put the number at 10,000.", ("troops_deployed", 10000)),
        ("That is well below the figure of 7,000 Kyiv gave.", ("troops_deployed", 7000)),
        ("Their number is estimated at 4,500.", ("troops_deployed", 4500)),
    ],
)
def test_the_number_the_figure_refer_to_the_figure_before(second: str, expected: tuple[str, float]) -> None:
    text = LEAD + "North Korea has sent 3,000 soldiers to Russia, the NIS said. " + second
    assert expected in [(f.category, f.low) for f in run(text).figures]


def test_materiel_may_continue_the_supply_account_of_the_sentence_before() -> None:
    text = LEAD + "North Korea has shipped 20,000 containers to Russia.\n\nThat would hold about 4 million shells."
    assert ("shells", 4_000_000) in [(f.category, f.low) for f in run(text).figures]
    test = LEAD + "North Korea fired 10 ballistic missiles into the sea last month."  # no supply before it
    assert run(test).figures == ()
    text = LEAD + "It has also shipped artillery shells. The shells, some 3 million of them, came by rail."
    assert [(f.category, f.low) for f in run(text).figures] == [("shells", 3_000_000)]
    test = LEAD + "North Korea has supplied shells to Russia. It also fired 10 missiles into the sea on Tuesday."
    assert run(test).figures == ()


def test_a_question_and_answer_text_keeps_its_subject() -> None:
    text = (LEAD + "How many North Korean soldiers have died?\n\nNobody outside Pyongyang knows.\n\n"
            "Estimates vary widely.\n\nWhat do analysts say?\n\nThe consensus is grim.\n\n"
            "Most put the dead at about 2,000.")
    assert [(f.category, f.low) for f in run(text).figures] == [("killed", 2000)]


@pytest.mark.parametrize(
    "text",
    [
        ("Seventy-five years ago, North Korean troops crossed into the South and started a war. Both sides lost "
         "hundreds of thousands of soldiers in the war. North Korean veterans and the troops of both sides are "
         "remembered, and the war is still not formally over."),  # the Korean War: no Russia, no Ukraine
        ("About 28,500 American troops are stationed in South Korea to deter North Korea. North Korean soldiers "
         "fired warning shots at the border, and US forces went on alert."),
    ],
)
def test_not_relevant_when_only_other_wars_and_armies_link_north_korea(text: str) -> None:
    assert not run(text).relevant


def test_a_feature_is_relevant_from_one_link_and_sentences_about_the_soldiers() -> None:
    text = ("The Mothers Who Wait\n\nIn a fishing town, families say their sons left for special training.\n\n"
            "The town has been quiet since.\n\nNorth Korea has never said how many of its soldiers died.\n\n"
            "Officials say North Korean soldiers sent to Russia have been killed in large numbers.\n\n"
            "North Korea held ceremonies for soldiers who fell abroad.")
    assert run(text).relevant
