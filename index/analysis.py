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
import dataclasses
import functools
import json
import typing
from dataclasses import dataclass
from typing import Any

from index.analyze import Analyzer
from index.models import Article
from index.segment import paragraph_spans, sentence_spans
from index.speech import Quotation, find_quotations

ANALYSIS_VERSION = 2  # 2: capped sentence sizes (index/segment.py)

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

    # ---- storage: compact bytes, so a generation keeps it beside the article
    def to_bytes(self) -> bytes:
        """Compact JSON (the store compresses it together with the article's text).

        Fields are encoded by their type (see ``_encode``), so a new field of plain tuples, ints,
        strings or small frozen dataclasses needs no change here."""
        payload = {f.name: _encode(_HINTS[f.name], getattr(self, f.name)) for f in _FIELDS}
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> ArticleAnalysis:
        payload = json.loads(data)
        return cls(**{f.name: _decode(_HINTS[f.name], payload[f.name]) for f in _FIELDS})


# ---- the byte form: each field by its type hint
_SPANS = tuple[tuple[int, int], ...]
_TERMS = tuple[tuple[str, ...], ...]


def _encode(hint: Any, value: Any) -> Any:
    if hint == _SPANS:  # delta-coded: small numbers, and they compress well
        flat: list[int] = []
        previous = 0
        for start, end in value:
            flat.append(start - previous)
            flat.append(end - start)
            previous = end
        return flat
    if hint == _TERMS:  # one string: sentences by "\n", terms by " " (terms hold no spaces)
        if value and not any(" " in t or "\n" in t for terms in value for t in terms):
            return "\n".join(" ".join(terms) for terms in value)
        return [list(terms) for terms in value]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return [_encode(h, getattr(value, name)) for name, h in _field_hints(hint)]
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return [_encode(args[0], v) for v in value]
        return [_encode(a, v) for a, v in zip(args, value, strict=True)]
    if value is None:
        return None
    options = [a for a in typing.get_args(hint) if a is not type(None)]
    return _encode(options[0], value) if len(options) == 1 else value  # X | None, or plain


def _decode(hint: Any, data: Any) -> Any:
    if hint == _SPANS:
        spans = []
        end = 0
        for i in range(0, len(data), 2):
            start = end + data[i]
            end = start + data[i + 1]
            spans.append((start, end))
        return tuple(spans)
    if hint == _TERMS:
        if isinstance(data, str):
            return tuple(tuple(line.split(" ")) if line else () for line in data.split("\n"))
        return tuple(tuple(terms) for terms in data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        fields = _field_hints(hint)
        return hint(*(_decode(h, v) for (_name, h), v in zip(fields, data, strict=True)))
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in data)
        return tuple(_decode(a, v) for a, v in zip(args, data, strict=True))
    if data is None:
        return None
    options = [a for a in typing.get_args(hint) if a is not type(None)]
    return _decode(options[0], data) if len(options) == 1 else data


@functools.cache
def _field_hints(cls: type) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


_FIELDS = dataclasses.fields(ArticleAnalysis)
_HINTS = typing.get_type_hints(ArticleAnalysis)


def analyse_article(article: Article, analyzer: Analyzer) -> ArticleAnalysis:
    text = article.text
    sentences = tuple(sentence_spans(text))
    return ArticleAnalysis(
        sentences=sentences,
        paragraphs=tuple(paragraph_spans(text)),
        tokens=tuple(tuple(analyzer.tokens(text[s:e], article.language)) for s, e in sentences),
        quotations=tuple(sorted(find_quotations(text), key=lambda q: q.start)),
    )
