"""What the answer stage needs to know about one article, computed once per article.

An :class:`ArticleAnalysis` holds the article's sentence and paragraph spans, the analysed terms
of every sentence, its quotations and its reported speech (each with its speaker) and the people
who speak, with the analysed terms of their names and of the roles the article gives them
("Skyparcel’s chief executive"), so that "What did the chief executive say?" finds them. It depends only on the article's text
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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from index.analyze import Analyzer
from index.models import Article
from index.segment import paragraph_spans, sentence_spans
from index.speech import Quotation, analyse_speech

ANALYSIS_VERSION = 3  # 2: speakers and reported speech; 3: capped sentences (index/segment.py)

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Speaker:
    """A person who speaks in the article (or an unnamed "Benetton spokeswoman")."""

    name: str  # as printed (the longest form), or the unnamed speaker's description
    name_terms: tuple[str, ...]  # analysed terms of the name ("hannah", "lindqvist")
    role_terms: tuple[str, ...]  # analysed terms of titles, roles, affiliations
    named: bool = True


@dataclass(frozen=True, slots=True)
class ArticleAnalysis:
    sentences: tuple[Span, ...]
    paragraphs: tuple[Span, ...]
    tokens: tuple[tuple[str, ...], ...]  # analysed terms of each sentence, in order
    quotations: tuple[Quotation, ...]  # direct speech, in text order
    # Reported speech ("X told investors that …"): whole sentences, in text order.
    reported: tuple[Quotation, ...] = ()
    speakers: tuple[Speaker, ...] = ()  # indexed by Quotation.person

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

    def terms(self) -> set[str]:
        """Every analysed term of the article."""
        return set().union(*self.tokens) if self.tokens else set()

    # ---- storage: compact bytes, so a generation keeps it beside the article
    def to_bytes(self) -> bytes:
        """Compact JSON (the store compresses it together with the article's text).

        Fields are encoded by their type (see ``_encode``), so a new field of plain tuples, ints,
        strings or small frozen dataclasses needs no change here."""
        payload = {name: encode(getattr(self, name)) for name, encode, _ in _FIELDS}
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> ArticleAnalysis:
        payload = json.loads(data)
        return cls(**{name: decode(payload[name]) for name, _, decode in _FIELDS})


# ---- the byte form: each field by its type hint
# A codec (encode, decode) is built once per type hint, so decoding (on the answer path, for every
# article a question reads) does no type introspection.
_SPANS = tuple[tuple[int, int], ...]
_TERMS = tuple[tuple[str, ...], ...]

Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]


def _encode_spans(value: Any) -> list[int]:
    """Delta-coded: small numbers, and they compress well."""
    flat: list[int] = []
    previous = 0
    for start, end in value:
        flat.append(start - previous)
        flat.append(end - start)
        previous = end
    return flat


def _decode_spans(data: list[int]) -> tuple[tuple[int, int], ...]:
    spans = []
    end = 0
    for i in range(0, len(data), 2):
        start = end + data[i]
        end = start + data[i + 1]
        spans.append((start, end))
    return tuple(spans)


def _encode_terms(value: Any) -> Any:
    """One string: sentences by "\\n", terms by " " (analysed terms hold no whitespace)."""
    if value and not any(" " in t or "\n" in t for terms in value for t in terms):
        return "\n".join(" ".join(terms) for terms in value)
    return [list(terms) for terms in value]


def _decode_terms(data: Any) -> tuple[tuple[str, ...], ...]:
    if isinstance(data, str):
        return tuple(tuple(line.split(" ")) if line else () for line in data.split("\n"))
    return tuple(tuple(terms) for terms in data)


def _same(value: Any) -> Any:
    return value


@functools.cache
def _codec(hint: Any) -> Codec:
    if hint == _SPANS:
        return _encode_spans, _decode_spans
    if hint == _TERMS:
        return _encode_terms, _decode_terms
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        names = [f.name for f in dataclasses.fields(hint)]
        hints = typing.get_type_hints(hint)
        parts = [_codec(hints[name]) for name in names]
        cls = hint

        def encode_object(value: Any) -> list:
            return [enc(getattr(value, n)) for n, (enc, _) in zip(names, parts, strict=True)]

        def decode_object(data: list) -> Any:
            return cls(*(dec(v) for (_, dec), v in zip(parts, data, strict=True)))

        return encode_object, decode_object
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            enc, dec = _codec(args[0])
            if enc is _same:
                return list, tuple
            return (lambda v: [enc(x) for x in v]), (lambda d: tuple(dec(x) for x in d))
        items = [_codec(a) for a in args]
        return (
            lambda v: [e(x) for (e, _), x in zip(items, v, strict=True)],
            lambda d: tuple(dc(x) for (_, dc), x in zip(items, d, strict=True)),
        )
    options = [a for a in typing.get_args(hint) if a is not type(None)]
    if len(options) == 1 and len(typing.get_args(hint)) == 2:  # X | None
        enc, dec = _codec(options[0])
        if enc is _same:
            return _same, _same
        return (
            lambda v: None if v is None else enc(v),
            lambda d: None if d is None else dec(d),
        )
    return _same, _same  # str, int, float, bool: JSON as they are


_FIELDS = tuple(
    (f.name, *_codec(typing.get_type_hints(ArticleAnalysis)[f.name]))
    for f in dataclasses.fields(ArticleAnalysis)
)


def analyse_article(article: Article, analyzer: Analyzer) -> ArticleAnalysis:
    text = article.text
    sentences = tuple(sentence_spans(text))
    speech = analyse_speech(text)

    def terms(words: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(analyzer.tokens(words, article.language)))

    return ArticleAnalysis(
        sentences=sentences,
        paragraphs=tuple(paragraph_spans(text)),
        tokens=tuple(tuple(analyzer.tokens(text[s:e], article.language)) for s, e in sentences),
        quotations=tuple(sorted(speech.quotations, key=lambda q: q.start)),
        reported=tuple(sorted(speech.reported, key=lambda q: q.start)),
        speakers=tuple(
            Speaker(p.name, terms(p.name) if p.named else (), terms(p.words), p.named)
            for p in speech.people
        ),
    )
