"""Buttons: 👍/👎 feedback under answers, and paging for /articles."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot.discord import render
from bot.discord.errors import report_interaction
from bot.service import now_iso
from index.models import Answer, ArticleSummary, Feedback

log = logging.getLogger(__name__)

# Buttons live in memory; after this long (or a restart) Discord shows them as expired.
FEEDBACK_TIMEOUT_SECONDS = 6 * 3600
PAGER_TIMEOUT_SECONDS = 10 * 60  # below the 15 min an interaction token stays valid

FeedbackSink = Callable[[Feedback], Awaitable[None]]


class _View(discord.ui.View):
    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_interaction(interaction, error)


class FeedbackView(_View):
    """👍 / 👎 under an answer; each vote is stored with the question and the quoted passages."""

    def __init__(self, answer: Answer, store: FeedbackSink) -> None:
        super().__init__(timeout=FEEDBACK_TIMEOUT_SECONDS)
        self.question = answer.question
        self.passage_ids = tuple(q.passage_id for q in answer.quotes)
        self._store = store
        self._votes: dict[str, str] = {}  # user hash -> vote, so a double click is stored once

    async def _vote(self, interaction: discord.Interaction, vote: str) -> None:
        user = interaction.client.service.user_hash(interaction.user.id)  # type: ignore[attr-defined]
        emoji = "👍" if vote == "up" else "👎"
        if self._votes.get(user) == vote:
            await interaction.response.send_message(
                f"You already voted {emoji} on this answer.",
                ephemeral=True,
                allowed_mentions=render.NO_MENTIONS,
            )
            return
        feedback = Feedback(
            question=self.question,
            passage_ids=self.passage_ids,
            user_hash=user,
            vote=vote,
            at=now_iso(),
        )
        await self._store(feedback)
        self._votes[user] = vote
        await interaction.response.send_message(
            f"Thanks, your {emoji} is recorded.",
            ephemeral=True,
            allowed_mentions=render.NO_MENTIONS,
        )

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary)
    async def up(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._vote(interaction, "up")

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary)
    async def down(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._vote(interaction, "down")


class ArticlesPager(_View):
    """◀ / ▶ through a snapshot of the article list."""

    def __init__(self, articles: Sequence[ArticleSummary], page: int) -> None:
        super().__init__(timeout=PAGER_TIMEOUT_SECONDS)
        self.articles = list(articles)
        self.pages = render.page_count(len(self.articles))
        self.page = min(max(page, 1), self.pages)
        self.origin: discord.Interaction | None = None  # the /articles call, to retire the buttons
        self._sync_buttons()

    def current(self) -> render.Reply:
        return render.articles_embed(self.articles, self.page)

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page <= 1
        self.next.disabled = self.page >= self.pages

    async def _turn(self, interaction: discord.Interaction, delta: int) -> None:
        self.page = min(max(self.page + delta, 1), self.pages)
        self._sync_buttons()
        await interaction.response.edit_message(**self.current().kwargs(), view=self)

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, +1)

    async def on_timeout(self) -> None:
        if self.origin is None:
            return
        try:
            await self.origin.edit_original_response(view=None)
        except discord.HTTPException:
            log.debug("could not retire the /articles buttons", exc_info=True)
