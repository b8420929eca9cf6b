"""Question → verbatim quotes. The one place where a question is answered.

The stages, each in its own module and testable on its own:

1. **Read the question** (:mod:`index.question`): its kind (who/when/how many …), whether it asks
   for someone's words ("what did X say/tell/warn …", "how did X react …", "according to X"),
   who X is (a name, or a role such as "Brazil's finance minister"), the topic, the names.
2. **Evidence of absence** (:mod:`index.absence`): a name no article holds, or a person and a
   topic that no retrieved article holds together, gives "no answer" with that reason.
3. **Candidates** (:mod:`index.candidates`): the top passages by BM25; their sentences; and, for
   a speech question, X's quotations and reported statements in the retrieved articles.
4. **Features and scores** (:mod:`index.features`, below): for sentences, the question's terms in
   the sentence and around it, their proximity, the kind of answer; for X's statements, how well
   the speaker matches, and how much of the topic the statement, its paragraph and neighbours,
   and its article cover; direct speech before reported speech.
5. **Choose** (:mod:`index.choose`): the best 1–3 that do not overlap, each a verbatim span
   (a quotation whole, at most :data:`index.choose.MAX_QUOTE_CHARS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from index import absence
from index.analysis import ArticleAnalysis, Speaker
from index.analyze import Analyzer
from index.backends import Backend
from index.candidates import (
    Candidate,
    Retrieved,
    RetrievedArticle,
    is_statement,
    retrieve,
    sentence_candidates,
    statement_candidates,
)
from index.choose import by_score, choose, quote_span
from index.features import (
    Coverage,
    has_answer_type,
    idf_of,
    leans_back,
    proximity,
    speaker_match,
)
from index.models import Answer, Article, Quote, Source
from index.passages import passage_id
from index.question import Question, read_question
from index.speech import Quotation
from index.store import PassageStore, StoredPassage

__all__ = [
    "DEFAULT_WEIGHTS",
    "NO_SCOPE",
    "AnswerContext",
    "Question",
    "Scope",
    "Weights",
    "answer_question",
    "read_question",
]


@dataclass(frozen=True)
class Weights:
    """Scoring weights and thresholds, tuned on the tune halves of the quality benchmarks
    (bench/quality.py, bench/README.md)."""

    retrieve: int = 12
    # sentences (factoids)
    sentence_terms: float = 1.0
    context_terms: float = 0.6
    passage: float = 0.5
    proximity: float = 0.25
    answer_type: float = 0.3
    missing_type: float = 0.15
    threshold: float = 1.2
    entity_coverage: float = 0.0
    context_coverage: float = 0.4
    second_ratio: float = 0.3
    lean_back: bool = True
    # a sentence that names the speaker, when a speech question falls back to sentences
    speech_other: float = 0.5
    topic_coverage: float = 0.5
    # statements (what X said)
    speech_articles: int = 8  # retrieved articles whose statements are candidates
    # A speech question reads this many times ``retrieve`` passages: their articles hold the
    # speaker's statements and the evidence that speaker and topic never meet.
    speech_retrieve: float = 1.5
    speaker: float = 1.0
    statement_terms: float = 0.3  # topic terms in the statement's sentences
    statement_near: float = 0.6  # … in them and the reporter's lead-in before them
    # … in the sentences around them (``AROUND`` each side): the reporter often names the topic
    # a few sentences before or after the quotation that speaks to it, not right before it
    statement_around: float = 0.7
    statement_article: float = 0.8  # … in its article
    statement_rank: float = 0.5  # its article's retrieval score
    statement_passage: float = 0.8  # its own passage's retrieval score, if retrieved
    direct: float = 1.2  # direct speech over reported speech
    verb: float = 0.3  # its cue uses the question's verb ("warned")
    # "What did X predict/expect …", "… will …": a statement about the future (will, may,
    # going to, expect …) answers it.
    future: float = 0.3
    # "Why …", "compare … to", "threaten": a statement giving a reason, a likeness or a
    # condition (``FORMS``) answers it.
    form: float = 0.3
    # "Did X mention any obstacles?" names what was said: the statement that says it (often
    # reported speech) counts more than direct speech near it.
    yes_no_direct: float = 0.25
    direct_topic: float = 0.01  # (any topic word at all earns the whole bonus)
    direct_floor: float = 0.6
    together: float = 0.15  # topic share an article naming the speaker must hold
    # A speech question is answered with a sentence about X instead of X's statements when that
    # sentence holds this much more of the topic than any statement of X with its lead-in
    # ("What did Luther think of Purgatory?" → "Luther rejected the existence of Purgatory.").
    prose_margin: float = 0.5


DEFAULT_WEIGHTS = Weights()


@dataclass
class AnswerContext:
    analyzer: Analyzer
    backend: Backend
    store: PassageStore
    article: Callable[[str], Article]
    # Sentences, their terms, quotations, reported speech and speakers of an article
    # (index/analysis.py): computed once per article, not per question.
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
# Sentences each side of a statement that may name its topic (``Weights.statement_around``).
AROUND = 4
# A scope that filters articles reads this many more passages, so that enough are left.
_SCOPED_RETRIEVE_FACTOR = 4
# "latest": quotes scoring at least this share of the best one count as answering about as well.
_RECENT_BAND = 0.8
_NO_ANSWER = "No indexed passage answers this well enough."


def answer_question(
    ctx: AnswerContext, text: str, *, max_quotes: int = 3, scope: Scope = NO_SCOPE
) -> Answer:
    weights = ctx.weights
    question = read_question(text, ctx.analyzer)
    if not question.tokens:
        return _declined(
            text, "The question has no searchable words; name a person, place or topic."
        )
    reason = absence.absent_name(question, ctx.backend.doc_freq)
    if reason is not None:
        return _declined(text, reason)

    keep = weights.retrieve
    k = keep * (_SCOPED_RETRIEVE_FACTOR if scope.allow_article is not None else 1)
    if question.speech:
        k = max(k, int(keep * weights.speech_retrieve))
        keep = k
    retrieved = retrieve(
        question,
        ctx.backend,
        ctx.store,
        ctx.article,
        ctx.analysis,
        k=k,
        keep=keep,
        allow=scope.allow_article,
    )
    if not retrieved.articles:
        return _declined(text, _NO_ANSWER)
    idf = idf_of(ctx.backend.num_docs, {t: ctx.backend.doc_freq(t) for t in set(question.tokens)})

    headlines: dict[str, set[str]] = {}

    def title_terms(entry: RetrievedArticle) -> set[str]:
        """An article's headline terms, analysed once per question (both the absence check and
        the statements read them)."""
        if entry.article.id not in headlines:
            title = entry.article.title
            headlines[entry.article.id] = set(ctx.analyzer.tokens(title, entry.article.language))
        return headlines[entry.article.id]

    if question.speech:
        reason = absence.never_together(
            question,
            retrieved,
            idf,
            weights.together,
            ctx.backend.doc_freq,
            title_terms,
        )
        if reason is not None:
            return _declined(text, reason)
        statements = _score_statements(
            question,
            retrieved,
            idf,
            weights,
            scope,
            ctx.analyzer,
            ctx.backend.num_docs,
            title_terms,
        )
    else:
        statements = []
    sentences = _score_sentences(
        question,
        _first_passages(retrieved, weights.retrieve),
        idf,
        ctx,
        scope,
        about_speaker=question.speech,
    )
    one_person = question.speaker is not None and question.speaker.one_person
    if statements and (one_person or not _prose_answers_better(sentences, statements, weights)):
        return _answer(ctx, question, statements, max_quotes, scope)
    if not sentences or sentences[0].score < weights.threshold:
        return _declined(text, absence.not_covered(question) if not sentences else _NO_ANSWER)
    return _answer(ctx, question, sentences, max_quotes, scope)


def _prose_answers_better(
    sentences: list[Candidate], statements: list[Candidate], weights: Weights
) -> bool:
    """Whether a speech question is better answered by a sentence about the speaker than by the
    speaker's statements: the best sentence is an answer on its own and holds ``prose_margin``
    more of the topic than the best statement and its lead-in. News quotes the speaker on the
    topic, so there the statement wins; an encyclopedia tells a person's views in prose."""
    if not sentences or sentences[0].score < weights.threshold:
        return False
    margin = sentences[0].features["topic"] - statements[0].features["near_topic"]
    return margin >= weights.prose_margin


