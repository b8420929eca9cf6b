"""Seven attribution patterns found on news questions the engine missed. Every text is invented
in the shape of what was seen, never copied from an article."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from index.analysis import analyse_article
from index.analyze import Analyzer
from index.features import speaker_match
from index.models import Article
from index.question import read_question
from index.speech import Speech, analyse_speech
from tests.speech_helpers import cues, speakers
from tests.work import grows_in_proportion

ANALYZER = Analyzer()


def _reported(speech: Speech) -> list[str | None]:
    return [speech.people[q.person].name if q.person >= 0 else None for q in speech.reported]


# ---- a. a view given with "called", "described … as", "termed"
def test_a_person_calling_something_a_quotation_said_it() -> None:
    text = (
        "Ines Calloway, the council's transport chief, called the ministry's study "
        '"so badly flawed that it proves nothing."'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Ines Calloway"]
    assert cues(text, speech) == [
        "Ines Calloway, the council's transport chief, called the ministry's study"
    ]


def test_a_quotation_after_called_and_one_after_adding_are_the_callers() -> None:
    text = (
        "Ines Calloway runs the council's transport office.\n\n"
        'Calloway called the plan a "reflection of a political decision," adding '
        '"we have no confidence in the ministry."'
    )
    assert speakers(analyse_speech(text)) == ["Ines Calloway", "Ines Calloway"]


def test_described_as_and_termed_give_a_view() -> None:
    text = (
        'Transport minister Oskar Brandt described the report as "a whitewash from start to '
        'finish." Mayor Tom Reyes termed the proposal "an insult to every taxpayer."'
    )
    assert speakers(analyse_speech(text)) == ["Oskar Brandt", "Tom Reyes"]
    text = 'The chairwoman of the rail union called it "a betrayal of every worker."'
    assert cues(text, analyse_speech(text)) == ["The chairwoman of the rail union called it"]
    text = 'Mayor Tom Reyes called it "historic" at the opening.'  # often a scare quote
    assert speakers(analyse_speech(text)) == [None]


@pytest.mark.parametrize(
    "text",
    [
        'He founded a company called "Acme Widgets" in 1990.',
        'Lena Ortiz joined a band called "The Quiet Hours" last spring.',
        'Harlow Industries Inc called its new drug "Zyrex" in the filing.',
        'Lena Ortiz called. "We are ready," the mayor told her later.',
        'Lena Ortiz called on Monday, and later said nothing. "We are ready," Ann Fry said.',
    ],
)
def test_called_is_no_cue_without_a_person_calling_something(text: str) -> None:
    speech = analyse_speech(text)
    assert not any("called" in cue for cue in cues(text, speech) if cue is not None)
    assert "Harlow Industries Inc" not in speakers(speech)
    assert "Lena Ortiz" not in speakers(speech)


# ---- b. a long role phrase between the verb and the name
def test_a_long_role_phrase_after_the_verb_stands_before_the_name() -> None:
    text = (
        '"The krona may fall to 140," said Nordbank Oslo branch senior vice president Kari '
        'Holm.\n\n"Rates hold," said Acme Corp president and chief executive officer Jon Lie.'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Kari Holm", "Jon Lie"]
    holm = speech.people[speech.quotations[0].person]
    assert {"nordbank", "oslo", "vice", "president"} <= set(holm.words.split())


def test_a_name_then_its_affiliation_after_the_verb_is_no_role_phrase() -> None:
    text = '"Calm seas are rare," said Ann Lee of Dutch Towage experts Hollis Marine of Delft.'
    assert speakers(analyse_speech(text)) == ["Ann Lee"]


def test_a_role_phrase_after_the_verb_never_runs_across_a_sentence_end() -> None:
    text = (
        '"Rates hold," said Ann Fry. Nordbank Oslo branch vice president Kari Holm said the '
        "krona would fall."
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Ann Fry"]
    assert _reported(speech) == ["Kari Holm"]


# ---- c. a party in parentheses after a comma; a role opening the sentence
@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('Rep. Ed Dunn, (D-Tenn.) said today "the time has come to act."', "Ed Dunn"),
        ('Rep. Ed Dunn (D-Tenn.) said "we will not wait for the Senate."', "Ed Dunn"),
        (
            "Chairman of the harbour committee, Rep. Ed Dunn, (D-Tenn.) said today "
            '"the time has come to act."',
            "Ed Dunn",
        ),
        (
            'Chairman of the harbour committee, Rep. Ed Dunn, said "the time has come to act."',
            "Ed Dunn",
        ),
        ('"We will not wait," Sen. Ann Fry, (R-Ohio) said.', "Ann Fry"),
    ],
)
def test_a_party_in_parentheses_after_a_comma_is_the_names(text: str, speaker: str) -> None:
    assert speakers(analyse_speech(text)) == [speaker]


def test_a_place_opening_the_sentence_is_no_role_before_an_apposition() -> None:
    # "In Paris, Lena Ortiz, …" is not "the Paris" being Lena Ortiz
    text = 'In Paris, Lena Ortiz, the envoy, said "we are close."'
    assert speakers(analyse_speech(text)) == ["Lena Ortiz"]


# ---- d. a clause between the subject and "said:"
def test_an_interview_clause_between_the_subject_and_the_verb() -> None:
    text = (
        "Prince Karim, in an interview with the magazine Al-Fajr, carried by the official "
        'Norland Press Agency (NPA), said: "Progress will come within three months."'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Karim"]
    text = (
        "Lena Ortiz, speaking to reporters in Oslo after the vote, said: "
        '"We lost, but we will be back."'
    )
    assert speakers(analyse_speech(text)) == ["Lena Ortiz"]


def test_an_interview_clause_after_the_quotation() -> None:
    text = (
        '"Progress will come," Prince Karim, in an interview with the magazine Al-Fajr, '
        "carried by the official Norland Press Agency, said."
    )
    assert speakers(analyse_speech(text)) == ["Karim"]


def test_a_name_in_the_interview_clause_is_not_the_speaker() -> None:
    text = (
        "In an interview with the magazine Al-Fajr, carried by the Norland Press Agency, "
        'Prince Karim said: "Progress will come."'
    )
    assert speakers(analyse_speech(text)) == ["Karim"]


# ---- e. an organisation whose name starts with a plural person noun
@pytest.mark.parametrize(
    "organisation", ["Bankers Trust Co.", "Traders Bank", "the Dealers Association"]
)
def test_an_organisation_starting_with_a_plural_role_is_no_role(organisation: str) -> None:
    text = f'"Rates will stay high," said John Wills of {organisation}'
    speech = analyse_speech(text)
    assert speakers(speech) == ["John Wills"]
    wills = speech.people[speech.quotations[0].person]
    assert organisation.split()[-2].lower() in wills.words.split()


def test_an_organisation_starting_with_a_plural_role_is_one_name() -> None:
    text = "Traders Bank said its profit rose by a fifth in the year to March."
    assert _reported(analyse_speech(text)) == ["Traders Bank"]


def test_a_plural_role_before_a_name_still_reads_as_one() -> None:
    text = '"We wait," said Brixton analyst Mira Holt.'
    assert speakers(analyse_speech(text)) == ["Mira Holt"]


# ---- f. name, a role in apposition without its closing comma, then the verb
def test_name_and_a_two_role_apposition_before_the_verb() -> None:
    text = (
        "Harlow Industries Inc said its profit fell 12 pct in the quarter.\n\n"
        '"We are pursuing talks with the tax office," Stephen G. Jarvis, president and chief '
        "operating officer said."
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Stephen G. Jarvis"]
    jarvis = speech.people[speech.quotations[0].person]
    assert {"president", "chief", "operating", "officer"} <= set(jarvis.words.split())


# ---- g. the role first, the name later
_COFFEE = (
    "Coffee exports fell by a third in the year to June, the chairman of the state-run Coffee "
    "Board said.\n\n"
    '"This has not been good for growers," J. Mbeki said. "Prices must recover first."\n\n'
    "Exporters expect a better crop next year."
)


def test_the_first_person_named_after_a_role_only_mention_holds_the_role() -> None:
    speech = analyse_speech(_COFFEE)
    assert speakers(speech) == ["J. Mbeki", "J. Mbeki"]
    assert _reported(speech) == ["J. Mbeki"]
    mbeki = speech.people[speech.quotations[0].person]
    assert {"chairman", "coffee", "board"} <= set(mbeki.words.split())


def test_a_question_about_the_role_finds_the_named_speaker() -> None:
    article = Article(id="coffee", title="Coffee exports fall", text=_COFFEE, content_hash="c")
    analysis = analyse_article(article, ANALYZER)
    ref = read_question("What did the chairman of the Coffee Board say?", ANALYZER).speaker
    assert ref is not None
    (quotation, _more) = analysis.quotations
    mbeki = analysis.speakers[quotation.person]
    assert mbeki.name == "J. Mbeki"
    assert speaker_match(ref, mbeki, set()) > 0.5


@pytest.mark.parametrize(
    "between",
    [
        "Trade minister Ruth Okello said the fall was expected. ",  # someone else named first
        '"We saw it coming," the minister said of Ruth Okello\'s warning. ',
    ],
)
def test_no_role_passes_over_another_person_named_in_between(between: str) -> None:
    text = _COFFEE.replace("\n\n", "\n\n" + between, 1)
    speech = analyse_speech(text)
    mbeki = next(p for p in speech.people if p.name == "J. Mbeki")
    assert "chairman" not in mbeki.words.split()


def test_a_named_speaker_with_a_role_of_his_own_takes_no_other_role() -> None:
    text = _COFFEE.replace("J. Mbeki said", "J. Mbeki, an economist in Kericho, said")
    speech = analyse_speech(text)
    assert "chairman" not in speech.people[speech.quotations[0].person].words.split()
    text = _COFFEE.replace("J. Mbeki said", "economist J. Mbeki said")
    speech = analyse_speech(text)
    assert "chairman" not in speech.people[speech.quotations[0].person].words.split()


def test_a_chairwoman_is_not_a_man_named_after_her() -> None:
    text = _COFFEE.replace("the chairman", "the chairwoman").replace(
        '"Prices must recover first."', '"Prices must recover first," he added.'
    )
    text = text.replace("J. Mbeki said.", "Mr. J. Mbeki said.")
    speech = analyse_speech(text)
    assert "chairwoman" not in speech.people[speech.quotations[0].person].words.split()


# ---- hostile input: four times the text, about four times the work (never sixteen)
_HOSTILE_ARTICLES = {
    "called": lambda n: "Ann Lee " + "called " * n + 'the plan "a mess."',
    "called, spaced": lambda n: 'Ann Lee called the plan "a mess." ' * n,
    "described without as": lambda n: "Ann Lee described " + "the plan " * n + '"a mess."',
    "party after a comma": lambda n: "Rep. Ed Dunn, " + "(D-Tenn.) " * n + 'said "go."',
    "interview clause": lambda n: "Ann Lee" + ", in an interview with X" * n + ', said: "Go."',
    "long role after the verb": lambda n: '"Go," said ' + "big vice " * n + "president Ann Lee.",
    "plural role words": lambda n: '"Go," said Ann Lee of ' + "Bankers " * n + "Trust.",
    "role and role apposition": lambda n: (
        '"Go," Ann Lee, ' + "president and " * n + "officer said."
    ),
    "role-only mentions": lambda n: (
        "Sales fell, the chairman of the board said. " * n + '"Fine," Ann Lee said.'
    ),
    "opening roles": lambda n: "Chairman of the board, " * n + 'Rep. Ed Dunn, said "go."',
}


@pytest.mark.parametrize("unit", _HOSTILE_ARTICLES.values(), ids=_HOSTILE_ARTICLES.keys())
def test_attribution_work_grows_in_proportion_to_hostile_text(
    unit: Callable[[int], str],
) -> None:
    assert grows_in_proportion(lambda n: analyse_speech(unit(n)), 500, 2000)
