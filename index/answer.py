"""Question → verbatim quotes. Where a question is answered.

1. Read the question: its terms, its question word (who/when/where/how many …), whether it asks
   what someone *said* (and who, and about what), and its names.
2. Retrieve the top passages with BM25 (any backend).
3. Score every sentence of those passages: the question terms it holds (idf-weighted), the terms its
   passage holds (the context that names who was met, where, when), how close together they are,
   whether it holds the kind of thing asked for (a date for "when", a number for "how many", a name
   for "who"), and — for "what did X say" — whether it is direct speech attributed to X.
4. Keep the best 1–3 (quotations kept whole), if the best clears a calibrated threshold; otherwise
   the answer is "no answer". A question's names must all be found around a quote: a person and a
   topic that are both in the corpus but never together give no answer, not a random quote.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from index.analysis import ArticleAnalysis
from index.analyze import Analyzer
from index.backends import Backend
from index.models import Answer, Article, Quote, Source
from index.passages import passage_id
from index.speech import SPEECH_VERBS, Quotation
from index.store import PassageStore, StoredPassage


@dataclass(frozen=True)
class Weights:
    """Scoring weights and thresholds, calibrated on the quality benchmark (bench/quality.py)."""

    retrieve: int = 12
    sentence_terms: float = 1.0
    context_terms: float = 0.6
    passage: float = 0.5
    proximity: float = 0.25
    answer_type: float = 0.3
    missing_type: float = 0.15
    speech_match: float = 0.8
    speech_other: float = 0.5
    threshold: float = 1.2
    entity_coverage: float = 0.0
    topic_coverage: float = 0.5
    context_coverage: float = 0.45
    second_ratio: float = 0.3
    lean_back: bool = True


DEFAULT_WEIGHTS = Weights()


@dataclass
class AnswerContext:
    analyzer: Analyzer
    backend: Backend
    store: PassageStore
    article: Callable[[str], Article]
    # Sentences, their terms and the quotations of an article (index/analysis.py): computed once
    # per article, not per question.
    analysis: Callable[[Article], ArticleAnalysis]
    weights: Weights = field(default_factory=lambda: DEFAULT_WEIGHTS)


@dataclass(frozen=True)
class Scope:
    """Where an answer may come from: the articles allowed (e.g. a date range) and the quotes
    already shown in a conversation (``(article_id, start, end)``), which are never repeated."""

    allow_article: Callable[[Article], bool] | None = None
    exclude: frozenset[tuple[str, int, int]] = frozenset()
    # "latest", "recent": among the quotes that answer about as well as the best, newest first.
    prefer_recent: bool = False

    def allows(self, article: Article, start: int, end: int) -> bool:
        if self.allow_article is not None and not self.allow_article(article):
            return False
        return not any(aid == article.id and s < end and start < e for aid, s, e in self.exclude)


NO_SCOPE = Scope()
# A scope that filters articles reads this many more passages, so that enough are left.
_SCOPED_RETRIEVE_FACTOR = 4


# ---- reading the question
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_AUX = {"did", "does", "do", "has", "have", "had", "was", "is", "were", "are", "will", "would"}
_WH = {"who", "whom", "whose", "what", "when", "where", "which", "why", "how"}
_WHEN_NOUNS = {"year", "years", "date", "day", "month", "time", "decade", "century", "period"}
_WHERE_NOUNS = {"city", "country", "place", "state", "region", "town", "location", "capital"}
_COUNT_WORDS = {
    "many",
    "much",
    "long",
    "old",
    "far",
    "tall",
    "large",
    "big",
    "high",
    "fast",
    "often",
    "heavy",
    "deep",
    "wide",
}
_COUNT_NOUNS = {
    "percentage",
    "percent",
    "number",
    "amount",
    "population",
    "size",
    "length",
    "height",
    "age",
    "temperature",
    "distance",
    "cost",
    "price",
    "speed",
    "weight",
    "area",
    "rate",
}
# "What is X called?" and "How is X described?" ask for a name or a description, not for words
# someone said: those verbs count as speech only with a person as their subject.
_SPEECH_QUESTION_VERBS = SPEECH_VERBS | {"say", "tell", "promise", "promised", "warn", "reply"}
_NAMING_VERBS = {"call", "called", "describe", "described", "mean", "meant", "know", "known"}
_PERSON_NOUNS = {
    "leader",
    "president",
    "minister",
    "chancellor",
    "premier",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "official",
    "officials",
    "chairman",
    "chairwoman",
    "chief",
    "head",
    "mayor",
    "governor",
    "senator",
    "ambassador",
    "secretary",
    "king",
    "queen",
    "pope",
    "he",
    "she",
    "they",
    "ceo",
    "director",
    "analyst",
    "analysts",
    "expert",
    "experts",
    "critics",
}


@dataclass(frozen=True)
class Question:
    text: str
    tokens: tuple[str, ...]
    kind: str  # who / when / where / count / what / why / how / other
    speech: bool
    speaker: tuple[str, ...]  # analysed tokens of the person asked about ("what did X say")
    entities: tuple[str, ...]  # analysed tokens of names in the question
    topic: tuple[str, ...]  # the terms that are neither the speaker nor the speech verb


def read_question(text: str, analyzer: Analyzer) -> Question:
    words = [m.group(0) for m in _WORD.finditer(text)]
    lower = [w.casefold() for w in words]
    tokens = tuple(analyzer.query_tokens(text))
    kind = _question_kind(lower)

    speech_at = next(
        (i for i, w in enumerate(lower) if w in _SPEECH_QUESTION_VERBS and i > 0), None
    )
    speech = speech_at is not None and kind in {"what", "how", "other", "why"}
    speaker_words: list[str] = []
    if speech and speech_at is not None:
        aux = next((i for i in range(speech_at) if lower[i] in _AUX), None)
        if aux is not None:
            speaker_words = words[aux + 1 : speech_at]
        else:  # "According to X, …", "What was X's message"
            speaker_words = [
                w for w in words[:speech_at] if w[:1].isupper() and w.casefold() not in _WH
            ]
        # Only a person speaks: a name, or a word like "leader" or "minister".
        if not any(w[:1].isupper() or w.casefold() in _PERSON_NOUNS for w in speaker_words):
            speech, speaker_words = False, []
    names = [w for i, w in enumerate(words) if i > 0 and w[:1].isupper() and lower[i] not in _WH]
    if words and words[0][:1].isupper() and lower[0] not in _WH | _AUX:
        names.insert(0, words[0])

    def analysed(ws: Sequence[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for w in ws for t in analyzer.query_tokens(w)))

    speaker = analysed(speaker_words)
    speech_tokens = (
        set(analysed([w for w in words if w.casefold() in _SPEECH_QUESTION_VERBS]))
        if speech
        else set()
    )
    topic = tuple(t for t in dict.fromkeys(tokens) if t not in speaker and t not in speech_tokens)
    return Question(
        text=text,
        tokens=tokens,
        kind=kind,
        speech=speech and bool(speaker),
        speaker=speaker,
        entities=analysed(names),
        topic=topic,
    )


def _question_kind(lower: Sequence[str]) -> str:
    for i, word in enumerate(lower):
        nxt = lower[i + 1] if i + 1 < len(lower) else ""
        if word in {"who", "whom", "whose"}:
            return "who"
        if word == "when":
            return "when"
        if word == "where":
            return "where"
        if word == "how":
            return "count" if nxt in _COUNT_WORDS else "how"
        if word == "why":
            return "why"
        if word in {"what", "which"}:
            if nxt in _WHEN_NOUNS:
                return "when"
            if nxt in _WHERE_NOUNS:
                return "where"
            if nxt in _COUNT_NOUNS or (
                nxt in {"is", "was", "are", "were"} and _after(lower, i + 2) in _COUNT_NOUNS
            ):
                return "count"
            return "what"
    return "other"


def _after(lower: Sequence[str], i: int) -> str:
    """The word at ``i``, skipping one article ("the", "a")."""
    if i < len(lower) and lower[i] in {"the", "a", "an"}:
        i += 1
    return lower[i] if i < len(lower) else ""


# ---- what a sentence holds
_YEAR = r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b"
_MONTH = (
    r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b"
)
_DAY = r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|tomorrow)\b"
_WHEN_RE = re.compile(f"{_YEAR}|{_MONTH}|{_DAY}|\\b(?:century|decade)\\b")
_NUMBER_RE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|dozen|several|half)\b",
    re.IGNORECASE,
)
_NAME_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w’'-]+")


def _has_answer_type(
    kind: str, sentence: str, question_tokens: set[str], analyzer: Analyzer
) -> bool | None:
    """True/False when the question expects a kind of answer; None when it expects none."""
    if kind == "when":
        return bool(_WHEN_RE.search(sentence))
    if kind == "count":
        return bool(_NUMBER_RE.search(sentence))
    if kind == "who":
        # (No check for "where": on the quality benchmark, place detection hurt more than helped.)
        for match in _NAME_RE.finditer(sentence):
            tokens = analyzer.query_tokens(match.group(0))
            if tokens and not set(tokens) <= question_tokens:
                return True
        return False
    return None


# A sentence that opens like this leans on the one before it ("These include the AKS test"):
# it is scored with that sentence's words too, and quoted together with it.
_LEANS_BACK = frozenset(
    {"these", "this", "those", "it", "its", "they", "their", "them", "he", "his", "him"}
    | {"she", "her", "such", "both", "either", "neither", "latter", "former"}
)
_FIRST_WORD = re.compile(r"([^\W_]+)")  # a quotation's "This" refers inside the quotation


def _leans_back(sentence: str) -> bool:
    match = _FIRST_WORD.match(sentence)
    if match is None:
        return False
    word = match.group(1)
    return word[0].isupper() and word.casefold() in _LEANS_BACK


@dataclass
class _Candidate:
    article: Article
    analysis: ArticleAnalysis
    passage: StoredPassage
    passage_score: float
    start: int
    end: int
    score: float = 0.0
    speaker: str | None = None
    quotation: Quotation | None = None
    lean_start: int | None = None  # start of the sentence it leans on, if any


def _idf(backend: Backend, tokens: Sequence[str]) -> dict[str, float]:
    n = max(backend.num_docs, 1)
    out = {}
    for token in set(tokens):
        df = backend.doc_freq(token)
        out[token] = math.log(1 + (n - df + 0.5) / (df + 0.5))
    return out


def _coverage(wanted: Sequence[str], present: set[str], idf: dict[str, float]) -> float:
    total = sum(idf.get(t, 0.0) for t in set(wanted))
    if total <= 0:
        return 1.0
    return sum(idf.get(t, 0.0) for t in set(wanted) if t in present) / total


def _proximity(positions: Sequence[tuple[str, int]], wanted: set[str]) -> float:
    """Matched distinct terms over the shortest token window that holds them all (0..1)."""
    hits = [(pos, term) for term, pos in positions if term in wanted]
    distinct = {t for _, t in hits}
    if len(distinct) < 2:
        return 0.0
    best = math.inf
    counts: dict[str, int] = {}
    left = 0
    for right in range(len(hits)):
        counts[hits[right][1]] = counts.get(hits[right][1], 0) + 1
        while len(counts) == len(distinct):
            best = min(best, hits[right][0] - hits[left][0] + 1)
            term = hits[left][1]
            counts[term] -= 1
            if not counts[term]:
                del counts[term]
            left += 1
    return min(1.0, len(distinct) / best) if best != math.inf else 0.0


def answer_question(
    ctx: AnswerContext, text: str, *, max_quotes: int = 3, scope: Scope = NO_SCOPE
) -> Answer:
    analyzer, weights = ctx.analyzer, ctx.weights
    question = read_question(text, analyzer)
    if not question.tokens:
        return Answer(
            question=text,
            answered=False,
            reason="The question has no searchable words; name a person, place or topic.",
        )
    retrieve = weights.retrieve
    if scope.allow_article is not None:
        retrieve *= _SCOPED_RETRIEVE_FACTOR
    hits = ctx.backend.search(question.tokens, retrieve)
    if not hits:
        return _no_answer(text)
    stored = ctx.store.passages_by_pid([pid for pid, _ in hits])
    top_score = hits[0][1] or 1.0
    idf = _idf(ctx.backend, question.tokens)
    q_terms = set(question.tokens)

    candidates: dict[tuple[str, int], _Candidate] = {}
    context_terms: dict[tuple[str, int], set[str]] = {}
    tokens_of: dict[tuple[str, int], Sequence[str]] = {}
    kept = 0
    for pid, score in hits:
        sp = stored.get(pid)
        if sp is None or kept >= weights.retrieve:
            continue
        article = ctx.article(sp.article_id)
        if scope.allow_article is not None and not scope.allow_article(article):
            continue
        kept += 1
        analysis = ctx.analysis(article)
        keys = [(article.id, start) for start, _ in sp.sentences]
        for key, (start, end) in zip(keys, sp.sentences, strict=True):
            if key not in tokens_of:
                tokens_of[key] = _sentence_tokens(analysis, article, start, end, analyzer)
            if not scope.allows(article, start, end):
                continue
            if key not in candidates or candidates[key].passage_score < score / top_score:
                candidates[key] = _Candidate(article, analysis, sp, score / top_score, start, end)
        p_tokens = set().union(*(tokens_of[key] for key in keys))
        for key in keys:
            context_terms.setdefault(key, set()).update(p_tokens)

    # Every candidate sentence's terms.
    terms_of = {key: set(tokens_of[key]) for key in candidates}
    for key, cand in candidates.items():
        if weights.lean_back and _leans_back(cand.article.text[cand.start : cand.end]):
            spans = cand.analysis.sentences
            i = cand.analysis.sentence_at(cand.start)
            same_paragraph = (
                i is not None
                and i > 0
                and "\n" not in cand.article.text[spans[i - 1][1] : cand.start]
            )
            if same_paragraph and i is not None:
                terms_of[key] = terms_of[key] | set(cand.analysis.tokens[i - 1])
                cand.lean_start = spans[i - 1][0]

    scored: list[_Candidate] = []
    for key, cand in candidates.items():
        sentence = cand.article.text[cand.start : cand.end]
        s_terms = terms_of[key]
        ctx_terms = context_terms[key] | s_terms
        # Names in the question must all be around the quote (sentence + its passages).
        if _coverage(question.entities, ctx_terms, idf) < weights.entity_coverage:
            continue
        context_cov = _coverage(question.tokens, ctx_terms, idf)
        if context_cov < weights.context_coverage:
            continue  # too little of the question is even near this sentence
        score = (
            weights.sentence_terms * _coverage(question.tokens, s_terms, idf)
            + weights.context_terms * context_cov
            + weights.passage * cand.passage_score
            + weights.proximity
            * _proximity([(t, i) for i, t in enumerate(tokens_of[key])], q_terms)
        )
        if not (s_terms - q_terms):
            continue  # a sentence that only repeats the question answers nothing
        has_type = _has_answer_type(question.kind, sentence, q_terms, analyzer)
        if has_type is True:
            score += weights.answer_type
        elif has_type is False:
            score -= weights.missing_type
        if question.speech:
            quotation = _quotation_at(cand)
            if quotation is None:
                continue
            # The cue counts too: "What did the Belarusian leader say" matches the cue "the
            # Belarusian leader proclaimed" as well as its resolved speaker, "Lukashenko".
            cue = cand.article.text[max(quotation.cue_start, 0) : max(quotation.cue_end, 0)]
            speaker_tokens = set(analyzer.query_tokens(f"{quotation.speaker or ''} {cue}"))
            if speaker_tokens & set(question.speaker):
                score += weights.speech_match
            elif quotation.speaker is None and set(question.speaker) <= ctx_terms:
                score += weights.speech_other
            else:
                continue  # someone else's words
            if _coverage(question.topic, ctx_terms, idf) < weights.topic_coverage:
                continue
            cand.quotation = quotation
            cand.speaker = quotation.speaker
        cand.score = score
        scored.append(cand)

    if not scored:
        return _no_answer(text)
    scored.sort(key=lambda c: c.score, reverse=True)
    best = scored[0].score
    if best < weights.threshold:
        return _no_answer(text)
    if scope.prefer_recent:
        scored = _newest_first(scored, best * _RECENT_BAND)
    chosen = _choose(scored, best, weights, max_quotes)
    return Answer(question=text, answered=True, quotes=tuple(_quote(c) for c in chosen))


def _quotation_at(cand: _Candidate) -> Quotation | None:
    return cand.analysis.quotation_at(cand.start, cand.end)


def _sentence_tokens(
    analysis: ArticleAnalysis, article: Article, start: int, end: int, analyzer: Analyzer
) -> Sequence[str]:
    i = analysis.sentence_at(start)
    if i is not None and analysis.sentences[i][1] == end:
        return analysis.tokens[i]
    # A passage cut differently from the analysis (it never should be): analyse the span itself.
    return analyzer.tokens(article.text[start:end], article.language)


# "latest": quotes scoring at least this share of the best one count as answering about as well.
_RECENT_BAND = 0.8


def _newest_first(scored: list[_Candidate], floor: float) -> list[_Candidate]:
    """The candidates scoring at least ``floor``, newest article first (undated last), then the
    rest; the order by score is kept within one date."""
    good = [c for c in scored if c.score >= floor]
    rest = [c for c in scored if c.score < floor]
    good.sort(
        key=lambda c: c.article.published.toordinal() if c.article.published else 0, reverse=True
    )
    return good + rest


def _choose(
    scored: list[_Candidate], best: float, weights: Weights, limit: int
) -> list[_Candidate]:
    chosen: list[_Candidate] = []
    for cand in scored:
        if len(chosen) >= limit:
            break
        if chosen and cand.score < best * weights.second_ratio:
            break
        merged = False
        for other in chosen:
            same_quote = (
                other.article.id == cand.article.id
                and other.quotation is not None
                and other.quotation is cand.quotation
            )
            if same_quote:
                other.start, other.end = min(other.start, cand.start), max(other.end, cand.end)
                merged = True
                break
        if not merged:
            chosen.append(cand)
    # A quotation spanning several sentences is quoted whole; a sentence that leans on the one
    # before it is quoted with it.
    for cand in chosen:
        if cand.lean_start is not None:
            cand.start = min(cand.start, cand.lean_start)
        if cand.quotation is not None:
            q = cand.quotation
            for s, e in _sentences_covering(cand, q.start, q.end):
                cand.start, cand.end = min(cand.start, s), max(cand.end, e)
    return chosen


def _sentences_covering(cand: _Candidate, start: int, end: int) -> list[tuple[int, int]]:
    spans = cand.analysis.sentences
    return [spans[i] for i in cand.analysis.sentences_in(start, end)]


def _quote(cand: _Candidate) -> Quote:
    article = cand.article
    return Quote(
        text=article.text[cand.start : cand.end],
        start=cand.start,
        end=cand.end,
        passage_id=passage_id(article.id, cand.passage.ordinal),
        score=round(cand.score, 4),
        speaker=cand.speaker,
        source=Source.of(article),
    )


def _no_answer(question: str) -> Answer:
    return Answer(
        question=question,
        answered=False,
        reason="No indexed passage answers this well enough.",
    )
