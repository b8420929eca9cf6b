"""Starting and stopping the Discord bot: token and API base checks, where it connects,
command sync, and a clean shutdown (the same ``run_discord`` the CLI calls)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
import pytest_asyncio
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.discord.client import (
    DiscordStartupError,
    create_bot,
    intents,
    run_discord,
    sync_commands,
)
from bot.service import NewsService
from bot.settings import DISCORD_API_BASE, Settings, SettingsError
from index.models import Feedback
from tests.conftest import HEADLINE, HEADLINE_QUOTE, copy_corpus
from tests.fake_discord import FakeDiscord, message_text

pytestmark = pytest.mark.timeout(30)

WELL_SHAPED = "MTE0NTE0MTkxOTgxMDAwMDAw.GaBcDe.abcdefghijklmnopqrstuvwxyz012345"
DEFAULT_GATEWAY = DiscordWebSocket.DEFAULT_GATEWAY
COMMANDS = {"ask", "search", "source", "articles", "reindex", "add", "remove", "feeds", "feedback"}


def settings_for(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "discord_token": WELL_SHAPED,
        "corpus_dir": copy_corpus(tmp_path / "corpus"),
        "data_dir": tmp_path / "data",
        "ask_cooldown_seconds": 0,
        "channel_cooldown_seconds": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def assert_endpoints_restored() -> None:
    assert Route.BASE == DISCORD_API_BASE
    assert DiscordWebSocket.DEFAULT_GATEWAY == DEFAULT_GATEWAY


def assert_one_line(err: BaseException, *secrets: str) -> None:
    text = str(err)
    assert text and "\n" not in text and "Traceback" not in text
    for secret in secrets:
        assert secret not in text


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as running:
        yield running


class SlowFeedbackService(NewsService):
    """Feedback writes that take a while, to see that a shutdown waits for them."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.writing = asyncio.Event()

    async def record_feedback(self, feedback: Feedback) -> None:
        self.writing.set()
        await asyncio.to_thread(time.sleep, 0.3)
        await super().record_feedback(feedback)


# ---- refused before connecting
@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (None, "DISCORD_TOKEN is not set"),
        ("   ", "DISCORD_TOKEN is not set"),
        ("hunter2-not-a-token", "does not look like a bot token"),
        (f"Bot {WELL_SHAPED}", "starts with 'Bot '"),
    ],
)
def test_missing_or_malformed_token_is_one_line(
    tmp_path: Path, token: str | None, expected: str
) -> None:
    settings = settings_for(tmp_path, discord_token=token)
    with pytest.raises(SettingsError, match=expected) as caught:
        create_bot(settings, NewsService(settings))
    assert_one_line(caught.value, "hunter2", WELL_SHAPED)


@pytest.mark.parametrize(
    "base", ["ftp://127.0.0.1/api", "127.0.0.1:8080", "http://user:secret@127.0.0.1:1/api/v10"]
)
def test_api_base_must_be_a_plain_http_url(tmp_path: Path, base: str) -> None:
    settings = settings_for(tmp_path, discord_api_base=base)
    with pytest.raises(DiscordStartupError, match="NEWSBOT_DISCORD_API_BASE") as caught:
        create_bot(settings, NewsService(settings))
    assert_one_line(caught.value, "secret")


