"""Helpers to run a real discord.py client against a ``FakeDiscord``.

discord.py keeps its REST base (``discord.http.Route.BASE``) and its default gateway URL
(``DiscordWebSocket.DEFAULT_GATEWAY``) as class attributes, so pointing a client at the fake is
process-wide; ``pointed_at`` sets both and restores them afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Iterator

import discord
import yarl
from discord.gateway import DiscordWebSocket

from .server import FakeDiscord


@contextlib.contextmanager
def pointed_at(fake: FakeDiscord) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at ``fake`` for the duration."""
    old_base, old_gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway


@contextlib.asynccontextmanager
async def running(
    client: discord.Client, fake: FakeDiscord, *, timeout: float = 5.0
) -> AsyncIterator[discord.Client]:
    """Start ``client`` against ``fake``, wait until the fake has sent READY, close it after.

    The client should be built with ``guild_ready_timeout`` small (e.g. 0.05) or ``on_ready``
    fires only two seconds after the guild arrived.
    """
    with pointed_at(fake):
        task = asyncio.create_task(client.start(fake.token), name="discord-client")
        ready = asyncio.create_task(fake.wait_ready(timeout))
        try:
            await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                ready.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ready
                task.result()  # re-raises why the client stopped
                raise AssertionError("the client stopped before it was ready")
            ready.result()
            yield client
        finally:
            await client.close()
            if not task.done():
                await asyncio.wait_for(task, timeout)
            elif not task.cancelled() and sys.exc_info()[1] is None:
                died = task.exception()
                if died is not None:
                    raise died  # the client died while the test was running
