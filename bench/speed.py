"""Speed: index build, memory, size on disk and query latency at 10k, 100k and 1M passages.

    python -m bench.speed                         # 10k, 100k, 1M (about 4 minutes)
    python -m bench.speed --sizes 10000,100000 --queries 500
    python -m bench.speed --smoke                 # 2k passages, 50 questions: seconds

The corpora are synthetic but made of real prose: a pool of the SQuAD dev sentences, each in a few
variants with some words swapped (now and then for a coined word, so the vocabulary keeps growing
with the corpus like a news archive's does), sampled 2–4 at a time into passages with a fixed seed.
Questions are SQuAD dev questions, each asked once in the headline (the first pass over distinct
questions, after a separate warm-up set that is not measured), then again (the warm pass). Every
measurement of one engine at one size runs in its own spawned process, so peak RSS belongs to that
measurement alone (the reindex's figure sums its process tree: it runs analysis workers).
See bench/README.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import (
    BenchError,
    Isolated,
    MeasurementTimeout,
    TreeRSS,
    dir_size_mib,
    latency_ms,
    machine,
    peak_rss_mib,
    ratio,
    render_table,
    rss_mib,
    run_isolated,
    write_results,
)
from bench.squad import DEFAULT_SQUAD, generated_squad, load_squad

SMOKE_SIZE, SMOKE_QUERIES = 2000, 50
WARMUP_QUERIES = 200
PARAGRAPHS_PER_ARTICLE = 10
VARIANTS = 10
SWAP_RATE = 0.15
COINED_RATE = 0.2
_SUFFIXES = ("ov", "ski", "ton", "ia", "ek", "ard", "ine", "berg", "aro", "ez", "ulu", "heim")
_PLAIN_WORD = re.compile(r"^[A-Za-z]+$")


# ---- the sentence pool
@dataclass
class Pool:
    texts: list[str]  # variant sentences
    tokens: list[tuple[str, ...]]  # their analysed terms

    def save(self, path: Path) -> Path:
        """Terms as ids into one vocabulary: loads fast and small, next to what is measured."""
        vocabulary: dict[str, int] = {}
        ids = [vocabulary.setdefault(t, len(vocabulary)) for ts in self.tokens for t in ts]
        lengths = [len(ts) for ts in self.tokens]
        with path.open("wb") as out:
            np.savez(
                out,
                texts=np.array(self.texts, dtype=object),
                vocabulary=np.array(list(vocabulary), dtype=object),
                ids=np.array(ids, dtype=np.int32),
                offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            )
        return path

    @classmethod
    def load(cls, path: Path) -> Pool:
        with np.load(path, allow_pickle=True) as data:
            texts = data["texts"].tolist()
            vocabulary, ids, offsets = data["vocabulary"], data["ids"], data["offsets"]
        # Slicing the object array keeps one str object per term and no per-id Python ints.
        tokens = [tuple(vocabulary[ids[a:b]]) for a, b in itertools.pairwise(offsets.tolist())]
        return cls(texts, tokens)


def source_sentences(paragraphs: Sequence[str]) -> list[str]:
    """Whole sentences (4+ words, closing punctuation) of the given paragraphs."""
    from index.segment import sentence_spans

    out = []
    for paragraph in paragraphs:
        for start, end in sentence_spans(paragraph):
            sentence = " ".join(paragraph[start:end].split())
            if len(sentence.split()) >= 4 and sentence[-1] in ".?!\"”'’)":
                out.append(sentence)
    return out


def build_pool(sentences: Sequence[str], seed: int = 1, variants: int = VARIANTS) -> Pool:
    """Each sentence as-is plus ``variants - 1`` copies with ~15% of its plain words swapped."""
    from index.analyze import Analyzer

    rng = random.Random(seed)
    vocabulary = sorted({w for s in sentences for w in s.split() if _PLAIN_WORD.match(w)})
    texts: list[str] = []
    for sentence in sentences:
        words = sentence.split()
        texts.append(sentence)
        for _ in range(variants - 1):
            varied = list(words)
            for i, word in enumerate(varied):
                if _PLAIN_WORD.match(word) and rng.random() < SWAP_RATE:
                    swap = rng.choice(vocabulary)
                    if rng.random() < COINED_RATE:
                        swap += rng.choice(_SUFFIXES)
                    varied[i] = swap
            texts.append(" ".join(varied))
    analyzer = Analyzer()
    return Pool(texts, [tuple(analyzer.tokens(t)) for t in texts])


def passage_plan(size: int, pool_size: int, seed: int) -> np.ndarray:
    """``size`` rows of 4 variant ids (2–4 used; -1 pads), seeded."""
    rng = np.random.default_rng(seed)
    plan = rng.integers(0, pool_size, size=(size, 4), dtype=np.int64)
    lengths = rng.integers(2, 5, size=size)
    plan[np.arange(4)[None, :] >= lengths[:, None]] = -1
    return plan


def plan_rows(plan: np.ndarray) -> Iterator[list[int]]:
    for row in plan.tolist():
        yield [i for i in row if i >= 0]


# ---- the jsonl corpus for the full pipeline
def passages_per_paragraph(pool: Pool, seed: int) -> float:
    """How many engine passages one generated paragraph makes, measured with the engine's own
    segmenter and chunker on a sample (so a corpus can be sized in engine passages)."""
    from index.passages import ChunkConfig, chunk
    from index.segment import paragraph_spans, sentence_spans

    plan = passage_plan(2000, len(pool.texts), seed + 99)
    paragraphs = [" ".join(pool.texts[i] for i in row) for row in plan_rows(plan)]
    passages = 0
    for at in range(0, len(paragraphs), PARAGRAPHS_PER_ARTICLE):
        text = "\n\n".join(paragraphs[at : at + PARAGRAPHS_PER_ARTICLE])
        passages += len(chunk(text, sentence_spans(text), paragraph_spans(text), ChunkConfig()))
    return passages / len(paragraphs)


def write_articles(
    pool: Pool, paragraphs: int, path: Path, seed: int, prefix: str = "syn"
) -> tuple[Path, int]:
    """Articles of 10 generated paragraphs as a ``.jsonl`` corpus file; returns (path, articles)."""
    plan = passage_plan(paragraphs, len(pool.texts), seed)
    rows = plan_rows(plan)
    articles = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        while True:
            batch = [
                " ".join(pool.texts[i] for i in row)
                for _, row in zip(range(10), rows, strict=False)
            ]
            if not batch:
                break
            title = f"Report {prefix}-{articles}: " + " ".join(batch[0].split()[:6])
            line = {"id": f"{prefix}-{articles:07d}", "title": title, "text": "\n\n".join(batch)}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            articles += 1
    return path, articles


# ---- measurements, each run in a spawned child (module-level functions so they pickle)
def measure_backend(
    pool_path: Path, size: int, seed: int, workdir: Path, queries: list[str]
) -> dict:
    """tantivy alone, fed pre-analysed tokens: build, commit, size, RSS, raw top-10 latency."""
    from index.analyze import Analyzer
    from index.backends import open_backend

    pool = Pool.load(pool_path)
    plan = passage_plan(size, len(pool.texts), seed)
    tokens = pool.tokens
    rss_before = rss_mib()
    path = workdir / "tantivy"
    backend = open_backend("tantivy", path)

    def docs() -> Iterator[tuple[int, str, tuple[str, ...]]]:
        for pid, row in enumerate(plan_rows(plan)):
            yield pid, f"a{pid // PARAGRAPHS_PER_ARTICLE}", sum((tokens[i] for i in row), ())

    # Producing the token lists is the benchmark's own work: timed apart and taken out.
    started = time.perf_counter()
    for _ in docs():
        pass
    feed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    backend.add(docs())
    backend.commit()
    seconds = time.perf_counter() - started - feed_seconds
    build_peak = peak_rss_mib()

    analyzer = Analyzer()
    query_tokens = [analyzer.query_tokens(q) for q in queries]
    raw = _latencies(lambda t: backend.search(t, 10), query_tokens, warmup=50)

    # An incremental add: 1,000 more passages and a commit, as an admin "add" does.
    extra = passage_plan(1000, len(pool.texts), seed + 7)
    started = time.perf_counter()
    backend.add(
        (size + n, f"extra{n // 10}", sum((tokens[i] for i in row), ()))
        for n, row in enumerate(plan_rows(extra))
    )
    backend.commit()
    add_seconds = time.perf_counter() - started
    backend.close()
    return {
        "passages": size,
        "build_seconds": round(seconds, 3),
        "passages_per_second": round(size / seconds),
        "feed_seconds_excluded": round(feed_seconds, 3),
        "index_mib": round(dir_size_mib(path), 1),
        "rss_before_mib": round(rss_before, 1),
        "peak_rss_mib": round(build_peak, 1),
        "build_rss_delta_mib": round(build_peak - rss_before, 1),
        "raw_top10": raw,
        "add_1000_commit_seconds": round(add_seconds, 3),
    }


def measure_rank_bm25(pool_path: Path, size: int, seed: int, queries: list[str]) -> dict:
    """rank_bm25's BM25Okapi over the very same token lists: build, RSS, get_scores + top-10."""
    from rank_bm25 import BM25Okapi

    from index.analyze import Analyzer

    pool = Pool.load(pool_path)
    plan = passage_plan(size, len(pool.texts), seed)
    corpus = [list(sum((pool.tokens[i] for i in row), ())) for row in plan_rows(plan)]
    del pool
    rss_before = rss_mib()
    started = time.perf_counter()
    model = BM25Okapi(corpus)
    seconds = time.perf_counter() - started
    analyzer = Analyzer()
    query_tokens = [analyzer.query_tokens(q) for q in queries]

    def top10(terms: list[str]) -> list[int]:
        scores = model.get_scores(terms)
        best = np.argpartition(-scores, 9)[:10]
        return best[np.argsort(-scores[best])].tolist()

    return {
        "passages": size,
        "build_seconds": round(seconds, 3),
        "passages_per_second": round(size / seconds),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "build_rss_delta_mib": round(peak_rss_mib() - rss_before, 1),
        "top10": _latencies(top10, query_tokens, warmup=5),
    }


