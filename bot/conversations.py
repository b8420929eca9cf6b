"""Conversations: the last few turns of each one, kept in the data dir so a restart forgets nothing.

A conversation is named by a key the adapter chooses (``discord:thread:ID``, ``discord:dm:ID``,
``discord:chain:ID``, ``http:ID``, ``cli:ID``); namespacing by adapter means an HTTP client can
never read a Discord thread's turns by guessing its key. What is kept is small and bounded:

- the last :data:`MAX_TURNS` turns (question, how it was read, the person, the quotes shown);
- the spans of the last :data:`MAX_SHOWN` quotes shown, so "more" never repeats one;
- for Discord, which bot message belongs to which conversation (a reply to an answer continues
  it), :data:`MAX_MESSAGES` at most.

A conversation idle for :data:`TTL_SECONDS` (24 h) is forgotten; beyond :data:`MAX_CONVERSATIONS`
the least recently used go first. The store is SQLite (stdlib; atomic commits, safe across the
bot and a CLI sharing a data dir). It is disposable: a damaged file is moved aside and a fresh
one started, never a reason to stop answering.

Concurrency: questions in one conversation are answered one at a time (an asyncio lock per key),
so the second sees the first's turn; different conversations run side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from index.errors import BadInput
from index.followup import answer_reading, read_followup, turn_of
from index.models import Answer, Turn

if TYPE_CHECKING:
    from index.engine import Engine

log = logging.getLogger(__name__)

FILENAME = "conversations.sqlite"
MAX_TURNS = 6
MAX_SHOWN = 100
TTL_SECONDS = 24 * 3600
MAX_CONVERSATIONS = 10_000
MAX_MESSAGES = 50_000
_PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


# Only these mean the file itself is bad; any other error leaves it where it is.
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
# Another connection holds the lock (the primary result codes, also of the extended ones).
_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


class ConversationState(BaseModel):
    model_config = ConfigDict(frozen=True)

    turns: tuple[Turn, ...] = ()
    shown: tuple[tuple[str, int, int], ...] = ()

    def after(self, turn: Turn) -> ConversationState:
        shown = self.shown + tuple((q.source.article_id, q.start, q.end) for q in turn.quotes)
        return ConversationState(
            turns=(*self.turns, turn)[-MAX_TURNS:], shown=tuple(dict.fromkeys(shown))[-MAX_SHOWN:]
        )


class StoreBusy(sqlite3.OperationalError):
    """The store was locked by another process a moment ago; not tried again for a while."""


class ConversationStore:
    """The SQLite file; every method is blocking (call it off the event loop).

    Locked by another process (a ``newsbot chat`` mid-write, an operator's ``sqlite3`` shell, a
    backup), a call waits at most BUSY_TIMEOUT_SECONDS, and for BUSY_BACKOFF_SECONDS after that
    every call fails at once (StoreBusy) instead of waiting again: answers go on without the
    store rather than queueing behind it one timeout after another."""

    BUSY_TIMEOUT_SECONDS = 1.0  # our own writes take milliseconds
    BUSY_BACKOFF_SECONDS = 10.0

    def __init__(
        self,
        path: Path,
        *,
        ttl_seconds: float = TTL_SECONDS,
        max_conversations: int = MAX_CONVERSATIONS,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.ttl = ttl_seconds
        self.max_conversations = max_conversations
        self.clock = clock
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._busy_until: dict[str, float] = {}

    @contextlib.contextmanager
    def _using(self, kind: str = "read") -> Iterator[sqlite3.Connection]:
        """The connection, for one call, under the store's lock. A call that found the store
        locked makes the calls of its kind (reads, writes) fail at once for a while: in WAL
        mode reads usually go on while another process holds the write lock."""
        with self._lock:
            if self._monotonic() < self._busy_until.get(kind, float("-inf")):
                raise StoreBusy(
                    f"conversation store {self.path} is busy (locked by another process)"
                )
            try:
                yield self._conn()
            except sqlite3.OperationalError as err:
                if (getattr(err, "sqlite_errorcode", 0) or 0) & 0xFF in _BUSY:
                    self._busy_until[kind] = self._monotonic() + self.BUSY_BACKOFF_SECONDS
                raise

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self._db = self._open()
            except sqlite3.DatabaseError as err:
                if getattr(err, "sqlite_errorcode", None) not in _DAMAGED:
                    raise  # disk full, locked, read-only: transient, and the history is intact
                aside = self.path.with_name(f"{self.path.name}.damaged-{int(time.time())}")
                log.warning(
                    "conversation store %s unreadable (%s); moved to %s", self.path, err, aside
                )
                self.path.replace(aside)
                self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=self.BUSY_TIMEOUT_SECONDS, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(
                """
                CREATE TABLE IF NOT EXISTS conversations (
                    key TEXT PRIMARY KEY, updated REAL NOT NULL, state TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS conversations_updated ON conversations(updated);
                CREATE TABLE IF NOT EXISTS messages (
                    message TEXT PRIMARY KEY, key TEXT NOT NULL, at REAL NOT NULL);
                CREATE INDEX IF NOT EXISTS messages_at ON messages(at);
                """
            )
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def load(self, key: str) -> ConversationState | None:
        """The conversation's state, or None when there is none (or it expired)."""
        with self._using() as db:
            row = db.execute(
                "SELECT state FROM conversations WHERE key = ? AND updated >= ?",
                (key, self.clock() - self.ttl),
            ).fetchone()
        if row is None:
            return None
        try:
            return ConversationState.model_validate_json(row[0])
        except (ValidationError, ValueError):
            log.warning("conversation %s has an unreadable state; starting it afresh", key)
            return None

    def save(self, key: str, state: ConversationState) -> None:
        now = self.clock()
        with self._using("write") as db, db:
            db.execute(
                "INSERT INTO conversations (key, updated, state) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET updated = excluded.updated, state = excluded.state",
                (key, now, state.model_dump_json()),
            )
            self._sweep(db, now)

    def link(self, message_id: int | str, key: str) -> None:
        """Remember that a bot message belongs to ``key`` (a reply to it continues it)."""
        with self._using("write") as db, db:
            db.execute(
                "INSERT OR REPLACE INTO messages (message, key, at) VALUES (?, ?, ?)",
                (str(message_id), key, self.clock()),
            )

    def key_of(self, message_id: int | str) -> str | None:
        with self._using() as db:
            row = db.execute(
                "SELECT key FROM messages WHERE message = ? AND at >= ?",
                (str(message_id), self.clock() - self.ttl),
            ).fetchone()
        return row[0] if row else None

    def exists(self, key: str) -> bool:
        return self.load(key) is not None

    def count(self) -> int:
        with self._using() as db:
            return int(db.execute("SELECT COUNT(*) FROM conversations").fetchone()[0])

    def _sweep(self, db: sqlite3.Connection, now: float) -> None:
        cutoff = now - self.ttl
        db.execute("DELETE FROM conversations WHERE updated < ?", (cutoff,))
        db.execute("DELETE FROM messages WHERE at < ?", (cutoff,))
        for table, column, cap in (
            ("conversations", "updated", self.max_conversations),
            ("messages", "at", MAX_MESSAGES),
        ):
            db.execute(
                f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} "
                f"ORDER BY {column} DESC LIMIT -1 OFFSET ?)",
                (cap,),
            )


