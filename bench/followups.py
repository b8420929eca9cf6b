"""Follow-up benchmark: two- and three-turn conversations, each follow-up scored like a single
question (hit@1), with the conversation and without it (the same words asked alone).

    python -m bench.followups            # news-dev (../shared/data/news-dev), 46 conversations
    python -m bench.followups --smoke    # the bundled corpus and a few conversations (CI)

A conversation file holds one conversation a line:
``{"id", "article_id", "turns": [{"ask", "form", "answers": [...]}, ...]}``. The first turn is an
ordinary question; each later one is a follow-up of a ``form``: ``more`` ("What else did he
say?"), ``pronoun`` ("What did he say about X?"), ``role`` ("the minister"), ``ellipsis`` ("And
about X?"), ``speaker`` ("Who said that?"), ``source`` ("Where is that from?"), ``new person``
(names someone else: needs no context). A turn *hits* when its answer's first quote (for a reply
such as "Who said that?", the reply) contains one of ``answers``, compared case- and
whitespace-insensitively, as bench/evaluate.py compares.

Every question goes through ``NewsService.ask`` (with ``conversation=`` for the in-context run),
the path the bot, the CLI and the API take. The conversation file over news-dev holds questions
and short answer substrings only; it lives in ``bench/conversations/``, which is not package data.
Ids are split in two halves (odd: dev, even: test) so a rule tuned on one half can be checked on
the other.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT, SHARED_DATA, BenchError, render_table, write_results
from bench.evaluate import contains_answer
from bot.service import NewsService
from bot.settings import Settings
from index.models import Answer

NEWS_DEV = SHARED_DATA / "news-dev"
CONVERSATIONS = REPO_ROOT / "bench" / "conversations" / "news-dev.jsonl"

# The smoke conversations run on the bundled corpus (our own articles), so CI needs no ../shared.
SMOKE = [
    {
        "id": "smoke-1",
        "turns": [
            {"ask": "What did Lukashenko tell Li Zhanshu?", "form": "first",
             "answers": ["foreign policy priority for us"]},
            {"ask": "What else did he say?", "form": "more",
             "answers": ["necessary efforts for a fruitful development"]},
            {"ask": "Who said that?", "form": "speaker", "answers": ["Lukashenko"]},
        ],
    },
    {
        "id": "smoke-2",
        "turns": [
            {"ask": "What did Lukashenko tell Li Zhanshu?", "form": "first",
             "answers": ["foreign policy priority for us"]},
            {"ask": "Where is that from?", "form": "source",
             "answers": ["Belarus and China Plan on Increasing Ties"]},
        ],
    },
    {
        "id": "smoke-3",
        "turns": [
            {"ask": "Who congratulated Lukashenko on his re-election?", "form": "first",
             "answers": ["China was one of the first countries to congratulate"]},
            {"ask": "What did he say about the partnership?", "form": "pronoun",
             "answers": ["a comprehensive strategic partnership", "fruitful development of our partnership"]},
        ],
    },
]  # fmt: skip


@dataclass
class Tally:
    turns: int = 0
    hits: int = 0
    answered: int = 0
    seconds: list[float] = field(default_factory=list)

    def add(self, hit: bool, answered: bool, seconds: float) -> None:
        self.turns += 1
        self.hits += hit
        self.answered += answered
        self.seconds.append(seconds)

    @property
    def hit_at_1(self) -> float | None:
        return round(self.hits / self.turns, 3) if self.turns else None


def shown_text(answer: Answer) -> str:
    """What a turn is scored on: the reply for "Who said that?"-like turns, else quote 1."""
    if not answer.answered:
        return ""
    if answer.reply and answer.kind not in {"quotes", "more"}:
        return answer.reply
    return answer.quotes[0].text if answer.quotes else ""


def load_conversations(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise BenchError(f"No conversation file at {path}.")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        if len(row.get("turns", [])) < 2:
            raise BenchError(f"{path}: conversation {row.get('id')} has fewer than two turns.")
    return rows


def prepare_corpus(news_dev: Path, target: Path) -> Path:
    """news-dev's articles as one .jsonl file in a corpus dir the reader takes."""
    source = news_dev / "articles.jsonl.gz"
    if not source.is_file():
        raise BenchError(
            f"news-dev not found at {news_dev} (needs articles.jsonl.gz). Pass --news-dev DIR, "
            "or run --smoke on the bundled corpus."
        )
    target.mkdir(parents=True, exist_ok=True)
    with gzip.open(source, "rb") as src, open(target / "articles.jsonl", "wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


async def run(
    corpus: Path, data: Path, conversations: list[dict[str, Any]], engine: str
) -> dict[str, Any]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        corpus_dir=corpus,
        data_dir=data,
        engine=engine,
        reindex_in_process=False,
    )
    service = NewsService(settings)
    started = time.perf_counter()
    await service.start()
    build_seconds = time.perf_counter() - started
    by: dict[tuple[str, str], Tally] = defaultdict(Tally)  # (mode, form | split | "all")
    first = Tally()
    misses: list[dict[str, Any]] = []
    try:
        for n, conversation in enumerate(conversations):
            split = "dev" if n % 2 == 0 else "test"
            key = f"bench:{conversation['id']}"
            for i, turn in enumerate(conversation["turns"]):
                for mode in ("context", "alone"):
                    if i == 0 and mode == "alone":
                        continue  # the first turn is the same either way
                    t0 = time.perf_counter()
                    answer = await service.ask(
                        turn["ask"], conversation=key if mode == "context" else None
                    )
                    seconds = time.perf_counter() - t0
                    hit = contains_answer(shown_text(answer), turn["answers"])
                    if i == 0:
                        first.add(hit, answer.answered, seconds)
                        continue
                    for group in (turn["form"], split, "all"):
                        by[(mode, group)].add(hit, answer.answered, seconds)
                    if mode == "context" and not hit:
                        misses.append(
                            {
                                "id": conversation["id"],
                                "form": turn["form"],
                                "ask": turn["ask"],
                                "read_as": answer.read_as,
                                "got": shown_text(answer)[:160] or answer.reason,
                            }
                        )
    finally:
        await service.close()
    groups = sorted({g for _, g in by}, key=lambda g: (g in {"all", "dev", "test"}, g))
    table = []
    for group in groups:
        with_context, alone = by[("context", group)], by[("alone", group)]
        table.append(
            {
                "group": group,
                "follow_ups": with_context.turns,
                "hit@1_context": with_context.hit_at_1,
                "hit@1_alone": alone.hit_at_1,
                "answered_context": with_context.answered,
                "answered_alone": alone.answered,
            }
        )
    every = by[("context", "all")].seconds + by[("alone", "all")].seconds
    return {
        "conversations": len(conversations),
        "first_turn_hit@1": first.hit_at_1,
        "table": table,
        "p50_ms_context": _p50(by[("context", "all")].seconds),
        "p50_ms_alone": _p50(by[("alone", "all")].seconds),
        "p50_ms_all": _p50(every),
        "build_seconds": round(build_seconds, 2),
        "misses": misses,
    }


