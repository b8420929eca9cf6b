"""The search backend seam: one small protocol, several engines behind it.

A backend indexes passages as *already analysed* tokens (the project's own analyzer runs first, so
every backend sees the same terms) and answers top-k BM25 queries over them. ``tantivy`` is the
default; ``rank-bm25`` is the user's reference library, fine for a few thousand passages. A
distributed engine (e.g. OpenSearch) would plug in here by implementing the same protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

# (internal passage number, article id, analysed tokens). The tokens may also come as one string,
# already joined by single spaces (what the reindex produces).
IndexDoc = tuple[int, str, Sequence[str] | str]

ENGINES = ("tantivy", "rank-bm25")


class Backend(Protocol):
    name: str
    #: True when the backend keeps its own index on disk; otherwise the engine refills it from the
    #: stored passages every time it is opened.
    persistent: bool

    def add(self, docs: Iterable[IndexDoc]) -> None: ...

    def delete(self, article_ids: Iterable[str]) -> None: ...

    def commit(self) -> None:
        """Make every add/delete so far visible to search, atomically and durably."""

    def search(self, tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        """Top-k (passage number, BM25 score), best first; duplicate tokens count as query tf."""

    def doc_freq(self, token: str) -> int: ...

    @property
    def num_docs(self) -> int: ...

    def close(self) -> None: ...


def open_backend(name: str, path: Path | None, *, create: bool = True) -> Backend:
    """Open (or, with ``create``, create) the backend ``name`` stored under ``path`` (ignored
    when not persistent)."""
    if name == "tantivy":
        from index.backends.tantivy_backend import TantivyBackend

        return TantivyBackend(path, create=create)
    if name == "rank-bm25":
        from index.backends.rank_bm25_backend import RankBM25Backend

        return RankBM25Backend()
    raise ValueError(f"Unknown engine '{name}'; choose one of: {', '.join(ENGINES)}")