def _answer(
    ctx: AnswerContext,
    question: Question,
    scored: list[Candidate],
    max_quotes: int,
    scope: Scope,
) -> Answer:
    if scope.prefer_recent:
        scored = _newest_first(scored, scored[0].score * _RECENT_BAND)
    chosen = choose(scored, max_quotes, ctx.weights.second_ratio)
    quotes = tuple(_quote(ctx, c) for c in chosen)
    return Answer(question=question.text, answered=True, quotes=quotes)


def _first_passages(retrieved: Retrieved, limit: int) -> Retrieved:
    """The retrieval cut to its best ``limit`` passages (a speech question reads more)."""
    ranked = sorted(
        ((score, entry, sp) for entry in retrieved.articles for sp, score in entry.passages),
        key=lambda item: -item[0],
    )[:limit]
    keep: dict[str, RetrievedArticle] = {}
    for score, entry, sp in ranked:
        if entry.article.id not in keep:
            keep[entry.article.id] = RetrievedArticle(
                entry.article, entry.analysis, entry.score, [], entry._terms
            )
        keep[entry.article.id].passages.append((sp, score))
    return Retrieved(list(keep.values()), retrieved.top_score)


# ---- statements: what X said
def _score_statements(
    question: Question,
    retrieved: Retrieved,
    idf: dict[str, float],
    weights: Weights,
    scope: Scope,
    analyzer: Analyzer,
    num_docs: int,
    title_terms: Callable[[RetrievedArticle], set[str]] = lambda _: set(),
) -> list[Candidate]:
    ref = question.speaker
    if ref is None:
        return []

    def match(speaker: Speaker, entry: RetrievedArticle) -> float:
        return speaker_match(ref, speaker, entry.terms)

    candidates = statement_candidates(
        retrieved, match, scope.allows, articles=weights.speech_articles
    )
    idf_absent = idf_of(num_docs, {"": 0})[""]
    # Topic words no passage holds cannot tell statements apart (a paraphrase such as "the head
    # of China's legislature" for "the chairman of the Standing Committee …"): left out.
    topic = [t for t in question.topic if idf.get(t, 0.0) < idf_absent]
    topic_in = Coverage(topic, idf)
    # A statement is judged by the question's focus; its article by the whole topic.
    focus_in = Coverage([t for t in question.focus if t in topic] or topic, idf)
    asks_future = [FUTURE] if FUTURE.asked_by(question) else []
    asks_forms = [form for form in FORMS if form.asked_by(question)]
    walks: _Walks = {}
    scored = []
    for cand in candidates:
        analysis = cand.analysis
        inside = analysis.sentences_in(cand.start, cand.end)
        own = _terms_of(analysis, inside)
        near = own | _terms_of(analysis, lead_in(analysis, inside, cand, walks))
        around = _terms_of(analysis, _around(analysis, inside))
        # However little of the topic its article holds, a statement may answer: a question
        # may paraphrase all of it. But an article, headline included, holding none of the
        # topic's words is not about it, and its speaker's words there are not on the topic
        # (the speaker and the topic meet in another article, where he says nothing).
        article_cov = topic_in(cand.source.terms)
        if topic and not article_cov and not topic_in(title_terms(cand.source)):
            continue
        f = {
            "speaker": cand.speaker_score,
            "terms": focus_in(own),
            "near": focus_in(near),
            "around": focus_in(around),
            # the whole topic, as a sentence's own coverage counts it (_prose_answers_better)
            "near_topic": topic_in(near),
            "article": article_cov,
            "rank": cand.source.score,
            "passage": cand.passage_score,
            "direct": 1.0 if cand.direct else 0.0,
            "verb": _verb_match(question, cand, analyzer),
            "future": _form_match(cand, asks_future),
            "form": _form_match(cand, asks_forms),
        }
        cand.features = f
        cand.score = (
            weights.speaker * f["speaker"]
            + weights.statement_terms * f["terms"]
            + weights.statement_near * f["near"]
            + weights.statement_around * f["around"]
            + weights.statement_article * f["article"]
            + weights.statement_rank * f["rank"]
            + weights.statement_passage * f["passage"]
            + weights.direct * f["direct"] * _on_topic(f["near"], weights, question)
            + weights.verb * f["verb"]
            + weights.future * f["future"]
            + weights.form * f["form"]
        )
        scored.append(cand)
    scored.sort(key=by_score)
    return scored


