"""The one async service every adapter (CLI, Discord, HTTP) calls. Where a question is answered.

The engine (``index/``) is synchronous and CPU-bound; this service runs it off the event loop,
serialises index changes (one reindex at a time; callers that arrive while one runs join it) and
swaps a finished index in atomically, so readers never see a half-built index.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path

from bot.conversations import Conversations
from bot.reindex_worker import reindex_in_child
from bot.settings import Settings
from index import corpus as corpus_io
from index.engine import Engine, reindex_data_dir
from index.errors import BadInput, IngestRefused, NotFound
from index.feeds import FeedInfo, FeedRegistry, add_feed
from index.fetch import FetchConfig, fetch_article
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


class NewsService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Engine | None = None
        self._reindex_task: asyncio.Task[ReindexReport] | None = None
        self._listeners: list[ProgressCallback] = []
        self._listener_tasks: set[asyncio.Future[None]] = set()
        self._write_lock = asyncio.Lock()
        self.last_report: ReindexReport | None = None
        self._fetch_config: FetchConfig | None = None
        self._feeds: FeedRegistry | None = None
        self.stats: dict[str, float] = {"questions": 0, "no_answer": 0, "reindex_failures": 0}
        # Follow-ups and time words (bot/conversations.py, index/followup.py, index/dates.py);
        # ``today`` is the clock "last week" is read against (tests set it).
        self.conversations = Conversations(settings.data_dir)
        self.today: Callable[[], date] = lambda: datetime.now(UTC).date()

    # ---- lifecycle
    async def start(self) -> None:
        """Open the index in the data dir; build it from the corpus when there is none usable."""
        await self.open_without_build()
        if self.engine.needs_build:
            await self.reindex()

    async def open_without_build(self) -> None:
        """Open whatever index there is (possibly none), e.g. before an explicit reindex."""
        if self._engine is None:
            self._engine = await asyncio.to_thread(
                Engine.open, self.settings.data_dir, self.settings.engine
            )

    async def close(self) -> None:
        if self._reindex_task is not None and not self._reindex_task.done():
            # The build runs in a thread and commits atomically; waiting is the safe shutdown.
            with contextlib.suppress(Exception):
                await self._reindex_task
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        self.conversations.close()

    @property
    def ready(self) -> bool:
        """An index is loaded that questions can be answered from (not an empty placeholder)."""
        return self.not_ready_reason is None

    @property
    def not_ready_reason(self) -> str | None:
        """Why questions cannot be answered yet, or None when they can."""
        if self._engine is None:
            return "the index is not loaded yet"
        if self._engine.needs_build:
            return "the index is being built"
        return None

    @property
    def reindexing(self) -> bool:
        return self._reindex_task is not None and not self._reindex_task.done()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise RuntimeError("NewsService.start() has not run")
        return self._engine

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
        return text

    async def ask(
        self, question: str, k: int | None = None, *, conversation: str | None = None
    ) -> Answer:
        """Answer ``question``; with a ``conversation`` key, as a follow-up in that conversation."""
        question = self._check_text(question, "question")
        engine = self.engine  # one index for the whole call, even if a swap happens meanwhile
        k = k or self.settings.answer_max_quotes
        answer = await self.conversations.ask(engine, question, k, conversation, self.today())
        self.stats["questions"] += 1
        if not answer.answered:
            self.stats["no_answer"] += 1
        return answer

    async def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        query = self._check_text(query, "search")
        if not 1 <= limit <= 50:
            raise BadInput("The limit must be between 1 and 50.")
        engine = self.engine
        return await asyncio.to_thread(engine.search, query, limit)

    async def source(self, ident: str, *, page: int = 1, full: bool = False) -> SourceView:
        ident = (ident or "").strip()
        if not ident:
            raise BadInput("Give an article or passage id; /articles lists them.")
        engine = self.engine
        return await asyncio.to_thread(engine.source, ident, page=page, full=full)

    async def articles(
        self, *, since: date | None = None, until: date | None = None
    ) -> list[ArticleSummary]:
        """Everything indexed, newest first; with ``since``/``until``, only what was published
        in that range (undated articles are left out)."""
        found = self.engine.articles()
        if since is None and until is None:
            return found
        return [
            a
            for a in found
            if a.published is not None
            and (since is None or a.published >= since)
            and (until is None or a.published <= until)
        ]

    async def suggest(self, prefix: str, limit: int = 25) -> list[ArticleSummary]:
        """Articles whose id or title contains ``prefix`` (case-insensitive), for autocomplete."""
        needle = prefix.strip().casefold()
        found = [
            a
            for a in self.engine.articles()
            if not needle or needle in a.id.casefold() or needle in a.title.casefold()
        ]
        return found[:limit]

    # ---- writing
    async def reindex(self, on_progress: ProgressCallback | None = None) -> ReindexReport:
        """Bring the index in line with the corpus dir. A call while one runs joins it."""
        if on_progress is not None:
            self._listeners.append(on_progress)
        try:
            if self._reindex_task is None or self._reindex_task.done():
                self._reindex_task = asyncio.create_task(self._run_reindex())
            return await asyncio.shield(self._reindex_task)
        finally:
            if on_progress is not None:
                self._listeners.remove(on_progress)

    async def _run_reindex(self) -> ReindexReport:
        loop = asyncio.get_running_loop()

        def progress(event: Progress) -> None:  # called from a worker thread
            loop.call_soon_threadsafe(self._emit, event)

        settings = self.settings
        async with self._write_lock:
            try:
                if settings.reindex_in_process:
                    report = await reindex_in_child(
                        settings.corpus_dir,
                        settings.data_dir,
                        settings.engine,
                        progress,
                        background=settings.reindex_priority == "idle",
                    )
                    engine = await asyncio.to_thread(
                        Engine.open, settings.data_dir, settings.engine
                    )
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
            old, self._engine = self._engine, engine
            if old is not None:
                old.close()
            self.last_report = report
            return report

    def _emit(self, event: Progress) -> None:
        for listener in list(self._listeners):
            result = listener(event)
            if asyncio.iscoroutine(result):
                task = asyncio.ensure_future(result)
                self._listener_tasks.add(task)
                task.add_done_callback(self._listener_tasks.discard)

    async def add_file(self, filename: str, data: bytes) -> list[AddResult]:
        """Validate an uploaded article file, store it in the corpus, and index it."""
        if len(data) > self.settings.max_upload_bytes:
            raise BadInput(
                f"‘{filename}’ is {len(data):,} bytes; the limit is {self.settings.max_upload_bytes:,}."
            )
        async with self._write_lock:  # no reindex reads the corpus while the upload is written
            stored = await asyncio.to_thread(
                corpus_io.store_upload,
                self.settings.corpus_dir,
                filename,
                data,
                self._known_articles(),
                max_bytes=self.settings.max_upload_bytes,
            )
        return await self._finish_add(stored)

    async def _finish_add(self, stored: list[tuple[Article, str]]) -> list[AddResult]:
        changed = any(status != "unchanged" for _, status in stored)
        report = await self.reindex() if changed else None
        indexed = {a.id: a for a in self.engine.articles()}
        results = []
        for article, status in stored:
            summary = indexed.get(article.id)
            if summary is None:
                raise NotFound(
                    f"‘{article.id}’ was stored but not indexed; run /reindex to see why."
                )
            results.append(AddResult(status=status, article=summary, report=report))
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
        article = await fetch_article(url.strip(), self.fetch_config)
        article, status = await self.store_article(article)
        return (await self._finish_add([(article, status)]))[0]

    async def store_article(self, article: Article) -> tuple[Article, str]:
        """Store a fetched article in the corpus without reindexing (feeds batch the reindex)."""
        async with self._write_lock:
            return await asyncio.to_thread(self._store_article, article)

    def _store_article(self, article: Article) -> tuple[Article, str]:
        known = self._known_articles()
        owner = next((i for i, k in known.items() if k.content_hash == article.content_hash), None)
        if owner == article.id:
            return article, "unchanged"
        if owner is not None:
            raise IngestRefused(f"That article is already indexed as ‘{owner}’.")
        entry = known.get(article.id)
        if entry is not None and self.engine.article(article.id).url != article.url:
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
        path = corpus_io.write_article(self.settings.corpus_dir, article, path=target)
        if old is not None and old != path:
            old.unlink(missing_ok=True)
        return article, "updated" if entry is not None else "added"

    # ---- feeds
    @property
    def feeds(self) -> FeedRegistry:
        if self._feeds is None:
            self._feeds = FeedRegistry(self.settings.data_dir)
        return self._feeds

    async def add_feed(self, url: str) -> FeedInfo:
        """Register an RSS/Atom feed after checking it can be fetched and parsed."""
        return await add_feed(self.feeds, url.strip(), self.fetch_config)

    async def remove_feed(self, url: str) -> FeedInfo:
        return await asyncio.to_thread(self.feeds.remove, url.strip())

    async def list_feeds(self) -> list[FeedInfo]:
        return await asyncio.to_thread(self.feeds.list)

    async def ingest(self, article: Article) -> str:
        """The feed poller's hook: store one article, say what happened."""
        return (await self.store_article(article))[1]

    async def remove(self, article_id: str) -> ReindexReport:
        summary = next((a for a in self.engine.articles() if a.id == article_id), None)
        if summary is None:
            raise NotFound(f"No article has the id '{article_id}'. /articles lists them.")
        path = await asyncio.to_thread(
            corpus_io.remove_article, self.settings.corpus_dir, article_id, summary.source_path
        )
        log.info("removed %s (%s)", article_id, path)
        return await self.reindex()

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


def hash_user(user_id: int | str, salt: str = "newsbot") -> str:
    """Feedback stores a hash of the user id, not the id."""
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()[:16]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
