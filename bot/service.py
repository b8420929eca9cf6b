"""The one async service every adapter (CLI, Discord, HTTP) calls. Where a question is answered.

The engine (``index/``) is synchronous and CPU-bound; this service runs it off the event loop and
swaps a finished index in atomically, so readers never see a half-built index.

**The rule for writes.** Every change (an upload, a removal, a feed item, a reindex; from HTTP,
Discord, the CLI or the feed poller) goes through one queue per process and one lock per data dir
(``bot/locks.py``), taken before the first corpus file is touched and held until the reindex that
includes the change has published its generation. Changes that arrive while a pass runs wait for
it and are applied together by one follow-up pass that starts after them; each caller gets the
report of the pass that includes its change. A change is confirmed only then; if that pass fails,
the files it touched are put back (``index/journal.py``), so a failed write leaves no trace. A
CLI write while a server owns the data dir waits for the lock the same way; the server then picks
up the CLI's generation by watching ``CURRENT`` (as read-only replicas do).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot import reconcile
from bot.conversations import Conversations
from bot.locks import CorpusLock
from bot.logtext import printable
from bot.reindex_worker import reindex_in_child
from bot.settings import Settings
from bot.storage_errors import storage_error
from index import corpus as corpus_io
from index import store
from index.engine import Engine, EngineConfig, reindex_data_dir
from index.errors import BadInput, IngestRefused, NewsbotError, NotFound, WritesRefused
from index.feeds import FeedInfo, FeedRegistry, add_feed
from index.fetch import FetchConfig, fetch_article
from index.journal import Journal, recover
from index.models import (
    AddResult,
    Answer,
    Article,
    ArticleSummary,
    Feedback,
    Progress,
    ReindexReport,
    SearchHit,
    SourceView,
)

log = logging.getLogger(__name__)

ProgressCallback = Callable[[Progress], Awaitable[None] | None]

# Limits every adapter shares (the HTTP routes and Discord options reuse these numbers).
MAX_QUOTES = 10
MAX_SEARCH_LIMIT = 50
MAX_ID_CHARS = 200
MAX_PASSAGE_ORDINAL = 10_000_000
FEEDBACK_KEY = "feedback.key"


@dataclass
class _Change:
    """What an apply step did: its result, and whether the corpus changed (a pass is due)."""

    value: Any = None
    changed: bool = True


@dataclass(eq=False)
class _Request:
    """One caller's change: ``apply`` runs in a worker thread under the corpus lock."""

    apply: Callable[[_Batch], _Change] | None  # None: a plain reindex
    wait_for_pass: bool
    future: asyncio.Future[tuple[Any, ReindexReport | None]]
    journal: Journal = field(default_factory=Journal)
    value: Any = None  # what apply returned, handed out once the pass has published


@dataclass
class _Batch:
    """The requests applied together before one pass, in the order they arrived.

    ``known`` is what the corpus holds once the batch's earlier requests are applied (id ->
    content hash and file; it starts as what is indexed), and ``urls`` the page each article
    stored by this batch came from: each request sees the ones queued before it, as if they
    had run one after the other (a DELETE then a re-upload of one article keeps it; two
    uploads of one text keep the first; an upload then a DELETE of it removes it)."""

    journal: Journal
    known: dict[str, corpus_io.KnownArticle]
    urls: dict[str, str | None] = field(default_factory=dict)

    def stored(self, article: Article) -> None:
        self.known[article.id] = corpus_io.KnownArticle(article.content_hash, article.source_path)
        self.urls[article.id] = article.url

    def forget(self, article_id: str) -> None:
        self.known.pop(article_id, None)
        self.urls.pop(article_id, None)


