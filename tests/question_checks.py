"""A check the adversarial tests share: any question, however odd, is read and answered
consistently (its focus inside its topic, a view asked only of someone, every quote verbatim)."""

from __future__ import annotations

from index.analyze import Analyzer
from index.engine import Engine
from index.question import read_question


def assert_read_and_answered_consistently(engine: Engine, analyzer: Analyzer, text: str) -> None:
    question = read_question(text, analyzer)
    assert set(question.focus) <= set(question.topic)
    assert not question.asks_view or question.speaker is not None
    answer = engine.ask(text[:1000] or "?")
    assert answer.answered == bool(answer.quotes)
    for quote in answer.quotes:
        assert engine.article(quote.source.article_id).text[quote.start : quote.end] == quote.text
