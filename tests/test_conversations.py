"""Conversation state (bot/conversations.py): bounded, expiring, on disk, one turn at a time."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from bot.conversations import (
    FILENAME,
    MAX_SHOWN,
    MAX_TURNS,
    Conversations,
    ConversationState,
    ConversationStore,
)
from bot.service import NewsService
from bot.settings import Settings
from index.errors import BadInput
from index.models import Quote, Source, Turn
from tests.conftest import HEADLINE, HEADLINE_QUOTE_2, HEADLINE_TITLE


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def quote(n: int) -> Quote:
    source = Source(article_id="a", title="A")
    return Quote(
        text=f"q{n}", start=n * 10, end=n * 10 + 5, passage_id="a:0", score=1, source=source
    )


def turn(n: int) -> Turn:
    return Turn(asked=f"question {n}", read_as=f"question {n}", quotes=(quote(n),), at=n)


def test_state_keeps_the_last_turns_and_the_quotes_shown() -> None:
    state = ConversationState()
    for n in range(MAX_SHOWN + 5):
        state = state.after(turn(n))
    assert len(state.turns) == MAX_TURNS
    assert state.turns[-1].asked == f"question {MAX_SHOWN + 4}"
    assert len(state.shown) == MAX_SHOWN
    assert state.shown[-1] == ("a", (MAX_SHOWN + 4) * 10, (MAX_SHOWN + 4) * 10 + 5)


def test_store_survives_reopening_and_expires_after_a_day(tmp_path: Path) -> None:
    clock = Clock()
    store = ConversationStore(tmp_path / FILENAME, clock=clock)
    store.save("discord:thread:1", ConversationState().after(turn(1)))
    store.link(555, "discord:thread:1")
    store.close()
    reopened = ConversationStore(tmp_path / FILENAME, clock=clock)  # a restart
    state = reopened.load("discord:thread:1")
    assert state is not None and state.turns[0].asked == "question 1"
    assert reopened.key_of(555) == "discord:thread:1"
    clock.now += 24 * 3600 + 1
    assert reopened.load("discord:thread:1") is None
    assert reopened.key_of(555) is None
    reopened.save("other", ConversationState())  # a write sweeps what expired
    assert reopened.count() == 1
    reopened.close()


def test_store_keeps_at_most_the_most_recent_conversations(tmp_path: Path) -> None:
    clock = Clock()
    store = ConversationStore(tmp_path / FILENAME, clock=clock, max_conversations=3)
    for n in range(5):
        clock.now += 1
        store.save(f"k{n}", ConversationState())
    assert store.count() == 3
    assert store.load("k0") is None and store.load("k4") is not None
    store.close()


def test_a_damaged_store_is_set_aside_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / FILENAME
    path.write_bytes(b"this is not a database" * 100)
    store = ConversationStore(path)
    assert store.load("x") is None
    store.save("x", ConversationState())
    assert store.load("x") is not None
    assert any(p.name.startswith(FILENAME + ".damaged-") for p in tmp_path.iterdir())
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM conversations").fetchone() == (1,)


def test_a_full_disk_keeps_the_store_and_its_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transient error (disk full, locked, read-only) is not damage: nothing is set aside."""
    path = tmp_path / FILENAME
    store = ConversationStore(path)
    store.save("x", ConversationState(shown=(("a", 0, 5),)))
    store.close()
    real_open = ConversationStore._open

    def full(self: ConversationStore) -> sqlite3.Connection:
        err = sqlite3.OperationalError("database or disk is full")
        err.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
        raise err

    monkeypatch.setattr(ConversationStore, "_open", full)
    store = ConversationStore(path)
    with pytest.raises(sqlite3.OperationalError):
        store.load("x")
    assert [p.name for p in tmp_path.iterdir() if ".damaged-" in p.name] == []
    monkeypatch.setattr(ConversationStore, "_open", real_open)
    state = store.load("x")
    assert state is not None and state.shown == (("a", 0, 5),)
    store.close()


def test_public_ids_are_checked() -> None:
    assert Conversations.check_id(Conversations.new_id())
    for bad in ["", "short", "../../etc", "discord:thread:1", "x" * 65]:
        with pytest.raises(BadInput, match="conversation_id"):
            Conversations.check_id(bad)


@pytest.fixture
async def service(corpus_dir: Path, data_dir: Path) -> NewsService:
    settings = Settings(corpus_dir=corpus_dir, data_dir=data_dir, reindex_in_process=False)
    service = NewsService(settings)
    service.today = lambda: date(2024, 3, 15)
    await service.start()
    yield service  # type: ignore[misc]
    await service.close()


async def test_service_answers_follow_ups_and_a_new_service_remembers(
    service: NewsService, corpus_dir: Path, data_dir: Path
) -> None:
    first = await service.ask(HEADLINE, conversation="cli:test")
    assert first.conversation_id == "cli:test"
    more = await service.ask("What else did he say?", conversation="cli:test")
    assert more.read_as == "What else did Lukashenko say?"
    assert HEADLINE_QUOTE_2 in more.quotes[0].text
    alone = await service.ask("What else did he say?")  # no conversation: nothing to go on
    assert not alone.answered and alone.conversation_id is None
    await service.close()

    again = NewsService(service.settings)  # a restart
    await again.start()
    try:
        where = await again.ask("Where is that from?", conversation="cli:test")
        assert where.reply is not None and HEADLINE_TITLE in where.reply
        other = await again.ask("Where is that from?", conversation="cli:other")
        assert not other.answered and "no earlier answer" in (other.reason or "")
    finally:
        await again.close()


async def test_questions_in_one_conversation_are_answered_in_order(service: NewsService) -> None:
    # Sent together, the follow-up must still see the first answer: one turn at a time.
    first, second = await asyncio.gather(
        service.ask(HEADLINE, conversation="cli:race"),
        service.ask("Who said that?", conversation="cli:race"),
    )
    assert first.answered and second.kind == "speaker"
    assert second.reply is not None and second.reply.startswith("Lukashenko")
    history = await service.conversations.history("cli:race")
    assert [t.asked for t in history] == [HEADLINE, "Who said that?"]


async def test_a_store_that_fails_never_costs_the_answer(
    service: NewsService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(ConversationStore, "save", broken)
    monkeypatch.setattr(ConversationStore, "load", broken)
    answer = await service.ask(HEADLINE, conversation="cli:broken")
    assert answer.answered and answer.conversation_id == "cli:broken"
