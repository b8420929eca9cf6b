"""/feedback (admins): the latest 👎 with question, quotes and a link to the message, and the
right answer an admin supplies for one. `newsbot feedback export` turns them into eval items."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.admin import admin_only
from bot.feedback import FeedbackLog
from bot.service import now_iso
from index.models import Feedback

if TYPE_CHECKING:
    from bot.discord.client import NewsBot

LATEST_DEFAULT = 5
LATEST_MAX = 10


class FeedbackCog(commands.Cog):
    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self.log = FeedbackLog(bot.settings.data_dir)

    feedback = app_commands.Group(
        name="feedback",
        description="👎 votes on answers, to improve them (admins)",
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @feedback.command(name="latest", description="The latest 👎: question, quotes, message")
    @app_commands.describe(count=f"How many (1-{LATEST_MAX}, default {LATEST_DEFAULT})")
    @app_commands.check(admin_only)
    async def latest(
        self,
        interaction: discord.Interaction,
        count: app_commands.Range[int, 1, LATEST_MAX] = LATEST_DEFAULT,
    ) -> None:
        votes = await self.log.latest_async("down", count)
        await interaction.response.send_message(**feedback_embed(votes).kwargs(), ephemeral=True)

    @feedback.command(name="answer", description="Give the right answer to a 👎'd question")
    @app_commands.describe(
        id="The vote's id, as /feedback latest shows it",
        answer="Words the right quote contains (they become the eval item's answer)",
    )
    @app_commands.check(admin_only)
    async def answer(
        self,
        interaction: discord.Interaction,
        id: app_commands.Range[str, 1, 40],
        answer: app_commands.Range[str, 1, 500],
    ) -> None:
        await self.log.supply_async(id.strip(), answer, now_iso())
        await interaction.response.send_message(
            f"Recorded the right answer for {render.inline_code(id.strip())}. "
            "`newsbot feedback export` writes it as an eval item.",
            ephemeral=True,
            allowed_mentions=render.NO_MENTIONS,
        )


def feedback_embed(votes: list[Feedback]) -> render.Reply:
    """The latest 👎, newest first: one field each, within Discord's limits."""
    title = f"Latest 👎 ({len(votes)})"
    if not votes:
        text = "No 👎 yet. Votes are stored when someone presses 👎 under an answer."
        return render.Reply(
            embed=discord.Embed(title=title, description=text, colour=render.NO_ANSWER_COLOUR)
        )
    embed = discord.Embed(title=title, colour=render.ADMIN_COLOUR)
    per_field = min(render.EMBED_FIELD_VALUE_MAX, 5000 // len(votes))
    for vote in votes:
        lines = []
        if vote.asked:
            lines.append(f"asked: {render.escape(render.clip(vote.asked, 120))}")
        for quote in vote.quotes[:3]:
            lines.append(f"✗ {render.escape(render.clip(quote.text, 160))}")
        if not vote.quotes and vote.passage_ids:
            lines.append("passages " + ", ".join(render.inline_code(p) for p in vote.passage_ids))
        where = render.safe_url(vote.message_url)
        tail = f"id {render.inline_code(vote.id or '?')} · {vote.at}"
        if where:
            tail += f" · [message]({where})"
        lines.append(tail)
        value = "\n".join(lines)
        if len(value) > per_field:
            value = (
                render.clip_markdown("\n".join(lines[:-1]), per_field - len(tail) - 1) + "\n" + tail
            )
        embed.add_field(name=render.clip(vote.question, 200), value=value, inline=False)
    embed.set_footer(text="/feedback answer id: answer: records the right answer")
    return render.Reply(embed=embed)
