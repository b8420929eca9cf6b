"""``FakeDiscord``: an aiohttp server on 127.0.0.1 speaking Discord's REST API and gateway.

Tests drive it as users would (messages, slash commands, clicks) and assert on what the bot sent.
See README.md in this folder for the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import BodyPartReader, hdrs, web

from . import gateway as gw
from . import permissions as perms
from .errors import DiscordAPIError, FakeDiscordError, FakeDiscordTimeout
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    InteractionHandle,
    OptionBuilder,
    find_command_path,
    interaction_payload,
    iter_components,
    modal_submission,
)
from .records import RecordedFile, RecordedRequest
from .rest import NO_CONTENT, Reply, RestAPI
from .world import EPHEMERAL, LOADING, Channel, User, World

log = logging.getLogger(__name__)
T = TypeVar("T")
ANY_SCOPE: Any = object()
API_PATH = re.compile(r"^/api(?:/v(?P<version>\d+))?(?P<path>/.*)$")


@dataclass
class _Failure:
    route: str
    status: int
    code: int
    message: str
    remaining: int
    retry_after: float | None


def message_text(message: dict[str, Any]) -> str:
    """Everything a person reads in a message: content, then each embed's text, one per line."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts.append((embed.get("author") or {}).get("name") or "")
        parts.append(embed.get("title") or "")
        parts.append(embed.get("description") or "")
        for field in embed.get("fields") or []:
            parts.append(field.get("name") or "")
            parts.append(field.get("value") or "")
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(p for p in parts if p)


