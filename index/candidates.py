"""From a question to candidate quotes: retrieval, then the sentences and statements to score.

- :func:`retrieve` asks the backend for the top passages (BM25) and groups them by article.
- :func:`sentence_candidates`: every sentence of those passages (a factoid's answer is a
  sentence near the question's words).
- :func:`statement_candidates`: for "what did X say" questions, every quotation and reported
  statement *of X* in the retrieved articles, wherever it stands in the article: a quote rarely
  repeats the question's words, so it is often outside the passages BM25 found.

Work here is proportional to the retrieved passages and their articles; each article's analysis
(sentences, terms, quotations, speakers) comes precomputed through ``AnswerContext.analysis``.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from index.analysis import ArticleAnalysis, Speaker
from index.backends import Backend
from index.models import Article
from index.question import Question
from index.speech import Quotation
from index.store import PassageStore, StoredPassage


@dataclass
class RetrievedArticle:
    article: Article
    analysis: ArticleAnalysis
    score: float  # its best passage's score over the best passage's score (0..1]
    passages: list[tuple[StoredPassage, float]] = field(default_factory=list)
    _terms: AbstractSet[str] | None = None

    @property
    def terms(self) -> AbstractSet[str]:
        """Every analysed term of the article, for membership tests: a view that answers
        ``term in`` without building the article's set of terms (index/analysis.py)."""
        if self._terms is None:
            self._terms = self.analysis.term_set()
        return self._terms


@dataclass
class Retrieved:
    """The top passages, best first, grouped by article (articles in order of their best)."""

    articles: list[RetrievedArticle]
    top_score: float


def retrieve(
    question: Question,
    backend: Backend,
    store: PassageStore,
    article: Callable[[str], Article],
    analysis: Callable[[Article], ArticleAnalysis],
    *,
    k: int,
    keep: int,
    allow: Callable[[Article], bool] | None = None,
) -> Retrieved:
    """The top ``k`` passages for the question's terms; at most ``keep`` of them survive the
    article filter ``allow``."""
    hits = backend.search(question.tokens, k)
    if not hits:
        return Retrieved([], 0.0)
    stored = store.passages_by_pid([pid for pid, _ in hits])
    top = hits[0][1] or 1.0
    by_id: dict[str, RetrievedArticle] = {}
    kept = 0
    for pid, score in hits:
        sp = stored.get(pid)
        if sp is None or kept >= keep:
            continue
        art = article(sp.article_id)
        if allow is not None and not allow(art):
            continue
        kept += 1
        entry = by_id.get(art.id)
        if entry is None:
            entry = by_id[art.id] = RetrievedArticle(art, analysis(art), score / top)
        entry.passages.append((sp, score / top))
    return Retrieved(list(by_id.values()), top)


@dataclass
class Candidate:
    """A span that may be quoted: a sentence, or a statement (direct or reported speech)."""

    source: RetrievedArticle
    start: int
    end: int
    passage: StoredPassage | None  # the retrieved passage it was found in, if any
    passage_score: float  # that passage's normalised score (0 when not in a retrieved one)
    statement: Quotation | None = None
    direct: bool = False
    speaker: str | None = None
    speaker_score: float = 0.0
    score: float = 0.0
    lean_start: int | None = None  # start of the sentence it leans on, if any
    features: dict[str, float] = field(default_factory=dict)

    @property
    def article(self) -> Article:
        return self.source.article

    @property
    def analysis(self) -> ArticleAnalysis:
        return self.source.analysis

    @property
    def key(self) -> tuple[str, int]:
        return (self.article.id, self.start)


def sentence_candidates(
    retrieved: Retrieved, allows: Callable[[Article, int, int], bool]
) -> list[Candidate]:
    """Every sentence of the retrieved passages, once (with its best passage)."""
    out: dict[tuple[str, int], Candidate] = {}
    for entry in retrieved.articles:
        for sp, score in entry.passages:
            for start, end in sp.sentences:
                if not allows(entry.article, start, end):
                    continue
                key = (entry.article.id, start)
                if key not in out or out[key].passage_score < score:
                    out[key] = Candidate(entry, start, end, sp, score)
    return list(out.values())


def statement_candidates(
    retrieved: Retrieved,
    match: Callable[[Speaker, RetrievedArticle], float],
    allows: Callable[[Article, int, int], bool],
    *,
    articles: int,
) -> list[Candidate]:
    """The quotations and reported statements, in the first ``articles`` retrieved articles,
    whose speaker ``match`` scores above zero."""
    out: list[Candidate] = []
    for entry in retrieved.articles[:articles]:
        speakers = entry.analysis.speakers
        scores = [match(s, entry) for s in speakers]
        if not any(scores):
            continue
        for statements, direct in (
            (entry.analysis.quotations, True),
            (entry.analysis.reported, False),
        ):
            for statement in statements:
                if statement.person < 0 or statement.person >= len(scores):
                    continue
                score = scores[statement.person]
                if score <= 0 or not allows(entry.article, statement.start, statement.end):
                    continue
                if direct and not is_statement(entry.article.text, statement):
                    continue  # a nickname or a scare quote ("Pete"), not a statement
                passage, passage_score = _passage_holding(entry, statement.start)
                speaker = statement.speaker or speakers[statement.person].name
                out.append(
                    Candidate(
                        entry,
                        statement.start,
                        statement.end,
                        passage,
                        passage_score,
                        statement=statement,
                        direct=direct,
                        speaker=speaker,
                        speaker_score=score,
                    )
                )
    return out


_MIN_STATEMENT_WORDS = 4


def is_statement(text: str, quotation: Quotation) -> bool:
    """Whether a quotation says something: not a nickname or a scare quote ("Pete")."""
    return len(text[quotation.start : quotation.end].split()) >= _MIN_STATEMENT_WORDS


def _passage_holding(entry: RetrievedArticle, offset: int) -> tuple[StoredPassage | None, float]:
    best: tuple[StoredPassage | None, float] = (None, 0.0)
    for sp, score in entry.passages:
        if sp.start <= offset < sp.end and score > best[1]:
            best = (sp, score)
    return best
