"""Load during a live reindex: many HTTP clients ask while the index is rebuilt and swapped.

``python -m bench.load [--clients 32] [--articles 400] [--smoke]`` starts the real HTTP API (aiohttp)
over the real service on 127.0.0.1, measures ask latency idle, then drops new articles into the
corpus and runs a reindex while every client keeps asking the headline question. It reports the
requests, the errors (anything but a 200 with the headline quote counts as one), and p50/p99 idle
and during the reindex, as a ratio. All traffic stays on loopback and is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.common import percentile
from bot.http.app import HttpServer
from bot.service import NewsService
from bot.settings import Settings

REPO = Path(__file__).resolve().parent.parent
HEADLINE = "What did Lukashenko tell Li Zhanshu?"
EXPECTED = "Expanding ties with China"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def write_articles(corpus: Path, count: int) -> None:
    towns = ["Grodno", "Brest", "Vitebsk", "Gomel", "Mogilev", "Pinsk", "Lida", "Orsha"]
    for i in range(count):
        town = towns[i % len(towns)]
        body = " ".join(
            f"Officials in {town} opened bridge number {i} on Tuesday, the {j}th this decade."
            for j in range(40)
        )
        (corpus / f"load-{i:05d}.md").write_text(
            f"---\ntitle: Bridge {i} in {town}\n---\n\n{body}\n"
        )


async def client_loop(
    session: aiohttp.ClientSession, url: str, until: asyncio.Event, tally: Tally
) -> None:
    while not until.is_set():
        started = time.perf_counter()
        try:
            async with session.get(url, params={"q": HEADLINE}) as response:
                body = await response.json()
                ok = response.status == 200 and EXPECTED in body["quotes"][0]["text"]
                if not ok:
                    tally.errors.append(f"{response.status}: {str(body)[:120]}")
        except (aiohttp.ClientError, KeyError, IndexError, ValueError) as err:
            tally.errors.append(repr(err))
        tally.latencies.append(time.perf_counter() - started)


async def measure(args: argparse.Namespace) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="newsbot-load-"))
    corpus = work / "corpus"
    shutil.copytree(REPO / "corpus", corpus, ignore=shutil.ignore_patterns("__*"))
    settings = Settings(
        corpus_dir=corpus,
        data_dir=work / "data",
        http_port=0,
        api_rate_per_minute=10**9,  # the limiter is tested elsewhere; here we want every request
        _env_file=None,  # type: ignore[call-arg]
    )
    service = NewsService(settings)
    await service.start()
    server = HttpServer(service, settings)
    await server.start()
    url = f"{server.url}/api/ask"
    try:
        connector = aiohttp.TCPConnector(limit=args.clients)
        async with aiohttp.ClientSession(connector=connector) as session:
            idle, during = Tally(), Tally()
            stop = asyncio.Event()
            clients = [
                asyncio.create_task(client_loop(session, url, stop, idle))
                for _ in range(args.clients)
            ]
            await asyncio.sleep(args.idle_seconds)
            stop.set()
            await asyncio.gather(*clients)

            write_articles(corpus, args.articles)
            stop = asyncio.Event()
            clients = [
                asyncio.create_task(client_loop(session, url, stop, during))
                for _ in range(args.clients)
            ]
            started = time.perf_counter()
            report = await service.reindex()
            reindex_seconds = time.perf_counter() - started
            stop.set()
            await asyncio.gather(*clients)
    finally:
        await server.stop()
        await service.close()
        shutil.rmtree(work, ignore_errors=True)

    idle_p99 = percentile(idle.latencies, 99)
    during_p99 = percentile(during.latencies, 99)
    return {
        "clients": args.clients,
        "articles_added": len(report.added),
        "reindex_seconds": round(reindex_seconds, 2),
        "requests_idle": len(idle.latencies),
        "requests_during_reindex": len(during.latencies),
        "errors": len(idle.errors) + len(during.errors),
        "p50_ms_idle": round(percentile(idle.latencies, 50) * 1000, 2),
        "p99_ms_idle": round(idle_p99 * 1000, 2),
        "p50_ms_during": round(percentile(during.latencies, 50) * 1000, 2),
        "p99_ms_during": round(during_p99 * 1000, 2),
        "p99_ratio": round(during_p99 / idle_p99, 2) if idle_p99 else float("nan"),
        "first_errors": (idle.errors + during.errors)[:3],  # type: ignore[dict-item]
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    parser.add_argument("--smoke", action="store_true", help="8 clients, 60 articles")
    args = parser.parse_args(argv)
    if args.smoke:
        args.clients, args.articles, args.idle_seconds = 8, 60, 0.5
    result = asyncio.run(measure(args))
    for key, value in result.items():
        print(f"{key:>24}: {value}")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
