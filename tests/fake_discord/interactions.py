"""Interactions a test starts (slash, autocomplete, button, modal) and what the bot answered.

Options are typed from the schema the bot registered, and checked the way Discord's own client
checks them (required options, choices, lengths, ranges), so a test cannot send what a user
could not type.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import FakeDiscordError
from .world import Channel, User, World

if TYPE_CHECKING:
    from .server import FakeDiscord, RecordedFile

SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE = (
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
)
MENTIONABLE, NUMBER, ATTACHMENT = 9, 10, 11
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9

ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL, 10, 12},
    MESSAGE_COMPONENT: {
        CHANNEL_MESSAGE,
        DEFERRED_CHANNEL_MESSAGE,
        DEFERRED_UPDATE,
        UPDATE_MESSAGE,
        MODAL,
    },
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}


@dataclass
class InteractionEvent:
    """One thing the bot did with an interaction, in the order it happened.

    ``kind`` is "callback", "edit_original", "delete_original", "followup", "edit_followup" or
    "delete_followup"; ``type`` is the callback type for callbacks; ``message`` is the resulting
    message payload (None for deletes, autocomplete and modals).
    """

    kind: str
    type: int | None
    body: dict[str, Any]
    files: list[RecordedFile]
    message: dict[str, Any] | None


@dataclass
class InteractionHandle:
    """What ``slash``/``click``/``autocomplete``/``submit_modal`` return."""

    fake: FakeDiscord
    payload: dict[str, Any]
    created: float
    events: list[InteractionEvent] = field(default_factory=list)
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    opened_from_message_id: int | None = None

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    @property
    def type(self) -> int:
        return int(self.payload["type"])

    @property
    def name(self) -> str:
        data = self.payload["data"]
        return str(data.get("name") or data.get("custom_id"))

    @property
    def callbacks(self) -> list[InteractionEvent]:
        return [e for e in self.events if e.kind == "callback"]

    @property
    def followups(self) -> list[InteractionEvent]:
        return [e for e in self.events if e.kind == "followup"]

    @property
    def edits(self) -> list[InteractionEvent]:
        return [e for e in self.events if e.kind in ("edit_original", "edit_followup")]

    @property
    def acknowledged(self) -> bool:
        return bool(self.callbacks)

    @property
    def response_type(self) -> int | None:
        callbacks = self.callbacks
        return callbacks[0].type if callbacks else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every message payload the bot produced for this interaction, oldest first."""
        return [e.message for e in self.events if e.message is not None]

    @property
    def original(self) -> dict[str, Any] | None:
        """The current state of the @original response message, if any."""
        if self.original_message_id is None:
            return None
        return self.fake.world.messages.get(self.original_message_id)

    def describe(self) -> str:
        kind = {2: "/", 3: "component ", 4: "autocomplete /", 5: "modal "}.get(self.type, "")
        done = ", ".join(
            f"{e.kind}{'' if e.type is None else f'(type {e.type})'}" for e in self.events
        )
        return f"interaction {kind}{self.name} (id {self.id}); so far: {done or 'nothing'}"

    async def acked(self, timeout: float = 5.0) -> InteractionEvent:
        """Wait for the initial callback (whatever its type)."""
        return await self.fake._wait_until(
            lambda: self.callbacks[0] if self.callbacks else None,
            timeout,
            f"the initial callback of {self.describe()}",
        )

    async def final(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the interaction's visible result and return it.

        Type 4/7 callbacks: the message. Type 5/6 (deferred): the first @original edit or
        followup after the deferral. Type 9: the modal (``{"custom_id", "title", "components"}``).
        Type 8: ``{"choices": [...]}``.
        """

        def visible() -> dict[str, Any] | None:
            callbacks = self.callbacks
            if not callbacks:
                return None
            first = callbacks[0]
            if first.type in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
                return first.message
            if first.type in (MODAL, AUTOCOMPLETE_RESULT):
                return first.body.get("data") or {}
            for event in self.events[self.events.index(first) + 1 :]:
                if event.kind in ("edit_original", "followup") and event.message is not None:
                    return event.message
            return None

        return await self.fake._wait_until(visible, timeout, f"the result of {self.describe()}")

    async def wait_for(
        self, predicate: Callable[[InteractionEvent], bool], timeout: float = 5.0
    ) -> InteractionEvent:
        """Wait for any event of this interaction matching ``predicate``."""
        return await self.fake._wait_until(
            lambda: next((e for e in self.events if predicate(e)), None),
            timeout,
            f"a matching event of {self.describe()}",
        )


def new_token() -> str:
    return "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(64)


def interaction_payload(
    world: World,
    *,
    interaction_id: int,
    kind: int,
    data: dict[str, Any],
    user: User,
    channel: Channel,
    message: dict[str, Any] | None = None,
    bot_permissions: int,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(world.application_id),
        "type": kind,
        "data": data,
        "channel": channel.to_payload(),
        "channel_id": str(channel.id),
        "token": new_token(),
        "version": 1,
        "app_permissions": str(bot_permissions),
        "locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if channel.guild_id:
        payload["channel"]["permissions"] = str(world.permissions_in(user.id, channel))
        payload.update(
            {
                "guild": {"id": str(world.guild_id), "locale": "en-US", "features": []},
                "guild_id": str(world.guild_id),
                "guild_locale": "en-US",
                "member": world.member_payload(user.id, channel),
                "authorizing_integration_owners": {"0": str(world.guild_id)},
                "context": 0,
            }
        )
    else:
        payload.update(
            {
                "user": user.to_payload(),
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        )
    if message is not None:
        payload["message"] = message
    return payload


class OptionBuilder:
    """Turns ``{"question": "…"}`` into Discord's typed option list and ``resolved`` data."""

    def __init__(self, world: World, channel: Channel, *, validate: bool, focused: str | None):
        self.world = world
        self.channel = channel
        self.validate = validate
        self.focused = focused
        self.resolved: dict[str, dict[str, Any]] = {}

    def build(self, schema: list[dict[str, Any]], values: dict[str, Any]) -> list[dict[str, Any]]:
        by_name = {option["name"]: option for option in schema}
        unknown = sorted(set(values) - set(by_name))
        if unknown and self.validate:
            raise FakeDiscordError(
                f"option(s) {unknown} are not in the registered schema; known: {sorted(by_name)}"
            )
        built: list[dict[str, Any]] = []
        for option in schema:
            name = option["name"]
            if name not in values:
                if option.get("required") and self.validate and self.focused is None:
                    raise FakeDiscordError(f"required option {name!r} is missing")
                continue
            built.append(self._one(option, values[name]))
        if self.focused is not None and not any(o.get("focused") for o in built):
            raise FakeDiscordError(f"focused option {self.focused!r} has no value in {values}")
        return built

    def _one(self, option: dict[str, Any], value: Any) -> dict[str, Any]:
        kind = option["type"]
        name = option["name"]
        if name == self.focused:
            return {"name": name, "type": kind, "value": str(value), "focused": True}
        converted = self._convert(option, value)
        if self.validate:
            self._check(option, converted)
        return {"name": name, "type": kind, "value": converted}

    def _convert(self, option: dict[str, Any], value: Any) -> Any:
        kind = option["type"]
        if kind == STRING:
            return str(value)
        if kind == INTEGER:
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise FakeDiscordError(f"option {option['name']!r} wants an integer, got {value!r}")
            return int(value)
        if kind == NUMBER:
            return float(value)
        if kind == BOOLEAN:
            if not isinstance(value, bool):
                raise FakeDiscordError(f"option {option['name']!r} wants a bool, got {value!r}")
            return value
        if kind in (USER, MENTIONABLE) and isinstance(value, User | int) and self._is_user(value):
            return self._resolve_user(value)
        if kind in (ROLE, MENTIONABLE):
            return self._resolve_role(value)
        if kind == CHANNEL:
            return self._resolve_channel(option, value)
        if kind == ATTACHMENT:
            return self._resolve_attachment(value)
        raise FakeDiscordError(f"cannot convert {value!r} for option {option['name']!r}")

    def _check(self, option: dict[str, Any], value: Any) -> None:
        name = option["name"]
        choices = option.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise FakeDiscordError(f"{value!r} is not a choice of {name!r}: {choices}")
        if option["type"] == STRING:
            low, high = option.get("min_length"), option.get("max_length")
            if low is not None and len(value) < low:
                raise FakeDiscordError(f"option {name!r} must be at least {low} characters")
            if high is not None and len(value) > high:
                raise FakeDiscordError(f"option {name!r} must be at most {high} characters")
        if option["type"] in (INTEGER, NUMBER):
            low, high = option.get("min_value"), option.get("max_value")
            if low is not None and value < low:
                raise FakeDiscordError(f"option {name!r} must be >= {low}")
            if high is not None and value > high:
                raise FakeDiscordError(f"option {name!r} must be <= {high}")

    def _is_user(self, value: User | int) -> bool:
        user_id = value.id if isinstance(value, User) else value
        return user_id in self.world.users

    def _resolve_user(self, value: User | int) -> str:
        user = value if isinstance(value, User) else self.world.user(value)
        self.resolved.setdefault("users", {})[str(user.id)] = user.to_payload()
        if self.channel.guild_id and user.id in self.world.members:
            member = self.world.member_payload(user.id, self.channel)
            member.pop("user")
            self.resolved.setdefault("members", {})[str(user.id)] = member
        return str(user.id)

    def _resolve_role(self, value: Any) -> str:
        role_id = int(getattr(value, "id", value))
        role = self.world.roles.get(role_id)
        if role is None:
            raise FakeDiscordError(f"{value!r} is neither a known user nor a role")
        self.resolved.setdefault("roles", {})[str(role_id)] = role.to_payload()
        return str(role_id)

    def _resolve_channel(self, option: dict[str, Any], value: Any) -> str:
        channel = self.world.channel(int(getattr(value, "id", value)))
        allowed = option.get("channel_types")
        if allowed and channel.type not in allowed and self.validate:
            raise FakeDiscordError(
                f"channel type {channel.type} not allowed for {option['name']!r}"
            )
        payload = channel.to_payload()
        resolved: dict[str, Any] = {
            k: payload[k] for k in ("id", "name", "type", "parent_id", "guild_id") if k in payload
        }
        if "thread_metadata" in payload:
            resolved["thread_metadata"] = payload["thread_metadata"]
        resolved["permissions"] = str(self.world.permissions_in(self.world.bot.id, channel))
        self.resolved.setdefault("channels", {})[str(channel.id)] = resolved
        return str(channel.id)

    def _resolve_attachment(self, value: Any) -> str:
        if not isinstance(value, dict) or "url" not in value:
            raise FakeDiscordError(
                "attachment options take the dict returned by fake.attachment(filename, data)"
            )
        self.resolved.setdefault("attachments", {})[value["id"]] = value
        return str(value["id"])


def find_command_path(
    command: dict[str, Any], path: list[str]
) -> tuple[list[dict[str, Any]], Callable[[list[dict[str, Any]]], list[dict[str, Any]]]]:
    """Walk ``["sources", "add"]`` through subcommand groups.

    Returns the leaf's option schema and a function that wraps the leaf's built options back into
    the nested subcommand structure Discord sends.
    """
    schema = command.get("options") or []
    wrappers: list[tuple[str, int]] = []
    for part in path:
        match = next(
            (
                o
                for o in schema
                if o["name"] == part and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)
            ),
            None,
        )
        if match is None:
            raise FakeDiscordError(f"/{command['name']} has no subcommand {part!r}")
        wrappers.append((part, match["type"]))
        schema = match.get("options") or []
    if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in schema):
        names = [o["name"] for o in schema]
        raise FakeDiscordError(f"/{command['name']} needs a subcommand, one of {names}")

    def wrap(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for name, kind in reversed(wrappers):
            options = [{"name": name, "type": kind, "options": options}]
        return options

    return schema, wrap


def iter_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every component inside action rows, sections, containers and labels."""
    for component in components:
        yield component
        children = list(component.get("components") or [])
        for key in ("accessory", "component"):
            if isinstance(component.get(key), dict):
                children.append(component[key])
        yield from iter_components(children)


def modal_submission(
    modal: dict[str, Any], values: dict[str, str | list[str]]
) -> list[dict[str, Any]]:
    """The ``components`` of a modal submit, mirroring the modal's layout."""
    known = {
        c["custom_id"] for c in iter_components(modal.get("components") or []) if c.get("custom_id")
    }
    unknown = sorted(set(values) - known)
    if unknown:
        raise FakeDiscordError(f"modal {modal.get('custom_id')!r} has no field(s) {unknown}")

    def submit(component: dict[str, Any]) -> dict[str, Any]:
        kind = component.get("type")
        if kind == 1:
            return {"type": 1, "components": [submit(c) for c in component.get("components", [])]}
        if kind == 18:
            return {
                "type": 18,
                "id": component.get("id"),
                "component": submit(component["component"]),
            }
        custom_id = component.get("custom_id")
        out: dict[str, Any] = {"type": kind, "id": component.get("id"), "custom_id": custom_id}
        value = values.get(custom_id or "", "")
        if kind == 4:
            if component.get("required", True) and not value:
                raise FakeDiscordError(f"modal field {custom_id!r} is required")
            out["value"] = value
        else:
            out["values"] = value if isinstance(value, list) else [value]
        return out

    return [submit(c) for c in modal.get("components") or [] if c.get("type") in (1, 18)]
