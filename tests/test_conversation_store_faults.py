"""A conversation store that cannot be used (a locked, unopenable or read-only file) never costs
an answer: not on Discord (a mention, a reply to an answer, a thread follow-up, a DM), not over
HTTP, not in ``newsbot chat``. The follow-up then has no history to lean on, and says so.

The store is made unusable the blunt way: ``conversations.sqlite`` is a directory, so SQLite
cannot open it (SQLITE_CANTOPEN: not a damaged file, so nothing is moved aside).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from bot.conversations import FILENAME
from bot.discord.client import create_bot
from bot.service import NewsService
from bot.settings import Settings
from tests.adversarial import run_cli
from tests.conftest import HEADLINE, HEADLINE_QUOTE, copy_corpus
from tests.fake_discord import FakeDiscord, message_text

pytestmark = pytest.mark.timeout(90)


def unusable_store(data: Path) -> None:
    (data / FILENAME).mkdir(parents=True)


async def test_discord_answers_with_an_unusable_conversation_store(tmp_path: Path) -> None:
    # Failed before the fix: a reply to an answer got no answer at all (the lookup of the
    # answer's conversation raised before anything was sent), and a mention got its answer
    # followed by an error message (remembering the answer's conversation raised).
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    unusable_store(data)
    async with FakeDiscord() as fake:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            discord_token=fake.token,
            discord_api_base=fake.api_base,
            corpus_dir=corpus,
            data_dir=data,
            ask_cooldown_seconds=0,
            channel_cooldown_seconds=0,
            reindex_in_process=False,
        )
        service = NewsService(settings)
        await service.start()
        bot = create_bot(settings, service, guild_ready_timeout=0.05, sync_dev_guilds=False)
        ready = asyncio.Event()
        serving = asyncio.create_task(bot.serve(fake.token, ready_event=ready))
        try:
            await asyncio.wait_for(ready.wait(), 15)
            asked = await fake.send_message(HEADLINE, mentions=[fake.bot_user])
            first = await fake.wait_for_message(after=asked, timeout=15)
            assert HEADLINE_QUOTE in message_text(first)
            thread_id = int(first["channel_id"])

            # A reply to the answer, in the thread: answered.
            replied = await fake.send_message(
                "Who said that?", channel_id=thread_id, reply_to=first
            )
            second = await fake.wait_for_message(after=replied, timeout=15)
            assert "went wrong" not in message_text(second).lower()

            # A plain follow-up in the thread: answered.
            follow = await fake.send_message(HEADLINE, channel_id=thread_id)
            third = await fake.wait_for_message(after=follow, timeout=15)
            assert HEADLINE_QUOTE in message_text(third)

            # A DM: answered.
            sent = await fake.send_dm(HEADLINE)
            direct = await fake.wait_for_message(
                after=sent, channel_id=int(sent["channel_id"]), timeout=15
            )
            assert HEADLINE_QUOTE in message_text(direct)

            await asyncio.sleep(0.3)  # nothing else (an error reply) follows the answers
            texts = [
                message_text(m)
                for m in fake.messages_in(thread_id)
                if int(m["author"]["id"]) == fake.bot_user.id
            ]
            assert len(texts) == 3, texts
            assert not [t for t in texts if "went wrong" in t.lower()], texts
        finally:
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving
            await service.close()


async def test_chat_history_with_an_unusable_store_keeps_the_session(tmp_path: Path) -> None:
    # Failed before the fix: /history raised out of `newsbot chat` and ended the session.
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    first = await run_cli(["reindex"], corpus, data)
    assert first.returncode == 0, first
    unusable_store(data)
    proc = await asyncio.create_subprocess_exec(
        *_cli(),
        "chat",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_env(corpus, data),
    )
    lines = f"{HEADLINE}\n/history\n{HEADLINE}\n".encode()
    out, err = await asyncio.wait_for(proc.communicate(lines), 60)
    assert proc.returncode == 0, err.decode()
    assert out.decode().count(HEADLINE_QUOTE[:40]) == 2, out.decode()


def _cli() -> list[str]:
    import sys

    return [sys.executable, "-m", "bot"]


def _env(corpus: Path, data: Path) -> dict[str, str]:
    from tests.adversarial import cli_env

    return cli_env(corpus, data)


def test_a_locked_store_is_waited_for_once_then_skipped_for_a_while(tmp_path: Path) -> None:
    # Failed before the fix: with another process holding the store's write lock, every save
    # waited the full busy timeout (5 s) while holding the store, one after the other: 8
    # follow-ups at once over HTTP took 40 s, and blocked the worker threads every other read
    # (search, sources) needs meanwhile. Now the first waits (a short busy timeout), and the
    # ones after it go on without the store until BUSY_BACKOFF_SECONDS have passed.
    import sqlite3

    from bot.conversations import ConversationState, ConversationStore, StoreBusy

    path = tmp_path / FILENAME
    now = [1000.0]
    store = ConversationStore(path, monotonic=lambda: now[0])
    store.save("x", ConversationState(shown=(("a", 0, 5),)))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError):
            store.save("y", ConversationState())  # waits once, then gives up
        for _ in range(20):  # fail at once, without waiting for the lock again
            with pytest.raises(StoreBusy):
                store.save("y", ConversationState())
            with pytest.raises(StoreBusy):
                store.link(42, "y")
        # Reading goes on meanwhile (WAL: a writer elsewhere does not block readers).
        state = store.load("x")
        assert state is not None and state.shown == (("a", 0, 5),)
    finally:
        other.execute("ROLLBACK")
        other.close()
    now[0] += ConversationStore.BUSY_BACKOFF_SECONDS + 1
    store.save("y", ConversationState())  # tried again, and it works
    assert store.exists("y") and store.load("x") is not None
    store.close()
