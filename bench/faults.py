"""The fault suite: kills, corruption, a full disk, a read-only corpus and concurrent writers.

``python -m bench.faults [--smoke] [--only NAME ...]`` runs each scenario against the real
``newsbot`` (HTTP API, CLI subprocesses, ``newsbot serve`` subprocesses killed with SIGKILL) on
127.0.0.1 and a temporary directory, and prints what it counted. The promise checked everywhere:
**no confirmed change is lost or revived** (a 200 from the API or exit 0 from the CLI), and an
index that cannot answer is never reported ready. The exit status is 1 when any count is wrong.

Scenarios:
- ``concurrent``: HTTP uploads and deletes, CLI adds and removes and HTTP reindexes, all at once,
  each on its own article; the index must then hold exactly what was confirmed (also after a
  restart).
- ``kill``: ``newsbot serve`` is SIGKILLed at a random moment of a reindex (with a write in
  flight); no process of it may survive, and the next start must hold every confirmed change
  and reindex the files that arrived meanwhile.
- ``corrupt``: a truncated ``store.sqlite``, a deleted ``tantivy/meta.json``, a garbled segment
  file, an emptied store: ``/readyz`` must never say ready while answers fail, and the writer
  must rebuild a correct index from the corpus.
- ``disk_full``: corpus and index on a small tmpfs filled up (root only; skipped otherwise): 507,
  no trace of the failed writes, nothing lost, and all is well once space is back.
- ``read_only``: the corpus dir mounted read-only: 503 for changes, answers unaffected.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent
TOKEN = "faults-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HEADLINE = "What did Lukashenko tell Li Zhanshu?"
HEADLINE_QUOTE = "Expanding ties with China"
HEADLINE_ID = "belarus-china-increasing-ties"
ORPHAN_GRACE_SECONDS = 5.0  # how long a killed server's children may take to exit
MARK_VAR = "NEWSBOT_FAULT_MARK"  # every process a scenario starts carries it (to find orphans)


# ---- material
def fresh_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for item in (REPO / "corpus").iterdir():
        if item.suffix in {".md", ".txt", ".html", ".jsonl"}:
            shutil.copy2(item, corpus / item.name)
    return corpus


def article_text(article_id: str, n: int, sentences: int = 30) -> str:
    towns = ["Grodno", "Brest", "Vitebsk", "Gomel", "Mogilev", "Pinsk", "Lida", "Orsha"]
    town = towns[n % len(towns)]
    body = " ".join(
        f"Officials in {town} opened bridge number {n} on Tuesday, the {j}th this decade."
        for j in range(sentences)
    )
    # The id is in the text too: articles of different batches never share a content hash
    # (the corpus reader would skip them as duplicates).
    return (
        f"---\nid: {article_id}\ntitle: Bridge {n} in {town} ({article_id})\n---\n\n"
        f"Report {article_id}. {body}\n"
    )


def write_articles(corpus: Path, prefix: str, count: int, sentences: int = 30) -> list[str]:
    ids = []
    for n in range(count):
        article_id = f"{prefix}-{n:05d}"
        (corpus / f"{article_id}.md").write_text(article_text(article_id, n, sentences))
        ids.append(article_id)
    return ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli_env(corpus: Path, data: Path, **extra: str) -> dict[str, str]:
    """This environment without any NEWSBOT_/DISCORD_ setting, on ``corpus`` and ``data``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "DISCORD_"))}
    return env | {"NEWSBOT_CORPUS_DIR": str(corpus), "NEWSBOT_DATA_DIR": str(data)} | extra


def base_env(corpus: Path, data: Path, **extra: str) -> dict[str, str]:
    """:func:`cli_env` for the suite's servers: its token, no rate limit, quick pickup."""
    return cli_env(corpus, data) | {
        "NEWSBOT_API_TOKEN": TOKEN,
        "NEWSBOT_API_RATE_PER_MINUTE": "1000000",
        "NEWSBOT_GENERATION_POLL_SECONDS": "0.2",
        "NEWSBOT_HTTP_HOST": "127.0.0.1",
        **extra,
    }