def measure_pipeline(corpus_dir: Path, data_dir: Path) -> dict:
    """The full pipeline: read the .jsonl corpus, segment, chunk, analyse (in worker processes),
    store, index. Peak RSS is that of the whole process tree (this process and its workers)."""
    from index.engine import reindex_data_dir

    rss_before = rss_mib()
    with TreeRSS() as tree:
        started = time.perf_counter()
        report, engine = reindex_data_dir(corpus_dir, data_dir, full=True)
        seconds = time.perf_counter() - started
    engine.close()
    if report.skipped:
        raise BenchError(f"the engine skipped {report.skipped[0].path}: {report.skipped[0].reason}")
    return {
        "articles": report.articles,
        "passages": report.passages,
        "build_seconds": round(seconds, 3),
        "passages_per_second": round(report.passages / seconds),
        **data_dir_figures(data_dir, report.passages),
        "rss_before_mib": round(rss_before, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "peak_tree_rss_mib": round(tree.peak_mib, 1),
        "peak_tree_processes": tree.peak_processes,
        "cpu_seconds": round(tree.cpu_seconds, 1),
        "passages_per_cpu_second": round(report.passages / max(tree.cpu_seconds, 1e-9)),
        "load_average": round(os.getloadavg()[0], 2),
    }


def data_dir_figures(data_dir: Path, passages: int) -> dict:
    """Size on disk: all of it (every generation), the live one's segments and tantivy, per passage."""
    from index import store

    gen = store.read_current(data_dir)
    total = dir_size_mib(data_dir)
    segments = sum(p.stat().st_size for p in gen.glob("seg-*")) / 2**20 if gen else 0.0
    tantivy = dir_size_mib(gen / store.TANTIVY) if gen else 0.0
    return {
        "data_dir_mib": round(total, 1),
        "segments_mib": round(segments, 1),
        "tantivy_mib": round(tantivy, 1),
        "bytes_per_passage": round(total * 2**20 / max(passages, 1)),
    }


def measure_incremental(corpus_dir: Path, data_dir: Path, extra: Path) -> dict:
    """An incremental reindex that adds ``extra`` (1% more articles), then one that removes
    them again, each timed from the call to the new generation opened (as the CLI does it)."""
    from index.engine import reindex_data_dir

    target = corpus_dir / extra.name
    shutil.copy(extra, target)
    with TreeRSS() as tree:
        started = time.perf_counter()
        added, engine = reindex_data_dir(corpus_dir, data_dir)
        add_seconds = time.perf_counter() - started
    engine.close()
    target.unlink()
    started = time.perf_counter()
    removed, engine = reindex_data_dir(corpus_dir, data_dir)
    remove_seconds = time.perf_counter() - started
    engine.close()
    return {
        "added_articles": len(added.added),
        "added_passages": added.passages - removed.passages,
        "add_seconds": round(add_seconds, 3),
        "add_peak_tree_rss_mib": round(tree.peak_mib, 1),
        "removed_articles": len(removed.removed),
        "remove_seconds": round(remove_seconds, 3),
        "full_rebuild": added.full_rebuild or removed.full_rebuild,
        **data_dir_figures(data_dir, removed.passages),
    }


def measure_serving(
    corpus_dir: Path,
    data_dir: Path,
    queries: list[str],
    extra: list[Path],
    modes: list[str],
    warmup: list[str] | None = None,
) -> dict:
    """Open the built index like the bot does; after the ``warmup`` questions (not measured),
    ask p50/p99 (retrieval + quote selection) over the distinct ``queries``, each once (the
    headline), then again (warm); tantivy's raw top-10 on the same index and questions; then ask
    p99 while a reindex adds ``extra`` files."""
    from index import store
    from index.analyze import Analyzer
    from index.backends import open_backend
    from index.engine import Engine

    engine = Engine.open(data_dir)
    if engine.needs_build:
        raise BenchError(f"no usable index in {data_dir}: {engine.reason}")
    gen = engine.gen
    assert gen is not None
    raw_backend = open_backend("tantivy", gen / store.TANTIVY, create=False)
    analyzer = Analyzer()
    rss_open = rss_mib()
    # Warm-up questions (distinct from the measured ones) warm the code paths and the process,
    # not the answers: the measured questions are then asked for the first time (the headline,
    # as users ask), and once more (the warm pass: every article they touch is cached).
    warmup = warmup or []
    answered = sum(engine.ask(q, 3).answered for q in warmup)
    query_tokens = [analyzer.query_tokens(q) for q in queries]
    for tokens in (analyzer.query_tokens(q) for q in warmup):
        raw_backend.search(tokens, 10)
    raw = _latencies(lambda t: raw_backend.search(t, 10), query_tokens)
    ask = _latencies(lambda q: engine.ask(q, 3), queries)
    answered_measured = sum(engine.ask(q, 3).answered for q in queries)  # also a warm pass
    ask_warm = _latencies(lambda q: engine.ask(q, 3), queries)
    result: dict[str, Any] = {
        "passages": engine.counts()[1],
        "rss_after_open_mib": round(rss_open, 1),
        "rss_serving_mib": round(rss_mib(), 1),
        "peak_rss_serving_mib": round(peak_rss_mib(), 1),
        "warmup_questions": len(warmup),
        "warmup_answered": answered,
        "distinct_questions": len(set(queries)),
        "answered": answered_measured,
        "ask": ask,
        "ask_warm": ask_warm,
        "raw_top10": raw,
        "ask_p99_over_raw_p99": ratio(ask["p99_ms"], raw["p99_ms"]),
        "during_reindex": {},
    }
    for mode, extra_file in zip(modes, extra, strict=False):
        shutil.copy(extra_file, corpus_dir / extra_file.name)
        idle = _latencies(lambda q: engine.ask(q, 3), queries, warmup=0)
        busy, reindex = _during_reindex(engine, queries, corpus_dir, data_dir, mode)
        result["during_reindex"][mode] = {
            "idle": idle,
            "busy": busy,
            "reindex": reindex,
            "p99_ratio": ratio(busy["p99_ms"], idle["p99_ms"]),
            "p50_ratio": ratio(busy["p50_ms"], idle["p50_ms"]),
        }
    result["peak_rss_with_reindex_mib"] = round(peak_rss_mib(), 1)
    raw_backend.close()
    engine.close()
    return result


def _reindex_job(corpus_dir: Path, data_dir: Path, niceness: int = 0) -> dict:
    from index.engine import reindex_data_dir

    if niceness:  # a reindex process, at the priority the service gives its reindex child
        os.nice(niceness)

    started = time.perf_counter()
    report, engine = reindex_data_dir(corpus_dir, data_dir)
    engine.close()
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "added": len(report.added),
        "passages": report.passages,
        "full_rebuild": report.full_rebuild,
    }


