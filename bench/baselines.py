"""The reference baselines: ``rank_bm25.BM25Okapi`` over sentences or paragraphs.

Two tokenisers: plain lowercase whitespace splitting (what a quick script would do), and the
project's own analyzer (so the difference to the engine is the engine's retrieval and quote
selection, not the text analysis). Sentence-level baselines return their top sentence as the
"quote"; paragraph-level ones rank the gold paragraphs themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi

from bench.evaluate import RankTally
from bench.squad import SquadQuestion, SquadSet

Tokenizer = Callable[[str], list[str]]


def whitespace_tokens(text: str) -> list[str]:
    return text.lower().split()


def analyzer_tokens() -> Tokenizer:
    from index.analyze import Analyzer

    analyzer = Analyzer()
    return analyzer.query_tokens


@dataclass(frozen=True, slots=True)
class Unit:
    """A ranked piece of text: a sentence or a paragraph of one article."""

    article: int
    paragraph: int
    start: int
    end: int


def sentence_units(squad: SquadSet) -> list[Unit]:
    """Every sentence of every article, cut by the project's segmenter."""
    from index.segment import sentence_spans

    units = []
    for a, article in enumerate(squad.articles):
        for start, end in sentence_spans(article.text):
            units.append(Unit(a, article.paragraph_at(start), start, end))
    return units


def paragraph_units(squad: SquadSet) -> list[Unit]:
    return [
        Unit(a, p, start, end)
        for a, article in enumerate(squad.articles)
        for p, (start, end) in enumerate(article.paragraph_spans)
    ]


class BM25Ranker:
    """``BM25Okapi`` over a fixed list of texts; returns indexes of the best ones."""

    def __init__(self, texts: Sequence[str], tokenize: Tokenizer) -> None:
        self.tokenize = tokenize
        started = time.perf_counter()
        tokens = [tokenize(text) for text in texts]
        # BM25Okapi divides by the average length: an all-empty unit list would break it.
        self.model = BM25Okapi([t or ["\0"] for t in tokens])
        self.build_seconds = time.perf_counter() - started

    def top(self, query: str, k: int) -> list[int]:
        """Indexes of the ``k`` best-scoring texts that hold a query term, best first."""
        terms = self.tokenize(query)
        if not terms:
            return []
        scores = self.model.get_scores(terms)
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [int(i) for i in best if scores[i] > 0]


def run_baseline(
    squad: SquadSet,
    questions: Sequence[SquadQuestion],
    units: Sequence[Unit],
    tokenize: Tokenizer,
) -> dict:
    """Rank ``units`` for every question; answer@k, gold-paragraph@k, MRR@10 and timings."""
    texts = [squad.articles[u.article].text[u.start : u.end] for u in units]
    ranker = BM25Ranker(texts, tokenize)
    tally = RankTally()
    for question in questions:
        started = time.perf_counter()
        ranked = ranker.top(question.text, 10)
        elapsed = time.perf_counter() - started
        tally.add(
            [texts[i] for i in ranked],
            question.answers,
            [
                units[i].article == question.article and units[i].paragraph == question.paragraph
                for i in ranked
            ],
            seconds=elapsed,
        )
    result = tally.as_dict()
    result["units"] = len(units)
    result["build_seconds"] = round(ranker.build_seconds, 3)
    return result


BASELINES: dict[str, tuple[Callable[[SquadSet], list[Unit]], Callable[[], Tokenizer]]] = {
    "rank_bm25 sentences, whitespace": (sentence_units, lambda: whitespace_tokens),
    "rank_bm25 paragraphs, whitespace": (paragraph_units, lambda: whitespace_tokens),
    "rank_bm25 sentences, analyzer": (sentence_units, analyzer_tokens),
    "rank_bm25 paragraphs, analyzer": (paragraph_units, analyzer_tokens),
}


def run_named_baseline(name: str, squad: SquadSet, questions: Sequence[SquadQuestion]) -> dict:
    make_units, make_tokenizer = BASELINES[name]
    return run_baseline(squad, questions, make_units(squad), make_tokenizer())
