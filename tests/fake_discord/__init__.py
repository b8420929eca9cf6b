"""A fake Discord (REST + gateway) for end-to-end tests with the real discord.py client."""

from .errors import DiscordAPIError, FakeDiscordError, FakeDiscordTimeout
from .interactions import InteractionEvent, InteractionHandle
from .records import RecordedFile, RecordedRequest
from .server import FakeDiscord, message_text
from .world import User

__all__ = [
    "DiscordAPIError",
    "FakeDiscord",
    "FakeDiscordError",
    "FakeDiscordTimeout",
    "InteractionEvent",
    "InteractionHandle",
    "RecordedFile",
    "RecordedRequest",
    "User",
    "message_text",
]