def _during_reindex(
    engine: Any, queries: list[str], corpus_dir: Path, data_dir: Path, mode: str
) -> tuple[dict, dict]:
    """Ask questions in a loop for as long as a reindex runs (in a thread, as the bot's service
    does, or in another process) and return (latencies, what the reindex did)."""
    outcome: dict[str, Any] = {}
    if mode == "thread":

        def work() -> None:
            try:
                outcome.update(_reindex_job(corpus_dir, data_dir))
            except BaseException as err:  # reported, not lost in the thread
                outcome["error"] = repr(err)

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        running = worker.is_alive
    else:
        from bot.reindex_worker import CHILD_NICENESS

        child = Isolated(_reindex_job, corpus_dir, data_dir, CHILD_NICENESS)
        running = child.running
    seconds: list[float] = []
    n = 0
    while running() or len(seconds) < 20:
        question = queries[n % len(queries)]
        n += 1
        started = time.perf_counter()
        engine.ask(question, 3)
        seconds.append(time.perf_counter() - started)
    if mode == "thread":
        worker.join()
    else:
        outcome.update(child.result())
    outcome["mode"] = mode
    return latency_ms(seconds), outcome


def _latencies(fn: Callable[[Any], Any], inputs: Sequence[Any], warmup: int = 0) -> dict:
    """Wall-clock p50/p99 (the figures), and the same on this thread's CPU time: on a machine
    shared with other work the CPU figures show what the code costs, the wall clock what a user
    would have waited."""
    for item in inputs[:warmup]:
        fn(item)
    seconds = []
    cpu = []
    for item in inputs:
        started, started_cpu = time.perf_counter(), time.thread_time()
        fn(item)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
    out = latency_ms(seconds)
    cpu_ms = latency_ms(cpu)
    out["cpu_p50_ms"], out["cpu_p99_ms"] = cpu_ms["p50_ms"], cpu_ms["p99_ms"]
    return out


