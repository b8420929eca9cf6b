"""Organisations as speakers: five shapes of news attribution the engine misread. Every text is
invented in the shape of what was seen, never copied from an article."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from index.speech import Speech, analyse_speech
from tests.speech_helpers import speakers
from tests.work import calls


def printed(speech: Speech) -> list[str | None]:
    """Who said each quotation, as its cue (or the name it resolves to) prints them."""
    return [q.speaker for q in speech.quotations]


# ---- a. a firm whose name holds "and", a corporate suffix after it
@pytest.mark.parametrize(
    ("text", "firm"),
    [
        (
            'Norland Power and Light Co said that "we will cancel the unit."',
            "Norland Power and Light Co",
        ),
        ('Procter and Gamble Co said that "sales rose sharply."', "Procter and Gamble Co"),
        (
            '"We will build the plant," said Harbour Gas and Electric Corp.',
            "Harbour Gas and Electric Corp",
        ),
        ('"Orders are firm," Vessel and Rigging Inc said.', "Vessel and Rigging Inc"),
    ],
)
def test_a_firm_with_and_in_its_name_speaks_whole(text: str, firm: str) -> None:
    speech = analyse_speech(text)
    assert printed(speech) == [firm]
    assert speakers(speech) == [firm]


def test_a_firm_with_and_in_its_name_is_whole_in_reported_speech() -> None:
    speech = analyse_speech("Norland Power and Light Co said it would cancel the unit next year.")
    assert [q.speaker for q in speech.reported] == ["Norland Power and Light Co"]


def test_two_people_joined_by_and_stay_two() -> None:
    # no corporate suffix: the "and" joins two names
    text = 'Ann Fry and Tom Lee met. "We agree," Tom Lee said.'
    assert printed(analyse_speech(text)) == ["Tom Lee"]


# ---- b. an organisation whose name holds "of"
@pytest.mark.parametrize(
    ("text", "organisation"),
    [
        (
            'The Norland Association of Harbour Pilots Inc said that "the strike is over."',
            "Norland Association of Harbour Pilots Inc",
        ),
        (
            '"The strike is over," the Norland Association of Harbour Pilots said.',
            "Norland Association of Harbour Pilots",
        ),
        (
            'The Federation of Norland Growers said "prices must rise."',
            "Federation of Norland Growers",
        ),
    ],
)
def test_an_organisation_with_of_in_its_name_speaks_whole(text: str, organisation: str) -> None:
    assert printed(analyse_speech(text)) == [organisation]


def test_a_person_of_an_organisation_is_still_the_person() -> None:
    text = '"Prices must rise," Ann Fry of the Federation of Norland Growers said.'
    assert printed(analyse_speech(text)) == ["Ann Fry"]


# ---- hostile input: four times the text, about four times the work (never sixteen)
_HOSTILE_ARTICLES = {
    "and-suffix firms": lambda n: "Ann Lee" + " and Light Co" * n + ' said "no."',
    "of-names": lambda n: "The Norland Association" + " of Harbour" * n + ' said "no."',
}


@pytest.mark.parametrize("unit", _HOSTILE_ARTICLES.values(), ids=_HOSTILE_ARTICLES.keys())
def test_organisation_work_grows_in_proportion_to_hostile_text(
    unit: Callable[[int], str],
) -> None:
    small = calls(lambda: analyse_speech(unit(100)))
    large = calls(lambda: analyse_speech(unit(400)))
    assert large < 6 * small
