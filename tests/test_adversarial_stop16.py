"""Adversarial pass on stop 16's answer-path changes (invented text only): the sentences around a
statement, statements kept however little of the topic their article holds, the new question
patterns, all-owner speaker matching and punctuation-blind quote dedup. Hostile input costs work
in proportion to its size, nothing crashes, and ordinary news is still answered right."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.analyze import Analyzer
from index.engine import Engine, reindex_data_dir
from index.question import read_question
from tests.conftest import copy_corpus
from tests.question_checks import assert_read_and_answered_consistently
from tests.work import calls, grows_in_proportion

ANALYZER = Analyzer()

# ---- hostile questions: four times the words, about four times the work (never sixteen)
# Each repeats what one of stop 16's new question patterns walks over.
_HOSTILE_QUESTIONS = {
    "when … expect": lambda n: "When does Ann Lee expect " + "the firm to expect " * n + "?",
    "expect after a long speaker": lambda n: "When does " + "Ann Lee " * n + "expect rain?",
    "do if": lambda n: "What will Ann Lee do if " + "they do if " * n + "?",
    "why is … weighing": lambda n: "Why is Ann Lee weighing " + "weighing " * n + "?",
    "statement nouns": lambda n: "What chance " * n + "did Ann Lee give?",
    "noun-led chain": lambda n: "What chance did Ann Lee give " + "what odds did she set " * n,
    "plan to": lambda n: "Does Ann Lee plan to " + "plan to " * n + "?",
    "find it": lambda n: "Why does Ann Lee find it " + "it " * n,
    "hail from": lambda n: "Where does " + "Ann hail from " * n,
    "open to": lambda n: "Is " + "Ann Lee open to " * n,
}


@pytest.mark.parametrize("unit", _HOSTILE_QUESTIONS.values(), ids=_HOSTILE_QUESTIONS.keys())
def test_question_work_grows_in_proportion_to_hostile_text(unit: Callable[[int], str]) -> None:
    assert grows_in_proportion(lambda n: read_question(unit(n), ANALYZER), 50, 200)


# ---- the engine: ordinary invented news plus hostile articles of two sizes
def _filler(n: int) -> str:
    return " ".join(f"The tide table for day {i} lists the harbour's dredging." for i in range(n))


def _one_quote_amid(speaker: str, n: int) -> str:
    """One quotation in the middle of ``n`` sentences each side that name the topic."""
    return f'{_filler(n)}\n\n"The dredging is done," {speaker} said.\n\n{_filler(n)}'


def _many_quotes(speaker: str, n: int) -> str:
    """``n`` quotations by one speaker, each between sentences naming the topic."""
    return "\n\n".join(
        f'Dredging went on. "Berth {i} is clear," {speaker} said. The dredging paused.'
        for i in range(n)
    )


_ARTICLES = {
    "harbour": (
        "Port of Valdera to reopen after storm",
        """Marta Quispe, the director of the Port of Valdera, spoke to reporters on Friday.

"The dredging is finished and the channel is safe again," Quispe said of the storm damage.

Shipping lines had diverted cargo during the closure. Two warehouses were flooded.

"My daughter starts school next week, so it has been a busy month," Quispe said.

The storm damage to the harbour will cost 40 million euros, officials said. Insurers will pay \
most of the storm damage.""",
    ),
    "council": (
        "Council backs rail link",
        """The city council voted on Tuesday to back the rail link to the Port of Valdera.

"It is a good day for the city," said councillor Ivo Marsh.

Marsh has championed the project for a decade. The port's director, Marta Quispe, lobbied hard.

Microsoft has opened an office near the port. Its Xbox team moved there in May.""",
    ),
    "grain": (
        "Farm minister sees obstacles to grain deal",
        """Farm minister Ruth Ambani said on Wednesday that there were serious obstacles to a new \
grain agreement with Norland, including quotas and shipping costs.

"The talks will continue next month," Ambani said. "Our farmers deserve a fair price."

