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
import itertools
import json
import struct
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from index.analyze import Analyzer
from index.models import Article
from index.segment import paragraph_spans, sentence_spans
from index.speech import Quotation, analyse_speech

ANALYSIS_VERSION = 31  # 2: speakers and reported speech; 3: capped sentences (index/segment.py);
# 4: "Org's Surname" is the surname, the owner its affiliation (index/speech.py); 5: an
# appositive's name is its head, never a name inside a clause ("reacting to British reports");
# 6: "agreed" is a cue, "of the brokerage X" an affiliation, a "he" never an organisation;
# 7: "its governor, Robin Leigh-Pemberton, said" (a role, a name in apposition, a comma);
# 8: "one official said", "another dealer said"; a quotation inside reported speech belongs
# to the speaker the sentence reports; 9: "Jim Miller, president of NAWG said" (a role in
# apposition without its closing comma), "chartist", "underwriter"; 10: "The Governor of the
# Bank of England, Robin Leigh-Pemberton, repeated …" makes him the "he" that follows; a cue
# inside a quotation is never inherited; 11: "Robert Byrd (Democrat) of West Virginia said";
# 12: a "he" is never a group ("Analysts", "OPEC"); "denied"; "First Last of Org" acts;
# 13: the second audit's patterns ("an aide to Secretary X said", "a spokesman for the company
# said", "said the manager for one of the oil companies" …; see tests/test_speech_audit2.py)
# 14: "quoted an Iranian soldier, NAME, as saying …", "NAME, who …, was quoted as saying"
# after a quotation, "repeated", a doubled "said said" (see tests/test_speech_quoted_as.py)
# 15: a role phrase never runs across a sentence end, "a Ministry of Foreign Trade and
# Industry official said", "Officials said" is a group, "said an official with ORG, NAME",
# the one person acting before a "he"/"she" (see tests/test_speech_stop16.py)
# 16: "X called the plan “…”" (a view), "said Nordbank Oslo branch vice president NAME", and
# the other patterns of tests/test_speech_attr6.py; 17: "Chief Economist NAME" is NAME,
# "Spokesman" is no sign of a man (tests/test_speech_stop17.py); 18: a lone surname is the
# person's before an organisation's first word ("Wisenbaker" after "Wisenbaker Production Co");
# 19: "an analyst familiar with the two mines said", "a source close to X said"; 20: "NAME, an
# analyst with ORG said" is NAME, "Smith Barney, Harris Upham and Co" one firm; 21: "A Savings
# Department spokesman refused …" is someone a later "he said" may be; 22: "NAME, chief
# economist of ORG said" is NAME, not the ORG's last word; 23: "said de Hora" (a particle first);
# 24: "X and vice president Y said" is X's; 25: '"…," NAME, a ROLE with ORG Bros. said',
# "NAME, deputy general-manager of ORG told"; 26: "A spokesman declined to comment." said
# nothing (a later "he said" is not his; tests/test_adversarial_stop17.py); 27: one who
# "declined to elaborate" had spoken; 28: a firm's name with a comma and "and Co", a time
# phrase before the verb, "X believes “…”", an open second apposition, a term quoted inside an
# appositive, "the Hong Kong trader" after "a Japanese trader" (tests/test_speech_attr7.py);
# 29: a straight double quote typed for an apostrophe ('India"s') opens no quotation; 30:
# organisations as speakers: "Norland Power and Light Co", "the Association of X Pilots",
# "<Estmark Bank>", "the Novo statement", "the company said" (tests/test_speech_org18.py);
# 31: a word that only joins a name ("Of the January total, …") names no one

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Speaker:
    """A person who speaks in the article (or an unnamed "Benetton spokeswoman")."""

    name: str  # as printed (the longest form), or the unnamed speaker's description
    name_terms: tuple[str, ...]  # analysed terms of the name ("hannah", "lindqvist")
    role_terms: tuple[str, ...]  # analysed terms of titles, roles, affiliations
    named: bool = True


