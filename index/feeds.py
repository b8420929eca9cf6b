"""RSS/Atom feeds: the registry in the data dir, parsing, and one polling pass over all feeds.

The registry lives in two files so that a pass does not rewrite megabytes per item:
``feeds.json`` (the feeds, their poll and backoff state, the item keys each one has handled),
written atomically; and ``feeds-seen.jsonl``, an append-only log of the canonical URLs and
content hashes already ingested from any feed, so an article is never ingested twice. Both are
guarded by a file lock, so the CLI can add a feed while the bot polls.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import fcntl
import io
import json
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.sax import SAXParseException

import aiohttp
import feedparser
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from yarl import URL

from index.errors import BadInput, IngestRefused, NotFound
from index.fetch import (
    FEED_TYPES,
    FetchConfig,
    FetchRefused,
    check_url,
    fetch_article,
    fetch_url,
    open_session,
)
from index.models import Article, Problem
from index.store import atomic_write_text, fsync_dir

log = logging.getLogger(__name__)

FEEDS_FILE = "feeds.json"
SEEN_FILE = "feeds-seen.jsonl"
LOCK_FILE = ".feeds.lock"
ITEM_KEYS_PER_FEED = 1_000  # more than any feed lists at once; older keys fall off
ITEM_ATTEMPTS = 3  # an item failing transiently this often is given up on
FEED_CONCURRENCY = 4

Ingest = Callable[[Article], Awaitable[str]]


class FeedInfo(BaseModel):
    """A registered feed as admins see it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    title: str | None = None
    added_at: str
    last_polled_at: str | None = None
    last_ok_at: str | None = None
    failures: int = 0
    next_attempt_at: str | None = Field(
        default=None, description="When a feed backing off after errors is tried again (UTC)."
    )
    last_error: str | None = None
    items_seen: int = 0


