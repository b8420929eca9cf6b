"""rank-bm25's ``BM25Okapi``: the reference BM25, and a backend for small corpora.

It has no persistence and no incremental update: the engine refills it from the stored passages
when it opens, and every commit rebuilds the model. Scoring is O(passages) in Python per query term,
so it suits a few thousand passages (see the README's benchmark figures).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

import numpy as np
from rank_bm25 import BM25Okapi

from index.backends import IndexDoc


class RankBM25Backend:
    name = "rank-bm25"
    persistent = False

    def __init__(self) -> None:
        self._docs: dict[int, tuple[str, list[str]]] = {}
        self._pending_add: list[IndexDoc] = []
        self._pending_delete: set[str] = set()
        self._lock = threading.Lock()
        self._model: BM25Okapi | None = None
        self._pids: list[int] = []
        self._postings: dict[str, list[int]] = {}

    def add(self, docs: Iterable[IndexDoc]) -> None:
        with self._lock:
            self._pending_add.extend(
                (pid, aid, toks.split() if isinstance(toks, str) else list(toks))
                for pid, aid, toks in docs
            )

    def delete(self, article_ids: Iterable[str]) -> None:
        with self._lock:
            self._pending_delete.update(article_ids)

    def commit(self) -> None:
        with self._lock:
            if self._pending_delete:
                self._docs = {
                    pid: doc
                    for pid, doc in self._docs.items()
                    if doc[0] not in self._pending_delete
                }
            for pid, article_id, tokens in self._pending_add:
                self._docs[pid] = (article_id, list(tokens))
            self._pending_add, self._pending_delete = [], set()
            pids = sorted(self._docs)
            corpus = [self._docs[pid][1] for pid in pids]
            # BM25Okapi divides by the corpus size: an empty corpus has no model at all.
            self._model = BM25Okapi(corpus) if corpus else None
            self._pids = pids
            postings: dict[str, list[int]] = {}
            for row, tokens in enumerate(corpus):
                for token in set(tokens):
                    postings.setdefault(token, []).append(row)
            self._postings = postings

    def search(self, tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        model, pids = self._model, self._pids
        if model is None or not tokens or k <= 0:
            return []
        # Rank only passages that hold a query term, as an inverted index would: BM25Okapi gives
        # terms found in over half the passages a negative idf, so a non-matching passage (score
        # 0) could otherwise outrank a matching one.
        rows = sorted({row for t in set(tokens) for row in self._postings.get(t, ())})
        if not rows:
            return []
        scores = model.get_scores(list(tokens))[rows]
        k = min(k, len(rows))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(pids[rows[i]], float(scores[i])) for i in top]

    def doc_freq(self, token: str) -> int:
        return len(self._postings.get(token, ()))

    @property
    def num_docs(self) -> int:
        return len(self._pids)

    def close(self) -> None:
        self._model = None