class NewsService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Engine | None = None
        self._marker: object = None  # store.current_marker() when the engine was opened
        self._listeners: list[ProgressCallback] = []
        self._listener_tasks: set[asyncio.Future[None]] = set()
        self._queue: list[_Request] = []
        self._writer: asyncio.Task[None] | None = None
        self._lock = CorpusLock(settings.data_dir)
        self._swap_lock = asyncio.Lock()
        self._passing = False
        self._watcher: asyncio.Task[None] | None = None
        self._long_running = False
        self._build_failure: str | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self.last_report: ReindexReport | None = None
        self._fetch_config: FetchConfig | None = None
        self._feeds: FeedRegistry | None = None
        self._feedback_key: bytes | None = None
        self.stats: dict[str, float] = {"questions": 0, "no_answer": 0, "reindex_failures": 0}
        # Follow-ups and time words (bot/conversations.py, index/followup.py, index/dates.py);
        # ``today`` is the clock "last week" is read against (tests set it).
        self.conversations = Conversations(settings.data_dir)
        self.today: Callable[[], date] = lambda: datetime.now(UTC).date()

    # ---- lifecycle
    async def start(self, *, long_running: bool = False) -> None:
        """Open the index in the data dir; build it from the corpus when there is none usable.

        ``long_running`` (the bot and the API): also reindex in the background when the corpus
        dir changed since the index was built, and follow generations other processes publish.
        A read-only service never builds; it waits for the writer's generation.
        """
        self._long_running = long_running
        await self.open_without_build()
        if not self.settings.read_only:
            if self.engine.needs_build:
                try:
                    await self.reindex()
                except Exception as err:
                    if not long_running:
                        raise
                    # Stay up and say why on /readyz; an admin can retry with a reindex.
                    self._build_failure = str(err).splitlines()[0][:300] if str(err) else repr(err)
                    log.error("could not build the index at start: %s", self._build_failure)
            elif long_running:
                reason = await asyncio.to_thread(self._reconcile_reason)
                if reason is not None:
                    log.warning("reindexing at start: %s", reason)
                    self._spawn(self.reindex)
        if long_running or self.settings.read_only:
            self._watcher = asyncio.create_task(self._watch(), name="newsbot-generation-watch")

    async def open_without_build(self) -> None:
        """Open whatever index there is (possibly none), e.g. before an explicit reindex."""
        if self._engine is None:
            await self._follow_current(force=True)

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        for task in list(self._background):
            task.cancel()
        # A pass runs in a child process and publishes atomically; waiting is the safe shutdown.
        if self._writer is not None and not self._writer.done():
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.shield(self._writer)
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        self.conversations.close()

    def _spawn(self, work: Callable[[], Awaitable[Any]]) -> None:
        async def logged() -> None:
            try:
                await work()
            except NewsbotError as err:
                log.warning("background reindex failed: %s", err)
            except Exception:
                log.exception("background reindex failed")

        task = asyncio.create_task(logged())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    @property
    def ready(self) -> bool:
        """An index is loaded that questions can be answered from (not an empty placeholder)."""
        return self.not_ready_reason is None

    @property
    def not_ready_reason(self) -> str | None:
        """Why questions cannot be answered yet, or None when they can."""
        engine = self._engine
        if engine is None:
            return "the index is not loaded yet"
        if not engine.needs_build:
            return None
        why = engine.reason or "no usable index"
        if self.settings.read_only:
            return f"no usable index ({why}); waiting for the writer to publish one"
        if self.reindexing:
            return f"the index is being built ({why})"
        if self._build_failure:
            return f"no usable index ({why}); the last rebuild failed: {self._build_failure}"
        return f"no usable index ({why}); a reindex rebuilds it from the corpus"

    @property
    def reindexing(self) -> bool:
        """A write (and its reindex) is running or queued in this process."""
        return self._writer is not None and not self._writer.done()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise RuntimeError("NewsService.start() has not run")
        return self._engine

    # ---- generations
    async def _follow_current(self, *, force: bool = False) -> bool:
        """Open the generation CURRENT names if it is not the one open (another process, or
        our own reindex child, published it). True when the engine was swapped."""
        async with self._swap_lock:
            # One stat: CURRENT is replaced by a rename, so a new generation is a new inode.
            marker = await asyncio.to_thread(store.current_marker, self.settings.data_dir)
            if not force and marker == self._marker:
                return False
            engine = await asyncio.to_thread(self._open_engine)
            self._marker = marker
            self._swap(engine)
            return True

    def _open_engine(self) -> Engine:
        """The live generation, or a placeholder that needs a build when it cannot be opened
        (a reader must never be handed a half-broken index)."""
        settings = self.settings
        try:
            return Engine.open(settings.data_dir, settings.engine)
        except BaseException as err:  # tantivy panics are BaseExceptions (pyo3)
            if isinstance(err, KeyboardInterrupt | SystemExit):
                raise
            log.error("the index in %s cannot be opened: %r", settings.data_dir, err)
            reason = f"the index cannot be opened: {type(err).__name__}"
            return Engine(
                EngineConfig(engine=settings.engine),
                None,
                None,
                None,
                needs_build=True,
                reason=reason,
            )

    def _swap(self, engine: Engine) -> None:
        old, self._engine = self._engine, engine
        if old is not None:
            old.close()
        if engine.gen is not None:
            log.info("serving %s", engine.gen.name)
            if self._long_running:
                # The article list is parsed once per generation: do it now, off the loop.
                self._spawn(lambda: asyncio.to_thread(engine.articles))

    async def _watch(self) -> None:
        """Pick up generations other processes publish (a CLI write, the writer of replicas)."""
        interval = self.settings.generation_poll_seconds
        while True:
            await asyncio.sleep(interval)
            if self._passing:
                continue  # our own pass swaps its generation in itself
            try:
                await self._follow_current()
            except Exception:
                log.exception("could not open the new generation; retrying")

    def _reconcile_reason(self) -> str | None:
        fingerprint = reconcile.corpus_fingerprint(self.settings.corpus_dir)
        gen = self._engine.gen.name if self._engine is not None and self._engine.gen else None
        return reconcile.needs_reindex(self.settings.data_dir, gen, fingerprint)

    # ---- reading
    def _check_text(self, text: str, what: str) -> str:
        text = (text or "").strip()
        if not text:
            raise BadInput(
                f"The {what} is empty. Ask something like: What did Lukashenko tell Li Zhanshu?"
            )
        if len(text) > self.settings.max_question_chars:
            raise BadInput(
                f"The {what} is {len(text):,} characters; the limit is "
                f"{self.settings.max_question_chars:,}. Ask a shorter one."
            )
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise BadInput(
                f"The {what} contains a character that is not valid Unicode (a lone surrogate). "
                "Send UTF-8 text."
            ) from None
        return text

    def check_k(self, k: int | None) -> int:
        """The number of quotes: the configured default, or 1 to MAX_QUOTES."""
        if k is None:
            return self.settings.answer_max_quotes
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_QUOTES:
            raise BadInput(f"The number of quotes (k) must be from 1 to {MAX_QUOTES}.")
        return k

    @staticmethod
    def check_limit(limit: int) -> int:
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise BadInput(f"The limit must be a whole number from 1 to {MAX_SEARCH_LIMIT}.")
        if not 1 <= limit <= MAX_SEARCH_LIMIT:
            raise BadInput(f"The limit must be between 1 and {MAX_SEARCH_LIMIT}.")
        return limit

    async def ask(
        self, question: str, k: int | None = None, *, conversation: str | None = None
    ) -> Answer:
        """Answer ``question``; with a ``conversation`` key, as a follow-up in that conversation."""
        question = self._check_text(question, "question")
        k = self.check_k(k)
        engine = self.engine  # one index for the whole call, even if a swap happens meanwhile
        answer = await self.conversations.ask(engine, question, k, conversation, self.today())
        self.stats["questions"] += 1
        if not answer.answered:
            self.stats["no_answer"] += 1
        return answer

    async def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        query = self._check_text(query, "search")
        limit = self.check_limit(limit)
        engine = self.engine
        return await asyncio.to_thread(engine.search, query, limit)

    async def source(self, ident: str, *, page: int = 1, full: bool = False) -> SourceView:
        ident = _check_id(ident, "Give an article or passage id; /articles lists them.")
        _, colon, ordinal = ident.rpartition(":")
        if colon and ordinal.isdigit() and (len(ordinal) > 9 or int(ordinal) > MAX_PASSAGE_ORDINAL):
            raise NotFound(
                f"No passage has the number {ordinal[:20]}; passage ids look like article-id:3."
            )
        engine = self.engine
        return await asyncio.to_thread(engine.source, ident, page=page, full=full)

    async def articles(
        self, *, since: date | None = None, until: date | None = None
    ) -> list[ArticleSummary]:
        """Everything indexed, newest first; with ``since``/``until``, only what was published
        in that range (undated articles are left out). Off the event loop: the first listing
        of a generation parses every article's metadata."""
        engine = self.engine

        def listed() -> list[ArticleSummary]:
            found = engine.articles()
            if since is None and until is None:
                return found
            return [
                a
                for a in found
                if a.published is not None
                and (since is None or a.published >= since)
                and (until is None or a.published <= until)
            ]

        return await asyncio.to_thread(listed)

    async def suggest(self, prefix: str, limit: int = 25) -> list[ArticleSummary]:
        """Articles whose id or title contains ``prefix`` (case-insensitive), for autocomplete."""
        needle = prefix.strip().casefold()
        engine = self.engine

        def matching() -> list[ArticleSummary]:
            found = (
                a
                for a in engine.articles()
                if not needle or needle in a.id.casefold() or needle in a.title.casefold()
            )
            return [a for _, a in zip(range(limit), found, strict=False)]

        return await asyncio.to_thread(matching)

    # ---- writing: one queue, one lock, one follow-up pass
    async def reindex(self, on_progress: ProgressCallback | None = None) -> ReindexReport:
        """Bring the index in line with the corpus dir, with a pass that starts after this call
        (a call while a pass runs is served by the next one, shared with other waiting calls)."""
        _, report = await self._submit(None, on_progress=on_progress)
        assert report is not None  # a plain reindex always runs a pass
        return report

    async def _submit(
        self,
        apply: Callable[[_Batch], _Change] | None,
        *,
        wait_for_pass: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> tuple[Any, ReindexReport | None]:
        if self.settings.read_only:
            raise WritesRefused(
                "This newsbot serves the index read-only (NEWSBOT_READ_ONLY); "
                "send changes to the writer instance."
            )
        request = _Request(apply, wait_for_pass, asyncio.get_running_loop().create_future())
        # A caller that was cancelled (Ctrl-C, a closed connection) no longer reads its result:
        # read it here, so a failed pass is not logged again as "never retrieved".
        request.future.add_done_callback(_retrieve)
        self._queue.append(request)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_loop(), name="newsbot-writer")
        if on_progress is not None:
            self._listeners.append(on_progress)
        try:
            return await asyncio.shield(request.future)
        finally:
            if on_progress is not None:
                self._listeners.remove(on_progress)

    async def _write_loop(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                await self._run_batch(batch)
            except BaseException as err:  # never leave a caller waiting
                for request in batch:
                    if not request.future.done():
                        request.future.set_exception(
                            err if isinstance(err, Exception) else RuntimeError("shutting down")
                        )
                if not isinstance(err, Exception):
                    raise

    async def _run_batch(self, batch: list[_Request]) -> None:
        timeout = self.settings.lock_timeout_seconds
        try:
            await asyncio.to_thread(self._lock.acquire, timeout)
        except NewsbotError as err:
            for request in batch:
                request.future.set_exception(err)
            return
        try:
            await self._follow_current()  # another process may have published meanwhile
            await asyncio.to_thread(self._recover)
            waiting = await self._apply_all(batch)
            if not waiting:
                return
            try:
                report = await self._run_pass()
            except Exception as err:
                await asyncio.to_thread(self._undo, waiting)
                failure = self._failure(err, self.settings.data_dir, "data dir")
                for request in waiting:
                    request.future.set_exception(failure)
                return
            for request in waiting:
                request.journal.commit()
                request.future.set_result((request.value, report))
        finally:
            await asyncio.to_thread(self._lock.release)

    async def _apply_all(self, batch: list[_Request]) -> list[_Request]:
        """Apply each change under the lock, in order. Returns the requests waiting for the pass
        (empty when nothing changed and nobody asked for one). When a pass is due, every caller
        that waits for passes waits for it, an "unchanged" upload too: its answer must describe
        the index after the changes queued before it (a DELETE of that very article)."""
        changes = any(request.apply is not None for request in batch)
        known = await asyncio.to_thread(self._known_articles) if changes else {}
        state = _Batch(journal=Journal(), known=known)
        applied: list[tuple[_Request, _Change]] = []
        for request in batch:
            change = _Change(changed=True)
            if request.apply is not None:
                state.journal = request.journal
                try:
                    change = await asyncio.to_thread(request.apply, state)
                except Exception as err:
                    await asyncio.to_thread(request.journal.undo)
                    request.future.set_exception(
                        self._failure(err, self.settings.corpus_dir, "corpus directory")
                    )
                    continue
            request.value = change.value
            applied.append((request, change))
        # Feed items (no wait) are indexed by the reindex their poller runs after a poll.
        pass_due = any(
            request.wait_for_pass and (request.apply is None or change.changed)
            for request, change in applied
        )
        waiting: list[_Request] = []
        for request, _ in applied:
            if pass_due and request.wait_for_pass:
                waiting.append(request)
            else:
                request.journal.commit()
                request.future.set_result((request.value, None))
        return waiting

    def _recover(self) -> None:
        """Settle what a writer that died (a killed CLI, a crashed server) left half done: put
        back an unconfirmed change the index never got, keep one it did (index/journal.py)."""
        engine = self._engine
        if engine is None or engine.needs_build:
            return  # no index to tell by: the rebuild takes the corpus as it is
        corpus_dir = self.settings.corpus_dir
        undone, _ = recover(
            corpus_dir,
            self._known_articles(),
            lambda path, named: corpus_io.articles_as(path, named, corpus_dir),
        )
        if undone:
            log.warning(
                "put back %d corpus file change(s) a writer that died left unconfirmed", undone
            )

    @staticmethod
    def _undo(requests: list[_Request]) -> None:
        for request in reversed(requests):
            try:
                request.journal.undo()
            except OSError:
                log.exception("could not undo a failed change; the next reindex will pick it up")

    def _failure(self, err: Exception, where: Path, what: str) -> Exception:
        """A full disk or a read-only mount, whatever layer noticed it (an OSError, SQLite,
        tantivy's text, a reindex child's traceback), is said as such; the rest is as raised."""
        translated = storage_error(err, where, what)
        return translated if translated is not None else err

    async def _run_pass(self) -> ReindexReport:
        """One reindex: build in a child (or a thread), then swap the new generation in."""
        loop = asyncio.get_running_loop()

        def progress(event: Progress) -> None:  # called from a worker thread
            loop.call_soon_threadsafe(self._emit, event)

        settings = self.settings
        self._passing = True
        try:
            fingerprint = await asyncio.to_thread(reconcile.corpus_fingerprint, settings.corpus_dir)
            if settings.reindex_in_process:
                report = await reindex_in_child(
                    settings.corpus_dir,
                    settings.data_dir,
                    settings.engine,
                    progress,
                    background=settings.reindex_priority == "idle",
                )
                engine = await asyncio.to_thread(self._open_engine)
            else:
                report, engine = await asyncio.to_thread(
                    reindex_data_dir,
                    settings.corpus_dir,
                    settings.data_dir,
                    settings.engine,
                    progress,
                    background=settings.reindex_priority == "idle",
                )
        except Exception:
            self.stats["reindex_failures"] += 1
            raise
        finally:
            self._passing = False
        self._build_failure = None
        async with self._swap_lock:
            self._marker = await asyncio.to_thread(store.current_marker, settings.data_dir)
            self._swap(engine)
        if engine.gen is not None:
            with contextlib.suppress(OSError):
                await asyncio.to_thread(
                    reconcile.write_stamp, settings.data_dir, engine.gen.name, fingerprint
                )
        self.last_report = report
        return report

    def _emit(self, event: Progress) -> None:
        for listener in list(self._listeners):
            result = listener(event)
            if asyncio.iscoroutine(result):
                task = asyncio.ensure_future(result)
                self._listener_tasks.add(task)
                task.add_done_callback(self._listener_tasks.discard)

    # ---- adding
    async def add_file(self, filename: str, data: bytes) -> list[AddResult]:
        """Validate an uploaded article file, store it in the corpus, and index it."""
        if len(data) > self.settings.max_upload_bytes:
            raise BadInput(
                f"‘{filename}’ is {len(data):,} bytes; the limit is {self.settings.max_upload_bytes:,}."
            )

        def apply(batch: _Batch) -> _Change:
            stored = corpus_io.store_upload(
                self.settings.corpus_dir,
                filename,
                data,
                batch.known,
                max_bytes=self.settings.max_upload_bytes,
                journal=batch.journal,
            )
            for article, _ in stored:
                batch.stored(article)
            return _Change(stored, changed=any(status != "unchanged" for _, status in stored))

        stored, report = await self._submit(apply)
        return await self._results(stored, report)

    async def _results(
        self, stored: list[tuple[Article, str]], report: ReindexReport | None
    ) -> list[AddResult]:
        indexed = {a.id: a for a in await self.articles()}
        skipped = {p.path: p.reason for p in report.skipped} if report is not None else {}
        results = []
        for n, (article, status) in enumerate(stored):
            summary = indexed.get(article.id)
            if summary is None:
                why = skipped.get(article.source_path or "")
                if why is not None or report is None:
                    raise NotFound(
                        f"‘{article.id}’ was stored but not indexed ({why or 'not found'}); "
                        "run /reindex to see why."
                    )
                # A change queued right after this one in the same batch removed it again: the
                # answer still says what this request did.
                summary = ArticleSummary(
                    **article.model_dump(include=set(ArticleSummary.model_fields) - {"passages"})
                )
            # One report per request: a 4,000-article upload must not repeat it 4,000 times.
            results.append(
                AddResult(status=status, article=summary, report=report if n == 0 else None)
            )
        return results

    def _known_articles(self) -> dict[str, corpus_io.KnownArticle]:
        """id -> (content hash, file) of what is indexed, for duplicate detection."""
        if self._engine is None:
            return {}
        return {
            article_id: corpus_io.KnownArticle(content_hash, source_path)
            for article_id, (content_hash, source_path) in self._engine.content_hashes().items()
        }

    # ---- the web
    @property
    def fetch_config(self) -> FetchConfig:
        if self._fetch_config is None:
            from bot.feeds import fetch_config

            self._fetch_config = fetch_config(self.settings)
        return self._fetch_config

    async def add_url(self, url: str) -> AddResult:
        """Fetch an article page (SSRF-safe), store it in the corpus, and index it."""
        self.check_writable()  # before any fetch
        article = await fetch_article(url.strip(), self.fetch_config)

        def apply(batch: _Batch) -> _Change:
            stored, status = self._store_article(article, batch)
            return _Change([(stored, status)], changed=status != "unchanged")

        stored, report = await self._submit(apply)
        return (await self._results(stored, report))[0]

    async def store_article(self, article: Article) -> tuple[Article, str]:
        """Store a fetched article in the corpus without reindexing (feeds batch the reindex)."""

        def apply(batch: _Batch) -> _Change:
            stored = self._store_article(article, batch)
            return _Change(stored, changed=stored[1] != "unchanged")

        stored, _ = await self._submit(apply, wait_for_pass=False)
        return stored  # type: ignore[no-any-return]

    def _store_article(self, article: Article, batch: _Batch) -> tuple[Article, str]:
        journal, known = batch.journal, batch.known
        owner = next((i for i, k in known.items() if k.content_hash == article.content_hash), None)
        if owner == article.id:
            return article, "unchanged"
        if owner is not None:
            raise IngestRefused(f"That article is already indexed as ‘{owner}’.")
        entry = known.get(article.id)
        if entry is not None and self._url_of(article.id, batch) != article.url:
            # Two sites can end their URLs alike; a different page never overwrites another.
            suffix = hashlib.sha256((article.url or "").encode()).hexdigest()[:6]
            article = article.model_copy(update={"id": f"{article.id[:70]}-{suffix}"})
            entry = known.get(article.id)
        old = target = None
        if entry is not None and entry.source_path:
            if not entry.source_path.endswith((".md", ".txt", ".html")):
                raise IngestRefused(
                    f"‘{article.id}’ lives in {entry.source_path} with other articles; "
                    "remove it first, then add the URL again."
                )
            old = self.settings.corpus_dir / entry.source_path
            target = old.with_suffix(".md")  # stored articles are Markdown with front matter
        path = corpus_io.write_article(
            self.settings.corpus_dir, article, path=target, journal=journal
        )
        if old is not None and old != path and old.exists():
            journal.remove(old)
        rel = path.relative_to(self.settings.corpus_dir).as_posix()
        batch.stored(article.model_copy(update={"source_path": rel}))
        return article, "updated" if entry is not None else "added"

    def _url_of(self, article_id: str, batch: _Batch) -> str | None:
        """The page an article came from: stored earlier in this batch, or as indexed."""
        if article_id in batch.urls:
            return batch.urls[article_id]
        return self.engine.article(article_id).url

    # ---- feeds
    @property
    def feeds(self) -> FeedRegistry:
        if self._feeds is None:
            self._feeds = FeedRegistry(self.settings.data_dir)
        return self._feeds

    def check_writable(self) -> None:
        if self.settings.read_only:
            raise WritesRefused(
                "This newsbot serves the index read-only (NEWSBOT_READ_ONLY); "
                "manage feeds on the writer instance."
            )

    async def add_feed(self, url: str) -> FeedInfo:
        """Register an RSS/Atom feed after checking it can be fetched and parsed."""
        self.check_writable()
        return await add_feed(self.feeds, url.strip(), self.fetch_config)

    async def remove_feed(self, url: str) -> FeedInfo:
        self.check_writable()
        return await asyncio.to_thread(self.feeds.remove, url.strip())

    async def list_feeds(self) -> list[FeedInfo]:
        return await asyncio.to_thread(self.feeds.list)

    async def ingest(self, article: Article) -> str:
        """The feed poller's hook: store one article, say what happened."""
        return (await self.store_article(article))[1]

    # ---- removing
    async def remove(self, article_id: str) -> ReindexReport:
        article_id = _check_id(
            article_id, "Give the id of the article to remove; /articles lists them."
        )

        def apply(batch: _Batch) -> _Change:
            # What the corpus holds after the changes queued before this one (a second DELETE
            # of one id finds nothing; an upload just before this DELETE is found).
            entry = batch.known.get(article_id)
            if entry is None:
                raise NotFound(f"No article has the id ‘{article_id}’. /articles lists them.")
            path = corpus_io.remove_article(
                self.settings.corpus_dir, article_id, entry.source_path, journal=batch.journal
            )
            batch.forget(article_id)
            log.info("removing %s (%s)", printable(article_id), printable(str(path)))
            return _Change(path)

        _, report = await self._submit(apply)
        assert report is not None
        return report

    # ---- feedback
    def user_hash(self, user_id: int | str) -> str:
        """A keyed hash of a user id for feedback: the key is a secret of this install (in the
        data dir), so the hash cannot be tested against a known id without it."""
        if self._feedback_key is None:
            self._feedback_key = _load_or_create_key(Path(self.settings.data_dir) / FEEDBACK_KEY)
        return hash_user(user_id, self._feedback_key)

    async def record_feedback(self, feedback: Feedback) -> None:
        path = Path(self.settings.data_dir) / "feedback.jsonl"
        line = feedback.model_dump_json() + "\n"

        def append() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())

        await asyncio.to_thread(append)


def _check_id(ident: str, empty_message: str) -> str:
    ident = (ident or "").strip()
    if not ident:
        raise BadInput(empty_message)
    if len(ident) > MAX_ID_CHARS:
        raise BadInput(f"That id is {len(ident):,} characters; ids are at most {MAX_ID_CHARS}.")
    return ident


def _load_or_create_key(path: Path) -> bytes:
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)  # first writer wins; a concurrent one reads the winner's key
    except FileExistsError:
        key = path.read_bytes()
    finally:
        tmp.unlink(missing_ok=True)
    return key


def hash_user(user_id: int | str, key: bytes) -> str:
    """Feedback stores a keyed hash of the user id (HMAC-SHA256), not the id."""
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
