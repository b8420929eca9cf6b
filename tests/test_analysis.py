"""The per-article analysis the answer stage reads, and the scope that limits an answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from index.analysis import ArticleAnalysis, analyse_article
from index.analyze import Analyzer
from index.answer import Scope
from index.engine import reindex_data_dir
from index.models import Article
from tests.conftest import HEADLINE, HEADLINE_QUOTE

TEXT = (
    "Chancellor Gordon Brown spoke on Wednesday. “We will not put at risk the stability,” "
    "Brown said.\n\nOpposition leaders called the plans a gimmick."
)


def _article() -> Article:
    return Article(id="brown", title="Brown", text=TEXT, content_hash="x")


def test_analysis_holds_sentences_their_terms_and_quotations() -> None:
    analysis = analyse_article(_article(), Analyzer())
    assert len(analysis.sentences) == 3 and len(analysis.paragraphs) == 2
    first = analysis.sentences[0]
    assert TEXT[first[0] : first[1]] == "Chancellor Gordon Brown spoke on Wednesday."
    assert "brown" in analysis.tokens[0] and "gimmick" in analysis.tokens[2]
    (quotation,) = analysis.quotations
    assert quotation.speaker == "Brown"
    assert analysis.quotation_at(*analysis.sentences[1]) == quotation
    assert analysis.quotation_at(*analysis.sentences[2]) is None
    assert analysis.sentence_at(analysis.sentences[2][0]) == 2
    assert analysis.sentence_at(analysis.sentences[2][0] + 1) is None
    assert list(analysis.sentences_in(first[1] - 1, analysis.sentences[1][0] + 1)) == [0, 1]
    assert analysis.paragraph_of(analysis.sentences[2][0]) == 1


def test_analysis_survives_its_byte_form() -> None:
    analysis = analyse_article(_article(), Analyzer())
    assert ArticleAnalysis.from_bytes(analysis.to_bytes()) == analysis


def test_scope_drops_articles_and_quotes_already_shown(corpus_dir: Path, data_dir: Path) -> None:
    engine = reindex_data_dir(corpus_dir, data_dir)[1]
    try:
        first = engine.ask(HEADLINE)
        assert HEADLINE_QUOTE in first.quotes[0].text
        shown = frozenset((q.source.article_id, q.start, q.end) for q in first.quotes)
        again = engine.ask(HEADLINE, scope=Scope(exclude=shown))
        assert all(
            not (q.source.article_id == a and q.start < e and s < q.end)
            for q in again.quotes
            for a, s, e in shown
        )
        nothing = engine.ask(HEADLINE, scope=Scope(allow_article=lambda a: False))
        assert not nothing.answered
    finally:
        engine.close()


def test_prefer_recent_puts_the_newer_of_two_near_equal_answers_first(
    corpus_dir: Path, data_dir: Path, write_article: Callable[..., Path]
) -> None:
    said = "The Minsk Tractor Works shipped {} abroad in {}, the plant said."
    write_article(
        "tractors-old", "Exports", said.format("30,000 tractors", 2019), published="2019-05-01"
    )
    write_article(
        "tractors-new", "Exports", said.format("41,000 machines", 2023), published="2023-05-01"
    )
    engine = reindex_data_dir(corpus_dir, data_dir)[1]
    try:
        question = "How many tractors did the Minsk Tractor Works ship abroad?"
        by_score = engine.ask(question)
        newest = engine.ask(question, scope=Scope(prefer_recent=True))
        # The older article repeats "tractors", so by score it comes first; "latest" flips them.
        assert [q.source.article_id for q in by_score.quotes[:2]] == [
            "tractors-old",
            "tractors-new",
        ]
        assert [q.source.article_id for q in newest.quotes[:2]] == ["tractors-new", "tractors-old"]
    finally:
        engine.close()
