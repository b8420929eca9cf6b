"""Same answers: this tree's engine against another revision's, question by question.

    python -m bench.same_answers --against main       # news-dev, SQuAD dev, synthetic
    python -m bench.same_answers --against main --rounds 3
    python -m bench.same_answers --smoke --against HEAD   # generated sets: seconds, no ../shared

A performance change on the query path must not change any answer. Each version (``REV``'s
``index/`` package from ``git archive``, and this tree's) runs in its own fresh interpreter: it
indexes the same corpus files into its own data dir (so a change of the stored format is covered
too), opens the index as the bot does, and asks every question once, in the same order, through
``Engine.ask`` (3 quotes) and ``Engine.search`` (10 passages). Everything an answer holds is
compared — answered or not, the reason, every quote's text, offsets, passage, score, speaker,
speech kind and source, in order — and so is every search hit. Any difference is printed and
the exit code is 1.

Both versions run in the same invocation, so their latencies (the first pass over distinct
questions, wall clock and CPU time of the asking thread) are a same-run comparison; with
``--rounds N`` the asking is repeated N times per version in fresh processes, alternating
versions, and the median of each figure is reported.

The sets: news-dev (5,385 Reuters stories; its 104 questions and the first turns of
``bench/conversations/news-dev.jsonl``), SQuAD v1.1 dev (48 articles; its 10,570 questions and
``bench/unanswerable_squad.jsonl``), and a synthetic corpus made as ``bench.speed`` makes it
(``--synthetic`` passages, default 20,000; 1,000 SQuAD questions picked as ``bench.speed`` picks
them). ``--smoke`` uses the generated stand-ins of ``bench/news.py`` and ``bench/squad.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.analysis import checkout_index
from bench.common import REPO_ROOT, BenchError, latency_ms, machine, render_table, write_results
from bench.news import DEFAULT_NEWS, generated_news, load_news
from bench.news import write_corpus as write_news_corpus
from bench.squad import DEFAULT_SQUAD, generated_squad, generated_unanswerable, load_squad
from bench.squad import write_corpus as write_squad_corpus

CONVERSATIONS = Path(__file__).with_name("conversations") / "news-dev.jsonl"
UNANSWERABLE = Path(__file__).with_name("unanswerable_squad.jsonl")
SHOWN_DIFFERENCES = 5


# ---- the sets: a corpus dir and its questions, written once for both versions
def prepare_sets(args: argparse.Namespace, workdir: Path) -> dict[str, list[str]]:
    """Write each set's corpus under ``workdir/<set>/corpus``; return set -> questions."""
    sets: dict[str, list[str]] = {}
    if args.smoke:
        news = generated_news()
        write_news_corpus(news.articles, workdir / "news" / "corpus" / "news.jsonl")
        sets["news"] = [item.question for item in news.items]
        squad = generated_squad(articles=20)
        write_squad_corpus(squad.articles, workdir / "squad" / "corpus" / "squad.jsonl")
        sets["squad"] = [q.text for q in squad.questions] + generated_unanswerable(squad)
        return sets
    if args.news.is_dir():
        news = load_news(args.news)
        write_news_corpus(news.articles, workdir / "news-dev" / "corpus" / "news.jsonl")
        questions = [item.question for item in news.items]
        if CONVERSATIONS.is_file():
            for line in CONVERSATIONS.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    questions.append(json.loads(line)["turns"][0]["ask"])
        sets["news-dev"] = questions
    if args.squad.is_file():
        squad = load_squad(args.squad)
        write_squad_corpus(squad.articles, workdir / "squad" / "corpus" / "squad.jsonl")
        questions = [q.text for q in squad.questions]
        questions += [
            json.loads(line)["question"]
            for line in UNANSWERABLE.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        sets["squad"] = questions[: args.limit] if args.limit else questions
        if args.synthetic:
            sets["synthetic"] = write_synthetic(squad, args.synthetic, workdir / "synthetic")
    if not sets:
        raise BenchError(
            f"No news-dev at {args.news} and no SQuAD at {args.squad}. Pass --news/--squad, "
            "or use --smoke."
        )
    return sets


def write_synthetic(squad: Any, passages: int, folder: Path) -> list[str]:
    """bench.speed's corpus at ``passages`` engine passages, and its 1,000 measured questions."""
    from bench.speed import (
        WARMUP_QUERIES,
        Plan,
        build_pool,
        passages_per_paragraph,
        pick_questions,
        source_sentences,
        write_articles,
    )

    seed = 11
    pool = build_pool(source_sentences([p for a in squad.articles for p in a.paragraphs]), seed)
    paragraphs = max(1, round(passages / passages_per_paragraph(pool, seed)))
    write_articles(pool, paragraphs, folder / "corpus" / "corpus.jsonl", seed)
    plan = Plan([passages], 1000, WARMUP_QUERIES, passages, 0, 0, [], 0.0, False, seed)
    measured, _warmup = pick_questions([q.text for q in squad.questions], plan)
    return measured


# ---- one version (runs in a child process whose ``index`` package is that version's)
def index_sets(workdir: Path, tag: str, names: Sequence[str]) -> dict[str, Any]:
    """Per set, the data dir this version asks: the first version's, when this one opens it
    (the same stored format: then both search the very same index, and only the query code
    differs); otherwise its own, built from the same corpus files. Returns set -> {"data": dir
    name, "build_seconds": seconds or None}."""
    from index.engine import Engine, reindex_data_dir

    _one_indexing_thread()
    out: dict[str, Any] = {}
    for name in names:
        shared = workdir / name / "data"
        if shared.is_dir():
            engine = Engine.open(shared)
            engine.close()
            if not engine.needs_build:
                out[name] = {"data": shared.name, "build_seconds": None}
                continue
        own = shared if not shared.is_dir() else workdir / name / f"data-{tag}"
        if own.is_dir():  # built in an earlier round
            out[name] = {"data": own.name, "build_seconds": None}
            continue
        started = time.perf_counter()
        report, engine = reindex_data_dir(workdir / name / "corpus", own, full=True)
        engine.close()
        if not report.articles:
            raise BenchError(f"{tag} indexed nothing for {name}")
        out[name] = {"data": own.name, "build_seconds": round(time.perf_counter() - started, 2)}
    return out


def _one_indexing_thread() -> None:
    """Build with one tantivy indexing thread: documents then get the same ids in every build,
    so equal scores come in the same order from two versions' indexes (with several threads
    they may not, and a tie at the cut of the top passages can change a quote's passage)."""
    from index.backends import tantivy_backend

    heap = tantivy_backend._WRITER_HEAP

    def open_writer(self: Any) -> Any:
        if self._writer is None:
            self._writer = self._index.writer(heap_size=heap, num_threads=1)
        return self._writer

    tantivy_backend.TantivyBackend._open_writer = open_writer  # type: ignore[method-assign]


def ask_all(workdir: Path, data: dict[str, Any], sets: dict[str, list[str]]) -> dict[str, Any]:
    """Every question of every set once, in order: the answers, the search hits, the latencies."""
    from index.engine import Engine
    from index.errors import BadInput

    out: dict[str, Any] = {}
    for name, questions in sets.items():
        engine = Engine.open(workdir / name / data[name]["data"])
        if engine.needs_build:
            raise BenchError(f"the index of {name} did not open ({engine.reason})")
        answers, wall, cpu = [], [], []
        for question in questions:
            started, started_cpu = time.perf_counter(), time.thread_time()
            answer = engine.ask(question, 3)
            wall.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - started_cpu)
            answers.append(answer.model_dump(mode="json"))
        hits: list[Any] = []
        for question in questions:
            try:
                hits.append([h.model_dump(mode="json") for h in engine.search(question, 10)])
            except BadInput as err:
                hits.append(str(err))
        engine.close()
        cpu_ms = latency_ms(cpu)
        out[name] = {
            "answers": answers,
            "hits": hits,
            "ask": {
                **latency_ms(wall),
                "cpu_p50_ms": cpu_ms["p50_ms"],
                "cpu_p99_ms": cpu_ms["p99_ms"],
            },
        }
    return out