def _on_topic(near: float, weights: Weights, question: Question) -> float:
    """How much of the direct-speech bonus a quotation earns: all of it once it and its lead-in
    hold ``direct_topic`` of the topic, less below. Direct speech is preferred, but a quotation
    about something else does not beat X's reported words on the topic ("X told investors that
    …"). A yes/no question ("Did X mention any obstacles?") names what was said: there the
    statement that says it counts more than direct speech near it; one asking for a view ("Does
    X think …") is answered by X's own words like any other."""
    share = min(1.0, near / weights.direct_topic) if weights.direct_topic > 0 else 1.0
    share = weights.direct_floor + (1.0 - weights.direct_floor) * share
    return share * (weights.yes_no_direct if question.yes_no and not question.asks_view else 1.0)


def _around(analysis: ArticleAnalysis, inside: range) -> range:
    """The statement's sentences and ``AROUND`` sentences each side of them."""
    if not inside:
        return inside
    return range(max(0, inside[0] - AROUND), min(len(analysis.sentences), inside[-1] + AROUND + 1))


def _terms_of(analysis: ArticleAnalysis, indexes: range | list[int]) -> set[str]:
    out: set[str] = set()
    for i in indexes:
        out.update(analysis.tokens[i])
    return out


_Walks = dict[tuple[int, int, int, int], int]


