"""Four attribution patterns of wire copy: "quoted X as saying" with reported words before the
quotation, "X, who …, was quoted as saying" after it, "X repeated that “…”", and a verb the wire
doubled ("said said X"). Every text here is invented in their shape, never copied from news-dev
(research use only)."""

from __future__ import annotations

from index.speech import analyse_speech
from tests.speech_helpers import cues, speakers


def test_quoted_as_saying_with_reported_words_before_the_quotation() -> None:
    # The agency only relays: the quotation is the one it quotes, named in apposition to a role.
    text = (
        "The agency quoted a Norwegian fisherman, Lars Eikeland, as saying dense fog "
        '"had stopped every boat from leaving" the harbour for days.'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Lars Eikeland"]
    assert cues(text, speech) == [
        "quoted a Norwegian fisherman, Lars Eikeland, as saying",
    ]


def test_quoted_as_saying_a_named_subject_and_reported_words() -> None:
    text = 'They quoted Mira Castell as saying the strike "will end before spring" in the valley.'
    assert speakers(analyse_speech(text)) == ["Mira Castell"]


def test_quoted_as_saying_does_not_reach_into_another_sentence() -> None:
    # A full stop between "as saying" and the quotation: the quotation is not the one quoted.
    text = (
        "The radio quoted Tomas Brenner as saying the plan had failed. "
        'Farmers called it "a disaster for the region" on Monday.'
    )
    assert speakers(analyse_speech(text)) == [None]


def test_quoted_as_saying_after_the_quotation_past_a_relative_clause() -> None:
    text = (
        '"We tried to warn the board," Helena Struve, who is retiring, was quoted as saying '
        "in an interview."
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Helena Struve"]
    assert cues(text, speech) == ["Helena Struve, who is retiring, was quoted as saying"]


def test_quoted_as_saying_after_the_quotation() -> None:
    text = '"Nothing has changed," Omar Haddad was quoted as saying by the weekly.'
    assert speakers(analyse_speech(text)) == ["Omar Haddad"]


def test_repeated_that_introduces_the_quotation() -> None:
    text = (
        "Finance Minister Carl Devereux spoke to reporters on Friday.\n\n"
        'Devereux repeated that "it is very unlikely we will cut taxes this year."'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Carl Devereux"]
    assert cues(text, speech) == ["Devereux repeated"]


def test_a_doubled_verb_after_the_quotation() -> None:
    text = '"There is room in the budget," said said Nora Pell of Harlan Brothers.'
    speech = analyse_speech(text)
    assert speakers(speech) == ["Nora Pell"]


def test_a_capitalised_role_with_its_affiliation_then_the_name_in_apposition() -> None:
    # "The Governor of the Bank of …, NAME, said": "Governor" is a role, not the speaker's name.
    text = (
        "The Governor of the Bank of Ruritania, Tomas Vell, repeated that "
        '"rates will stay where they are for now."'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Tomas Vell"]


def test_quoted_as_saying_before_a_colon_introduces_the_next_quotation() -> None:
    text = (
        '"Nothing was agreed." Ilse Brandt was quoted by the daily Kurier as saying: '
        '"We will meet again in May."'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == [None, "Ilse Brandt"]