class FeedPollReport(BaseModel):
    """What one pass over all feeds did."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    feeds: int = 0
    polled: int = 0
    not_modified: int = 0
    backing_off: tuple[str, ...] = ()
    failed: tuple[Problem, ...] = Field(default=(), description="Feeds that could not be read.")
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: int = 0
    duplicates: int = 0
    item_errors: tuple[Problem, ...] = Field(default=(), description="Items refused or failed.")
    seconds: float = 0.0


class _FeedState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    url: str
    title: str | None = None
    added_at: str
    last_polled_at: str | None = None
    last_ok_at: str | None = None
    failures: int = 0
    next_attempt_at: float = 0.0
    last_error: str | None = None
    etag: str | None = None
    modified: str | None = None
    item_keys: list[str] = []
    item_failures: dict[str, int] = {}

    def info(self) -> FeedInfo:
        return FeedInfo(
            url=self.url,
            title=self.title,
            added_at=self.added_at,
            last_polled_at=self.last_polled_at,
            last_ok_at=self.last_ok_at,
            failures=self.failures,
            next_attempt_at=_iso(self.next_attempt_at) if self.next_attempt_at else None,
            last_error=self.last_error,
            items_seen=len(self.item_keys),
        )


class _RegistryFile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: int = 1
    feeds: dict[str, _FeedState] = {}


class FeedRegistry:
    """The registered feeds and what has been ingested from them, persisted in ``data_dir``.

    Methods are synchronous, thread-safe and safe across processes; async code calls them
    through ``asyncio.to_thread``. Every change is on disk when the method returns.
    """

    def __init__(
        self,
        data_dir: Path | str,
        *,
        seen_limit: int = 20_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / FEEDS_FILE
        self.seen_path = self.data_dir / SEEN_FILE
        self.seen_limit = seen_limit
        self.clock = clock
        self._thread_lock = threading.RLock()
        self._seen_urls: dict[str, None] = {}
        self._seen_hashes: dict[str, None] = {}
        self._seen_signature: tuple[int, int, int] | None = None

    # ---- admin operations
    def list(self) -> list[FeedInfo]:
        with self._locked():
            return [state.info() for state in self._load().feeds.values()]

    def get(self, url: str) -> FeedInfo:
        with self._locked():
            return self._find(self._load(), url).info()

    def add(self, url: str, title: str | None = None) -> FeedInfo:
        key = normalise_feed_url(url)
        with self._locked():
            registry = self._load()
            if key in registry.feeds:
                raise BadInput(f"The feed {key} is already registered.")
            state = _FeedState(url=key, title=title, added_at=_iso(self.clock()))
            registry.feeds[key] = state
            self._save(registry)
            return state.info()

    def remove(self, url: str) -> FeedInfo:
        with self._locked():
            registry = self._load()
            state = self._find(registry, url)
            del registry.feeds[state.url]
            self._save(registry)
            return state.info()

    # ---- what the poller reads and records
    def states(self) -> builtins.list[_FeedState]:
        with self._locked():
            return list(self._load().feeds.values())

    def is_seen(self, *, url: str | None = None, content_hash: str | None = None) -> bool:
        with self._locked():
            self._load_seen()
            return (url is not None and url in self._seen_urls) or (
                content_hash is not None and content_hash in self._seen_hashes
            )

    def mark_item(
        self,
        feed_url: str,
        item_key: str,
        *,
        urls: tuple[str, ...] = (),
        content_hash: str | None = None,
    ) -> None:
        """Record that a feed item is handled (ingested, duplicate or refused for good)."""
        with self._locked():
            if urls or content_hash:
                self._append_seen(urls, content_hash)
            registry = self._load()
            state = registry.feeds.get(feed_url)
            if state is None:  # removed meanwhile; the seen log still prevents re-ingesting
                return
            if item_key not in state.item_keys:
                state.item_keys.append(item_key)
                del state.item_keys[:-ITEM_KEYS_PER_FEED]
            state.item_failures.pop(item_key, None)
            self._save(registry)

    def item_failed(self, feed_url: str, item_key: str) -> int:
        """Count a transient failure of an item; return how many it has had."""
        with self._locked():
            registry = self._load()
            state = registry.feeds.get(feed_url)
            if state is None:
                return 0
            count = state.item_failures.get(item_key, 0) + 1
            state.item_failures[item_key] = count
            self._save(registry)
            return count

    def record_success(
        self, feed_url: str, *, title: str | None, etag: str | None, modified: str | None
    ) -> None:
        with self._locked():
            registry = self._load()
            state = registry.feeds.get(feed_url)
            if state is None:
                return
            now = self.clock()
            state.last_polled_at = state.last_ok_at = _iso(now)
            state.failures, state.next_attempt_at, state.last_error = 0, 0.0, None
            state.title = title or state.title
            state.etag, state.modified = etag or state.etag, modified or state.modified
            self._save(registry)

    def record_failure(
        self, feed_url: str, error: str, *, base_delay: float, max_delay: float
    ) -> tuple[int, float]:
        """Back the feed off exponentially; return (consecutive failures, delay in seconds)."""
        with self._locked():
            registry = self._load()
            state = registry.feeds.get(feed_url)
            if state is None:
                return 0, 0.0
            now = self.clock()
            state.failures += 1
            delay = min(max_delay, base_delay * 2 ** (state.failures - 1))
            state.next_attempt_at = now + delay
            state.last_polled_at, state.last_error = _iso(now), error
            self._save(registry)
            return state.failures, delay

    # ---- storage
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock:
            try:
                self.data_dir.mkdir(parents=True, exist_ok=True)
                handle = open(self.data_dir / LOCK_FILE, "a+")  # noqa: SIM115 - held for the block
            except OSError as err:
                raise IngestRefused(
                    f"Cannot write the feed registry in '{self.data_dir}': {err.strerror}."
                ) from None
            try:
                fcntl.flock(handle, fcntl.LOCK_EX)
                yield
            finally:
                handle.close()

    def _load(self) -> _RegistryFile:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _RegistryFile()
        try:
            return _RegistryFile.model_validate_json(text)
        except ValidationError as err:
            raise IngestRefused(
                f"The feed registry {self.path} is damaged ({err.errors()[0]['msg']}); move it "
                "aside and add the feeds again."
            ) from None

    def _save(self, registry: _RegistryFile) -> None:
        atomic_write_text(self.path, registry.model_dump_json(indent=1) + "\n")

    def _find(self, registry: _RegistryFile, url: str) -> _FeedState:
        state = registry.feeds.get(url)
        if state is None:
            with contextlib.suppress(BadInput):
                state = registry.feeds.get(normalise_feed_url(url))
        if state is None:
            raise NotFound(f"No feed {url} is registered; `feeds list` shows them.")
        return state

    def _load_seen(self) -> None:
        """(Re)read the seen log when another writer has changed it since we last did."""
        try:
            st = os.stat(self.seen_path)
        except FileNotFoundError:
            self._seen_urls, self._seen_hashes, self._seen_signature = {}, {}, None
            return
        signature = (st.st_ino, st.st_size, st.st_mtime_ns)
        if signature == self._seen_signature:
            return
        urls: dict[str, None] = {}
        hashes: dict[str, None] = {}
        with open(self.seen_path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except ValueError:  # a torn last line from a crash
                    continue
                for url in record.get("urls", ()):
                    urls[url] = None
                if record.get("hash"):
                    hashes[record["hash"]] = None
        self._seen_urls, self._seen_hashes, self._seen_signature = urls, hashes, signature

    def _append_seen(self, urls: tuple[str, ...], content_hash: str | None) -> None:
        self._load_seen()
        line = json.dumps({"urls": list(urls), "hash": content_hash}, ensure_ascii=False)
        with open(self.seen_path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        for url in urls:
            self._seen_urls[url] = None
        if content_hash:
            self._seen_hashes[content_hash] = None
        st = os.stat(self.seen_path)
        self._seen_signature = (st.st_ino, st.st_size, st.st_mtime_ns)
        if len(self._seen_urls) > 2 * self.seen_limit:
            self._compact_seen()

    def _compact_seen(self) -> None:
        """Keep the newest ``seen_limit`` URLs and hashes (the log only ever grows otherwise)."""
        urls = list(self._seen_urls)[-self.seen_limit :]
        hashes = list(self._seen_hashes)[-self.seen_limit :]
        lines = [json.dumps({"urls": [u], "hash": None}, ensure_ascii=False) for u in urls]
        lines += [json.dumps({"urls": [], "hash": h}) for h in hashes]
        atomic_write_text(self.seen_path, "\n".join(lines) + "\n")
        fsync_dir(self.data_dir)
        self._seen_signature = None
        self._load_seen()


def normalise_feed_url(url: str) -> str:
    """The registry key for a feed URL; BadInput when it is not an http(s) link."""
    try:
        return str(check_url(url))
    except IngestRefused as err:
        raise BadInput(str(err)) from None


# ---- parsing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedEntry:
    key: str
    link: str | None
    title: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)


def parse_feed(
    body: bytes, url: str, content_type: str = "", charset: str | None = None
) -> ParsedFeed:
    """Entries of an RSS/Atom document; IngestRefused when it is not a readable feed."""
    header = content_type + (f"; charset={charset}" if charset else "") if content_type else ""
    headers = {"content-location": url, **({"content-type": header} if header else {})}
    # Bytes in a BytesIO: a str would make feedparser fetch it as a URL itself.
    result = feedparser.parse(io.BytesIO(body), response_headers=headers)
    if not result.get("version") and not result.entries:
        problem = result.get("bozo_exception")
        detail = f" ({_one_line(problem)})" if problem else ""
        raise IngestRefused(f"{url} is not a valid RSS or Atom feed{detail}.")
    if result.get("bozo"):
        log.info("feed %s parsed leniently: %s", url, _one_line(result.get("bozo_exception")))
    entries = []
    for raw in result.entries:
        link = raw.get("link") or None
        if link:
            with contextlib.suppress(ValueError, TypeError):
                link = str(URL(url).join(URL(link.strip())))
        key = (raw.get("id") or link or "").strip()
        if key:
            entries.append(FeedEntry(key=key, link=link, title=raw.get("title")))
    return ParsedFeed(title=result.feed.get("title") or None, entries=entries)


def _one_line(err: object) -> str:
    if isinstance(err, SAXParseException):
        return f"XML error at line {err.getLineNumber()}, column {err.getColumnNumber()}: {err.getMessage()}"
    return " ".join(str(err).split())[:200]


# ---- polling -------------------------------------------------------------------------------


async def check_feed(
    url: str, config: FetchConfig, *, session: aiohttp.ClientSession | None = None
) -> ParsedFeed:
    """Fetch and parse a feed once (e.g. before registering it)."""
    if session is None:
        async with open_session(config) as own:
            return await check_feed(url, config, session=own)
    page = await fetch_url(url, config, session=session, accept=FEED_TYPES)
    return await asyncio.to_thread(parse_feed, page.body, page.url, page.content_type, page.charset)


async def add_feed(
    registry: FeedRegistry,
    url: str,
    config: FetchConfig,
    *,
    session: aiohttp.ClientSession | None = None,
) -> FeedInfo:
    """Register a feed after checking it is a readable feed; BadInput/IngestRefused if not."""
    key = normalise_feed_url(url)
    parsed = await check_feed(key, config, session=session)
    return await asyncio.to_thread(registry.add, key, parsed.title)


@dataclass
class _Pass:
    """Accumulates one pass's outcome; ``claimed`` stops two feeds ingesting one article."""

    registry: FeedRegistry
    config: FetchConfig
    ingest: Ingest
    session: aiohttp.ClientSession
    report: dict[str, list] = field(
        default_factory=lambda: {
            k: [] for k in ("backing_off", "failed", "added", "updated", "item_errors")
        }
    )
    counts: dict[str, int] = field(
        default_factory=lambda: {"polled": 0, "not_modified": 0, "unchanged": 0, "duplicates": 0}
    )
    claimed: set[str] = field(default_factory=set)


