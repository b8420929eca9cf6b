"""The fake Discord against the real discord.py client (a plain bot defined here, not newsbot)."""

from __future__ import annotations

import asyncio
import io
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fake_discord import FakeDiscord, FakeDiscordError, FakeDiscordTimeout, message_text
from tests.fake_discord.client import pointed_at, running

pytestmark = pytest.mark.timeout(30)


class Probe(commands.Bot):
    """A small bot: one slash command of each response style, a button, a thread maker."""

    def __init__(self, fake: FakeDiscord, intents: discord.Intents | None = None) -> None:
        super().__init__(
            command_prefix="!",
            intents=intents or discord.Intents.default(),
            guild_ready_timeout=0.05,
        )
        self.fake = fake
        self.messages: list[discord.Message] = []
        self.message_seen = asyncio.Event()
        self.clicked: list[int] = []
        self.threads_seen: list[discord.Thread] = []
        self.thread_seen = asyncio.Event()
        self.errors: list[BaseException] = []
        self._define_commands()

    def _define_commands(self) -> None:
        tree = self.tree

        @tree.command(description="Answer right away")
        @app_commands.describe(question="What to ask", count="How many")
        async def ask(interaction: discord.Interaction, question: str, count: int = 1) -> None:
            await interaction.response.send_message(f"{question} x{count} ({type(count).__name__})")

        @tree.command(description="Think first, then edit the answer in")
        async def slow(interaction: discord.Interaction, question: str) -> None:
            await interaction.response.defer(thinking=True)
            await asyncio.sleep(0.05)
            await interaction.edit_original_response(content=f"pondered {question}")

        @tree.command(description="Defer, then send a file as a followup")
        async def report(interaction: discord.Interaction) -> None:
            await interaction.response.defer()
            await interaction.followup.send(
                "here is the file", file=discord.File(io.BytesIO(b"quote,source\n"), "report.csv")
            )

        @tree.command(description="A message with a button")
        async def button(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("press it", view=CountView(self.clicked))

        @tree.command(description="Pick a source")
        async def source(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(f"source {name}", ephemeral=True)

        @source.autocomplete("name")
        async def source_names(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            names = ["belta", "bbc", "reuters"]
            return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

        @tree.command(description="Too slow to answer")
        async def late(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.3)
            try:
                await interaction.response.send_message("late")
            except discord.HTTPException as error:
                self.errors.append(error)

        @tree.command(description="Defer, give up: delete the placeholder, tell only the user")
        async def broken(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.delete_original_response()
            await interaction.followup.send("that failed", ephemeral=True)

        @tree.command(description="Open a form")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal())

        @tree.command(description="Admins only")
        @app_commands.default_permissions(manage_guild=True)
        async def reindex(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("reindexed")

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every IDENTIFY but the first; the fake needs no pause."""

    async def setup_hook(self) -> None:
        guild = discord.Object(self.fake.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.id == self.user.id:  # type: ignore[union-attr]
            return
        self.messages.append(message)
        self.message_seen.set()
        if "thread please" in message.content:
            try:
                thread = await message.create_thread(name="Follow-up")
                await thread.send("in the thread")
            except discord.HTTPException as error:
                self.errors.append(error)
                self.message_seen.set()

    async def on_thread_create(self, thread: discord.Thread) -> None:
        self.threads_seen.append(thread)
        self.thread_seen.set()


class CountView(discord.ui.View):
    def __init__(self, clicked: list[int]) -> None:
        super().__init__(timeout=30)
        self.clicked = clicked

    @discord.ui.button(label="Count", custom_id="count", style=discord.ButtonStyle.primary)
    async def count(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.clicked.append(interaction.user.id)
        await interaction.response.edit_message(content=f"pressed {len(self.clicked)}", view=self)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Your feedback", custom_id="text")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks for: {self.text.value}", ephemeral=True)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval=0.5) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[Probe]:
    probe = Probe(fake, discord.Intents.default() | discord.Intents(members=True))
    async with running(probe, fake):
        await fake.wait_commands_synced(guild_id=fake.guild_id, names=["ask", "slow"])
        yield probe
    assert not fake.unknown_routes, fake.unknown_routes


async def wait_event(event: asyncio.Event, timeout: float = 3.0) -> None:
    await asyncio.wait_for(event.wait(), timeout)
    event.clear()


async def test_ready_and_guild_create_fill_the_cache(fake: FakeDiscord, bot: Probe) -> None:
    await asyncio.wait_for(bot.wait_until_ready(), 3)
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None and guild.name == "Newsroom"
    assert bot.user is not None and bot.user.id == fake.bot_user.id and bot.user.bot
    assert bot.application_id == fake.application_id
    assert {c.name for c in guild.text_channels} >= {"general", "no-threads"}
    # The members intent makes discord.py chunk the guild over the gateway (op 8).
    assert {m.id for m in guild.members} == {
        fake.owner.id,
        fake.admin.id,
        fake.member.id,
        fake.bot_user.id,
    }
    admin = guild.get_member(fake.admin.id)
    plain = guild.get_member(fake.member.id)
    assert admin is not None and admin.guild_permissions.manage_guild
    assert plain is not None and not plain.guild_permissions.manage_guild
    assert guild.owner_id == fake.owner.id
    me = guild.me
    general = guild.get_channel(fake.channel_id)
    no_threads = guild.get_channel(fake.no_thread_channel_id)
    assert isinstance(general, discord.TextChannel) and isinstance(no_threads, discord.TextChannel)
    assert general.permissions_for(me).create_public_threads
    assert not no_threads.permissions_for(me).create_public_threads
    session = fake.sessions[0]
    assert session.intents == bot.intents.value
    assert session.connection is not None
    # discord.py asks for zstd-stream when a zstd module is importable, zlib-stream otherwise.
    expected = discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
    assert session.connection.compressor.kind == expected


async def test_gateway_frames_are_one_zlib_stream_with_sync_flush(fake: FakeDiscord) -> None:
    url = f"{fake.gateway_url}?v=10&encoding=json&compress=zlib-stream"
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        inflate = zlib.decompressobj()
        hello = await ws.receive_bytes(timeout=2)
        assert hello.endswith(b"\x00\x00\xff\xff")
        assert b'"op": 10' in inflate.decompress(hello)
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 513, "properties": {}}})
        closing = await ws.receive(timeout=2)
        assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 4004


async def test_slash_command_immediate_answer(fake: FakeDiscord, bot: Probe) -> None:
    registered = {c["name"]: c for c in fake.commands(fake.guild_id)}
    assert registered["ask"]["options"][1] == {
        **registered["ask"]["options"][1],
        "name": "count",
        "type": 4,
    }
    handle = await fake.slash("ask", {"question": "Who met Li?", "count": 3})
    message = await handle.final()
    assert message["content"] == "Who met Li? x3 (int)"
    assert handle.response_type == 4
    assert message["type"] == 20 and message["interaction_metadata"]["name"] == "ask"
    assert fake.messages_in(fake.channel_id)[-1]["id"] == message["id"]


async def test_slash_command_deferred_then_edited(fake: FakeDiscord, bot: Probe) -> None:
    handle = await fake.slash("slow", {"question": "why"}, user=fake.admin)
    message = await handle.final()
    assert message["content"] == "pondered why"
    assert [e.kind for e in handle.events] == ["callback", "edit_original"]
    assert handle.callbacks[0].type == 5
    assert not message["flags"] & 128  # the "thinking" state is gone


async def test_followup_with_a_file_is_readable(fake: FakeDiscord, bot: Probe) -> None:
    handle = await fake.slash("report")
    message = await handle.final()
    assert message["content"] == "here is the file"
    assert [a["filename"] for a in message["attachments"]] == ["report.csv"]
    event = handle.followups[0]
    assert event.files[0].data == b"quote,source\n"
    async with aiohttp.ClientSession() as http, http.get(message["attachments"][0]["url"]) as resp:
        assert await resp.read() == b"quote,source\n"


async def test_message_content_reaches_on_message(fake: FakeDiscord, bot: Probe) -> None:
    sent = await fake.send_message("hello there", author=fake.member)
    await wait_event(bot.message_seen)
    # No message_content intent: a guild message that does not mention the bot arrives empty.
    assert bot.messages[-1].id == int(sent["id"]) and bot.messages[-1].content == ""
    await fake.send_message("what about Belarus?", mentions=[fake.bot_user])
    await wait_event(bot.message_seen)
    assert bot.messages[-1].content == f"<@{fake.bot_user.id}> what about Belarus?"
    assert bot.user in bot.messages[-1].mentions
    await fake.send_dm("private question", author=fake.admin)
    await wait_event(bot.message_seen)
    dm = bot.messages[-1]
    assert dm.content == "private question" and isinstance(dm.channel, discord.DMChannel)
    assert dm.author.id == fake.admin.id


async def test_message_content_intent_gives_full_content(fake: FakeDiscord) -> None:
    intents = discord.Intents.default()
    intents.message_content = True
    probe = Probe(fake, intents)
    async with running(probe, fake):
        await fake.send_message("plain words")
        await wait_event(probe.message_seen)
        assert probe.messages[-1].content == "plain words"


async def test_button_click_updates_the_message(fake: FakeDiscord, bot: Probe) -> None:
    message = await (await fake.slash("button")).final()
    assert message["components"][0]["components"][0]["custom_id"] == "count"
    click = await fake.click(message, "count", user=fake.admin)
    updated = await click.final()
    assert bot.clicked == [fake.admin.id]
    assert updated["id"] == message["id"] and updated["content"] == "pressed 1"
    assert click.response_type == 7
    with pytest.raises(FakeDiscordError, match="no component"):
        await fake.click(message, "missing")


async def test_autocomplete_returns_choices(fake: FakeDiscord, bot: Probe) -> None:
    choices = await fake.autocomplete("source", {"name": "b"}, focused="name")
    assert [c["value"] for c in choices] == ["belta", "bbc"]
    handle = await fake.slash("source", {"name": "belta"})
    message = await handle.final()
    assert message["flags"] & 64 and message["content"] == "source belta"


async def test_thread_from_a_message_and_refused_where_not_allowed(
    fake: FakeDiscord, bot: Probe
) -> None:
    sent = await fake.send_message("thread please", mentions=[fake.bot_user])
    await wait_event(bot.thread_seen)
    thread = bot.threads_seen[-1]
    assert thread.id == int(sent["id"]) and thread.parent_id == fake.channel_id
    reply = await fake.wait_for_message(channel_id=thread.id)
    assert reply["content"] == "in the thread"
    assert fake.threads[0]["name"] == "Follow-up"

    await fake.send_message(
        "thread please", mentions=[fake.bot_user], channel_id=fake.no_thread_channel_id
    )
    await fake.wait_for(lambda r: r.route.endswith("/threads") and r.status == 403)
    await asyncio.sleep(0.05)
    error = bot.errors[-1]
    assert isinstance(error, discord.Forbidden) and error.code == 50013


async def test_wrong_token_is_a_login_failure(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default())
    with pointed_at(fake), pytest.raises(discord.LoginFailure):
        try:
            await client.login("not-the-token")
        finally:
            await client.close()
    assert fake.requests[-1].status == 401 and fake.requests[-1].path == "/users/@me"
    assert "Authorization" not in fake.requests[-1].headers


async def test_late_interaction_response_is_unknown(fake: FakeDiscord, bot: Probe) -> None:
    fake.interaction_deadline = 0.1
    handle = await fake.slash("late")
    await fake.wait_for(lambda r: "/callback" in r.path and r.status == 404)
    assert not handle.acknowledged
    with pytest.raises(FakeDiscordTimeout, match="late"):
        await handle.final(timeout=0.1)


async def test_admin_only_command_is_hidden_from_members(fake: FakeDiscord, bot: Probe) -> None:
    with pytest.raises(FakeDiscordError, match="cannot see /reindex"):
        await fake.slash("reindex", user=fake.member)
    assert (await (await fake.slash("reindex", user=fake.admin)).final())["content"] == "reindexed"
    with pytest.raises(FakeDiscordError, match="required option"):
        await fake.slash("ask", {"count": 2})


async def test_discord_limits_and_unknown_routes(fake: FakeDiscord, bot: Probe) -> None:
    channel = bot.get_channel(fake.channel_id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.status == 400 and too_long.value.code == 50035
    readonly = bot.get_channel(fake.readonly_channel_id)
    assert isinstance(readonly, discord.TextChannel)
    with pytest.raises(discord.Forbidden):
        await readonly.send("hello")
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/nothing/here"))
    assert [r.path for r in fake.unknown_routes] == ["/nothing/here"]
    fake.unknown_routes.clear()


async def test_reconnect_resumes_the_session(fake: FakeDiscord, bot: Probe) -> None:
    session = fake.sessions[0]
    await fake.gateway_reconnect()
    await fake._wait_until(
        lambda: (
            session.connection
            if session.connection and len(fake.gateway.connections) == 2
            else None
        ),
        3,
        "the client to resume",
    )
    assert len(fake.sessions) == 1  # resumed, not identified again
    await fake.send_message("after resume", mentions=[fake.bot_user])
    await wait_event(bot.message_seen)
    assert bot.messages[-1].content.endswith("after resume")


async def test_invalidated_session_identifies_again(fake: FakeDiscord, bot: Probe) -> None:
    first = fake.sessions[0]
    await fake.invalidate_session()
    await fake._wait_until(
        lambda: fake.sessions[-1] if fake.sessions[-1] is not first else None,
        3,
        "a second IDENTIFY",
    )
    await fake.wait_ready()
    assert first.connection is None and not first.resumable
    await fake.send_message("still there?", mentions=[fake.bot_user])
    await wait_event(bot.message_seen)
    assert bot.messages[-1].content.endswith("still there?")


async def test_close_is_clean(fake: FakeDiscord) -> None:
    probe = Probe(fake)
    async with running(probe, fake):
        await fake.wait_commands_synced(names=["ask"])
        connection = fake.sessions[0].connection
        assert connection is not None
    await fake._wait_until(
        lambda: connection if connection.client_close_code else None, 2, "the socket to close"
    )
    # discord.py asks for 1000, but its own reader task answers aiohttp's "closing" with 4000
    # first; both must end the socket cleanly.
    assert connection.client_close_code in (1000, 4000)
    assert connection.ws.closed and not fake.gateway.live_sessions()
    assert probe.is_closed()


def test_message_text_reads_embeds() -> None:
    text = message_text(
        {"content": "Answer", "embeds": [{"title": "T", "fields": [{"name": "N", "value": "V"}]}]}
    )
    assert text == "Answer\nT\nN\nV"


async def test_deleted_placeholder_then_ephemeral_followup(fake: FakeDiscord, bot: Probe) -> None:
    handle = await fake.slash("broken")
    message = await handle.final()
    assert message["content"] == "that failed" and message["flags"] & 64
    assert [e.kind for e in handle.events] == ["callback", "delete_original", "followup"]
    assert handle.original is None
    assert [m["content"] for m in fake.messages_in(fake.channel_id)] == ["that failed"]


async def test_modal_round_trip(fake: FakeDiscord, bot: Probe) -> None:
    opened = await fake.slash("feedback")
    modal = await opened.final()
    assert modal["title"] == "Feedback"
    submitted = await fake.submit_modal(opened, {"text": "more sources please"})
    assert (await submitted.final())["content"] == "thanks for: more sources please"


async def test_slash_in_a_dm(fake: FakeDiscord, bot: Probe) -> None:
    await fake.wait_commands_synced(guild_id=fake.guild_id)
    # The Probe synced only guild copies, which DMs cannot see.
    with pytest.raises(FakeDiscordError, match="not registered"):
        await fake.slash("ask", {"question": "q"}, dm=True)
    await bot.tree.sync()
    handle = await fake.slash("ask", {"question": "q"}, dm=True, user=fake.admin)
    message = await handle.final()
    assert message["content"] == "q x1 (int)" and "guild_id" not in message
    assert int(message["channel_id"]) == fake.dm_channel_id(fake.admin)


async def test_injected_failure_reaches_the_bot(fake: FakeDiscord, bot: Probe) -> None:
    fake.fail_next(
        "POST /channels/{channel_id}/messages",
        status=403,
        code=50013,
        message="Missing Permissions",
    )
    channel = bot.get_channel(fake.channel_id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.Forbidden):
        await channel.send("first")
    sent = await channel.send("second")
    assert fake.message(sent.id)["content"] == "second"
    # A 429 is retried by discord.py itself after retry_after.
    fake.fail_next("POST /channels/{channel_id}/messages", status=429, retry_after=0.05)
    start = fake.mark()
    third = await channel.send("third")
    assert fake.message(third.id)["content"] == "third"
    assert [r.status for r in fake.requests[start:]] == [429, 200]


async def test_auto_sharded_bot_finds_the_gateway_itself(fake: FakeDiscord) -> None:
    bot = commands.AutoShardedBot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05
    )
    old = discord.http.Route.BASE
    discord.http.Route.BASE = fake.api_base  # REST only: the gateway comes from /gateway/bot
    try:
        task = asyncio.create_task(bot.start(fake.token))
        session = await fake.wait_ready()
        assert session.shard == (0, 1)
        await asyncio.wait_for(bot.wait_until_ready(), 3)
        assert bot.get_guild(fake.guild_id) is not None
    finally:
        await bot.close()
        await asyncio.wait_for(task, 3)
        discord.http.Route.BASE = old


async def test_privileged_intent_not_granted(fake: FakeDiscord) -> None:
    fake.gateway.allowed_intents = 0
    intents = discord.Intents.default()
    intents.message_content = True
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with running(Probe(fake, intents), fake):
            pass
