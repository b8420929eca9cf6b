"""REST routes of the fake, with Discord's status codes and JSON error codes."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import permissions as perms
from . import validation
from .errors import (
    DiscordAPIError,
    field_error,
    invalid_form,
    missing_access,
    missing_permissions,
    unknown_message,
    wrong_channel_type,
)
from .interactions import (
    ALLOWED_CALLBACKS,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE,
    MODAL,
    UPDATE_MESSAGE,
    InteractionEvent,
    InteractionHandle,
)
from .records import RecordedFile, RecordedRequest
from .snowflake import iso_now
from .world import (
    DM,
    EPHEMERAL,
    HAS_THREAD,
    LOADING,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    TEXT,
    Channel,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

NO_CONTENT = object()
Handler = Callable[..., Awaitable[Any]]


@dataclass
class Reply:
    status: int
    body: Any


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    needs_auth: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


def _compile(template: str) -> re.Pattern[str]:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{regex}$")


def _int(value: str) -> int:
    if not value.isdigit():
        raise invalid_form(field_error("NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.'))
    return int(value)


class RestAPI:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world
        self.routes: list[Route] = []
        bot, hook = True, False
        add = self._add
        add("GET", "/users/@me", self.get_me, bot)
        add("GET", "/users/{user_id}", self.get_user, bot)
        add("POST", "/users/@me/channels", self.create_dm, bot)
        add("GET", "/users/@me/guilds", self.my_guilds, bot)
        add("DELETE", "/users/@me/guilds/{guild_id}", self.leave_guild, bot)
        add("GET", "/gateway", self.gateway, hook)
        add("GET", "/gateway/bot", self.gateway_bot, bot)
        add("GET", "/oauth2/applications/@me", self.application, bot)
        add("GET", "/applications/@me", self.application, bot)
        apps = "/applications/{application_id}"
        guild_cmds = apps + "/guilds/{guild_id}/commands"
        for base in (apps + "/commands", guild_cmds):
            add("GET", base, self.list_commands, bot)
            add("PUT", base, self.overwrite_commands, bot)
            add("POST", base, self.upsert_command, bot)
            add("GET", base + "/{command_id}", self.get_command, bot)
            add("PATCH", base + "/{command_id}", self.edit_command, bot)
            add("DELETE", base + "/{command_id}", self.delete_command, bot)
        add("GET", guild_cmds + "/permissions", self.command_permissions, bot)
        add("POST", "/interactions/{interaction_id}/{token}/callback", self.callback, hook)
        hooks = "/webhooks/{application_id}/{token}"
        add("POST", hooks, self.followup, hook)
        add("GET", hooks + "/messages/{message_id}", self.get_webhook_message, hook)
        add("PATCH", hooks + "/messages/{message_id}", self.edit_webhook_message, hook)
        add("DELETE", hooks + "/messages/{message_id}", self.delete_webhook_message, hook)
        chan = "/channels/{channel_id}"
        add("GET", chan, self.get_channel, bot)
        add("PATCH", chan, self.edit_channel, bot)
        add("DELETE", chan, self.delete_channel, bot)
        add("GET", chan + "/messages", self.history, bot)
        add("POST", chan + "/messages", self.create_message, bot)
        add("GET", chan + "/messages/{message_id}", self.get_message, bot)
        add("PATCH", chan + "/messages/{message_id}", self.edit_message, bot)
        add("DELETE", chan + "/messages/{message_id}", self.delete_message, bot)
        add("POST", chan + "/typing", self.typing, bot)
        add("POST", chan + "/messages/{message_id}/threads", self.thread_from_message, bot)
        add("POST", chan + "/threads", self.thread_without_message, bot)
        add("PUT", chan + "/thread-members/@me", self.join_thread, bot)
        add("DELETE", chan + "/thread-members/@me", self.leave_thread, bot)
        reaction = chan + "/messages/{message_id}/reactions/{emoji}"
        add("PUT", reaction + "/@me", self.add_reaction, bot)
        add("DELETE", reaction + "/@me", self.remove_own_reaction, bot)
        add("GET", reaction, self.reaction_users, bot)
        guild = "/guilds/{guild_id}"
        add("GET", guild, self.get_guild, bot)
        add("GET", guild + "/channels", self.guild_channels, bot)
        add("GET", guild + "/roles", self.guild_roles, bot)
        add("GET", guild + "/members", self.guild_members, bot)
        add("GET", guild + "/members/{user_id}", self.guild_member, bot)
        add("GET", guild + "/threads/active", self.active_threads, bot)

    def _add(self, method: str, template: str, handler: Handler, needs_auth: bool) -> None:
        self.routes.append(Route(method, template, _compile(template), handler, needs_auth))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method != method:
                continue
            found = route.pattern.match(path)
            if found:
                return route, found.groupdict()
        return None

    # --- helpers
    def _guild(self, guild_id: str) -> None:
        if _int(guild_id) != self.world.guild_id:
            raise DiscordAPIError(404, 10004, "Unknown Guild")

    def _app(self, application_id: str) -> None:
        if _int(application_id) != self.world.application_id:
            raise DiscordAPIError(403, 50001, "Missing Access")

    def _visible_channel(self, channel_id: str) -> Channel:
        channel = self.world.channel(_int(channel_id))
        if not self.world.bot_can(channel, perms.VIEW_CHANNEL):
            raise missing_access()
        return channel

    def _commands(self, guild_id: str | None) -> dict[tuple[str, int], dict[str, Any]]:
        if guild_id is None:
            return self.world.global_commands
        self._guild(guild_id)
        return self.world.guild_commands.setdefault(int(guild_id), {})

    # --- users, gateway, application
    async def get_me(self, req: RecordedRequest) -> Any:
        return {
            **self.world.bot.to_payload(),
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
            "premium_type": 0,
            "bio": "",
        }

    async def get_user(self, req: RecordedRequest, user_id: str) -> Any:
        return self.world.user(_int(user_id)).to_payload()

    async def create_dm(self, req: RecordedRequest) -> Any:
        body = req.json or {}
        recipient = body.get("recipient_id")
        if recipient is None:
            raise invalid_form(
                {"recipient_id": field_error("BASE_TYPE_REQUIRED", "This field is required")}
            )
        user = self.world.user(int(recipient))
        if user.id == self.world.bot.id:
            raise DiscordAPIError(400, 50007, "Cannot send messages to this user")
        return self.world.dm_channel(user).to_payload()

    async def my_guilds(self, req: RecordedRequest) -> Any:
        return [
            {
                "id": str(self.world.guild_id),
                "name": self.world.guild_name,
                "icon": None,
                "banner": None,
                "owner": False,
                "permissions": str(self.world.permissions_in(self.world.bot.id, None)),
                "features": [],
            }
        ]

    async def leave_guild(self, req: RecordedRequest, guild_id: str) -> Any:
        """The bot leaves a guild: recorded in ``fake.left_guilds``, GUILD_DELETE sent."""
        gid = _int(guild_id)
        if gid != self.world.guild_id and gid not in self.fake.extra_guilds:
            raise DiscordAPIError(404, 10004, "Unknown Guild")
        self.fake.left_guilds.append(gid)
        await self.fake.gateway.dispatch("GUILD_DELETE", {"id": str(gid)}, guild_id=gid)
        return NO_CONTENT

    async def gateway(self, req: RecordedRequest) -> Any:
        return {"url": self.fake.gateway_url}

    async def gateway_bot(self, req: RecordedRequest) -> Any:
        return {
            "url": self.fake.gateway_url,
            "shards": self.fake.recommended_shards,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }

    async def application(self, req: RecordedRequest) -> Any:
        return self.world.application_payload()

    # --- application commands
    async def list_commands(
        self, req: RecordedRequest, application_id: str, guild_id: str | None = None
    ) -> Any:
        self._app(application_id)
        return list(self._commands(guild_id).values())

    async def overwrite_commands(
        self, req: RecordedRequest, application_id: str, guild_id: str | None = None
    ) -> Any:
        self._app(application_id)
        body = req.json
        if not isinstance(body, list):
            raise invalid_form(field_error("LIST_TYPE_CONVERT", "Must be an array."))
        validation.validate_commands(body, is_global=guild_id is None)
        store = self._commands(guild_id)
        previous = dict(store)
        store.clear()
        for command in body:
            stored = self._stored_command(command, guild_id, previous)
            store[(stored["name"], stored["type"])] = stored
        self.fake._record_sync(None if guild_id is None else int(guild_id), list(store.values()))
        return list(store.values())

    async def upsert_command(
        self, req: RecordedRequest, application_id: str, guild_id: str | None = None
    ) -> Any:
        self._app(application_id)
        command = req.json or {}
        validation.validate_commands([command], is_global=guild_id is None)
        store = self._commands(guild_id)
        key = (command.get("name", ""), command.get("type", 1))
        existed = key in store
        stored = self._stored_command(command, guild_id, store)
        store[key] = stored
        self.fake._record_sync(None if guild_id is None else int(guild_id), list(store.values()))
        return stored if existed else Reply(201, stored)

    def _stored_command(
        self,
        command: dict[str, Any],
        guild_id: str | None,
        previous: dict[tuple[str, int], dict[str, Any]],
    ) -> dict[str, Any]:
        kind = command.get("type", 1)
        old = previous.get((command["name"], kind))
        stored: dict[str, Any] = {
            "id": old["id"] if old else str(self.world.ids.next()),
            "application_id": str(self.world.application_id),
            "version": str(self.world.ids.next()),
            "type": kind,
            "name": command["name"],
            "name_localizations": command.get("name_localizations"),
            "description": command.get("description", ""),
            "description_localizations": command.get("description_localizations"),
            "options": command.get("options") or [],
            "default_member_permissions": command.get("default_member_permissions"),
            "dm_permission": command.get("dm_permission", True),
            "nsfw": command.get("nsfw", False),
            "contexts": command.get("contexts"),
            "integration_types": command.get("integration_types") or [0],
        }
        if guild_id is not None:
            stored["guild_id"] = guild_id
            stored.pop("dm_permission")
        return stored

    def _find_command(
        self, guild_id: str | None, command_id: str
    ) -> tuple[tuple[str, int], dict[str, Any]]:
        for key, command in self._commands(guild_id).items():
            if command["id"] == command_id:
                return key, command
        raise DiscordAPIError(404, 10063, "Unknown application command")

    async def get_command(
        self,
        req: RecordedRequest,
        application_id: str,
        command_id: str,
        guild_id: str | None = None,
    ) -> Any:
        self._app(application_id)
        return self._find_command(guild_id, command_id)[1]

    async def edit_command(
        self,
        req: RecordedRequest,
        application_id: str,
        command_id: str,
        guild_id: str | None = None,
    ) -> Any:
        self._app(application_id)
        key, command = self._find_command(guild_id, command_id)
        merged = {**command, **(req.json or {})}
        validation.validate_commands([merged], is_global=guild_id is None)
        store = self._commands(guild_id)
        del store[key]
        stored = self._stored_command(merged, guild_id, {key: command})
        store[(stored["name"], stored["type"])] = stored
        return stored

    async def delete_command(
        self,
        req: RecordedRequest,
        application_id: str,
        command_id: str,
        guild_id: str | None = None,
    ) -> Any:
        self._app(application_id)
        key, _ = self._find_command(guild_id, command_id)
        del self._commands(guild_id)[key]
        return NO_CONTENT

    async def command_permissions(
        self, req: RecordedRequest, application_id: str, guild_id: str
    ) -> Any:
        self._app(application_id)
        self._guild(guild_id)
        return []

    # --- interactions
    def _handle_for(self, token: str) -> InteractionHandle:
        handle = self.fake._interactions_by_token.get(token)
        if handle is None:
            raise DiscordAPIError(404, 10015, "Unknown Webhook")
        return handle

    async def callback(self, req: RecordedRequest, interaction_id: str, token: str) -> Any:
        handle = self.fake._interactions_by_token.get(token)
        if handle is None or handle.id != _int(interaction_id):
            raise DiscordAPIError(404, 10062, "Unknown interaction")
        if handle.acknowledged:
            raise DiscordAPIError(400, 40060, "Interaction has already been acknowledged.")
        age = self.fake._loop_time() - handle.created
        if age > self.fake.interaction_deadline:
            raise DiscordAPIError(404, 10062, "Unknown interaction")
        body = req.json or {}
        kind = body.get("type")
        data = body.get("data") or {}
        if kind not in ALLOWED_CALLBACKS.get(handle.type, set()):
            raise invalid_form(
                {
                    "type": field_error(
                        "INTERACTION_RESPONSE_TYPE_INVALID",
                        f"Interaction response type {kind} is not valid for interaction type {handle.type}",
                    )
                }
            )
        message: dict[str, Any] | None = None
        channel = self.world.channel(int(handle.payload["channel_id"]))
        if kind == CHANNEL_MESSAGE:
            validation.validate_message_body(data)
            message = self._interaction_message(handle, channel, data, req.files, original=True)
            handle.original_message_id = int(message["id"])
        elif kind == DEFERRED_CHANNEL_MESSAGE:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            message = self._interaction_message(
                handle,
                channel,
                {"content": "", "flags": flags},
                [],
                original=True,
                allow_empty=True,
            )
            handle.original_message_id = int(message["id"])
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            if handle.opened_from_message_id is None:
                raise invalid_form(
                    {
                        "type": field_error(
                            "INTERACTION_RESPONSE_TYPE_INVALID", "No message to update"
                        )
                    }
                )
            handle.original_message_id = handle.opened_from_message_id
            if kind == UPDATE_MESSAGE:
                validation.validate_message_body(data)
                message = await self._apply_edit(
                    self.world.messages[handle.original_message_id], data, req.files, dispatch=True
                )
        elif kind == AUTOCOMPLETE_RESULT:
            choices = data.get("choices")
            if not isinstance(choices, list) or len(choices) > 25:
                raise invalid_form({"data": {"choices": validation.too_long(25)}})
        elif kind == MODAL and not (
            data.get("custom_id") and data.get("title") and data.get("components")
        ):
            raise invalid_form(
                {
                    "data": field_error(
                        "BASE_TYPE_REQUIRED", "A modal needs custom_id, title and components"
                    )
                }
            )
        handle.events.append(InteractionEvent("callback", kind, body, req.files, message))
        if message is not None and kind != UPDATE_MESSAGE:
            await self.fake._publish("MESSAGE_CREATE", message)
        response: dict[str, Any] = {
            "interaction": {
                "id": str(handle.id),
                "type": handle.type,
                "response_message_id": str(handle.original_message_id)
                if handle.original_message_id
                else None,
                "response_message_loading": kind == DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(message and int(message["flags"]) & EPHEMERAL),
            },
            "resource": {"type": kind},
        }
        if message is not None:
            response["resource"]["message"] = message
        return response

    def _interaction_message(
        self,
        handle: InteractionHandle,
        channel: Channel,
        data: dict[str, Any],
        files: list[RecordedFile],
        *,
        original: bool,
        allow_empty: bool = False,
    ) -> dict[str, Any]:
        attachments = self._attachments_for(
            channel, data, files, ephemeral=bool(int(data.get("flags") or 0) & EPHEMERAL)
        )
        user = handle.payload.get("member", {}).get("user") or handle.payload.get("user")
        metadata: dict[str, Any] = {
            "id": str(handle.id),
            "type": handle.type,
            "user": user,
            "authorizing_integration_owners": handle.payload.get(
                "authorizing_integration_owners", {}
            ),
        }
        if handle.type == 2:
            metadata["name"] = handle.payload["data"]["name"]
            metadata["command_type"] = handle.payload["data"].get("type", 1)
        if not original and handle.original_message_id:
            metadata["original_response_message_id"] = str(handle.original_message_id)
        if handle.opened_from_message_id:
            metadata["interacted_message_id"] = str(handle.opened_from_message_id)
        body = {k: v for k, v in data.items() if k != "message_reference"}
        body["flags"] = int(data.get("flags") or 0) & (EPHEMERAL | LOADING | 4 | 4096 | 1 << 15)
        if not allow_empty and validation.is_empty({**body, "attachments": attachments}):
            raise validation.empty_message()
        message_type = 20 if (original and handle.type == 2) else 0
        return self.world.new_message(
            channel,
            self.world.bot,
            body,
            attachments=attachments,
            message_type=message_type,
            extra={
                "webhook_id": str(self.world.application_id),
                "application_id": str(self.world.application_id),
                "interaction_metadata": metadata,
                "interaction": {
                    "id": str(handle.id),
                    "type": handle.type,
                    "name": handle.name,
                    "user": user,
                },
            },
        )

    def _attachments_for(
        self,
        channel: Channel,
        data: dict[str, Any],
        files: list[RecordedFile],
        *,
        ephemeral: bool = False,
        existing: list[dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        if len(files) > validation.MAX_FILES:
            raise invalid_form({"files": validation.too_long(validation.MAX_FILES)})
        if sum(len(f.data) for f in files) > validation.MAX_UPLOAD_BYTES:
            raise DiscordAPIError(413, 40005, "Request entity too large")
        described = {str(a.get("id")): a for a in data.get("attachments") or []}
        uploaded = []
        for index, recorded in enumerate(files):
            meta = described.get(str(index), {})
            uploaded.append(
                self.world.store_attachment(
                    self.fake.base_url,
                    channel.id,
                    meta.get("filename") or recorded.filename,
                    recorded.data,
                    recorded.content_type,
                    description=meta.get("description"),
                    ephemeral=ephemeral,
                )
            )
        kept: list[dict[str, Any]] = []
        if existing:
            if "attachments" in data:
                keep_ids = {str(a.get("id")) for a in data.get("attachments") or []}
                kept = [a for a in existing if a["id"] in keep_ids]
            else:
                kept = list(existing)
        return kept + uploaded

    def _interaction_message_ids(self, handle: InteractionHandle) -> set[int]:
        ids = set(handle.followup_ids)
        if handle.original_message_id:
            ids.add(handle.original_message_id)
        return ids

    def _resolve_webhook_message(
        self, handle: InteractionHandle, message_id: str
    ) -> dict[str, Any]:
        if message_id == "@original":
            if handle.original_message_id is None:
                raise unknown_message()
            target = handle.original_message_id
        else:
            target = _int(message_id)
            if target not in self._interaction_message_ids(handle):
                raise unknown_message()
        message = self.world.messages.get(target)
        if message is None:
            raise unknown_message()
        return message

    async def followup(self, req: RecordedRequest, application_id: str, token: str) -> Any:
        if _int(application_id) != self.world.application_id:
            raise DiscordAPIError(404, 10015, "Unknown Webhook")
        handle = self._handle_for(token)
        if not handle.acknowledged:
            raise DiscordAPIError(404, 10015, "Unknown Webhook")
        data = req.json or {}
        validation.validate_message_body(data)
        original = handle.original
        if (
            handle.response_type == DEFERRED_CHANNEL_MESSAGE
            and original is not None
            and int(original["flags"]) & LOADING
        ):
            # Discord: the first followup after a "thinking" deferral replaces the loading message.
            message = await self._apply_edit(original, data, req.files, dispatch=True)
            handle.events.append(InteractionEvent("followup", None, data, req.files, message))
        else:
            channel = self.world.channel(int(handle.payload["channel_id"]))
            thread_id = req.query.get("thread_id")
            if thread_id:
                channel = self.world.channel(_int(thread_id))
            message = self._interaction_message(handle, channel, data, req.files, original=False)
            handle.followup_ids.append(int(message["id"]))
            handle.events.append(InteractionEvent("followup", None, data, req.files, message))
            await self.fake._publish("MESSAGE_CREATE", message)
        wait = req.query.get("wait", "false").lower() in ("1", "true")
        return message if wait else NO_CONTENT

    async def get_webhook_message(
        self, req: RecordedRequest, application_id: str, token: str, message_id: str
    ) -> Any:
        handle = self._handle_for(token)
        return self._resolve_webhook_message(handle, message_id)

    async def edit_webhook_message(
        self, req: RecordedRequest, application_id: str, token: str, message_id: str
    ) -> Any:
        handle = self._handle_for(token)
        message = self._resolve_webhook_message(handle, message_id)
        data = req.json or {}
        validation.validate_message_body(data)
        edited = await self._apply_edit(message, data, req.files, dispatch=True)
        is_original = int(message["id"]) == handle.original_message_id
        kind = "edit_original" if is_original else "edit_followup"
        handle.events.append(InteractionEvent(kind, None, data, req.files, edited))
        return edited

    async def delete_webhook_message(
        self, req: RecordedRequest, application_id: str, token: str, message_id: str
    ) -> Any:
        handle = self._handle_for(token)
        message = self._resolve_webhook_message(handle, message_id)
        is_original = int(message["id"]) == handle.original_message_id
        await self._delete(message)
        kind = "delete_original" if is_original else "delete_followup"
        handle.events.append(InteractionEvent(kind, None, {}, [], None))
        return NO_CONTENT

    # --- messages
    async def _apply_edit(
        self,
        message: dict[str, Any],
        data: dict[str, Any],
        files: list[RecordedFile],
        *,
        dispatch: bool,
    ) -> dict[str, Any]:
        channel = self.world.channel(int(message["channel_id"]))
        was_loading = bool(int(message["flags"]) & LOADING)
        attachments = self._attachments_for(
            channel,
            data,
            files,
            ephemeral=bool(int(message["flags"]) & EPHEMERAL),
            existing=message.get("attachments") or [],
        )
        candidate = dict(message)
        for key in ("content", "embeds", "components"):
            if key in data:
                candidate[key] = (
                    data[key] if data[key] is not None else ([] if key != "content" else "")
                )
        candidate["attachments"] = attachments
        if "flags" in data and data["flags"] is not None:
            # Only SUPPRESS_EMBEDS can be changed by an edit; ephemerality is fixed.
            keep = int(message["flags"]) & ~4
            candidate["flags"] = keep | (int(data["flags"]) & 4)
        candidate["flags"] = int(candidate["flags"]) & ~LOADING
        if validation.is_empty(candidate):
            raise validation.empty_message()
        if "content" in data:
            candidate["mentions"] = self.world.mentions_in(candidate["content"] or "", channel)
            candidate["mention_roles"] = self.world.role_mentions_in(candidate["content"] or "")
        if not was_loading:
            candidate["edited_timestamp"] = iso_now()
        message.clear()
        message.update(candidate)
        if dispatch:
            await self.fake._publish("MESSAGE_UPDATE", message)
        return message

    async def _delete(self, message: dict[str, Any]) -> None:
        message_id = int(message["id"])
        channel_id = int(message["channel_id"])
        self.world.messages.pop(message_id, None)
        ids = self.world.channel_messages.get(channel_id, [])
        if message_id in ids:
            ids.remove(message_id)
        event: dict[str, Any] = {"id": str(message_id), "channel_id": str(channel_id)}
        if "guild_id" in message:
            event["guild_id"] = message["guild_id"]
        if not int(message.get("flags", 0)) & EPHEMERAL:
            await self.fake._dispatch("MESSAGE_DELETE", event)

    def _check_can_send(self, channel: Channel, files: list[RecordedFile]) -> None:
        if channel.type == DM:
            recipient = channel.recipients[0]
            if recipient.id not in self.world.members:
                raise DiscordAPIError(403, 50007, "Cannot send messages to this user")
            return
        if not self.world.bot_can(channel, perms.VIEW_CHANNEL):
            raise missing_access()
        needed = perms.SEND_MESSAGES_IN_THREADS if channel.is_thread else perms.SEND_MESSAGES
        if not self.world.bot_can(channel, needed):
            raise missing_permissions()
        if files and not self.world.bot_can(channel, perms.ATTACH_FILES):
            raise missing_permissions()
        if channel.is_thread and channel.locked:
            raise DiscordAPIError(400, 50083, "Thread is archived")
        if channel.type not in (TEXT, DM, 5) and not channel.is_thread:
            raise wrong_channel_type()

    async def create_message(self, req: RecordedRequest, channel_id: str) -> Any:
        channel = self.world.channel(_int(channel_id))
        self._check_can_send(channel, req.files)
        data = req.json or {}
        validation.validate_message_body(data)
        if channel.is_thread and channel.archived:
            channel.archived = False
        attachments = self._attachments_for(channel, data, req.files)
        body = dict(data)
        body["flags"] = int(data.get("flags") or 0) & (4 | 4096 | 1 << 15)
        if validation.is_empty({**body, "attachments": attachments}):
            raise validation.empty_message()
        message = self.world.new_message(channel, self.world.bot, body, attachments=attachments)
        await self.fake._publish("MESSAGE_CREATE", message)
        return message

    async def get_channel(self, req: RecordedRequest, channel_id: str) -> Any:
        return self._visible_channel(channel_id).to_payload()

    async def edit_channel(self, req: RecordedRequest, channel_id: str) -> Any:
        channel = self._visible_channel(channel_id)
        body = req.json or {}
        if channel.is_thread:
            owner = channel.owner_id == self.world.bot.id
            if not owner and not self.world.bot_can(channel, perms.MANAGE_THREADS):
                raise missing_permissions()
            channel.name = body.get("name", channel.name)
            channel.archived = bool(body.get("archived", channel.archived))
            channel.locked = bool(body.get("locked", channel.locked))
            channel.auto_archive_duration = int(
                body.get("auto_archive_duration", channel.auto_archive_duration)
            )
            await self.fake._dispatch("THREAD_UPDATE", channel.to_payload())
        else:
            if not self.world.bot_can(channel, perms.MANAGE_CHANNELS):
                raise missing_permissions()
            channel.name = body.get("name", channel.name)
            channel.topic = body.get("topic", channel.topic)
            await self.fake._dispatch("CHANNEL_UPDATE", channel.to_payload())
        return channel.to_payload()

    async def delete_channel(self, req: RecordedRequest, channel_id: str) -> Any:
        channel = self._visible_channel(channel_id)
        if not channel.is_thread:
            if not self.world.bot_can(channel, perms.MANAGE_CHANNELS):
                raise missing_permissions()
            raise DiscordAPIError(
                400, 50074, "Cannot delete a channel required for Community Servers"
            )
        if channel.owner_id != self.world.bot.id and not self.world.bot_can(
            channel, perms.MANAGE_THREADS
        ):
            raise missing_permissions()
        payload = channel.to_payload()
        del self.world.channels[channel.id]
        await self.fake._dispatch(
            "THREAD_DELETE",
            {k: payload[k] for k in ("id", "guild_id", "parent_id", "type")},
        )
        return payload

    async def history(self, req: RecordedRequest, channel_id: str) -> Any:
        channel = self._visible_channel(channel_id)
        if not self.world.bot_can(channel, perms.READ_MESSAGE_HISTORY):
            return []
        limit = max(1, min(100, int(req.query.get("limit", "50"))))
        messages = self.world.visible_messages(channel.id)
        messages = [m for m in messages if not int(m["flags"]) & EPHEMERAL]
        if "before" in req.query:
            messages = [m for m in messages if int(m["id"]) < int(req.query["before"])]
            return list(reversed(messages))[:limit]
        if "after" in req.query:
            messages = [m for m in messages if int(m["id"]) > int(req.query["after"])]
            return list(reversed(messages[:limit]))
        if "around" in req.query:
            around = int(req.query["around"])
            older = [m for m in messages if int(m["id"]) <= around][-(limit // 2 + 1) :]
            newer = [m for m in messages if int(m["id"]) > around][: limit - len(older)]
            return list(reversed(older + newer))
        return list(reversed(messages))[:limit]

    async def get_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> Any:
        channel = self._visible_channel(channel_id)
        if not self.world.bot_can(channel, perms.READ_MESSAGE_HISTORY):
            raise missing_access()
        message = self.world.message(channel.id, _int(message_id))
        if int(message["flags"]) & EPHEMERAL:
            raise unknown_message()
        return message

    async def edit_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> Any:
        channel = self._visible_channel(channel_id)
        message = self.world.message(channel.id, _int(message_id))
        data = req.json or {}
        if int(message["author"]["id"]) != self.world.bot.id:
            if set(data) - {"flags"}:
                raise DiscordAPIError(403, 50005, "Cannot edit a message authored by another user")
            if not self.world.bot_can(channel, perms.MANAGE_MESSAGES):
                raise missing_permissions()
        validation.validate_message_body(data)
        return await self._apply_edit(message, data, req.files, dispatch=True)

    async def delete_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> Any:
        channel = self._visible_channel(channel_id)
        message = self.world.message(channel.id, _int(message_id))
        own = int(message["author"]["id"]) == self.world.bot.id
        if not own and not self.world.bot_can(channel, perms.MANAGE_MESSAGES):
            raise missing_permissions()
        await self._delete(message)
        return NO_CONTENT

    async def typing(self, req: RecordedRequest, channel_id: str) -> Any:
        channel = self.world.channel(_int(channel_id))
        self._check_can_send(channel, [])
        self.fake.typing.append(channel.id)
        return NO_CONTENT

    # --- threads
    def _check_thread_parent(self, channel: Channel, private: bool) -> None:
        if channel.type not in (TEXT, 5):
            raise wrong_channel_type()
        needed = perms.CREATE_PRIVATE_THREADS if private else perms.CREATE_PUBLIC_THREADS
        if not self.world.bot_can(channel, perms.VIEW_CHANNEL):
            raise missing_access()
        if not self.world.bot_can(channel, needed):
            raise missing_permissions()

    def _thread_body(self, body: dict[str, Any]) -> tuple[str, int]:
        name = (body.get("name") or "").strip()
        if not 1 <= len(name) <= 100:
            raise invalid_form(
                {
                    "name": field_error(
                        "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
                    )
                }
            )
        duration = int(body.get("auto_archive_duration") or 1440)
        if duration not in (60, 1440, 4320, 10080):
            raise invalid_form(
                {
                    "auto_archive_duration": field_error(
                        "BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}."
                    )
                }
            )
        return name, duration

    async def _open_thread(
        self,
        parent: Channel,
        thread_id: int,
        thread_type: int,
        name: str,
        duration: int,
        body: dict[str, Any],
    ) -> dict[str, Any]:
        thread = Channel(
            thread_id,
            thread_type if parent.type == TEXT else 10,
            name,
            parent.guild_id,
            parent_id=parent.id,
            owner_id=self.world.bot.id,
            auto_archive_duration=duration,
            member_ids={self.world.bot.id},
            rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
        )
        self.world._add_channel(thread)
        payload = thread.to_payload()
        member = self.world.thread_member_payload(thread, self.world.bot.id)
        await self.fake._dispatch(
            "THREAD_CREATE", {**payload, "newly_created": True, "member": member}
        )
        return {**payload, "member": member}

    async def thread_from_message(
        self, req: RecordedRequest, channel_id: str, message_id: str
    ) -> Any:
        channel = self.world.channel(_int(channel_id))
        message = self.world.message(channel.id, _int(message_id))
        self._check_thread_parent(channel, private=False)
        if int(message["flags"]) & EPHEMERAL:
            raise unknown_message()
        if message.get("thread") or int(message["id"]) in self.world.channels:
            raise DiscordAPIError(400, 160004, "A thread has already been created for this message")
        name, duration = self._thread_body(req.json or {})
        # Discord gives a thread started from a message the message's own id.
        payload = await self._open_thread(
            channel, int(message["id"]), PUBLIC_THREAD, name, duration, req.json or {}
        )
        message["thread"] = {k: v for k, v in payload.items() if k != "member"}
        message["flags"] = int(message["flags"]) | HAS_THREAD
        return payload

    async def thread_without_message(self, req: RecordedRequest, channel_id: str) -> Any:
        channel = self.world.channel(_int(channel_id))
        body = req.json or {}
        thread_type = int(body.get("type") or PRIVATE_THREAD)
        if thread_type not in (PUBLIC_THREAD, PRIVATE_THREAD, 10):
            raise invalid_form(
                {"type": field_error("BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}.")}
            )
        self._check_thread_parent(channel, private=thread_type == PRIVATE_THREAD)
        name, duration = self._thread_body(body)
        return await self._open_thread(
            channel, self.world.ids.next(), thread_type, name, duration, body
        )

    async def join_thread(self, req: RecordedRequest, channel_id: str) -> Any:
        thread = self._visible_channel(channel_id)
        if not thread.is_thread:
            raise wrong_channel_type()
        thread.member_ids.add(self.world.bot.id)
        return NO_CONTENT

    async def leave_thread(self, req: RecordedRequest, channel_id: str) -> Any:
        thread = self._visible_channel(channel_id)
        if not thread.is_thread:
            raise wrong_channel_type()
        thread.member_ids.discard(self.world.bot.id)
        return NO_CONTENT

    # --- reactions
    def _emoji(self, raw: str) -> dict[str, Any]:
        if ":" in raw:
            name, emoji_id = raw.split(":", 1)
            return {"id": emoji_id, "name": name}
        return {"id": None, "name": raw}

    async def add_reaction(
        self, req: RecordedRequest, channel_id: str, message_id: str, emoji: str
    ) -> Any:
        channel = self._visible_channel(channel_id)
        message = self.world.message(channel.id, _int(message_id))
        if not self.world.bot_can(channel, perms.ADD_REACTIONS | perms.READ_MESSAGE_HISTORY):
            raise missing_permissions()
        await self.fake._react(message, self._emoji(emoji), self.world.bot)
        return NO_CONTENT

    async def remove_own_reaction(
        self, req: RecordedRequest, channel_id: str, message_id: str, emoji: str
    ) -> Any:
        channel = self._visible_channel(channel_id)
        message = self.world.message(channel.id, _int(message_id))
        await self.fake._unreact(message, self._emoji(emoji), self.world.bot)
        return NO_CONTENT

    async def reaction_users(
        self, req: RecordedRequest, channel_id: str, message_id: str, emoji: str
    ) -> Any:
        channel = self._visible_channel(channel_id)
        message = self.world.message(channel.id, _int(message_id))
        key = self._emoji(emoji)
        users = self.fake._reactors.get((int(message["id"]), key["id"] or key["name"]), [])
        return [self.world.user(u).to_payload() for u in users]

    # --- guild
    async def get_guild(self, req: RecordedRequest, guild_id: str) -> Any:
        self._guild(guild_id)
        payload = self.world.guild_payload()
        if req.query.get("with_counts", "").lower() in ("1", "true"):
            payload["approximate_member_count"] = len(self.world.members)
            payload["approximate_presence_count"] = 0
        return payload

    async def guild_channels(self, req: RecordedRequest, guild_id: str) -> Any:
        self._guild(guild_id)
        return [
            c.to_payload() for c in self.world.channels.values() if c.guild_id and not c.is_thread
        ]

    async def guild_roles(self, req: RecordedRequest, guild_id: str) -> Any:
        self._guild(guild_id)
        return [r.to_payload() for r in self.world.roles.values()]

    async def guild_members(self, req: RecordedRequest, guild_id: str) -> Any:
        self._guild(guild_id)
        limit = max(1, min(1000, int(req.query.get("limit", "1"))))
        after = int(req.query.get("after", "0"))
        members = sorted(self.world.members.values(), key=lambda m: m.user.id)
        return [m.to_payload() for m in members if m.user.id > after][:limit]

    async def guild_member(self, req: RecordedRequest, guild_id: str, user_id: str) -> Any:
        self._guild(guild_id)
        return self.world.guild_member(_int(user_id)).to_payload()

    async def active_threads(self, req: RecordedRequest, guild_id: str) -> Any:
        self._guild(guild_id)
        threads = [c for c in self.world.channels.values() if c.is_thread and not c.archived]
        return {
            "threads": [t.to_payload() for t in threads],
            "members": [
                self.world.thread_member_payload(t, self.world.bot.id)
                for t in threads
                if self.world.bot.id in t.member_ids
            ],
        }