async def poll_feeds_once(
    registry: FeedRegistry,
    config: FetchConfig,
    ingest: Ingest,
    *,
    session: aiohttp.ClientSession | None = None,
) -> FeedPollReport:
    """Poll every feed that is not backing off and hand new articles to ``ingest``.

    ``ingest`` returns "added", "updated" or "unchanged", or raises IngestRefused. A failing
    feed backs off (exponentially, ``config.feed_backoff_seconds`` doubling up to
    ``config.feed_backoff_max_seconds``); a failing item is recorded; neither stops the rest.
    """
    if session is None:
        async with open_session(config) as own:
            return await poll_feeds_once(registry, config, ingest, session=own)
    started = time.monotonic()
    states = await asyncio.to_thread(registry.states)
    run = _Pass(registry, config, ingest, session)
    gate = asyncio.Semaphore(FEED_CONCURRENCY)

    async def one(state: _FeedState) -> None:
        async with gate:
            await _poll_feed(run, state)

    await asyncio.gather(*(one(state) for state in states))
    r = run.report
    return FeedPollReport(
        feeds=len(states),
        polled=run.counts["polled"],
        not_modified=run.counts["not_modified"],
        backing_off=tuple(r["backing_off"]),
        failed=tuple(r["failed"]),
        added=tuple(r["added"]),
        updated=tuple(r["updated"]),
        unchanged=run.counts["unchanged"],
        duplicates=run.counts["duplicates"],
        item_errors=tuple(r["item_errors"]),
        seconds=round(time.monotonic() - started, 3),
    )


