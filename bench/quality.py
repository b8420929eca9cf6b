"""Answer quality: the engine against rank_bm25 baselines, on news-dev, SQuAD v1.1 dev and SciFact.

    python -m bench.quality                       # the report halves (news-dev, SQuAD, SciFact)
    python -m bench.quality --split tune          # the halves tuning is done on
    python -m bench.quality --smoke               # a few articles, ~100 questions: seconds
    python -m bench.quality --sweep-chunking --limit 2000
    python -m bench.quality --sweep-threshold

Each set is split once into a *tune* and a *report* half (bench/README.md): weights and rules are
chosen on the tune halves; the README reports the report halves. The corpus is written as a
``.jsonl`` file and indexed with the real engine (``reindex_data_dir``); questions go through
``Engine.ask`` (quotes) and ``Engine.search`` (passages). The baselines run over the same
articles in the same process. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from bench.baselines import BASELINES, BM25Ranker, analyzer_tokens, run_named_baseline
from bench.common import BenchError, machine, render_table, write_results
from bench.evaluate import QuoteTally, RankTally, contains_answer
from bench.news import DEFAULT_NEWS, NewsSet, evaluate_news, generated_news, load_news, news_table
from bench.news import write_corpus as write_news_corpus
from bench.scifact import (
    DEFAULT_SCIFACT,
    RetrievalSet,
    load_scifact,
    ndcg_at_k,
    recall_at_k,
    retrieval_from_squad,
)
from bench.scifact import write_corpus as write_scifact_corpus
from bench.squad import (
    DEFAULT_SQUAD,
    SquadArticle,
    SquadQuestion,
    SquadSet,
    generated_squad,
    generated_unanswerable,
    load_squad,
    write_corpus,
)
from index.answer import Weights
from index.engine import Engine, EngineConfig, reindex_data_dir
from index.errors import BadInput
from index.models import Answer, ReindexReport, SearchHit
from index.passages import ChunkConfig

UNANSWERABLE = Path(__file__).with_name("unanswerable_squad.jsonl")
SMOKE_ARTICLES, SMOKE_QUESTIONS = 3, 100
SWEEP_LIMIT = 2000
CHUNKING_GRID = [
    ChunkConfig(max_words=w, overlap=o, cross_paragraphs=x)
    for w in (60, 80, 120, 160, 200)
    for o in (0, 1)
    for x in (True, False)
]

Asker = Callable[[str, int], Answer]


# ---- building the engine over a corpus
@dataclass
class Built:
    engine: Engine
    report: ReindexReport
    seconds: float


def build_engine(write: Callable[[Path], Path], workdir: Path, config: EngineConfig) -> Built:
    """Write a corpus with ``write(corpus_dir / name)`` and index it into a fresh data dir."""
    corpus_dir = workdir / "corpus"
    corpus_dir.mkdir(parents=True, exist_ok=True)
    write(corpus_dir)
    started = time.perf_counter()
    report, engine = reindex_data_dir(corpus_dir, workdir / "data", config=config, full=True)
    seconds = time.perf_counter() - started
    if not report.articles:
        reason = report.skipped[0].reason if report.skipped else "no articles"
        raise BenchError(f"The engine indexed nothing from {corpus_dir} ({reason}).")
    return Built(engine, report, seconds)


def asker(engine: Engine, weights: Weights | None) -> Asker:
    """``Engine.ask``, or the same answer path with other scoring weights (for tuning)."""
    if weights is None:
        return lambda question, k: engine.ask(question, k)
    tuned = Engine(  # the same open index, scored with other weights
        replace(engine.config, weights=weights),
        engine.gen,
        engine.store,
        engine.backend,
        needs_build=False,
    )
    return lambda question, k: tuned.ask(question, k)


def safe_search(engine: Engine, query: str, k: int) -> list[SearchHit]:
    try:
        return engine.search(query, k)
    except BadInput:  # a question with no searchable words
        return []


class ArticleIndex:
    """Maps the engine's article ids back to the benchmark's articles (by id, else by title)."""

    def __init__(self, engine: Engine, articles: Sequence[SquadArticle]) -> None:
        by_id = {a.id: i for i, a in enumerate(articles)}
        by_title = {a.title: i for i, a in enumerate(articles)}
        self.articles = articles
        self.index: dict[str, int] = {}
        for summary in engine.articles():
            found = by_id.get(summary.id, by_title.get(summary.title))
            if found is not None:
                self.index[summary.id] = found

    def in_paragraph(self, hit: SearchHit, article: int, paragraph: int) -> bool:
        """Whether the passage overlaps the given paragraph of the given article."""
        if self.index.get(hit.source.article_id) != article:
            return False
        text = self.articles[article].text
        start, end = hit.start, hit.end
        if text[start:end] != hit.text:  # the reader changed the text: find the passage instead
            start = text.find(hit.text)
            if start < 0:
                return False
            end = start + len(hit.text)
        p_start, p_end = self.articles[article].paragraph_spans[paragraph]
        return start < p_end and p_start < end


# ---- SQuAD with the engine
def evaluate_engine(
    built: Built,
    squad: SquadSet,
    questions: Sequence[SquadQuestion],
    unanswerable: Sequence[tuple[str, str]],
    weights: Weights | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    ask = asker(built.engine, weights)
    lookup = ArticleIndex(built.engine, squad.articles)
    quotes, passages = QuoteTally(), RankTally()
    for n, question in enumerate(questions, 1):
        started = time.perf_counter()
        answer = ask(question.text, 3)
        quotes.add_answer(answer, question.answers, time.perf_counter() - started)
        started = time.perf_counter()
        hits = safe_search(built.engine, question.text, 10)
        elapsed = time.perf_counter() - started
        passages.add(
            [h.text for h in hits],
            question.answers,
            [lookup.in_paragraph(h, question.article, question.paragraph) for h in hits],
            seconds=elapsed,
        )
        if progress and n % 1000 == 0:
            progress(f"  asked {n:,}/{len(questions):,}")
    by_kind: dict[str, list[int]] = {}
    for question, kind in unanswerable:
        answer = ask(question, 3)
        quotes.add_answer(answer, ())
        by_kind.setdefault(kind, []).append(int(answer.answered))
    return {
        "quotes": quotes.as_dict(),
        "false_answer_rate_by_kind": {k: _ratio(sum(v), len(v)) for k, v in by_kind.items()},
        "passages": passages.as_dict(),
        "articles": built.report.articles,
        "skipped": [f"{p.path}: {p.reason}" for p in built.report.skipped],
        "passages_indexed": built.report.passages,
        "build_seconds": round(built.seconds, 3),
    }


def read_unanswerable(path: Path) -> list[tuple[str, str]]:
    """(question, kind) for every question of ``path`` with no gold answer."""
    from bench.evaluate import read_questions

    try:
        items = read_questions(path)
    except BadInput as err:
        raise BenchError(str(err)) from err
    kinds = {}
    if path.suffix == ".jsonl":  # read_questions has checked every line already
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                kinds[row["question"]] = str(row.get("kind", "unanswerable"))
    return [(q.question, kinds.get(q.question, "unanswerable")) for q in items if not q.answers]


# ---- SciFact
def evaluate_retrieval(
    data: RetrievalSet, config: EngineConfig, workdir: Path, baseline: bool = True
) -> dict[str, Any]:
    """nDCG@10 and R@100 of the engine (a document scores as its best passage) and, in the same
    run, of BM25Okapi over the analyzer's tokens of whole documents."""
    built = build_engine(
        lambda d: write_scifact_corpus(data.documents, d / "scifact.jsonl"), workdir, config
    )
    ours_ndcg, ours_recall, ours_latency = [], [], []
    for query_id, query in data.queries.items():
        started = time.perf_counter()
        hits = safe_search(built.engine, query, 200)
        ours_latency.append(time.perf_counter() - started)
        ranked = list(dict.fromkeys(h.source.article_id for h in hits))  # best passage first
        ours_ndcg.append(ndcg_at_k(ranked, data.qrels[query_id]))
        ours_recall.append(recall_at_k(ranked, data.qrels[query_id], 100))
    result: dict[str, Any] = {
        "queries": len(data.queries),
        "documents": len(data.documents),
        "ours": {
            "ndcg@10": round(_mean(ours_ndcg), 4),
            "recall@100": round(_mean(ours_recall), 4),
            "passages": built.report.passages,
            "skipped": len(built.report.skipped),
            "build_seconds": round(built.seconds, 3),
            "p50_ms": round(sorted(ours_latency)[len(ours_latency) // 2] * 1000, 3),
        },
    }
    built.engine.close()
    if baseline:
        ranker = BM25Ranker([d.full_text for d in data.documents], analyzer_tokens())
        base_ndcg, base_recall = [], []
        for query_id, query in data.queries.items():
            ranked = [data.documents[i].id for i in ranker.top(query, 100)]
            base_ndcg.append(ndcg_at_k(ranked, data.qrels[query_id]))
            base_recall.append(recall_at_k(ranked, data.qrels[query_id], 100))
        result["rank_bm25 documents, analyzer"] = {
            "ndcg@10": round(_mean(base_ndcg), 4),
            "recall@100": round(_mean(base_recall), 4),
            "build_seconds": round(ranker.build_seconds, 3),
        }
    return result


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


# ---- sweeps
def sweep_chunking(
    squad: SquadSet,
    questions: Sequence[SquadQuestion],
    unanswerable: Sequence[tuple[str, str]],
    retrieval: RetrievalSet | None,
    configs: Sequence[ChunkConfig],
    weights: Weights | None,
    say: Callable[[str], None],
) -> list[dict[str, Any]]:
    rows = []
    for chunking in configs:
        config = EngineConfig(chunking=chunking)
        with tempfile.TemporaryDirectory(prefix="newsbot-sweep-") as tmp:
            built = build_engine(
                lambda d: write_corpus(squad.articles, d / "squad.jsonl"), Path(tmp), config
            )
            result = evaluate_engine(built, squad, questions, unanswerable, weights)
            built.engine.close()
            row = {"chunking": chunking.fingerprint, **_chunk_fields(chunking), **result}
            if retrieval is not None:
                scifact = evaluate_retrieval(retrieval, config, Path(tmp) / "sf", baseline=False)
                row["scifact_ndcg@10"] = scifact["ours"]["ndcg@10"]
        rows.append(row)
        q, p = row["quotes"], row["passages"]
        say(
            f"  {chunking.fingerprint:>10}: answer@1 {q['answer@1']:.3f} @3 {q['answer@3']:.3f} "
            f"passage@1 {p['answer@1']:.3f} @5 {p['answer@5']:.3f} "
            f"no-answer {q['no_answer_rate']:.3f} false {q['false_answer_rate']:.3f}"
        )
    return rows


def _chunk_fields(chunking: ChunkConfig) -> dict[str, Any]:
    return {
        "max_words": chunking.max_words,
        "overlap": chunking.overlap,
        "cross_paragraphs": chunking.cross_paragraphs,
    }


def sweep_threshold(
    built: Built,
    questions: Sequence[SquadQuestion],
    unanswerable: Sequence[tuple[str, str]],
    weights: Weights,
    thresholds: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Answer everything with the threshold off, then replay each threshold on the top scores."""
    ask = asker(built.engine, replace(weights, threshold=-math.inf))
    answerable: list[tuple[float | None, bool]] = []  # (top score, first quote hits)
    for question in questions:
        answer = ask(question.text, 3)
        top = answer.quotes[0] if answer.answered and answer.quotes else None
        hit = top is not None and contains_answer(top.text, question.answers)
        answerable.append((top.score if top else None, hit))
    negatives = []
    for question, _kind in unanswerable:
        answer = ask(question, 3)
        negatives.append(answer.quotes[0].score if answer.answered and answer.quotes else None)
    if thresholds is None:
        thresholds = [round(0.1 * i, 2) for i in range(0, 26)]
        thresholds = sorted(set(thresholds) | {weights.threshold})
    rows = []
    for t in thresholds:
        answered = [hit for score, hit in answerable if score is not None and score >= t]
        false = [s for s in negatives if s is not None and s >= t]
        rows.append(
            {
                "threshold": t,
                "answered_rate": _ratio(len(answered), len(answerable)),
                "answer@1": _ratio(sum(answered), len(answerable)),
                "answer@1_when_answered": _ratio(sum(answered), len(answered)),
                "false_answer_rate": _ratio(len(false), len(negatives)),
            }
        )
    return {
        "current_threshold": weights.threshold,
        "answerable": len(answerable),
        "unanswerable": len(negatives),
        "rows": rows,
        "suggested": _suggest(rows),
    }


def _suggest(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The lowest threshold whose false-answer rate is at most 10% (and at most 5%)."""
    out = {}
    for limit in (0.10, 0.05):
        ok = [r for r in rows if r["false_answer_rate"] <= limit]
        out[f"false<={limit:.2f}"] = ok[0]["threshold"] if ok else None
    return out


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else math.nan


# ---- tables
def squad_table(results: dict[str, Any]) -> str:
    headers = [
        "system",
        "answer@1",
        "answer@3",
        "unit answer@1",
        "unit answer@5",
        "gold para@1",
        "gold para@5",
        "MRR@10",
        "no-answer",
        "p50 ms",
    ]
    rows = []
    ours = results["ours"]
    q, p = ours["quotes"], ours["passages"]
    rows.append(
        [
            "ours: Engine.ask quotes / Engine.search passages",
            q["answer@1"],
            q["answer@3"],
            p["answer@1"],
            p["answer@5"],
            p["gold_paragraph@1"],
            p["gold_paragraph@5"],
            p["mrr@10"],
            q["no_answer_rate"],
            q.get("p50_ms"),
        ]
    )
    for name, b in results.get("baselines", {}).items():
        sentences = "sentences" in name
        rows.append(
            [
                name,
                b["answer@1"] if sentences else None,
                b["answer@3"] if sentences else None,
                b["answer@1"],
                b["answer@5"],
                b["gold_paragraph@1"],
                b["gold_paragraph@5"],
                b["mrr@10"],
                None,
                b.get("p50_ms"),
            ]
        )
    return render_table(headers, rows)


def scifact_table(result: dict[str, Any]) -> str:
    rows = [
        [name, v["ndcg@10"], v["recall@100"]]
        for name, v in result.items()
        if isinstance(v, dict) and "ndcg@10" in v
    ]
    rows.append(["BEIR BM25 (published)", 0.665, None])
    return render_table(["system", "nDCG@10", "R@100"], rows)


# ---- command line
def parse_chunking(text: str) -> ChunkConfig:
    """``80,1,x`` → 80 words, 1 sentence overlap, crossing paragraphs (``p``: within them)."""
    try:
        words, overlap, cross = text.split(",")
        if cross not in {"x", "p"}:
            raise ValueError
        return ChunkConfig(
            max_words=int(words), overlap=int(overlap), cross_paragraphs=cross == "x"
        )
    except ValueError as err:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not WORDS,OVERLAP,x|p (e.g. 80,1,x; p keeps passages within paragraphs)"
        ) from err


def parse_weights(text: str) -> dict[str, float]:
    """``threshold=0.6,retrieve=20`` → overrides of index.answer.Weights."""
    known = {f.name: f.type for f in fields(Weights)}
    out: dict[str, float] = {}
    for item in filter(None, text.split(",")):
        name, _, value = item.partition("=")
        if name.strip() not in known:
            raise argparse.ArgumentTypeError(
                f"unknown weight '{name}'; known: {', '.join(sorted(known))}"
            )
        try:
            out[name.strip()] = float(value)
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"'{item}' needs a number after '='") from err
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.quality", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD, help="SQuAD v1.1 JSON(.gz)")
    parser.add_argument("--scifact", type=Path, default=DEFAULT_SCIFACT, help="SciFact folder")
    parser.add_argument("--no-scifact", action="store_true", help="skip SciFact")
    parser.add_argument("--news", type=Path, help=f"the news-dev folder (default {DEFAULT_NEWS})")
    parser.add_argument("--no-news", action="store_true", help="skip news-dev")
    parser.add_argument(
        "--split",
        choices=["tune", "report", "all"],
        help="which half of every set (default: report; all with --smoke)",
    )
    parser.add_argument("--no-baselines", action="store_true", help="skip the rank_bm25 rows")
    parser.add_argument("--smoke", action="store_true", help="a few articles, ~100 questions")
    parser.add_argument("--limit", type=int, help="ask only this many (seeded random) questions")
    parser.add_argument("--chunking", type=parse_chunking, help="WORDS,OVERLAP,x|p (e.g. 80,1,x)")
    parser.add_argument("--engine", default="tantivy", choices=["tantivy", "rank-bm25"])
    parser.add_argument("--weights", type=parse_weights, default={}, help="e.g. threshold=0.6")
    parser.add_argument("--unanswerable", type=Path, default=UNANSWERABLE)
    parser.add_argument("--sweep-chunking", action="store_true", help="compare passage sizes")
    parser.add_argument("--sweep-threshold", action="store_true", help="no-answer threshold curve")
    parser.add_argument("--results-dir", type=Path, help="where the JSON goes (bench/results)")
    parser.add_argument("--seed", type=int, default=13)
    return parser


def split_of(args: argparse.Namespace) -> str:
    return args.split or ("all" if args.smoke else "report")


def load_inputs(args: argparse.Namespace, say: Callable[[str], None]) -> tuple:
    """SQuAD (or the generated stand-in), the questions, the unanswerable set, SciFact or None."""
    split = split_of(args)
    if args.squad.is_file() or not args.smoke:
        squad = load_squad(args.squad)
        unanswerable = read_unanswerable(args.unanswerable)
        if args.smoke:
            squad = squad.first_articles(SMOKE_ARTICLES)
        squad = squad.split(split)
        if split != "all":  # the written unanswerable questions: even lines tune, odd report
            parity = 0 if split == "tune" else 1
            unanswerable = [u for i, u in enumerate(unanswerable) if i % 2 == parity]
    else:
        say(f"(no SQuAD file at {args.squad}: using the generated stand-in corpus)")
        squad = generated_squad()
        unanswerable = [(q, "generated") for q in generated_unanswerable(squad)]
    limit = args.limit if args.limit is not None else (SMOKE_QUESTIONS if args.smoke else None)
    if limit is None and args.sweep_chunking:
        limit = SWEEP_LIMIT
    questions = squad.sample_questions(limit, seed=args.seed)

    retrieval = None
    if not args.no_scifact:
        if (args.scifact / "scifact.zip").is_file() or not args.smoke:
            retrieval = load_scifact(args.scifact).split(split)
            if args.smoke:
                retrieval = retrieval.subset(queries=20, distractors=300, seed=args.seed)
        else:
            say(f"(no SciFact at {args.scifact}: using a stand-in built from the SQuAD articles)")
            retrieval = retrieval_from_squad(squad.articles, questions)
    return squad, questions, unanswerable, retrieval


def load_news_set(args: argparse.Namespace, say: Callable[[str], None]) -> NewsSet | None:
    """news-dev (its split half is chosen when evaluating), the invented stand-in in a smoke run
    without ``--news``, or None with ``--no-news``."""
    if args.no_news:
        return None
    if args.news is None and args.smoke:
        say("(smoke: news questions from the invented stand-in set, bench/news.py)")
        return generated_news()
    return load_news(args.news or DEFAULT_NEWS)


def run(args: argparse.Namespace, say: Callable[[str], None] = print) -> dict[str, Any]:
    squad, questions, unanswerable, retrieval = load_inputs(args, say)
    news = load_news_set(args, say)
    config = EngineConfig(engine=args.engine, chunking=args.chunking or ChunkConfig())
    weights = replace(Weights(), **args.weights) if args.weights else None
    if weights is not None and "retrieve" in args.weights:
        weights = replace(weights, retrieve=int(weights.retrieve))
    results: dict[str, Any] = {
        "kind": "quality",
        "smoke": args.smoke,
        "split": split_of(args),
        "machine": machine(),
        "squad": {
            "source": squad.source,
            "articles": len(squad.articles),
            "questions": len(questions),
            "unanswerable": len(unanswerable),
        },
        "engine": {
            "name": args.engine,
            "chunking": config.chunking.fingerprint,
            "weights": asdict(weights or Weights()),
        },
    }
    say(
        f"SQuAD: {len(squad.articles)} articles, {len(questions):,} questions, "
        f"{len(unanswerable)} unanswerable; engine {args.engine}, chunking "
        f"{config.chunking.fingerprint}"
    )
    with tempfile.TemporaryDirectory(prefix="newsbot-quality-") as tmp:
        workdir = Path(tmp)
        if args.sweep_chunking:
            say("Chunking sweep (each: full reindex, then every question):")
            results["sweep_chunking"] = sweep_chunking(
                squad, questions, unanswerable, retrieval, CHUNKING_GRID, weights, say
            )
        if args.sweep_threshold:
            built = build_engine(
                lambda d: write_corpus(squad.articles, d / "squad.jsonl"), workdir / "t", config
            )
            sweep = sweep_threshold(built, questions, unanswerable, weights or Weights())
            built.engine.close()
            results["sweep_threshold"] = sweep
            say(threshold_table(sweep))
        if not (args.sweep_chunking or args.sweep_threshold):
            if news is not None:
                results["news"] = run_news_set(news, split_of(args), config, weights, workdir, say)
            run_main(
                args,
                squad,
                questions,
                unanswerable,
                retrieval,
                config,
                weights,
                workdir,
                results,
                say,
            )
    return results


def run_main(
    args: argparse.Namespace,
    squad: SquadSet,
    questions: Sequence[SquadQuestion],
    unanswerable: Sequence[tuple[str, str]],
    retrieval: RetrievalSet | None,
    config: EngineConfig,
    weights: Weights | None,
    workdir: Path,
    results: dict[str, Any],
    say: Callable[[str], None],
) -> None:
    built = build_engine(
        lambda d: write_corpus(squad.articles, d / "squad.jsonl"), workdir / "squad", config
    )
    say(
        f"indexed {built.report.articles} articles → {built.report.passages:,} passages "
        f"in {built.seconds:.1f} s; asking…"
    )
    results["ours"] = evaluate_engine(built, squad, questions, unanswerable, weights, say)
    built.engine.close()
    if not args.no_baselines:
        results["baselines"] = {}
        for name in BASELINES:
            say(f"baseline: {name}…")
            results["baselines"][name] = run_named_baseline(name, squad, questions)
    say("")
    say(squad_table(results))
    ours_q = results["ours"]["quotes"]
    say(
        f"ours: no-answer rate {ours_q['no_answer_rate']:.3f}; false answers on "
        f"{ours_q['unanswerable_questions']} unanswerable questions: "
        f"{ours_q['false_answer_rate']:.3f}; ask p50 {ours_q.get('p50_ms', math.nan):.2f} ms, "
        f"p99 {ours_q.get('p99_ms', math.nan):.2f} ms"
    )
    if retrieval is not None:
        say(f"\nSciFact ({retrieval.source}): {len(retrieval.queries)} queries…")
        results["scifact"] = evaluate_retrieval(retrieval, config, workdir / "scifact")
        say(scifact_table(results["scifact"]))


def run_news_set(
    news: NewsSet,
    split: str,
    config: EngineConfig,
    weights: Weights | None,
    workdir: Path,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """news-dev's ``split`` half, asked once each (first pass), tallied by group."""
    built = build_engine(
        lambda d: write_news_corpus(news.articles, d / "news.jsonl"), workdir / "news", config
    )
    items = news.split(split)
    say(
        f"news: {news.source}, {split} half: {len(items)} questions over "
        f"{built.report.articles:,} articles ({built.report.passages:,} passages)"
    )
    result = evaluate_news(asker(built.engine, weights), items, news.articles)
    built.engine.close()
    say(news_table(result["groups"]))
    say("")
    return {
        "source": news.source,
        "split": split,
        "articles": built.report.articles,
        "groups": result["groups"],
        "rows": result["rows"],
    }


def threshold_table(sweep: dict[str, Any]) -> str:
    rows = [
        [
            r["threshold"],
            r["answered_rate"],
            r["answer@1"],
            r["answer@1_when_answered"],
            r["false_answer_rate"],
        ]
        for r in sweep["rows"]
    ]
    table = render_table(
        ["threshold", "answered (SQuAD)", "answer@1", "answer@1 when answered", "false answers"],
        rows,
    )
    return (
        f"No-answer threshold ({sweep['answerable']:,} SQuAD questions, "
        f"{sweep['unanswerable']} unanswerable; current {sweep['current_threshold']}):\n"
        f"{table}\nsuggested: {sweep['suggested']}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.perf_counter()
    try:
        results = run(args)
    except BenchError as err:
        print(f"bench.quality: {err}", file=sys.stderr)
        return 2
    results["seconds"] = round(time.perf_counter() - started, 1)
    shown = argv if argv is not None else sys.argv[1:]
    results["command"] = "python -m bench.quality " + " ".join(shown)
    path = write_results("quality-smoke" if args.smoke else "quality", results, args.results_dir)
    print(f"\nresults: {path} ({results['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
