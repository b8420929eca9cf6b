"""Answer-quality metrics, shared by ``bench.quality`` and ``newsbot eval FILE``.

A quote *hits* when a gold answer string is inside it, compared case- and whitespace-insensitively.
``answer@k`` counts a question as answered correctly when any of the first ``k`` quotes hits; a
question with no answer counts as a miss. Questions with no gold answers are *unanswerable*: any
answer to one of them is a false answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bench.common import BenchError, latency_ms
from index.errors import BadInput, NewsbotError
from index.models import Answer


def normalize(text: str) -> str:
    """Casefolded, with every run of whitespace as one space."""
    return " ".join(text.casefold().split())


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    haystack = normalize(text)
    return any(needle and needle in haystack for needle in map(normalize, answers))


def first_hit(texts: Sequence[str], answers: Sequence[str]) -> int | None:
    """1-based rank of the first text holding a gold answer, or None."""
    for rank, text in enumerate(texts, 1):
        if contains_answer(text, answers):
            return rank
    return None


@dataclass
class QuoteTally:
    """answer@1/@3 over quotes, no-answer rate, and false answers on unanswerable questions."""

    asked: int = 0
    answered: int = 0
    hit_at: dict[int, int] = field(default_factory=lambda: {1: 0, 3: 0})
    unanswerable: int = 0
    false_answers: int = 0
    errors: int = 0
    seconds: list[float] = field(default_factory=list)
    # Items exported from 👎 feedback name the quotes that were wrong: is one still given first?
    with_bad_quotes: int = 0
    bad_quote_again: int = 0

    def add(
        self,
        quotes: Sequence[str],
        gold: Sequence[str],
        seconds: float | None = None,
        bad_quotes: Sequence[str] = (),
    ) -> None:
        """One question: the quote texts returned (empty = no answer), and its gold answers."""
        if seconds is not None:
            self.seconds.append(seconds)
        if bad_quotes:
            self.with_bad_quotes += 1
            self.bad_quote_again += bool(quotes) and contains_answer(quotes[0], bad_quotes)
        if not gold:
            self.unanswerable += 1
            self.false_answers += bool(quotes)
            return
        self.asked += 1
        self.answered += bool(quotes)
        rank = first_hit(quotes, gold)
        for k in self.hit_at:
            self.hit_at[k] += rank is not None and rank <= k

    def add_answer(
        self,
        answer: Answer,
        gold: Sequence[str],
        seconds: float | None = None,
        bad_quotes: Sequence[str] = (),
    ) -> None:
        quotes = [q.text for q in answer.quotes] if answer.answered else []
        self.add(quotes, gold, seconds, bad_quotes)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"questions": self.asked}
        for k, hits in self.hit_at.items():
            out[f"answer@{k}"] = _rate(hits, self.asked)
        out["answered"] = self.answered
        out["no_answer_rate"] = _rate(self.asked - self.answered, self.asked)
        out["answer@1_when_answered"] = _rate(self.hit_at[1], self.answered)
        out["unanswerable_questions"] = self.unanswerable
        out["false_answer_rate"] = _rate(self.false_answers, self.unanswerable)
        if self.with_bad_quotes:
            out["feedback_items"] = self.with_bad_quotes
            out["bad_quote_again_rate"] = _rate(self.bad_quote_again, self.with_bad_quotes)
        if self.errors:
            out["errors"] = self.errors
        if self.seconds:
            lat = latency_ms(self.seconds)
            out["p50_ms"], out["p99_ms"] = lat["p50_ms"], lat["p99_ms"]
        return out


@dataclass
class RankTally:
    """Ranked texts (passages, sentences, paragraphs): answer-in-top-k, gold-paragraph-in-top-k
    and MRR@10 (by the first text holding a gold answer)."""

    ks: tuple[int, ...] = (1, 3, 5, 10)
    questions: int = 0
    answer_hits: dict[int, int] = field(default_factory=dict)
    gold_hits: dict[int, int] = field(default_factory=dict)
    reciprocal_ranks: float = 0.0
    seconds: list[float] = field(default_factory=list)

    def add(
        self,
        texts: Sequence[str],
        gold: Sequence[str],
        in_gold_paragraph: Sequence[bool] | None = None,
        seconds: float | None = None,
    ) -> None:
        if seconds is not None:
            self.seconds.append(seconds)
        self.questions += 1
        rank = first_hit(texts[:10], gold)
        if rank is not None:
            self.reciprocal_ranks += 1.0 / rank
        gold_rank = None
        if in_gold_paragraph is not None:
            gold_rank = next((i for i, ok in enumerate(in_gold_paragraph, 1) if ok), None)
        for k in self.ks:
            self.answer_hits[k] = self.answer_hits.get(k, 0) + (rank is not None and rank <= k)
            self.gold_hits[k] = self.gold_hits.get(k, 0) + (
                gold_rank is not None and gold_rank <= k
            )

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"questions": self.questions}
        for k in self.ks:
            out[f"answer@{k}"] = _rate(self.answer_hits.get(k, 0), self.questions)
        for k in self.ks:
            out[f"gold_paragraph@{k}"] = _rate(self.gold_hits.get(k, 0), self.questions)
        out["mrr@10"] = round(self.reciprocal_ranks / self.questions, 4) if self.questions else 0.0
        if self.seconds:
            lat = latency_ms(self.seconds)
            out["p50_ms"], out["p99_ms"] = lat["p50_ms"], lat["p99_ms"]
        return out


def _rate(part: int, whole: int) -> float | None:
    """``part / whole``; None (JSON null) when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


