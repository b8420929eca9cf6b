"""Admin commands: /reindex, /add (file or URL), /remove, /feeds, and the owner's !sync."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import render
from bot.discord.errors import Refused
from index.errors import BadInput
from index.models import Progress

if TYPE_CHECKING:
    from bot.discord.client import NewsBot

log = logging.getLogger(__name__)

# Edits of the /reindex reply are at most this often (Discord rate-limits message edits).
PROGRESS_EDIT_SECONDS = 1.0


def is_admin(interaction: discord.Interaction) -> bool:
    """Manage Server, one of the configured admin roles, or a configured owner."""
    bot: NewsBot = interaction.client  # type: ignore[assignment]
    settings = bot.settings
    if interaction.user.id in settings.owner_ids:
        return True
    member = interaction.user
    if interaction.guild_id is None or not isinstance(member, discord.Member):
        return False
    perms = interaction.permissions
    if perms.administrator or perms.manage_guild:
        return True
    return any(member.get_role(role_id) is not None for role_id in settings.admin_role_ids)


async def admin_only(interaction: discord.Interaction) -> bool:
    """The check on every admin command; Discord's default_member_permissions is only a hint."""
    if is_admin(interaction):
        return True
    name = interaction.command.qualified_name if interaction.command else "this command"
    raise Refused(f"Only server admins (Manage Server or an admin role) can use /{name}.")


class ProgressReply:
    """Edits the deferred /reindex reply with progress, then with the summary, in that order."""

    def __init__(self, interaction: discord.Interaction, *, joined: bool) -> None:
        self.interaction = interaction
        self.joined = joined
        self._lock = asyncio.Lock()
        self._last = 0.0
        self._finished = False

    async def show(self, progress: Progress | None) -> None:
        async with self._lock:
            now = time.monotonic()
            if self._finished or (
                progress is not None and now - self._last < PROGRESS_EDIT_SECONDS
            ):
                return
            self._last = now
            text = render.progress_text(progress, joined=self.joined)
            try:
                await self.interaction.edit_original_response(
                    content=text, allowed_mentions=render.NO_MENTIONS
                )
            except discord.HTTPException:
                log.debug("progress edit failed", exc_info=True)

    async def finish(self, reply: render.Reply) -> None:
        async with self._lock:
            self._finished = True
            await self.interaction.edit_original_response(**reply.kwargs())


class AdminCog(commands.Cog):
    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self.service = bot.service

    @app_commands.command(name="reindex", description="Rebuild the index from the corpus (admins)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(admin_only)
    async def reindex(self, interaction: discord.Interaction) -> None:
        joined = self.service.reindexing
        await interaction.response.defer(thinking=True)
        reply = ProgressReply(interaction, joined=joined)
        await reply.show(None)
        report = await self.service.reindex(on_progress=reply.show)
        await reply.finish(render.reindex_embed(report, joined=joined))

    @app_commands.command(name="add", description="Add an article file or a URL (admins)")
    @app_commands.describe(
        file="The article: a .txt, .md, .html or .jsonl file",
        url="Or a link to an article page (http or https)",
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(admin_only)
    async def add(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        url: app_commands.Range[str, 1, 2000] | None = None,
    ) -> None:
        if (file is None) == (url is None):
            raise BadInput("Give either a file or a url, e.g. /add url:https://example.com/story")
        limit = self.bot.settings.max_upload_bytes
        if file is not None and file.size > limit:  # refuse before downloading it
            raise BadInput(f"'{file.filename}' is {file.size:,} bytes; the limit is {limit:,}.")
        await interaction.response.defer(thinking=True)
        if file is not None:
            results = await self.service.add_file(file.filename, await file.read())
        else:
            results = [await self.service.add_url(url or "")]
        await interaction.edit_original_response(**render.add_text(results).kwargs())

    @app_commands.command(name="remove", description="Remove an article from the corpus (admins)")
    @app_commands.describe(id="The article id (start typing a title)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(admin_only)
    async def remove(self, interaction: discord.Interaction, id: str) -> None:
        await interaction.response.defer(thinking=True)
        report = await self.service.remove(id.strip())
        await interaction.edit_original_response(**render.reindex_embed(report).kwargs())

    @remove.autocomplete("id")
    async def remove_ids(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        found = await self.service.suggest(current, limit=render.CHOICES_MAX)
        return [
            app_commands.Choice(
                name=render.clip(f"{a.title} · {a.id}", render.CHOICE_MAX), value=a.id
            )
            for a in found
            if len(a.id) <= render.CHOICE_MAX
        ]

    feeds = app_commands.Group(
        name="feeds",
        description="RSS/Atom feeds polled for new articles (admins)",
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @feeds.command(name="add", description="Register a feed; new items are added as they appear")
    @app_commands.describe(url="The feed's address (RSS or Atom)")
    @app_commands.check(admin_only)
    async def feeds_add(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000]
    ) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        info = await self.service.add_feed(url)
        title = f" ({render.escape(render.clip(info.title, 100))})" if info.title else ""
        await interaction.edit_original_response(
            content=f"📰 Registered <{info.url}>{title}. It is polled every "
            f"{self.bot.settings.feed_poll_seconds / 60:.0f} minutes.",
            allowed_mentions=render.NO_MENTIONS,
        )

    @feeds.command(name="remove", description="Stop polling a feed")
    @app_commands.describe(url="The feed's address, as /feeds list shows it")
    @app_commands.check(admin_only)
    async def feeds_remove(self, interaction: discord.Interaction, url: str) -> None:
        info = await self.service.remove_feed(url)
        await interaction.response.send_message(
            f"Removed <{info.url}>.", ephemeral=True, allowed_mentions=render.NO_MENTIONS
        )

    @feeds.command(name="list", description="The registered feeds")
    @app_commands.check(admin_only)
    async def feeds_list(self, interaction: discord.Interaction) -> None:
        feeds = await self.service.list_feeds()
        lines = [f"<{f.url}> · last polled {f.last_polled_at or 'never'}" for f in feeds[:20]] or [
            "No feeds registered. Add one with /feeds add url:…"
        ]
        await interaction.response.send_message(
            render.clip("\n".join(lines), render.CONTENT_MAX),
            ephemeral=True,
            allowed_mentions=render.NO_MENTIONS,
        )

    @commands.command(name="sync", help="Sync slash commands: !sync (global) or !sync here")
    @commands.is_owner()
    async def sync(
        self, ctx: commands.Context[NewsBot], scope: Literal["global", "here"] = "global"
    ) -> None:
        if scope == "here":
            if ctx.guild is None:
                raise BadInput("!sync here only works in a server channel.")
            self.bot.tree.copy_global_to(guild=ctx.guild)
            synced = await self.bot.tree.sync(guild=ctx.guild)
            where = "to this server"
        else:
            synced = await self.bot.tree.sync()
            where = "globally (Discord may take up to an hour to show them everywhere)"
        await ctx.reply(
            f"Synced {len(synced)} commands {where}.",
            mention_author=False,
            allowed_mentions=render.NO_MENTIONS,
        )
