"""An article's text in pages, and a quote marked in its passage (Engine.source)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.engine import reindex_data_dir, text_pages
from index.errors import BadInput, NotFound
from index.segment import sentence_spans
from tests.conftest import HEADLINE, HEADLINE_QUOTE

WORDS = st.sampled_from(["Minsk", "said", "the", "bridge", "“Yes,”", "it", "opened", "today"])
SENTENCE = st.lists(WORDS, min_size=1, max_size=30).map(lambda ws: " ".join(ws) + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=8).map(" ".join)
TEXT = st.lists(PARAGRAPH, min_size=1, max_size=12).map("\n\n".join)


@settings(max_examples=60, deadline=None)
@given(TEXT, st.integers(min_value=40, max_value=600))
def test_pages_hold_every_paragraph_once_in_order(text: str, page_chars: int) -> None:
    pages = text_pages(text, page_chars)
    assert pages[0][0] == 0 or not text[: pages[0][0]].strip()
    for (_, end), (start, _) in itertools.pairwise(pages):
        assert end <= start and not text[end:start].strip()  # nothing between pages is lost
    assert not text[pages[-1][1] :].strip()
    sentences = sentence_spans(text)
    for start, end in pages:
        # A page is within the size unless it is one sentence longer than a page on its own.
        assert end - start <= page_chars or (start, end) in sentences


def test_article_pages_and_a_marked_quote(corpus_dir: Path, data_dir: Path) -> None:
    engine = reindex_data_dir(corpus_dir, data_dir)[1]
    try:
        article = "lukashenko-second-visit-china-2023"
        first = engine.source(article)
        assert first.text is not None and first.text.page == 1 and first.text.pages == 4
        text = engine.article(article).text
        pages = [engine.source(article, page=n).text for n in range(1, 5)]
        assert all(p is not None and p.text == text[p.start : p.end] for p in pages)
        assert " ".join(" ".join(p.text.split()) for p in pages if p) == " ".join(text.split())
        whole = engine.source(article, full=True).text
        assert whole is not None and whole.text == text
        with pytest.raises(BadInput, match="4 pages"):
            engine.source(article, page=5)

        quote = engine.ask(HEADLINE).quotes[0]
        view = engine.source(f"{quote.passage_id}@{quote.start}-{quote.end}")
        assert view.kind == "passage" and view.mark is not None
        assert HEADLINE_QUOTE in text_of(engine, view.article.id, view.mark.start, view.mark.end)
        with pytest.raises(BadInput, match="START before END"):
            engine.source(f"{quote.passage_id}@9-3")
        with pytest.raises(NotFound):
            engine.source("no-such-article@1-2")
    finally:
        engine.close()


def text_of(engine: object, article_id: str, start: int, end: int) -> str:
    return engine.article(article_id).text[start:end]  # type: ignore[attr-defined]
