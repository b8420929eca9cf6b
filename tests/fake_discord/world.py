"""The fake's state: one guild with roles, channels and members, DMs, messages and threads.

Everything here is plain data plus payload builders that produce the JSON Discord sends; the
REST and gateway layers decide what to do with it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from . import permissions as perms
from .errors import DiscordAPIError, field_error, invalid_form, unknown_channel, unknown_message
from .permissions import Overwrite
from .snowflake import SnowflakeFactory, iso_now

TEXT, DM, CATEGORY, ANNOUNCEMENT, ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD = (
    0,
    1,
    4,
    5,
    10,
    11,
    12,
)
THREAD_TYPES = (ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD)
EPHEMERAL = 1 << 6
LOADING = 1 << 7
HAS_THREAD = 1 << 5


@dataclass(frozen=True)
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "avatar_decoration_data": None,
            "banner": None,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
            "collectibles": None,
            "clan": None,
        }
        if self.bot:
            payload["bot"] = True
            payload["discriminator"] = "4821"
        return payload


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int
    managed: bool = False
    bot_id: int | None = None
    color: int = 0
    hoist: bool = False
    mentionable: bool = False

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            payload["tags"] = {"bot_id": str(self.bot_id)}
        return payload


@dataclass
class Member:
    user: User
    role_ids: list[int]
    joined_at: str = field(default_factory=iso_now)
    nick: str | None = None

    def to_payload(self, *, with_user: bool = True) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.role_ids],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
            "unusual_dm_activity_until": None,
            "avatar_decoration_data": None,
        }
        if with_user:
            payload["user"] = self.user.to_payload()
        return payload


@dataclass
class Channel:
    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    recipients: list[User] = field(default_factory=list)
    last_message_id: int | None = None
    # threads only
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    message_count: int = 0
    member_ids: set[int] = field(default_factory=set)
    created_at: str = field(default_factory=iso_now)
    rate_limit_per_user: int = 0

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    def to_payload(self) -> dict[str, Any]:
        last = str(self.last_message_id) if self.last_message_id else None
        if self.type == DM:
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": last,
                "flags": 0,
                "recipients": [user.to_payload() for user in self.recipients],
            }
        payload: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "flags": 0,
        }
        if self.is_thread:
            payload.update(
                {
                    "owner_id": str(self.owner_id),
                    "last_message_id": last,
                    "rate_limit_per_user": self.rate_limit_per_user,
                    "message_count": self.message_count,
                    "total_message_sent": self.message_count,
                    "member_count": len(self.member_ids),
                    "member_ids_preview": [str(m) for m in sorted(self.member_ids)][:8],
                    "thread_metadata": {
                        "archived": self.archived,
                        "archive_timestamp": self.created_at,
                        "auto_archive_duration": self.auto_archive_duration,
                        "locked": self.locked,
                        "create_timestamp": self.created_at,
                        **({"invitable": True} if self.type == PRIVATE_THREAD else {}),
                    },
                }
            )
            return payload
        payload.update(
            {
                "position": self.position,
                "permission_overwrites": [o.to_payload() for o in self.overwrites],
            }
        )
        if self.type in (TEXT, ANNOUNCEMENT):
            payload.update(
                {
                    "topic": self.topic,
                    "nsfw": False,
                    "last_message_id": last,
                    "rate_limit_per_user": self.rate_limit_per_user,
                    "default_auto_archive_duration": 1440,
                    "default_thread_rate_limit_per_user": 0,
                    "icon_emoji": None,
                    "theme_color": None,
                }
            )
        return payload


@dataclass
class Blob:
    """An uploaded file, served back at its attachment URL."""

    filename: str
    content_type: str | None
    data: bytes


class World:
    """The one guild the fake serves, its people, channels, messages and commands."""

    def __init__(self, *, guild_name: str = "Newsroom", bot_name: str = "NewsBot") -> None:
        self.ids = SnowflakeFactory()
        self.token = (
            f"{secrets.token_urlsafe(18)}.{secrets.token_urlsafe(4)}.{secrets.token_urlsafe(27)}"
        )
        self.bot = User(self.ids.next(), bot_name.lower(), bot=True)
        # Newer applications share their id with the bot user, so the fake does the same.
        self.application_id = self.bot.id
        self.owner = User(self.ids.next(), "olivia", "Olivia Owner")
        self.admin = User(self.ids.next(), "ada", "Ada Admin")
        self.member = User(self.ids.next(), "mo", "Mo Member")
        self.users: dict[int, User] = {
            u.id: u for u in (self.bot, self.owner, self.admin, self.member)
        }

        self.guild_id = self.ids.next()
        self.guild_name = guild_name
        self.guild_created = iso_now()
        gid = self.guild_id
        self.roles: dict[int, Role] = {}
        self.everyone_role = self._add_role(Role(gid, "@everyone", perms.EVERYONE_DEFAULT, 0))
        self.member_role = self._add_role(Role(self.ids.next(), "Reader", 0, 1, color=0x3498DB))
        self.admin_role = self._add_role(
            Role(self.ids.next(), "Admin", perms.ADMIN_ROLE, 2, color=0xE74C3C, hoist=True)
        )
        self.bot_role = self._add_role(
            Role(self.ids.next(), bot_name, perms.BOT_ROLE, 3, managed=True, bot_id=self.bot.id)
        )

        self.members: dict[int, Member] = {}
        self._add_member(Member(self.owner, []))
        self._add_member(Member(self.admin, [self.admin_role.id, self.member_role.id]))
        self._add_member(Member(self.member, [self.member_role.id]))
        self._add_member(Member(self.bot, [self.bot_role.id]))

        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.category = self._add_channel(Channel(self.ids.next(), CATEGORY, "Text Channels", gid))
        no_threads = perms.CREATE_PUBLIC_THREADS | perms.CREATE_PRIVATE_THREADS
        self.general = self._add_channel(
            Channel(self.ids.next(), TEXT, "general", gid, 0, self.category.id, "Ask the bot here")
        )
        self.no_threads = self._add_channel(
            Channel(
                self.ids.next(),
                TEXT,
                "no-threads",
                gid,
                1,
                self.category.id,
                "Threads are not allowed here",
                [Overwrite(gid, False, deny=no_threads)],
            )
        )
        self.readonly = self._add_channel(
            Channel(
                self.ids.next(),
                TEXT,
                "announcements-readonly",
                gid,
                2,
                self.category.id,
                "Only staff may post",
                [Overwrite(gid, False, deny=perms.SEND_MESSAGES | no_threads)],
            )
        )

        self.dm_by_user: dict[int, int] = {}
        self.blobs: dict[int, Blob] = {}
        self.global_commands: dict[tuple[str, int], dict[str, Any]] = {}
        self.guild_commands: dict[int, dict[tuple[str, int], dict[str, Any]]] = {}
        self.verify_key = secrets.token_hex(32)

    # --- construction
    def _add_role(self, role: Role) -> Role:
        self.roles[role.id] = role
        return role

    def _add_member(self, member: Member) -> Member:
        self.members[member.user.id] = member
        self.users[member.user.id] = member.user
        return member

    def _add_channel(self, channel: Channel) -> Channel:
        self.channels[channel.id] = channel
        self.channel_messages.setdefault(channel.id, [])
        return channel

    def add_member(self, username: str, role_ids: list[int] | None = None) -> Member:
        user = User(self.ids.next(), username, username.title())
        return self._add_member(Member(user, list(role_ids or [])))

    def add_user(self, username: str) -> User:
        """A user who shares no guild with the bot (reachable only by DM)."""
        user = User(self.ids.next(), username, username.title())
        self.users[user.id] = user
        return user

    # --- look-ups
    def channel(self, channel_id: int) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise unknown_channel()
        return channel

    def message(self, channel_id: int, message_id: int) -> dict[str, Any]:
        self.channel(channel_id)
        message = self.messages.get(message_id)
        if message is None or int(message["channel_id"]) != channel_id:
            raise unknown_message()
        return message

    def user(self, user_id: int) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise DiscordAPIError(404, 10013, "Unknown User")
        return user

    def guild_member(self, user_id: int) -> Member:
        member = self.members.get(user_id)
        if member is None:
            raise DiscordAPIError(404, 10007, "Unknown Member")
        return member

    def dm_channel(self, user: User) -> Channel:
        existing = self.dm_by_user.get(user.id)
        if existing is not None:
            return self.channels[existing]
        channel = self._add_channel(Channel(self.ids.next(), DM, recipients=[user]))
        self.dm_by_user[user.id] = channel.id
        return channel

    def permission_parent(self, channel: Channel) -> Channel:
        if channel.is_thread and channel.parent_id:
            return self.channels[channel.parent_id]
        return channel

    def permissions_in(self, user_id: int, channel: Channel | None) -> int:
        """Discord's computed permissions for a guild member, in a channel when given."""
        member = self.members.get(user_id)
        if member is None:
            return 0
        base = perms.base_permissions(
            user_id=user_id,
            owner_id=self.owner.id,
            everyone=self.everyone_role.permissions,
            role_permissions=[self.roles[r].permissions for r in member.role_ids],
        )
        if channel is None or channel.type == DM:
            return base
        target = self.permission_parent(channel)
        category = self.channels.get(target.parent_id) if target.parent_id else None
        overwrites = (category.overwrites if category else []) + target.overwrites
        return perms.channel_permissions(
            base,
            guild_id=self.guild_id,
            user_id=user_id,
            role_ids=member.role_ids,
            overwrites=overwrites,
        )

    def bot_can(self, channel: Channel, permission: int) -> bool:
        if channel.type == DM:
            return True
        return bool(self.permissions_in(self.bot.id, channel) & permission)

    # --- payloads
    def guild_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.guild_id),
            "name": self.guild_name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner.id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "roles": [r.to_payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": str(self.general.id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "nsfw_level": 0,
            "nsfw": False,
            "premium_progress_bar_enabled": False,
            "incidents_data": None,
            "region": "deprecated",
            "home_header": None,
            "hub_type": None,
            "latest_onboarding_question_id": None,
            "inventory_settings": None,
        }

    def guild_create_payload(self) -> dict[str, Any]:
        payload = self.guild_payload()
        payload.update(
            {
                "joined_at": self.members[self.bot.id].joined_at,
                "large": False,
                "unavailable": False,
                "lazy": True,
                "member_count": len(self.members),
                "voice_states": [],
                "members": [m.to_payload() for m in self.members.values()],
                "channels": [
                    c.to_payload() for c in self.channels.values() if c.guild_id and not c.is_thread
                ],
                "threads": [
                    c.to_payload() for c in self.channels.values() if c.is_thread and not c.archived
                ],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
                "embedded_activities": [],
                "activity_instances": [],
                "application_command_counts": {},
            }
        )
        return payload

    def application_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": self.bot_role.name,
            "icon": None,
            "description": "Answers questions about news articles with verbatim quotes.",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": self.verify_key,
            "flags": self.application_flags,
            "owner": self.owner.to_payload(),
            "team": None,
            "bot": self.bot.to_payload(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "tags": [],
            "approximate_guild_count": 1,
            "approximate_user_install_count": 0,
            "integration_types_config": {"0": {}},
            "is_monetized": False,
            "storefront_available": False,
        }

    application_flags = 0

    def member_payload(self, user_id: int, channel: Channel | None = None) -> dict[str, Any]:
        """A member as it appears in interactions: with the computed ``permissions``."""
        member = self.guild_member(user_id)
        payload = member.to_payload()
        payload["permissions"] = str(self.permissions_in(user_id, channel))
        return payload

    def thread_member_payload(self, thread: Channel, user_id: int) -> dict[str, Any]:
        return {
            "id": str(thread.id),
            "user_id": str(user_id),
            "join_timestamp": iso_now(),
            "flags": 1,
            "muted": False,
            "mute_config": None,
        }

    def new_message(
        self,
        channel: Channel,
        author: User,
        body: dict[str, Any],
        *,
        attachments: list[dict[str, Any]] | None = None,
        message_type: int = 0,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store and return a message (REST shape; guild messages carry ``guild_id``)."""
        message_id = self.ids.next()
        content = body.get("content") or ""
        message: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel.id),
            "type": message_type,
            "author": author.to_payload(),
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": "@everyone" in content or "@here" in content,
            "mentions": self.mentions_in(content, channel),
            "mention_roles": self.role_mentions_in(content),
            "attachments": attachments or [],
            "embeds": list(body.get("embeds") or []),
            "components": list(body.get("components") or []),
            "pinned": False,
            "flags": int(body.get("flags") or 0),
        }
        if channel.guild_id:
            message["guild_id"] = str(channel.guild_id)
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        reference = body.get("message_reference")
        if reference and reference.get("message_id"):
            referenced = self.messages.get(int(reference["message_id"]))
            if referenced is None:
                if reference.get("fail_if_not_exists", True):
                    raise invalid_form(
                        {
                            "message_reference": field_error(
                                "REPLIES_UNKNOWN_MESSAGE", "Unknown message"
                            )
                        }
                    )
            else:
                message["type"] = 19 if message_type == 0 else message_type
                message["message_reference"] = {
                    "type": 0,
                    "channel_id": referenced["channel_id"],
                    "message_id": referenced["id"],
                    **({"guild_id": referenced["guild_id"]} if "guild_id" in referenced else {}),
                }
                message["referenced_message"] = {
                    k: v for k, v in referenced.items() if k != "referenced_message"
                }
        if extra:
            message.update(extra)
        self.messages[message_id] = message
        self.channel_messages.setdefault(channel.id, []).append(message_id)
        channel.last_message_id = message_id
        if channel.is_thread:
            channel.message_count += 1
        return message

    def mentions_in(self, content: str, channel: Channel) -> list[dict[str, Any]]:
        mentioned: list[dict[str, Any]] = []
        seen: set[int] = set()
        for match in re.finditer(r"<@!?(\d+)>", content):
            user = self.users.get(int(match.group(1)))
            if user is None or user.id in seen:
                continue
            seen.add(user.id)
            payload = user.to_payload()
            if channel.guild_id and user.id in self.members:
                payload["member"] = self.members[user.id].to_payload(with_user=False)
            mentioned.append(payload)
        return mentioned

    def role_mentions_in(self, content: str) -> list[str]:
        return [m for m in re.findall(r"<@&(\d+)>", content) if int(m) in self.roles]

    def blob_url(self, base_url: str, channel_id: int, attachment_id: int, filename: str) -> str:
        return f"{base_url}/attachments/{channel_id}/{attachment_id}/{filename}"

    def store_attachment(
        self,
        base_url: str,
        channel_id: int,
        filename: str,
        data: bytes,
        content_type: str | None,
        *,
        description: str | None = None,
        ephemeral: bool = False,
    ) -> dict[str, Any]:
        attachment_id = self.ids.next()
        self.blobs[attachment_id] = Blob(filename, content_type, data)
        url = self.blob_url(base_url, channel_id, attachment_id, filename)
        payload: dict[str, Any] = {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
            "content_scan_version": 0,
            "placeholder_version": 1,
            "flags": 0,
        }
        if description:
            payload["description"] = description
        if ephemeral:
            payload["ephemeral"] = True
        return payload

    def visible_messages(self, channel_id: int) -> list[dict[str, Any]]:
        return [self.messages[m] for m in self.channel_messages.get(channel_id, [])]