class FakeDiscord:
    """A fake Discord for one bot, one guild and its members. Use as ``async with FakeDiscord()``."""

    def __init__(
        self,
        *,
        heartbeat_interval: float = 1.0,
        interaction_deadline: float = 3.0,
        privileged_intents: int = gw.PRIVILEGED,
        recommended_shards: int = 1,
        guild_name: str = "Newsroom",
        bot_name: str = "NewsBot",
    ) -> None:
        self.world = World(guild_name=guild_name, bot_name=bot_name)
        self.world.application_flags = _application_flags(privileged_intents)
        self.interaction_deadline = interaction_deadline
        self.recommended_shards = recommended_shards
        self.requests: list[RecordedRequest] = []
        self.unknown_routes: list[RecordedRequest] = []
        self.typing: list[int] = []
        self.command_syncs: list[tuple[int | None, list[dict[str, Any]]]] = []
        self.interactions: list[InteractionHandle] = []
        self._interactions_by_token: dict[str, InteractionHandle] = {}
        self._reactors: dict[tuple[int, str], list[int]] = {}
        self._failures: list[_Failure] = []
        # Guilds besides the world's one (``join_guild``) and guilds the bot left (REST).
        self.extra_guilds: dict[int, dict[str, Any]] = {}
        self.left_guilds: list[int] = []
        self._changed = asyncio.Event()
        self._host = "127.0.0.1"
        self._port = 0
        self._runner: web.AppRunner | None = None
        self.gateway = gw.Gateway(
            self.world,
            heartbeat_interval=heartbeat_interval,
            allowed_intents=privileged_intents,
            gateway_url=lambda: self.gateway_url,
            notify=self._notify,
        )
        self.rest = RestAPI(self)

    # --- lifecycle
    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle_http)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        if self._runner is None:
            return
        await self.gateway.shutdown()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- addresses and fixtures of the world
    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self._port}"

    @property
    def api_base(self) -> str:
        """Set ``discord.http.Route.BASE`` (or NEWSBOT_DISCORD_API_BASE) to this."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self._host}:{self._port}/gateway"

    @property
    def token(self) -> str:
        return self.world.token

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def bot_user(self) -> User:
        return self.world.bot

    @property
    def owner(self) -> User:
        """Owns the guild and the application (so ``Client.is_owner`` is true for them)."""
        return self.world.owner

    @property
    def admin(self) -> User:
        """Has the "Admin" role (MANAGE_GUILD) and the "Reader" role."""
        return self.world.admin

    @property
    def member(self) -> User:
        """Has only the plain "Reader" role."""
        return self.world.member

    @property
    def guild_id(self) -> int:
        return self.world.guild_id

    @property
    def channel_id(self) -> int:
        """#general: everyone may talk and the bot may create threads."""
        return self.world.general.id

    @property
    def no_thread_channel_id(self) -> int:
        """#no-threads: thread creation is denied (403, code 50013)."""
        return self.world.no_threads.id

    @property
    def readonly_channel_id(self) -> int:
        """#announcements-readonly: nobody but admins may send (the bot gets 403, code 50013)."""
        return self.world.readonly.id

    @property
    def admin_role_id(self) -> int:
        return self.world.admin_role.id

    @property
    def member_role_id(self) -> int:
        return self.world.member_role.id

    @property
    def everyone_role_id(self) -> int:
        return self.world.everyone_role.id

    @property
    def bot_role_id(self) -> int:
        return self.world.bot_role.id

    @property
    def sessions(self) -> list[gw.GatewaySession]:
        return list(self.gateway.sessions.values())

    def dm_channel_id(self, user: User) -> int:
        return self.world.dm_channel(user).id

    def channel(self, channel_id: int) -> dict[str, Any]:
        return self.world.channel(channel_id).to_payload()

    @property
    def threads(self) -> list[dict[str, Any]]:
        return [c.to_payload() for c in self.world.channels.values() if c.is_thread]

    def messages_in(
        self, channel_id: int, *, include_ephemeral: bool = True
    ) -> list[dict[str, Any]]:
        """Messages now in a channel, oldest first (deleted ones are gone, edits applied)."""
        messages = self.world.visible_messages(channel_id)
        if include_ephemeral:
            return messages
        return [m for m in messages if not int(m["flags"]) & EPHEMERAL]

    def message(self, message_id: int) -> dict[str, Any]:
        return self.world.messages[int(message_id)]

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Registered commands: global ones, or a guild's."""
        if guild_id is None:
            return list(self.world.global_commands.values())
        return list(self.world.guild_commands.get(guild_id, {}).values())

    def route_keys(self) -> list[str]:
        return [route.key for route in self.rest.routes]

    def mark(self) -> int:
        """Index of the next request, for ``wait_for(..., since=fake.mark())``."""
        return len(self.requests)

    def attachment(
        self, filename: str, data: bytes, content_type: str | None = "text/plain"
    ) -> dict[str, Any]:
        """An uploaded file a user attaches (to a message or an attachment option)."""
        return self.world.store_attachment(
            self.base_url, self.channel_id, filename, data, content_type
        )

    def add_member(self, username: str, role_ids: Iterable[int] = ()) -> User:
        """A new guild member (GUILD_MEMBER_ADD is dispatched by ``await announce_member``)."""
        return self.world.add_member(username, list(role_ids)).user

    async def announce_member(self, user: User) -> None:
        member = self.world.guild_member(user.id)
        await self._dispatch(
            "GUILD_MEMBER_ADD", {**member.to_payload(), "guild_id": str(self.guild_id)}
        )

    async def join_guild(
        self, name: str, *, shard: tuple[int, int] | None = None, owner: User | None = None
    ) -> int:
        """The bot is added to another guild (owned by ``owner``, default a new stranger):
        GUILD_CREATE is sent to the session of its shard. ``shard=(id, count)`` picks an id that
        lands on that shard. Only the guild's existence is modelled (no channels to post in)."""
        while True:
            gid = self.world.ids.next()
            if shard is None or (gid >> 22) % shard[1] == shard[0]:
                break
        owner = owner or self.add_stranger(f"owner-of-{name}")
        everyone = {
            "id": str(gid),
            "name": "@everyone",
            "permissions": "0",
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        bot_member = self.world.members[self.world.bot.id].to_payload()
        payload = {
            **self.world.guild_payload(),
            "id": str(gid),
            "name": name,
            "owner_id": str(owner.id),
            "system_channel_id": None,
            "roles": [everyone],
            "joined_at": bot_member.get("joined_at"),
            "large": False,  # no "unavailable": that is how a join differs from an outage's end
            "member_count": 2,
            "members": [{**bot_member, "roles": []}],
            "channels": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
        }
        self.extra_guilds[gid] = payload
        await self.gateway.dispatch("GUILD_CREATE", payload, guild_id=gid)
        return gid

    def add_stranger(self, username: str) -> User:
        """A user sharing no guild with the bot: DMs to them fail with 50007, as on Discord."""
        return self.world.add_user(username)

    # --- waiting
    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    @staticmethod
    def _loop_time() -> float:
        return asyncio.get_running_loop().time()

    async def _wait_until(self, check: Callable[[], T | None], timeout: float, what: str) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise FakeDiscordTimeout(self.timeout_report(what, timeout))
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def timeout_report(self, what: str, timeout: float, last: int = 15) -> str:
        lines = [f"Timed out after {timeout:g}s waiting for {what}."]
        live = self.gateway.live_sessions()
        lines.append(
            f"Gateway: {len(self.gateway.connections)} connection(s), {len(live)} ready session(s)"
            + "".join(f"; intents={s.intents} shard={list(s.shard)}" for s in live)
        )
        recent = self.requests[-last:]
        lines.append(f"Last {len(recent)} of {len(self.requests)} REST request(s):")
        lines.extend(f"  {r.summary()}" for r in recent)
        if self.unknown_routes:
            lines.append(
                "Unknown routes: " + ", ".join(f"{r.method} {r.path}" for r in self.unknown_routes)
            )
        return "\n".join(lines)

    async def wait_ready(self, timeout: float = 5.0) -> gw.GatewaySession:
        """Wait until a client identified and got READY and the guild."""
        return await self._wait_until(
            lambda: next(iter(self.gateway.live_sessions()), None), timeout, "a client to IDENTIFY"
        )

    async def wait_commands_synced(
        self,
        timeout: float = 5.0,
        *,
        names: Iterable[str] = (),
        guild_id: int | None = ANY_SCOPE,
    ) -> list[dict[str, Any]]:
        """Wait for a bulk overwrite (global or, with ``guild_id``, that guild's) that
        registered all ``names``; returns the commands of that scope."""
        wanted = set(names)

        def check() -> list[dict[str, Any]] | None:
            for scope, commands in reversed(self.command_syncs):
                if guild_id is not ANY_SCOPE and scope != guild_id:
                    continue
                if wanted <= {c["name"] for c in commands}:
                    return self.commands(scope)
            return None

        scope = (
            "any scope" if guild_id is ANY_SCOPE else f"guild {guild_id}" if guild_id else "global"
        )
        return await self._wait_until(check, timeout, f"commands {sorted(wanted)} synced ({scope})")

    async def wait_for(
        self,
        predicate: Callable[[RecordedRequest], bool],
        timeout: float = 5.0,
        *,
        since: int = 0,
        what: str = "a matching request",
    ) -> RecordedRequest:
        """Wait for a REST request (already recorded ones from ``since`` count too)."""
        return await self._wait_until(
            lambda: next((r for r in self.requests[since:] if r.status and predicate(r)), None),
            timeout,
            what,
        )

    async def wait_for_message(
        self,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        *,
        channel_id: int | None = None,
        after: int | str | dict[str, Any] | None = None,
        author: User | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """Wait for a visible message by ``author`` (default: the bot), oldest match first.

        ``after`` (a message payload or id) keeps only newer messages, e.g. the reply to a
        message a test just sent.
        """
        after_id = int(after["id"]) if isinstance(after, dict) else int(after or 0)
        author_id = (author or self.bot_user).id

        def check() -> dict[str, Any] | None:
            for message in self.world.messages.values():
                if int(message["id"]) <= after_id or int(message["author"]["id"]) != author_id:
                    continue
                if channel_id is not None and int(message["channel_id"]) != channel_id:
                    continue
                if int(message["flags"]) & LOADING:
                    continue
                if predicate is None or predicate(message):
                    return message
            return None

        where = f" in channel {channel_id}" if channel_id else ""
        return await self._wait_until(check, timeout, f"a message{where} after id {after_id}")

    def assert_no_unknown_routes(self) -> None:
        if self.unknown_routes:
            raise AssertionError(
                "the client called routes the fake does not know: "
                + ", ".join(f"{r.method} {r.path}" for r in self.unknown_routes)
            )

    # --- error injection
    def fail_next(
        self,
        route: str,
        *,
        status: int = 500,
        code: int = 0,
        message: str = "Internal Server Error",
        times: int = 1,
        retry_after: float = 0.05,
    ) -> None:
        """Make the next ``times`` requests to ``route`` (a key from ``route_keys()``, e.g.
        ``"POST /channels/{channel_id}/messages"``) fail with ``status``/``code``.

        ``status=429`` is a proper rate limit (``retry_after`` seconds, ``Via`` header): discord.py
        sleeps and retries by itself. discord.py also retries 500/502/504, sleeping 1, 3, 5… s,
        so prefer 4xx codes."""
        if route not in self.route_keys():
            raise FakeDiscordError(f"unknown route key {route!r}; see fake.route_keys()")
        if status == 429 and message == "Internal Server Error":
            message = "You are being rate limited."
        wait = retry_after if status == 429 else None
        self._failures.append(_Failure(route, status, code, message, times, wait))

    def _injected_failure(self, route_key: str) -> DiscordAPIError | None:
        for failure in self._failures:
            if failure.route == route_key and failure.remaining > 0:
                failure.remaining -= 1
                error = DiscordAPIError(failure.status, failure.code, failure.message)
                error.retry_after = failure.retry_after
                return error
        return None

    # --- gateway controls
    async def gateway_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client should reconnect and RESUME."""
        await self.gateway.send_op_all(gw.RECONNECT, None)

    async def gateway_drop(self, code: int = 4000) -> None:
        """Close every gateway socket with ``code`` (4000: resumable; 4004: bad token; …)."""
        await self.gateway.close_all(code, "closed by the fake")

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION: the client should IDENTIFY again."""
        await self.gateway.send_op_all(gw.INVALID_SESSION, resumable)

    # --- users acting
    def _user(self, user: User | None) -> User:
        return user or self.member

    async def send_message(
        self,
        content: str = "",
        *,
        author: User | None = None,
        channel_id: int | None = None,
        mentions: Iterable[User] = (),
        attachments: Iterable[dict[str, Any]] = (),
        reply_to: dict[str, Any] | int | None = None,
    ) -> dict[str, Any]:
        """A user posts in a guild channel (or thread). Mentioned users not already written
        as ``<@id>`` are prepended to the content. Returns the full message payload."""
        author = self._user(author)
        channel = self.world.channel(channel_id or self.channel_id)
        if channel.type == 1:
            raise FakeDiscordError("use send_dm() for DM channels")
        needed = perms.SEND_MESSAGES_IN_THREADS if channel.is_thread else perms.SEND_MESSAGES
        if not self.world.permissions_in(author.id, channel) & needed:
            raise FakeDiscordError(f"{author.username} may not post in #{channel.name}")
        return await self._user_message(channel, author, content, mentions, attachments, reply_to)

    async def send_dm(
        self,
        content: str,
        author: User | None = None,
        *,
        attachments: Iterable[dict[str, Any]] = (),
        reply_to: dict[str, Any] | int | None = None,
    ) -> dict[str, Any]:
        """A user DMs the bot. Returns the message payload (its channel is the DM channel)."""
        author = self._user(author)
        channel = self.world.dm_channel(author)
        return await self._user_message(channel, author, content, (), attachments, reply_to)

    async def _user_message(
        self,
        channel: Channel,
        author: User,
        content: str,
        mentions: Iterable[User],
        attachments: Iterable[dict[str, Any]],
        reply_to: dict[str, Any] | int | None,
    ) -> dict[str, Any]:
        prefix = "".join(
            f"{u.mention} "
            for u in mentions
            if f"<@{u.id}>" not in content and f"<@!{u.id}>" not in content
        )
        body: dict[str, Any] = {"content": prefix + content}
        if reply_to is not None:
            reply_id = reply_to["id"] if isinstance(reply_to, dict) else reply_to
            body["message_reference"] = {"message_id": str(reply_id), "fail_if_not_exists": True}
        files = list(attachments)
        message = self.world.new_message(channel, author, body, attachments=files)
        await self._publish("MESSAGE_CREATE", message)
        return message

    async def react(
        self, message: dict[str, Any] | int, emoji: str, user: User | None = None
    ) -> None:
        """A user adds a (unicode) reaction; MESSAGE_REACTION_ADD is dispatched."""
        stored = self.world.messages[int(message["id"] if isinstance(message, dict) else message)]
        await self._react(stored, {"id": None, "name": emoji}, self._user(user))

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: User | None = None,
        channel_id: int | None = None,
        dm: bool = False,
        validate: bool = True,
        enforce_permissions: bool = True,
    ) -> InteractionHandle:
        """A user runs ``/name`` (``"group sub"`` for subcommands) with typed options."""
        user = self._user(user)
        channel = (
            self.world.dm_channel(user) if dm else self.world.channel(channel_id or self.channel_id)
        )
        parts = name.split()
        command = self._command_for(parts[0], channel)
        if enforce_permissions:
            self._check_command_allowed(command, user, channel)
        schema, wrap = find_command_path(command, parts[1:])
        builder = OptionBuilder(self.world, channel, validate=validate, focused=None)
        built = wrap(builder.build(schema, options or {}))
        data = self._command_data(command, built, builder.resolved)
        return await self._start_interaction(APPLICATION_COMMAND, data, user, channel)

    async def autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        *,
        focused: str,
        user: User | None = None,
        channel_id: int | None = None,
        dm: bool = False,
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        """A user types into option ``focused``; returns the choices the bot offered."""
        user = self._user(user)
        channel = (
            self.world.dm_channel(user) if dm else self.world.channel(channel_id or self.channel_id)
        )
        parts = name.split()
        command = self._command_for(parts[0], channel)
        schema, wrap = find_command_path(command, parts[1:])
        option = next((o for o in schema if o["name"] == focused), None)
        if option is None or not option.get("autocomplete"):
            raise FakeDiscordError(f"option {focused!r} of /{name} has no autocomplete")
        builder = OptionBuilder(self.world, channel, validate=False, focused=focused)
        built = wrap(builder.build(schema, options))
        data = self._command_data(command, built, builder.resolved)
        handle = await self._start_interaction(AUTOCOMPLETE, data, user, channel)
        event = await handle.acked(timeout)
        return list((event.body.get("data") or {}).get("choices") or [])

    async def click(
        self,
        message: dict[str, Any] | int,
        custom_id: str,
        user: User | None = None,
        *,
        values: list[str] | None = None,
    ) -> InteractionHandle:
        """A user presses a button (or picks ``values`` in a select menu) on a message."""
        stored = self.world.messages.get(
            int(message["id"] if isinstance(message, dict) else message)
        )
        if stored is None:
            raise FakeDiscordError(f"message {message!r} does not exist (deleted?)")
        component = next(
            (
                c
                for c in iter_components(stored.get("components") or [])
                if c.get("custom_id") == custom_id
            ),
            None,
        )
        if component is None:
            ids = [
                c.get("custom_id")
                for c in iter_components(stored.get("components") or [])
                if c.get("custom_id")
            ]
            raise FakeDiscordError(
                f"no component {custom_id!r} on message {stored['id']}; it has {ids}"
            )
        if component.get("disabled"):
            raise FakeDiscordError(f"component {custom_id!r} is disabled")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if component.get("id") is not None:
            data["id"] = component["id"]
        if component["type"] != 2:
            data["values"] = self._select_values(component, values)
        elif values is not None:
            raise FakeDiscordError(f"{custom_id!r} is a button; values are for select menus")
        channel = self.world.channel(int(stored["channel_id"]))
        return await self._start_interaction(
            MESSAGE_COMPONENT, data, self._user(user), channel, message=stored
        )

    async def submit_modal(
        self,
        handle: InteractionHandle,
        values: dict[str, str | list[str]],
        user: User | None = None,
    ) -> InteractionHandle:
        """Submit the modal the bot opened in answer to ``handle`` (text field ``custom_id`` → value)."""
        callbacks = handle.callbacks
        if not callbacks or callbacks[0].type != MODAL:
            raise FakeDiscordError(f"{handle.describe()} did not open a modal")
        modal = callbacks[0].body["data"]
        data = {"custom_id": modal["custom_id"], "components": modal_submission(modal, values)}
        channel = self.world.channel(int(handle.payload["channel_id"]))
        if user is None:
            raw = handle.payload.get("member", {}).get("user") or handle.payload["user"]
            user = self.world.user(int(raw["id"]))
        source = handle.payload.get("message")
        stored = self.world.messages.get(int(source["id"])) if source else None
        return await self._start_interaction(MODAL_SUBMIT, data, user, channel, message=stored)

    # --- interaction plumbing
    def _command_for(self, name: str, channel: Channel) -> dict[str, Any]:
        candidates: list[dict[str, Any]] = []
        if channel.guild_id:
            candidates.extend(self.world.guild_commands.get(channel.guild_id, {}).values())
        candidates.extend(self.world.global_commands.values())
        command = next((c for c in candidates if c["name"] == name and c["type"] == 1), None)
        if command is None:
            registered = sorted({c["name"] for c in candidates})
            raise FakeDiscordError(
                f"/{name} is not registered where #{channel.name or 'DM'} can see it; "
                f"registered: {registered} (did the bot sync its command tree?)"
            )
        return command

    def _check_command_allowed(self, command: dict[str, Any], user: User, channel: Channel) -> None:
        contexts = command.get("contexts")
        if channel.guild_id is None:
            if (
                command.get("guild_id")
                or (contexts is not None and 1 not in contexts)
                or (contexts is None and command.get("dm_permission") is False)
            ):
                raise FakeDiscordError(f"/{command['name']} is not available in DMs")
            return
        if contexts is not None and 0 not in contexts:
            raise FakeDiscordError(f"/{command['name']} is not available in servers")
        required = command.get("default_member_permissions")
        if required is None:
            return
        have = self.world.permissions_in(user.id, channel)
        needed = int(required)
        if have & perms.ADMINISTRATOR or (needed and have & needed == needed):
            return
        raise FakeDiscordError(
            f"{user.username} cannot see /{command['name']} (needs permissions {needed}); "
            "pass enforce_permissions=False to invoke it anyway"
        )

    @staticmethod
    def _command_data(
        command: dict[str, Any], options: list[dict[str, Any]], resolved: dict[str, Any]
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": 1}
        if options:
            data["options"] = options
        if resolved:
            data["resolved"] = resolved
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return data

    def _select_values(self, component: dict[str, Any], values: list[str] | None) -> list[str]:
        values = list(values or [])
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise FakeDiscordError(
                f"select {component['custom_id']!r} takes {low}..{high} values, got {values}"
            )
        if component["type"] == 3:
            allowed = {o["value"] for o in component.get("options") or []}
            bad = [v for v in values if v not in allowed]
            if bad:
                raise FakeDiscordError(
                    f"{bad} are not options of select {component['custom_id']!r}"
                )
        return values

    async def _start_interaction(
        self,
        kind: int,
        data: dict[str, Any],
        user: User,
        channel: Channel,
        *,
        message: dict[str, Any] | None = None,
    ) -> InteractionHandle:
        if channel.guild_id and user.id not in self.world.members:
            raise FakeDiscordError(f"{user.username} is not a member of the guild")
        bot_permissions = (
            self.world.permissions_in(self.bot_user.id, channel)
            if channel.guild_id
            else perms.BOT_ROLE
        )
        payload = interaction_payload(
            self.world,
            interaction_id=self.world.ids.next(),
            kind=kind,
            data=data,
            user=user,
            channel=channel,
            message=dict(message) if message is not None else None,
            bot_permissions=bot_permissions,
        )
        handle = InteractionHandle(
            self,
            payload,
            created=self._loop_time(),
            opened_from_message_id=int(message["id"]) if message is not None else None,
        )
        self.interactions.append(handle)
        self._interactions_by_token[handle.token] = handle
        await self._dispatch("INTERACTION_CREATE", payload)
        return handle

    # --- dispatch
    async def _dispatch(self, event: str, data: dict[str, Any]) -> int:
        guild_id = int(data["guild_id"]) if data.get("guild_id") else None
        sent = await self.gateway.dispatch(event, data, guild_id=guild_id)
        self._notify()
        return sent

    async def _publish(self, event: str, message: dict[str, Any]) -> None:
        """Dispatch a stored message as MESSAGE_CREATE/UPDATE, shaped as the gateway sends it."""
        if int(message.get("flags", 0)) & EPHEMERAL:
            self._notify()
            return
        data = dict(message)
        author_id = int(message["author"]["id"])
        if (
            message.get("guild_id")
            and author_id in self.world.members
            and "webhook_id" not in message
        ):
            data["member"] = self.world.members[author_id].to_payload(with_user=False)
        await self._dispatch(event, data)

    async def _react(self, message: dict[str, Any], emoji: dict[str, Any], user: User) -> None:
        key = (int(message["id"]), emoji["id"] or emoji["name"])
        users = self._reactors.setdefault(key, [])
        if user.id in users:
            return
        users.append(user.id)
        self._sync_reactions(message, emoji, users)
        event: dict[str, Any] = {
            "user_id": str(user.id),
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "emoji": emoji,
            "burst": False,
            "type": 0,
            "message_author_id": message["author"]["id"],
        }
        if message.get("guild_id"):
            event["guild_id"] = message["guild_id"]
            if user.id in self.world.members:
                event["member"] = self.world.members[user.id].to_payload()
        await self._dispatch("MESSAGE_REACTION_ADD", event)

    async def _unreact(self, message: dict[str, Any], emoji: dict[str, Any], user: User) -> None:
        key = (int(message["id"]), emoji["id"] or emoji["name"])
        users = self._reactors.get(key, [])
        if user.id not in users:
            return
        users.remove(user.id)
        self._sync_reactions(message, emoji, users)
        event: dict[str, Any] = {
            "user_id": str(user.id),
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "emoji": emoji,
            "burst": False,
            "type": 0,
        }
        if message.get("guild_id"):
            event["guild_id"] = message["guild_id"]
        await self._dispatch("MESSAGE_REACTION_REMOVE", event)

    def _sync_reactions(
        self, message: dict[str, Any], emoji: dict[str, Any], users: list[int]
    ) -> None:
        reactions = [r for r in message.get("reactions") or [] if r["emoji"] != emoji]
        if users:
            reactions.append(
                {
                    "emoji": emoji,
                    "count": len(users),
                    "count_details": {"burst": 0, "normal": len(users)},
                    "burst_colors": [],
                    "me_burst": False,
                    "burst_me": False,
                    "me": self.bot_user.id in users,
                    "burst_count": 0,
                }
            )
        message["reactions"] = reactions

    def _record_sync(self, guild_id: int | None, commands: list[dict[str, Any]]) -> None:
        self.command_syncs.append((guild_id, commands))
        self._notify()

    # --- HTTP plumbing
    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/gateway" and request.headers.get(hdrs.UPGRADE, "").lower() == "websocket":
            return await self.gateway.handle_websocket(request)
        if path.startswith("/attachments/") and request.method == "GET":
            return self._serve_attachment(path)
        api = API_PATH.match(path)
        record = RecordedRequest(
            method=request.method,
            path=api.group("path") if api else path,
            query=dict(request.query),
            headers={k: v for k, v in request.headers.items() if k.lower() != "authorization"},
        )
        self.requests.append(record)
        extra_headers: dict[str, str] = {}
        try:
            await self._read_body(request, record)
            status, body = await self._route(request, record, api is not None)
        except DiscordAPIError as error:
            status, body, extra_headers = error.status, error.body(), error.headers()
        record.status, record.response = status, body
        log.debug("fake discord: %s", record.summary())
        self._notify()
        return self._respond(status, body, record, extra_headers)

    async def _read_body(self, request: web.Request, record: RecordedRequest) -> None:
        if not request.body_exists:
            return
        content_type = request.content_type
        if content_type.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue  # discord.py never nests multipart bodies
                if part.name == "payload_json":
                    record.json = _parse_json(await part.text())
                    continue
                record.files.append(
                    RecordedFile(
                        field=part.name or "",
                        filename=part.filename or "",
                        content_type=part.headers.get(hdrs.CONTENT_TYPE),
                        data=bytes(await part.read(decode=False)),
                    )
                )
        else:
            text = await request.text()
            if text:
                record.json = _parse_json(text)

    async def _route(
        self, request: web.Request, record: RecordedRequest, is_api: bool
    ) -> tuple[int, Any]:
        found = self.rest.match(record.method, record.path) if is_api else None
        if found is None:
            self.unknown_routes.append(record)
            return 404, {"message": "404: Not Found", "code": 0}
        route, params = found
        record.route = route.key
        if route.needs_auth and request.headers.get("Authorization") != f"Bot {self.token}":
            return 401, {"message": "401: Unauthorized", "code": 0}
        failure = self._injected_failure(route.key)
        if failure is not None:
            raise failure
        result = await route.handler(record, **params)
        if result is NO_CONTENT:
            return 204, None
        if isinstance(result, Reply):
            return result.status, result.body
        return 200, result

    def _respond(
        self, status: int, body: Any, record: RecordedRequest, extra_headers: dict[str, str]
    ) -> web.Response:
        bucket = hashlib.sha1((record.route or record.path).encode()).hexdigest()[:16]
        headers = {
            # Generous limits so discord.py never sleeps on a bucket.
            "X-RateLimit-Bucket": bucket,
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": "49",
            "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Scope": "user",
            **extra_headers,
        }
        if status == 204 or body is None:
            return web.Response(status=204 if status < 300 else status, headers=headers)
        # discord.py only parses JSON when the content type is exactly "application/json".
        headers[hdrs.CONTENT_TYPE] = "application/json"
        return web.Response(status=status, body=json.dumps(body).encode(), headers=headers)

    def _serve_attachment(self, path: str) -> web.Response:
        parts = path.split("/")
        blob = (
            self.world.blobs.get(int(parts[3])) if len(parts) >= 5 and parts[3].isdigit() else None
        )
        if blob is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(
            body=blob.data, content_type=blob.content_type or "application/octet-stream"
        )


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise DiscordAPIError(400, 50109, "The request body contains invalid JSON.") from exc


def _application_flags(privileged: int) -> int:
    flags = 1 << 23  # APPLICATION_COMMAND_BADGE
    if privileged & gw.GUILD_PRESENCES:
        flags |= 1 << 13
    if privileged & gw.GUILD_MEMBERS:
        flags |= 1 << 15
    if privileged & gw.MESSAGE_CONTENT:
        flags |= 1 << 19
    return flags