async def _poll_feed(run: _Pass, state: _FeedState) -> None:
    registry, config = run.registry, run.config
    if state.next_attempt_at > registry.clock():
        run.report["backing_off"].append(state.url)
        return
    run.counts["polled"] += 1
    conditional = {}
    if state.etag:
        conditional["If-None-Match"] = state.etag
    if state.modified:
        conditional["If-Modified-Since"] = state.modified
    try:
        page = await fetch_url(
            state.url, config, session=run.session, accept=FEED_TYPES, headers=conditional
        )
        parsed = (
            ParsedFeed(title=None)
            if page.not_modified
            else await asyncio.to_thread(
                parse_feed, page.body, page.url, page.content_type, page.charset
            )
        )
    except Exception as err:  # one feed's failure must never stop the pass
        reason = str(err) if isinstance(err, IngestRefused) else f"unexpected error: {err!r}"
        if not isinstance(err, IngestRefused):
            log.exception("feed %s: unexpected error", state.url)
        failures, delay = await asyncio.to_thread(
            registry.record_failure,
            state.url,
            reason,
            base_delay=config.feed_backoff_seconds,
            max_delay=config.feed_backoff_max_seconds,
        )
        log.warning(
            "feed %s failed %d time(s) in a row: %s (next try in %.0f s)",
            state.url,
            failures,
            reason,
            delay,
        )
        run.report["failed"].append(Problem(path=state.url, reason=reason))
        return
    if page.not_modified:
        run.counts["not_modified"] += 1
    handled = set(state.item_keys)
    # Feeds list newest first; ingest oldest first so ids and logs follow publication order.
    fresh = [e for e in parsed.entries if e.key not in handled][: config.feed_max_items_per_poll]
    for entry in reversed(fresh):
        await _poll_item(run, state, entry)
    await asyncio.to_thread(
        registry.record_success,
        state.url,
        title=parsed.title,
        etag=page.headers.get("ETag"),
        modified=page.headers.get("Last-Modified"),
    )


