"""What the index-time analysis costs, stage by stage, and whether a change kept it identical.

    python -m bench.analysis                      # news-dev, SQuAD dev, 2,000 synthetic articles
    python -m bench.analysis --against 0c040b2    # … and the same in that commit, compared
    python -m bench.analysis --smoke              # generated texts only: seconds, no ../shared

Every stage of ``index.build.encode_article`` (what a reindex worker does per article) is timed
in CPU seconds over a whole corpus and reported as **passages per CPU-second**: the whole
``encode_article`` (analysis + passages + the compressed stored form), first with the memos cold
(``encode_cold``, as a reindex worker starts), then warm (``encode_article``, as a worker runs
after its first few thousand articles); then its stages: segmentation, the analyzer's terms per
sentence, the speech analysis (quotations, reported speech, people), ``analyse_article`` as a
whole, and the compressed stored form (``encode_body``).

``--against REV`` runs the same measurement on ``REV``'s ``index/`` package (``git archive``, in
a child process, so both versions start cold) and compares the output for every article: the
passages, their layout and terms, the stored text + analysis (decompressed) and ``repr`` of the
``ArticleAnalysis`` (every field, types included). Any difference is printed and the exit code is
1: a performance change must not change what the analysis computes. Both versions run in the
same invocation, so the speed ratio is a same-run ratio.

The corpora: news-dev's 5,385 Reuters stories (``../shared/data/news-dev``), the 2,067 SQuAD
dev paragraphs, and synthetic 10-paragraph articles made of SQuAD sentences exactly as
``bench.speed`` makes its corpus (a different seed). ``--smoke`` uses generated news-like texts
instead (``bench/news.py: generated_news``).
"""

from __future__ import annotations

import argparse
import gzip
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

from bench.common import REPO_ROOT, SHARED_DATA, BenchError, machine, render_table, write_results

DEFAULT_NEWS = SHARED_DATA / "news-dev" / "articles.jsonl.gz"
STAGES = (
    "encode_cold",
    "encode_article",
    "segment",
    "terms",
    "speech",
    "analyse_article",
    "encode_body",
)


# ---- the corpora
def load_corpora(args: argparse.Namespace) -> dict[str, list[str]]:
    """name -> texts."""
    if args.smoke:
        from bench.news import generated_news
        from bench.squad import generated_squad

        news = [str(a["text"]) for a in generated_news().articles]
        squad = [p for a in generated_squad(articles=20).articles for p in a.paragraphs]
        return {"generated news": news * 50, "generated paragraphs": squad}
    corpora: dict[str, list[str]] = {}
    if args.news.is_file():
        with gzip.open(args.news, "rt", encoding="utf-8") as fh:
            corpora["news-dev"] = [json.loads(line)["text"] for line in fh if line.strip()]
    if args.squad.is_file():
        from bench.squad import load_squad

        squad = load_squad(args.squad)
        corpora["squad"] = [p for article in squad.articles for p in article.paragraphs]
        if args.synthetic:
            corpora["synthetic"] = synthetic_articles(corpora["squad"], args.synthetic)
    if not corpora:
        raise BenchError(
            f"No news-dev at {args.news} and no SQuAD at {args.squad}. Pass --news/--squad, "
            "or use --smoke."
        )
    return corpora


def synthetic_articles(paragraphs: list[str], count: int, seed: int = 23) -> list[str]:
    """Articles as bench.speed writes them (10 paragraphs of 2–4 pool sentences)."""
    from bench.speed import (
        PARAGRAPHS_PER_ARTICLE,
        build_pool,
        passage_plan,
        plan_rows,
        source_sentences,
    )

    pool = build_pool(source_sentences(paragraphs), seed=seed)
    plan = passage_plan(count * PARAGRAPHS_PER_ARTICLE, len(pool.texts), seed)
    rows = [" ".join(pool.texts[i] for i in row) for row in plan_rows(plan)]
    step = PARAGRAPHS_PER_ARTICLE
    return ["\n\n".join(rows[i : i + step]) for i in range(0, len(rows), step)]


