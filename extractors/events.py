"""Events of the deployment's story: deployments, ceremonies, returns, captures, transfers ...

An event is read from one sentence that speaks of North Korea (by name, or because the sentences
before it did) and holds one of its type's triggers (and, where the lexicon asks, one of its
``with`` words too: "sent" is a weapons transfer only next to "shells" or "missiles"). Several
sentences of one article usually describe the same ceremony, so one event is kept per type and
date.
"""

from __future__ import annotations

from datetime import date

from extractors.dates import find_dates
from extractors.lexicon import Lexicon
from extractors.records import Event
from extractors.sentences import Sentence
from extractors.sides import NORTH_KOREA, names_north_korea, topic


def find_events(text: str, sentences: list[Sentence], published: date | None, lexicon: Lexicon) -> list[Event]:
    """The events the sentences report, in order, one per (type, date)."""
    events: list[Event] = []
    seen: set[tuple[str, date | None]] = set()
    for index, sentence in enumerate(sentences):
        if not (names_north_korea(text, sentence, lexicon) or topic(text, sentences, index, lexicon) == NORTH_KOREA):
            continue
        dates = find_dates(text, published, sentence.start, sentence.end)
        when = dates[0].value if dates else None
        for rule in lexicon.events:
            if not rule.triggers.search(text, sentence.start, sentence.end):
                continue
            if rule.with_ is not None and not rule.with_.search(text, sentence.start, sentence.end):
                continue
            if (rule.type, when) in seen:
                continue
            seen.add((rule.type, when))
            events.append(Event(rule.type, when, sentence.text, sentence.start, sentence.end))
    return events
