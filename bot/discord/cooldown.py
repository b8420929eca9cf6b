"""Per-user and per-channel cooldowns shared by /ask, mentions and thread follow-ups."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from index.errors import Busy

# Forget stale entries once the tables grow past this, so a busy server cannot grow them forever.
_PRUNE_AT = 2048


class OnCooldown(Busy):
    """Asked again too soon; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Cooldowns:
    def __init__(
        self,
        user_seconds: float,
        channel_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.user_seconds = user_seconds
        self.channel_seconds = channel_seconds
        self._clock = clock
        self._users: dict[int, float] = {}  # id -> time the cooldown ends
        self._channels: dict[int, float] = {}

    def hit(self, user_id: int, channel_id: int | None) -> None:
        """Record a question, or raise ``OnCooldown`` saying when to try again."""
        now = self._clock()
        user_wait = self._users.get(user_id, 0.0) - now
        if user_wait > 0:
            raise OnCooldown(
                f"You're asking quickly. Try again in {_seconds(user_wait)}.", user_wait
            )
        if channel_id is not None:
            channel_wait = self._channels.get(channel_id, 0.0) - now
            if channel_wait > 0:
                raise OnCooldown(
                    f"This channel is busy. Try again in {_seconds(channel_wait)}.", channel_wait
                )
            self._channels[channel_id] = now + self.channel_seconds
        self._users[user_id] = now + self.user_seconds
        if len(self._users) + len(self._channels) > _PRUNE_AT:
            self._prune(now)

    def _prune(self, now: float) -> None:
        for table in (self._users, self._channels):
            for key in [k for k, until in table.items() if until <= now]:
                del table[key]


def _seconds(wait: float) -> str:
    whole = max(math.ceil(wait), 1)
    return f"{whole} second{'s' if whole != 1 else ''}"