# ---- question files
@dataclass(frozen=True)
class EvalQuestion:
    question: str
    answers: tuple[str, ...]
    bad_quotes: tuple[str, ...] = ()  # from 👎 feedback (`newsbot feedback export`)


def read_questions(path: Path) -> list[EvalQuestion]:
    """SQuAD JSON (``.json``/``.json.gz``) or JSONL ``{"question", "answers": [...]}`` lines;
    an empty ``answers`` list marks an unanswerable question."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"No question file at '{path}'.")
    name = path.name.casefold()
    if name.endswith((".json", ".json.gz")):
        from bench.squad import load_squad

        try:
            squad = load_squad(path)
        except BenchError as err:
            raise BadInput(str(err)) from err
        return [EvalQuestion(q.text, q.answers) for q in squad.questions]
    return _read_jsonl(path)


def _read_jsonl(path: Path) -> list[EvalQuestion]:
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise BadInput(f"{path} is not UTF-8 text; save the question file as UTF-8 JSONL.") from err
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question = row["question"]
            answers = row.get("answers", [])
            if not isinstance(question, str) or not isinstance(answers, list):
                raise TypeError
            answers = [a["text"] if isinstance(a, dict) else str(a) for a in answers]
            bad = row.get("bad_quotes", [])
            if not isinstance(bad, list):
                raise TypeError
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
            raise BadInput(
                f'{path}:{n}: expected a JSON object like {{"question": "…", "answers": ["…"]}} '
                f"(answers [] for an unanswerable question)."
            ) from err
        out.append(EvalQuestion(question, tuple(answers), tuple(str(b) for b in bad)))
    if not out:
        raise BadInput(f"{path} holds no questions.")
    return out


# ---- evaluating through the service
class AskService(Protocol):
    async def ask(self, question: str, k: int | None = None) -> Answer: ...


async def evaluate_file(service: AskService, path: Path, *, limit: int | None = None) -> dict:
    """Ask every question of ``path`` through ``service.ask`` and score the answers."""
    questions = read_questions(path)
    if limit is not None:
        questions = questions[: max(limit, 0)]
    tally = QuoteTally()
    for item in questions:
        started = time.perf_counter()
        try:
            answer = await service.ask(item.question, 3)
        except NewsbotError:  # e.g. an empty line in the file: counted, not fatal
            tally.errors += 1
            continue
        tally.add_answer(answer, item.answers, time.perf_counter() - started, item.bad_quotes)
    result = tally.as_dict()
    result["file"] = str(path)
    return result
