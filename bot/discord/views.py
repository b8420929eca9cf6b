"""Buttons: 👍/👎 feedback and 📄 "quote in context" under answers, paging for /articles and
for an article's text (/source).

The 📄 and ◀ ▶ buttons of /source are *dynamic items*: their state (the quote's passage and
offsets, the article and page) is in their custom id, so they keep working after the bot restarts
and nothing is held in memory for them. They are registered once (``register_dynamic_items``)
and sent as plain buttons, because discord.py forgets a dynamic item's pattern when a view that
holds an instance of it times out.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot.discord import render
from bot.discord.errors import report_interaction
from bot.metrics import METRICS
from bot.service import now_iso
from index.models import Answer, ArticleSummary, Feedback, FeedbackQuote, Quote, SourceView

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
    """👍 / 👎 under an answer; each vote is stored with the question (as read, for a follow-up),
    the quotes shown and a link to the message. A 📄 button per quote shows it in context."""

    def __init__(self, answer: Answer, store: FeedbackSink) -> None:
        super().__init__(timeout=FEEDBACK_TIMEOUT_SECONDS)
        self.question = _without_period(answer.read_as) or answer.question
        self.asked = answer.question if answer.read_as else None
        self.passage_ids = tuple(q.passage_id for q in answer.quotes)
        self.quotes = tuple(
            FeedbackQuote(
                text=q.text, passage_id=q.passage_id, speaker=q.speaker, title=q.source.title
            )
            for q in answer.quotes
        )
        self._store = store
        self._votes: dict[str, str] = {}  # user hash -> vote, so a double click is stored once
        for button in quote_buttons(answer.quotes):
            self.add_item(button)

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
        message = interaction.message
        feedback = Feedback(
            question=self.question,
            passage_ids=self.passage_ids,
            user_hash=user,
            vote=vote,
            at=now_iso(),
            id=uuid.uuid4().hex[:12],
            asked=self.asked,
            quotes=self.quotes,
            message_url=message.jump_url if message is not None else None,
        )
        await self._store(feedback)
        METRICS.record_feedback(vote)
        self._votes[user] = vote
        await interaction.response.send_message(
            f"Thanks, your {emoji} is recorded.",
            ephemeral=True,
            allowed_mentions=render.NO_MENTIONS,
        )

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary, row=0)
    async def up(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._vote(interaction, "up")

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary, row=0)
    async def down(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._vote(interaction, "down")


def _without_period(read_as: str | None) -> str | None:
    """The question as read, without the "(published …)" note (an eval item is a question)."""
    if read_as is None:
        return None
    return re.sub(r"\s*\((?:published|newest first)[^()]*\)$", "", read_as)


# ---- 📄 a quote in context; ◀ ▶ through an article's text
CUSTOM_ID_MAX = 100
QUOTE_ID = "nb:quote:"
PAGE_ID = "nb:page:"


def quote_ref(quote: Quote) -> str:
    """What /source takes to show a quote marked in its passage: ``article-id:N@START-END``."""
    return f"{quote.passage_id}@{quote.start}-{quote.end}"


def quote_buttons(quotes: Sequence[Quote]) -> list[discord.ui.Button[Any]]:
    """One 📄 button per quote (when its reference fits in a custom id)."""
    out: list[discord.ui.Button[Any]] = []
    for n, quote in enumerate(quotes, 1):
        custom_id = QUOTE_ID + quote_ref(quote)
        if len(custom_id) > CUSTOM_ID_MAX:
            continue
        label = "In context" if len(quotes) == 1 else f"{n} in context"
        out.append(
            discord.ui.Button(
                emoji="📄",
                label=label,
                custom_id=custom_id,
                style=discord.ButtonStyle.secondary,
                row=1,
            )
        )
    return out


class QuoteInContext(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"nb:quote:(?P<ref>\S+)"
):
    """📄: the quote's passage, privately, with the quoted words in bold."""

    def __init__(self, ref: str) -> None:
        super().__init__(discord.ui.Button(emoji="📄", custom_id=QUOTE_ID + ref))
        self.ref = ref

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> QuoteInContext:
        return cls(match["ref"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            view = await _service(interaction).source(self.ref)
            await interaction.response.send_message(
                **render.source_embed(view).kwargs(), ephemeral=True
            )
        except Exception as error:  # discord.py only logs a dynamic item's errors
            await report_interaction(interaction, error)


def page_buttons(view: SourceView) -> discord.ui.View | None:
    """◀ ▶ under an article's text, when it has more than one page."""
    page = view.text
    if page is None or page.pages <= 1:
        return None
    if len(f"{PAGE_ID}{page.pages}:{view.article.id}") > CUSTOM_ID_MAX:
        return None  # an id too long for a button; the /source page: option still works
    holder = discord.ui.View(timeout=None)  # holds dynamic items only: nothing stays in memory
    holder.add_item(TurnPage(view.article.id, page.page - 1, "◀ Previous", page.page <= 1))
    holder.add_item(TurnPage(view.article.id, page.page + 1, "Next ▶", page.page >= page.pages))
    return holder


class TurnPage(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"nb:page:(?P<page>\d{1,5}):(?P<ident>\S+)",
):
    """◀ / ▶: the previous or next page of an article's text, in the same message."""

    def __init__(self, ident: str, page: int, label: str = "", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or "page",
                custom_id=f"{PAGE_ID}{page}:{ident}",
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
            )
        )
        self.ident = ident
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TurnPage:
        return cls(match["ident"], int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            view = await _service(interaction).source(self.ident, page=self.page)
            extra: dict[str, Any] = {"view": page_buttons(view)}
            await interaction.response.edit_message(**render.source_embed(view).kwargs(), **extra)
        except Exception as error:
            await report_interaction(interaction, error)


def _service(interaction: discord.Interaction) -> Any:
    return interaction.client.service  # type: ignore[attr-defined]


def register_dynamic_items(client: discord.Client) -> None:
    client.add_dynamic_items(QuoteInContext, TurnPage)


class ArticlesPager(_View):
    """◀ / ▶ through a snapshot of the article list."""

    def __init__(self, articles: Sequence[ArticleSummary], page: int, period: str = "") -> None:
        super().__init__(timeout=PAGER_TIMEOUT_SECONDS)
        self.articles = list(articles)
        self.period = period
        self.pages = render.page_count(len(self.articles))
        self.page = min(max(page, 1), self.pages)
        self.origin: discord.Interaction | None = None  # the /articles call, to retire the buttons
        self._sync_buttons()

    def current(self) -> render.Reply:
        return render.articles_embed(self.articles, self.page, period=self.period)

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