# ---- the real processes
async def request(
    session: aiohttp.ClientSession, method: str, url: str, **kwargs: Any
) -> tuple[int, Any]:
    """(status, the JSON body or the raw bytes when it is not JSON)."""
    async with session.request(method, url, **kwargs) as response:
        raw = await response.read()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw


@dataclass
class Client:
    base: str
    session: aiohttp.ClientSession

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        """(status, the JSON body or the raw bytes); (0, the error) when the request fails."""
        try:
            return await request(self.session, method, self.base + path, **kwargs)
        except (aiohttp.ClientError, OSError) as err:
            return 0, repr(err)

    async def ids(self) -> set[str] | None:
        status, body = await self.call("GET", "/api/articles")
        return {item["id"] for item in body} if status == 200 else None

    async def wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, _ = await self.call("GET", "/readyz")
            if status == 200:
                return True
            await asyncio.sleep(0.1)
        return False


@dataclass
class Serve:
    """A real ``newsbot serve`` subprocess on its own port."""

    corpus: Path
    data: Path
    mark: str = field(default_factory=lambda: uuid.uuid4().hex)
    extra: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = base_env(
            self.corpus,
            self.data,
            NEWSBOT_HTTP_PORT=str(self.port),
            **{MARK_VAR: self.mark},
            **self.extra,
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()


def marked_processes(mark: str) -> list[int]:
    """Pids of live processes started by a scenario (they carry its mark in their env)."""
    import psutil

    found = []
    for proc in psutil.process_iter(["pid"]):
        with contextlib.suppress(psutil.Error):
            if (
                proc.pid != os.getpid()
                and proc.environ().get(MARK_VAR) == mark
                and proc.status() != psutil.STATUS_ZOMBIE
            ):
                found.append(proc.pid)
    return found


def kill_pids(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@contextlib.asynccontextmanager
async def client(url: str) -> AsyncIterator[Client]:
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        yield Client(url, session)


async def cli(args: list[str], corpus: Path, data: Path, timeout: float = 120) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=base_env(corpus, data),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, (out + err).decode(errors="replace")


def indexed_on_disk(data: Path) -> set[str]:
    from index.engine import Engine

    engine = Engine.open(data)
    try:
        return {a.id for a in engine.articles()}
    finally:
        engine.close()


def upload_form(article_id: str, n: int) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", article_text(article_id, n, 8).encode(), filename=f"{article_id}.md")
    return form


# ---- concurrent writers
async def concurrent(work: Path, *, operations: int = 24, seed: int = 7) -> dict[str, Any]:
    """HTTP and CLI writers at once, each on its own article; nothing confirmed may be lost."""
    rng = random.Random(seed)
    corpus, data = fresh_corpus(work / "concurrent"), work / "concurrent-data"
    seeds = write_articles(corpus, "seed", operations)
    server = Serve(corpus, data)
    server.start()
    ops: list[tuple[str, str]] = []
    for n in range(operations):
        kind = ["http-add", "http-delete", "cli-add", "cli-remove", "http-reindex"][n % 5]
        ops.append((kind, f"new-{n:03d}" if kind.endswith("add") else seeds[n]))
    rng.shuffle(ops)
    confirmed_added: set[str] = set()
    confirmed_removed: set[str] = set()
    failures: list[str] = []
    started = time.perf_counter()
    try:
        async with client(server.url) as api:
            if not await api.wait_ready(60):
                return {"error": "the server did not become ready"}
            limit = asyncio.Semaphore(4)

            async def run(kind: str, target: str, n: int) -> None:
                async with limit:
                    await asyncio.sleep(rng.uniform(0, 0.3))
                    if kind == "http-add":
                        status, body = await api.call(
                            "POST", "/api/articles", data=upload_form(target, n), headers=AUTH
                        )
                        ok = status == 200
                    elif kind == "http-delete":
                        status, body = await api.call(
                            "DELETE", f"/api/articles/{target}", headers=AUTH
                        )
                        ok = status == 200
                    elif kind == "http-reindex":
                        status, body = await api.call("POST", "/api/reindex", headers=AUTH)
                        ok = status == 200
                    else:
                        path = work / f"{target}.md"
                        path.write_text(article_text(target, n, 8))
                        args = ["add", str(path)] if kind == "cli-add" else ["remove", target]
                        code, body = await cli(args, corpus, data)
                        ok = code == 0
                    if not ok:
                        failures.append(f"{kind} {target}: {str(body)[:200]}")
                    elif kind.endswith("add"):
                        confirmed_added.add(target)
                    elif kind in ("http-delete", "cli-remove"):
                        confirmed_removed.add(target)

            await asyncio.gather(*[run(kind, target, n) for n, (kind, target) in enumerate(ops)])
            expected = (set(seeds) | {HEADLINE_ID}) - confirmed_removed | confirmed_added
            deadline = time.monotonic() + 3
            served = await api.ids()
            while (
                served is not None
                and not expected <= served | set()
                and time.monotonic() < deadline
            ):
                await asyncio.sleep(0.1)
                served = await api.ids()
    finally:
        server.stop()
    on_disk = indexed_on_disk(data)
    seconds = time.perf_counter() - started
    tracked = set(seeds) | {f"new-{n:03d}" for n in range(operations)}
    lost = sorted(((expected - on_disk) | (expected - (served or set()))) & tracked)
    revived = sorted(((on_disk | (served or set())) - expected) & tracked)
    return {
        "operations": len(ops),
        "confirmed": len(confirmed_added) + len(confirmed_removed),
        "failed_requests": len(failures),
        "lost": len(lost),
        "revived": len(revived),
        "seconds": round(seconds, 1),
        "examples": (failures + [f"lost {x}" for x in lost] + [f"revived {x}" for x in revived])[
            :3
        ],
    }


# ---- SIGKILL mid-reindex
async def kill(work: Path, *, rounds: int = 3, batch: int = 300, seed: int = 11) -> dict[str, Any]:
    """Kill ``newsbot serve`` with SIGKILL during a reindex; check orphans and the restart."""
    rng = random.Random(seed)
    corpus, data = fresh_corpus(work / "kill"), work / "kill-data"
    confirmed: set[str] = {HEADLINE_ID}
    orphans = lost = missed = kills = alive_before = applied_later = 0
    exit_seconds: list[float] = []
    restart_seconds: list[float] = []
    examples: list[str] = []
    for round_no in range(rounds):
        server = Serve(corpus, data)
        server.start()
        try:
            async with client(server.url) as api:
                if not await api.wait_ready(120):
                    return {"error": f"round {round_no}: the server did not become ready"}
                dropped = write_articles(corpus, f"r{round_no}", batch)
                reindex = asyncio.create_task(api.call("POST", "/api/reindex", headers=AUTH))
                upload_id = f"up-{round_no}"
                upload = asyncio.create_task(
                    api.call(
                        "POST", "/api/articles", data=upload_form(upload_id, round_no), headers=AUTH
                    )
                )
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:  # kill it *during* the reindex
                    status, body = await api.call("GET", "/readyz")
                    if status == 200 and body.get("reindexing"):
                        break
                    await asyncio.sleep(0.02)
                await asyncio.sleep(rng.uniform(0.05, 0.4))
                alive_before = len(marked_processes(server.mark))
                server.kill()
                kills += 1
                unconfirmed: set[str] = set()
                for task, ids in ((reindex, set(dropped)), (upload, {upload_id})):
                    status, _ = await task
                    if status == 200:
                        confirmed |= ids
                    elif task is upload:
                        unconfirmed = ids  # killed before its pass published: must leave no trace
        finally:
            server.kill()
        # Its children (reindex child, analysis workers, forkserver) must notice that their
        # parent is gone and exit; a few seconds of grace for a loaded machine.
        gone_after = time.monotonic()
        survivors = marked_processes(server.mark)
        while survivors and time.monotonic() - gone_after < ORPHAN_GRACE_SECONDS:
            await asyncio.sleep(0.1)
            survivors = marked_processes(server.mark)
        exit_seconds.append(time.monotonic() - gone_after)
        if survivors:
            orphans += len(survivors)
            examples.append(f"round {round_no}: {len(survivors)} processes outlived the kill")
            kill_pids(survivors)
        # Restart: every confirmed change is there at once; the dropped files soon after.
        server = Serve(corpus, data)
        server.start()
        started = time.monotonic()
        try:
            async with client(server.url) as api:
                if not await api.wait_ready(120):
                    return {"error": f"round {round_no}: no restart"}
                served = await api.ids() or set()
                if not confirmed <= served:
                    lost += len(confirmed - served)
                    examples.append(f"round {round_no}: lost {sorted(confirmed - served)[:3]}")
                on_corpus = set(dropped) | {HEADLINE_ID}
                deadline = time.monotonic() + 120
                while not on_corpus <= served and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)
                    served = await api.ids() or set()
                restart_seconds.append(time.monotonic() - started)
                if not on_corpus <= served:
                    missed += len(on_corpus - served)
                    examples.append(f"round {round_no}: start-up never indexed the dropped files")
                if unconfirmed & served:
                    applied_later += len(unconfirmed & served)
                    examples.append(f"round {round_no}: an unconfirmed upload was indexed later")
                confirmed |= on_corpus
        finally:
            server.stop()
            kill_pids(marked_processes(server.mark))
    return {
        "kills": kills,
        "processes_at_kill": alive_before,
        "articles": len(confirmed),
        "orphaned_processes": orphans,
        "children_gone_after_s_max": round(max(exit_seconds), 2) if exit_seconds else None,
        "lost": lost,
        "not_reconciled": missed,
        "unconfirmed_applied_later": applied_later,
        "restart_to_caught_up_s_median": round(
            sorted(restart_seconds)[len(restart_seconds) // 2], 2
        )
        if restart_seconds
        else None,
        "examples": examples[:3],
    }


# ---- corruption
def _store_files(gen: Path) -> list[Path]:
    """The passage store of a generation: ``store.sqlite``, or its ``seg-*.sqlite`` segments."""
    return sorted(gen.glob("seg-*.sqlite")) or [gen / "store.sqlite"]


def _private(path: Path) -> None:
    """Files may be hard links shared with other generations: corrupt a private copy."""
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data)


def _truncate_store(gen: Path) -> None:
    for store in _store_files(gen):
        _private(store)
        with open(store, "r+b") as fh:
            fh.truncate(store.stat().st_size // 3)


def _delete_meta(gen: Path) -> None:
    (gen / "tantivy" / "meta.json").unlink()


def _garble_segment(gen: Path) -> None:
    for path in sorted((gen / "tantivy").glob("*.idx")):
        size = path.stat().st_size
        path.unlink()
        path.write_bytes(bytes(random.Random(size).randrange(256) for _ in range(size)))


def _empty_store(gen: Path) -> None:
    import sqlite3

    for store in _store_files(gen):
        _private(store)
        conn = sqlite3.connect(store)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            conn.execute(f'DELETE FROM "{table}"')
        conn.commit()
        conn.close()


CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "truncated_store": _truncate_store,
    "deleted_tantivy_meta": _delete_meta,
    "garbled_segment": _garble_segment,
    "emptied_store": _empty_store,
}


def fault_settings(corpus: Path, data: Path, **overrides: Any) -> Any:
    """Settings for a service under test: loopback, this file's token, no rate limit to speak
    of, and a quick eye on new generations (the adversarial tests use them too)."""
    from bot.settings import Settings

    values: dict[str, Any] = {
        "corpus_dir": corpus,
        "data_dir": data,
        "http_host": "127.0.0.1",
        "http_port": 0,
        "api_token": TOKEN,
        "api_rate_per_minute": 1_000_000,
        "generation_poll_seconds": 0.2,
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


async def corrupt_one(
    work: Path, name: str, *, timeout: float = 60, fail_fast: bool = False
) -> dict[str, Any]:
    """Corrupt the live generation one way, start the writer (in this process), and watch.
    ``fail_fast`` stops at the first answer that fails while ready (for tests)."""
    from bot.http import HttpServer
    from bot.metrics import Metrics
    from bot.service import NewsService
    from index.store import read_current

    root = work / f"corrupt-{name}"
    corpus, data = fresh_corpus(root), root / "data"
    write_articles(corpus, "c", 20, sentences=10)
    builder = NewsService(
        fault_settings(corpus, data)
    )  # built as the bot builds it (with its stamp)
    await builder.start()
    await builder.close()
    expected = indexed_on_disk(data)
    gen = read_current(data)
    assert gen is not None
    CORRUPTIONS[name](gen)
    settings = fault_settings(corpus, data)
    service = NewsService(settings)
    server = HttpServer(service, settings, metrics=Metrics())
    await server.start()
    ready_while_broken = 0
    recovered_after: float | None = None
    started = time.monotonic()
    starting = asyncio.create_task(service.start(long_running=True))
    try:
        async with client(server.url) as api:
            while time.monotonic() - started < timeout:
                status, _ = await api.call("GET", "/readyz")
                if status == 200:
                    ask_status, answer = await api.call("GET", "/api/ask", params={"q": HEADLINE})
                    good = ask_status == 200 and any(
                        HEADLINE_QUOTE in q["text"] for q in answer.get("quotes", [])
                    )
                    if not good:
                        ready_while_broken += 1
                        if fail_fast:
                            break
                        await api.call("POST", "/api/reindex", headers=AUTH)  # an admin repairs
                    elif await api.ids() == expected:
                        recovered_after = time.monotonic() - started
                        break
                await asyncio.sleep(0.1)
    finally:
        with contextlib.suppress(Exception):
            await starting
        await server.stop()
        await service.close()
    return {
        "ready_while_broken": ready_while_broken,
        "recovered_s": round(recovered_after, 2) if recovered_after is not None else None,
    }


async def corrupt(
    work: Path, *, names: list[str] | None = None, timeout: float = 60
) -> dict[str, Any]:
    results = {
        name: await corrupt_one(work, name, timeout=timeout) for name in names or list(CORRUPTIONS)
    }
    return {
        "cases": len(results),
        "ready_while_broken": sum(r["ready_while_broken"] for r in results.values()),
        "not_recovered": sorted(n for n, r in results.items() if r["recovered_s"] is None),
        "per_case": results,
    }


# ---- a full disk, a read-only corpus
@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path | None]:
    """A small tmpfs at ``where`` (root only); None when it cannot be mounted."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        yield None
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        yield None
        return
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill_up(folder: Path, leave: int) -> Path:
    """Fill the filesystem of ``folder`` until ENOSPC, then free ``leave`` bytes."""
    filler = folder / f".filler-{uuid.uuid4().hex[:8]}"
    block = b"\0" * 4096
    with open(filler, "wb", buffering=0) as fh, contextlib.suppress(OSError):
        while True:
            fh.write(block)
    size = filler.stat().st_size
    with open(filler, "r+b") as fh:
        fh.truncate(max(0, size - leave))
    return filler


def corpus_state(corpus: Path) -> dict[str, bytes]:
    return {
        p.relative_to(corpus).as_posix(): p.read_bytes()
        for p in sorted(corpus.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


@contextlib.asynccontextmanager
async def in_process_api(corpus: Path, data: Path, **overrides: Any) -> AsyncIterator[Client]:
    """The real API over the real service, in this process (faster than a subprocess)."""
    from bot.http import HttpServer
    from bot.metrics import Metrics
    from bot.service import NewsService

    settings = fault_settings(corpus, data, **overrides)
    service = NewsService(settings)
    server = HttpServer(service, settings, metrics=Metrics())
    await server.start()
    try:
        await service.start()
        async with client(server.url) as api:
            yield api
    finally:
        await server.stop()
        await service.close()


async def _answers(api: Client) -> bool:
    status, answer = await api.call("GET", "/api/ask", params={"q": HEADLINE})
    return status == 200 and any(HEADLINE_QUOTE in q["text"] for q in answer.get("quotes", []))


def _one_line(output: str) -> bool:
    return len(output.strip().splitlines()) == 1 and "Traceback" not in output


async def disk_full(work: Path) -> dict[str, Any]:
    """Corpus and index on a small tmpfs, filled up. Each change either succeeds (200, and it is
    kept) or is refused with 507 and leaves no trace; answers keep coming."""
    with tmpfs(work / "full", "6m") as fs:
        if fs is None:
            return {"skipped": "needs root to mount a small tmpfs (run as root to include it)"}
        corpus, data = fresh_corpus(fs), fs / "data"
        write_articles(corpus, "f", 10, sentences=10)
        statuses: dict[str, Any] = {}
        added: set[str] = set()
        removed: set[str] = set()
        async with in_process_api(corpus, data) as api:
            before_ids, before_corpus = await api.ids() or set(), corpus_state(corpus)

            async def upload(name: str, n: int) -> None:
                status, _ = await api.call(
                    "POST", "/api/articles", data=upload_form(name, n), headers=AUTH
                )
                statuses[f"upload {name}"] = status
                if status == 200:
                    added.add(name)

            async def delete(name: str) -> None:
                status, _ = await api.call("DELETE", f"/api/articles/{name}", headers=AUTH)
                statuses[f"delete {name}"] = status
                if status == 200:
                    removed.add(name)

            # One free page: a corpus file fits, a new generation does not.
            filler = fill_up(fs, leave=4096)
            await upload("full-1", 1)
            await delete("f-00000")
            statuses["reindex"] = (await api.call("POST", "/api/reindex", headers=AUTH))[0]
            more = fill_up(fs, leave=0)  # not a byte left
            await upload("full-2", 2)
            await delete("f-00001")
            code, output = await cli(["remove", "f-00002"], corpus, data)
            statuses["cli remove f-00002"] = code
            cli_message = output.strip()
            answered_while_full = await _answers(api)
            corpus_while_full = corpus_state(corpus)
            more.unlink()
            filler.unlink()
            statuses["reindex after"] = (await api.call("POST", "/api/reindex", headers=AUTH))[0]
            after_ids = await api.ids() or set()
        expected_ids = (before_ids - removed) | added
        expected_files = {k for k in before_corpus if k.removesuffix(".md") not in removed} | {
            f"{name}.md" for name in added
        }
        refused = [k for k, v in statuses.items() if v in (507, 2)]
        return {
            "statuses": statuses,
            "wrong_statuses": sorted(
                k
                for k, v in statuses.items()
                if v not in (200, 507, 2) or (k in ("upload full-2", "delete f-00001") and v != 507)
            ),
            "refused_by_a_failed_reindex": [
                k for k in refused if k.endswith(("full-1", "f-00000", "reindex"))
            ],
            "cli_one_line_exit_2": statuses["cli remove f-00002"] == 2 and _one_line(cli_message),
            "cli_message": cli_message[:160],
            "answered_while_full": answered_while_full,
            "trace_left": set(corpus_while_full) != expected_files,
            "lost": sorted(expected_ids - after_ids),
            "revived_or_added": sorted(after_ids - expected_ids),
        }


async def read_only(work: Path) -> dict[str, Any]:
    """The corpus dir read-only: 503 for changes, answers and reindexes unaffected."""
    root = work / "ro"
    with tmpfs(root / "mnt", "8m") as fs:
        corpus = fresh_corpus(fs or root)
        if fs is not None:
            done = subprocess.run(["mount", "-o", "remount,ro", str(fs)], capture_output=True)
            if done.returncode != 0:
                return {"skipped": "could not remount the tmpfs read-only"}
        elif os.geteuid() == 0:
            return {"skipped": "root ignores permissions and could not mount a tmpfs"}
        else:
            corpus.chmod(0o555)
        try:
            before = corpus_state(corpus)
            async with in_process_api(corpus, root / "data") as api:
                statuses = {
                    "upload": (
                        await api.call(
                            "POST", "/api/articles", data=upload_form("ro-1", 1), headers=AUTH
                        )
                    )[0],
                    "delete": (
                        await api.call("DELETE", f"/api/articles/{HEADLINE_ID}", headers=AUTH)
                    )[0],
                    "reindex": (await api.call("POST", "/api/reindex", headers=AUTH))[0],
                }
                story = root / "ro-2.md"
                story.write_text(article_text("ro-2", 2, 5))
                code, output = await cli(["add", str(story)], corpus, root / "data")
                answered = await _answers(api)
                ids = await api.ids() or set()
        finally:
            if fs is None:
                corpus.chmod(0o755)
        expected = {"upload": 503, "delete": 503, "reindex": 200}
        return {
            "statuses": statuses,
            "wrong_statuses": sorted(k for k, v in expected.items() if statuses[k] != v),
            "cli_one_line_exit_2": code == 2 and _one_line(output) and "read-only" in output,
            "cli_message": output.strip()[:160],
            "answered": answered,
            "still_indexed": HEADLINE_ID in ids,
            "trace_left": corpus_state(corpus) != before,
        }


# ---- the report
def violations(name: str, result: dict[str, Any]) -> list[str]:
    """What broke a promise in ``result`` (empty: all kept)."""
    if "error" in result:
        return [result["error"]]
    if "skipped" in result:
        return []
    checks: dict[str, list[str]] = {
        "concurrent": ["lost", "revived", "failed_requests"],
        "kill": ["orphaned_processes", "lost", "not_reconciled", "unconfirmed_applied_later"],
        "corrupt": ["ready_while_broken", "not_recovered"],
        "disk_full": ["wrong_statuses", "trace_left", "lost", "revived_or_added"],
        "read_only": ["wrong_statuses", "trace_left"],
    }
    out = [f"{key}={result[key]}" for key in checks[name] if result.get(key)]
    if name == "disk_full" and not result.get("refused_by_a_failed_reindex"):
        out.append("no change was refused by a failed reindex (the disk was not full enough)")
    for key in ("cli_one_line_exit_2", "answered_while_full", "answered", "still_indexed"):
        if key in result and not result[key]:
            out.append(f"{key} is false")
    return out


SCENARIOS = ("concurrent", "kill", "corrupt", "disk_full", "read_only")


async def run(names: list[str], smoke: bool, work: Path) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name in names:
        started = time.perf_counter()
        if name == "concurrent":
            results[name] = await concurrent(work, operations=10 if smoke else 60)
        elif name == "kill":
            results[name] = await kill(work, rounds=1 if smoke else 5, batch=400 if smoke else 1500)
        elif name == "corrupt":
            results[name] = await corrupt(work, timeout=15 if smoke else 60)
        elif name == "disk_full":
            results[name] = await disk_full(work)
        else:
            results[name] = await read_only(work)
        results[name]["scenario_seconds"] = round(time.perf_counter() - started, 1)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes, about a minute")
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsbot-faults-") as tmp:
        results = asyncio.run(run(args.only, args.smoke, Path(tmp)))
    broken = 0
    for name, result in results.items():
        problems = violations(name, result)
        broken += len(problems)
        print(f"{name}: {'OK' if not problems else 'BROKEN: ' + '; '.join(problems)}")
        for key, value in result.items():
            print(f"  {key:>32}: {value}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