def _child_main(job_path: str, result_path: str) -> None:
    """Entry point of a version's child process (``index`` resolves to that version's)."""
    job = pickle.loads(Path(job_path).read_bytes())
    workdir, tag, sets = Path(job["workdir"]), job["tag"], job["sets"]
    data = index_sets(workdir, tag, list(sets))
    result = {"data": data, "sets": ask_all(workdir, data, sets)}
    Path(result_path).write_bytes(pickle.dumps(result))


def run_version(
    index_root: Path, workdir: Path, tag: str, sets: dict[str, list[str]], rnd: int
) -> dict[str, Any]:
    job_path = workdir / f"job-{tag}-{rnd}.pkl"
    result_path = workdir / f"result-{tag}-{rnd}.pkl"
    job_path.write_bytes(pickle.dumps({"workdir": str(workdir), "tag": tag, "sets": sets}))
    code = (
        "import sys; "
        f"sys.path[:0] = [{str(index_root)!r}, {str(REPO_ROOT)!r}]; "
        "from bench.same_answers import _child_main; "
        f"_child_main({str(job_path)!r}, {str(result_path)!r})"
    )
    # PYTHONPATH too: the reindex workers come from a forkserver, a fresh interpreter that
    # imports the engine before it takes the parent's sys.path (Python 3.11 ignores it there).
    path = os.pathsep.join([str(index_root), str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])
    # One hash seed for both: the speech analysis of a few texts depends on the order of a set
    # of strings (SQuAD's "French and Indian War" names a speaker "British" under some seeds,
    # "French" under others), which is no difference between the versions.
    env = {**os.environ, "PYTHONPATH": path.rstrip(os.pathsep), "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-c", code], cwd=workdir, env=env, check=False)
    if done.returncode != 0:
        raise BenchError(f"{tag} failed (exit code {done.returncode})")
    return pickle.loads(result_path.read_bytes())


