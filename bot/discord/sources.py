"""Looking sources up: /search, /source (with autocomplete), /articles (paged)."""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.respond import send, within_deadline
from bot.discord.views import ArticlesPager, page_buttons
from index.dates import parse_day
from index.errors import BadInput
from index.passages import split_passage_id

if TYPE_CHECKING:
    from bot.discord.client import NewsBot

log = logging.getLogger(__name__)

SEARCH_DEFAULT = 5
SEARCH_MAX = render.EMBED_FIELDS_MAX


class SourcesCog(commands.Cog):
    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self.service = bot.service

    @app_commands.command(name="search", description="The passages that best match some words")
    @app_commands.describe(
        query="Words to look for, e.g. Lukashenko China",
        limit=f"How many passages to show (1-{SEARCH_MAX}, default {SEARCH_DEFAULT})",
    )
    async def search(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 500],
        limit: app_commands.Range[int, 1, SEARCH_MAX] = SEARCH_DEFAULT,
    ) -> None:
        hits = await within_deadline(
            interaction, self.service.search(query, limit), defer_after=self.bot.defer_after
        )
        await send(interaction, render.search_embed(query, hits))

    @app_commands.command(
        name="source", description="An article's text (paged), or a passage in context, by id"
    )
    @app_commands.describe(
        id="An article id (start typing a title) or a passage id like article-id:3",
        page="For an article: which page of its text (default 1; ◀ ▶ turn the pages)",
    )
    async def source(
        self,
        interaction: discord.Interaction,
        id: str,
        page: app_commands.Range[int, 1, 10_000] = 1,
    ) -> None:
        view = await within_deadline(
            interaction, self.service.source(id, page=page), defer_after=self.bot.defer_after
        )
        await send(interaction, render.source_embed(view), view=page_buttons(view))

    @source.autocomplete("id")
    async def source_ids(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        current = current.strip()
        choices: list[app_commands.Choice[str]] = []
        if split_passage_id(current) is not None and len(current) <= render.CHOICE_MAX:
            # A typed passage id is offered back as-is so it can be chosen.
            choices.append(app_commands.Choice(name=f"passage {current}", value=current))
        try:
            found = await self.service.suggest(current, limit=render.CHOICES_MAX)
        except Exception:  # autocomplete has no error reply; an empty list is the honest answer
            log.warning("autocomplete for /source failed", exc_info=True)
            found = []
        for article in found:
            if len(article.id) > render.CHOICE_MAX:
                continue  # Discord cannot carry it as a choice value; typing it still works
            name = render.clip(f"{article.title} · {article.id}", render.CHOICE_MAX)
            choices.append(app_commands.Choice(name=name, value=article.id))
        return choices[: render.CHOICES_MAX]

    @app_commands.command(name="articles", description="What is indexed, newest first")
    @app_commands.describe(
        page="Page number (10 articles a page)",
        since="Published on or after: 2024-03-01, March 2024, 2023, last week…",
        until="Published on or before: 2024-03-31, March 2024, 2023, yesterday…",
    )
    async def articles(
        self,
        interaction: discord.Interaction,
        page: app_commands.Range[int, 1, 10_000] = 1,
        since: app_commands.Range[str, 1, 40] | None = None,
        until: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        today = self.service.today()
        start = _day(since, today, end=False)
        end = _day(until, today, end=True)
        articles = await self.service.articles(since=start, until=end)
        pager = ArticlesPager(articles, page, period=render.period_label(start, end))
        if pager.pages > 1:
            pager.origin = interaction
            await send(interaction, pager.current(), view=pager)
        else:
            pager.stop()
            await send(interaction, pager.current())


def _day(text: str | None, today: date, *, end: bool) -> date | None:
    if text is None:
        return None
    try:
        return parse_day(text, today, end=end)
    except ValueError as err:
        raise BadInput(str(err)) from None
