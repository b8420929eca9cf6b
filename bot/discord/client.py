"""The bot: a discord.py ``commands.Bot`` over ``NewsService``, and how to run it.

Where it connects: discord.py builds every REST URL (bot calls *and* interaction webhooks) from
the class attribute ``discord.http.Route.BASE`` and connects the gateway to
``DiscordWebSocket.DEFAULT_GATEWAY`` (also used to reconnect). There is no per-client setting, so
while a ``NewsBot`` is logged in both point where the settings say (the gateway URL comes from
``GET /gateway/bot`` on that base, as with the real API) and they are restored when the last bot
closes. Two bots with different bases cannot run in one process; that is refused, not mixed up.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.discord.cooldown import Cooldowns
from bot.discord.errors import report_context, report_interaction
from bot.discord.respond import DEFER_AFTER_SECONDS
from bot.logtext import printable
from bot.metrics import record_command
from bot.service import NewsService
from bot.settings import DISCORD_API_BASE, Settings, SettingsError
from index.models import Feedback

log = logging.getLogger(__name__)

LOGIN_TIMEOUT_SECONDS = 15.0
READY_TIMEOUT_SECONDS = 30.0
# How long a shutdown waits for feedback writes that are still in flight.
FLUSH_TIMEOUT_SECONDS = 5.0
# A DM is answered only for members of the team's servers; the answer to "is X a member" is
# remembered this long (and for this many users) to spare the REST API.
MEMBER_CACHE_SECONDS = 600.0
MEMBER_CACHE_SIZE = 10_000
NOT_OUR_SERVER = "This bot only serves its team's servers."
NOT_A_MEMBER = "This bot only answers members of its team's servers."

# Three dot-separated base64url parts: user id, timestamp, HMAC.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{10,}")


class DiscordStartupError(SettingsError):
    """The bot cannot start: bad token, unreachable API, no gateway. One line, no secrets."""


def bot_token(settings: Settings) -> str:
    """The token from the settings, checked for shape (never echoed, not even in errors)."""
    if settings.discord_token is None:
        raise DiscordStartupError(
            "DISCORD_TOKEN is not set. Copy the bot token from the Bot page of the Discord "
            "developer portal into DISCORD_TOKEN (environment or .env)."
        )
    token = settings.discord_token.get_secret_value().strip()
    if token.lower().startswith("bot "):
        raise DiscordStartupError("DISCORD_TOKEN starts with 'Bot '; set only the token itself.")
    if not _TOKEN_SHAPE.fullmatch(token):
        raise DiscordStartupError(
            "DISCORD_TOKEN does not look like a bot token (three parts separated by dots). "
            "Reset and copy it from the Bot page of the Discord developer portal."
        )
    return token


def api_base(settings: Settings) -> str:
    """The configured REST base, validated; no trailing slash."""
    raw = (settings.discord_api_base or DISCORD_API_BASE).strip().rstrip("/")
    try:
        url = yarl.URL(raw)
    except ValueError:
        url = None
    if url is None or url.scheme not in {"http", "https"} or not url.host:
        raise DiscordStartupError(
            "NEWSBOT_DISCORD_API_BASE must be an http(s) URL such as " + DISCORD_API_BASE
        )
    if url.user is not None or url.password is not None:
        # The bot token is the credential; aiohttp refuses a second one in the URL.
        raise DiscordStartupError(
            "NEWSBOT_DISCORD_API_BASE must not contain user:password@; the bot token is sent."
        )
    return raw


def shown_url(url: str) -> str:
    """A URL fit for logs and errors: without any user:password part."""
    try:
        return str(yarl.URL(url).with_user(None))
    except ValueError:
        return "(unparseable URL)"


class _Endpoints:
    """Process-wide discord.py endpoints, pointed at one base while bots use it."""

    def __init__(self) -> None:
        self.users = 0
        self.base: str | None = None
        self._saved: tuple[str, yarl.URL] | None = None

    def claim(self, base: str) -> None:
        if self.users and base != self.base:
            raise DiscordStartupError(
                "Another Discord bot in this process uses a different API base; run one."
            )
        if not self.users:
            self._saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
            Route.BASE = base
            self.base = base
        self.users += 1

    def set_gateway(self, url: str) -> None:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    def release(self) -> None:
        self.users -= 1
        if self.users == 0 and self._saved is not None:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None
            self.base = None


_endpoints = _Endpoints()


def intents() -> discord.Intents:
    """Only what the bot uses. Message Content (privileged) lets it read mentions' text in
    channels, thread follow-ups without a mention and the !sync command."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_messages = True
    chosen.dm_messages = True
    chosen.message_content = True
    return chosen


