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
import json
import zlib
from dataclasses import dataclass

from index.analyze import Analyzer
from index.models import Article
from index.segment import paragraph_spans, sentence_spans
from index.speech import Quotation, analyse_speech

ANALYSIS_VERSION = 2

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

    # ---- storage: compact bytes, so a generation can keep it beside the passages
    def to_bytes(self) -> bytes:
        payload = {
            "s": self.sentences,
            "p": self.paragraphs,
            "t": [" ".join(toks) for toks in self.tokens],
            "q": [_quotation_row(q) for q in self.quotations],
            "r": [_quotation_row(q) for q in self.reported],
            "k": [
                [k.name, " ".join(k.name_terms), " ".join(k.role_terms), k.named]
                for k in self.speakers
            ],
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
            reported=tuple(Quotation(*q) for q in payload["r"]),
            speakers=tuple(
                Speaker(name, tuple(terms.split()), tuple(roles.split()), named)
                for name, terms, roles, named in payload["k"]
            ),
        )

    def terms(self) -> set[str]:
        """Every analysed term of the article."""
        return set().union(*self.tokens) if self.tokens else set()


def _quotation_row(q: Quotation) -> list[object]:
    return [q.start, q.end, q.speaker, q.cue_start, q.cue_end, q.person]


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
