"""Attribution slips found at stop 17, in articles and in questions. Every text is invented in the shape of what was seen,
never copied from an article."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.analyze import Analyzer
from index.question import read_question
from index.speech import analyse_speech
from tests.speech_helpers import reported_speakers, speakers
from tests.test_answer import engine_with, first_quote

ANALYZER = Analyzer()


@pytest.mark.parametrize(
    ("cue", "name"),
    [
        ("said Chief Economist Dana Ruiz", "Dana Ruiz"),
        ("said Managing Director Lee Park", "Lee Park"),
        ("Analyst Jane Doe said", "Jane Doe"),
        ("Deputy Director Omar Haddad said", "Omar Haddad"),
    ],
)
def test_a_role_written_as_a_title_before_a_persons_name_is_no_part_of_it(
    cue: str, name: str
) -> None:
    text = f'"We expect two cuts this year," {cue}.'
    if cue.endswith("said"):
        text = f'{cue}: "We expect two cuts this year."'
    assert speakers(analyse_speech(text)) == [name]


@pytest.mark.parametrize("name", ["Dean Smith", "Bankers Trust Co"])
def test_a_role_word_starting_an_organisations_or_a_two_word_name_stays(name: str) -> None:
    text = f'"Demand is strong," said {name}.'
    assert speakers(analyse_speech(text)) == [name]


def test_spokesman_is_no_sign_of_a_man() -> None:
    # 1980s wire copy calls women "spokesman": her "she said" is still hers
    text = (
        "Exports will rise, Spokesman Teresa Lind told reporters.\n\n"
        "Cold weather should not harm the crop, she said, but frost in April could."
    )
    speech = analyse_speech(text)
    assert reported_speakers(speech) == [
        "Teresa Lind",
        "Teresa Lind",
    ]


def test_a_lone_surname_is_the_person_not_the_company_named_after_him() -> None:
    text = (
        "Royce Halvorsen, chairman of Halvorsen Drilling Co, agreed with the forecast.\n\n"
        '"For those of us who held on, the worst is over," Halvorsen said.'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Royce Halvorsen"]


@pytest.mark.parametrize(
    ("text", "who"),
    [
        (
            'An analyst familiar with the two mines said "they are worth 40 dlrs a share."\n\n'
            'The analyst, who asked not to be named, said "investors were not aware of them."',
            "analyst familiar with the two mines",
        ),
        (
            'One banker closely involved in the talks said: "There must be one committee."',
            "banker closely involved in the talks",
        ),
        ('A source close to the company said, "We will sell."', "source close to the company"),
    ],
)
def test_an_unnamed_speaker_described_by_what_he_knows(text: str, who: str) -> None:
    speech = analyse_speech(text)
    assert speech.quotations
    assert set(speakers(speech)) == {who}


@pytest.mark.parametrize(
    "text",
    [
        'Jane Doe, an analyst with Merrill Lynch said "rates will fall."',
        'Jane Doe, analyst at Smith Barney, Harris Upham and Co said "rates will fall."',
        '"Rates will fall," said Jane Doe, analyst at Smith Barney, Harris Upham and Co.',
        'Rates rose.\n\nJane Doe, the spokeswoman for the bank, said "rates will fall."',
        'Jane Doe, an analyst with Kidder, Peabody and Co said "rates will fall."',
        '"Rates will fall," Jane Doe, chief economist of Berliner Handels- and Frankfurter Bank '
        "(BHF) said.",
        'Jane Doe, chairman of the Chicago Mercantile Exchange said "rates will fall."',
        '"Contract talks, filing with the U.S. government and the rest will delay it," Jane Doe, '
        "a natural gas analyst with Shearson Lehman Bros. said.",
        '"A total of 500 mln lira of paper of Turk Kimya A.S. Is on sale," Jane Doe, deputy '
        "general-manager of Yapi ve Kredi Bankasi told Reuters.",
    ],
)
def test_a_name_before_its_descriptor_in_apposition_is_the_speaker(text: str) -> None:
    assert speakers(analyse_speech(text)) == ["Jane Doe"]


@pytest.mark.parametrize(
    "text",
    [
        'After meeting Jane Doe, an analyst at Acme said "rates will fall."',
        'Like Jane Doe, an analyst at Acme said "rates will fall."',
        '"Rates will fall," In Acme, an analyst at Acme said.',
    ],
)
def test_a_name_that_does_not_start_its_clause_is_no_apposition(text: str) -> None:
    # (nor a place before an unnamed speaker: "In Tokyo, a spokesman for the ministry said")
    speech = analyse_speech(text)
    assert speakers(speech) == ["analyst at Acme"]


def test_someone_unnamed_who_acts_is_the_he_who_speaks_next() -> None:
    text = (
        '"The minister is worried," one senior dealer said.\n\n'
        "A Savings Department spokesman refused to comment, saying rates had fallen.\n\n"
        '"We are not politically motivated," he told Reuters.\n\n'
        "A Hong Kong trader estimated stocks at three mln tonnes. "
        '"They are falling," he said.'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == [
        "senior dealer",
        "Savings Department spokesman",
        "Hong Kong trader",
    ]


def test_a_surname_that_starts_with_its_particle_speaks_after_said() -> None:
    text = (
        "Tomas de Hora, an economist in Manila, spoke first.\n\n"
        '"Japan is exporting to Europe," said de Hora.'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Tomas de Hora"]


@pytest.mark.parametrize(
    ("text", "who"),
    [
        (
            '"We are committed," union president Owen Bieber and vice president Marc Stepp said.',
            "Owen Bieber",
        ),
        (
            '"It is cut and dried," Peters and Co Ltd energy analyst Wilf Gobert said.',
            "Wilf Gobert",
        ),
    ],
)
def test_two_people_speaking_together_are_quoted_as_the_first(text: str, who: str) -> None:
    speech = analyse_speech(text)
    assert speakers(speech) == [who]


# ---- the same title in a question
@pytest.mark.parametrize(
    ("question", "name", "head"),
    [
        ("What did Chief Economist Dana Ruiz say?", "Dana Ruiz", "economist"),
        ("Why does Senator Daniel Evans say firms are held back?", "Daniel Evans", "senat"),
        ("What did Dean Smith say?", "Dean Smith", None),
    ],
)
def test_a_question_reads_a_title_before_a_name_as_the_role(
    question: str, name: str, head: str | None
) -> None:
    speaker = read_question(question, ANALYZER).speaker
    assert speaker is not None
    assert (speaker.name, speaker.head) == (name, head)


def test_a_speaker_asked_for_with_her_title_is_found_and_quoted(tmp_path: Path) -> None:
    engine = engine_with(
        tmp_path,
        {
            "rates": (
                "Nordbank sees two rate cuts",
                "Nordbank expects inflation to ease this year.\n\n"
                '"We expect two cuts in interest rates before the summer," said Dana Ruiz, '
                "the bank's chief economist.",
            )
        },
    )
    quote = first_quote(engine, "What did Chief Economist Dana Ruiz say about interest rates?")
    assert "two cuts in interest rates" in quote
