"""Discord's documented limits on messages and application commands, enforced like Discord does.

A bot that exceeds a limit gets the same 400 (code 50035 or 50006) it would get in production.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import DiscordAPIError, field_error, invalid_form

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
MAX_FILES = 10
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
EMBED_LIMITS = {"title": 256, "description": 4096}
MAX_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER_TEXT = 2048
AUTHOR_NAME = 256
MAX_ACTION_ROWS = 5
MAX_ROW_ITEMS = 5
CUSTOM_ID = 100
BUTTON_LABEL = 80

COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
MAX_GLOBAL_COMMANDS = 100


def too_long(limit: int) -> dict[str, Any]:
    return field_error("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def empty_message() -> DiscordAPIError:
    return DiscordAPIError(400, 50006, "Cannot send an empty message")


def validate_message_body(body: dict[str, Any]) -> None:
    """Validate the fields a create/edit request sets (absent fields are not checked)."""
    errors: dict[str, Any] = {}
    content = body.get("content")
    if content is not None:
        if not isinstance(content, str):
            errors["content"] = field_error("STRING_TYPE_CONVERT", "Could not interpret as string.")
        elif len(content) > MAX_CONTENT:
            errors["content"] = too_long(MAX_CONTENT)
    embeds = body.get("embeds")
    if embeds:
        embed_errors = _embed_errors(embeds)
        if embed_errors:
            errors["embeds"] = embed_errors
    components = body.get("components")
    if components:
        component_errors = _component_errors(components, body.get("flags") or 0)
        if component_errors:
            errors["components"] = component_errors
    if errors:
        raise invalid_form(errors)


def is_empty(message: dict[str, Any]) -> bool:
    return not (
        (message.get("content") or "").strip()
        or message.get("embeds")
        or message.get("attachments")
        or message.get("components")
        or message.get("sticker_items")
        or message.get("poll")
    )


def _embed_errors(embeds: list[dict[str, Any]]) -> dict[str, Any]:
    if len(embeds) > MAX_EMBEDS:
        return field_error("BASE_TYPE_MAX_LENGTH", f"Must be {MAX_EMBEDS} or fewer in length.")
    errors: dict[str, Any] = {}
    total = 0
    for index, embed in enumerate(embeds):
        own: dict[str, Any] = {}
        for key, limit in EMBED_LIMITS.items():
            text = embed.get(key) or ""
            total += len(text)
            if len(text) > limit:
                own[key] = too_long(limit)
        fields = embed.get("fields") or []
        if len(fields) > MAX_FIELDS:
            own["fields"] = too_long(MAX_FIELDS)
        for f_index, field in enumerate(fields):
            name, value = field.get("name") or "", field.get("value") or ""
            total += len(name) + len(value)
            f_errors: dict[str, Any] = {}
            if not name.strip():
                f_errors["name"] = field_error("BASE_TYPE_REQUIRED", "This field is required")
            elif len(name) > FIELD_NAME:
                f_errors["name"] = too_long(FIELD_NAME)
            if not value.strip():
                f_errors["value"] = field_error("BASE_TYPE_REQUIRED", "This field is required")
            elif len(value) > FIELD_VALUE:
                f_errors["value"] = too_long(FIELD_VALUE)
            if f_errors:
                own.setdefault("fields", {})[str(f_index)] = f_errors
        footer = (embed.get("footer") or {}).get("text") or ""
        total += len(footer)
        if len(footer) > FOOTER_TEXT:
            own["footer"] = {"text": too_long(FOOTER_TEXT)}
        author = (embed.get("author") or {}).get("name") or ""
        total += len(author)
        if len(author) > AUTHOR_NAME:
            own["author"] = {"name": too_long(AUTHOR_NAME)}
        if own:
            errors[str(index)] = own
    if not errors and total > MAX_EMBED_TOTAL:
        return field_error(
            "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}"
        )
    return errors


COMPONENTS_V2_FLAG = 1 << 15


def _component_errors(components: list[dict[str, Any]], flags: int) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if not flags & COMPONENTS_V2_FLAG and len(components) > MAX_ACTION_ROWS:
        return too_long(MAX_ACTION_ROWS)
    seen: set[str] = set()
    for index, row in enumerate(components):
        if row.get("type") != 1:
            continue  # layout components (v2) are passed through unchecked
        items = row.get("components") or []
        row_errors: dict[str, Any] = {}
        if len(items) > MAX_ROW_ITEMS:
            row_errors["components"] = too_long(MAX_ROW_ITEMS)
        for i_index, item in enumerate(items):
            item_errors = _item_errors(item, seen)
            if item_errors:
                row_errors.setdefault("components", {})[str(i_index)] = item_errors
        if row_errors:
            errors[str(index)] = row_errors
    return errors


def _item_errors(item: dict[str, Any], seen: set[str]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    is_link = item.get("type") == 2 and item.get("style") == 5
    custom_id = item.get("custom_id")
    if is_link:
        if not item.get("url"):
            errors["url"] = field_error("BASE_TYPE_REQUIRED", "This field is required")
    elif item.get("type") == 2 and item.get("style") == 6:
        pass  # premium buttons carry a sku_id instead
    elif not custom_id:
        errors["custom_id"] = field_error("BASE_TYPE_REQUIRED", "This field is required")
    elif len(custom_id) > CUSTOM_ID:
        errors["custom_id"] = too_long(CUSTOM_ID)
    elif custom_id in seen:
        errors["custom_id"] = field_error(
            "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"
        )
    if custom_id:
        seen.add(custom_id)
    label = item.get("label") or ""
    if len(label) > BUTTON_LABEL:
        errors["label"] = too_long(BUTTON_LABEL)
    return errors


def validate_commands(commands: list[dict[str, Any]], *, is_global: bool) -> None:
    errors: dict[str, Any] = {}
    seen: set[tuple[str, int]] = set()
    chat_input = 0
    for index, command in enumerate(commands):
        own = _command_errors(command)
        key = (command.get("name", ""), command.get("type", 1))
        if key in seen:
            own.setdefault(
                "name",
                field_error(
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    "Application command names must be unique",
                ),
            )
        seen.add(key)
        chat_input += key[1] == 1
        if own:
            errors[str(index)] = own
    if is_global and chat_input > MAX_GLOBAL_COMMANDS:
        raise invalid_form(field_error("BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."))
    if errors:
        raise invalid_form(errors)


def _command_errors(command: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    kind = command.get("type", 1)
    name = command.get("name") or ""
    if kind == 1:
        if not COMMAND_NAME.match(name) or name != name.lower():
            errors["name"] = field_error(
                "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
            )
        description = command.get("description") or ""
        if not 1 <= len(description) <= 100:
            errors["description"] = field_error(
                "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
    elif not 1 <= len(name) <= 32:
        errors["name"] = field_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
    option_errors = _options_errors(command.get("options") or [])
    if option_errors:
        errors["options"] = option_errors
    return errors


def _options_errors(options: list[dict[str, Any]]) -> dict[str, Any]:
    if len(options) > 25:
        return too_long(25)
    errors: dict[str, Any] = {}
    names: set[str] = set()
    seen_optional = False
    for index, option in enumerate(options):
        own: dict[str, Any] = {}
        name = option.get("name") or ""
        if not COMMAND_NAME.match(name) or name != name.lower():
            own["name"] = field_error("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if name in names:
            own["name"] = field_error(
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique"
            )
        names.add(name)
        if not 1 <= len(option.get("description") or "") <= 100:
            own["description"] = field_error(
                "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
        if option.get("type") in (1, 2):
            nested = _options_errors(option.get("options") or [])
            if nested:
                own["options"] = nested
        elif option.get("required"):
            if seen_optional:
                own["required"] = field_error(
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = option.get("choices") or []
        if len(choices) > 25:
            own["choices"] = too_long(25)
        if choices and option.get("autocomplete"):
            own["autocomplete"] = field_error(
                "APPLICATION_COMMAND_OPTION_CHOICES_AND_AUTOCOMPLETE",
                "Autocomplete cannot be set for options with choices",
            )
        if own:
            errors[str(index)] = own
    return errors
