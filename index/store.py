"""The data dir: generations of (article segments + search index), switched atomically.

Layout::

    data_dir/
      CURRENT                  name of the live generation (replaced atomically)
      .lock                    held (flock) by the one process writing a new generation
      gen-000007/
        manifest.json          format, analyzer/analysis/chunking fingerprints, engine, counts,
                               and the segments with their sizes, CRC-32s and deleted articles
        lease                  readers hold a shared flock on it while the generation is open
        seg-000003.sqlite      segments: immutable SQLite files of articles (metadata columns,
        seg-000009.sqlite        compressed text + analysis, passage layout)
        tantivy/               the tantivy index (absent for the rank-bm25 engine)

**Segments.** A reindex writes the articles it adds or changes into one new segment; the
segments it keeps are *hard links* to the live generation's files (as are tantivy's immutable
segment files), so an incremental reindex costs what changed, never a copy of the store. An
article that is removed or replaced stays in its old segment file and is listed as deleted in the
new manifest; segments that are mostly deleted, or too many small ones, are merged (rewritten
without the deleted rows). A segment file is never written after it is published.

**Passages** are not rows: an article's passages are ranges of its sentences (``layout``), and
a passage's number is ``seq << 20 | ordinal`` (``seq`` is the article's insertion number), which
is also what tantivy stores. Nothing the text or tantivy already holds is stored again.

**Crash safety.** A reindex builds ``gen-N.tmp``, fsyncs it, renames it to ``gen-N`` and only
then replaces ``CURRENT``. A crash at any moment leaves ``CURRENT`` naming a complete generation;
the debris of an unfinished one is removed by the next reindex.

**Leases.** A process that opens a generation holds a shared ``flock`` on its ``lease`` file
until it closes it; the writer deletes an old generation only when it can lock that file
exclusively, so no generation is deleted while any process reads it. ``current_marker`` is a
cheap way to notice that ``CURRENT`` changed (one ``stat``).

**Checks.** Opening a generation checks the manifest, every segment's size and CRC-32, the
article and passage counts, and tantivy's files (their footer CRC-32s) and document count; a
failure raises :class:`DamagedIndex` with the reason, and a reindex then rebuilds from the corpus.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import shutil
import sqlite3
import struct
import threading
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import zstandard

from index.analysis import ArticleAnalysis
from index.errors import Busy, NewsbotError
from index.models import Article, ArticleSummary, Passage, Span

log = logging.getLogger(__name__)

FORMAT_VERSION = 4  # 4: zstd bodies, the analysis in parts (index/analysis.py)
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
LEASE = "lease"
TANTIVY = "tantivy"
SEGMENT_SUFFIX = ".sqlite"

#: A passage number is ``seq << ORDINAL_BITS | ordinal``.
ORDINAL_BITS = 20
MAX_PASSAGES_PER_ARTICLE = 1 << ORDINAL_BITS
# Big pages: an article row (about 4 kB compressed) then shares a page with its neighbours
# instead of spilling into a half-empty overflow page (measured: 40% smaller than 4 kB pages).
_PAGE_SIZE = 65536

_SCHEMA = """
CREATE TABLE articles (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    author TEXT,
    publisher TEXT,
    url TEXT,
    published TEXT,
    language TEXT NOT NULL,
    tags TEXT NOT NULL,
    source_path TEXT,
    passages INTEGER NOT NULL
);
CREATE TABLE bodies (
    seq INTEGER PRIMARY KEY,
    layout BLOB NOT NULL,
    body BLOB NOT NULL
);
"""
# The big blobs live in their own table, so reading the catalog or the article list (the small
# columns of every row) reads a few MB, not every page of the file.
_SUMMARY_COLUMNS = (
    "seq, id, title, author, publisher, url, published, language, passages, source_path"
)
_ARTICLE_QUERY = (
    "SELECT a.seq, a.id, a.content_hash, a.title, a.author, a.publisher, a.url, a.published, "
    "a.language, a.tags, a.source_path, b.body, b.layout FROM articles a JOIN bodies b "
    "ON b.seq = a.seq WHERE a.seq = ?"
)


class StoreError(NewsbotError):
    """The data dir cannot be used (unwritable, corrupt beyond recovery)."""


class DamagedIndex(StoreError):
    """A generation fails its checks (a truncated or garbled file, counts that disagree)."""


@dataclass(frozen=True, slots=True)
class StoredPassage:
    pid: int
    article_id: str
    ordinal: int
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]


def passage_number(seq: int, ordinal: int) -> int:
    return (seq << ORDINAL_BITS) | ordinal


def split_passage_number(pid: int) -> tuple[int, int]:
    return pid >> ORDINAL_BITS, pid & (MAX_PASSAGES_PER_ARTICLE - 1)


# ---- the encoded forms of one article
# zstd, not zlib: an article (about 9 kB of text and analysis) decompresses 3× faster, on every
# first read of an article by a question, and compresses faster and as small (measured on the
# speed benchmark's corpus: 4,144 bytes per article at level 6, zlib's level 6 4,178; 15 µs to
# decompress, zlib 44 µs). One context per thread: a zstd context is not for concurrent use.
# With the frame's content checksum (XXH64, 4 bytes an article): zlib's Adler-32 caught a
# damaged body, and a zstd frame without one decodes most flipped bits as other text — a
# segment damaged after its open check would be quoted, not reported damaged.
_ZSTD_LEVEL = 6
_zstd_contexts = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    ctx = getattr(_zstd_contexts, "compressor", None)
    if ctx is None:
        ctx = _zstd_contexts.compressor = zstandard.ZstdCompressor(
            level=_ZSTD_LEVEL, write_checksum=True
        )
    return ctx


def _decompressor() -> zstandard.ZstdDecompressor:
    ctx = getattr(_zstd_contexts, "decompressor", None)
    if ctx is None:
        ctx = _zstd_contexts.decompressor = zstandard.ZstdDecompressor()
    return ctx


def encode_body(text: str, analysis: ArticleAnalysis) -> bytes:
    """The text and its analysis in one zstd frame (the terms share the text's window)."""
    raw = text.encode("utf-8")
    return _compressor().compress(b"".join((struct.pack("<I", len(raw)), raw, analysis.to_bytes())))


def decode_body(blob: bytes) -> tuple[str, bytes]:
    """(text, the analysis' bytes)."""
    data = _decompressor().decompress(blob)
    (n,) = struct.unpack_from("<I", data)
    return data[4 : 4 + n].decode("utf-8"), data[4 + n :]


def encode_layout(groups: Sequence[tuple[int, int]]) -> bytes:
    """Passages as ``[first, last)`` sentence index ranges."""
    return array("I", [i for group in groups for i in group]).tobytes()


def decode_layout(blob: bytes) -> list[tuple[int, int]]:
    flat = array("I")
    flat.frombytes(blob)
    return list(zip(flat[::2], flat[1::2], strict=True))


@dataclass(frozen=True, slots=True)
class EncodedArticle:
    """What the analysis workers send back for one article (everything but the metadata)."""

    seq: int
    passages: int
    layout: bytes
    body: bytes
    # analysed terms of each passage, space-joined (what the search backend indexes)
    bodies: tuple[str, ...]


# ---- segments
@dataclass(frozen=True)
class SegmentInfo:
    name: str
    rows: int  # articles written into the file
    passages: int  # passages of those rows
    size: int
    crc32: int
    deleted: tuple[int, ...] = ()  # seqs of rows no longer live in this generation
    deleted_passages: int = 0

    @property
    def live_rows(self) -> int:
        return self.rows - len(self.deleted)

    @property
    def live_passages(self) -> int:
        return self.passages - self.deleted_passages

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "rows": self.rows,
            "passages": self.passages,
            "size": self.size,
            "crc32": self.crc32,
            "deleted": list(self.deleted),
            "deleted_passages": self.deleted_passages,
        }

    @classmethod
    def from_json(cls, data: dict) -> SegmentInfo:
        return cls(
            name=str(data["name"]),
            rows=int(data["rows"]),
            passages=int(data["passages"]),
            size=int(data["size"]),
            crc32=int(data["crc32"]),
            deleted=tuple(int(s) for s in data.get("deleted", ())),
            deleted_passages=int(data.get("deleted_passages", 0)),
        )


