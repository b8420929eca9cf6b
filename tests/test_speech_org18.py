"""Organisations as speakers: five shapes of news attribution the engine misread. Every text is
invented in the shape of what was seen, never copied from an article."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from index.speech import Speech, analyse_speech
from tests.speech_helpers import speakers
from tests.work import grows_in_proportion


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


def test_two_firms_joined_by_and_stay_two() -> None:
    text = 'Vessel Motors Corp and Harlow Industries Inc said "the talks went well."'
    assert printed(analyse_speech(text)) == ["Harlow Industries Inc"]


@pytest.mark.parametrize(
    ("text", "firm"),
    [
        ('<Harbour Traders Norland Ltd> said "sales fell."', "Harbour Traders Norland Ltd"),
        ('<Estmark Broadcast Partners L.P.> said "sales fell."', "Estmark Broadcast Partners L.P."),
    ],
)
def test_a_plural_role_word_inside_a_firms_name_is_no_role(text: str, firm: str) -> None:
    assert printed(analyse_speech(text)) == [firm]


def test_a_firm_named_spa_is_never_a_she() -> None:
    text = (
        "<Estmark SpA> of Norland expects to grow.\n\n"
        'A Estmark spokeswoman said "we are in talks."\n\n"We are not selling," she said.'
    )
    assert printed(analyse_speech(text))[-1] == "Estmark spokeswoman"


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


def test_an_of_name_that_runs_on_into_a_persons_name_is_not_extended() -> None:
    text = '"Prices will rise," said University of Norland Farm Economist Glenn Holt.'
    assert printed(analyse_speech(text)) == ["Glenn Holt"]


def test_a_person_of_an_organisation_is_still_the_person() -> None:
    text = '"Prices must rise," Ann Fry of the Federation of Norland Growers said.'
    assert printed(analyse_speech(text)) == ["Ann Fry"]


# ---- c. wire tickers in angle brackets
@pytest.mark.parametrize(
    ("text", "firm"),
    [
        ('<Estmark Bank> said "it will raise its prime rate."', "Estmark Bank"),
        ('Harbour Trust Inc <HBT> said "it will raise its prime rate."', "Harbour Trust Inc"),
        ('"We will raise the rate," said <Estmark Bank>.', "Estmark Bank"),
        ('"We will raise the rate," Harbour Trust Inc <HBT> said.', "Harbour Trust Inc"),
    ],
)
def test_a_ticker_in_angle_brackets_is_no_part_of_the_name(text: str, firm: str) -> None:
    speech = analyse_speech(text)
    assert printed(speech) == [firm]
    assert speakers(speech) == [firm]


def test_angle_brackets_keep_every_offset() -> None:
    text = 'Harbour Trust Inc <HBT> said "it will raise its prime rate."'
    (quotation,) = analyse_speech(text).quotations
    assert text[quotation.start : quotation.end] == '"it will raise its prime rate."'
    assert text[quotation.cue_start : quotation.cue_end].startswith("Harbour Trust Inc")


# ---- d. a document as the cue's subject: its owner speaks
@pytest.mark.parametrize(
    ("text", "owner"),
    [
        ('Novo Industri cut prices.\n\n"We are pleased," the Novo statement said.', "Novo"),
        ('A statement issued by the Treasury said "rates will stay."', "Treasury"),
        (
            "The Atlantic Council of Norland met on Monday.\n\n"
            'The council\'s study said "rates will stay."',
            "Atlantic Council of Norland",
        ),
        (
            'Harlow Industries Inc cut 300 jobs on Monday.\n\n"Sales fell," the report said.',
            "Harlow Industries Inc",
        ),
    ],
)
def test_a_document_speaks_for_its_owner(text: str, owner: str) -> None:
    assert printed(analyse_speech(text)) == [owner]


def test_a_document_with_no_owner_in_reach_has_no_speaker() -> None:
    assert printed(analyse_speech('"Sales fell," the report said.')) == [None]


def test_a_document_between_two_organisations_has_no_speaker() -> None:
    text = 'Harlow Industries Inc and Estmark Bank met.\n\n"Sales fell," the report said.'
    assert printed(analyse_speech(text)) == [None]


# ---- e. a definite organisation descriptor: the organisation the article named
@pytest.mark.parametrize(
    ("text", "organisation"),
    [
        (
            'The Atlantic Council of Norland met on Monday.\n\nThe council said "rates will stay."',
            "Atlantic Council of Norland",
        ),
        (
            'Harlow Industries Inc cut jobs on Monday.\n\n"Sales fell," the company said.',
            "Harlow Industries Inc",
        ),
        ('Estmark Bank cut rates.\n\n"Rates fell," the bank said.', "Estmark Bank"),
        (
            'The Harbour Stock Exchange opened late.\n\n"Trading resumed," the exchange said.',
            "Harbour Stock Exchange",
        ),
        (
            'The Norland Dockers Union met.\n\nThe union said "we will strike."',
            "Norland Dockers Union",
        ),
        (
            'The Norland Trade Ministry met.\n\n"Rates will stay," the ministry said.',
            "Norland Trade Ministry",
        ),
        (
            'The Norland Energy Agency met.\n\n"Supply is ample," said the agency.',
            "Norland Energy Agency",
        ),
    ],
)
def test_an_organisation_descriptor_resolves_to_the_one_named(text: str, organisation: str) -> None:
    assert printed(analyse_speech(text)) == [organisation]


def test_an_organisation_descriptor_with_two_candidates_stays_unresolved() -> None:
    text = 'Harlow Industries Inc bid for Vessel Corp.\n\n"Sales fell," the company said.'
    assert printed(analyse_speech(text)) == [None]


def test_an_organisation_descriptor_with_none_named_stays_unresolved() -> None:
    assert printed(analyse_speech('Ann Fry left.\n\n"Sales fell," the company said.')) == [None]


def test_a_company_descriptor_in_reported_speech() -> None:
    text = (
        "Harlow Industries Inc cut jobs on Monday.\n\nThe company said it would close two plants."
    )
    speech = analyse_speech(text)
    assert [q.speaker for q in speech.reported] == ["Harlow Industries Inc"]


# ---- hostile input: four times the text, about four times the work (never sixteen)
_HOSTILE_ARTICLES = {
    "and-suffix firms": lambda n: "Ann Lee" + " and Light Co" * n + ' said "no."',
    "of-names": lambda n: "The Norland Association" + " of Harbour" * n + ' said "no."',
    "tickers": lambda n: "<X> " * n + 'said "no."',
    "company descriptors": lambda n: (
        "Harlow Industries Inc cut jobs." + ' "Sales fell," the company said.' * n
    ),
    "document owners": lambda n: "Estmark Bank" + " the Novo statement said." * n + ' "No."',
}


@pytest.mark.parametrize("unit", _HOSTILE_ARTICLES.values(), ids=_HOSTILE_ARTICLES.keys())
def test_organisation_work_grows_in_proportion_to_hostile_text(
    unit: Callable[[int], str],
) -> None:
    assert grows_in_proportion(lambda n: analyse_speech(unit(n)), 100, 400)
