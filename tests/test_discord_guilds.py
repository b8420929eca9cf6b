"""Issue 9 item 14 (only the team's servers) and issue 11 item 5 (sharding), on the fake Discord.

The real newsbot client (``create_bot``) and service against ``tests/fake_discord`` on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.discord.client import NewsBot, ShardedNewsBot, create_bot
from bot.service import NewsService
from bot.settings import Settings
from tests.conftest import HEADLINE, HEADLINE_QUOTE, copy_corpus
from tests.fake_discord import FakeDiscord, message_text

pytestmark = pytest.mark.timeout(60)

EPHEMERAL = 1 << 6


def settings_for(fake: FakeDiscord, root: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "discord_token": fake.token,
        "discord_api_base": fake.api_base,
        "corpus_dir": copy_corpus(root / "corpus"),
        "data_dir": root / "data",
        "dev_guild_ids": [fake.guild_id],
        "ask_cooldown_seconds": 0,
        "channel_cooldown_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextlib.asynccontextmanager
async def bots(fake: FakeDiscord, settings_list: list[Settings]) -> AsyncIterator[list[NewsBot]]:
    """Serve one bot per settings (each with its own service), until the block ends."""
    services = [NewsService(s) for s in settings_list]
    for service in services:
        await service.start()
    made = [
        create_bot(s, svc, guild_ready_timeout=0.05)
        for s, svc in zip(settings_list, services, strict=True)
    ]
    readies = [asyncio.Event() for _ in made]
    tasks = [
        asyncio.create_task(bot.serve(fake.token, ready_event=ready))
        for bot, ready in zip(made, readies, strict=True)
    ]
    try:
        for task, ready in zip(tasks, readies, strict=True):
            waiter = asyncio.create_task(ready.wait())
            await asyncio.wait({task, waiter}, timeout=15, return_when="FIRST_COMPLETED")
            if task.done():
                task.result()
            assert ready.is_set(), "a bot did not become ready"
        yield made
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for service in services:
            await service.close()


# ---- NEWSBOT_GUILD_IDS
async def test_the_bot_leaves_and_ignores_servers_not_in_the_list(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.discord.client")
    async with FakeDiscord() as fake:
        others_only = settings_for(fake, tmp_path, guild_ids=[1234567890123], dev_guild_ids=[])
        async with bots(fake, [others_only]) as (bot,):
            await fake.wait_for(lambda r: r.route == "DELETE /users/@me/guilds/{guild_id}")
            assert fake.left_guilds == [fake.guild_id]
            assert any("leaving server" in r.getMessage() for r in caplog.records)
            # An admin of that server cannot change the corpus, nor read it with /ask...
            await bot.tree.sync()
            await fake.wait_commands_synced(names=["ask", "add"], guild_id=None)
            handle = await fake.slash(
                "remove", {"id": "belarus-china-increasing-ties"}, user=fake.admin
            )
            reply = await handle.final()
            assert reply["flags"] & EPHEMERAL and "only serves" in message_text(reply)
            ask = await (await fake.slash("ask", {"question": HEADLINE})).final()
            assert "only serves" in message_text(ask) and HEADLINE_QUOTE not in message_text(ask)
            # ...and a mention there gets no answer.
            sent = await fake.send_message(HEADLINE, mentions=[fake.bot_user])
            await asyncio.sleep(0.5)
            assert not [
                m
                for m in fake.messages_in(fake.channel_id)
                if m["author"]["id"] == str(fake.bot_user.id) and int(m["id"]) > int(sent["id"])
            ]
        assert (tmp_path / "corpus" / "belarus-china-increasing-ties.md").exists()


async def test_team_server_members_are_served_and_strangers_are_not(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        settings = settings_for(fake, tmp_path, guild_ids=[fake.guild_id])
        async with bots(fake, [settings]):
            await fake.wait_commands_synced(names=["ask"], guild_id=fake.guild_id)
            answer = await (await fake.slash("ask", {"question": HEADLINE})).final()
            assert HEADLINE_QUOTE in message_text(answer)
            # A DM from a member of the team's server is answered...
            dm = await fake.send_dm(HEADLINE, author=fake.member)
            reply = await fake.wait_for_message(
                channel_id=fake.dm_channel_id(fake.member), after=dm, timeout=10
            )
            assert HEADLINE_QUOTE in message_text(reply)
            # ...one from someone who shares no team server is not.
            stranger = fake.add_stranger("mallory")
            dm = await fake.send_dm(HEADLINE, author=stranger)
            await asyncio.sleep(0.5)
            assert not [
                m
                for m in fake.messages_in(fake.dm_channel_id(stranger))
                if m["author"]["id"] == str(fake.bot_user.id)
            ]
            # Added to someone else's server later: it leaves at once.
            other = await fake.join_guild("Not Ours")
            await fake.wait_for(
                lambda r: (
                    r.route == "DELETE /users/@me/guilds/{guild_id}" and r.path.endswith(str(other))
                )
            )
            assert fake.left_guilds == [other]


def test_an_empty_list_serves_everyone_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def run() -> None:
        async with FakeDiscord() as fake, bots(fake, [settings_for(fake, tmp_path)]):
            other = await fake.join_guild("Anyone's")
            await asyncio.sleep(0.3)
            assert other not in fake.left_guilds

    caplog.set_level(logging.WARNING, logger="bot.discord.client")
    asyncio.run(run())
    assert any("NEWSBOT_GUILD_IDS is empty" in r.getMessage() for r in caplog.records)


# ---- NEWSBOT_SHARD_COUNT / NEWSBOT_SHARD_IDS
async def test_two_bot_processes_split_the_shards(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        home = (fake.guild_id >> 22) % 2
        base = settings_for(fake, tmp_path, shard_count=2)
        one = base.model_copy(update={"shard_ids": [0]})
        two = base.model_copy(update={"shard_ids": [1]})
        async with bots(fake, [one, two]) as pair:
            assert all(isinstance(bot, ShardedNewsBot) for bot in pair)
            assert sorted(s.shard for s in fake.sessions) == [(0, 2), (1, 2)]
            owner = pair[home]
            assert owner.get_guild(fake.guild_id) is not None
            assert pair[1 - home].get_guild(fake.guild_id) is None
            # A guild on the other shard reaches only the other process.
            other = await fake.join_guild("Second", shard=(1 - home, 2))
            await asyncio.sleep(0.3)
            assert pair[1 - home].get_guild(other) is not None
            assert owner.get_guild(other) is None
            # A mention in the world's guild is answered once, by its shard's process.
            sent = await fake.send_message(HEADLINE, mentions=[fake.bot_user])
            reply = await fake.wait_for_message(after=sent, timeout=10)
            assert HEADLINE_QUOTE in message_text(reply)
            await asyncio.sleep(0.5)
            answers = [
                m
                for channel in [fake.channel_id, *[t["id"] for t in fake.threads]]
                for m in fake.messages_in(int(channel))
                if m["author"]["id"] == str(fake.bot_user.id)
                and int(m["id"]) > int(sent["id"])
                and HEADLINE_QUOTE in message_text(m)
            ]
            assert len(answers) == 1
