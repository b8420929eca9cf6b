"""SciFact as BEIR evaluates it (test split), and nDCG@10.

BEIR's scifact test set is the 300 claims of ``claims_validation.csv`` as queries, judged by
``qrels/test.tsv``, over the 5,183 abstracts of ``corpus_train.csv`` (see the data README). A
document is its title and its abstract, as BEIR indexes it.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import math
import random
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import SHARED_DATA, BenchError

DEFAULT_SCIFACT = SHARED_DATA / "scifact"


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str

    @property
    def full_text(self) -> str:
        """Title, blank line, abstract: what both the engine and the baseline index."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text


@dataclass(frozen=True)
class RetrievalSet:
    documents: tuple[Document, ...]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    source: str = ""

    def split(self, name: str) -> RetrievalSet:
        """The *tune* half (even query ids) or the *report* half (odd); ``all`` keeps all.
        Every document stays: only the queries are split."""
        if name == "all":
            return self
        parity = 0 if name == "tune" else 1
        kept = [q for q in self.qrels if _number(q) % 2 == parity]
        return RetrievalSet(
            documents=self.documents,
            queries={q: self.queries[q] for q in kept if q in self.queries},
            qrels={q: self.qrels[q] for q in kept},
            source=f"{self.source} ({name} half)",
        )

    def subset(self, queries: int, distractors: int, seed: int = 5) -> RetrievalSet:
        """``queries`` judged queries, their relevant documents and ``distractors`` others."""
        rng = random.Random(seed)
        picked = sorted(rng.sample(sorted(self.qrels), min(queries, len(self.qrels))))
        wanted = {d for q in picked for d in self.qrels[q]}
        others = [d.id for d in self.documents if d.id not in wanted]
        wanted |= set(rng.sample(others, min(distractors, len(others))))
        return RetrievalSet(
            documents=tuple(d for d in self.documents if d.id in wanted),
            queries={q: self.queries[q] for q in picked},
            qrels={q: self.qrels[q] for q in picked},
            source=f"{self.source} (subset: {len(picked)} queries)",
        )


def _number(query_id: str) -> int:
    digits = "".join(ch for ch in query_id if ch.isdigit())
    return int(digits) if digits else sum(map(ord, query_id))


def load_scifact(folder: Path) -> RetrievalSet:
    folder = Path(folder)
    archive, qrels_path = folder / "scifact.zip", folder / "qrels" / "test.tsv"
    for needed in (archive, qrels_path):
        if not needed.is_file():
            raise BenchError(
                f"No {needed.name} at {needed}. Pass --scifact DIR holding scifact.zip and "
                "qrels/test.tsv (or --no-scifact)."
            )
    try:
        with zipfile.ZipFile(archive) as zf:
            corpus = _csv_rows(zf, "corpus_train.csv")
            claims = _csv_rows(zf, "claims_validation.csv")
        documents = tuple(
            Document(
                id=row["doc_id"].strip(),
                title=row["title"].strip(),
                text=" ".join(s.strip() for s in ast.literal_eval(row["abstract"])),
            )
            for row in corpus
        )
        queries = {row["id"].strip(): row["claim"].strip() for row in claims}
        qrels: dict[str, dict[str, int]] = {}
        with qrels_path.open(encoding="utf-8") as handle:
            lines = handle.read().splitlines()[1:]  # header: query-id, corpus-id, score
        for line in lines:
            if line.strip():
                query_id, doc_id, score = line.split("\t")
                qrels.setdefault(query_id.strip(), {})[doc_id.strip()] = int(score)
    except (OSError, KeyError, ValueError, SyntaxError, zipfile.BadZipFile) as err:
        raise BenchError(
            f"{folder} does not hold the SciFact files described there ({err})."
        ) from err
    missing = [q for q in qrels if q not in queries]
    if missing:
        raise BenchError(f"{len(missing)} qrels queries have no claim text, e.g. {missing[0]}.")
    return RetrievalSet(documents, {q: queries[q] for q in qrels}, qrels, source=str(folder))


def _csv_rows(zf: zipfile.ZipFile, member: str) -> list[dict[str, str]]:
    with zf.open(member) as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))


def retrieval_from_squad(articles: Iterable, questions: Iterable) -> RetrievalSet:
    """A stand-in when SciFact is absent: SQuAD-shaped paragraphs as documents."""
    documents, queries, qrels = [], {}, {}
    for a, article in enumerate(articles):
        for p, paragraph in enumerate(article.paragraphs):
            documents.append(Document(id=f"{a}-{p}", title=article.title, text=paragraph))
    for question in questions:
        queries[question.id] = question.text
        qrels[question.id] = {f"{question.article}-{question.paragraph}": 1}
    return RetrievalSet(tuple(documents), queries, qrels, source="generated stand-in")


def write_corpus(documents: Iterable[Document], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for doc in documents:
            # The title goes into the text as well: BEIR indexes title + abstract.
            line = {"id": doc.id, "title": doc.title or doc.id, "text": doc.full_text}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with graded gains ``rel`` and discount ``1/log2(rank+1)`` (as trec_eval)."""
    dcg = sum(relevant.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], 1))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    wanted = {d for d, rel in relevant.items() if rel > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0
