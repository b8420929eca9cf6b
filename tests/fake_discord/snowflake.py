"""Snowflake ids and timestamps shaped like Discord's, so discord.py's ``created_at`` is sensible."""

from __future__ import annotations

import datetime as dt
import itertools
import time

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeFactory:
    """Hands out strictly increasing snowflakes (ids compare in creation order, like Discord's)."""

    def __init__(self) -> None:
        self._last = 0
        self._increment = itertools.count()

    def next(self) -> int:
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = (now_ms << 22) | (1 << 17) | (1 << 12) | (next(self._increment) & 0xFFF)
        # Within one millisecond the 12-bit increment can wrap; never hand out a smaller id.
        self._last = max(candidate, self._last + 1)
        return self._last


def snowflake_time(snowflake: int) -> dt.datetime:
    millis = (snowflake >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC)


def iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def iso_in(seconds: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)).isoformat()