def lead_in(
    analysis: ArticleAnalysis, inside: range, cand: Candidate, walks: _Walks | None = None
) -> list[int]:
    """The reporter's sentences before a statement, which name what the quotation is about
    ("Lyng said he was not sure the grain agreement was worth extending. “It hasn't been worth
    much,” he said."): the sentence right before it, skipping back over the same speaker's
    quotations in the same paragraph (a run of quotations shares one lead-in). When that
    sentence is in a paragraph before the statement's, the sentence before it in that paragraph
    too: a news paragraph is one or two sentences, and the topic is often in the first ("Phillips
    will emphasize cash flow this year, C.J. “Pete” Silas, chairman, told Reuters.")."""
    if not inside:
        return []
    i = inside[0] - 1
    paragraph = analysis.paragraph_of(cand.start)
    person = cand.statement.person if cand.statement is not None else -1
    # (``walks``: where a walk back from a sentence ended, for the statements of one run of
    # quotations share it: walked once each, a long run was quadratic, then worse)
    walks = {} if walks is None else walks
    walked: list[int] = []
    while i >= 0:
        if (id(analysis), i, person, paragraph) in walks:
            i = walks[id(analysis), i, person, paragraph]
            break
        walked.append(i)
        start, end = analysis.sentences[i]
        quotation = analysis.quotation_at(start, end)
        continues = (
            quotation is not None
            # (a nickname in quotation marks, "Pete", is the reporter's sentence all the same)
            and is_statement(cand.article.text, quotation)
            and person >= 0
            and quotation.person == person
            and analysis.paragraph_of(start) == paragraph
        )
        if not continues:
            break
        i -= 1
    for k in walked:
        walks[id(analysis), k, person, paragraph] = i
    if i < 0:
        return []
    lead_paragraph = analysis.paragraph_of(analysis.sentences[i][0])
    if (
        lead_paragraph != paragraph
        and i > 0
        and analysis.paragraph_of(analysis.sentences[i - 1][0]) == lead_paragraph
    ):
        return [i, i - 1]
    return [i]


@dataclass(frozen=True)
class StatementForm:
    """A kind of statement a question asks for, told by its words ("Why …", "What did X
    predict …") and by the statement's ("because …", "we expect …")."""

    name: str
    asks: re.Pattern[str]
    says: re.Pattern[str]

    def asked_by(self, question: Question) -> bool:
        return self.asks.search(question.text) is not None

    def said_in(self, cand: Candidate) -> bool:
        return self.says.search(cand.article.text, cand.start, cand.end) is not None

    def matches(self, question: Question, cand: Candidate) -> bool:
        return self.asked_by(question) and self.said_in(cand)


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


