"""Stop 18: a straight double quote typed for an apostrophe ('Norland"s', 'don"t'), as some
wire copy prints it, is no quotation mark: it neither opens nor closes a quotation, so the
quotations around it keep their speakers. Texts invented in the shape seen."""

from __future__ import annotations

import pytest

from index.speech import analyse_speech
from tests.speech_helpers import speakers


@pytest.mark.parametrize(
    ("text", "quoted", "speaker"),
    [
        (
            'Norland"s finance minister Ann Lee said: "We will not devalue the crown."',
            '"We will not devalue the crown."',
            "Ann Lee",
        ),
        (
            '"We don"t expect a cut before the summer," Otto Brandt said.',
            '"We don"t expect a cut before the summer,"',
            "Otto Brandt",
        ),
        (
            'The Mail, Estmark"s biggest paper, said: "The budget is bad for growth."',
            '"The budget is bad for growth."',
            "Mail",
        ),
    ],
)
def test_a_double_quote_between_letters_is_an_apostrophe(
    text: str, quoted: str, speaker: str
) -> None:
    speech = analyse_speech(text)
    assert [text[q.start : q.end] for q in speech.quotations] == [quoted]
    assert speakers(speech) == [speaker]


def test_a_closing_mark_before_a_letter_still_closes() -> None:
    # a quotation closed right before a word (a missing space) is still a quotation
    text = 'Brandt said "the quay is sound"and left.'
    assert [text[q.start : q.end] for q in analyse_speech(text).quotations] == [
        '"the quay is sound"'
    ]


def test_a_word_that_joins_a_name_names_no_one() -> None:
    # "Of the January total, …" opens a sentence: "Of" is no short form of "Department of Trade"
    text = (
        "New credit slipped to 2.66 billion crowns in January, the Department of Trade said.\n\n"
        "Of the January total, 1.15 billion crowns was advanced on bank credit cards.\n\n"
        "At end-January the total was 3.0 pct above the total three months earlier, "
        "the department said."
    )
    labels = [q.speaker for q in analyse_speech(text).reported]
    assert labels and "Of" not in labels
    assert all(label and label.startswith("Department") for label in labels)
