"""The background task that polls the registered feeds on an interval.

The polling logic itself (what is new, per-feed backoff, never ingesting twice) is in
``index/feeds.py``; this module owns the timer, keeps passes from overlapping, backs off when
a whole pass fails (e.g. an unreadable registry) and logs what happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import aiohttp

from bot.settings import Settings, SettingsError
from index.feeds import FeedPollReport, FeedRegistry, Ingest, poll_feeds_once
from index.fetch import FetchConfig

log = logging.getLogger(__name__)

MAX_PASS_BACKOFF_SECONDS = 6 * 3600.0


def fetch_config(settings: Settings, **overrides: object) -> FetchConfig:
    """The fetcher's settings, as the ``index/`` code takes them."""
    timeout = settings.fetch_timeout_seconds
    values: dict[str, object] = {
        "allow_hosts": tuple(settings.fetch_allow_hosts),
        "timeout_seconds": timeout,
        "connect_timeout_seconds": min(10.0, timeout),
        "max_bytes": settings.fetch_max_bytes,
        "user_agent": settings.user_agent,
        "feed_backoff_seconds": settings.feed_poll_seconds,
        **overrides,
    }
    try:
        return FetchConfig(**values)  # type: ignore[arg-type]
    except ValueError as err:
        raise SettingsError(f"Invalid setting fetch_allow_hosts: {err}.") from None


class FeedPoller:
    """Runs ``poll_feeds_once`` every ``interval`` seconds until stopped.

    ``on_report`` (optional) is awaited after each pass, e.g. to log or to reindex once.
    ``session_factory`` (optional) opens the client session for a pass; by default the pass
    opens a guarded one itself.
    """

    def __init__(
        self,
        registry: FeedRegistry,
        config: FetchConfig,
        ingest: Ingest,
        *,
        interval: float,
        on_report: Callable[[FeedPollReport], Awaitable[None]] | None = None,
        session_factory: Callable[[], aiohttp.ClientSession] | None = None,
        initial_delay: float = 0.0,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.registry = registry
        self.config = config
        self.ingest = ingest
        self.interval = interval
        self.on_report = on_report
        self.session_factory = session_factory
        self.initial_delay = initial_delay
        self.last_report: FeedPollReport | None = None
        self.failed_passes = 0
        self._task: asyncio.Task[None] | None = None
        self._pass_lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, ingest: Ingest, **kwargs: object) -> FeedPoller:
        return cls(
            FeedRegistry(settings.data_dir),
            fetch_config(settings),
            ingest,
            interval=settings.feed_poll_seconds,
            **kwargs,  # type: ignore[arg-type]
        )

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start polling in the background (idempotent). Call from a running event loop."""
        if not self.running:
            self._task = asyncio.create_task(self._run(), name="newsbot-feed-poller")

    async def stop(self) -> None:
        """Stop polling; a pass in progress is cancelled (what it ingested stays recorded)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def poll_now(self) -> FeedPollReport:
        """Run one pass now (an admin's "poll feeds"); waits for a pass already running."""
        async with self._pass_lock:
            if self.session_factory is None:
                report = await poll_feeds_once(self.registry, self.config, self.ingest)
            else:
                async with self.session_factory() as session:
                    report = await poll_feeds_once(
                        self.registry, self.config, self.ingest, session=session
                    )
        self.last_report = report
        return report

    def next_delay(self) -> float:
        """The interval, doubled for each failed pass in a row (bounded)."""
        if not self.failed_passes:
            return self.interval
        backoff = self.interval * 2**self.failed_passes
        return min(backoff, max(self.interval, MAX_PASS_BACKOFF_SECONDS))

    async def _run(self) -> None:
        if self.initial_delay:
            await asyncio.sleep(self.initial_delay)
        while True:
            try:
                report = await self.poll_now()
            except Exception:
                self.failed_passes += 1
                log.exception(
                    "feed poll pass failed (%d in a row); next pass in %.0f s",
                    self.failed_passes,
                    self.next_delay(),
                )
            else:
                self.failed_passes = 0
                _log_report(report)
                if self.on_report is not None:
                    try:
                        await self.on_report(report)
                    except Exception:
                        log.exception("feed poll: on_report failed")
            await asyncio.sleep(self.next_delay())


def _log_report(report: FeedPollReport) -> None:
    log.info(
        "feed poll: %d/%d feeds polled, %d added, %d updated, %d unchanged, %d duplicates, "
        "%d feed errors, %d item errors, %d backing off (%.1f s)",
        report.polled,
        report.feeds,
        len(report.added),
        len(report.updated),
        report.unchanged,
        report.duplicates,
        len(report.failed),
        len(report.item_errors),
        len(report.backing_off),
        report.seconds,
    )
    for problem in report.failed:
        log.warning("feed %s: %s", problem.path, problem.reason)
    for problem in report.item_errors:
        log.warning("feed item %s: %s", problem.path, problem.reason)