def _p50(seconds: list[float]) -> float | None:
    return round(statistics.median(seconds) * 1000, 2) if seconds else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.followups", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="bundled corpus, no ../shared")
    parser.add_argument("--news-dev", type=Path, default=NEWS_DEV, help="the news-dev folder")
    parser.add_argument("--conversations", type=Path, default=CONVERSATIONS)
    parser.add_argument("--engine", choices=["tantivy", "rank-bm25"], default="tantivy")
    parser.add_argument("--show-misses", action="store_true", help="list follow-ups missed")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsbot-followups-") as tmp:
        root = Path(tmp)
        try:
            if args.smoke:
                corpus, conversations = REPO_ROOT / "corpus", SMOKE
            else:
                conversations = load_conversations(args.conversations)
                corpus = prepare_corpus(args.news_dev, root / "corpus")
        except BenchError as err:
            print(f"bench.followups: {err}", file=sys.stderr)
            return 2
        result = asyncio.run(run(corpus, root / "data", conversations, args.engine))
    result["data"] = "bundled corpus (smoke)" if args.smoke else str(args.conversations)
    print(
        f"{result['conversations']} conversations, "
        f"{next((r['follow_ups'] for r in result['table'] if r['group'] == 'all'), 0)} follow-ups "
        f"({result['data']}); first turns hit@1 {result['first_turn_hit@1']}"
    )
    print(
        render_table(
            [
                "follow-ups",
                "n",
                "hit@1 in conversation",
                "hit@1 asked alone",
                "answered (conv/alone)",
            ],
            [
                [
                    row["group"],
                    row["follow_ups"],
                    row["hit@1_context"],
                    row["hit@1_alone"],
                    f"{row['answered_context']}/{row['answered_alone']}",
                ]
                for row in result["table"]
            ],
        )
    )
    print(
        f"p50 per follow-up: {result['p50_ms_context']} ms in conversation, "
        f"{result['p50_ms_alone']} ms alone (index built in {result['build_seconds']} s)"
    )
    if args.show_misses:
        for miss in result["misses"]:
            print(
                f"  miss {miss['id']} [{miss['form']}] {miss['ask']!r} → {miss['read_as']!r}: {miss['got']!r}"
            )
    path = write_results("followups-smoke" if args.smoke else "followups", result)
    print(f"full results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