def _connect_writable(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute(f"PRAGMA page_size={_PAGE_SIZE}")
    # The file sits in an unpublished generation: a crash throws it away whole, so no journal.
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    return conn


def _connect_readonly(path: Path) -> sqlite3.Connection:
    # immutable: a published segment never changes, so SQLite may skip locking and change checks.
    # No memory map (PRAGMA mmap_size), though it reads an article's row in half the time (14 →
    # 6.5 µs): about 0.1 ms of a question, bought with every page read counted in the serving
    # process' RSS (767 MiB with it, 385 without, serving 1M passages in bench.speed) and a SIGBUS instead of an error if a
    # segment file is ever cut short under a reader.
    return sqlite3.connect(f"file:{path}?immutable=1", uri=True, check_same_thread=False)


class SegmentWriter:
    """Writes one new segment file (in an unpublished generation)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = _connect_writable(path)
        self._conn.executescript(_SCHEMA)
        self.rows = 0
        self.passages = 0

    def put(self, article: Article, encoded: EncodedArticle) -> None:
        self._conn.execute(
            "INSERT INTO bodies VALUES (?, ?, ?)", (encoded.seq, encoded.layout, encoded.body)
        )
        self._conn.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                encoded.seq,
                article.id,
                article.content_hash,
                article.title,
                article.author,
                article.publisher,
                article.url,
                article.published.isoformat() if article.published else None,
                article.language,
                json.dumps(list(article.tags), ensure_ascii=False),
                article.source_path,
                encoded.passages,
            ),
        )
        self.rows += 1
        self.passages += encoded.passages

    def copy_live_rows(self, gen: Path, info: SegmentInfo) -> None:
        """Copy the live rows of an existing segment (a merge): SQL to SQL, nothing decoded."""
        self._conn.execute("ATTACH DATABASE ? AS src", (f"file:{gen / info.name}?immutable=1",))
        try:
            self._conn.execute("CREATE TEMP TABLE gone (seq INTEGER PRIMARY KEY)")
            self._conn.executemany("INSERT INTO gone VALUES (?)", [(s,) for s in info.deleted])
            for table in ("articles", "bodies"):
                self._conn.execute(
                    f"INSERT INTO main.{table} SELECT * FROM src.{table} "
                    "WHERE seq NOT IN (SELECT seq FROM gone)"
                )
            self._conn.commit()
            self._conn.execute("DROP TABLE gone")
        finally:
            self._conn.execute("DETACH DATABASE src")
        self.rows += info.live_rows
        self.passages += info.live_passages

    def finish(self) -> SegmentInfo:
        self._conn.commit()
        self._conn.close()
        size, crc = file_crc32(self.path)
        return SegmentInfo(self.path.name, self.rows, self.passages, size, crc)

    def abandon(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()


def file_crc32(path: Path) -> tuple[int, int]:
    crc = 0
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return size, crc


# Files already checked by this process, by identity: hard-linked segments shared between
# generations are checked once, not at every swap.
_verified: set[tuple[int, int, int, int]] = set()
_verified_lock = threading.Lock()


def _identity(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def verify_segment_file(gen: Path, info: SegmentInfo) -> None:
    path = gen / info.name
    try:
        ident = _identity(path)
    except OSError as err:
        raise DamagedIndex(f"segment {info.name} is missing ({err.strerror})") from None
    if ident in _verified:
        return
    if ident[2] != info.size:
        raise DamagedIndex(
            f"segment {info.name} is {ident[2]:,} bytes; the manifest says {info.size:,} "
            "(truncated or overwritten)"
        )
    _size, crc = file_crc32(path)
    if crc != info.crc32:
        raise DamagedIndex(f"segment {info.name} is damaged (its checksum does not match)")
    with _verified_lock:
        _verified.add(ident)


def verify_tantivy_files(path: Path, expected_docs: int) -> None:
    """tantivy's meta.json and the footer CRC-32 of every file of its live segments."""
    meta_path = path / "meta.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        segments = meta["segments"]
        docs = sum(
            int(s["max_doc"]) - int((s.get("deletes") or {}).get("num_deleted_docs", 0))
            for s in segments
        )
    except FileNotFoundError:
        raise DamagedIndex("the search index has no meta.json") from None
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise DamagedIndex(f"the search index's meta.json is unreadable ({err})") from None
    if docs != expected_docs:
        raise DamagedIndex(
            f"the search index holds {docs:,} passages; the manifest says {expected_docs:,}"
        )
    ids = {str(s["segment_id"]).replace("-", "") for s in segments}
    for item in path.iterdir():
        if item.name.split(".", 1)[0] in ids:
            _verify_tantivy_file(item)


def _verify_tantivy_file(path: Path) -> None:
    ident = _identity(path)
    if ident in _verified:
        return
    # Every tantivy file ends with [JSON footer {"version":…, "crc": N}][u32 length][u32 1337];
    # N is the CRC-32 of everything before the footer.
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        length, magic = struct.unpack("<II", data[-8:])
        footer = json.loads(data[-8 - length : -8])
        crc = int(footer["crc"])
    except (struct.error, ValueError, KeyError, TypeError):
        raise DamagedIndex(f"search index file {path.name} is damaged (no valid footer)") from None
    if magic != 1337 or zlib.crc32(data[: -8 - length]) != crc:
        raise DamagedIndex(
            f"search index file {path.name} is damaged (its checksum does not match)"
        )
    with _verified_lock:
        _verified.add(ident)


def check_sqlite_header(path: Path) -> None:
    """A cheap structural check: the SQLite magic and a size of whole pages."""
    with open(path, "rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        raise DamagedIndex(f"segment {path.name} is not an SQLite file")
    page = struct.unpack(">H", header[16:18])[0]
    page = 65536 if page == 1 else page
    pages = struct.unpack(">I", header[28:32])[0]
    if path.stat().st_size != page * pages:
        raise DamagedIndex(f"segment {path.name} is truncated")


# ---- one generation, opened for reading
@dataclass(slots=True)
class _Entry:
    segment: int
    seq: int
    content_hash: str
    passages: int
    source_path: str | None


@dataclass(slots=True)
class LoadedArticle:
    article: Article
    analysis: ArticleAnalysis
    layout: list[tuple[int, int]]


class PassageStore:
    """The articles and passages of one generation: its segments, minus the deleted rows.

    Read-only and thread-safe (one SQLite connection per segment per thread). A catalog of
    id → (segment, seq, hash, passages) is read once when it opens, from the segments' small
    columns; an article's text and analysis are read and decoded on demand (and cached).
    """

    def __init__(self, gen: Path, segments: Sequence[SegmentInfo], *, verify: bool = True) -> None:
        self.gen = gen
        self.segments = list(segments)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._by_id: dict[str, _Entry] = {}
        self._by_seq: dict[int, _Entry] = {}
        self._summaries: list[ArticleSummary] | None = None
        # About 12 kB an article (text, stored analysis, what was decoded): 2,048 are ~25 MB.
        self._loaded = lru_cache(maxsize=2048)(self._load)
        try:
            self._read_catalog(verify)
        except sqlite3.DatabaseError as err:
            self.close_all()
            raise DamagedIndex(f"a segment cannot be read ({err})") from None
        except BaseException:
            self.close_all()
            raise

    def _read_catalog(self, verify: bool) -> None:
        for index, info in enumerate(self.segments):
            path = self.gen / info.name
            if verify:
                verify_segment_file(self.gen, info)
                check_sqlite_header(path)
            deleted = set(info.deleted)
            rows = passages = 0
            cursor = self._conn(index).execute(
                "SELECT seq, id, content_hash, passages, source_path FROM articles"
            )
            for seq, article_id, content_hash, n, source_path in cursor:
                rows += 1
                if seq in deleted:
                    continue
                passages += n
                entry = _Entry(index, seq, content_hash, n, source_path)
                if article_id in self._by_id:
                    raise DamagedIndex(f"article {article_id} is stored twice")
                self._by_id[article_id] = entry
                self._by_seq[seq] = entry
            if rows != info.rows or passages != info.live_passages:
                raise DamagedIndex(
                    f"segment {info.name} holds {rows:,} articles and {passages:,} live passages; "
                    f"the manifest says {info.rows:,} and {info.live_passages:,}"
                )

    def _conn(self, segment: int) -> sqlite3.Connection:
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        conn = conns.get(segment)
        if conn is None:
            conn = _connect_readonly(self.gen / self.segments[segment].name)
            conns[segment] = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        """Close this thread's connections. Other threads' connections close when the store is
        garbage-collected: a request still running on this generation when a new one is swapped
        in (and this one closed) must finish, not fail on a closed connection."""
        conns = getattr(self._local, "conns", None) or {}
        with self._lock:
            for conn in conns.values():
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
                with contextlib.suppress(ValueError):
                    self._connections.remove(conn)
        self._local.conns = {}

    def close_all(self) -> None:
        """Close every connection (when no other thread can be using this store)."""
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()
        self._loaded.cache_clear()

    # ---- the catalog
    def counts(self) -> tuple[int, int]:
        return len(self._by_id), sum(e.passages for e in self._by_id.values())

    def hashes(self) -> dict[str, tuple[str, str | None]]:
        """id -> (content hash, source path)."""
        return {aid: (e.content_hash, e.source_path) for aid, e in self._by_id.items()}

    def entry(self, article_id: str) -> _Entry | None:
        return self._by_id.get(article_id)

    def ids(self) -> Iterable[tuple[str, _Entry]]:
        return self._by_id.items()

    def passage_count(self, article_id: str) -> int:
        entry = self._by_id.get(article_id)
        return entry.passages if entry else 0

    # ---- articles
    def _load(self, seq: int) -> LoadedArticle | None:
        entry = self._by_seq.get(seq)
        if entry is None:
            return None
        row = self._conn(entry.segment).execute(_ARTICLE_QUERY, (seq,)).fetchone()
        if row is None:
            raise DamagedIndex(f"article #{seq} is missing from its segment")
        try:
            text, analysis_bytes = decode_body(row[11])
            analysis = ArticleAnalysis.from_bytes(analysis_bytes)
        except (zstandard.ZstdError, ValueError, struct.error, TypeError, KeyError) as err:
            raise DamagedIndex(f"article {row[1]} is damaged ({err})") from None
        article = Article.model_construct(
            id=row[1],
            content_hash=row[2],
            title=row[3],
            author=row[4],
            publisher=row[5],
            url=row[6],
            published=date.fromisoformat(row[7]) if row[7] else None,
            language=row[8],
            tags=tuple(json.loads(row[9])),
            source_path=row[10],
            text=text,
        )
        return LoadedArticle(article, analysis, decode_layout(row[12]))

    def loaded(self, article_id: str) -> LoadedArticle | None:
        entry = self._by_id.get(article_id)
        return self._loaded(entry.seq) if entry is not None else None

    def article(self, article_id: str) -> Article | None:
        loaded = self.loaded(article_id)
        return loaded.article if loaded else None

    def analysis(self, article_id: str) -> ArticleAnalysis | None:
        loaded = self.loaded(article_id)
        return loaded.analysis if loaded else None

    def summaries(self) -> list[ArticleSummary]:
        """Newest first: by published date, then most recently added. Columns only."""
        if self._summaries is not None:
            return self._summaries
        rows = []
        for index, info in enumerate(self.segments):
            deleted = set(info.deleted)
            for row in self._conn(index).execute(f"SELECT {_SUMMARY_COLUMNS} FROM articles"):
                if row[0] not in deleted:
                    rows.append(row)
        rows.sort(key=lambda r: r[0], reverse=True)  # most recently added first …
        rows.sort(key=lambda r: r[6] is None)  # … within a date (stable sorts), undated last
        rows.sort(key=lambda r: r[6] or "", reverse=True)
        self._summaries = [
            ArticleSummary.model_construct(
                id=r[1],
                title=r[2],
                author=r[3],
                publisher=r[4],
                url=r[5],
                published=date.fromisoformat(r[6]) if r[6] else None,
                language=r[7],
                passages=r[8],
                source_path=r[9],
            )
            for r in rows
        ]
        return self._summaries

    # ---- passages
    def _stored(self, loaded: LoadedArticle, seq: int, ordinal: int) -> StoredPassage | None:
        if ordinal >= len(loaded.layout):
            return None
        first, last = loaded.layout[ordinal]
        spans = loaded.analysis.sentences[first:last]
        return StoredPassage(
            passage_number(seq, ordinal),
            loaded.article.id,
            ordinal,
            spans[0][0],
            spans[-1][1],
            spans,
        )

    def passages_by_pid(self, pids: list[int]) -> dict[int, StoredPassage]:
        out = {}
        for pid in pids:
            seq, ordinal = split_passage_number(pid)
            loaded = self._loaded(seq)
            if loaded is None:
                continue
            stored = self._stored(loaded, seq, ordinal)
            if stored is not None:
                out[pid] = stored
        return out

    def passage_by_ordinal(self, article_id: str, ordinal: int) -> StoredPassage | None:
        entry = self._by_id.get(article_id)
        if entry is None or ordinal < 0:
            return None
        loaded = self._loaded(entry.seq)
        return self._stored(loaded, entry.seq, ordinal) if loaded else None

    def index_docs(self) -> Iterator[tuple[int, str, list[str]]]:
        """Every live passage's terms, for a backend that keeps no index of its own."""
        for article_id, entry in self._by_id.items():
            loaded = self._load(entry.seq)
            if loaded is None:
                continue
            tokens = loaded.analysis.tokens
            for ordinal, (first, last) in enumerate(loaded.layout):
                terms = [t for i in range(first, last) for t in tokens[i]]
                yield passage_number(entry.seq, ordinal), article_id, terms


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
    except (OSError, UnicodeDecodeError):
        return None
    if not name.startswith("gen-") or "/" in name:
        return None
    gen = data_dir / name
    return gen if (gen / MANIFEST).is_file() else None


def current_marker(data_dir: Path) -> tuple[int, int] | None:
    """Changes whenever a new generation is published (``CURRENT`` is replaced by a rename, so
    its inode changes): one ``stat``, cheap enough to poll every second."""
    try:
        st = (Path(data_dir) / CURRENT).stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def read_manifest(gen: Path) -> dict | None:
    try:
        data = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def manifest_segments(manifest: dict) -> list[SegmentInfo]:
    try:
        return [SegmentInfo.from_json(s) for s in manifest.get("segments", [])]
    except (KeyError, TypeError, ValueError) as err:
        raise DamagedIndex(f"the manifest's segment list is unreadable ({err})") from None


def next_generation(data_dir: Path) -> Path:
    numbers = [int(p.name[4:10]) for p in data_dir.glob("gen-*") if p.name[4:10].isdigit()]
    return data_dir / f"gen-{max(numbers, default=0) + 1:06d}"


def link_or_copy(source: Path, target: Path) -> None:
    """Share an immutable file with another generation (a hard link), or copy it."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def link_tantivy(live: Path, tmp: Path) -> None:
    """Start ``tmp``'s tantivy index from the live one's files. Segment files are immutable and
    tantivy replaces meta.json by rename, so hard links share the bytes safely."""
    (tmp / TANTIVY).mkdir()
    for item in (live / TANTIVY).iterdir():
        if item.name.startswith(".tantivy-") and item.name.endswith(".lock"):
            continue
        link_or_copy(item, tmp / TANTIVY / item.name)


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
    """Make ``tmp`` the live generation: manifest and lease, fsync, rename, then CURRENT."""
    atomic_write_text(tmp / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
    (tmp / LEASE).touch()
    fsync_tree(tmp)
    os.replace(tmp, final)
    fsync_dir(data_dir)
    atomic_write_text(data_dir / CURRENT, final.name + "\n")


# ---- leases
class Lease:
    """A shared flock on a generation's lease file: while held, the generation is not deleted."""

    def __init__(self, fd: int, gen: Path) -> None:
        self._fd: int | None = fd
        self.gen = gen

    @classmethod
    def acquire(cls, gen: Path) -> Lease | None:
        """Lease ``gen``, or None when it is gone (or going): then read CURRENT again."""
        try:
            fd = os.open(gen / LEASE, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            # The writer unlinks the lease file while it holds the exclusive lock, before it
            # deletes the generation: a lease file with no links means "being deleted".
            if os.fstat(fd).st_nlink == 0:
                os.close(fd)
                return None
        except BaseException:
            os.close(fd)
            raise
        return cls(fd, gen)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing drops the flock

    @property
    def held(self) -> bool:
        return self._fd is not None


def delete_generation(gen: Path) -> bool:
    """Delete ``gen`` unless some process holds a lease on it; True when it was deleted.

    A generation without a lease file (unfinished debris, or an old format) is deleted."""
    try:
        fd = os.open(gen / LEASE, os.O_RDONLY)
    except FileNotFoundError:
        shutil.rmtree(gen, ignore_errors=True)
        return True
    except NotADirectoryError:
        with contextlib.suppress(OSError):
            gen.unlink()
        return True
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno in (errno.EAGAIN, errno.EACCES):
                return False  # a reader has it open
            raise
        os.unlink(gen / LEASE)
    finally:
        os.close(fd)
    shutil.rmtree(gen, ignore_errors=True)
    return True


def remove_stale(data_dir: Path, keep: set[str]) -> list[str]:
    """Delete unfinished and superseded generations, except those in ``keep`` and those some
    process holds a lease on (a later reindex retries). Returns the names kept for leases."""
    leased = []
    for item in sorted(data_dir.glob("gen-*")):
        if item.name in keep:
            continue
        if not delete_generation(item):
            leased.append(item.name)
    return leased


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


class SegmentPlan:
    """The segments of the generation being written: the kept ones with the rows deleted from
    them in this run, then the new ones."""

    def __init__(self, segments: Iterable[SegmentInfo] = ()) -> None:
        self._segments = list(segments)
        self._deleted: dict[int, list[int]] = {}
        self._deleted_passages: dict[int, int] = {}

    def delete(self, index: int, seq: int, passages: int) -> None:
        self._deleted.setdefault(index, []).append(seq)
        self._deleted_passages[index] = self._deleted_passages.get(index, 0) + passages

    @property
    def deletions(self) -> int:
        return sum(len(seqs) for seqs in self._deleted.values())

    def segments(self) -> list[SegmentInfo]:
        out = []
        for index, info in enumerate(self._segments):
            seqs = self._deleted.get(index)
            if seqs:
                info = SegmentInfo(
                    info.name,
                    info.rows,
                    info.passages,
                    info.size,
                    info.crc32,
                    (*info.deleted, *seqs),
                    info.deleted_passages + self._deleted_passages[index],
                )
            out.append(info)
        return out
