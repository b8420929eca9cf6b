"""Six attribution patterns found on news the engine misread. Every text is invented in the
shape of what was seen, never copied from an article."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from index.speech import analyse_speech
from tests.speech_helpers import cues, speakers
from tests.work import calls


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
    ],
)
def test_a_firm_whose_name_has_and_co_speaks_whole(text: str, firm: str) -> None:
    assert speakers(analyse_speech(text)) == [firm]


def test_a_firm_comma_is_no_firm_without_and_co() -> None:
    # two names in a list, then a speaker: the comma is the list's
    text = 'Fenwick, Dale and Ann Fry met. "We agree," Ann Fry said.'
    assert speakers(analyse_speech(text)) == ["Ann Fry"]


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
    small = calls(lambda: analyse_speech(unit(100)))
    large = calls(lambda: analyse_speech(unit(400)))
    assert large < 6 * small
