"""Real-news answer quality: the news-dev set (Reuters-21578 stories and questions written on them).

    python -m bench.news                      # both halves, per-group table
    python -m bench.news --split tune         # the half the engine is tuned on
    python -m bench.news --split report --details /tmp/news.jsonl
    python -m bench.news --questions bench/questions/news-dev-tune-extra.jsonl  # 143 more, tune
    python -m bench.news --questions bench/questions/news-dev-tune-fresh.jsonl  # 60 more, tune
    python -m bench.news --questions bench/questions/news-dev-tune-fresh16.jsonl  # 120 more, tune
    python -m bench.news --questions bench/questions/news-dev-tune-fresh17.jsonl  # 240 more, tune
    python -m bench.news --questions bench/questions/news-dev-tune-fresh18.jsonl  # 39 more, tune
    python -m bench.news --split report --single-quotations  # quotes without speaker runs

``bench.quality`` runs the same evaluation beside SQuAD and SciFact. The corpus is
``../shared/data/news-dev/articles.jsonl.gz`` (research use only: it is read from there, never
copied into the repository). Without it (a user's clone, CI's smoke run) a small invented set
(:func:`generated_news`) stands in.

**Split, fixed once** (bench/README.md): an answerable question belongs to the *tune* half when
the number in its article id is even (``reuters21578-1894``), to the *report* half when it is
odd; an unanswerable one (no article) by the number in its own id (``news-dev-017`` → report).
Questions written on one article thus never straddle the halves.

Scoring follows ``news-dev/score.py``: a quote hits when it contains an answer string (case-folded,
whitespace collapsed); hit@k counts a declined question as a miss.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from bench.common import SHARED_DATA, BenchError, latency_ms, render_table
from bench.evaluate import first_hit
from index.models import Answer

DEFAULT_NEWS = SHARED_DATA / "news-dev"
SPLITS = ("tune", "report")

Asker = Callable[[str, int], Answer]


@dataclass(frozen=True)
class NewsItem:
    id: str
    kind: str  # say / fact / none
    question: str
    answers: tuple[str, ...]
    article_id: str | None = None
    reference: str | None = None  # full name / surname / role (say)
    second_speaker: bool = False
    also_ok: tuple[str, ...] = ()
    none_kind: str | None = None  # "absent person" / "never together" (none)

    @property
    def split(self) -> str:
        """``tune`` or ``report``: by the parity of the article's number (see the module doc)."""
        key = self.article_id if self.article_id else self.id
        digits = re.findall(r"\d+", key)
        number = int(digits[-1]) if digits else sum(map(ord, key))
        return "tune" if number % 2 == 0 else "report"


@dataclass(frozen=True)
class NewsSet:
    articles: tuple[dict[str, Any], ...]
    items: tuple[NewsItem, ...]
    source: str

    def split(self, name: str | None) -> list[NewsItem]:
        if name in (None, "all"):
            return list(self.items)
        return [it for it in self.items if it.split == name]


def _item(row: dict[str, Any]) -> NewsItem:
    none_kind = None
    if row["kind"] == "none":
        none_kind = "absent person" if row.get("absent_terms") else "never together"
    return NewsItem(
        id=str(row["id"]),
        kind=str(row["kind"]),
        question=str(row["question"]),
        answers=tuple(row.get("answers") or ()),
        article_id=row.get("article_id"),
        reference=row.get("reference"),
        second_speaker=bool(row.get("second_speaker")),
        also_ok=tuple(row.get("also_ok") or ()),
        none_kind=none_kind,
    )