class Conversations:
    """Answers questions inside conversations: the async face of the store."""

    def __init__(self, data_dir: Path, *, ttl_seconds: float = TTL_SECONDS) -> None:
        self.store = ConversationStore(Path(data_dir) / FILENAME, ttl_seconds=ttl_seconds)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @staticmethod
    def new_id() -> str:
        """A fresh public conversation id (unguessable, URL-safe)."""
        return secrets.token_urlsafe(12)

    @staticmethod
    def check_id(public_id: str) -> str:
        if not _PUBLIC_ID.fullmatch(public_id):
            raise BadInput(
                "conversation_id must be the id an earlier answer returned "
                "(8-64 letters, digits, - or _)."
            )
        return public_id

    async def ask(
        self, engine: Engine, question: str, k: int, key: str | None, today: date
    ) -> Answer:
        """Answer ``question`` as the next turn of conversation ``key`` (None: a lone question)."""
        if key is None:
            return await asyncio.to_thread(_answer, engine, question, k, None, today)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            return await asyncio.to_thread(_answer, engine, question, k, (self.store, key), today)

    # The store is a help, never a reason not to answer: when it cannot be used (locked, full,
    # read-only, unopenable) these say "nothing known" and the caller answers without it.
    async def link(self, message_id: int | str, key: str) -> None:
        await _tolerant(self.store.link, None, "remember an answer of", key, message_id, key)

    async def key_of(self, message_id: int | str) -> str | None:
        return await _tolerant(self.store.key_of, None, "look up", str(message_id), message_id)

    async def exists(self, key: str) -> bool:
        return await _tolerant(self.store.exists, False, "look up", key, key)

    async def history(self, key: str) -> tuple[Turn, ...]:
        state = await _tolerant(self.store.load, None, "read", key, key)
        return state.turns if state is not None else ()

    def close(self) -> None:
        self.store.close()


T = TypeVar("T")


async def _tolerant(call: Callable[..., T], fallback: T, doing: str, key: str, *args: object) -> T:
    """``call(*args)`` off the loop; ``fallback`` (and a warning) when the store fails."""
    try:
        return await asyncio.to_thread(call, *args)
    except (sqlite3.Error, OSError) as err:
        log.warning("could not %s conversation %s (%s); going on without it", doing, key, err)
        return fallback


def _answer(
    engine: Engine,
    question: str,
    k: int,
    where: tuple[ConversationStore, str] | None,
    today: date,
) -> Answer:
    state = ConversationState()
    if where is not None:
        try:
            state = where[0].load(where[1]) or state
        except (sqlite3.Error, OSError) as err:  # state is a help, never a reason not to answer
            # One line, no traceback: a full disk or a locked file is the operator's to fix, and
            # it would otherwise print two tracebacks per question.
            log.warning(
                "conversation %s could not be read (%s); answering without it", where[1], err
            )
    reading = read_followup(question, state.turns, today)
    answer = answer_reading(engine, reading, k, shown=frozenset(state.shown))
    if where is None:
        return answer
    store, key = where
    try:
        store.save(key, state.after(turn_of(reading, answer, store.clock())))
    except (sqlite3.Error, OSError) as err:
        log.warning("conversation %s could not be saved (%s); the answer stands", key, err)
    return answer.model_copy(update={"conversation_id": key})
