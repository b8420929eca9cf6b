"""Shared pieces of the adversarial and fault tests: a real API over a real service, the real
``newsbot`` command in a subprocess, bulk corpora, and waiting with a deadline.

Everything runs on 127.0.0.1 servers the tests start, bounded in count and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

# One set of helpers for the fault suite (bench/faults.py) and these tests.
from bench.faults import AUTH, TOKEN, indexed_on_disk
from bench.faults import fault_settings as make_settings
from bot.http import HttpServer
from bot.metrics import Metrics
from bot.service import NewsService
from bot.settings import Settings

HEADLINE_ID = "belarus-china-increasing-ties"
__all__ = ["AUTH", "TOKEN", "indexed_on_disk", "make_settings"]


def write_bulk(corpus: Path, count: int, prefix: str = "bulk", sentences: int = 40) -> list[str]:
    """``count`` Markdown articles (a few passages each) that make a reindex take a while."""
    towns = ["Grodno", "Brest", "Vitebsk", "Gomel", "Mogilev", "Pinsk", "Lida", "Orsha"]
    ids = []
    for i in range(count):
        town = towns[i % len(towns)]
        body = " ".join(
            f"Officials in {town} opened bridge number {i} on Tuesday, the {j}th this decade."
            for j in range(sentences)
        )
        article_id = f"{prefix}-{i:05d}"
        (corpus / f"{article_id}.md").write_text(
            f"---\ntitle: Bridge {i} in {town}\n---\n\n{body}\n", encoding="utf-8"
        )
        ids.append(article_id)
    return ids


def article_md(article_id: str, title: str, text: str) -> str:
    return f"---\nid: {article_id}\ntitle: {title}\n---\n\n{text}\n"


@dataclass
class Api:
    base: str
    session: aiohttp.ClientSession

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.session.request(method, self.base + path, **kwargs) as response:
            raw = await response.read()
            try:
                return response.status, json.loads(raw)
            except ValueError:
                return response.status, raw

    async def article_ids(self) -> set[str]:
        status, body = await self.call("GET", "/api/articles")
        assert status == 200, body
        return {item["id"] for item in body}

    async def quoted_ids(self, question: str) -> set[str]:
        status, body = await self.call("GET", "/api/ask", params={"q": question})
        assert status == 200, body
        return {quote["source"]["article_id"] for quote in body["quotes"]}


@contextlib.asynccontextmanager
async def running_api(
    settings: Settings, *, long_running: bool = False, start: bool = True
) -> AsyncIterator[tuple[NewsService, Api, HttpServer]]:
    service = NewsService(settings)
    server = HttpServer(service, settings, metrics=Metrics())
    await server.start()
    try:
        if start:
            await service.start(long_running=long_running)
        async with aiohttp.ClientSession() as session:
            yield service, Api(server.url, session), server
    finally:
        await server.stop()
        await service.close()


def cli_env(corpus: Path, data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "DISCORD_"))}
    return env | {"NEWSBOT_CORPUS_DIR": str(corpus), "NEWSBOT_DATA_DIR": str(data)} | extra


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


async def run_cli(
    args: list[str], corpus: Path, data: Path, *, timeout: float = 60, **extra: str
) -> CliResult:
    """The real ``newsbot`` command in a subprocess, without blocking the event loop."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=cli_env(corpus, data, **extra),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return CliResult(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float, what: str, step: float = 0.05
) -> float:
    """Poll ``check`` until it is true; return how long that took. Fails after ``timeout``."""
    started = time.monotonic()
    while True:
        if await check():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(step)
