"""The composition root for the long-running commands: build everything once, inject it.

``newsbot discord`` (the bot), ``serve`` (the HTTP API), ``run`` (both, in one process and one
event loop, as docker compose runs it) and ``sync`` (slash commands over REST). Ctrl-C and
SIGTERM cancel the main task; shutdown then closes the gateway, the HTTP server and the feed
poller, and lets a running reindex finish (it is atomic, so even a hard kill loses nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.feeds import FeedPoller
from bot.service import NewsService
from bot.settings import Settings
from index.feeds import FeedPollReport

log = logging.getLogger(__name__)


async def run_command(command: str, settings: Settings, *, guilds: list[int] | None = None) -> int:
    if command == "sync":
        from bot.discord.client import sync_commands

        counts = await sync_commands(settings, NewsService(settings), guilds)
        for scope, count in counts.items():
            print(f"synced {count} commands ({scope})")
        return 0

    if command in {"discord", "run"}:
        from bot.discord.client import bot_token

        bot_token(settings)  # a missing or malformed token is said at once, not after a build
    _stop_on_sigterm()
    service = NewsService(settings)
    poller = _feed_poller(settings, service)
    http = None
    try:
        if command in {"serve", "run"}:
            # Listen before the index loads: /healthz answers and /readyz says "loading".
            from bot.http.app import HttpServer

            bot = _discord_bot(settings, service) if command == "run" else None
            http = HttpServer(service, settings, readiness=bot.is_ready if bot else None)
            await http.start()
        await service.start(long_running=True)
        if not settings.read_only:
            poller.start()
        if command == "serve":
            await asyncio.Event().wait()  # until cancelled
        elif command == "discord":
            from bot.discord.client import run_discord

            await run_discord(settings, service)
        else:
            from bot.discord.client import bot_token

            assert bot is not None  # built above for "run"
            await bot.serve(bot_token(settings))
    except asyncio.CancelledError:
        log.info("shutting down")
    finally:
        await poller.stop()
        if http is not None:
            await http.stop()
        await service.close()
    return 0


def _discord_bot(settings: Settings, service: NewsService):  # type: ignore[no-untyped-def]
    from bot.discord.client import create_bot

    return create_bot(settings, service)


def _feed_poller(settings: Settings, service: NewsService) -> FeedPoller:
    async def after_pass(report: FeedPollReport) -> None:
        if report.added or report.updated:
            await service.reindex()

    return FeedPoller.from_settings(settings, service.ingest, on_report=after_pass)


def _stop_on_sigterm() -> None:
    """SIGTERM (docker stop) cancels the main task, like Ctrl-C does under asyncio.run."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    if main is not None:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGTERM, main.cancel)
