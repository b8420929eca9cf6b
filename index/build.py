"""The reindex: stream the corpus, analyse in worker processes, write one new segment, publish.

Stages (each a function or class below, testable alone):

1. **Read** the corpus one article at a time (:class:`~index.corpus.CorpusStream`); compare each
   with the live generation's catalog: unchanged articles cost a hash comparison, nothing more,
   and a corpus file unchanged since the last reindex (same size, ctime and inode, recorded in
   the manifest) is not even read: its articles come from the catalog.
2. **Analyse** added and changed articles in bounded batches (:class:`Analysis`): sentences,
   paragraphs, terms per sentence, quotations (``analyse_article``, the seam the answer stage
   reads), passages as sentence ranges, the passages' terms for the search index, and the
   compressed text + analysis. Small reindexes run inline; a big one in worker processes (one per
   core; one fewer in the background) while this process writes. The workers start while the
   first batch is read when the files to read hold enough text, and each keeps one analyzer (and
   its warm memo) for all its batches; only the batch's texts and the encoded results cross the
   process boundary. At most ``2 × workers`` batches are in flight, so memory is bounded by the
   batch, never by the corpus.
3. **Write** each result into the run's new segment (SQLite) and the search backend.
4. **Delete** replaced and removed articles: listed in the manifest, not rewritten; tantivy drops
   their documents. **Merge** segments that are mostly deleted or too many (SQL copies of the
   live rows into the new segment).
5. **Publish** the generation (index/store.py): manifest, fsync, rename, ``CURRENT``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index import store as st
from index.analysis import analyse_article
from index.analyze import Analyzer
from index.backends import Backend, open_backend
from index.corpus import CorpusStream, FileStamp, KnownFile
from index.models import Article, Progress, ReindexReport
from index.passages import ChunkConfig, chunk

if TYPE_CHECKING:
    from index.engine import EngineConfig

log = logging.getLogger(__name__)

ProgressFn = Callable[[Progress], None]

#: A batch for one worker call: this many articles or characters, whichever comes first (small,
#: so the workers start soon and finish together).
BATCH_ARTICLES = 64
BATCH_CHARS = 250_000
#: Below this much text to analyse, worker processes cost more than they save.
POOL_THRESHOLD_CHARS = 2_000_000
#: More segments than this after a reindex, and the smallest are merged.
MAX_SEGMENTS = 8


# ---- 2. analysis of one batch (runs in a worker process, or inline)
def encode_article(
    seq: int, text: str, language: str, analyzer: Analyzer, chunking: ChunkConfig
) -> st.EncodedArticle:
    article = Article.model_construct(text=text, language=language)
    analysis = analyse_article(article, analyzer)
    groups = chunk(text, analysis.sentences, analysis.paragraphs, chunking)
    # Sentences are capped (index/segment.py), so this never binds; it keeps numbers unique.
    groups = groups[: st.MAX_PASSAGES_PER_ARTICLE]
    tokens = analysis.tokens
    # A passage's terms are its sentences' terms: the text is analysed once, not twice.
    bodies = tuple(" ".join(t for i in range(a, b) for t in tokens[i]) for a, b in groups)
    return st.EncodedArticle(
        seq=seq,
        passages=len(groups),
        layout=st.encode_layout(groups),
        body=st.encode_body(text, analysis),
        bodies=bodies,
    )


def encode_batch(
    items: list[tuple[int, str, str]], analyzer: Analyzer, chunking: ChunkConfig
) -> list[st.EncodedArticle]:
    return [encode_article(seq, text, lang, analyzer, chunking) for seq, text, lang in items]


#: A worker process's analyzer and chunking, set once when it starts: an analyzer sent with
#: every batch would arrive with empty memos each time (it pickles as its options).
_worker_setup: tuple[Analyzer, ChunkConfig] | None = None


def _worker_start(
    lifeline: Any, background: bool, analyzer: Analyzer, chunking: ChunkConfig
) -> None:
    from index.lifeline import die_with_parent, watch_pipe, yield_cpu

    global _worker_setup
    if background:  # first: the threads started below inherit it
        yield_cpu()
    # Ctrl-C reaches every process of the terminal's group: the reindex process decides (it
    # stops before publishing); a worker ends with it through the lifeline, without a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    watch_pipe(lifeline.fileno())
    _worker_setup = (analyzer, chunking)


def _encode_in_worker(items: list[tuple[int, str, str]]) -> list[st.EncodedArticle]:
    assert _worker_setup is not None, "a worker starts with _worker_start"
    return encode_batch(items, *_worker_setup)


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """SIGINT blocked in this thread while it may start processes. Ctrl-C reaches the terminal's
    whole process group: a forkserver caught in its interpreter's start-up printed "Fatal Python
    error: init_import_site" on the user's terminal. A process started with SIGINT blocked keeps
    it blocked (the mask survives fork and exec), as do the workers it forks: they end through
    the lifeline, and the reindex process alone decides (it stops before publishing). A Ctrl-C
    meanwhile reaches this process once the block ends. (The resource tracker must be running
    already: see ``_new_pool``.)"""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def default_workers(background: bool) -> int:
    """Analysis processes: one per core; in the background, one fewer (at least one), so a
    serving process on the same machine always finds a core that no reindex competes for."""
    cores = os.cpu_count() or 1
    return max(1, cores - 1) if background else cores


class Analysis:
    """Analyses articles in batches, inline or in worker processes; yields results in order."""

    def __init__(
        self,
        analyzer: Analyzer,
        chunking: ChunkConfig,
        workers: int,
        *,
        background: bool = False,
        expected_chars: int = 0,
    ) -> None:
        """``expected_chars``: how much text the reindex will read (at most). When it is enough
        for worker processes, they start at once, in a thread, while the first batch is read
        (starting them costs a few hundred ms: a fresh interpreter imports the engine)."""
        self._analyzer = analyzer
        self._chunking = chunking
        self._workers = workers
        self._background = background
        self._batch: list[tuple[Article, int]] = []
        self._batch_chars = 0
        self._submitted_chars = 0
        self._pool: ProcessPoolExecutor | None = None
        self._lifeline: Any = None
        self._inflight: deque[tuple[Future[list[st.EncodedArticle]], list[Article]]] = deque()
        self._inline: deque[tuple[Article, st.EncodedArticle]] = deque()
        self._starting: threading.Thread | None = None
        if workers > 0 and expected_chars >= POOL_THRESHOLD_CHARS:
            self._starting = threading.Thread(target=self._start_pool, name="analysis-pool")
            self._starting.start()

    def submit(self, article: Article, seq: int) -> Iterator[tuple[Article, st.EncodedArticle]]:
        """Queue one article; yields whatever results are ready (possibly none)."""
        self._batch.append((article, seq))
        self._batch_chars += len(article.text)
        if len(self._batch) >= BATCH_ARTICLES or self._batch_chars >= BATCH_CHARS:
            self._dispatch()
        yield from self._ready(block=False)

    def finish(self) -> Iterator[tuple[Article, st.EncodedArticle]]:
        if self._batch:
            self._dispatch()
        yield from self._ready(block=True)

    def close(self) -> None:
        self._started()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._lifeline is not None:
            for conn in self._lifeline:
                conn.close()
            self._lifeline = None

    def _dispatch(self) -> None:
        batch, self._batch, self._batch_chars = self._batch, [], 0
        items = [(seq, a.text, a.language) for a, seq in batch]
        self._submitted_chars += sum(len(a.text) for a, _ in batch)
        pool = self._pool_if_worth_it()
        if pool is None:
            results = encode_batch(items, self._analyzer, self._chunking)
            self._inline.extend(zip((a for a, _ in batch), results, strict=True))
            return
        with sigint_blocked():  # a submit may start a worker (and the forkserver)
            future = pool.submit(_encode_in_worker, items)
        self._inflight.append((future, [a for a, _ in batch]))

    def _pool_if_worth_it(self) -> ProcessPoolExecutor | None:
        if self._starting is not None and self._starting.is_alive():
            return None  # this batch is analysed here while the workers start
        self._started()
        if self._pool is None and self._workers > 0:
            if self._submitted_chars < POOL_THRESHOLD_CHARS:
                return None
            self._pool = self._new_pool()
        return self._pool

    def _new_pool(self) -> ProcessPoolExecutor:
        import multiprocessing
        from multiprocessing import resource_tracker

        # The forkserver starts multiprocessing's resource tracker first, and starting it
        # unblocks SIGINT in the calling thread: started here, once, before any sigint_blocked().
        resource_tracker.ensure_running()
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["index.build"])
        reader, writer = ctx.Pipe(duplex=False)
        self._lifeline = (reader, writer)  # workers exit when the write end closes
        return ProcessPoolExecutor(
            self._workers,
            mp_context=ctx,
            initializer=_worker_start,
            initargs=(reader, self._background, self._analyzer, self._chunking),
        )

    def _start_pool(self) -> None:
        """Start the workers (in a thread); a failure leaves the pool to start on demand."""
        try:
            pool = self._new_pool()
            # Each call makes the pool start one more worker, up to its size.
            with sigint_blocked():
                pings = [pool.submit(os.getpid) for _ in range(self._workers)]
            for ping in pings:
                ping.result()
            self._pool = pool
        except Exception:
            # Not a failure of the reindex: the pool starts again on demand, and a real failure
            # surfaces there. (A worker killed while it starts, e.g. by Ctrl-C, lands here.)
            log.debug("analysis workers failed to start early", exc_info=True)

    def _started(self) -> None:
        if self._starting is not None:
            self._starting.join()
            self._starting = None

    def _ready(self, *, block: bool) -> Iterator[tuple[Article, st.EncodedArticle]]:
        while self._inline:
            yield self._inline.popleft()
        limit = 0 if block else 2 * max(self._workers, 1)
        while self._inflight and (len(self._inflight) > limit or self._inflight[0][0].done()):
            future, articles = self._inflight.popleft()
            yield from zip(articles, future.result(), strict=True)


# ---- the whole reindex
@dataclass
class _Base:
    """The live generation an incremental reindex starts from."""

    gen: Path
    manifest: dict
    store: st.PassageStore


def _open_base(
    data_dir: Path, config: EngineConfig, full: bool
) -> tuple[_Base | None, st.Lease | None, str]:
    """The live generation when a reindex may start from it, else None and why not."""
    from index.engine import load_generation

    live = st.read_current(data_dir)
    if live is None:
        return None, None, "no index yet"
    if full:
        return None, None, "a full rebuild was asked for"
    manifest = st.read_manifest(live) or {}
    stale = [k for k, v in config.manifest_keys().items() if manifest.get(k) != v]
    if stale:
        return None, None, "index built with other " + ", ".join(stale)
    lease = st.Lease.acquire(live)
    if lease is None:
        return None, None, "the live index vanished"
    try:
        store, backend = load_generation(config, live, manifest)
    except st.DamagedIndex as err:
        lease.release()
        log.error("%s is damaged (%s): rebuilding it from the corpus", live, err)
        return None, None, f"the live index is damaged ({err})"
    backend.close()
    return _Base(live, manifest, store), lease, ""


def _known_files(base: _Base | None) -> KnownFile | None:
    """Corpus files the live generation read, unchanged since (same stamp): their articles are
    taken from its catalog instead of being read and parsed again."""
    if base is None:
        return None
    stamps = base.manifest.get("files") or {}
    by_file: dict[str, list[tuple[str, str]]] = {}
    for article_id, entry in base.store.ids():
        if entry.source_path is not None:
            by_file.setdefault(entry.source_path, []).append((article_id, entry.content_hash))

    def known(rel: str, stamp: FileStamp) -> list[tuple[str, str]] | None:
        if stamps.get(rel) != list(stamp) or rel not in by_file:
            return None
        return by_file[rel]

    return known


def _new_segment_name(number: int) -> str:
    return f"seg-{number:06d}{st.SEGMENT_SUFFIX}"


def build_generation(
    corpus_dir: Path,
    data_dir: Path,
    config: EngineConfig,
    notify: ProgressFn,
    *,
    full: bool = False,
    workers: int | None = None,
    background: bool = False,
) -> tuple[ReindexReport, Path, st.Lease]:
    """Publish a generation in line with the corpus (or keep the live one when nothing changed);
    returns the report, that generation and a lease on it. ``background``: the analysis workers
    yield the CPU to everything else (a serving process), see :func:`default_workers`."""
    started = time.perf_counter()
    with st.writer_lock(data_dir):
        notify(Progress(phase="reading corpus"))
        base, base_lease, why_full = _open_base(data_dir, config, full)
        stream = CorpusStream(corpus_dir, known=_known_files(base))
        try:
            run = _Run(data_dir, config, base, notify, workers, background)
            try:
                report = run.execute(stream)
            finally:
                run.close()
        finally:
            if base is not None:
                base.store.close_all()
            if base_lease is not None:
                base_lease.release()
        if why_full and base is None:
            log.info("full rebuild: %s", why_full)
        lease = st.Lease.acquire(run.final)
        if lease is None:  # only this process deletes generations, under the writer lock
            raise st.StoreError(f"The new index {run.final} vanished.")
        st.remove_stale(data_dir, keep={run.final.name})
    report = report.model_copy(update={"seconds": round(time.perf_counter() - started, 3)})
    return report, run.final, lease


class _Run:
    """One reindex from a stream of articles to a published generation."""

    def __init__(
        self,
        data_dir: Path,
        config: EngineConfig,
        base: _Base | None,
        notify: ProgressFn,
        workers: int | None,
        background: bool = False,
    ) -> None:
        self.data_dir = data_dir
        self.config = config
        self.base = base
        self.notify = notify
        self.workers = default_workers(background) if workers is None else workers
        self.background = background
        self.final = base.gen if base is not None else st.next_generation(data_dir)
        manifest = base.manifest if base is not None else {}
        self.next_seq = int(manifest.get("next_seq", 1))
        self.next_segment = int(manifest.get("next_segment", 1))
        self.plan = st.SegmentPlan(st.manifest_segments(manifest) if base is not None else [])
        self.tmp: Path | None = None
        self.backend: Backend | None = None
        self.writer: st.SegmentWriter | None = None
        self.files: dict[str, list[int]] = {}
        self.added: list[str] = []
        self.updated: list[str] = []
        self.unchanged = 0

    def close(self) -> None:
        if self.writer is not None:
            self.writer.abandon()
        if self.backend is not None:
            self.backend.close()

    # -- the generation directory, made on the first change
    def _start(self) -> None:
        if self.tmp is not None:
            return
        live = st.read_current(self.data_dir)  # kept even when it is not the base (damaged)
        st.remove_stale(self.data_dir, keep={live.name} if live is not None else set())
        self.final = st.next_generation(self.data_dir)
        self.tmp = self.final.with_name(self.final.name + ".tmp")
        self.tmp.mkdir(parents=True)
        if self.base is not None:
            for info in self.plan.segments():
                st.link_or_copy(self.base.gen / info.name, self.tmp / info.name)
            if self.config.engine == "tantivy":
                st.link_tantivy(self.base.gen, self.tmp)
        self.backend = open_backend(self.config.engine, self.tmp / st.TANTIVY)

    def _segment(self) -> st.SegmentWriter:
        if self.writer is None:
            assert self.tmp is not None
            self.writer = st.SegmentWriter(self.tmp / _new_segment_name(self.next_segment))
            self.next_segment += 1
        return self.writer

    def execute(self, stream: CorpusStream) -> ReindexReport:
        try:
            return self._execute(stream)
        except BaseException:
            if self.tmp is not None:
                self.close()
                shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def _execute(self, stream: CorpusStream) -> ReindexReport:
        config = self.config
        base = self.base
        seen: dict[str, str] = {}  # id -> content hash, for the corpus hash and removals
        analysis = Analysis(
            config.analyzer,
            config.chunking,
            self.workers,
            background=self.background,
            expected_chars=stream.bytes_to_read,
        )
        self.notify(Progress(phase="indexing", done=0, total=100))
        try:
            for n, article in enumerate(stream, 1):
                seen[article.id] = article.content_hash
                entry = base.store.entry(article.id) if base is not None else None
                if entry is not None and entry.content_hash == article.content_hash:
                    self.unchanged += 1
                    continue
                self._start()
                if entry is not None:
                    self.updated.append(article.id)
                    self._delete(article.id, entry)
                else:
                    self.added.append(article.id)
                seq, self.next_seq = self.next_seq, self.next_seq + 1
                for done in analysis.submit(article, seq):
                    self._write(*done)
                if n % 200 == 0:
                    self._progress(stream)
            for done in analysis.finish():
                self._write(*done)
        finally:
            analysis.close()
        seen.update(stream.unchanged)  # the articles of files that were not read again
        self.unchanged += len(stream.unchanged)
        clean = set(stream.stamps) - stream.files_with_problems
        self.files = {rel: list(stream.stamps[rel]) for rel in sorted(clean)}
        removed = sorted(i for i, _ in base.store.ids() if i not in seen) if base else []
        if removed:
            self._start()
            assert base is not None
            for article_id in removed:
                entry = base.store.entry(article_id)
                assert entry is not None
                self._delete(article_id, entry)
        report = ReindexReport(
            added=tuple(sorted(self.added)),
            updated=tuple(sorted(self.updated)),
            removed=tuple(removed),
            unchanged=self.unchanged,
            skipped=tuple(stream.problems),
            full_rebuild=base is None,
        )
        if self.tmp is None:
            if base is not None:  # nothing changed: the live generation stays
                articles, passages = base.store.counts()
                return report.model_copy(update={"articles": articles, "passages": passages})
            self._start()  # an empty corpus still gets an (empty) index
        return self._publish(report, seen)

    def _delete(self, article_id: str, entry: Any) -> None:
        assert self.backend is not None
        self.plan.delete(entry.segment, entry.seq, entry.passages)
        if self.backend.persistent:
            self.backend.delete([article_id])

    def _write(self, article: Article, encoded: st.EncodedArticle) -> None:
        assert self.backend is not None
        self._segment().put(article, encoded)
        if self.backend.persistent:
            self.backend.add(
                (st.passage_number(encoded.seq, i), article.id, body)
                for i, body in enumerate(encoded.bodies)
            )

    def _progress(self, stream: CorpusStream) -> None:
        total = max(stream.total_bytes, 1)
        self.notify(
            Progress(phase="indexing", done=min(100, 100 * stream.done_bytes // total), total=100)
        )

    def _publish(self, report: ReindexReport, seen: dict[str, str]) -> ReindexReport:
        assert self.tmp is not None and self.backend is not None
        segments = self._merge(self.plan.segments())
        articles = sum(s.live_rows for s in segments)
        passages = sum(s.live_passages for s in segments)
        if self.backend.persistent:
            self.notify(Progress(phase="committing"))
            self.backend.commit()
            if self.backend.num_docs != passages:  # a bug, never published
                raise st.StoreError(
                    f"The search index holds {self.backend.num_docs:,} passages, the store "
                    f"{passages:,}; nothing was published."
                )
        self.backend.close()
        self.backend = None
        manifest = {
            **self.config.manifest_keys(),
            "corpus_hash": corpus_hash(seen),
            "articles": articles,
            "passages": passages,
            "built_at": time.time(),
            "next_seq": self.next_seq,
            "next_segment": self.next_segment,
            "segments": [s.to_json() for s in segments],
            "files": self.files,
        }
        self.notify(Progress(phase="publishing"))
        st.publish(self.data_dir, self.tmp, self.final, manifest)
        return report.model_copy(update={"articles": articles, "passages": passages})

    def _merge(self, kept: list[st.SegmentInfo]) -> list[st.SegmentInfo]:
        """Drop emptied segments; copy mostly-deleted ones, and the smallest when there are too
        many, into this run's new segment; return the generation's segment list."""
        assert self.tmp is not None
        new = self.writer
        live = [s for s in kept if s.live_rows > 0]
        merge = [s for s in live if len(s.deleted) * 2 > s.rows]
        rest = sorted((s for s in live if s not in merge), key=lambda s: s.size)
        if len(rest) + 1 > MAX_SEGMENTS:
            take = len(rest) + 1 - MAX_SEGMENTS // 2
            merge, rest = merge + rest[:take], rest[take:]
        if merge:
            new = self._segment()
            for info in merge:
                new.copy_live_rows(self.tmp, info)
        for info in kept:
            if info not in rest:
                (self.tmp / info.name).unlink()
        out = sorted(rest, key=lambda s: s.name)
        if new is not None:
            self.writer = None
            out.append(new.finish())
        return out


def corpus_hash(hashes: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for article_id in sorted(hashes):
        digest.update(f"{article_id}\0{hashes[article_id]}\n".encode())
    return digest.hexdigest()