FUTURE = StatementForm(
    "future",
    _words(
        r"predict\w*",
        r"expect\w*",
        r"forecast\w*",
        r"foresee\w*",
        r"anticipat\w*",
        "will",
        "going to",
        "outlook",
    ),
    _words(
        "will",
        "won't",
        "'ll",
        "’ll",
        "would",
        "wouldn't",
        "going to",
        r"expect\w*",
        "may",
        "might",
        "could",
        "likely",
        "probably",
        "shall",
        r"predict\w*",
        r"forecast\w*",
        "next",
    ),
)
# A question that asks for a reason, a likeness or a condition is answered by the quotation that
# gives one, which seldom repeats the question's words: "Why is OPEC producing below its
# ceiling?" → "We are deliberately defending the price, so …"; "What did X compare the verdict
# to?" → "It's as if he went before a licensing board …"; "What did X threaten …?" → "If the
# party discipline is broken, …".
REASON = StatementForm(
    "reason",
    _words("why", "reasons?", r"explain\w*", "behind", r"blam\w*", r"attribut\w*"),
    _words(
        "because",
        "since",
        "so",
        "due to",
        "owing to",
        "as a result",
        "result of",
        "reasons?",
        "therefore",
        "thus",
        "given",
        "caused?",
        r"blam\w*",
        "thanks to",
    ),
)
LIKENESS = StatementForm(
    "likeness",
    _words(r"compar\w*", r"liken\w*", r"similar\w*"),
    _words("like", "as if", "as though", r"similar\w*", r"compar\w*", "akin"),
)
CONDITION = StatementForm(
    "condition",
    _words(r"threat\w*", r"warn\w*", "if", "unless", "conditions?", "happen"),
    _words("if", "unless", "otherwise", "provided", "as long as", "only when"),
)
# "How much coffee does X think Brazil could ship?" → "Brazil has the capacity to export 20 mln
# bags"
AMOUNT = StatementForm(
    "amount",
    _words("how much", "how many", "how far", "how high", "how low", "how big", "how large"),
    re.compile(
        r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|"
        r"hundreds?|thousands?|mln|million|billion|bln|pct|percent|per cent|half|third|"
        r"quarter|double|triple)\b",
        re.IGNORECASE,
    ),
)
FORMS = (REASON, LIKENESS, CONDITION, AMOUNT)


def _form_match(cand: Candidate, asked: list[StatementForm]) -> float:
    """1 when the statement has one of the forms the question asks for (``asked``)."""
    return 1.0 if any(form.said_in(cand) for form in asked) else 0.0


def _verb_match(question: Question, cand: Candidate, analyzer: Analyzer) -> float:
    """1 when the statement's cue uses the question's verb ("warn" → "he warned")."""
    statement = cand.statement
    if not question.verbs or statement is None or statement.cue_start < 0:
        return 0.0
    cue = cand.article.text[statement.cue_start : statement.cue_end]
    return 1.0 if set(question.verbs) & set(analyzer.tokens(cue, cand.article.language)) else 0.0


# ---- sentences: factoids (and the fallback for speech questions)
def _score_sentences(
    question: Question,
    retrieved: Retrieved,
    idf: dict[str, float],
    ctx: AnswerContext,
    scope: Scope,
    *,
    about_speaker: bool,
) -> list[Candidate]:
    weights, analyzer = ctx.weights, ctx.analyzer
    candidates = sentence_candidates(retrieved, scope.allows)
    q_terms = set(question.tokens)
    # The terms of every sentence of the retrieved passages, and of each passage.
    terms_of: dict[tuple[str, int], set[str]] = {}
    context_of: dict[tuple[str, int], set[str]] = {}
    for entry in retrieved.articles:
        analysis = entry.analysis
        for sp, _score in entry.passages:
            keys = [(entry.article.id, s) for s, _ in sp.sentences]
            p_terms: set[str] = set()
            for key, (s, e) in zip(keys, sp.sentences, strict=True):
                if key not in terms_of:
                    terms_of[key] = set(_sentence_terms(analysis, entry.article, s, e, analyzer))
                p_terms |= terms_of[key]
            for key in keys:
                context_of.setdefault(key, set()).update(p_terms)
    speaker_terms = set(question.speaker.name_terms) if question.speaker else set()
    wanted = [t for t in question.tokens if t not in question.type_terms]
    entities_in = Coverage(question.entities, idf)
    wanted_in = Coverage(wanted, idf)
    question_in = Coverage(question.tokens, idf)
    topic_in = Coverage(question.topic, idf)
    no_terms: set[str] = set()
    scored = []
    for cand in candidates:
        key = cand.key
        sentence = cand.article.text[cand.start : cand.end]
        s_terms = terms_of.get(key, no_terms)
        # A passage's terms hold its sentences' (above): the context is the passage's terms,
        # or a new set when the sentence leans on the one before it.
        ctx_terms = context_of.get(key, no_terms)
        if weights.lean_back and leans_back(sentence):
            i = cand.analysis.sentence_at(cand.start)
            spans = cand.analysis.sentences
            if (
                i is not None
                and i > 0
                and "\n" not in cand.article.text[spans[i - 1][1] : cand.start]
            ):
                s_terms = s_terms.union(cand.analysis.tokens[i - 1])
                ctx_terms = ctx_terms | s_terms
                cand.lean_start = spans[i - 1][0]
        if entities_in(ctx_terms) < weights.entity_coverage:
            continue
        context_cov = wanted_in(ctx_terms)
        if context_cov < weights.context_coverage:
            continue  # too little of the question is even near this sentence
        if not (s_terms - q_terms):
            continue  # a sentence that only repeats the question answers nothing
        i = cand.analysis.sentence_at(cand.start)
        tokens = cand.analysis.tokens[i] if i is not None else tuple(s_terms)
        score = (
            weights.sentence_terms * question_in(s_terms)
            + weights.context_terms * context_cov
            + weights.passage * cand.passage_score
            + weights.proximity * proximity(tokens, q_terms)
        )
        has_type = has_answer_type(question.kind, sentence, q_terms, analyzer)
        if has_type is True:
            score += weights.answer_type
        elif has_type is False:
            score -= weights.missing_type
        if about_speaker and speaker_terms:
            # No statement of X's: a sentence about X and the topic, X named around it.
            if not speaker_terms <= ctx_terms:
                continue
            if topic_in(ctx_terms) < weights.topic_coverage:
                continue
            if speaker_terms & s_terms:
                score += weights.speech_other
        cand.score = score
        cand.features = {"topic": topic_in(s_terms)}
        scored.append(cand)
    scored.sort(key=by_score)
    return scored


