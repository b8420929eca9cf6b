"""Shared pieces of the adversarial and fault tests: a real API over a real service, the real
``newsbot`` command in a subprocess, bulk corpora, and waiting with a deadline.

Everything runs on 127.0.0.1 servers the tests start, bounded in count and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

# One set of helpers for the fault suite (bench/faults.py) and these tests.
from bench.faults import AUTH, TOKEN, Client, cli_env, indexed_on_disk, request
from bench.faults import fault_settings as make_settings
from bench.load import write_articles
from bot.http import HttpServer
from bot.metrics import Metrics
from bot.service import NewsService
from bot.settings import Settings

HEADLINE_ID = "belarus-china-increasing-ties"
__all__ = ["AUTH", "TOKEN", "cli_env", "indexed_on_disk", "make_settings"]


def write_bulk(corpus: Path, count: int, prefix: str = "bulk", sentences: int = 40) -> list[str]:
    """``count`` Markdown articles (a few passages each) that make a reindex take a while."""
    return write_articles(corpus, count, prefix=prefix, sentences=sentences)


def article_md(article_id: str, title: str, text: str) -> str:
    return f"---\nid: {article_id}\ntitle: {title}\n---\n\n{text}\n"


class Api(Client):
    """The suite's client, but a failed request raises (a test wants to see it)."""

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        return await request(self.session, method, self.base + path, **kwargs)

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