# ---- orchestration
def pick_questions(texts: list[str], plan: Plan) -> tuple[list[str], list[str]]:
    """``plan.queries`` distinct questions to measure and a disjoint warm-up set (seeded). With
    too few questions (a generated smoke corpus) the warm-up shrinks first, then they repeat."""
    distinct = list(dict.fromkeys(texts))
    random.Random(plan.seed).shuffle(distinct)
    measured = distinct[: plan.queries]
    warmup = distinct[plan.queries : plan.queries + plan.warmup]
    measured = [measured[i % len(measured)] for i in range(plan.queries)]
    return measured, warmup


@dataclass
class Plan:
    sizes: list[int]
    queries: int
    warmup: int
    pipeline_max: int
    bm25_max: int
    bm25_queries: int
    reindex_modes: list[str]
    pipeline_timeout: float
    isolate: bool
    seed: int


def run(args: argparse.Namespace, say: Callable[[str], None] = print) -> dict[str, Any]:
    plan = Plan(
        sizes=[SMOKE_SIZE]
        if args.smoke and not args.sizes
        else (args.sizes or [10_000, 100_000, 1_000_000]),
        queries=args.queries or (SMOKE_QUERIES if args.smoke else 1000),
        warmup=WARMUP_QUERIES if args.warmup is None else args.warmup,
        pipeline_max=args.pipeline_max,
        bm25_max=args.bm25_max,
        bm25_queries=args.bm25_queries or (SMOKE_QUERIES if args.smoke else 200),
        reindex_modes=args.reindex_in or (["thread"] if args.smoke else ["thread", "process"]),
        pipeline_timeout=args.pipeline_timeout,
        isolate=not args.in_process,
        seed=args.seed,
    )
    call = run_isolated if plan.isolate else (lambda fn, *a, timeout=None: fn(*a))

    if args.squad.is_file():
        squad = load_squad(args.squad)
    elif args.smoke:
        say(f"(no SQuAD file at {args.squad}: using the generated stand-in corpus)")
        squad = generated_squad(articles=40)
    else:
        raise BenchError(f"No SQuAD file at {args.squad}. Pass --squad PATH (or use --smoke).")
    questions, warmup = pick_questions([q.text for q in squad.questions], plan)

    results: dict[str, Any] = {
        "kind": "speed",
        "smoke": args.smoke,
        "machine": machine(),
        "plan": plan.__dict__,
        "squad": squad.source,
        "sizes": {},
    }
    with tempfile.TemporaryDirectory(prefix="newsbot-speed-", dir=args.workdir) as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        sentences = source_sentences([p for a in squad.articles for p in a.paragraphs])
        pool = build_pool(sentences, seed=plan.seed)
        pool_path = pool.save(workdir / "pool.npz")
        per_paragraph = passages_per_paragraph(pool, plan.seed)
        results["pool"] = {
            "sentences": len(sentences),
            "variants": len(pool.texts),
            "engine_passages_per_paragraph": round(per_paragraph, 3),
            "seconds": round(time.perf_counter() - started, 2),
        }
        say(
            f"pool: {len(sentences):,} sentences × {VARIANTS} variants; "
            f"{plan.queries} questions; sizes {', '.join(f'{s:,}' for s in plan.sizes)}"
        )
        for size in plan.sizes:
            results["sizes"][str(size)] = measure_size(
                size, plan, pool, pool_path, per_paragraph, (questions, warmup), workdir, call, say
            )
            write_partial(args, results)
    say("")
    say(build_table(results))
    say("")
    say(query_table(results))
    say("")
    for line in target_lines(results):
        say(line)
    return results


