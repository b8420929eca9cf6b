"""The 👍/👎 log, read back: the latest 👎 for admins, right answers they supply, eval items.

Votes are appended to ``feedback.jsonl`` in the data dir by ``NewsService.record_feedback``.
Answers an admin supplies for a 👎 go to ``feedback-answers.jsonl`` beside it (appended and
fsynced the same way), so the vote log itself is never rewritten.

``export`` turns the 👎 into eval items that ``newsbot eval`` reads: one line per question,
``{"question", "answers", "bad_quotes", …}``; ``answers`` is ``[]`` (the answer given was wrong and
no right one is known: any answer counts as a false answer) or what an admin supplied.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from index.errors import BadInput, NotFound
from index.models import Feedback, FeedbackAnswer

log = logging.getLogger(__name__)

VOTES = "feedback.jsonl"
ANSWERS = "feedback-answers.jsonl"


class FeedbackLog:
    def __init__(self, data_dir: Path) -> None:
        self.votes_path = Path(data_dir) / VOTES
        self.answers_path = Path(data_dir) / ANSWERS

    # ---- reading
    def votes(self) -> list[Feedback]:
        """Every vote, oldest first. A line that cannot be read is skipped (and logged); a vote
        stored before votes had ids gets one from its content."""
        out = []
        for n, line in enumerate(_lines(self.votes_path), 1):
            try:
                vote = Feedback.model_validate_json(line)
            except ValidationError:
                log.warning("%s:%d is not a vote; skipped", self.votes_path, n)
                continue
            if vote.id is None:
                vote = vote.model_copy(
                    update={"id": hashlib.sha256(line.encode()).hexdigest()[:12]}
                )
            out.append(vote)
        return out

    def supplied(self) -> dict[str, tuple[str, ...]]:
        """feedback id → the right answers an admin supplied (the latest supply wins)."""
        out: dict[str, tuple[str, ...]] = {}
        for line in _lines(self.answers_path):
            try:
                item = FeedbackAnswer.model_validate_json(line)
            except ValidationError:
                continue
            out[item.feedback_id] = item.answers
        return out

    def latest(self, vote: str = "down", limit: int = 5) -> list[Feedback]:
        """The latest votes of one kind, newest first."""
        return [v for v in reversed(self.votes()) if v.vote == vote][:limit]

    def counts(self) -> dict[str, int]:
        votes = self.votes()
        return {kind: sum(v.vote == kind for v in votes) for kind in ("up", "down")}

    # ---- an admin supplies the right answer
    def supply(self, feedback_id: str, answer: str, at: str) -> FeedbackAnswer:
        answer = " ".join(answer.split())
        if not answer:
            raise BadInput("Give the right answer: a few words the correct quote contains.")
        if len(answer) > 500:
            raise BadInput("The answer is over 500 characters; give the words that matter.")
        if not any(v.id == feedback_id and v.vote == "down" for v in self.votes()):
            raise NotFound(
                f"No 👎 has the id ‘{feedback_id[:40]}’. `newsbot feedback list` (or /feedback "
                "latest) shows the ids."
            )
        item = FeedbackAnswer(feedback_id=feedback_id, answers=(answer,), at=at)
        _append(self.answers_path, item.model_dump_json())
        return item

    # ---- eval items
    def eval_items(self) -> list[dict[str, Any]]:
        """One item per 👎'd question (the question as it was read, for a follow-up), oldest
        first: the quotes shown as ``bad_quotes``, and the right answers if an admin gave any."""
        supplied = self.supplied()
        items: dict[str, dict[str, Any]] = {}
        for vote in self.votes():
            if vote.vote != "down":
                continue
            item = items.setdefault(
                vote.question.casefold().strip(),
                {
                    "question": vote.question,
                    "answers": [],
                    "bad_quotes": [],
                    "bad_passages": [],
                    "feedback_ids": [],
                },
            )
            for quote in vote.quotes:
                if quote.text not in item["bad_quotes"]:
                    item["bad_quotes"].append(quote.text)
            for passage in vote.passage_ids:
                if passage not in item["bad_passages"]:
                    item["bad_passages"].append(passage)
            item["feedback_ids"].append(vote.id)
            for answer in supplied.get(vote.id or "", ()):
                if answer not in item["answers"]:
                    item["answers"].append(answer)
        return list(items.values())

    def export(self, target: Path) -> int:
        """Write the eval items as JSONL (atomically); returns how many."""
        items = self.eval_items()
        text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
        target = Path(target)
        tmp = target.with_name(target.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(target)
        return len(items)

    # ---- async faces for the adapters (the files are read off the event loop)
    async def latest_async(self, vote: str = "down", limit: int = 5) -> list[Feedback]:
        return await asyncio.to_thread(self.latest, vote, limit)

    async def supply_async(self, feedback_id: str, answer: str, at: str) -> FeedbackAnswer:
        return await asyncio.to_thread(self.supply, feedback_id, answer, at)


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    return [line for line in text.splitlines() if line.strip()]


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