async def test_rejected_token_is_one_line_and_leaves_discord_py_as_it_was(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    settings = settings_for(tmp_path, discord_api_base=fake.api_base)
    with pytest.raises(DiscordStartupError, match="rejected DISCORD_TOKEN") as caught:
        await run_discord(settings, NewsService(settings))
    assert_one_line(caught.value, WELL_SHAPED)
    assert_endpoints_restored()
    assert not fake.sessions  # never reached the gateway


async def test_unreachable_api_base_fails_fast(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = settings_for(tmp_path, discord_api_base=f"http://127.0.0.1:{port}/api/v10")
    started = time.monotonic()
    with pytest.raises(DiscordStartupError, match="Cannot reach the Discord API") as caught:
        await run_discord(settings, NewsService(settings))
    assert time.monotonic() - started < 5
    assert_one_line(caught.value, WELL_SHAPED)
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert_endpoints_restored()


async def test_silent_api_base_times_out_instead_of_hanging(tmp_path: Path) -> None:
    hold = asyncio.Event()

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await hold.wait()
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = settings_for(tmp_path, discord_api_base=f"http://127.0.0.1:{port}/api/v10")
    bot = create_bot(settings, NewsService(settings))
    bot.login_timeout = 0.5
    started = time.monotonic()
    try:
        with pytest.raises(DiscordStartupError, match=r"did not answer within 0\.5 s"):
            await bot.serve(WELL_SHAPED)
    finally:
        hold.set()
        server.close()
        await server.wait_closed()
    assert time.monotonic() - started < 3
    assert_endpoints_restored()


async def test_missing_message_content_intent_is_explained(tmp_path: Path) -> None:
    async with FakeDiscord(privileged_intents=0) as fake:
        settings = settings_for(tmp_path, discord_token=fake.token, discord_api_base=fake.api_base)
        with pytest.raises(DiscordStartupError, match="Message Content") as caught:
            await run_discord(settings, NewsService(settings), guild_ready_timeout=0.05)
    assert_one_line(caught.value, fake.token)
    assert_endpoints_restored()


# ---- a real run
async def test_connects_where_the_base_says_and_shuts_down_cleanly(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    settings = settings_for(tmp_path, discord_token=fake.token, discord_api_base=fake.api_base)
    service = SlowFeedbackService(settings)
    await service.start()
    ready = asyncio.Event()
    run = asyncio.create_task(
        run_discord(settings, service, ready_event=ready, guild_ready_timeout=0.05)
    )
    try:
        await asyncio.wait_for(ready.wait(), 10)
        assert fake.api_base == Route.BASE
        assert any(r.route == "GET /gateway/bot" for r in fake.requests)
        session = fake.sessions[0]
        assert session.intents == intents().value  # only what the bot needs
        assert intents().message_content and not intents().members and not intents().presences
        assert not fake.command_syncs  # no dev guilds configured: no sync at start

        # /ask needs synced commands; sync them as `newsbot sync` would, then answer and vote.
        await fake_guild_sync(fake, settings)
        answer = await (await fake.slash("ask", {"question": HEADLINE})).final()
        assert HEADLINE_QUOTE in message_text(answer)
        vote_id = next(
            item["custom_id"]
            for row in answer["components"]
            for item in row["components"]
            if item["emoji"]["name"] == "👍"
        )
        await fake.click(answer, vote_id)
        await asyncio.wait_for(service.writing.wait(), 5)
    finally:
        run.cancel()  # what Ctrl-C / SIGTERM do to the CLI's task
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(run, 10)
    # The vote being written when the shutdown came is on disk.
    lines = (settings.data_dir / "feedback.jsonl").read_text().splitlines()
    assert [json.loads(line)["vote"] for line in lines] == ["up"]
    assert session.connection is None or session.connection.ws.closed
    assert_endpoints_restored()
    await service.close()


async def fake_guild_sync(fake: FakeDiscord, settings: Settings) -> None:
    counts = await sync_commands(settings, NewsService(settings), [fake.guild_id])
    assert counts == {str(fake.guild_id): len(COMMANDS)}


async def test_sync_commands_uses_rest_only(tmp_path: Path, fake: FakeDiscord) -> None:
    settings = settings_for(tmp_path, discord_token=fake.token, discord_api_base=fake.api_base)
    counts = await sync_commands(settings, NewsService(settings))
    assert counts == {"global": len(COMMANDS)}
    assert {c["name"] for c in fake.commands(None)} == COMMANDS
    assert not fake.sessions  # no gateway connection for a sync
    described = {c["name"]: c for c in fake.commands(None)}
    assert all(c["description"] for c in described.values())
    manage_guild = discord.Permissions(manage_guild=True).value
    assert int(described["reindex"]["default_member_permissions"]) == manage_guild
    assert int(described["add"]["default_member_permissions"]) == manage_guild
    assert described["ask"].get("default_member_permissions") is None
    assert_endpoints_restored()


async def test_dev_guilds_are_synced_at_start(tmp_path: Path, fake: FakeDiscord) -> None:
    settings = settings_for(
        tmp_path,
        discord_token=fake.token,
        discord_api_base=fake.api_base,
        dev_guild_ids=[fake.guild_id],
    )
    service = NewsService(settings)
    await service.start()
    ready = asyncio.Event()
    run = asyncio.create_task(
        run_discord(settings, service, ready_event=ready, guild_ready_timeout=0.05)
    )
    try:
        await asyncio.wait_for(ready.wait(), 10)
        assert [scope for scope, _ in fake.command_syncs] == [fake.guild_id]
        assert {c["name"] for c in fake.commands(fake.guild_id)} == COMMANDS
    finally:
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await run
        await service.close()
