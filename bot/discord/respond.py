"""Answering an interaction within Discord's 3-second deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord

from bot.discord.render import Reply

T = TypeVar("T")

# Discord drops an interaction not acknowledged within 3 s. Work that is not done by this point
# is deferred ("thinking…") and the answer edits that placeholder later.
DEFER_AFTER_SECONDS = 1.5


async def within_deadline(
    interaction: discord.Interaction,
    work: Awaitable[T],
    *,
    defer_after: float = DEFER_AFTER_SECONDS,
    ephemeral: bool = False,
) -> T:
    """Await ``work``; if it is slower than ``defer_after``, defer the interaction meanwhile."""
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=defer_after)
        if not done and not interaction.response.is_done():
            await interaction.response.defer(thinking=True, ephemeral=ephemeral)
        return await task
    finally:
        if not task.done():  # the handler itself was cancelled (shutdown)
            task.cancel()


async def send(
    interaction: discord.Interaction,
    reply: Reply,
    *,
    view: discord.ui.View | None = None,
    ephemeral: bool = False,
) -> int | None:
    """Send ``reply`` as the response, or into the deferred placeholder when there is one.
    Returns the id of the message that holds it, when Discord says."""
    extra: dict[str, Any] = {}
    if view is not None:
        extra["view"] = view
    if not interaction.response.is_done():
        sent = await interaction.response.send_message(
            **reply.kwargs(), ephemeral=ephemeral, **extra
        )
        return sent.message_id if sent is not None else None
    message = await interaction.edit_original_response(**reply.kwargs(), **extra)
    return message.id
