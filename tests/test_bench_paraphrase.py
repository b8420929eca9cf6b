"""bench/paraphrase.py, the paraphrase experiment's harness: how it blends a similarity into the
ranking of a speaker's statements, and how it counts. The real encoders need torch (a scratch
venv); here a toy encoder that knows one paraphrase ("gap" ≈ "deficit") stands in, so the test
checks the harness, on an invented article, through the real engine."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

import index.answer as answer_module
from bench.paraphrase import Blend, Cached, blended, question_text, tally
from index.analyze import Analyzer
from index.engine import reindex_data_dir
from index.question import read_question

NORLAND = """---
title: 'Norland Minister Upbeat On Shipbuilding'
---

Marta Ilves, the finance minister of Norland, spoke about trade and shipbuilding on Monday.

"Our shipyards have never had so many orders for trade vessels," Ilves said.

"The deficit will shrink once the new port opens," she added.
"""
QUESTION = "What did Ilves say about the trade gap?"


def toy_encode(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors over three concepts: a shortfall (gap, deficit), ships, anything else."""
    rows = []
    for text in texts:
        words = text.casefold().replace('"', " ").replace(",", " ").split()
        row = np.array(
            [
                sum(w in {"gap", "deficit"} for w in words),
                sum(w.startswith("ship") for w in words),
                0.1,
            ],
            dtype=float,
        )
        rows.append(row / np.linalg.norm(row))
    return np.array(rows)


def test_the_blend_ranks_the_paraphrased_quote_first_and_is_undone(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "norland.md").write_text(NORLAND, encoding="utf-8")
    _, engine = reindex_data_dir(corpus, tmp_path / "data")
    try:
        before = engine.ask(QUESTION)
        assert "shipyards" in before.quotes[0].text  # lexically, "trade" wins
        original = answer_module._score_statements
        answer_module._score_statements = blended(  # type: ignore[assignment]
            Blend("toy", "topic", "quote", "add", 1.0), Cached(toy_encode)
        )
        try:
            blended_answer = engine.ask(QUESTION)
        finally:
            answer_module._score_statements = original  # type: ignore[assignment]
        assert "deficit will shrink" in blended_answer.quotes[0].text
        assert engine.ask(QUESTION).quotes[0].text == before.quotes[0].text
    finally:
        engine.close()


def test_question_variants() -> None:
    question = read_question("What did Marta Ilves say about the trade gap?", Analyzer())
    assert question_text(question, "topic") == "the trade gap"
    assert question_text(question, "no speaker") == "What did say about the trade gap?"


def test_tally_counts_hits_wins_and_losses() -> None:
    base = {"a": 1, "b": 2, "c": None, "d": 4}
    new = {"a": 2, "b": 1, "c": 1, "d": None}
    assert tally(base, new) == ["2 (+2 −1)", "3 (+1 −0)"]


def test_cached_encodes_each_text_once() -> None:
    calls: list[list[str]] = []

    def encode(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        return toy_encode(texts)

    cached = Cached(encode)
    cached(["the gap", "ships"])
    cached(["ships", "the gap", "a deficit"])
    assert calls == [["ships", "the gap"], ["a deficit"]]