# ---- one version's measurement (runs in a child process for --against)
def measure(corpora: dict[str, list[str]], with_outputs: bool) -> dict[str, Any]:
    """Stage CPU seconds and passages per corpus; the outputs too when asked."""
    return {name: measure_corpus(texts, with_outputs) for name, texts in corpora.items()}


def measure_corpus(texts: list[str], with_outputs: bool) -> dict[str, Any]:
    from index.analysis import analyse_article
    from index.analyze import Analyzer
    from index.build import encode_article
    from index.models import Article
    from index.passages import ChunkConfig
    from index.segment import paragraph_spans, sentence_spans
    from index.speech import analyse_speech
    from index.store import decode_body, encode_body

    analyzer, chunking = Analyzer(), ChunkConfig()
    articles = [Article.model_construct(text=t, language="en") for t in texts]
    seconds: dict[str, float] = {}

    def timed(stage: str, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        started = time.process_time()
        result = [fn(item) for item in items]
        seconds[stage] = time.process_time() - started
        return result

    def encode(text: str) -> Any:
        return encode_article(1, text, "en", analyzer, chunking)

    # First with the memos cold (the analyzer's, the speech analysis' names), as a reindex
    # worker starts; then again, warm, as a worker runs after its first few thousand articles.
    encoded = timed("encode_cold", encode, texts)
    timed("encode_article", encode, texts)
    timed("segment", lambda t: (paragraph_spans(t), sentence_spans(t)), texts)
    spans = [(t, sentence_spans(t)) for t in texts]
    timed("terms", lambda pair: [analyzer.tokens(pair[0][s:e]) for s, e in pair[1]], spans)
    timed("speech", analyse_speech, texts)
    analyses = timed("analyse_article", lambda a: analyse_article(a, analyzer), articles)
    timed("encode_body", lambda pair: encode_body(*pair), list(zip(texts, analyses, strict=True)))
    result: dict[str, Any] = {
        "articles": len(texts),
        "passages": sum(e.passages for e in encoded),
        "seconds": seconds,
    }
    if with_outputs:
        result["outputs"] = [
            (e.passages, e.layout, decode_body(e.body), e.bodies, repr(a))
            for e, a in zip(encoded, analyses, strict=True)
        ]
    return result


def _child_main(corpora_path: str, result_path: str) -> None:
    """Entry point of the child process (``index`` resolves to the version on sys.path[0])."""
    corpora = pickle.loads(Path(corpora_path).read_bytes())
    result = measure(corpora, with_outputs=True)
    Path(result_path).write_bytes(pickle.dumps(result))


def measure_in_child(corpora_path: Path, index_root: Path, workdir: Path, tag: str) -> dict:
    """``measure`` in a fresh interpreter whose ``index`` package is the one under
    ``index_root`` (this repository's ``bench`` package stays importable)."""
    result_path = workdir / f"result-{tag}.pkl"
    code = (
        "import sys; "
        f"sys.path[:0] = [{str(index_root)!r}, {str(REPO_ROOT)!r}]; "
        "from bench.analysis import _child_main; "
        f"_child_main({str(corpora_path)!r}, {str(result_path)!r})"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=workdir, check=False)
    if done.returncode != 0:
        raise BenchError(f"measuring {tag} failed (exit code {done.returncode})")
    return pickle.loads(result_path.read_bytes())


def checkout_index(rev: str, target: Path) -> Path:
    """``rev``'s ``index/`` package under ``target``."""
    archive = subprocess.run(
        ["git", "archive", rev, "index"], cwd=REPO_ROOT, capture_output=True, check=False
    )
    if archive.returncode != 0:
        raise BenchError(f"git archive {rev} failed: {archive.stderr.decode().strip()}")
    target.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


# ---- comparing and reporting
def differences(old: dict, new: dict) -> dict[str, list[int]]:
    """corpus -> indexes of the articles whose output differs."""
    out = {}
    for name, result in new.items():
        pairs = zip(old[name]["outputs"], result["outputs"], strict=True)
        out[name] = [i for i, (a, b) in enumerate(pairs) if a != b]
    return out


def rates(result: dict) -> dict[str, float]:
    """Passages per CPU-second of each stage."""
    passages = result["passages"]
    return {s: round(passages / max(result["seconds"][s], 1e-9)) for s in STAGES}


def table(runs: dict[str, dict]) -> str:
    rows = []
    for label, result in runs.items():
        for name, r in result.items():
            rows.append([label, name, r["articles"], r["passages"], *rates(r).values()])
    return "Passages per CPU-second (median of the runs)\n" + render_table(
        ["code", "corpus", "articles", "passages", *STAGES], rows
    )


def median_runs(results: Sequence[dict]) -> dict:
    """One result with the median seconds of each stage over ``results``."""
    merged: dict[str, Any] = {}
    for name, first in results[0].items():
        seconds = {
            stage: statistics.median(r[name]["seconds"][stage] for r in results) for stage in STAGES
        }
        merged[name] = {**{k: v for k, v in first.items() if k != "outputs"}, "seconds": seconds}
        if "outputs" in first:
            merged[name]["outputs"] = first["outputs"]
    return merged


def run(args: argparse.Namespace, say: Callable[[str], None] = print) -> tuple[dict, int]:
    corpora = load_corpora(args)
    say(
        "corpora: "
        + ", ".join(f"{name} ({len(texts):,} texts)" for name, texts in corpora.items())
        + f"; {args.runs} run(s) each; load average {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory(prefix="newsbot-analysis-") as tmp:
        workdir = Path(tmp)
        corpora_path = workdir / "corpora.pkl"
        corpora_path.write_bytes(pickle.dumps(corpora))
        versions = {"this tree": REPO_ROOT}
        if args.against:
            versions = {args.against: checkout_index(args.against, workdir / "old"), **versions}
        results: dict[str, list[dict]] = {label: [] for label in versions}
        for n in range(args.runs):
            for label, root in versions.items():  # interleaved: load changes hit both alike
                results[label].append(measure_in_child(corpora_path, root, workdir, f"{n}"))
        merged = {label: median_runs(rs) for label, rs in results.items()}
    say(table(merged))
    summary: dict[str, Any] = {
        "kind": "analysis",
        "machine": machine(),
        "load_average_end": round(os.getloadavg()[0], 2),
        "runs": args.runs,
        "rates": {label: {n: rates(r) for n, r in m.items()} for label, m in merged.items()},
    }
    status = 0
    if args.against:
        old, new = merged[args.against], merged["this tree"]
        summary["speedup"] = {
            name: {
                s: round(old[name]["seconds"][s] / max(new[name]["seconds"][s], 1e-9), 2)
                for s in STAGES
            }
            for name in new
        }
        say("\nSpeed-up (CPU seconds before ÷ after, same run)")
        for name, ups in summary["speedup"].items():
            say(f"  {name}: " + ", ".join(f"{s} ×{v}" for s, v in ups.items()))
        diff = differences(old, new)
        summary["differing_articles"] = {name: len(d) for name, d in diff.items()}
        for name, indexes in diff.items():
            say(
                f"identity {name}: {len(new[name]['outputs']) - len(indexes):,} of "
                f"{len(new[name]['outputs']):,} articles identical"
            )
            for i in indexes[:3]:
                say(f"  article {i} differs: {corpora[name][i][:120]!r}…")
        status = 1 if any(diff.values()) else 0
    return summary, status


def build_parser() -> argparse.ArgumentParser:
    from bench.squad import DEFAULT_SQUAD

    parser = argparse.ArgumentParser(
        prog="python -m bench.analysis", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--against", metavar="REV", help="compare with this git revision")
    parser.add_argument("--runs", type=int, default=3, help="runs per version (median; default 3)")
    parser.add_argument(
        "--news", type=Path, default=DEFAULT_NEWS, help="news-dev articles.jsonl.gz"
    )
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD, help="SQuAD v1.1 JSON(.gz)")
    parser.add_argument(
        "--synthetic", type=int, default=2000, help="synthetic articles (0: none; default 2000)"
    )
    parser.add_argument("--smoke", action="store_true", help="generated texts only")
    parser.add_argument("--results-dir", type=Path, help="where the JSON goes (bench/results)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        summary, status = run(args)
    except BenchError as err:
        print(f"bench.analysis: {err}", file=sys.stderr)
        return 2
    path = write_results("analysis-smoke" if args.smoke else "analysis", summary, args.results_dir)
    print(f"\nresults: {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