def load_news(folder: Path = DEFAULT_NEWS, questions: Path | None = None) -> NewsSet:
    """The news-dev set; ``questions``: another question file over its articles (such as
    ``bench/questions/news-dev-tune-extra.jsonl``)."""
    folder = Path(folder)
    articles_path = folder / "articles.jsonl.gz"
    questions_path = questions if questions is not None else folder / "questions.jsonl"
    if questions is not None and not questions_path.is_file():
        raise BenchError(f"No question file at {questions}.")
    if not articles_path.is_file() or not questions_path.is_file():
        raise BenchError(
            f"No news-dev set at {folder} (articles.jsonl.gz, questions.jsonl). "
            "Pass --news DIR, or --no-news to skip it."
        )
    try:
        with gzip.open(articles_path, "rt", encoding="utf-8") as handle:
            articles = tuple(json.loads(line) for line in handle if line.strip())
        rows = [
            json.loads(line)
            for line in questions_path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        items = tuple(_item(row) for row in rows)
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as err:
        raise BenchError(f"{folder} is not a readable news-dev set ({err}).") from err
    return NewsSet(articles, items, source=str(folder))


def write_corpus(articles: Iterable[dict[str, Any]], path: Path) -> Path:
    """The articles as one ``.jsonl`` corpus file, with the fields the engine reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    keep = ("id", "title", "text", "publisher", "published", "url", "author")
    with path.open("w", encoding="utf-8") as out:
        for article in articles:
            line = {k: article[k] for k in keep if article.get(k) is not None}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


# ---- scoring
@dataclass
class Group:
    n: int = 0
    answered: int = 0
    hit1: int = 0
    hit3: int = 0
    article1: int = 0

    def as_dict(self, answerable: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"n": self.n}
        if not self.n:
            return out
        if answerable:
            out["hit@1"] = round(self.hit1 / self.n, 4)
            out["hit@3"] = round(self.hit3 / self.n, 4)
            out["declined"] = round((self.n - self.answered) / self.n, 4)
            out["article@1"] = round(self.article1 / self.n, 4)
        else:
            out["declined"] = round((self.n - self.answered) / self.n, 4)
            out["false_answers"] = round(self.answered / self.n, 4)
        return out


@dataclass
class NewsTally:
    groups: dict[str, Group] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def add(self, item: NewsItem, answer: Answer, seconds: float, title_of: dict[str, str]) -> None:
        self.seconds.append(seconds)
        quotes = list(answer.quotes) if answer.answered else []
        rank = first_hit([q.text for q in quotes], item.answers) if item.answers else None
        right_article = False
        if quotes and item.article_id:
            source = quotes[0].source
            right_article = source.article_id == item.article_id or (
                title_of.get(source.article_id, source.title) in item.also_ok
            )
        for name in group_names(item):
            g = self.groups.setdefault(name, Group())
            g.n += 1
            g.answered += bool(quotes)
            g.hit1 += rank == 1
            g.hit3 += rank is not None and rank <= 3
            g.article1 += right_article
        self.rows.append(
            {
                "id": item.id,
                "split": item.split,
                "kind": item.kind,
                "question": item.question,
                "answered": bool(quotes),
                "rank": rank,
                "article@1": right_article,
                "reason": answer.reason,
                "quotes": [
                    {
                        "text": q.text[:400],
                        "speaker": q.speaker,
                        "article_id": q.source.article_id,
                        "speech": getattr(q, "speech", None),
                    }
                    for q in quotes
                ],
            }
        )

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            name: g.as_dict(not name.startswith("none")) for name, g in self.groups.items()
        }
        if self.seconds:
            out["latency"] = latency_ms(self.seconds)
        return out


ANSWERABLE_ORDER = (
    "all answerable",
    "say",
    "say, reference: full name",
    "say, reference: surname",
    "say, reference: role",
    "say, second speaker quoted",
    "say, one speaker",
    "fact",
)
NONE_ORDER = ("none", "none: absent person", "none: never together")


def group_names(item: NewsItem) -> list[str]:
    if item.kind == "none":
        return ["none", f"none: {item.none_kind}"]
    names = ["all answerable", item.kind]
    if item.kind == "say":
        names.append(f"say, reference: {item.reference or '?'}")
        names.append("say, second speaker quoted" if item.second_speaker else "say, one speaker")
    return names


def evaluate_news(
    ask: Asker, items: Sequence[NewsItem], articles: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Ask every item once (first pass, distinct questions) and tally it by group."""
    title_of = {str(a["id"]): str(a["title"]) for a in articles}
    tally = NewsTally()
    for item in items:
        started = time.perf_counter()
        answer = ask(item.question, 3)
        tally.add(item, answer, time.perf_counter() - started, title_of)
    return {"groups": tally.as_dict(), "rows": tally.rows}


def news_table(groups: dict[str, Any]) -> str:
    rows = []
    for name in ANSWERABLE_ORDER:
        g = groups.get(name)
        if g and g["n"]:
            rows.append([name, g["n"], g["hit@1"], g["hit@3"], g["declined"], g["article@1"]])
    table = render_table(
        ["items", "n", "hit@1", "hit@3", "declined (false no-answer)", "right article@1"], rows
    )
    none_rows = []
    for name in NONE_ORDER:
        g = groups.get(name)
        if g and g["n"]:
            none_rows.append([name, g["n"], g["declined"], g["false_answers"]])
    if none_rows:
        table += "\n\n" + render_table(
            ["unanswerable items", "n", "declined (correct)", "false answers"], none_rows
        )
    return table


# ---- a generated stand-in (invented articles), for smoke runs without ../shared
_GENERATED_ARTICLES: tuple[dict[str, Any], ...] = (
    {
        "id": "gen-news-1",
        "title": "Harbour Authority Delays Quay Expansion",
        "published": "2021-04-02",
        "text": (
            "The Port of Brackenford will delay the expansion of its north quay by a year, its "
            "director, Amara Okafor, said on Friday.\n\n"
            "“We would rather open late than open a quay that floods every spring,” Okafor told "
            "reporters. “The tides of last winter changed our plans.”\n\n"
            "The project will now cost 48 million euros, the authority said.\n\n"
            "Bogdan Novak, who chairs the local fishermen’s union, welcomed the delay. “Our boats "
            "need the old slipway for one more season,” he said."
        ),
    },
    {
        "id": "gen-news-2",
        "title": "Glassworks Cuts Jobs As Energy Prices Soar",
        "published": "2022-09-14",
        "text": (
            "Tarnwick Glass will cut 300 jobs at its furnace plant, the company announced on "
            "Wednesday.\n\n"
            "“Gas now costs us four times what it did a year ago,” said Chiara Ferrante, the "
            "company’s chief executive. “No furnace can run at a loss for long.”\n\n"
            "The plant in Tarnwick employs 1,200 people and was founded in 1911.\n\n"
            "The regional minister, Dmitri Volkov, said the government would not bail the "
            "company out."
        ),
    },
)
_GENERATED_ITEMS: tuple[dict[str, Any], ...] = (
    {
        "id": "gen-01",
        "kind": "say",
        "question": "What did Okafor say about opening the quay?",
        "answers": ["We would rather open late than open a quay that floods"],
        "article_id": "gen-news-1",
        "reference": "surname",
        "second_speaker": True,
    },
    {
        "id": "gen-02",
        "kind": "say",
        "question": "How did the port director explain the delay?",
        "answers": ["The tides of last winter changed our plans"],
        "article_id": "gen-news-1",
        "reference": "role",
    },
    {
        "id": "gen-03",
        "kind": "say",
        "question": "What did Chiara Ferrante say about gas prices?",
        "answers": ["Gas now costs us four times what it did a year ago"],
        "article_id": "gen-news-2",
        "reference": "full name",
    },
    {
        "id": "gen-04",
        "kind": "say",
        "question": "What did the fishermen's union chairman say about the slipway?",
        "answers": ["Our boats need the old slipway for one more season"],
        "article_id": "gen-news-1",
        "reference": "role",
        "second_speaker": True,
    },
    {
        "id": "gen-05",
        "kind": "fact",
        "question": "How many jobs will Tarnwick Glass cut?",
        "answers": ["300 jobs"],
        "article_id": "gen-news-2",
    },
    {
        "id": "gen-06",
        "kind": "fact",
        "question": "How much will the quay expansion cost?",
        "answers": ["48 million euros"],
        "article_id": "gen-news-1",
    },
    {
        "id": "gen-07",
        "kind": "none",
        "question": "What did Greta Marsh say about the glassworks?",
        "answers": [],
        "absent_terms": ["Greta Marsh"],
    },
    {
        "id": "gen-08",
        "kind": "none",
        "question": "What did Dmitri Volkov say about the quay?",
        "answers": [],
        "person": "Volkov",
        "topic": "quay",
    },
)


def generated_news() -> NewsSet:
    """A small invented news set (two articles, eight questions) for smoke runs."""
    return NewsSet(
        _GENERATED_ARTICLES,
        tuple(_item(row) for row in _GENERATED_ITEMS),
        source="generated (bench/news.py)",
    )


# ---- command line
def run_news(
    news: NewsSet,
    workdir: Path,
    split: str | None,
    make_asker: Callable[[Any], Asker] | None = None,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Index ``news`` into ``workdir`` with the real engine and evaluate ``split``."""
    from bench.quality import build_engine
    from index.engine import EngineConfig

    built = build_engine(
        lambda d: write_corpus(news.articles, d / "news.jsonl"), workdir, EngineConfig()
    )
    say(
        f"news: {built.report.articles:,} articles → {built.report.passages:,} passages in "
        f"{built.seconds:.1f} s"
    )
    ask = make_asker(built.engine) if make_asker else (lambda q, k: built.engine.ask(q, k))
    results: dict[str, Any] = {"source": news.source, "articles": built.report.articles}
    for name in SPLITS if split in (None, "all") else (split,):
        items = news.split(name)
        if not items:
            continue
        results[name] = evaluate_news(ask, items, news.articles)
    built.engine.close()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.news", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS, help="the news-dev folder")
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--details", type=Path, help="write one JSON line per question here")
    parser.add_argument("--generated", action="store_true", help="the invented stand-in set")
    parser.add_argument(
        "--questions", type=Path, help="another question file over news-dev's articles"
    )
    parser.add_argument(
        "--single-quotations",
        action="store_true",
        help="cut each quote to its one quotation, without the rest of its speaker's run",
    )
    args = parser.parse_args(argv)
    try:
        news = generated_news() if args.generated else load_news(args.news, args.questions)
    except BenchError as err:
        print(f"bench.news: {err}", file=sys.stderr)
        return 2
    # (--single-quotations tells what the speaker runs of index/choose.py add to the figures from
    # what the ranking adds; it replaces the run with the quotation itself, in this process only)
    runs = (
        mock.patch(
            "index.choose._run_of", lambda _cand, quotation: (quotation.start, quotation.end)
        )
        if args.single_quotations
        else contextlib.nullcontext()
    )
    with tempfile.TemporaryDirectory(prefix="newsbot-news-") as tmp, runs:
        results = run_news(news, Path(tmp), args.split)
    rows: list[dict[str, Any]] = []
    for name in SPLITS:
        if name in results:
            print(f"\nnews-dev, {name} half:")
            print(news_table(results[name]["groups"]))
            rows += results[name]["rows"]
    if args.details:
        with args.details.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
