"""tantivy (the Rust search engine's official Python bindings), fed pre-analysed tokens.

The text field uses tantivy's ``whitespace`` tokenizer, so the terms tantivy indexes are exactly
the project's analyzer output joined by spaces. Commits are atomic (tantivy's meta.json swap) and
segments are immutable files, which is what the store's hard-link snapshots rely on.

tantivy reports some damage (a garbled segment file) by panicking in Rust; pyo3 raises that as
``PanicException``, which derives from ``BaseException`` and so passes ``except Exception``. Every
call into tantivy here turns a panic or a tantivy error into :class:`DamagedIndex`.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import tantivy

from index.backends import IndexDoc
from index.store import DamagedIndex

T = TypeVar("T")


@contextlib.contextmanager
def _damage_reported(what: str) -> Iterator[None]:
    try:
        yield
    except (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError):
        raise
    except DamagedIndex:
        raise
    except BaseException as err:  # pyo3's PanicException is a BaseException
        raise DamagedIndex(
            f"the search index failed to {what} ({type(err).__name__}: {err})"
        ) from None


def _guarded(what: str, fn: Callable[[], T]) -> T:
    with _damage_reported(what):
        return fn()


_WRITER_HEAP = 128_000_000


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    # "freq" (no positions): BM25 needs term frequencies only; positions would double the index.
    builder.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    builder.add_unsigned_field("pid", stored=False, fast=True, indexed=False)
    builder.add_text_field("article", tokenizer_name="raw", index_option="basic")
    return builder.build()


class TantivyBackend:
    name = "tantivy"
    persistent = True

    def __init__(self, path: Path | None, *, create: bool = True) -> None:
        self._schema = _schema()
        with _damage_reported("open"):
            if path is not None and not create:
                if not (path / "meta.json").is_file():
                    raise DamagedIndex(f"the search index in {path} is missing its meta.json")
                self._index = tantivy.Index.open(str(path))
            elif path is not None:
                path.mkdir(parents=True, exist_ok=True)
                self._index = tantivy.Index(self._schema, path=str(path), reuse=True)
            else:
                self._index = tantivy.Index(self._schema)
            self._searcher = self._index.searcher()
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()

    def _open_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self._index.writer(heap_size=_WRITER_HEAP, num_threads=0)
        return self._writer

    def add(self, docs: Iterable[IndexDoc]) -> None:
        with self._lock:
            writer = self._open_writer()
            for pid, article_id, tokens in docs:
                doc = tantivy.Document()
                doc.add_text("body", tokens if isinstance(tokens, str) else " ".join(tokens))
                doc.add_unsigned("pid", pid)
                doc.add_text("article", article_id)
                writer.add_document(doc)

    def delete(self, article_ids: Iterable[str]) -> None:
        with self._lock:
            writer = self._open_writer()
            for article_id in article_ids:
                writer.delete_documents_by_term("article", article_id)

    def commit(self) -> None:
        with self._lock:
            if self._writer is None:
                return
            with _damage_reported("commit"):
                self._writer.commit()
                self._writer.wait_merging_threads()
                self._writer = None
                self._index.reload()
                self._searcher = self._index.searcher()

    def search(self, tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        if not tokens or k <= 0:
            return []
        searcher = self._searcher
        clauses = []
        for token, count in Counter(tokens).items():
            query = tantivy.Query.term_query(self._schema, "body", token)
            if count > 1:
                query = tantivy.Query.boost_query(query, float(count))
            clauses.append((tantivy.Occur.Should, query))
        with _damage_reported("search"):
            hits = searcher.search(tantivy.Query.boolean_query(clauses), k).hits
            if not hits:
                return []
            pids = searcher.fast_field_values("pid", [addr for _, addr in hits])
        # Every document has a pid, so the fast field is never None here.
        return [
            (int(pid), float(score))  # type: ignore[arg-type]
            for (score, _), pid in zip(hits, pids, strict=True)
        ]

    def doc_freq(self, token: str) -> int:
        return _guarded("read a term", lambda: int(self._searcher.doc_freq("body", token)))

    @property
    def num_docs(self) -> int:
        return _guarded("count documents", lambda: int(self._searcher.num_docs))

    def close(self) -> None:
        with self._lock:
            writer, self._writer = self._writer, None
            if writer is not None:
                # Uncommitted work is dropped with the writer; a failing rollback must not mask
                # the error that brought us here.
                with contextlib.suppress(DamagedIndex):
                    _guarded("roll back", writer.rollback)