class NewsTree(app_commands.CommandTree):
    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Every slash command and autocomplete: only in the team's servers (and DMs from their
        members). A refused command gets a short private reply; autocomplete gets nothing."""
        bot = interaction.client
        if not isinstance(bot, NewsBot):
            return True
        refusal = await bot.refusal(interaction.guild_id, interaction.user.id)
        if refusal is None:
            return True
        log.info(
            "refused /%s from user %s in guild %s: not a team server or member",
            printable(getattr(interaction.command, "qualified_name", "?"), 40),
            interaction.user.id,
            interaction.guild_id,
        )
        if interaction.type is discord.InteractionType.application_command:
            try:
                await interaction.response.send_message(
                    refusal, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
                )
            except discord.HTTPException:
                log.debug("could not send the refusal", exc_info=True)
        return False

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        await report_interaction(interaction, error)


class NewsBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        service: NewsService,
        *,
        sync_dev_guilds: bool = True,
        **client_options: Any,
    ) -> None:
        """``client_options`` go to discord.py (tests pass ``guild_ready_timeout``)."""
        # The bot never joins voice: skip discord.py's "PyNaCl/davey is not installed" warnings.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        options: dict[str, Any] = {"max_messages": 200, **client_options}
        if settings.owner_ids:  # otherwise discord.py asks Discord who owns the application
            options["owner_ids"] = set(settings.owner_ids)
        super().__init__(
            command_prefix=settings.command_prefix,
            intents=intents(),
            tree_cls=NewsTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.settings = settings
        self.service = service
        self.api_base = api_base(settings)
        self.cooldowns = Cooldowns(settings.ask_cooldown_seconds, settings.channel_cooldown_seconds)
        self.defer_after = DEFER_AFTER_SECONDS
        self.login_timeout = LOGIN_TIMEOUT_SECONDS
        self.ready_timeout = READY_TIMEOUT_SECONDS
        self._sync_dev_guilds = sync_dev_guilds
        self._claimed = False
        self._pending: set[asyncio.Future[Any]] = set()
        self.team_guilds = frozenset(settings.guild_ids)
        self._members: OrderedDict[int, tuple[bool, float]] = OrderedDict()

    # ---- lifecycle
    async def setup_hook(self) -> None:
        from bot.discord.admin import AdminCog
        from bot.discord.ask import AskCog
        from bot.discord.feedback import FeedbackCog
        from bot.discord.sources import SourcesCog

        await self.add_cog(AskCog(self))
        await self.add_cog(SourcesCog(self))
        await self.add_cog(AdminCog(self))
        await self.add_cog(FeedbackCog(self))
        self.add_listener(self._leave_other_guilds, "on_ready")
        self.add_listener(self._leave_if_other, "on_guild_join")
        if not self.team_guilds:
            log.warning(
                "NEWSBOT_GUILD_IDS is empty: the bot serves every server it is added to, and "
                "admins of any of them can change the corpus. Set it to your servers' ids and "
                "turn 'Public Bot' off in the developer portal."
            )
        if self._sync_dev_guilds:
            await self.sync_dev_guilds()

    # ---- only the team's servers
    def serves_guild(self, guild_id: int) -> bool:
        return not self.team_guilds or guild_id in self.team_guilds

    async def refusal(self, guild_id: int | None, user_id: int) -> str | None:
        """Why this bot does not serve a request from ``user_id`` in ``guild_id`` (None: a DM),
        or None when it does."""
        if not self.team_guilds:
            return None
        if guild_id is not None:
            return None if guild_id in self.team_guilds else NOT_OUR_SERVER
        return None if await self.is_team_member(user_id) else NOT_A_MEMBER

    async def is_team_member(self, user_id: int) -> bool:
        """Is ``user_id`` a member of one of the team's servers? Asked over REST (GET guild
        member needs no privileged intent), remembered for MEMBER_CACHE_SECONDS. Fails closed."""
        now = time.monotonic()
        cached = self._members.get(user_id)
        if cached is not None and now - cached[1] < MEMBER_CACHE_SECONDS:
            return cached[0]
        member = False
        for guild_id in sorted(self.team_guilds):
            guild = self.get_guild(guild_id)
            if guild is not None and guild.get_member(user_id) is not None:
                member = True
                break
            try:
                await self.http.get_member(guild_id, user_id)
            except discord.NotFound:
                continue
            except discord.HTTPException as err:
                log.warning("membership check in guild %s failed: %s", guild_id, err.status)
                continue
            member = True
            break
        self._members[user_id] = (member, now)
        self._members.move_to_end(user_id)
        while len(self._members) > MEMBER_CACHE_SIZE:
            self._members.popitem(last=False)
        return member

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """Messages from other servers never reach the cogs; DMs only from team members."""
        if event_name == "message" and self.team_guilds and args:
            message = args[0]
            if isinstance(message, discord.Message) and not message.author.bot:
                if message.guild is not None:
                    if message.guild.id not in self.team_guilds:
                        return
                else:
                    task = asyncio.ensure_future(self._dispatch_dm(event_name, args, kwargs))
                    self._pending.add(task)
                    task.add_done_callback(self._pending.discard)
                    return
        super().dispatch(event_name, *args, **kwargs)

    async def _dispatch_dm(self, event_name: str, args: tuple[Any, ...], kwargs: Any) -> None:
        message: discord.Message = args[0]
        if await self.is_team_member(message.author.id):
            super().dispatch(event_name, *args, **kwargs)
        else:
            log.info("ignored a DM from user %s: not a member of a team server", message.author.id)

    async def _leave_other_guilds(self) -> None:
        for guild in list(self.guilds):
            await self._leave_if_other(guild)

    async def _leave_if_other(self, guild: discord.Guild) -> None:
        if self.serves_guild(guild.id):
            return
        log.warning(
            "leaving server %s (%s): it is not in NEWSBOT_GUILD_IDS",
            printable(guild.name, 100),
            guild.id,
        )
        try:
            await guild.leave()
        except discord.HTTPException as err:
            log.warning("could not leave server %s: %s", guild.id, err.status)

    async def sync_dev_guilds(self) -> None:
        """Instant per-guild sync for development; global sync is `newsbot sync` or !sync."""
        for guild_id in self.settings.dev_guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.HTTPException as err:
                log.warning("could not sync commands to guild %s: %s", guild_id, err.status)
            else:
                log.info("synced %d commands to guild %s", len(synced), guild_id)

    async def login(self, token: str) -> None:
        """Log in over REST at the configured base and learn the gateway URL from it."""
        if not self._claimed:
            _endpoints.claim(self.api_base)
            self._claimed = True
        where = shown_url(self.api_base)
        try:
            await asyncio.wait_for(self._login(token), self.login_timeout)
        except discord.LoginFailure:
            raise DiscordStartupError(
                f"Discord ({where}) rejected DISCORD_TOKEN. Reset the token in the developer "
                "portal and set the new one."
            ) from None
        except TimeoutError:
            raise DiscordStartupError(
                f"The Discord API at {where} did not answer within {self.login_timeout:g} s."
            ) from None
        except (OSError, aiohttp.ClientError) as err:
            raise DiscordStartupError(
                f"Cannot reach the Discord API at {where} ({type(err).__name__}). "
                "Check the network or NEWSBOT_DISCORD_API_BASE."
            ) from None
        except discord.GatewayNotFound:
            raise DiscordStartupError(
                f"The Discord API at {where} did not give a gateway URL (GET /gateway/bot)."
            ) from None
        except discord.HTTPException as err:
            raise DiscordStartupError(
                f"The Discord API at {where} answered HTTP {err.status} while logging in."
            ) from None

    async def _login(self, token: str) -> None:
        await super().login(token)
        _shards, gateway, _limits = await self.http.get_bot_gateway()
        _endpoints.set_gateway(gateway)
        log.info("logged in as %s; gateway %s", self.user, shown_url(gateway))

    async def serve(self, token: str, *, ready_event: asyncio.Event | None = None) -> None:
        """Log in, connect, signal ``ready_event`` once the gateway is READY, run until closed.

        Raises ``DiscordStartupError`` (one line) when that cannot happen in a bounded time.
        """
        async with self:
            await self.login(token)
            connection = asyncio.create_task(self.connect(reconnect=True), name="discord-gateway")
            ready = asyncio.create_task(self.wait_until_ready())
            try:
                done, _ = await asyncio.wait(
                    {connection, ready},
                    timeout=self.ready_timeout,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if ready not in done:
                    if connection in done:
                        connection.result()  # raises what ended it; explained below
                    raise DiscordStartupError(
                        f"No READY from the Discord gateway at "
                        f"{shown_url(str(DiscordWebSocket.DEFAULT_GATEWAY))} within "
                        f"{self.ready_timeout:g} s."
                    )
                if ready_event is not None:
                    ready_event.set()
                await connection
            except discord.PrivilegedIntentsRequired:
                raise DiscordStartupError(
                    "Discord refused the Message Content intent. Enable it on the Bot page of "
                    "the developer portal (Privileged Gateway Intents)."
                ) from None
            except discord.ConnectionClosed as err:
                if err.code == 4004:
                    raise DiscordStartupError(
                        "The Discord gateway rejected DISCORD_TOKEN."
                    ) from None
                raise DiscordStartupError(
                    f"The Discord gateway closed the connection (code {err.code})."
                ) from None
            finally:
                for task in (ready, connection):
                    if not task.done():
                        task.cancel()
                await asyncio.gather(ready, connection, return_exceptions=True)

    async def close(self) -> None:
        """Flush feedback still being written, close the gateway and HTTP, restore endpoints."""
        pending = [task for task in self._pending if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=FLUSH_TIMEOUT_SECONDS)
        try:
            await super().close()
        finally:
            if self._claimed:
                self._claimed = False
                _endpoints.release()

    async def on_app_command_completion(
        self,
        interaction: discord.Interaction,
        command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu,
    ) -> None:
        record_command(command.qualified_name)

    # ---- shared by the cogs
    async def store_feedback(self, feedback: Feedback) -> None:
        """Write a vote; a shutdown waits for the write instead of cutting it off."""
        task = asyncio.ensure_future(self.service.record_feedback(feedback))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        await asyncio.shield(task)

    async def on_command_error(  # type: ignore[override]
        self, ctx: commands.Context[Any], error: commands.CommandError, /
    ) -> None:
        await report_context(ctx, error)


class ShardedNewsBot(NewsBot, commands.AutoShardedBot):
    """The same bot on discord.py's AutoShardedBot: one process runs ``shard_ids`` of
    ``shard_count`` shards, so a big deployment runs several bot processes."""


def create_bot(settings: Settings, service: NewsService, **options: Any) -> NewsBot:
    """A bot ready to ``serve``; checks the token and the API base first (one-line errors).

    With ``NEWSBOT_SHARD_COUNT`` it is sharded (``NEWSBOT_SHARD_IDS``: this process's shards,
    default all of them)."""
    bot_token(settings)
    if settings.shard_count is not None:
        options.setdefault("shard_count", settings.shard_count)
        options.setdefault("shard_ids", list(settings.shard_ids) or None)
        return ShardedNewsBot(settings, service, **options)
    return NewsBot(settings, service, **options)


async def run_discord(
    settings: Settings,
    service: NewsService,
    *,
    ready_event: asyncio.Event | None = None,
    **client_options: Any,
) -> None:
    """Run the bot until cancelled (Ctrl-C / SIGTERM in the caller) or the gateway gives up.

    Cancelling it closes the gateway and waits for feedback being written; the caller closes
    the service afterwards (which finishes a running reindex). ``client_options`` go to
    discord.py (tests shorten ``guild_ready_timeout``).
    """
    bot = create_bot(settings, service, **client_options)
    await bot.serve(bot_token(settings), ready_event=ready_event)


async def sync_commands(
    settings: Settings, service: NewsService, guild_ids: list[int] | None = None
) -> dict[str, int]:
    """Sync slash commands over REST only (no gateway): globally, or to the given guilds.

    Returns how many commands were synced per scope ("global" or the guild id).
    """
    # The caller says where to sync; the startup dev-guild sync would only duplicate it.
    bot = create_bot(settings, service, sync_dev_guilds=False)
    counts: dict[str, int] = {}
    async with bot:
        await bot.login(bot_token(settings))
        if not guild_ids:
            counts["global"] = len(await bot.tree.sync())
        for guild_id in guild_ids or []:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            counts[str(guild_id)] = len(await bot.tree.sync(guild=guild))
    return counts
