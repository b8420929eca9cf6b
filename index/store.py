"""The data dir: generations of (passage store + search index), switched atomically.

Layout::

    data_dir/
      CURRENT              name of the live generation (replaced atomically)
      .lock                held (flock) by the process that is writing a new generation
      gen-000007/
        manifest.json      format, analyzer and chunking fingerprints, engine, counts
        store.sqlite       articles and passages (with their analysed tokens)
        tantivy/           the tantivy index (absent for the rank-bm25 engine)

A reindex writes ``gen-N.tmp`` (an incremental one starts from a copy of the live store and hard
links of tantivy's immutable segment files), fsyncs it, renames it to ``gen-N`` and only then
replaces ``CURRENT``. A crash at any moment leaves ``CURRENT`` naming a complete generation; the
debris of an unfinished one is removed on the next reindex.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from index.errors import Busy, NewsbotError
from index.models import Article, ArticleSummary, Passage, Span

FORMAT_VERSION = 1
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
STORE = "store.sqlite"
TANTIVY = "tantivy"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    json TEXT NOT NULL,
    published TEXT,
    added_seq INTEGER NOT NULL,
    passages INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    pid INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    sentences TEXT NOT NULL,
    tokens TEXT NOT NULL,
    UNIQUE (article_id, ordinal)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class StoreError(NewsbotError):
    """The data dir cannot be used (unwritable, corrupt beyond recovery)."""


@dataclass(frozen=True, slots=True)
class StoredPassage:
    pid: int
    article_id: str
    ordinal: int
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves either the old or the new content."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


class PassageStore:
    """Articles and passages of one generation, in SQLite (stdlib, transactional, random access)."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self._readonly = readonly
        self._local = threading.local()
        self._next_seq: int | None = None
        if not readonly:
            with self._conn() as conn:
                conn.executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        # One connection per thread: readers run in worker threads, sqlite3 objects are not shared.
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self._readonly:
                conn = sqlite3.connect(
                    f"file:{self.path}?mode=ro", uri=True, check_same_thread=False
                )
            else:
                conn = sqlite3.connect(self.path, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=DELETE")
                conn.execute("PRAGMA synchronous=FULL")
            self._local.conn = conn
        return conn

    # ---- writing (one writer, in the reindex thread)
    def put(
        self, article: Article, passages: list[Passage], tokens: list[list[str]], pid0: int
    ) -> None:
        conn = self._conn()
        if self._next_seq is None:  # once per writer: MAX() per article made a build O(n²)
            row = conn.execute("SELECT COALESCE(MAX(added_seq), 0) + 1 FROM articles").fetchone()
            self._next_seq = int(row[0])
        seq, self._next_seq = self._next_seq, self._next_seq + 1
        conn.execute(
            "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?)",
            (
                article.id,
                article.content_hash,
                article.model_dump_json(),
                article.published.isoformat() if article.published else None,
                seq,
                len(passages),
            ),
        )
        conn.executemany(
            "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    pid0 + i,
                    p.article_id,
                    p.ordinal,
                    p.start,
                    p.end,
                    json.dumps([[s.start, s.end] for s in p.sentences]),
                    " ".join(toks),
                )
                for i, (p, toks) in enumerate(zip(passages, tokens, strict=True))
            ],
        )

    def delete(self, article_ids: Iterable[str]) -> None:
        conn = self._conn()
        for article_id in article_ids:
            conn.execute("DELETE FROM passages WHERE article_id = ?", (article_id,))
            conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def next_pid(self) -> int:
        row = self._conn().execute("SELECT COALESCE(MAX(pid), -1) + 1 FROM passages").fetchone()
        return int(row[0])

    def commit(self) -> None:
        self._conn().commit()

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # ---- reading
    def counts(self) -> tuple[int, int]:
        conn = self._conn()
        articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        passages = conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        return int(articles), int(passages)

    def hashes(self) -> dict[str, tuple[str, str | None]]:
        """id -> (content hash, source path)."""
        rows = self._conn().execute("SELECT id, content_hash, json FROM articles").fetchall()
        return {aid: (h, json.loads(js).get("source_path")) for aid, h, js in rows}

    def article(self, article_id: str) -> Article | None:
        row = (
            self._conn().execute("SELECT json FROM articles WHERE id = ?", (article_id,)).fetchone()
        )
        return Article.model_validate_json(row[0]) if row else None

    def summaries(self) -> list[ArticleSummary]:
        """Newest first: by published date, then most recently added."""
        rows = (
            self._conn()
            .execute(
                "SELECT json, passages FROM articles "
                "ORDER BY published IS NULL, published DESC, added_seq DESC"
            )
            .fetchall()
        )
        out = []
        for js, n in rows:
            data = json.loads(js)
            data.pop("text", None)
            data.pop("content_hash", None)
            data.pop("tags", None)
            out.append(ArticleSummary(**data, passages=n))
        return out

    def passages_by_pid(self, pids: list[int]) -> dict[int, StoredPassage]:
        if not pids:
            return {}
        marks = ",".join("?" * len(pids))
        rows = (
            self._conn()
            .execute(
                f'SELECT pid, article_id, ordinal, start, "end", sentences FROM passages '
                f"WHERE pid IN ({marks})",
                pids,
            )
            .fetchall()
        )
        return {row[0]: _stored(row) for row in rows}

    def passage_by_ordinal(self, article_id: str, ordinal: int) -> StoredPassage | None:
        row = (
            self._conn()
            .execute(
                'SELECT pid, article_id, ordinal, start, "end", sentences FROM passages '
                "WHERE article_id = ? AND ordinal = ?",
                (article_id, ordinal),
            )
            .fetchone()
        )
        return _stored(row) if row else None

    def passage_count(self, article_id: str) -> int:
        row = (
            self._conn()
            .execute("SELECT passages FROM articles WHERE id = ?", (article_id,))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def index_docs(self) -> Iterator[tuple[int, str, list[str]]]:
        cursor = self._conn().execute("SELECT pid, article_id, tokens FROM passages ORDER BY pid")
        for pid, article_id, tokens in cursor:
            yield pid, article_id, tokens.split()


def _stored(row: tuple) -> StoredPassage:
    pid, article_id, ordinal, start, end, sentences = row
    spans = tuple((int(s), int(e)) for s, e in json.loads(sentences))
    return StoredPassage(pid, article_id, ordinal, start, end, spans)


def to_passage(article: Article, stored: StoredPassage, passage_id: str) -> Passage:
    return Passage(
        id=passage_id,
        article_id=stored.article_id,
        ordinal=stored.ordinal,
        start=stored.start,
        end=stored.end,
        text=article.text[stored.start : stored.end],
        sentences=tuple(Span(start=s, end=e) for s, e in stored.sentences),
    )


# ---- generations
def read_current(data_dir: Path) -> Path | None:
    """The live generation's directory, or None when there is none (or it is unreadable)."""
    try:
        name = (data_dir / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return None
    if not name.startswith("gen-") or "/" in name:
        return None
    gen = data_dir / name
    return gen if (gen / MANIFEST).is_file() else None


def read_manifest(gen: Path) -> dict | None:
    try:
        data = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def next_generation(data_dir: Path) -> Path:
    numbers = [int(p.name[4:10]) for p in data_dir.glob("gen-*") if p.name[4:10].isdigit()]
    return data_dir / f"gen-{max(numbers, default=0) + 1:06d}"


def snapshot(live: Path, tmp: Path, *, with_tantivy: bool) -> None:
    """Start ``tmp`` as a copy of the live generation, without touching the live one."""
    tmp.mkdir(parents=True)
    src = sqlite3.connect(f"file:{live / STORE}?mode=ro", uri=True)
    dst = sqlite3.connect(tmp / STORE)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    if with_tantivy and (live / TANTIVY).is_dir():
        (tmp / TANTIVY).mkdir()
        for item in (live / TANTIVY).iterdir():
            if item.name.startswith(".tantivy-") and item.name.endswith(".lock"):
                continue
            target = tmp / TANTIVY / item.name
            # Segment files are immutable and tantivy replaces meta.json by rename, so a hard link
            # shares bytes safely between generations; copy when links are not possible.
            try:
                os.link(item, target)
            except OSError:
                shutil.copy2(item, target)


def fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))


def publish(data_dir: Path, tmp: Path, final: Path, manifest: dict) -> None:
    """Make ``tmp`` the live generation: manifest, fsync, rename, then CURRENT."""
    atomic_write_text(tmp / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
    fsync_tree(tmp)
    os.replace(tmp, final)
    fsync_dir(data_dir)
    atomic_write_text(data_dir / CURRENT, final.name + "\n")


def remove_stale(data_dir: Path, keep: set[str]) -> None:
    """Delete unfinished and superseded generations (never the ones in ``keep``)."""
    for item in data_dir.glob("gen-*"):
        if item.name not in keep:
            shutil.rmtree(item, ignore_errors=True)


@contextlib.contextmanager
def writer_lock(data_dir: Path) -> Iterator[None]:
    """One writer per data dir, across processes (a CLI reindex while the bot runs)."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fh = open(data_dir / ".lock", "a+")  # noqa: SIM115 - held open for the whole block
    except OSError as err:
        raise StoreError(f"Cannot write to the data dir '{data_dir}': {err.strerror}.") from None
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno in (errno.EAGAIN, errno.EACCES):
                raise Busy(
                    f"Another process is reindexing '{data_dir}'. Wait for it to finish."
                ) from None
            raise
        yield
    finally:
        fh.close()
