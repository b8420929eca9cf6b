"""The one error path for slash commands, buttons, prefix commands and mentions.

Domain errors (index/errors.py) and permission/cooldown refusals carry a message a user can act
on: that message is shown, ephemerally where Discord allows. Anything else is logged with its
traceback under a short reference, and the user only sees the reference: never a traceback,
an exception text or a secret.
"""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.render import CONTENT_MAX, NO_MENTIONS, clip
from index.errors import NewsbotError

log = logging.getLogger(__name__)

GENERIC = "Something went wrong on my side (ref {ref}). It has been logged; please try again later."


class Refused(app_commands.CheckFailure):
    """A check said no (not an admin, not the owner); ``str()`` is shown to the user."""


_WRAPPERS = (
    app_commands.CommandInvokeError,
    commands.CommandInvokeError,
    commands.HybridCommandError,
    commands.ConversionError,
)


def unwrap(error: BaseException) -> BaseException:
    """The exception that actually happened, without discord.py's invoke wrappers."""
    for _ in range(5):  # wrappers nest at most a couple deep
        if not isinstance(error, _WRAPPERS):
            break
        error = error.original
    return error


def describe(error: BaseException) -> str | None:
    """The message for a user when ``error`` is expected; None for a bug (log + generic reply)."""
    error = unwrap(error)
    if isinstance(error, NewsbotError):
        return str(error) or "That request can't be done."
    if isinstance(error, Refused):
        return str(error)
    if isinstance(error, (app_commands.NoPrivateMessage, commands.NoPrivateMessage)):
        return "That command only works in a server channel, not in DMs."
    if isinstance(error, commands.NotOwner):
        return "Only the bot's owner can do that."
    if isinstance(error, (app_commands.MissingPermissions, commands.MissingPermissions)):
        return "You don't have the permission that command needs."
    if isinstance(error, (app_commands.CommandOnCooldown, commands.CommandOnCooldown)):
        return f"Slow down a little: try again in {max(round(error.retry_after), 1)} s."
    if isinstance(error, app_commands.TransformerError):
        return f"'{clip(str(error.value), 80)}' is not a valid value for that option."
    if isinstance(error, commands.UserInputError):
        return clip(str(error), 300) or "That command's input is not valid."
    if isinstance(error, discord.Forbidden):
        return "I'm missing a permission in this channel to do that."
    return None


def user_message(error: BaseException, where: str) -> str:
    """Describe ``error`` for a user, logging unexpected ones with their traceback."""
    message = describe(error)
    if message is not None:
        log.info("%s refused: %s", where, message)
        return clip(message, CONTENT_MAX - 10)
    ref = secrets.token_hex(3)
    original = unwrap(error)
    log.error("%s failed (ref %s)", where, ref, exc_info=original)
    return GENERIC.format(ref=ref)


async def report_interaction(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user of a slash command or a button what went wrong, ephemerally."""
    where = _interaction_name(interaction)
    message = user_message(error, where)
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(
                message, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        if interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
            # A public "thinking…" placeholder would otherwise stay forever (or show the error
            # to the whole channel); replace it with a private note.
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                log.debug("could not delete the deferred reply of %s", where)
        await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        # The interaction expired or Discord refused: the log is all that is left.
        log.warning("could not tell the user about an error in %s", where, exc_info=True)


async def report_message(message: discord.Message, error: BaseException) -> None:
    """Reply to a mention or a thread follow-up that failed."""
    text = user_message(error, "mention")
    try:
        await message.reply(text, mention_author=False, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("could not reply with an error to message %s", message.id, exc_info=True)


async def report_context(ctx: commands.Context, error: BaseException) -> None:
    """Reply to a prefix command (e.g. !sync) that failed."""
    if isinstance(unwrap(error), commands.CommandNotFound):
        return  # the prefix may be shared with other bots: stay quiet
    text = user_message(error, f"!{ctx.command.qualified_name if ctx.command else '?'}")
    try:
        await ctx.reply(text, mention_author=False, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("could not reply with an error to a prefix command", exc_info=True)


def _interaction_name(interaction: discord.Interaction) -> str:
    command = interaction.command
    if command is not None:
        return f"/{command.qualified_name}"
    if interaction.type is discord.InteractionType.component:
        return "button"
    return "interaction"
