"""Load during a live reindex: many HTTP clients ask while the index is rebuilt and swapped.

``python -m bench.load [--clients 32] [--articles 400] [--smoke]`` starts the real HTTP API (aiohttp)
over the real service on 127.0.0.1, on the bundled corpus plus ``--articles`` generated ones,
measures ask latency idle, then drops as many new articles into the corpus and runs a reindex
while every client keeps asking. The clients ask varied questions (each walks the same shuffled
list of distinct questions from its own place: users rarely repeat one), and every answer is
checked: the headline question must get the headline quote, a question about bridge N a quote
about bridge N. It reports the requests, the errors (any other answer counts as one), and p50/p99
idle and during the reindex, as a ratio. All traffic stays on loopback and is bounded in count
and time.

``--replicas N`` (issue 11): one writer ``newsbot serve`` and N read-only ``newsbot serve``
processes (``NEWSBOT_READ_ONLY``) on one data dir. The clients ask varied questions (one per
article, each once where possible) spread over the replicas; the writer reindexes with new
articles; the run reports the errors and how long after the writer's reindex returned each
replica was answering from the new generation.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
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
TOWNS = ("Grodno", "Brest", "Vitebsk", "Gomel", "Mogilev", "Pinsk", "Lida", "Orsha")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def write_articles(
    corpus: Path, count: int, start: int = 0, *, prefix: str = "load", sentences: int = 40
) -> list[str]:
    """Articles ``start`` to ``count - 1`` as Markdown files ``PREFIX-NNNNN.md`` (bridge N opened
    in a town, ``sentences`` times over: a few passages each); their ids."""
    ids = []
    for i in range(start, count):
        town = TOWNS[i % len(TOWNS)]
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


def expected_text(question: str) -> str | None:
    """What the first quote of an answer to ``question`` must hold, when the question says."""
    if question == HEADLINE:
        return EXPECTED
    number = re.fullmatch(r"Which town opened bridge number (\d+)\?", question)
    return f"bridge number {number.group(1)} on" if number else None


async def client_loop(
    session: aiohttp.ClientSession,
    servers: list[str],
    questions: list[str],
    offset: int,
    until: asyncio.Event,
    tally: Tally,
    *,
    check_answers: bool,
) -> None:
    """Ask until ``until``: the questions from ``offset`` on, spread over ``servers`` (base
    URLs). Anything but a 200 is an error; with ``check_answers``, so is a first quote without
    the text the question expects (:func:`expected_text`)."""
    n = offset
    while not until.is_set():
        server = servers[n % len(servers)]
        question = questions[n % len(questions)]
        n += 7  # clients walk the questions in different orders
        expected = expected_text(question) if check_answers else None
        started = time.perf_counter()
        try:
            async with session.get(f"{server}/api/ask", params={"q": question}) as response:
                body = await response.json()
                ok = response.status == 200 and (
                    expected is None or expected in body["quotes"][0]["text"]
                )
                if not ok:
                    tally.errors.append(
                        f"{server} {question!r} {response.status}: {str(body)[:120]}"
                    )
        except (aiohttp.ClientError, OSError, KeyError, IndexError, ValueError) as err:
            tally.errors.append(f"{server}: {err!r}")
        tally.latencies.append(time.perf_counter() - started)


async def measure(args: argparse.Namespace) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="newsbot-load-"))
    corpus = work / "corpus"
    shutil.copytree(REPO / "corpus", corpus, ignore=shutil.ignore_patterns("__*"))
    write_articles(corpus, args.articles)
    questions = varied_questions(args.articles, random.Random(args.seed))
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
    try:
        connector = aiohttp.TCPConnector(limit=args.clients)
        async with aiohttp.ClientSession(connector=connector) as session:
            idle, during = Tally(), Tally()
            stop = asyncio.Event()
            clients = [
                asyncio.create_task(
                    client_loop(session, [server.url], questions, i, stop, idle, check_answers=True)
                )
                for i in range(args.clients)
            ]
            await asyncio.sleep(args.idle_seconds)
            stop.set()
            await asyncio.gather(*clients)

            write_articles(corpus, args.articles * 2, start=args.articles)  # as many again
            stop = asyncio.Event()
            clients = [
                asyncio.create_task(
                    client_loop(
                        session, [server.url], questions, i, stop, during, check_answers=True
                    )
                )
                for i in range(args.clients)
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
        "distinct_questions": len(questions),
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


def varied_questions(count: int, rng: random.Random) -> list[str]:
    """Distinct questions over the bundled and the generated articles."""
    made = [f"Which town opened bridge number {i}?" for i in range(count)]
    made += [f"What did officials in {town} open on Tuesday?" for town in TOWNS]
    made += [HEADLINE, "Who is Li Zhanshu?", "What did Lukashenko say about China?"]
    rng.shuffle(made)
    return made


async def replicas_run(
    *, replicas: int, clients: int, articles: int, idle_seconds: float, seed: int = 5
) -> dict[str, object]:
    """One writer and ``replicas`` read-only servers on one data dir (real subprocesses)."""
    from bench.faults import AUTH, Client, Serve, fresh_corpus, kill_pids, marked_processes

    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="newsbot-replicas-"))
    corpus, data = fresh_corpus(work), work / "data"
    write_articles(corpus, articles)
    writer = Serve(corpus, data)
    readers = [Serve(corpus, data, extra={"NEWSBOT_READ_ONLY": "true"}) for _ in range(replicas)]
    writer.start()
    started: list[Serve] = [writer]
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
            admin = Client(writer.url, session)
            if not await admin.wait_ready(120):
                raise RuntimeError("the writer did not become ready")
            for reader in readers:
                reader.start()
                started.append(reader)
            for reader in readers:
                if not await Client(reader.url, session).wait_ready(60):
                    raise RuntimeError("a replica did not become ready")
            urls = [r.url for r in readers]
            questions = varied_questions(articles, rng)
            idle, during = Tally(), Tally()
            stop = asyncio.Event()
            tasks = [
                asyncio.create_task(
                    client_loop(session, urls, questions, i, stop, idle, check_answers=False)
                )
                for i in range(clients)
            ]
            await asyncio.sleep(idle_seconds)
            stop.set()
            await asyncio.gather(*tasks)

            write_articles(corpus, articles * 2, start=articles)  # as many again
            newest = f"load-{articles * 2 - 1:05d}"
            stop = asyncio.Event()
            tasks = [
                asyncio.create_task(
                    client_loop(session, urls, questions, i, stop, during, check_answers=False)
                )
                for i in range(clients)
            ]
            began = time.perf_counter()
            status, body = await admin.call("POST", "/api/reindex", headers=AUTH)
            published = time.perf_counter()
            if status != 200:
                raise RuntimeError(f"the reindex failed: {status} {body}")

            async def pickup(url: str) -> float:
                replica = Client(url, session)
                while time.perf_counter() - published < 30:
                    ids = await replica.ids()
                    if ids is not None and newest in ids:
                        return time.perf_counter() - published
                    await asyncio.sleep(0.02)
                return float("inf")

            lags = await asyncio.gather(*[pickup(url) for url in urls])
            await asyncio.sleep(0.5)
            stop.set()
            await asyncio.gather(*tasks)
    finally:
        for server in started:
            server.stop()
            kill_pids(marked_processes(server.mark))
        shutil.rmtree(work, ignore_errors=True)
    idle_p99 = percentile(idle.latencies, 99)
    during_p99 = percentile(during.latencies, 99)
    return {
        "replicas": replicas,
        "clients": clients,
        "distinct_questions": len(questions),
        "articles_added": articles,
        "reindex_seconds": round(published - began, 2),
        "requests_idle": len(idle.latencies),
        "requests_during_reindex": len(during.latencies),
        "errors": len(idle.errors) + len(during.errors),
        "pickup_seconds_after_reindex": [round(x, 2) for x in lags],
        "p99_ms_idle": round(idle_p99 * 1000, 2),
        "p99_ms_during": round(during_p99 * 1000, 2),
        "first_errors": (idle.errors + during.errors)[:3],  # type: ignore[dict-item]
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=5, help="the order of the questions")
    parser.add_argument("--smoke", action="store_true", help="8 clients, 60 articles")
    parser.add_argument(
        "--replicas", type=int, default=0, help="N read-only servers + 1 writer (subprocesses)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.clients, args.articles, args.idle_seconds = 8, 60, 0.5
    if args.replicas:
        result = asyncio.run(
            replicas_run(
                replicas=args.replicas,
                clients=args.clients,
                articles=args.articles,
                idle_seconds=args.idle_seconds,
                seed=args.seed,
            )
        )
        ok = result["errors"] == 0 and max(result["pickup_seconds_after_reindex"]) <= 2.0  # type: ignore[type-var,arg-type]
    else:
        result = asyncio.run(measure(args))
        ok = result["errors"] == 0
    for key, value in result.items():
        print(f"{key:>28}: {value}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