class SentenceTerms(Sequence[tuple[str, ...]]):
    """The analysed terms of each sentence, as stored: one string, sentences separated by "\\n"
    and terms by " " (analysed terms hold no whitespace: the analyzer cuts them with
    ``str.split``). A sentence's terms are split out when it is first read: a question reads the
    few sentences of its passages, not the whole article. Reads as (and compares equal to) the
    tuple of tuples it stands for."""

    __slots__ = ("_joined", "_lines", "_padded", "_split")

    def __init__(self, joined: str) -> None:
        self._joined = joined
        self._lines = joined.split("\n")
        self._split: list[tuple[str, ...] | None] = [None] * len(self._lines)
        self._padded: str | None = None

    def __len__(self) -> int:
        return len(self._lines)

    @typing.overload
    def __getitem__(self, index: int) -> tuple[str, ...]: ...

    @typing.overload
    def __getitem__(self, index: slice) -> tuple[tuple[str, ...], ...]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self._lines))))
        terms = self._split[index]
        if terms is None:
            line = self._lines[index]
            terms = self._split[index] = tuple(line.split(" ")) if line else ()
        return terms

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        return (self[i] for i in range(len(self._lines)))

    def union(self) -> frozenset[str]:
        """Every term of every sentence (one split of the whole string, no per-sentence tuples)."""
        return frozenset(self._joined.split())

    def holds(self, term: str) -> bool:
        """Whether some sentence has ``term``, a non-empty term without whitespace: a substring
        search for " term " in the terms with every separator made a space (terms hold no
        space, so a match is a whole term)."""
        padded = self._padded
        if padded is None:
            padded = self._padded = f" {self._joined.replace(chr(10), ' ')} "
        return f" {term} " in padded

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SentenceTerms):
            return self._joined == other._joined
        if isinstance(other, tuple):
            return tuple(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


class DamagedAnalysis(ValueError):
    """A stored analysis whose fields do not decode (read lazily, so raised when first read)."""


_FIELD_NAMES = ("sentences", "paragraphs", "tokens", "quotations", "reported", "speakers")

_T = typing.TypeVar("_T")


class _Field(typing.Generic[_T]):
    """One of :class:`ArticleAnalysis`' six fields: the decoded value when there is one (a dict
    lookup: these are read in every question's inner loops), else decoded now."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __get__(self, analysis: ArticleAnalysis, owner: type | None = None) -> _T:
        try:
            return analysis._fields[self._name]  # type: ignore[no-any-return]
        except KeyError:
            return analysis._field(self._name)  # type: ignore[no-any-return]


class ArticleAnalysis:
    """An article's sentence and paragraph spans, the analysed terms of every sentence (in
    order), its quotations (direct speech, in text order), its reported speech ("X told investors
    that …": whole sentences, in text order) and its speakers (indexed by ``Quotation.person``).

    Immutable. Built whole by :func:`analyse_article`, or read from the store with
    :meth:`from_bytes`, which decodes each field when it is first read (and the terms one
    sentence at a time): a factoid question reads the spans and the terms of a few sentences of
    each article it touches, never its speakers or reported speech. Compares, hashes and prints
    as the plain record of its six fields, however it was made."""

    __slots__ = ("_fields", "_held", "_stored", "_terms")

    def __init__(
        self,
        sentences: tuple[Span, ...],
        paragraphs: tuple[Span, ...],
        tokens: Sequence[tuple[str, ...]],
        quotations: tuple[Quotation, ...],
        reported: tuple[Quotation, ...] = (),
        speakers: tuple[Speaker, ...] = (),
    ) -> None:
        self._fields: dict[str, Any] = {
            "sentences": sentences,
            "paragraphs": paragraphs,
            "tokens": tokens,
            "quotations": quotations,
            "reported": reported,
            "speakers": speakers,
        }
        self._stored: _Stored | None = None
        self._terms: frozenset[str] | None = None
        self._held: dict[str, bool] = {}

    def _field(self, name: str) -> Any:
        # Decoded on first read. Two threads may both decode a field: they store equal values.
        fields = self._fields
        if name not in fields:
            assert self._stored is not None
            try:
                fields[name] = self._stored.decode(name)
            except (ValueError, TypeError, KeyError, IndexError, AttributeError) as err:
                raise DamagedAnalysis(
                    f"an article's stored {name} cannot be read ({err})"
                ) from None
        return fields[name]

    sentences: _Field[tuple[Span, ...]] = _Field("sentences")
    paragraphs: _Field[tuple[Span, ...]] = _Field("paragraphs")
    tokens: _Field[Sequence[tuple[str, ...]]] = _Field(
        "tokens"
    )  # analysed terms of each sentence, in order
    quotations: _Field[tuple[Quotation, ...]] = _Field("quotations")
    reported: _Field[tuple[Quotation, ...]] = _Field("reported")
    speakers: _Field[tuple[Speaker, ...]] = _Field("speakers")

    def _record(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _FIELD_NAMES)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ArticleAnalysis):
            return NotImplemented
        return self._record() == other._record()

    def __hash__(self) -> int:
        return hash(self._record())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELD_NAMES)
        return f"ArticleAnalysis({fields})"

    def sentence_at(self, start: int) -> int | None:
        """Index of the sentence that starts at ``start``, or None."""
        sentences = self.sentences
        i = bisect.bisect_left(sentences, (start, -1))
        if i < len(sentences) and sentences[i][0] == start:
            return i
        return None

    def sentences_in(self, start: int, end: int) -> range:
        """Indexes of the sentences that overlap ``[start, end)``."""
        sentences = self.sentences
        first = bisect.bisect_right(sentences, (start, 1 << 62)) - 1
        if first < 0 or sentences[first][1] <= start:
            first += 1
        last = first
        while last < len(sentences) and sentences[last][0] < end:
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
        """Every analysed term of the article (a copy: the union is computed once and kept)."""
        return set(self._term_union())

    def _term_union(self) -> frozenset[str]:
        if self._terms is None:
            tokens = self.tokens
            if isinstance(tokens, SentenceTerms):
                self._terms = tokens.union()
            else:
                self._terms = frozenset().union(*tokens)
        return self._terms

    def has_term(self, term: str) -> bool:
        """Whether any sentence of the article has ``term`` (``term in terms()``, without
        building the set of the article's few hundred terms; memoised per term)."""
        if self._terms is not None:
            return term in self._terms
        held = self._held.get(term)
        if held is None:
            tokens = self.tokens
            if len(self._held) >= _SEARCHES_BEFORE_SET:  # read often (kept in a cache): a set
                return term in self._term_union()
            if isinstance(tokens, SentenceTerms) and _plain(term):
                held = tokens.holds(term)
            else:
                held = term in self._term_union()
            self._held[term] = held
        return held

    def term_set(self) -> ArticleTerms:
        """The article's terms as a read-only set for membership tests (see ArticleTerms)."""
        return ArticleTerms(self)

    # ---- storage: compact bytes, so a generation keeps it beside the article
    def to_bytes(self) -> bytes:
        """The stored form (the store compresses it together with the article's text)::

            header: 4 × u32   sentence ints, paragraph ints, term bytes (or NO_TERMS), JSON bytes
            spans             the sentences' then the paragraphs' spans, delta-coded, i32 each
            terms             every sentence's terms, UTF-8: sentences by "\\n", terms by " "
            JSON              quotations, reported speech, speakers (and the terms, in the rare
                              case that they do not fit one string)

        A question reads the spans and a few sentences' terms of most articles it touches, and
        the quotations and speakers of few: those sit apart, so each is decoded only when read.
        Fields are encoded by their type (see ``_codec``)."""
        sentences = _encode_spans(self.sentences)
        paragraphs = _encode_spans(self.paragraphs)
        terms = _encode_terms(self.tokens)
        speech = {name: _ENCODERS[name](getattr(self, name)) for name in _SPEECH_FIELDS}
        if isinstance(terms, str):
            term_bytes = terms.encode()
        else:
            term_bytes, speech["tokens"] = b"", terms
        body = json.dumps(speech, separators=(",", ":"), ensure_ascii=False).encode()
        header = _HEADER.pack(
            len(sentences),
            len(paragraphs),
            len(term_bytes) if isinstance(terms, str) else _NO_TERMS,
            len(body),
        )
        spans = struct.pack(f"<{len(sentences) + len(paragraphs)}i", *sentences, *paragraphs)
        return b"".join((header, spans, term_bytes, body))

    @classmethod
    def from_bytes(cls, data: bytes) -> ArticleAnalysis:
        """The analysis stored by :meth:`to_bytes`; its fields are decoded when first read."""
        analysis = cls.__new__(cls)
        analysis._fields = {}
        analysis._stored = _Stored(data)
        analysis._terms = None
        analysis._held = {}
        return analysis


#: Distinct terms an article is searched for before the set of its terms is built: a question
#: tests a handful per article; an article many questions read gets the set.
_SEARCHES_BEFORE_SET = 48


def _plain(term: str) -> bool:
    """A non-empty term without whitespace (what the analyzer makes)."""
    return term.split() == [term]


class ArticleTerms(AbstractSet[str]):
    """Every analysed term of an article (and any ``extra`` ones, such as its headline's), for
    the answer stage's tests of a few question terms each ("is the surname in this article?").
    ``term in`` asks :meth:`ArticleAnalysis.has_term`; iterating or counting builds the union
    once. ``|`` with another set gives another such view, not a copy."""

    __slots__ = ("_analysis", "_extra")

    def __init__(self, analysis: ArticleAnalysis, extra: frozenset[str] = frozenset()) -> None:
        self._analysis = analysis
        self._extra = extra

    def __contains__(self, term: object) -> bool:
        if not isinstance(term, str):
            return False
        terms = self._analysis._terms
        if terms is not None:
            return term in terms or term in self._extra
        return term in self._extra or self._analysis.has_term(term)

    def _all(self) -> frozenset[str]:
        return self._analysis._term_union() | self._extra

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    @classmethod
    def _from_iterable(cls, terms: Iterable[Any]) -> frozenset[Any]:
        # what the other set operations (&, -, ^) build: a plain frozenset
        return frozenset(terms)

    def __or__(self, other: AbstractSet[Any]) -> AbstractSet[str]:  # type: ignore[override]
        if isinstance(other, ArticleTerms):
            if other._analysis is not self._analysis:
                return self._all() | other._all()
            return ArticleTerms(self._analysis, self._extra | other._extra)
        return ArticleTerms(self._analysis, self._extra | frozenset(other))

    __ror__ = __or__


class _Stored:
    """The stored form of one analysis, cut into its parts; each decoded on demand."""

    __slots__ = ("_data", "_json", "_paragraphs", "_sentences", "_speech", "_terms")

    def __init__(self, data: bytes) -> None:
        sentences, paragraphs, terms, body = _HEADER.unpack_from(data)
        at = _HEADER.size
        self._sentences = (at, at + 4 * sentences)
        self._paragraphs = (self._sentences[1], self._sentences[1] + 4 * paragraphs)
        at = self._paragraphs[1]
        self._terms = None if terms == _NO_TERMS else (at, at + terms)
        at += 0 if terms == _NO_TERMS else terms
        self._json = (at, at + body)
        if at + body != len(data) or sentences % 2 or paragraphs % 2:
            raise ValueError(f"the stored analysis is {len(data):,} bytes, not {at + body:,}")
        self._data = data
        self._speech: dict[str, Any] | None = None

    def decode(self, name: str) -> Any:
        if name == "sentences" or name == "paragraphs":
            lo, hi = self._sentences if name == "sentences" else self._paragraphs
            return _decode_spans(struct.unpack_from(f"<{(hi - lo) // 4}i", self._data, lo))
        if name == "tokens" and self._terms is not None:
            lo, hi = self._terms
            return _decode_terms(self._data[lo:hi].decode())
        if self._speech is None:
            lo, hi = self._json
            speech = json.loads(self._data[lo:hi])
            if not isinstance(speech, dict):
                raise ValueError("the stored speech is not an object")
            self._speech = speech
        return _DECODERS[name](self._speech[name])


_HEADER = struct.Struct("<4I")
_NO_TERMS = 0xFFFFFFFF
_SPEECH_FIELDS = ("quotations", "reported", "speakers")


# ---- the byte form: each field by its type
# A codec (encode, decode) is built once per type, so decoding (on the answer path, for every
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


def _decode_spans(data: Iterable[int]) -> tuple[tuple[int, int], ...]:
    # The running sum of the deltas is start, end, start, end, …
    offsets = list(itertools.accumulate(data))
    return tuple(zip(offsets[::2], offsets[1::2], strict=True))


def _encode_terms(value: Any) -> Any:
    """One string: sentences by "\\n", terms by " " (analysed terms hold no whitespace), when
    it reads back as ``value`` by every route: split by "\\n" then " ", and split whole (the
    union, ``SentenceTerms.holds``). An empty term, or one with any whitespace ("\\t", "\\r",
    "\\x1c": ``str.split`` cuts at them too), does not: those go to the JSON part."""
    if value:
        joined = "\n".join(" ".join(terms) for terms in value)
        if joined.split() == list(itertools.chain.from_iterable(value)):
            return joined
    return [list(terms) for terms in value]


def _decode_terms(data: Any) -> Sequence[tuple[str, ...]]:
    if isinstance(data, str):
        return SentenceTerms(data)
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
        if all(enc is _same for enc, _ in parts):  # plain values: no per-field calls
            return (
                lambda value: [getattr(value, n) for n in names],
                lambda data: cls(*data),
            )

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
            return (lambda v: [enc(x) for x in v]), (lambda d: tuple(map(dec, d)))
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


# The stored fields and their types (the store's format: a change here changes what is stored).
_FIELD_TYPES: dict[str, Any] = {
    "sentences": _SPANS,
    "paragraphs": _SPANS,
    "tokens": _TERMS,
    "quotations": tuple[Quotation, ...],
    "reported": tuple[Quotation, ...],
    "speakers": tuple[Speaker, ...],
}
_ENCODERS = {name: _codec(hint)[0] for name, hint in _FIELD_TYPES.items()}
_DECODERS = {name: _codec(hint)[1] for name, hint in _FIELD_TYPES.items()}


def analyse_article(article: Article, analyzer: Analyzer) -> ArticleAnalysis:
    text = article.text
    paragraphs = paragraph_spans(text)
    sentence_list = sentence_spans(text, paragraphs)
    sentences = tuple(sentence_list)
    # Segmented once: the speech analysis reads the same spans.
    speech = analyse_speech(text, paragraphs=paragraphs, sentences=sentence_list)

    def terms(words: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(analyzer.tokens(words, article.language)))

    return ArticleAnalysis(
        sentences=sentences,
        paragraphs=tuple(paragraphs),
        tokens=tuple(tuple(analyzer.tokens(text[s:e], article.language)) for s, e in sentences),
        quotations=tuple(sorted(speech.quotations, key=lambda q: q.start)),
        reported=tuple(sorted(speech.reported, key=lambda q: q.start)),
        speakers=tuple(
            Speaker(p.name, terms(p.name) if p.named else (), terms(p.words), p.named)
            for p in speech.people
        ),
    )
