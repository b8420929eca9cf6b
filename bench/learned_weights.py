"""Are the hand-tuned statement weights the best this feature set allows? The experiment behind
a decision NOT to learn them (bench/README.md, "Learned statement weights"). Nothing here is
part of the engine.

For every tune-half "say" question it records the speaker's statements the engine scores
(``index.answer._score_statements``, wrapped for the run), their features and whether each one
holds a gold answer. It then fits the weights of the same linear score by a listwise softmax
(the probability mass on the statements that answer, L2-regularised) and counts, statement by
statement, hit@1 / hit@3 of

- the engine's own score (hand-tuned weights), and
- the learned weights, each question scored by weights fitted without its article's questions
  (five folds grouped by article: a question never helps rank itself or its article's siblings).

Only the order of the statements is compared: the choice among them (``index/choose.py``) and
the prose answer (``_prose_answers_better``) are left out, so the figures are close to, not the
same as, ``bench.news``'s. Pure Python (a few thousand rows), no numeric library::

    python -m bench.learned_weights [--questions FILE ...]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import index.answer as answer_module
from bench.common import BenchError, render_table
from bench.evaluate import contains_answer
from bench.news import DEFAULT_NEWS, NewsItem, load_news
from bench.news import write_corpus as write_news_corpus
from bench.quality import build_engine
from index.answer import DEFAULT_WEIGHTS
from index.candidates import Candidate
from index.choose import quote_span
from index.engine import Engine, EngineConfig
from index.question import Question

QUESTIONS = Path(__file__).parent / "questions"
TUNE_FILES = tuple(
    QUESTIONS / f"news-dev-tune-{name}.jsonl" for name in ("extra", "fresh", "fresh16", "fresh17")
)
# The features the statement score adds up (index/answer.py: _score_statements), in its order;
# "direct" is the direct-speech bonus as the score counts it (times ``_on_topic``).
FEATURES: tuple[str, ...] = ("speaker", "terms", "near", "around", "article", "rank", "passage")
FEATURES += ("direct", "verb", "future", "form")
HAND = {
    "speaker": DEFAULT_WEIGHTS.speaker,
    "terms": DEFAULT_WEIGHTS.statement_terms,
    "near": DEFAULT_WEIGHTS.statement_near,
    "around": DEFAULT_WEIGHTS.statement_around,
    "article": DEFAULT_WEIGHTS.statement_article,
    "rank": DEFAULT_WEIGHTS.statement_rank,
    "passage": DEFAULT_WEIGHTS.statement_passage,
    "direct": DEFAULT_WEIGHTS.direct,
    "verb": DEFAULT_WEIGHTS.verb,
    "future": DEFAULT_WEIGHTS.future,
    "form": DEFAULT_WEIGHTS.form,
}


@dataclass
class Ranked:
    """One question's statements: feature rows, the engine's scores, which hold an answer."""

    group: str  # the question's article: folds keep an article's questions together
    rows: list[list[float]]
    scores: list[float]
    hits: list[bool]


def collect(engine: Engine, items: Sequence[NewsItem]) -> list[Ranked]:
    seen: list[tuple[Question, list[Candidate]]] = []
    original = answer_module._score_statements

    def record(question: Question, *args: Any) -> list[Candidate]:
        scored = original(question, *args)
        seen.append((question, scored))
        return scored

    answer_module._score_statements = record  # type: ignore[assignment]
    out = []
    try:
        for item in items:
            seen.clear()
            engine.ask(item.question, 3)
            if not seen or not seen[-1][1]:
                continue
            question, scored = seen[-1]
            rows, hits = [], []
            for cand in scored:
                f = dict(cand.features)
                f["direct"] *= answer_module._on_topic(f["near"], DEFAULT_WEIGHTS, question)
                rows.append([f[name] for name in FEATURES])
                start, end = quote_span(cand)
                hits.append(contains_answer(cand.article.text[start:end], item.answers))
            out.append(Ranked(item.article_id or item.id, rows, [c.score for c in scored], hits))
    finally:
        answer_module._score_statements = original  # type: ignore[assignment]
    return out


def hits_at(questions: Sequence[Ranked], scores: Sequence[Sequence[float]]) -> tuple[int, int]:
    at1 = at3 = 0
    for q, s in zip(questions, scores, strict=True):
        order = sorted(range(len(s)), key=lambda i: -s[i])  # stable: ties keep the engine's order
        at1 += q.hits[order[0]]
        at3 += any(q.hits[i] for i in order[:3])
    return at1, at3


def fit(questions: Sequence[Ranked], l2: float, steps: int = 400) -> list[float]:
    """Weights on standardised features maximising the softmax mass on answering statements
    (Adam on the mean loss); returned on the features' own scale."""
    flat = [row for q in questions for row in q.rows]
    dims = len(FEATURES)
    mean = [sum(r[j] for r in flat) / len(flat) for j in range(dims)]
    spread = [
        math.sqrt(sum((r[j] - mean[j]) ** 2 for r in flat) / len(flat)) or 1.0 for j in range(dims)
    ]
    data = [
        ([[(r[j] - mean[j]) / spread[j] for j in range(dims)] for r in q.rows], q.hits)
        for q in questions
        if any(q.hits)
    ]
    w, m, v = [0.0] * dims, [0.0] * dims, [0.0] * dims
    for step in range(1, steps + 1):
        grad = [2 * l2 * x for x in w]
        for rows, hits in data:
            s = [sum(a * b for a, b in zip(w, r, strict=True)) for r in rows]
            top = max(s)
            p = [math.exp(x - top) for x in s]
            total = sum(p)
            p = [x / total for x in p]
            mass = sum(x for x, h in zip(p, hits, strict=True) if h)
            for j in range(dims):
                expected_all = sum(p[i] * rows[i][j] for i in range(len(rows)))
                expected_hit = sum(p[i] * rows[i][j] for i in range(len(rows)) if hits[i]) / mass
                grad[j] -= (expected_hit - expected_all) / len(data)
        for j in range(dims):
            m[j] = 0.9 * m[j] + 0.1 * grad[j]
            v[j] = 0.999 * v[j] + 0.001 * grad[j] ** 2
            m_hat, v_hat = m[j] / (1 - 0.9**step), v[j] / (1 - 0.999**step)
            w[j] -= 0.05 * m_hat / (math.sqrt(v_hat) + 1e-8)
    return [w[j] / spread[j] for j in range(dims)]


