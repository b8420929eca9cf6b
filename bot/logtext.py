"""Values from users (ids, paths, URLs) made safe for one log line."""

from __future__ import annotations


def printable(value: object, limit: int = 200) -> str:
    """``value`` with control characters escaped (a newline in an id cannot start a forged log
    line) and cut to ``limit`` characters."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    if text.isprintable():
        return text
    return text.encode("unicode_escape", "backslashreplace").decode("ascii")
