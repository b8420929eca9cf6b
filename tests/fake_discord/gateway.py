"""The gateway websocket: HELLO, IDENTIFY/READY, heartbeats, RESUME, dispatch with intents.

Frames are compressed the way the client asked in the URL (``compress=zlib-stream``: one zlib
stream for the whole connection, every frame ending in a Z_SYNC_FLUSH ``00 00 ff ff``), so the
real discord.py decompressor is exercised.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .world import World

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE_UPDATE, VOICE_STATE = 0, 1, 2, 3, 4
RESUME, RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
GUILD_MESSAGE_TYPING = 1 << 11
DIRECT_MESSAGES = 1 << 12
DIRECT_MESSAGE_REACTIONS = 1 << 13
DIRECT_MESSAGE_TYPING = 1 << 14
MESSAGE_CONTENT = 1 << 15
PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
ALL_INTENTS = (1 << 26) - 1

BACKLOG = 1000


def required_intent(event: str, data: dict[str, Any]) -> int:
    """The intent a client must have asked for to receive ``event`` (0: always sent)."""
    in_guild = bool(data.get("guild_id"))
    if event.startswith("MESSAGE_REACTION_"):
        return GUILD_MESSAGE_REACTIONS if in_guild else DIRECT_MESSAGE_REACTIONS
    if event.startswith("MESSAGE_"):
        return GUILD_MESSAGES if in_guild else DIRECT_MESSAGES
    if event == "TYPING_START":
        return GUILD_MESSAGE_TYPING if in_guild else DIRECT_MESSAGE_TYPING
    if event.startswith("GUILD_MEMBER_") and event != "GUILD_MEMBERS_CHUNK":
        return GUILD_MEMBERS
    if event == "THREAD_MEMBERS_UPDATE":
        return GUILD_MEMBERS
    if event == "PRESENCE_UPDATE":
        return GUILD_PRESENCES
    if event.startswith(("GUILD_", "CHANNEL_", "THREAD_")) and event != "GUILD_MEMBERS_CHUNK":
        return GUILDS
    return 0


def strip_content(message: dict[str, Any]) -> dict[str, Any]:
    """What Discord sends a client without the MESSAGE_CONTENT intent."""
    stripped = dict(message)
    stripped.update(content="", embeds=[], attachments=[], components=[])
    stripped.pop("poll", None)
    return stripped


def _zstd_block_encoder() -> Callable[[bytes], bytes] | None:
    """One zstd stream flushed per frame, from whichever zstd module discord.py also found."""
    try:
        import zstandard
    except ImportError:
        pass
    else:
        stream = zstandard.ZstdCompressor().compressobj()
        flush = zstandard.COMPRESSOBJ_FLUSH_BLOCK
        return lambda data: stream.compress(data) + stream.flush(flush)
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+
    except ImportError:
        return None
    compressor = zstd.ZstdCompressor()
    mode = zstd.ZstdCompressor.FLUSH_BLOCK
    return lambda data: compressor.compress(data, mode=mode)


class _Compressor:
    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        self._encode: Callable[[bytes], bytes] | None = None
        if kind == "zlib-stream":
            stream = zlib.compressobj()
            self._encode = lambda data: stream.compress(data) + stream.flush(zlib.Z_SYNC_FLUSH)
        elif kind == "zstd-stream":
            self._encode = _zstd_block_encoder()

    @property
    def available(self) -> bool:
        return self.kind is None or self._encode is not None

    def encode(self, text: str) -> bytes | str:
        if self._encode is None:
            return text
        return self._encode(text.encode())


@dataclass
class GatewaySession:
    """What survives a dropped connection and makes RESUME possible."""

    session_id: str
    user_id: int
    intents: int
    shard: tuple[int, int]
    identify: dict[str, Any]
    seq: int = 0
    backlog: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=BACKLOG))
    connection: GatewayConnection | None = None
    resumable: bool = True
    ready_sent: bool = False
    presence: dict[str, Any] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def wants(self, event: str, data: dict[str, Any], guild_id: int | None) -> bool:
        needed = required_intent(event, data)
        if needed and not self.intents & needed:
            return False
        shard_id, shard_count = self.shard
        home = 0 if guild_id is None else (guild_id >> 22) % shard_count
        return home == shard_id

    def shape(self, event: str, data: dict[str, Any], bot_id: int) -> dict[str, Any]:
        if event not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or self.intents & MESSAGE_CONTENT:
            return data
        if not data.get("guild_id"):
            return data  # DMs always carry content
        if int(data.get("author", {}).get("id", 0)) == bot_id:
            return data
        if any(int(m["id"]) == bot_id for m in data.get("mentions", [])):
            return data
        return strip_content(data)

    async def send_dispatch(self, event: str, data: dict[str, Any]) -> None:
        async with self.lock:
            self.seq += 1
            frame = json.dumps({"op": DISPATCH, "t": event, "s": self.seq, "d": data})
            self.backlog.append((self.seq, frame))
            if self.connection is not None:
                await self.connection.send_text(frame)


class GatewayConnection:
    """One websocket; a session attaches to it after IDENTIFY or RESUME."""

    def __init__(self, gateway: Gateway, ws: web.WebSocketResponse, compress: str | None) -> None:
        self.gateway = gateway
        self.ws = ws
        self.compressor = _Compressor(compress)
        self.session: GatewaySession | None = None
        self.heartbeats = 0
        self.close_code: int | None = None
        self.client_close_code: int | None = None
        self._send_lock = asyncio.Lock()

    async def send_text(self, frame: str) -> None:
        if self.ws.closed:
            return
        async with self._send_lock:
            encoded = self.compressor.encode(frame)
            try:
                if isinstance(encoded, bytes):
                    await self.ws.send_bytes(encoded)
                else:
                    await self.ws.send_str(encoded)
            except (ConnectionResetError, RuntimeError):
                log.debug("gateway send after close ignored")

    async def send_op(self, op: int, data: Any) -> None:
        await self.send_text(json.dumps({"op": op, "d": data, "s": None, "t": None}))

    async def close(self, code: int, message: str = "") -> None:
        self.close_code = code
        await self.ws.close(code=code, message=message.encode())

    async def serve(self) -> None:
        await self.send_op(
            HELLO,
            {
                "heartbeat_interval": int(self.gateway.heartbeat_interval * 1000),
                "_trace": ['["fake-gateway",{"micros":0}]'],
            },
        )
        async for msg in self.ws:
            if msg.type is not WSMsgType.TEXT:
                if msg.type is WSMsgType.BINARY:
                    await self.close(4002, "Error while decoding payload.")
                    break
                continue
            try:
                payload = json.loads(msg.data)
                op = payload["op"]
            except (ValueError, KeyError, TypeError):
                await self.close(4002, "Error while decoding payload.")
                break
            await self.handle(op, payload.get("d"))
            if self.ws.closed:
                break
        if self.close_code is None:
            self.client_close_code = self.ws.close_code

    async def handle(self, op: int, data: Any) -> None:
        if op == HEARTBEAT:
            self.heartbeats += 1
            await self.send_op(HEARTBEAT_ACK, None)
            self.gateway.notify()
            return
        if op == IDENTIFY:
            await self.gateway.identify(self, data or {})
            return
        if op == RESUME:
            await self.gateway.resume(self, data or {})
            return
        if self.session is None:
            await self.close(4003, "Not authenticated.")
            return
        if op == PRESENCE_UPDATE:
            self.session.presence = data
            self.gateway.notify()
        elif op == REQUEST_MEMBERS:
            await self.gateway.request_members(self.session, data or {})
        elif op == VOICE_STATE:
            pass
        else:
            await self.close(4001, "Unknown opcode.")


class Gateway:
    """All sessions of all clients connected to one fake."""

    def __init__(
        self,
        world: World,
        *,
        heartbeat_interval: float,
        allowed_intents: int,
        gateway_url: Callable[[], str],
        notify: Callable[[], None],
    ) -> None:
        self.world = world
        self.heartbeat_interval = heartbeat_interval
        self.allowed_intents = allowed_intents
        self.gateway_url = gateway_url
        self.notify = notify
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[GatewayConnection] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- aiohttp handler
    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        compress = request.query.get("compress")
        encoding = request.query.get("encoding", "json")
        connection = GatewayConnection(self, ws, compress)
        self.connections.append(connection)
        self.notify()
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            if encoding != "json":
                await connection.close(4002, "Only encoding=json is supported by the fake.")
            elif compress not in (None, "zlib-stream", "zstd-stream"):
                await connection.close(4002, f"Unsupported compression {compress!r}.")
            elif not connection.compressor.available:
                await connection.close(4002, f"No module for {compress!r} in this environment.")
            else:
                await connection.serve()
        finally:
            if task is not None:
                self._tasks.discard(task)
            self._detach(connection)
            self.notify()
        return ws

    def _detach(self, connection: GatewayConnection) -> None:
        session = connection.session
        if session is not None and session.connection is connection:
            session.connection = None
            # A client that closes with 1000/1001 ends its session, as on Discord.
            if connection.client_close_code in (1000, 1001):
                session.resumable = False

    # --- opcodes
    async def identify(self, connection: GatewayConnection, data: dict[str, Any]) -> None:
        if connection.session is not None:
            await connection.close(4005, "Already authenticated.")
            return
        if data.get("token") != self.world.token:
            await connection.close(4004, "Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0 or intents > ALL_INTENTS:
            await connection.close(4013, "Invalid intent(s).")
            return
        if intents & PRIVILEGED & ~self.allowed_intents:
            await connection.close(4014, "Disallowed intent(s).")
            return
        shard = data.get("shard") or [0, 1]
        shard_id, shard_count = int(shard[0]), int(shard[1])
        if shard_count < 1 or not 0 <= shard_id < shard_count:
            await connection.close(4010, "Invalid shard.")
            return
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            user_id=self.world.bot.id,
            intents=intents,
            shard=(shard_id, shard_count),
            identify={k: v for k, v in data.items() if k != "token"},
            presence=data.get("presence"),
        )
        self.sessions[session.session_id] = session
        session.connection = connection
        connection.session = session
        world = self.world
        in_shard = (world.guild_id >> 22) % shard_count == shard_id
        ready = {
            "v": 10,
            "user": {
                **world.bot.to_payload(),
                "verified": True,
                "mfa_enabled": False,
                "email": None,
            },
            "user_settings": {},
            "guilds": [{"id": str(world.guild_id), "unavailable": True}] if in_shard else [],
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake-region"],
            "session_type": "normal",
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url(),
            "shard": [shard_id, shard_count],
            "application": {"id": str(world.application_id), "flags": world.application_flags},
            "auth": {},
            "_trace": ['["fake-gateway",{"micros":0}]'],
        }
        await session.send_dispatch("READY", ready)
        if in_shard:
            await session.send_dispatch("GUILD_CREATE", world.guild_create_payload())
        session.ready_sent = True
        self.notify()

    async def resume(self, connection: GatewayConnection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if data.get("token") != self.world.token:
            await connection.close(4004, "Authentication failed.")
            return
        if session is None or not session.resumable or session.connection is not None:
            await connection.send_op(INVALID_SESSION, False)
            return
        last_seq = data.get("seq") or 0
        async with session.lock:
            session.connection = connection
            connection.session = session
            for seq, frame in list(session.backlog):
                if seq > last_seq:
                    await connection.send_text(frame)
            session.seq += 1
            await connection.send_text(
                json.dumps({"op": DISPATCH, "t": "RESUMED", "s": session.seq, "d": {}})
            )
        self.notify()

    async def request_members(self, session: GatewaySession, data: dict[str, Any]) -> None:
        world = self.world
        members = list(world.members.values())
        user_ids = data.get("user_ids")
        not_found: list[str] = []
        if user_ids:
            wanted = {int(u) for u in ([user_ids] if isinstance(user_ids, int | str) else user_ids)}
            not_found = [str(u) for u in wanted if u not in world.members]
            members = [m for m in members if m.user.id in wanted]
        else:
            query = (data.get("query") or "").lower()
            members = [
                m
                for m in members
                if m.user.username.lower().startswith(query)
                or (m.nick or "").lower().startswith(query)
            ]
            limit = int(data.get("limit") or 0)
            if limit:
                members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(world.guild_id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": not_found,
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        if data.get("presences"):
            chunk["presences"] = []
        await session.send_dispatch("GUILD_MEMBERS_CHUNK", chunk)

    # --- dispatch from the fake
    def live_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.connection is not None and s.ready_sent]

    async def dispatch(self, event: str, data: dict[str, Any], *, guild_id: int | None) -> int:
        """Send ``event`` to every session that asked for it; returns how many got it."""
        sent = 0
        for session in list(self.sessions.values()):
            if not session.ready_sent or not (session.connection or session.resumable):
                continue
            if not session.wants(event, data, guild_id):
                continue
            await session.send_dispatch(event, session.shape(event, data, self.world.bot.id))
            sent += session.connection is not None
        return sent

    async def send_op_all(self, op: int, data: Any) -> None:
        for session in self.live_sessions():
            if session.connection is not None:
                await session.connection.send_op(op, data)

    async def close_all(self, code: int, message: str = "") -> None:
        for connection in list(self.connections):
            if not connection.ws.closed:
                with contextlib.suppress(Exception):
                    await connection.close(code, message)

    async def shutdown(self) -> None:
        await self.close_all(1001, "fake Discord shutting down")
        tasks = [t for t in self._tasks if not t.done()]
        if tasks:
            await asyncio.wait(tasks, timeout=2.0)