def score(q: Ranked, weights: Sequence[float]) -> list[float]:
    return [sum(a * b for a, b in zip(weights, r, strict=True)) for r in q.rows]


def cross_validated(questions: Sequence[Ranked], l2: float, folds: int) -> list[list[float]]:
    groups = sorted({q.group for q in questions})
    random.Random(7).shuffle(groups)
    fold_of = {g: i % folds for i, g in enumerate(groups)}
    scores: list[list[float]] = [[] for _ in questions]
    for k in range(folds):
        weights = fit([q for q in questions if fold_of[q.group] != k], l2)
        for i, q in enumerate(questions):
            if fold_of[q.group] == k:
                scores[i] = score(q, weights)
    return scores


def run(args: argparse.Namespace, workdir: Path) -> None:
    news = load_news(args.news)
    if args.data is not None:  # an index of news-dev built before, to save the build
        engine = Engine.open(args.data)
    else:
        engine = build_engine(
            lambda d: write_news_corpus(news.articles, d / "news.jsonl"), workdir, EngineConfig()
        ).engine
    items = [it for it in news.split("tune") if it.kind == "say"]
    for path in args.questions:
        items += [it for it in load_news(args.news, path).split("tune") if it.kind == "say"]
    questions = collect(engine, items)
    engine.close()
    reachable = sum(any(q.hits) for q in questions)
    print(
        f"{len(items)} tune 'say' questions; {len(questions)} with statements, "
        f"{reachable} with an answering one"
    )
    rows: list[list[Any]] = [
        ["hand-tuned (the engine)", *hits_at(questions, [q.scores for q in questions])]
    ]
    for l2 in args.l2:
        cv = cross_validated(questions, l2, args.folds)
        rows.append([f"learned, {args.folds}-fold by article, L2 {l2}", *hits_at(questions, cv)])
        print(rows[-1], flush=True)
    print(render_table(["statement order", "hit@1", "hit@3"], rows))
    learned = fit(questions, args.l2[0])
    scale = learned[0] or 1.0  # shown with the speaker's weight at 1, as the hand weights are
    print(
        render_table(
            ["feature", "hand", f"learned on all (L2 {args.l2[0]})"],
            [[n, HAND[n], round(w / scale, 2)] for n, w in zip(FEATURES, learned, strict=True)],
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.learned_weights", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    parser.add_argument(
        "--questions", type=Path, nargs="*", default=list(TUNE_FILES), help="more tune questions"
    )
    parser.add_argument("--data", type=Path, help="an existing news-dev data dir (no build)")
    parser.add_argument("--l2", type=float, nargs="+", default=[0.01, 0.1, 1.0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="newsbot-learned-") as tmp:
            run(args, Path(tmp))
    except BenchError as err:
        print(f"bench.learned_weights: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