async def _poll_item(run: _Pass, state: _FeedState, entry: FeedEntry) -> None:
    registry = run.registry

    async def handled(*urls: str, content_hash: str | None = None) -> None:
        await asyncio.to_thread(
            registry.mark_item, state.url, entry.key, urls=urls, content_hash=content_hash
        )

    def problem(reason: str) -> None:
        run.report["item_errors"].append(Problem(path=entry.link or entry.key, reason=reason))

    async def retry_later(reason: str) -> None:
        """A failure that may pass: try on later passes, up to ITEM_ATTEMPTS in all."""
        tries = await asyncio.to_thread(registry.item_failed, state.url, entry.key)
        if tries < ITEM_ATTEMPTS:
            problem(f"{reason} (will retry)")
        else:
            problem(f"{reason} (gave up after {tries} attempts)")
            await handled()

    if not entry.link:
        problem("The feed item has no link.")
        await handled()
        return
    if entry.link in run.claimed or await asyncio.to_thread(registry.is_seen, url=entry.link):
        run.counts["duplicates"] += 1
        await handled()
        return
    try:
        article = await fetch_article(entry.link, run.config, session=run.session)
    except FetchRefused as err:
        if err.transient:
            await retry_later(str(err))
        else:
            problem(str(err))
            await handled()
        return
    except IngestRefused as err:
        problem(str(err))
        await handled()
        return
    except Exception as err:
        log.exception("feed item %s: unexpected error", entry.link)
        await retry_later(f"unexpected error: {err!r}")
        return
    urls = tuple(dict.fromkeys(u for u in (entry.link, article.url) if u))
    keys = (*urls, article.content_hash)
    # Claim before the next await, so a feed polled concurrently sees this article as taken.
    if any(k in run.claimed for k in keys):
        run.counts["duplicates"] += 1
        await handled()  # the claimant records the URLs and hash once it has ingested them
        return
    run.claimed.update(keys)
    if await asyncio.to_thread(_seen_any, registry, urls, article.content_hash):
        run.counts["duplicates"] += 1
        await handled(*urls, content_hash=article.content_hash)
        return
    try:
        status = await run.ingest(article)
    except IngestRefused as err:
        problem(str(err))
        await handled(*urls, content_hash=article.content_hash)
        return
    except Exception as err:  # the service failed; try this item again on a later pass
        log.exception("ingesting %s failed", entry.link)
        run.claimed.difference_update(keys)
        await retry_later(f"could not store the article: {err!r}")
        return
    if status == "added":
        run.report["added"].append(article.id)
    elif status == "updated":
        run.report["updated"].append(article.id)
    else:
        run.counts["unchanged"] += 1
    log.info("feed %s: %s %s (%s)", state.url, status, article.id, article.url)
    await handled(*urls, content_hash=article.content_hash)


def _seen_any(registry: FeedRegistry, urls: tuple[str, ...], content_hash: str) -> bool:
    return any(registry.is_seen(url=u) for u in urls) or registry.is_seen(content_hash=content_hash)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")
