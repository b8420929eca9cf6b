"""Adversarial pass on stop 15's attribution, question and analyzer changes (invented text only):
hostile input costs work in proportion to its size, nothing crashes, and plain news attribution
still names the right speaker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.analyze import Analyzer
from index.engine import reindex_data_dir
from index.question import read_question
from index.speech import analyse_speech
from tests.work import calls

ANALYZER = Analyzer()


def _calls(run: Callable[[], object]) -> int:
    return calls(run)


# ---- hostile input: four times the text, about four times the work (never sixteen)
# Each unit repeats what one of stop 15's new patterns or loops walks over.
_HOSTILE_ARTICLES = {
    "quoted as, after a quotation": lambda n: '"Fine," Ann Lee was quoted by ' + "the " * n + "as.",
    "who before the verb": lambda n: '"We are fine," ' + "Ann Lee Ross, who " * n + "said.",
    "participle after a comma": lambda n: 'Okafor called on the board, saying: "We act." ' * n,
    "role of a noun phrase": lambda n: "A spokesman for the " + "big " * n + "company said it.",
    "words before a role": lambda n: '"Fine," Ann Lee, ' + "big " * n + "president said.",
    "ampersand chain": lambda n: '"Fine," said ' + "&".join(["AT"] * n) + ".",
    "United States": lambda n: "United States " * n + "said it was fine.",
    "doubled verb": lambda n: '"Fine," ' + "said " * n + "Ann Lee.",
    "pronoun chain": lambda n: 'The spokesman said it was over. "We are done," he said. ' * n,
}


@pytest.mark.parametrize("unit", _HOSTILE_ARTICLES.values(), ids=_HOSTILE_ARTICLES.keys())
def test_attribution_work_grows_in_proportion_to_hostile_text(
    unit: Callable[[int], str],
) -> None:
    small = _calls(lambda: analyse_speech(unit(50)))
    large = _calls(lambda: analyse_speech(unit(200)))
    assert large < 6 * small


_HOSTILE_QUESTIONS = {
    "statement noun after possessives": lambda n: "What was " + "Xa's Outlook " * n + "?",
    "which … think": lambda n: "Which " + "firms " * n + "does Smith think are sound?",
    "leading clauses": lambda n: "At his news conference, " * n + "what warning did Smith give?",
    "name with ampersands": lambda n: "What did " + "Procter & Gamble " * n + "say?",
    "particle": lambda n: "What would Smith bring " + "up " * n + "?",
}


@pytest.mark.parametrize("unit", _HOSTILE_QUESTIONS.values(), ids=_HOSTILE_QUESTIONS.keys())
def test_question_work_grows_in_proportion_to_hostile_text(unit: Callable[[int], str]) -> None:
    small = _calls(lambda: read_question(unit(25), ANALYZER))
    large = _calls(lambda: read_question(unit(100), ANALYZER))
    assert large < 6 * small


# ---- crashes: any text through the three readers
_PIECES = [
    *'"“”«»,.:()—&',
    "\n\n",
    "said",
    "said said",
    "saying",
    "quoted",
    "as",
    "was",
    "who",
    "he",
    "she",
    "the",
    "a",
    "spokesman",
    "for",
    "of",
    "to",
    "in",
    "Ann",
    "Lee",
    "AT&T",
    "United",
    "States",
    "'s",
    "’s",
    "repeated",
    "according to",
    "Which",
    "What",
    "did",
    "think",
    "outlook",
    "long-run",
    "bring",
    "up",
    "want",
    "How many",
    "Why",
    "Israelis",
    "U.S.",
    "İ",
    "ß",
    "ﬁ",
    "\u0301",
    "\u200b",
    "Он сказал",
]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.sampled_from(_PIECES) | st.text(max_size=4), max_size=40),
    st.sampled_from([" ", ""]),
)
def test_any_text_is_read_without_an_exception(parts: list[str], separator: str) -> None:
    text = separator.join(parts)
    speech = analyse_speech(text)
    for quotation in speech.quotations:
        assert 0 <= quotation.start <= quotation.end <= len(text)
        assert quotation.person < len(speech.people)
    question = read_question(text, ANALYZER)
    assert set(question.focus) <= set(question.topic)
    ANALYZER.tokens(text)


def test_hostile_articles_and_questions_get_answers(
    write_article: Callable[..., Path], corpus_dir: Path, data_dir: Path
) -> None:
    write_article(
        "hostile",
        "Hostile attribution",
        "\n\n".join(unit(300) for unit in _HOSTILE_ARTICLES.values()),
    )
    _, engine = reindex_data_dir(corpus_dir, data_dir)
    try:
        for unit in (*_HOSTILE_QUESTIONS.values(), lambda n: "&" * n, lambda n: "’s " * n):
            answer = engine.ask(unit(40)[:1000])  # the service's longest question
            assert answer.question
        answer = engine.ask("What did Ann Lee say?")
        assert all(q.text for q in answer.quotes)
    finally:
        engine.close()


# ---- ordinary news: plain attribution still names the speaker
_PLAIN_NEWS = {
    '"The harbour will reopen on Monday," Marta Quispe said.': "Marta Quispe",
    'Marta Quispe said: "The harbour will reopen on Monday."': "Marta Quispe",
    '"The harbour will reopen," said Marta Quispe, the director of the Port Authority.': (
        "Marta Quispe"
    ),
    '"We expect rain," said Tomas Brenner, a forecaster at the Alpine Weather Service.': (
        "Tomas Brenner"
    ),
    '"The bridge is safe," the city engineer, Ola Nwosu, said.': "Ola Nwosu",
    'Ola Nwosu, the city engineer, said: "The bridge is safe."': "Ola Nwosu",
    '"Sales at AT&T rose," said Dana Whitfield, an analyst at Brook & Lane.': "Dana Whitfield",
    '"The United States will not pay," Senator Rita Okafor said.': "Rita Okafor",
    'Rita Okafor repeated her warning. "The United States will not pay," she said.': (
        "Rita Okafor"
    ),
    '"Israelis and Palestinians must talk," said Hanna Berg, a Swedish envoy.': "Hanna Berg",
    'Mayor Leo Park spoke on Tuesday, saying: "The budget is balanced."': "Leo Park",
    '"Prices will fall," Ken Ito of Sakura Securities said.': "Ken Ito",
    '"Prices will fall," said Ken Ito of Sakura Securities.': "Ken Ito",
    '"We lost money," a spokesman for Greenfield Foods said.': "spokesman for Greenfield Foods",
    '"The strike is over," Paulo Reis was quoted as saying.': "Paulo Reis",
    'The radio quoted a local farmer, Amos Kibet, as saying: "The rains came late."': (
        "Amos Kibet"
    ),
    '"The vote is final," said said Beth Reiners.': "Beth Reiners",
    '"We will appeal," said Noor Haddad, who represents the growers.': "Noor Haddad",
    '"The talks failed," according to Ivo Petrov, an aide to the minister.': "Ivo Petrov",
    'The council chairman, Sam Odhiambo, said: "We will vote tomorrow."': "Sam Odhiambo",
    '"Our partners agree," said Claire Dubois, the head of trade at Nordhaus.': "Claire Dubois",
    'Procter & Gamble chief executive Joan Miles said: "Demand is strong."': "Joan Miles",
    'Ann Lee spoke first. "Taxes must rise," she said.\n\nThen Maria Gomez, the treasurer, '
    'spoke. "Taxes must fall," she said.': "Maria Gomez",
    'The spokesman for Nordhaus, Piet Vos, said the plant would close. "We have no choice," he '
    "said.": "Piet Vos",
    '"We are ready," a spokesman in Brussels said.': "spokesman in Brussels",
    'Police arrested Tom Baker, who said: "I am innocent."': "Tom Baker",
    'The team hopes to repeat its title run. "We are hungry," said coach Ana Silva.': "Ana Silva",
    '"The deal is dead," Ann Lee was quoted as saying by the Daily Star.': "Ann Lee",
    '"Exports to the United States rose," said Kofi Mensah, a trade official in Accra.': (
        "Kofi Mensah"
    ),
    'Kofi Mensah, an aide to Trade Minister Ama Owusu, said: "Exports rose."': "Kofi Mensah",
    '"We will win," said Rosa Lind, a lobbyist for the farmers.': "Rosa Lind",
    '"It is over," said Jan Hol.\n\n"We are done," he repeated.': "Jan Hol",
}


@pytest.mark.parametrize(("text", "speaker"), _PLAIN_NEWS.items())
def test_plain_news_attribution_names_the_speaker(text: str, speaker: str) -> None:
    speech = analyse_speech(text)
    last = speech.quotations[-1]
    assert last.person >= 0 and speech.people[last.person].name == speaker
