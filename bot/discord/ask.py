"""Asking: /ask, a mention in a channel (answered in a new thread), follow-ups in that thread, in
a reply to an answer, and in DMs.

A conversation is what a follow-up may lean on ("What else did he say?"). Its key:

- a thread the bot opened: ``discord:conv:THREAD_ID``. A thread started on a message has that
  message's id, so the mention that opened it already used this key;
- a mention answered in place (no thread allowed) or in someone else's thread:
  ``discord:conv:MESSAGE_ID`` of the mention; a reply to any bot answer continues the
  conversation that answer belongs to (every answer message is linked to its key);
- a DM: ``discord:dm:CHANNEL_ID``, one conversation per DM channel;
- ``/ask`` inside a bot thread or a DM joins that conversation; elsewhere it starts one,
  ``discord:conv:INTERACTION_ID``, which a reply to its answer continues.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.errors import report_message
from bot.discord.respond import send, within_deadline
from bot.discord.views import FeedbackView, register_dynamic_items
from bot.metrics import observe_ask, record_command
from index.models import Answer

if TYPE_CHECKING:
    from bot.discord.client import NewsBot

log = logging.getLogger(__name__)

# Threads the bot opened for answers, remembered so follow-ups need no mention even when the
# thread is not in discord.py's cache; the oldest are forgotten first.
_REMEMBERED_THREADS = 5000
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440  # a day; one of the durations Discord allows
QUESTION_MAX = 1000


class AskCog(commands.Cog):
    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self.service = bot.service
        self._threads: OrderedDict[int, None] = OrderedDict()

    async def cog_load(self) -> None:
        register_dynamic_items(self.bot)

    def _feedback(self, answer: Answer) -> FeedbackView | None:
        if not answer.answered or answer.kind not in {"quotes", "more"}:
            return None  # a reply such as "Lukashenko said that" is not an answer to rate
        return FeedbackView(answer, self.bot.store_feedback)

    async def _ask(self, question: str, conversation: str | None = None) -> Answer:
        started = time.perf_counter()
        try:
            return await self.service.ask(question, conversation=conversation)
        finally:
            observe_ask(time.perf_counter() - started, via="discord")

    # ---- /ask
    @app_commands.command(
        name="ask", description="Answer a question with verbatim quotes from the indexed articles"
    )
    @app_commands.describe(question="Your question, e.g. What did Lukashenko tell Li Zhanshu?")
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, QUESTION_MAX],
    ) -> None:
        self.bot.cooldowns.hit(interaction.user.id, interaction.channel_id)
        channel = interaction.channel
        if interaction.guild_id is None and interaction.channel_id is not None:
            key = dm_key(interaction.channel_id)
        elif channel is not None and self._is_answer_thread(channel):
            key = conv_key(channel.id)
        else:
            key = conv_key(interaction.id)
        answer = await within_deadline(
            interaction, self._ask(question, key), defer_after=self.bot.defer_after
        )
        sent = await send(interaction, render.answer_embed(answer), view=self._feedback(answer))
        if sent is not None:
            await self.service.conversations.link(sent, key)

    # ---- mentions, thread follow-ups, replies, DMs
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None:
            return
        mentioned = any(user.id == me.id for user in message.mentions)
        in_dm = message.guild is None
        # A thread not in discord.py's cache arrives as a bare channel: the conversation store
        # says whether it is one of ours (e.g. right after a restart).
        in_our_thread = self._is_answer_thread(message.channel) or (
            not in_dm
            and not isinstance(message.channel, (discord.TextChannel, discord.Thread))
            and await self.service.conversations.exists(conv_key(message.channel.id))
        )
        replied_key = await self._replied_conversation(message)
        if not (mentioned or in_dm or in_our_thread or replied_key):
            return
        if message.content.startswith(self.bot.settings.command_prefix):
            ctx = await self.bot.get_context(message)
            if ctx.valid:
                return  # a command such as !sync, handled by discord.py
        if in_dm:
            key = dm_key(message.channel.id)
        elif in_our_thread:
            key = conv_key(message.channel.id)
        else:  # a reply to an answer continues its conversation; a mention starts one
            key = replied_key or conv_key(message.id)
        start_thread = mentioned and not in_dm and not in_our_thread and replied_key is None
        try:
            await self._answer_message(message, me.id, key=key, start_thread=start_thread)
        except Exception as error:
            await report_message(message, error)

    async def _replied_conversation(self, message: discord.Message) -> str | None:
        """The conversation of the bot answer ``message`` replies to, if it replies to one."""
        reference = message.reference
        if reference is None or reference.message_id is None:
            return None
        return await self.service.conversations.key_of(reference.message_id)

    def _is_answer_thread(self, channel: object) -> bool:
        me = self.bot.user
        if isinstance(channel, discord.Thread) and me is not None and channel.owner_id == me.id:
            return True
        return getattr(channel, "id", None) in self._threads

    def _remember_thread(self, thread_id: int) -> None:
        self._threads[thread_id] = None
        while len(self._threads) > _REMEMBERED_THREADS:
            self._threads.popitem(last=False)

    async def _answer_message(
        self, message: discord.Message, my_id: int, *, key: str, start_thread: bool
    ) -> None:
        question = re.sub(rf"<@!?{my_id}>", " ", message.content).strip()
        self.bot.cooldowns.hit(message.author.id, message.channel.id)
        await _typing(message.channel)
        # Answer first: a question that fails (empty, too long) gets a reply, not an empty thread.
        record_command("mention")
        answer = await self._ask(question, key)
        reply = render.answer_text(answer)
        view = self._feedback(answer)
        extra: dict[str, Any] = {"view": view} if view is not None else {}
        thread = None
        if start_thread and not isinstance(message.channel, discord.Thread):
            thread = await self._open_thread(message, question)
        if thread is not None:
            sent = await thread.send(**reply.kwargs(), **extra)
        else:
            sent = await message.reply(**reply.kwargs(), mention_author=False, **extra)
        await self.service.conversations.link(sent.id, key)

    async def _open_thread(self, message: discord.Message, question: str) -> discord.Thread | None:
        """A thread on the question, when the channel allows one; None means reply in place."""
        name = render.clip(question or "Question", render.THREAD_NAME_MAX)
        try:
            thread = await message.create_thread(
                name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES
            )
        except (discord.HTTPException, ValueError, TypeError) as err:
            log.info("no thread for message %s (%s); replying in place", message.id, err)
            return None
        self._remember_thread(thread.id)
        return thread


def conv_key(channel_or_message_id: int) -> str:
    return f"discord:conv:{channel_or_message_id}"


def dm_key(channel_id: int) -> str:
    return f"discord:dm:{channel_id}"


async def _typing(channel: discord.abc.Messageable) -> None:
    """Show "newsbot is typing…" while the answer is computed; purely cosmetic."""
    with contextlib.suppress(discord.HTTPException):
        await channel.typing()