def _sentence_terms(
    analysis: ArticleAnalysis, article: Article, start: int, end: int, analyzer: Analyzer
) -> tuple[str, ...] | list[str]:
    i = analysis.sentence_at(start)
    if i is not None and analysis.sentences[i][1] == end:
        return analysis.tokens[i]
    # A passage cut differently from the analysis (it never should be): analyse the span itself.
    return analyzer.tokens(article.text[start:end], article.language)


# ---- the answer
def _newest_first(scored: list[Candidate], floor: float) -> list[Candidate]:
    """The candidates scoring at least ``floor``, newest article first (undated last), then the
    rest; the order by score is kept within one date."""
    good = [c for c in scored if c.score >= floor]
    rest = [c for c in scored if c.score < floor]
    good.sort(
        key=lambda c: c.article.published.toordinal() if c.article.published else 0, reverse=True
    )
    return good + rest


def _quote(ctx: AnswerContext, cand: Candidate) -> Quote:
    article = cand.article
    start, end = quote_span(cand)
    passage = cand.passage or _passage_at(ctx.store, article.id, start)
    speaker = cand.speaker
    speech: Literal["direct", "reported"] | None = None
    if cand.statement is not None:
        speech = "direct" if cand.direct else "reported"
    else:  # a sentence that is someone's quotation or reported speech still says whose words
        quotation = cand.analysis.quotation_at(cand.start, cand.end)
        if quotation is not None and quotation.speaker is not None:
            speaker, speech = quotation.speaker, "direct"
        else:
            reported = _reported_at(cand.analysis, cand.start, cand.end)
            if reported is not None and reported.speaker is not None:
                speaker, speech = reported.speaker, "reported"
    return Quote(
        text=article.text[start:end],
        start=start,
        end=end,
        passage_id=passage_id(article.id, passage.ordinal if passage else 0),
        score=round(cand.score, 4),
        speaker=speaker,
        speech=speech,
        source=Source.of(article),
    )


def _reported_at(analysis: ArticleAnalysis, start: int, end: int) -> Quotation | None:
    """The reported speech that is the sentence ``[start, end)`` ("The council will close the
    bridge, its transport chief, Ines Calloway, said.")."""
    return next((r for r in analysis.reported if r.start <= start and end <= r.end), None)


def _passage_at(store: PassageStore, article_id: str, offset: int) -> StoredPassage | None:
    """The passage of the article that holds ``offset`` (passages are in text order: a binary
    search over their ordinals, a few point lookups)."""
    lo, hi = 0, store.passage_count(article_id) - 1
    found = None
    while lo <= hi:
        mid = (lo + hi) // 2
        sp = store.passage_by_ordinal(article_id, mid)
        if sp is None:
            break
        if sp.start <= offset:
            found, lo = sp, mid + 1
        else:
            hi = mid - 1
    return found


def _declined(question: str, reason: str) -> Answer:
    return Answer(question=question, answered=False, reason=reason)
