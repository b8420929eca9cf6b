"""Real-news answers (issue 8): the speaker's own words, roles, second speakers, reported speech,
multi-paragraph quotations, and "no answer" with a reason only on evidence of absence.

The corpus is the two bundled seeds plus invented articles (tests/articles.py).
"""

from __future__ import annotations

import pytest

from index.engine import Engine, reindex_data_dir
from index.models import Answer
from tests.articles import EXTRA, HARBOUR, SKYPARCEL
from tests.conftest import copy_corpus


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root = tmp_path_factory.mktemp("news-answers")
    corpus = copy_corpus(root / "corpus")
    for art in [*EXTRA, SKYPARCEL, HARBOUR]:
        meta = "\n".join(f"{k}: {art[k]!r}" for k in ("title", "author", "publisher", "published"))
        (corpus / f"{art['name']}.md").write_text(f"---\n{meta}\n---\n\n{art['text'].strip()}\n")
    eng = reindex_data_dir(corpus, root / "data")[1]
    yield eng
    eng.close()


def first(engine: Engine, question: str) -> Answer:
    answer = engine.ask(question)
    assert answer.answered, (question, answer.reason)
    for quote in answer.quotes:
        article = engine.article(quote.source.article_id)
        assert article.text[quote.start : quote.end] == quote.text
    return answer


# ---- the bundled corpus: every question of the issue, with the quote it must give
@pytest.mark.parametrize(
    ("question", "expected", "speech"),
    [
        (
            "What did Lukashenko say about the partnership with China?",
            "the notion of ‘a comprehensive strategic partnership’ has acquired a special meaning",
            "direct",
        ),
        ("What did Lukashenko say?", "Expanding ties with China has been", "direct"),
        (
            "What did the Belarusian leader say about China?",
            "Expanding ties with China has been",
            "direct",
        ),
        (
            "What did Lukashenko tell the head of China's legislature?",
            "Expanding ties with China has been",
            "direct",
        ),
        (
            "What did Lukashenko say about relations between Russia and China?",
            "Moscow and Beijing continue to foster a constructive political dialogue",
            "direct",
        ),
        (
            "Did Lukashenko mention any obstacles to bilateral ties?",
            "Lukashenko also declared that there are no obstacles to tightening bilateral",
            "reported",
        ),
        ("What did Lukashenko tell Li Zhanshu?", "Expanding ties with China has been", "direct"),
    ],
)
def test_bundled_speech_questions_quote_lukashenko(
    engine: Engine, question: str, expected: str, speech: str
) -> None:
    quote = first(engine, question).quotes[0]
    assert expected in quote.text
    assert quote.speaker is not None and "Lukashenko" in quote.speaker
    assert quote.speech == speech


def test_which_city_is_lukashenko_visiting(engine: Engine) -> None:
    answer = first(engine, "Which city is Lukashenko visiting?")
    assert any("Beijing" in q.text and "visit" in q.text for q in answer.quotes)


# ---- newswire shapes
def test_lindqvist_is_answered_with_her_words(engine: Engine) -> None:
    quote = first(engine, "What did Hannah Lindqvist say about the aircraft?").quotes[0]
    assert quote.text.startswith("“We will not put another aircraft in the sky")
    assert quote.speaker == "Hannah Lindqvist"
    assert quote.speech == "direct"


def test_a_role_resolves_to_the_person_the_article_names_in_it(engine: Engine) -> None:
    for question in (
        "What did Skyparcel's chief executive say about the aircraft?",
        "What did the chief executive say about the aircraft?",
    ):
        quote = first(engine, question).quotes[0]
        assert quote.speaker == "Hannah Lindqvist", question
        assert "another aircraft in the sky" in quote.text


def test_two_speakers_on_one_topic_give_the_one_asked_about(engine: Engine) -> None:
    okafor = first(engine, "What did Okafor say about the harbour?").quotes[0]
    assert "lose the harbour to silt" in okafor.text and okafor.speaker == "Okafor"
    novak = first(engine, "What did Novak say about the harbour?").quotes[0]
    assert "costs our boats money" in novak.text
    assert novak.speaker == "Bogdan Novak" or novak.speaker == "Novak"
    union = first(engine, "What did the fishermen's union chairman say about the delay?")
    assert "costs our boats money" in union.quotes[0].text


def test_reported_speech_when_there_is_no_quotation_on_the_topic(engine: Engine) -> None:
    quote = first(engine, "What did Okafor tell investors about cargo volumes?").quotes[0]
    assert quote.text.startswith("Okafor also told investors that the port expects cargo")
    assert quote.speech == "reported"
    assert quote.speaker == "Okafor"


def test_a_quotation_over_two_paragraphs_is_the_directors(engine: Engine) -> None:
    answer = first(engine, "What did the port director say about finishing the channel?")
    assert "We will finish it, whatever the weather" in answer.quotes[0].text
    assert answer.quotes[0].speaker is not None and "Okafor" in answer.quotes[0].speaker


# ---- no answer, with the evidence as the reason
@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("What did Angela Merkel say about the floods?", "No article mentions Angela Merkel."),
        ("What did Sony's Akio Morita say about Belarus?", "No article mentions Akio Morita."),
        (
            "What did Gordon Brown say about the Xbox?",
            "Articles mention Gordon Brown and the Xbox, but never together.",
        ),
        (
            "What did Lukashenko say about the Xbox?",
            "Articles mention Lukashenko and the Xbox, but never together.",
        ),
    ],
)
def test_no_answer_says_which_evidence(engine: Engine, question: str, reason: str) -> None:
    answer = engine.ask(question)
    assert not answer.answered and answer.quotes == ()
    assert answer.reason == reason


def test_what_else_returns_more_of_the_same_speaker(engine: Engine) -> None:
    from index.answer import Scope

    shown = first(engine, "What did Lukashenko say?").quotes
    seen = frozenset((q.source.article_id, q.start, q.end) for q in shown[:1])
    more = first(engine, "What else did Lukashenko say?")
    again = engine.ask("What else did Lukashenko say?", scope=Scope(exclude=seen))
    assert more.quotes[0].speaker is not None and "Lukashenko" in more.quotes[0].speaker
    assert again.answered
    assert all((q.source.article_id, q.start, q.end) not in seen for q in again.quotes)
    assert all(q.speaker is not None and "Lukashenko" in q.speaker for q in again.quotes)