# ---- comparing and reporting
def differences(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, list[int]]]:
    """set -> {"answers": indexes of questions answered differently, "hits": … searched}."""
    out = {}
    for name, result in new["sets"].items():
        before = old["sets"][name]
        pairs = list(zip(before["answers"], result["answers"], strict=True))
        hit_pairs = list(zip(before["hits"], result["hits"], strict=True))
        out[name] = {
            "answers": [i for i, (a, b) in enumerate(pairs) if a != b],
            "hits": [i for i, (a, b) in enumerate(hit_pairs) if _ties(a) != _ties(b)],
        }
    return out


def _ties(hits: Any) -> Any:
    """Search hits with equal scores in passage order: two separately built tantivy indexes
    (several indexing threads) may order equal scores differently, which is no difference of
    the query code."""
    if isinstance(hits, str):
        return hits
    return sorted(hits, key=lambda h: (-h["score"], h["passage_id"]))


def _hit_keys(hits: Any) -> Any:
    """Search hits, shortened to what tells them apart at a glance."""
    if isinstance(hits, str):
        return hits
    return [(h["passage_id"], h["score"], h["start"], h["end"]) for h in hits]


def median_figures(rounds: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """set -> median over the rounds of each latency figure."""
    names = rounds[0]["sets"]
    return {
        name: {
            key: round(statistics.median(r["sets"][name]["ask"][key] for r in rounds), 3)
            for key in ("p50_ms", "p99_ms", "mean_ms", "cpu_p50_ms", "cpu_p99_ms")
        }
        for name in names
    }


def latency_table(old_tag: str, old: dict, new: dict, sets: dict[str, list[str]]) -> str:
    rows = []
    for name in sets:
        a, b = old[name], new[name]
        rows.append(
            [
                name,
                len(sets[name]),
                f"{a['p50_ms']} / {a['p99_ms']}",
                f"{b['p50_ms']} / {b['p99_ms']}",
                round(b["p99_ms"] / a["p99_ms"], 3) if a["p99_ms"] else None,
                f"{a['cpu_p50_ms']} / {a['cpu_p99_ms']}",
                f"{b['cpu_p50_ms']} / {b['cpu_p99_ms']}",
                round(b["cpu_p99_ms"] / a["cpu_p99_ms"], 3) if a["cpu_p99_ms"] else None,
            ]
        )
    return render_table(
        [
            "set",
            "questions",
            f"{old_tag} p50 / p99 ms",
            "this tree p50 / p99 ms",
            "p99 ratio",
            f"{old_tag} CPU p50 / p99",
            "this tree CPU p50 / p99",
            "CPU p99 ratio",
        ],
        rows,
    )


def run(args: argparse.Namespace, say: Callable[[str], None] = print) -> tuple[dict, int]:
    with tempfile.TemporaryDirectory(prefix="newsbot-same-") as tmp:
        workdir = Path(tmp)
        sets = prepare_sets(args, workdir)
        say("sets: " + ", ".join(f"{name} ({len(qs):,} questions)" for name, qs in sets.items()))
        versions = {
            args.against: checkout_index(args.against, workdir / "old"),
            "this tree": REPO_ROOT,
        }
        rounds: dict[str, list[dict[str, Any]]] = {tag: [] for tag in versions}
        for rnd in range(args.rounds):
            # The first round starts with REV, so its data dirs are the ones both try first.
            order = list(versions) if rnd % 2 == 0 else list(reversed(versions))
            for tag in order:
                safe = "old" if tag == args.against else "new"
                say(f"round {rnd + 1}: {tag}…")
                rounds[tag].append(run_version(versions[tag], workdir, safe, sets, rnd))
    old, new = rounds[args.against][0], rounds["this tree"][0]
    diff = differences(old, new)
    # Each version must also agree with itself from round to round (a race would show here).
    unstable = {
        tag: [
            name for r in runs[1:] for name, d in differences(runs[0], r).items() if any(d.values())
        ]
        for tag, runs in rounds.items()
    }
    for name, d in diff.items():
        shared = old["data"][name]["data"] == new["data"][name]["data"]
        say(f"{name}: {'one index for both' if shared else 'each version built its own index'}")
        same_answers = len(sets[name]) - len(d["answers"])
        same_hits = len(sets[name]) - len(d["hits"])
        say(
            f"{name}: identical answers {same_answers:,} of {len(sets[name]):,}, "
            f"identical search hits {same_hits:,} of {len(sets[name]):,}"
        )
        for i in d["answers"][:SHOWN_DIFFERENCES]:
            say(f"  differs: {sets[name][i]!r}")
            say(f"    {args.against}: {json.dumps(old['sets'][name]['answers'][i])[:600]}")
            say(f"    this tree: {json.dumps(new['sets'][name]['answers'][i])[:600]}")
        for i in d["hits"][:SHOWN_DIFFERENCES]:
            say(f"  search differs: {sets[name][i]!r}")
            say(f"    {args.against}: {_hit_keys(old['sets'][name]['hits'][i])}")
            say(f"    this tree: {_hit_keys(new['sets'][name]['hits'][i])}")
    for tag, names in unstable.items():
        if names:
            say(f"{tag} answered differently between rounds in: {', '.join(sorted(set(names)))}")
    figures = {tag: median_figures(runs) for tag, runs in rounds.items()}
    say("")
    say(f"First pass over the questions, each asked once (median of {args.rounds} round(s)):")
    say(latency_table(args.against, figures[args.against], figures["this tree"], sets))
    results = {
        "kind": "same_answers",
        "machine": machine(),
        "against": args.against,
        "rounds": args.rounds,
        "questions": {name: len(qs) for name, qs in sets.items()},
        "indexes": {tag: runs[0]["data"] for tag, runs in rounds.items()},
        "differing_answers": {name: d["answers"] for name, d in diff.items()},
        "differing_hits": {name: d["hits"] for name, d in diff.items()},
        "unstable": unstable,
        "latency": figures,
    }
    failed = any(d["answers"] or d["hits"] for d in diff.values()) or any(unstable.values())
    return results, 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.same_answers", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--against", metavar="REV", required=True, help="a git revision")
    parser.add_argument("--rounds", type=int, default=1, help="asking rounds per version")
    parser.add_argument("--smoke", action="store_true", help="generated sets (no ../shared)")
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS, help="the news-dev folder")
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD, help="SQuAD v1.1 JSON(.gz)")
    parser.add_argument("--limit", type=int, help="the first N SQuAD questions only")
    parser.add_argument(
        "--synthetic", type=int, default=20_000, help="passages of the synthetic set (0: none)"
    )
    parser.add_argument("--results-dir", type=Path, help="where the JSON goes (bench/results)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.rounds < 1:
        print("bench.same_answers: --rounds must be at least 1", file=sys.stderr)
        return 2
    try:
        results, code = run(args)
    except BenchError as err:
        print(f"bench.same_answers: {err}", file=sys.stderr)
        return 2
    path = write_results(
        "same-answers-smoke" if args.smoke else "same-answers", results, args.results_dir
    )
    print(f"\nresults: {path}; {'DIFFERENT' if code else 'identical'}")
    return code


if __name__ == "__main__":
    sys.exit(main())
