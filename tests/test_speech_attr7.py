"""Six attribution patterns found on news the engine misread. Every text is invented in the
shape of what was seen, never copied from an article."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from index.speech import analyse_speech
from tests.speech_helpers import cues, speakers
from tests.work import grows_in_proportion


# ---- a. a firm whose name has a comma or "and" inside
@pytest.mark.parametrize(
    "text",
    [
        '"Demand is weak," Sara Holt of Fenwick, Dale and Co said.',
        '"Demand is weak," said Sara Holt of Fenwick, Dale and Co.',
        'Sara Holt of Fenwick, Dale & Co said that "demand is weak."',
    ],
)
def test_a_person_of_a_firm_with_a_comma_in_its_name_is_the_speaker(text: str) -> None:
    assert speakers(analyse_speech(text)) == ["Sara Holt"]


def test_a_person_of_a_firm_with_a_comma_speaks_before_the_quotation() -> None:
    text = 'Lena Ruiz of Hartwell, Prime and Co noted that "the market is thin."'
    speech = analyse_speech(text)
    assert speakers(speech) == ["Lena Ruiz"]
    assert cues(text, speech) == ["Lena Ruiz of Hartwell, Prime and Co noted"]


@pytest.mark.parametrize(
    ("text", "firm"),
    [
        ('Fenwick, Dale and Co said "the merger is off."', "Fenwick, Dale and Co"),
        ('"The merger is off," Fenwick, Dale & Co said.', "Fenwick, Dale & Co"),
        ('Mallory and Co said "the merger is off."', "Mallory and Co"),
        ('Harlan Mead and Co Inc said "the merger is off."', "Harlan Mead and Co Inc"),
        ('"The merger is off," said Wardle, Fenn and Co.', "Wardle, Fenn and Co"),
    ],
)
def test_a_firm_whose_name_has_and_co_speaks_whole(text: str, firm: str) -> None:
    assert speakers(analyse_speech(text)) == [firm]


def test_a_firm_comma_is_no_firm_without_and_co() -> None:
    # two names in a list, then a speaker: the comma is the list's
    text = 'Fenwick, Dale and Ann Fry met. "We agree," Ann Fry said.'
    assert speakers(analyse_speech(text)) == ["Ann Fry"]


# ---- b. a present-tense view verb right before a quotation
@pytest.mark.parametrize(
    "verb", ["believes", "thinks", "feels", "argues", "insists", "maintains", "contends", "says"]
)
def test_a_view_verb_right_before_a_quotation_is_its_cue(verb: str) -> None:
    text = f'Tom Leibowitz runs the fund.\n\nLeibowitz {verb} "the chances are nil."'
    speech = analyse_speech(text)
    assert speakers(speech) == ["Tom Leibowitz"]
    assert cues(text, speech) == [f"Leibowitz {verb}"]


def test_a_view_verb_before_a_quotation_ending_in_a_comma() -> None:
    text = 'Karin Dahl heads the bank. Dahl thinks "a cut is coming," and others agree.'
    assert speakers(analyse_speech(text)) == ["Karin Dahl"]


@pytest.mark.parametrize(
    "text",
    [
        # a term in quotation marks, not a statement
        'Karin Dahl believes "green" bonds will sell.',
        # the verb is not right before the quotation: the view is the reporter's paraphrase
        'Karin Dahl believes the plan is, as critics put it, "a mistake from the start."',
        # no one: a thing "feels"
        'The market feels "a lot like 1987," traders said.',
    ],
)
def test_a_view_verb_not_before_a_statement_is_no_cue(text: str) -> None:
    speech = analyse_speech(text)
    assert not any(c is not None and ("believes" in c or "feels" in c) for c in cues(text, speech))


# ---- c. a time phrase between the subject and the verb
@pytest.mark.parametrize(
    ("text", "cue"),
    [
        (
            'Karin Dahl heads the bank. Dahl as recently as May 4 said that "rates will stay."',
            "Dahl as recently as May 4 said",
        ),
        ('Karen Dahl on Tuesday said "rates will stay."', "Karen Dahl on Tuesday said"),
        (
            'Karen Dahl runs the bank. Dahl earlier this month told reporters "rates will stay."',
            "Dahl earlier this month told",
        ),
        ('Karen Dahl last week said "rates will stay."', "Karen Dahl last week said"),
        ('Karen Dahl on March 3 said "rates will stay."', "Karen Dahl on March 3 said"),
    ],
)
def test_a_time_phrase_between_subject_and_verb(text: str, cue: str) -> None:
    speech = analyse_speech(text)
    assert [s.split()[-1] if s else s for s in speakers(speech)] == ["Dahl"]
    assert cues(text, speech) == [cue]


@pytest.mark.parametrize(
    "text",
    [
        # an ordinary clause between: the name is no subject of the verb
        'Karen Dahl met the minister, and on Tuesday the board said "rates will stay."',
        'Karen Dahl on the board of the bank and her allies at the fund said "no."',
    ],
)
def test_a_clause_between_subject_and_verb_is_not_a_time_phrase(text: str) -> None:
    assert "Karen Dahl" not in speakers(analyse_speech(text))


# ---- d. an open second apposition
def test_an_open_second_apposition_after_a_party_names_the_speaker() -> None:
    text = (
        'Ann Fry said "we wait." Rep. Ed Dunn, D-Tenn, the chairman of the harbour committee '
        'said "the time has come."'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Ann Fry", "Ed Dunn"]
    assert cues(text, speech)[1] == (
        "Rep. Ed Dunn, D-Tenn, the chairman of the harbour committee said"
    )


def test_an_open_second_apposition_after_an_age_names_the_speaker() -> None:
    text = 'Ann Fry said "we wait." Ed Dunn, 54, the chairman of the board said "we go."'
    assert speakers(analyse_speech(text)) == ["Ann Fry", "Ed Dunn"]


def test_a_second_apposition_never_crosses_a_sentence_end() -> None:
    # (the wire sometimes starts a sentence in lower case)
    text = 'The port is shut, Ivo Kovalenko, wrote. later, a spokesman for the port said "we stop."'
    assert speakers(analyse_speech(text)) == ["spokesman for the port"]


@pytest.mark.parametrize(
    "place",
    ["In Dover, Kent,", "New York, N.Y.,"],
)
def test_a_place_before_an_open_apposition_is_no_speaker(place: str) -> None:
    # ", the chairman of X said" after a place: the reporting clause, no second apposition
    text = f'Ann Fry spoke. {place} the chairman of the harbour committee said "no."'
    speaker = speakers(analyse_speech(text))[-1]
    assert speaker is None or not any(word in speaker for word in ("Dover", "York"))


# ---- e. an appositive holding a scare-quoted word
def test_an_appositive_with_a_scare_quoted_word_still_names_the_subject() -> None:
    text = (
        'The Harbour Council, a group of mostly "green" local businesses, said that '
        '"the port must wait."'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == [None, "Harbour Council"]
    assert cues(text, speech)[1] == (
        'The Harbour Council, a group of mostly "green" local businesses, said'
    )


def test_an_appositive_with_a_two_word_term_names_the_person() -> None:
    text = 'Ann Fry, who calls herself a "rail enthusiast," said "the line must stay open."'
    assert speakers(analyse_speech(text))[-1] == "Ann Fry"


def test_a_statement_inside_an_appositive_is_no_term() -> None:
    # three words and more is speech, not a term: the cue is not read across it
    text = (
        'Ann Fry said "we will not wait." The council, which replied "we will see," said '
        'that "the port must wait."'
    )
    speech = analyse_speech(text)
    assert cues(text, speech)[-1] != ('The council, which replied "we will see," said')


# ---- f. a definite descriptor whose qualifier differs from the earlier person's
def test_a_definite_descriptor_with_another_place_is_someone_new() -> None:
    text = (
        'A Japanese trader said "prices will fall."\n\n'
        '"Prices will hold," the Hong Kong trader said.'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Japanese trader", "Hong Kong trader"]
    assert speech.quotations[0].person != speech.quotations[1].person
    assert [p.named for p in speech.people] == [False, False]


@pytest.mark.parametrize("descriptor", ["the Japanese trader", "the trader", "the senior trader"])
def test_a_definite_descriptor_with_the_same_or_no_place_is_the_same_person(
    descriptor: str,
) -> None:
    text = f'A Japanese trader said "prices will fall."\n\n"Prices will hold," {descriptor} said.'
    speech = analyse_speech(text)
    assert speakers(speech) == ["Japanese trader", "Japanese trader"]
    assert speech.quotations[0].person == speech.quotations[1].person


def test_a_descriptor_goes_back_to_the_earlier_person_of_its_place() -> None:
    text = (
        'A Hong Kong trader said "prices will fall." A Japanese trader said "prices will '
        'rise."\n\n"Prices will hold," the Hong Kong trader said.'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Hong Kong trader", "Japanese trader", "Hong Kong trader"]
    assert speech.quotations[0].person == speech.quotations[2].person


def test_a_named_person_keeps_a_descriptor_of_another_place() -> None:
    # a named person's words are of many kinds (where they work, where they live): no clash
    text = (
        'Ken Sato, a trader at Nomura in Tokyo, said "prices will fall."\n\n'
        '"Prices will hold," the Japanese trader said.'
    )
    assert speakers(analyse_speech(text)) == ["Ken Sato", "Ken Sato"]


# ---- hostile input: four times the text, about four times the work (never sixteen)
_HOSTILE_ARTICLES = {
    "firm commas": lambda n: '"Fine," Ann Lee of Fenwick' + ", Dale and Co" * n + " said.",
    "time phrases": lambda n: "Karen Dahl" + " as recently as May 4" * n + ' said "no."',
    "scare quotes": lambda n: 'The Harbour Council, a group of "green" said "' + ' a "green" ' * n,
    "scare quotes in appositions": lambda n: 'Ann Lee, a "green" of' * n + ' said "we act."',
    "descriptors": lambda n: 'A Japanese trader said "up."\n\n' + "the Hong Kong trader said. " * n,
    "view verbs": lambda n: 'Ann Lee believes "we act." ' * n,
    "second appositions": lambda n: "Rep. Ed Dunn, D-Tenn" * n + ', the chairman of X said "no."',
}


@pytest.mark.parametrize("unit", _HOSTILE_ARTICLES.values(), ids=_HOSTILE_ARTICLES.keys())
def test_attribution_work_grows_in_proportion_to_hostile_text(
    unit: Callable[[int], str],
) -> None:
    assert grows_in_proportion(lambda n: analyse_speech(unit(n)), 100, 400)