def measure_size(
    size: int,
    plan: Plan,
    pool: Pool,
    pool_path: Path,
    per_paragraph: float,
    question_sets: tuple[list[str], list[str]],
    workdir: Path,
    call: Callable[..., Any],
    say: Callable[[str], None],
) -> dict[str, Any]:
    questions, warmup = question_sets
    out: dict[str, Any] = {}
    here = workdir / f"size-{size}"
    say(f"\n== {size:,} passages")
    out["backend"] = call(measure_backend, pool_path, size, plan.seed, here / "backend", questions)
    b = out["backend"]
    say(
        f"  tantivy alone: build {b['build_seconds']:.1f} s ({b['passages_per_second']:,}/s), "
        f"{b['index_mib']} MiB, peak RSS {b['peak_rss_mib']} MiB; raw top-10 p50 "
        f"{b['raw_top10']['p50_ms']} ms p99 {b['raw_top10']['p99_ms']} ms"
    )
    shutil.rmtree(here / "backend", ignore_errors=True)

    if size <= plan.bm25_max:
        out["rank_bm25"] = call(
            measure_rank_bm25, pool_path, size, plan.seed, questions[: plan.bm25_queries]
        )
        r = out["rank_bm25"]
        say(
            f"  rank_bm25: build {r['build_seconds']:.1f} s, peak RSS {r['peak_rss_mib']} MiB; "
            f"top-10 p50 {r['top10']['p50_ms']} ms p99 {r['top10']['p99_ms']} ms"
        )

    if size <= plan.pipeline_max:
        corpus_dir, data_dir = here / "corpus", here / "data"
        paragraphs = max(1, round(size / per_paragraph))
        _path, articles = write_articles(pool, paragraphs, corpus_dir / "corpus.jsonl", plan.seed)
        extra_paragraphs = max(PARAGRAPHS_PER_ARTICLE * 5, paragraphs // 50)
        extra = [
            write_articles(pool, extra_paragraphs, here / f"extra-{m}.jsonl", plan.seed + 1 + i, m)[
                0
            ]
            for i, m in enumerate(plan.reindex_modes)
        ]
        say(f"  full pipeline: {articles:,} articles from {paragraphs:,} paragraphs…")
        try:
            out["pipeline"] = call(
                measure_pipeline, corpus_dir, data_dir, timeout=plan.pipeline_timeout
            )
        except MeasurementTimeout as err:
            out["pipeline"] = {"error": str(err), "articles_in_corpus": articles}
            say(f"  full pipeline: {err}; no serving figures at this size")
            shutil.rmtree(here, ignore_errors=True)
            return out
        p = out["pipeline"]
        say(
            f"  full pipeline: {p['passages']:,} passages in {p['build_seconds']:.1f} s "
            f"({p['passages_per_second']:,}/s), data dir {p['data_dir_mib']} MiB "
            f"({p['bytes_per_passage']} bytes/passage), peak RSS {p['peak_tree_rss_mib']} MiB "
            f"({p['peak_tree_processes']} processes); {p['cpu_seconds']} CPU-s "
            f"({p['passages_per_cpu_second']:,} passages per CPU-second; load {p['load_average']})"
        )
        one_percent = max(PARAGRAPHS_PER_ARTICLE, paragraphs // 100)
        add_file = write_articles(pool, one_percent, here / "add-1pct.jsonl", plan.seed + 50, "inc")
        out["incremental"] = call(measure_incremental, corpus_dir, data_dir, add_file[0])
        i = out["incremental"]
        say(
            f"  incremental: +{i['added_articles']:,} articles ({i['added_passages']:,} passages) "
            f"in {i['add_seconds']} s, −{i['removed_articles']:,} in {i['remove_seconds']} s"
        )
        out["serving"] = call(
            measure_serving, corpus_dir, data_dir, questions, extra, plan.reindex_modes, warmup
        )
        s = out["serving"]
        say(
            f"  ask (first pass, {s['distinct_questions']} distinct after {s['warmup_questions']} "
            f"warm-up) p50 {s['ask']['p50_ms']} ms p99 {s['ask']['p99_ms']} ms (CPU p99 "
            f"{s['ask']['cpu_p99_ms']} ms); warm p99 "
            f"{s['ask_warm']['p99_ms']} ms; raw top-10 p50 {s['raw_top10']['p50_ms']} ms p99 "
            f"{s['raw_top10']['p99_ms']} ms; serving RSS {s['rss_serving_mib']} MiB"
        )
        for mode, d in s["during_reindex"].items():
            say(
                f"  during a reindex ({mode}, +{d['reindex'].get('added', '?')} articles in "
                f"{d['reindex'].get('seconds', '?')} s): ask p99 {d['busy']['p99_ms']} ms vs idle "
                f"{d['idle']['p99_ms']} ms = ×{d['p99_ratio']}"
            )
        shutil.rmtree(here, ignore_errors=True)
    return out


def write_partial(args: argparse.Namespace, results: dict[str, Any]) -> None:
    """Keep what is measured so far, so a long run that dies still leaves its numbers."""
    if not args.smoke:
        path = (args.results_dir or Path(__file__).with_name("results")) / "speed-partial.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        from bench.common import json_ready

        path.write_text(json.dumps(json_ready(results), indent=2) + "\n")


# ---- tables and targets
def build_table(results: dict[str, Any]) -> str:
    rows = []
    for size, m in results["sizes"].items():
        b, p, r = m["backend"], m.get("pipeline", {}), m.get("rank_bm25", {})
        i = m.get("incremental", {})
        rows.append(
            [
                int(size),
                b["build_seconds"],
                b["passages_per_second"],
                b["index_mib"],
                b["peak_rss_mib"],
                p.get("passages"),
                p.get("build_seconds"),
                p.get("passages_per_second"),
                p.get("peak_tree_rss_mib"),
                p.get("data_dir_mib"),
                p.get("bytes_per_passage"),
                i.get("add_seconds"),
                i.get("remove_seconds"),
                r.get("build_seconds"),
                r.get("peak_rss_mib"),
            ]
        )
    return "Build\n" + render_table(
        [
            "passages",
            "tantivy s",
            "tantivy /s",
            "index MiB",
            "tantivy RSS MiB",
            "pipeline passages",
            "pipeline s",
            "pipeline /s",
            "pipeline RSS MiB (tree)",
            "data dir MiB",
            "bytes/passage",
            "+1% s",
            "−1% s",
            "rank_bm25 s",
            "rank_bm25 RSS MiB",
        ],
        rows,
    )


def query_table(results: dict[str, Any]) -> str:
    rows = []
    for size, m in results["sizes"].items():
        s, r = m.get("serving", {}), m.get("rank_bm25", {})
        raw = s.get("raw_top10") or m["backend"]["raw_top10"]
        ask = s.get("ask", {})
        warm = s.get("ask_warm", {})
        during = s.get("during_reindex", {})
        rows.append(
            [
                int(size),
                ask.get("p50_ms"),
                ask.get("p99_ms"),
                warm.get("p99_ms"),
                raw["p50_ms"],
                raw["p99_ms"],
                s.get("ask_p99_over_raw_p99"),
                r.get("top10", {}).get("p50_ms"),
                r.get("top10", {}).get("p99_ms"),
                ratio(r["top10"]["p99_ms"], ask["p99_ms"]) if r and ask else None,
                s.get("rss_serving_mib"),
                *(during.get(mode, {}).get("p99_ratio") for mode in ("thread", "process")),
            ]
        )
    return "Queries (ms; ask = first pass over distinct questions)\n" + render_table(
        [
            "passages",
            "ask p50",
            "ask p99",
            "warm p99",
            "tantivy top-10 p50",
            "tantivy p99",
            "ask p99 / tantivy p99",
            "rank_bm25 p50",
            "rank_bm25 p99",
            "rank_bm25 p99 / ask p99",
            "serving RSS MiB",
            "p99 during reindex / idle (thread)",
            "(process)",
        ],
        rows,
    )


def target_lines(results: dict[str, Any]) -> list[str]:
    """The issue's targets, checked at the largest size that has each measurement."""
    sizes = results["sizes"]
    if not sizes:
        return []
    out = ["Targets (issue 11, at the largest size measured):"]

    def largest(key: str, at_most: int | None = None) -> tuple[str, dict] | None:
        having = [
            (s, m)
            for s, m in sizes.items()
            if key in m and "error" not in m[key] and (at_most is None or int(s) <= at_most)
        ]
        return max(having, key=lambda x: int(x[0])) if having else None

    def check(label: str, value: float | None, limit: float, higher_is_better: bool = False) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return f"  {label}: not measured"
        ok = value >= limit if higher_is_better else value <= limit
        return f"  {label}: {value:,} ({'≥' if higher_is_better else '≤'} {limit:,}: {'ok' if ok else 'MISSED'})"

    if found := largest("serving"):
        size, m = found
        s = m["serving"]
        at = f"{int(size):,}"
        out.append(check(f"ask p99 ms (first pass) at {at}", s["ask"]["p99_ms"], 20))
        out.append(check(f"ask p99 / tantivy p99 at {at}", s["ask_p99_over_raw_p99"], 2))
        out.append(check(f"serving peak RSS MiB at {at}", s["peak_rss_serving_mib"], 1024))
        for mode, d in s["during_reindex"].items():
            out.append(check(f"ask p99 during reindex ({mode}) / idle", d["p99_ratio"], 1.5))
    if found := largest("rank_bm25", 100_000):
        size, m = found
        s = m.get("serving", {})
        if "ask" in s:
            speedup = ratio(m["rank_bm25"]["top10"]["p99_ms"], s["ask"]["p99_ms"])
            out.append(check(f"rank_bm25 p99 / ask p99 at {int(size):,}", speedup, 100, True))
    if found := largest("pipeline"):
        size, m = found
        p = m["pipeline"]
        at = f"{int(size):,}"
        out.append(
            check(f"full reindex passages/s at {at}", p["passages_per_second"], 30_000, True)
        )
        out.append(check(f"full reindex peak RSS MiB (tree) at {at}", p["peak_tree_rss_mib"], 1024))
        scaled = p["data_dir_mib"] * 1_000_000 / max(p["passages"], 1)
        out.append(check(f"data dir MiB per 1M passages (at {at})", round(scaled), 600))
    if found := largest("incremental"):
        size, m = found
        i = m["incremental"]
        out.append(check(f"+1% articles reindex s at {int(size):,}", i["add_seconds"], 3))
        out.append(check(f"−1% articles reindex s at {int(size):,}", i["remove_seconds"], 3))
    if found := largest("backend"):
        size, m = found
        b = m["backend"]
        out.append(check(f"tantivy alone peak RSS MiB at {int(size):,}", b["peak_rss_mib"], 1024))
    return out


# ---- command line
def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError as err:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a comma-separated list of sizes"
        ) from err
    if not sizes or min(sizes) < 10:
        raise argparse.ArgumentTypeError("sizes must be at least 10 passages")
    return sizes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.speed", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sizes", type=parse_sizes, help="passages, e.g. 10000,100000,1000000")
    parser.add_argument("--queries", type=int, help="questions per measurement (default 1000)")
    parser.add_argument(
        "--warmup",
        type=int,
        help=f"distinct warm-up questions before the measured ones (default {WARMUP_QUERIES})",
    )
    parser.add_argument(
        "--smoke", action="store_true", help=f"{SMOKE_SIZE:,} passages, {SMOKE_QUERIES} questions"
    )
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD, help="SQuAD v1.1 JSON(.gz)")
    parser.add_argument(
        "--pipeline-max", type=int, default=1_000_000, help="largest size for the full pipeline"
    )
    parser.add_argument(
        "--pipeline-timeout",
        type=float,
        default=900,
        help="seconds one full-pipeline build may take before it is stopped and reported",
    )
    parser.add_argument("--bm25-max", type=int, default=100_000, help="largest size for rank_bm25")
    parser.add_argument("--bm25-queries", type=int, help="questions for rank_bm25 (default 200)")
    parser.add_argument(
        "--reindex-in",
        type=lambda s: [m for m in s.split(",") if m],
        help="where the concurrent reindex runs: thread,process (default both; smoke: thread)",
    )
    parser.add_argument("--in-process", action="store_true", help="no child processes (RSS mixes)")
    parser.add_argument("--workdir", type=Path, help="where the temporary corpora go")
    parser.add_argument("--results-dir", type=Path, help="where the JSON goes (bench/results)")
    parser.add_argument("--seed", type=int, default=11)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    bad = [m for m in args.reindex_in or [] if m not in {"thread", "process"}]
    if bad:
        print(
            f"bench.speed: --reindex-in takes thread and/or process, not {bad[0]}", file=sys.stderr
        )
        return 2
    started = time.perf_counter()
    try:
        results = run(args)
    except BenchError as err:
        print(f"bench.speed: {err}", file=sys.stderr)
        return 2
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["command"] = "python -m bench.speed " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    path = write_results("speed-smoke" if args.smoke else "speed", results, args.results_dir)
    print(f"\nresults: {path} ({results['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
