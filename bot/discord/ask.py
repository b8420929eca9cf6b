"""Asking: /ask, a mention in a channel (answered in a new thread), follow-ups in that thread, DMs."""

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
from bot.discord.views import FeedbackView
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

    def _feedback(self, answer: Answer) -> FeedbackView | None:
        return FeedbackView(answer, self.bot.store_feedback) if answer.answered else None

    async def _ask(self, question: str) -> Answer:
        started = time.perf_counter()
        try:
            return await self.service.ask(question)
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
        answer = await within_deadline(
            interaction, self._ask(question), defer_after=self.bot.defer_after
        )
        await send(interaction, render.answer_embed(answer), view=self._feedback(answer))

    # ---- mentions, thread follow-ups, DMs
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None:
            return
        mentioned = any(user.id == me.id for user in message.mentions)
        in_dm = message.guild is None
        in_our_thread = self._is_answer_thread(message.channel)
        if not (mentioned or in_dm or in_our_thread):
            return
        if message.content.startswith(self.bot.settings.command_prefix):
            ctx = await self.bot.get_context(message)
            if ctx.valid:
                return  # a command such as !sync, handled by discord.py
        try:
            await self._answer_message(message, me.id, start_thread=mentioned and not in_dm)
        except Exception as error:
            await report_message(message, error)

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
        self, message: discord.Message, my_id: int, *, start_thread: bool
    ) -> None:
        question = re.sub(rf"<@!?{my_id}>", " ", message.content).strip()
        self.bot.cooldowns.hit(message.author.id, message.channel.id)
        await _typing(message.channel)
        # Answer first: a question that fails (empty, too long) gets a reply, not an empty thread.
        record_command("mention")
        answer = await self._ask(question)
        reply = render.answer_text(answer)
        view = self._feedback(answer)
        extra: dict[str, Any] = {"view": view} if view is not None else {}
        thread = None
        if start_thread and not isinstance(message.channel, discord.Thread):
            thread = await self._open_thread(message, question)
        if thread is not None:
            await thread.send(**reply.kwargs(), **extra)
        else:
            await message.reply(**reply.kwargs(), mention_author=False, **extra)

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


async def _typing(channel: discord.abc.Messageable) -> None:
    """Show "newsbot is typing…" while the answer is computed; purely cosmetic."""
    with contextlib.suppress(discord.HTTPException):
        await channel.typing()
