"""Errors the fake answers with, shaped like Discord's JSON error bodies."""

from __future__ import annotations

from typing import Any


class DiscordAPIError(Exception):
    """Raised inside a REST handler; becomes ``{"message", "code"[, "errors"]}`` with ``status``."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def unknown(kind: str, code: int) -> DiscordAPIError:
    return DiscordAPIError(404, code, f"Unknown {kind}")


def unknown_channel() -> DiscordAPIError:
    return unknown("Channel", 10003)


def unknown_message() -> DiscordAPIError:
    return unknown("Message", 10008)


def missing_permissions() -> DiscordAPIError:
    return DiscordAPIError(403, 50013, "Missing Permissions")


def missing_access() -> DiscordAPIError:
    return DiscordAPIError(403, 50001, "Missing Access")


def wrong_channel_type() -> DiscordAPIError:
    return DiscordAPIError(400, 50024, "Cannot execute action on this channel type")


def invalid_form(field_errors: dict[str, Any]) -> DiscordAPIError:
    return DiscordAPIError(400, 50035, "Invalid Form Body", field_errors)


def field_error(code: str, message: str) -> dict[str, Any]:
    return {"_errors": [{"code": code, "message": message}]}


class FakeDiscordError(AssertionError):
    """A test asked the fake for something Discord's own client would not let a user do."""


class FakeDiscordTimeout(AssertionError):
    """A wait on the fake ran out; the message lists what did happen."""
