"""bench/learned_weights.py, the harness that asks whether learned statement weights beat the
hand-tuned ones: that its fit learns an ordering the data holds, that cross-validation never
scores a question with weights fitted on its own article, and that it records the engine's real
statements (an invented article) and leaves the engine as it was."""

from __future__ import annotations

import random
from pathlib import Path

import index.answer as answer_module
from bench.learned_weights import FEATURES, Ranked, collect, cross_validated, fit, hits_at, score
from bench.news import NewsItem
from index.engine import reindex_data_dir
from tests.test_bench_paraphrase import NORLAND as ARTICLE  # the same invented article

TERMS = FEATURES.index("terms")
RANK = FEATURES.index("rank")


def synthetic(n: int, seed: int) -> list[Ranked]:
    """Questions whose answering statement has the most of feature ``terms``; ``rank`` is noise
    that the engine's own scores follow, so they rank the answer first only by chance."""
    rng = random.Random(seed)
    out = []
    for q in range(n):
        rows = [[rng.random() for _ in FEATURES] for _ in range(6)]
        answer = rng.randrange(6)
        rows[answer][TERMS] = 1.5
        out.append(
            Ranked(f"a{q % 10}", rows, [r[RANK] for r in rows], [i == answer for i in range(6)])
        )
    return out


def test_the_fit_learns_the_feature_that_tells_the_answer() -> None:
    questions = synthetic(60, 1)
    weights = fit(questions, l2=0.01, steps=150)
    assert max(range(len(FEATURES)), key=lambda j: weights[j]) == TERMS
    assert hits_at(questions, [score(q, weights) for q in questions])[0] == 60
    engine_order = hits_at(questions, [q.scores for q in questions])[0]
    assert engine_order < 30  # the noise feature: about one in six


def test_cross_validation_scores_each_article_with_weights_fitted_without_it() -> None:
    questions = synthetic(40, 2)
    # One article's answers are marked by another feature: weights fitted on the rest cannot
    # know it, so its questions must not all be ranked right (they would be if it leaked).
    odd = [q for q in questions if q.group == "a3"]
    for q in odd:
        answer = q.hits.index(True)
        q.rows[answer][TERMS] = 0.0
        q.rows[answer][RANK] = 5.0
    cv = cross_validated(questions, l2=0.01, folds=5)
    odd_scores = [cv[questions.index(q)] for q in odd]
    assert hits_at(odd, odd_scores)[0] < len(odd)
    others = [q for q in questions if q.group != "a3"]
    assert hits_at(others, [cv[questions.index(q)] for q in others])[0] >= len(others) - 2


def test_collect_records_the_speakers_statements_and_restores_the_engine(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "norland.md").write_text(ARTICLE, encoding="utf-8")
    _, engine = reindex_data_dir(corpus, tmp_path / "data")
    original = answer_module._score_statements
    item = NewsItem(
        id="t-1",
        kind="say",
        question="What did Ilves say about the deficit?",
        answers=("The deficit will shrink once the new port opens",),
        article_id="norland",
    )
    try:
        [ranked] = collect(engine, [item])
    finally:
        engine.close()
    assert answer_module._score_statements is original
    assert len(ranked.rows) == 2 and all(len(r) == len(FEATURES) for r in ranked.rows)
    assert ranked.hits.count(True) == 1
    assert ranked.scores == sorted(ranked.scores, reverse=True)
