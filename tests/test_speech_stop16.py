"""Five attribution defects that stop 15 noticed and left alone. Every text is invented in the
shape of what was seen, never copied from an article."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from index.speech import Speech, analyse_speech
from tests.speech_helpers import cues, speakers
from tests.work import grows_in_proportion


def _reported(speech: Speech) -> list[str | None]:
    return [speech.people[q.person].name if q.person >= 0 else None for q in speech.reported]


# ---- 1. the words before a role never run across a sentence end
def test_words_before_a_role_stop_at_a_sentence_end() -> None:
    # "said the analyst. A analyst for …" is two sentences: the first cue is "said the analyst"
    # (Mira Holt, the analyst introduced before), never a role phrase ending in "Capital"
    text = (
        "Mira Holt, an analyst at Brixton Securities, expects a slump in orders.\n\n"
        '"Demand is soft," said the analyst. A analyst for Northwind Capital said prices would '
        "fall by the summer."
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Mira Holt"]
    assert cues(text, speech) == ["said the analyst"]
    assert _reported(speech) == ["analyst for Northwind Capital"]


def test_a_capitalised_word_ending_a_sentence_is_not_part_of_the_next_role() -> None:
    text = (
        '"Orders are thin," said Mira Holt of Northwind Capital. Chief strategist Ben Arlo '
        "said the firm would wait for the budget."
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Mira Holt"]
    assert cues(text, speech) == ["said Mira Holt"]
    assert [text[q.cue_start : q.cue_end] for q in speech.reported] == [
        "Chief strategist Ben Arlo said"
    ]


def test_initials_and_titles_still_stand_before_a_role() -> None:
    text = '"Talks resume Monday," U.S. Trade Representative Ann Velde said.'
    assert speakers(analyse_speech(text)) == ["Ann Velde"]


# ---- 2. a capitalised organisation of several words before the role word
def test_an_organisation_of_several_words_before_the_role() -> None:
    text = (
        '"Prices will rise," a Ministry of Foreign Trade and Industry official said.\n\n'
        "A senior Bureau of Mines and Quarries official said output would fall this year.\n\n"
        '"The quota stays," a Board of Trade official told reporters.'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == [
        "Ministry of Foreign Trade and Industry official",
        "Board of Trade official",
    ]
    assert _reported(speech) == ["senior Bureau of Mines and Quarries official"]


def test_the_organisation_before_a_role_is_bounded() -> None:
    # far more capitalised words than an organisation's name has: no descriptor is made of them
    words = " ".join(["Harbour", "of", "Ports"] * 6)
    speech = analyse_speech(f'"Prices will rise," a {words} official said.')
    assert speakers(speech) == [None]


# ---- 3. a capitalised plural person noun is a group, never a name
@pytest.mark.parametrize("group", ["Officials", "Analysts", "Traders", "Dealers", "Economists"])
def test_a_plural_person_noun_opening_a_sentence_is_a_group(group: str) -> None:
    text = (
        f"{group} said the plan was dead for now.\n\n"
        f'"The market is thin," {group} said.\n\n'
        '"We will wait," he said.'
    )
    speech = analyse_speech(text)
    for q in (*speech.reported, *speech.quotations[:1]):
        assert q.person >= 0 and not speech.people[q.person].named
        assert q.speaker == group  # shown as the cue prints it
    assert speech.quotations[1].person == -1  # a group is never "he"


def test_they_and_the_plural_descriptor_still_refer_to_the_group() -> None:
    text = (
        "Officials said the plan was dead for now.\n\n"
        '"We will try again next year," they said. "Nobody wants this," the officials added.'
    )
    speech = analyse_speech(text)
    groups = {q.person for q in (*speech.reported, *speech.quotations)}
    assert len(groups) == 1 and -1 not in groups
    assert not speech.people[groups.pop()].named


def test_a_name_that_ends_in_a_role_word_is_still_a_name() -> None:
    text = '"We are ready," said Tom Banker. "Rates stay," Kate Dealer said.'
    assert speakers(analyse_speech(text)) == ["Tom Banker", "Kate Dealer"]


# ---- 4. the name in apposition after "role with/of/at ORG,"
def test_the_name_after_a_verb_first_descriptor_of_an_organisation() -> None:
    text = (
        '"Exports rose," said an official with the Ghana Cocoa Board, Kofi Mensah.\n\n'
        "Arrivals were slow, said a spokeswoman for the Port Authority, Ama Owusu, adding that "
        "the rains had delayed trucks."
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Kofi Mensah"]
    assert cues(text, speech) == ["said an official with the Ghana Cocoa Board, Kofi Mensah"]
    assert _reported(speech) == ["Ama Owusu"]


def test_no_name_after_the_descriptor_keeps_it_unnamed() -> None:
    # what follows the comma is a clause or a place, not the speaker's name
    text = (
        '"Exports rose," said an official with the Ghana Cocoa Board, adding that prices held.\n\n'
        '"Stocks are low," said a dealer at a trading house in Accra, Ghana.'
    )
    assert speakers(analyse_speech(text)) == [
        "official with the Ghana Cocoa Board",
        "dealer at a trading house",
    ]


# ---- 5. a person named before a verb that is not a speech verb
def test_the_one_person_of_the_paragraph_before_is_the_pronoun() -> None:
    text = (
        "Ines Calloway leads the council.\n\n"
        '"We will close the bridge," she said. "It is not safe."\n\n'
        "Ines Calloway chairs the roads committee. She said repairs would take a year."
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Ines Calloway", "Ines Calloway"]
    assert _reported(speech) == ["Ines Calloway"]


def test_the_recent_person_beats_a_speaker_paragraphs_away() -> None:
    text = (
        '"Tolls pay for it," said Rolf Drechsler, the transport minister.\n\n'
        "Traffic was light on Monday.\n\n"
        "Work began in May.\n\n"
        "Ines Calloway leads the council.\n\n"
        '"We will close the bridge," she said.'
    )
    assert speakers(analyse_speech(text)) == ["Rolf Drechsler", "Ines Calloway"]


def test_two_people_in_reach_keep_todays_choice() -> None:
    # Two plausible antecedents, neither of them known to speak: no one, rather than a guess
    text = (
        "Ines Calloway leads the council. Marek Sobel runs the port.\n\n"
        '"We will close the bridge," she said.'
    )
    assert speakers(analyse_speech(text)) == [None]
    # a known speaker in reach stays the antecedent
    text = (
        '"Tolls pay for it," said Rolf Drechsler.\n\n'
        "Ines Calloway leads the council, he added. Traffic was light.\n\n"
        '"We will close the bridge," he said.'
    )
    assert speakers(analyse_speech(text))[-1] == "Rolf Drechsler"


def test_only_a_person_in_the_same_or_previous_paragraph() -> None:
    text = (
        "Ines Calloway leads the council.\n\n"
        "Traffic was light on Monday.\n\n"
        '"We will close the bridge," she said.'
    )
    assert speakers(analyse_speech(text)) == [None]


def test_an_organisation_or_a_preposition_s_object_is_no_antecedent() -> None:
    for text in (
        'Northwind Shipping Corp cut its fares.\n\n"We had to," she said.',
        'The plan came from Ines Calloway.\n\n"We had to," she said.',
        'Ines Calloway\'s office closed.\n\n"We had to," she said.',
    ):
        assert speakers(analyse_speech(text)) == [None], text


# ---- hostile input: four times the text, about four times the work (never sixteen)
_HOSTILE_ARTICLES = {
    "sentence ends before a role": lambda n: '"Fine," said ' + "the analyst. " * n + "Ann said.",
    "organisation before a role": lambda n: '"Fine," a ' + "Bank of Trade and " * n + "official.",
    "capital plural openers": lambda n: "Officials said it was so. " * n,
    "verb-first appositive": lambda n: (
        '"Fine," said an official with the Board, ' + "Kofi Mensah " * n + "."
    ),
    "non-speech subjects": lambda n: "Ines Calloway leads the council. " * n + '"Go," she said.',
    "pronouns after a subject": lambda n: 'Ines Calloway leads it. "Go," she said. ' * n,
}


@pytest.mark.parametrize("unit", _HOSTILE_ARTICLES.values(), ids=_HOSTILE_ARTICLES.keys())
def test_attribution_work_grows_in_proportion_to_hostile_text(
    unit: Callable[[int], str],
) -> None:
    assert grows_in_proportion(lambda n: analyse_speech(unit(n)), 50, 200)
