"""What the answer stage needs to know about one article, computed once per article.

An :class:`ArticleAnalysis` holds the article's sentence and paragraph spans, the analysed terms
of every sentence and its quotations (with their speakers). It depends only on the article's text
and the analyzer, so it can be computed at index time and stored with the generation, or computed
lazily and cached: :mod:`index.answer` only ever asks for it through ``AnswerContext.analysis``.

Bump :data:`ANALYSIS_VERSION` whenever what :func:`analyse_article` computes changes: the store
keeps it in the manifest, and an index built with another version is rebuilt.
"""

from __future__ import annotations

import bisect
import json
import zlib
from dataclasses import dataclass

from index.analyze import Analyzer
from index.models import Article
from index.segment import paragraph_spans, sentence_spans
from index.speech import Quotation, find_quotations

ANALYSIS_VERSION = 1

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class ArticleAnalysis:
    sentences: tuple[Span, ...]
    paragraphs: tuple[Span, ...]
    tokens: tuple[tuple[str, ...], ...]  # analysed terms of each sentence, in order
    quotations: tuple[Quotation, ...]

    def sentence_at(self, start: int) -> int | None:
        """Index of the sentence that starts at ``start``, or None."""
        i = bisect.bisect_left(self.sentences, (start, -1))
        if i < len(self.sentences) and self.sentences[i][0] == start:
            return i
        return None

    def sentences_in(self, start: int, end: int) -> range:
        """Indexes of the sentences that overlap ``[start, end)``."""
        first = bisect.bisect_right(self.sentences, (start, 1 << 62)) - 1
        if first < 0 or self.sentences[first][1] <= start:
            first += 1
        last = first
        while last < len(self.sentences) and self.sentences[last][0] < end:
            last += 1
        return range(first, last)

    def paragraph_of(self, offset: int) -> int:
        """Index of the paragraph holding ``offset`` (or the last one before it)."""
        return max(bisect.bisect_right(self.paragraphs, (offset, 1 << 62)) - 1, 0)

    def quotation_at(self, start: int, end: int) -> Quotation | None:
        """The first quotation overlapping ``[start, end)``."""
        for quotation in self.quotations:
            if quotation.start < end and start < quotation.end:
                return quotation
            if quotation.start >= end:
                break
        return None

    # ---- storage: compact bytes, so a generation can keep it beside the passages
    def to_bytes(self) -> bytes:
        payload = {
            "s": self.sentences,
            "p": self.paragraphs,
            "t": [" ".join(toks) for toks in self.tokens],
            "q": [[q.start, q.end, q.speaker, q.cue_start, q.cue_end] for q in self.quotations],
        }
        return zlib.compress(json.dumps(payload, separators=(",", ":")).encode(), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> ArticleAnalysis:
        payload = json.loads(zlib.decompress(data))
        return cls(
            sentences=tuple((s, e) for s, e in payload["s"]),
            paragraphs=tuple((s, e) for s, e in payload["p"]),
            tokens=tuple(tuple(t.split()) for t in payload["t"]),
            quotations=tuple(Quotation(*q) for q in payload["q"]),
        )


def analyse_article(article: Article, analyzer: Analyzer) -> ArticleAnalysis:
    text = article.text
    sentences = tuple(sentence_spans(text))
    return ArticleAnalysis(
        sentences=sentences,
        paragraphs=tuple(paragraph_spans(text)),
        tokens=tuple(tuple(analyzer.tokens(text[s:e], article.language)) for s, e in sentences),
        quotations=tuple(sorted(find_quotations(text), key=lambda q: q.start)),
    )
