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
        self.retry_after: float | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        if self.retry_after is not None:
            body.update(retry_after=self.retry_after, **{"global": False})
        return body

    def headers(self) -> dict[str, str]:
        if self.retry_after is None:
            return {}
        # discord.py only honours a 429 that came through Discord's proxy (a Via header).
        return {
            "Via": "1.1 google",
            "Retry-After": f"{self.retry_after:.3f}",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
        }


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