Norland buys a third of the country's wheat.""",
    ),
    "wire-1": (
        "Mill to close",
        'The Hadley paper mill will close in June. "We tried everything, but the orders never '
        "came back,\" said Nils Okoro, the mill's owner.",
    ),
    # the same story on two more sites, a comma, a dash and an exclamation mark apart
    "wire-2": (
        "Hadley mill to close, owner says",
        'The Hadley paper mill will close in June. "We tried everything but the orders never '
        "came back!\" said Nils Okoro, the mill's owner.",
    ),
    "wire-3": (
        "Owner: Hadley mill closing",
        'The Hadley paper mill will close in June. "We tried everything — but the orders never '
        "came back,\" said Nils Okoro, the mill's owner.",
    ),
    "amid-small": ("Dredging log", _one_quote_amid("Ola Brandt", 100)),
    "amid-large": ("Dredging log", _one_quote_amid("Ivo Hartmann", 400)),
    "many-small": ("Dredging diary", _many_quotes("Pia Lund", 60)),
    "many-large": ("Dredging diary", _many_quotes("Sven Dahl", 240)),
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    root = tmp_path_factory.mktemp("adv16")
    corpus = copy_corpus(root / "corpus")
    for name, (title, text) in _ARTICLES.items():
        (corpus / f"{name}.md").write_text(f"---\ntitle: {title}\n---\n\n{text}\n")
    eng = reindex_data_dir(corpus, root / "data")[1]
    yield eng
    eng.close()


@pytest.mark.parametrize(
    ("small", "large"), [("Ola Brandt", "Ivo Hartmann"), ("Pia Lund", "Sven Dahl")]
)
def test_answer_work_grows_in_proportion_to_the_sentences_around_statements(
    engine: Engine, small: str, large: str
) -> None:
    # the sentences around each statement are read once per statement: an article four times as
    # long (one quotation amid it, or four times the quotations) costs about four times the work
    question = "What did {} say about the dredging?"
    engine.ask(question.format(small))  # (first-use loading is not the work measured)
    work_small = calls(lambda: engine.ask(question.format(small)))
    work_large = calls(lambda: engine.ask(question.format(large)))
    assert work_large < 6 * work_small


# ---- crashes: questions with stop 16's new words, through the reader and the engine
_PIECES = [
    *"?,.'’",
    "When",
    "Why",
    "What",
    "Does",
    "Did",
    "Is",
    "will",
    "does",
    "is",
    "was",
    "Marta Quispe",
    "Quispe",
    "Ambani's",
    "the minister",
    "expect",
    "predicts",
    "do",
    "if",
    "about",
    "weighing",
    "seeking",
    "plan",
    "intends",
    "to",
    "like",
    "hail",
    "from",
    "find",
    "it",
    "open",
    "ready",
    "willing",
    "chance",
    "outlook",
    "reasons",
    "doubts",
    "give",
    "set",
    "lay",
    "spell",
    "out",
    "laud",
    "decry",
    "Congressional",
    "Parliament",
    "Senate",
    "presidential",
    "Xbox",
    "dredging",
]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=3), max_size=24))
def test_any_question_with_the_new_words_is_answered_without_an_exception(
    engine: Engine, parts: list[str]
) -> None:
    assert_read_and_answered_consistently(engine, ANALYZER, " ".join(parts))


# ---- ordinary news
def _first(engine: Engine, question: str) -> str:
    answer = engine.ask(question)
    assert answer.answered, answer.reason
    return answer.quotes[0].text


def test_the_on_topic_quotation_beats_an_off_topic_one_amid_the_topic(engine: Engine) -> None:
    # the school quotation is two sentences from the storm damage: "around" sees the topic for
    # both, the one that speaks of it still comes first
    assert "dredging is finished" in _first(
        engine, "What did Marta Quispe say about the storm damage?"
    )


def test_no_statement_of_a_speaker_answers_a_topic_their_articles_never_name(
    engine: Engine,
) -> None:
    # Quispe and the Xbox meet in one article (the council's), so the question is not declined
    # as "never together"; but nothing Quispe says is about the Xbox, and her statements'
    # article never names it: none of them may be passed off as her words about it.
    answer = engine.ask("What did Marta Quispe say about the Xbox?")
    harbour = {
        q.source.article_id
        for q in answer.quotes
        if "Xbox" not in engine.article(q.source.article_id).text
    }
    assert not harbour, [q.text for q in answer.quotes]


def test_a_question_naming_what_was_said_still_prefers_the_reported_statement(
    engine: Engine,
) -> None:
    assert "serious obstacles" in _first(engine, "Did Ruth Ambani mention any obstacles?")
    # one asking for a view is answered by the speaker's own words
    assert "talks will continue" in _first(engine, "Does Ruth Ambani think the talks will go on?")


def test_copies_differing_in_punctuation_are_one_quote(
    engine: Engine,
) -> None:
    answer = engine.ask("What did Nils Okoro say about the Hadley mill closing?")
    texts = [q.text for q in answer.quotes]
    assert len([t for t in texts if "We tried everything" in t]) == 1, texts
