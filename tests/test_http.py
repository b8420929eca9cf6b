"""The HTTP API over a real aiohttp server on 127.0.0.1 and a real NewsService on a corpus copy."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.http import HttpServer, HttpStartError, run_http
from bot.http.healthcheck import main as healthcheck_main
from bot.http.ratelimit import RateLimiter
from bot.metrics import Metrics
from bot.service import NewsService
from bot.settings import Settings
from index.errors import Busy
from index.models import Answer
from tests.conftest import HEADLINE, HEADLINE_QUOTE, HEADLINE_TITLE, local_pages

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAX_BODY = 64_000
MAX_UPLOAD = 32_000

NEW_ARTICLE = """---
title: Valdoria Opens a Ferry Terminal
author: Mira Tolvanen
publisher: Harbour Gazette
published: 2024-03-04
---

The harbour authority of Valdoria opened the new ferry terminal on Monday. "The terminal doubles the number of crossings we can run each day," said harbour master Ilse Brandt.

The terminal cost forty million euros and took three years to build.
"""


def make_settings(corpus_dir: Path, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "corpus_dir": corpus_dir,
        "data_dir": data_dir,
        "engine": "rank-bm25",
        "http_host": "127.0.0.1",
        "http_port": 0,
        "api_token": TOKEN,
        "api_rate_per_minute": 10_000,
        "max_body_bytes": MAX_BODY,
        "max_upload_bytes": MAX_UPLOAD,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class Api:
    """A client for one running server."""

    def __init__(self, server: HttpServer, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.session = session
        self.base = server.url

    async def request(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any, Any]:
        async with self.session.request(method, self.base + path, **kwargs) as response:
            body = await response.read()
            content_type = response.headers.get("Content-Type", "")
            data = json.loads(body) if content_type.startswith("application/json") else body
            return response.status, data, response.headers

    async def get(self, path: str, **kwargs: Any) -> tuple[int, Any, Any]:
        return await self.request("GET", path, **kwargs)


@contextlib.asynccontextmanager
async def serving(service: Any, settings: Settings, **kwargs: Any) -> AsyncIterator[Api]:
    server = HttpServer(service, settings, metrics=kwargs.pop("metrics", Metrics()), **kwargs)
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield Api(server, session)
    finally:
        await server.stop()


@pytest.fixture
def settings(corpus_dir: Path, data_dir: Path) -> Settings:
    return make_settings(corpus_dir, data_dir)


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[NewsService]:
    svc = NewsService(settings)
    await svc.start()
    try:
        yield svc
    finally:
        await svc.close()


@pytest.fixture
async def api(service: NewsService, settings: Settings) -> AsyncIterator[Api]:
    async with serving(service, settings) as client:
        yield client


def upload(name: str, text: str | bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    data = text.encode() if isinstance(text, str) else text
    form.add_field("file", data, filename=name, content_type="text/markdown")
    return form


def corpus_snapshot(corpus_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(corpus_dir.iterdir()) if p.is_file()}


# ---- probes
async def test_readyz_fails_until_the_index_is_loaded_then_passes(settings: Settings) -> None:
    service = NewsService(settings)
    try:
        async with serving(service, settings) as api:
            status, body, _ = await api.get("/healthz")
            assert (status, body) == (200, {"status": "ok"})
            status, body, _ = await api.get("/readyz")
            assert status == 503 and "not loaded" in body["error"]
            status, body, headers = await api.get("/api/ask", params={"q": HEADLINE})
            assert status == 503 and headers["Retry-After"] == "5" and "Not ready" in body["error"]

            await service.open_without_build()  # an engine with nothing built yet
            status, body, _ = await api.get("/readyz")
            assert status == 503 and "no usable index (no index yet)" in body["error"]

            await service.start()
            status, body, _ = await api.get("/readyz")
            assert status == 200 and body["status"] == "ready"
            status, body, _ = await api.get("/api/ask", params={"q": HEADLINE})
            assert status == 200 and body["answered"]
    finally:
        await service.close()


async def test_readyz_waits_for_the_discord_readiness(
    service: NewsService, settings: Settings
) -> None:
    gateway = asyncio.Event()
    async with serving(service, settings, readiness=gateway) as api:
        status, body, _ = await api.get("/readyz")
        assert status == 503 and "Discord" in body["error"]
        gateway.set()
        assert (await api.get("/readyz"))[0] == 200

    connected = False
    async with serving(service, settings, readiness=lambda: connected) as api:
        assert (await api.get("/readyz"))[0] == 503
        connected = True
        assert (await api.get("/readyz"))[0] == 200


# ---- reading
async def test_ask_returns_the_headline_quote_as_the_cli_json(
    api: Api, service: NewsService
) -> None:
    status, body, headers = await api.get("/api/ask", params={"q": HEADLINE})
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert body["answered"] is True and body["question"] == HEADLINE
    quote = body["quotes"][0]
    assert HEADLINE_QUOTE in quote["text"]
    assert "Expanding ties with China" in quote["text"]
    assert quote["source"]["title"] == HEADLINE_TITLE
    # Exactly the model the CLI's --json prints.
    # (Plus the conversation it opened, for a follow-up: see test_http_conversation.py.)
    conversation_id = body.pop("conversation_id")
    assert Answer.model_validate(body) == await service.ask(HEADLINE)
    assert body == (await service.ask(HEADLINE)).model_dump(
        mode="json", exclude={"conversation_id"}
    )
    assert conversation_id

    status, body, _ = await api.get("/api/ask", params={"q": HEADLINE, "k": "1"})
    assert status == 200 and len(body["quotes"]) == 1


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({}, "empty"),
        ({"q": "   "}, "empty"),
        ({"q": "x" * 1001}, "limit"),
        ({"q": HEADLINE, "k": "0"}, "'k' must be"),
        ({"q": HEADLINE, "k": "many"}, "'k' must be"),
    ],
)
async def test_ask_bad_input_is_400_with_a_reason(
    api: Api, params: dict[str, str], needle: str
) -> None:
    status, body, _ = await api.get("/api/ask", params=params)
    assert status == 400
    assert set(body) == {"error"} and needle in body["error"]


async def test_search_ranks_passages_and_checks_the_limit(api: Api) -> None:
    status, hits, _ = await api.get("/api/search", params={"q": "Belarus China ties"})
    assert status == 200 and 1 <= len(hits) <= 10
    assert all({"passage_id", "score", "text", "source"} <= set(hit) for hit in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)

    status, hits, _ = await api.get("/api/search", params={"q": "Belarus", "limit": "1"})
    assert status == 200 and len(hits) == 1
    for bad in ("0", "51", "ten"):
        status, body, _ = await api.get("/api/search", params={"q": "Belarus", "limit": bad})
        assert status == 400 and "limit" in body["error"]


async def test_articles_are_paged_on_request(api: Api, corpus_dir: Path) -> None:
    status, everything, headers = await api.get("/api/articles")
    assert status == 200 and headers["X-Total-Count"] == str(len(everything)) == "2"
    assert "Link" not in headers
    status, first, headers = await api.get("/api/articles", params={"limit": "1"})
    assert status == 200 and first == everything[:1] and headers["X-Total-Count"] == "2"
    assert headers["Link"] == '</api/articles?limit=1&offset=1>; rel="next"'
    status, second, headers = await api.get("/api/articles", params={"limit": 1, "offset": 1})
    assert status == 200 and second == everything[1:] and "Link" not in headers
    status, beyond, _ = await api.get("/api/articles", params={"offset": 5})
    assert status == 200 and beyond == []
    for name, bad in (("limit", "0"), ("limit", "10001"), ("offset", "-1"), ("offset", "x")):
        status, body, _ = await api.get("/api/articles", params={name: bad})
        assert status == 400 and f"'{name}'" in body["error"]


async def test_articles_and_sources(api: Api, corpus_dir: Path) -> None:
    status, articles, _ = await api.get("/api/articles")
    assert status == 200
    ids = {a["id"] for a in articles}
    assert ids == {p.stem for p in corpus_dir.glob("*.md")}

    article_id = next(a["id"] for a in articles if a["title"] == HEADLINE_TITLE)
    status, view, _ = await api.get(f"/api/sources/{article_id}")
    assert status == 200 and view["kind"] == "article" and view["article"]["id"] == article_id
    assert view["passage_ids"]

    passage_id = view["passage_ids"][0]
    status, view, _ = await api.get(f"/api/sources/{passage_id}")
    assert status == 200 and view["kind"] == "passage"
    assert view["passage"]["passage"]["id"] == passage_id

    status, body, _ = await api.get("/api/sources/no-such-article")
    assert status == 404 and "no-such-article" in body["error"]


# ---- admin
async def test_add_file_then_ask_then_delete(api: Api, corpus_dir: Path) -> None:
    status, results, _ = await api.request(
        "POST", "/api/articles", data=upload("valdoria-ferry.md", NEW_ARTICLE), headers=AUTH
    )
    assert status == 200, results
    assert [r["status"] for r in results] == ["added"]
    new_id = results[0]["article"]["id"]
    assert results[0]["article"]["title"] == "Valdoria Opens a Ferry Terminal"
    assert any(new_id in p.name for p in corpus_dir.iterdir())

    status, answer, _ = await api.get("/api/ask", params={"q": "What did Ilse Brandt say?"})
    assert status == 200 and answer["answered"]
    assert "doubles the number of crossings" in answer["quotes"][0]["text"]
    assert answer["quotes"][0]["source"]["article_id"] == new_id

    # Uploading the same file again changes nothing.
    status, results, _ = await api.request(
        "POST", "/api/articles", data=upload("valdoria-ferry.md", NEW_ARTICLE), headers=AUTH
    )
    assert status == 200 and [r["status"] for r in results] == ["unchanged"]

    status, report, _ = await api.request("DELETE", f"/api/articles/{new_id}", headers=AUTH)
    assert status == 200 and new_id in report["removed"]
    assert (await api.get(f"/api/sources/{new_id}"))[0] == 404
    status, answer, _ = await api.get("/api/ask", params={"q": "What did Ilse Brandt say?"})
    assert all(q["source"]["article_id"] != new_id for q in answer["quotes"])
    assert not any(new_id in p.name for p in corpus_dir.iterdir())

    status, body, _ = await api.request("DELETE", f"/api/articles/{new_id}", headers=AUTH)
    assert status == 404 and new_id in body["error"]


async def test_reindex_with_and_without_the_token(api: Api) -> None:
    status, report, _ = await api.request("POST", "/api/reindex", headers=AUTH)
    assert status == 200 and report["articles"] == 2 and report["passages"] > 0

    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        status, body, response_headers = await api.request("POST", "/api/reindex", headers=headers)
        assert status == 401 and "token" in body["error"].lower()
        assert response_headers["WWW-Authenticate"].startswith("Bearer")


async def test_admin_endpoints_leave_the_corpus_alone_without_a_valid_token(
    api: Api, corpus_dir: Path
) -> None:
    before = corpus_snapshot(corpus_dir)
    article_id = (await api.get("/api/articles"))[1][0]["id"]
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        status, _, _ = await api.request(
            "POST", "/api/articles", data=upload("x.md", NEW_ARTICLE), headers=headers
        )
        assert status == 401
        assert (await api.request("DELETE", f"/api/articles/{article_id}", headers=headers))[
            0
        ] == 401
    assert corpus_snapshot(corpus_dir) == before
    assert len((await api.get("/api/articles"))[1]) == 2


async def test_admin_endpoints_are_refused_when_no_token_is_configured(
    service: NewsService, corpus_dir: Path, data_dir: Path
) -> None:
    for configured in (None, "", "   "):
        settings = make_settings(corpus_dir, data_dir, api_token=configured)
        async with serving(service, settings) as api:
            status, body, _ = await api.request(
                "POST", "/api/reindex", headers={"Authorization": "Bearer "}
            )
            assert status == 403 and "NEWSBOT_API_TOKEN" in body["error"]
            assert (await api.get("/api/articles"))[0] == 200


async def test_json_bodies_that_fail_validation(api: Api, corpus_dir: Path) -> None:
    before = corpus_snapshot(corpus_dir)
    cases: list[tuple[bytes, int, str]] = [
        (b'{"link": "https://example.com/a"}', 422, "url"),
        (b'{"url": 5}', 422, "url"),
        (b"{}", 422, "url"),
        (b'{"url": ""}', 422, "url"),
        (b"[1, 2]", 422, "body"),
        (b'{"url": "https://example.com/a"', 400, "not valid JSON"),
        (b"", 400, "not valid JSON"),
    ]
    for raw, expected, needle in cases:
        status, body, _ = await api.request(
            "POST",
            "/api/articles",
            data=raw,
            headers={**AUTH, "Content-Type": "application/json"},
        )
        assert (status, set(body)) == (expected, {"error"}), raw
        assert needle in body["error"], body
    status, body, _ = await api.request(
        "POST", "/api/articles", data=b"url=x", headers={**AUTH, "Content-Type": "text/plain"}
    )
    assert status == 415 and "multipart" in body["error"]
    assert corpus_snapshot(corpus_dir) == before


async def test_bad_uploads(api: Api, corpus_dir: Path) -> None:
    before = corpus_snapshot(corpus_dir)
    form = aiohttp.FormData()
    form.add_field("document", b"hello", filename="a.md")
    status, body, _ = await api.request("POST", "/api/articles", data=form, headers=AUTH)
    assert status == 400 and "'file'" in body["error"]

    status, body, _ = await api.request(
        "POST", "/api/articles", data=upload("big.md", b"a" * (MAX_UPLOAD + 1)), headers=AUTH
    )
    assert status == 413 and f"{MAX_UPLOAD:,}" in body["error"]

    status, body, _ = await api.request(
        "POST",
        "/api/articles",
        data=upload("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(64)),
        headers=AUTH,
    )
    assert status in (400, 422) and set(body) == {"error"} and body["error"]
    assert corpus_snapshot(corpus_dir) == before


async def test_oversized_body_is_refused_before_it_is_read(api: Api) -> None:
    port = api.server.port
    assert port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            (
                "POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
                "Content-Length: 50000000\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        # Not one byte of the 50 MB is sent: the answer must come from the headers alone.
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        assert head.startswith(b"HTTP/1.1 413")
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(MAX_BODY // 1000 + 10):
            yield b" " * 1000

    # Without a Content-Length (chunked), the body is cut off when it passes the limit.
    status, body, _ = await api.request(
        "POST",
        "/api/articles",
        data=chunks(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert status == 413 and f"{MAX_BODY:,}" in body["error"]


async def test_rate_limit_per_client(
    service: NewsService, corpus_dir: Path, data_dir: Path
) -> None:
    settings = make_settings(corpus_dir, data_dir, api_rate_per_minute=3)
    async with serving(service, settings) as api:
        for _ in range(3):
            assert (await api.get("/api/articles"))[0] == 200
        status, body, headers = await api.get("/api/articles")
        assert status == 429 and "3 a minute" in body["error"]
        assert 1 <= int(headers["Retry-After"]) <= 20
        # Probes are never limited.
        assert (await api.get("/healthz"))[0] == 200
        assert (await api.get("/readyz"))[0] == 200
        # Another client address (still loopback) has its own bucket.
        connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
        async with (
            aiohttp.ClientSession(connector=connector) as other,
            other.get(api.base + "/api/articles") as response,
        ):
            assert response.status == 200


async def test_unknown_paths_and_methods_are_json(api: Api) -> None:
    status, body, _ = await api.get("/api/nothing-here")
    assert status == 404 and "/api/nothing-here" in body["error"]
    status, body, headers = await api.request("PUT", "/api/articles")
    assert status == 405 and "GET" in headers["Allow"] and "POST" in headers["Allow"]
    assert "PUT" in body["error"]


# ---- metrics
async def test_metrics_count_questions_index_size_commands_and_requests(
    service: NewsService, settings: Settings
) -> None:
    metrics = Metrics()
    async with serving(service, settings, metrics=metrics) as api:
        await api.get("/api/ask", params={"q": HEADLINE})
        await api.get("/api/ask", params={"q": "zzzz qqqq xxxx"})
        await api.get("/api/sources/nope")
        metrics.record_command("ask")
        metrics.record_command("ask")
        metrics.record_command("reindex")
        status, text, headers = await api.get("/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    lines = set(text.decode().splitlines())
    questions = service.stats["questions"]
    no_answer = service.stats["no_answer"]
    assert questions >= 2
    assert f'newsbot_questions_total{{outcome="no_answer"}} {float(no_answer)}' in lines
    assert f'newsbot_questions_total{{outcome="answered"}} {float(questions - no_answer)}' in lines
    assert "newsbot_index_articles 2.0" in lines
    passages = [line for line in lines if line.startswith("newsbot_index_passages ")]
    assert passages and float(passages[0].split()[1]) > 0
    assert 'newsbot_ask_seconds_count{via="http"} 2.0' in lines
    assert 'newsbot_discord_commands_total{command="ask"} 2.0' in lines
    assert 'newsbot_discord_commands_total{command="reindex"} 1.0' in lines
    assert 'newsbot_http_requests_total{method="GET",route="/api/ask",status="200"} 2.0' in lines
    assert (
        'newsbot_http_requests_total{method="GET",route="/api/sources/{id}",status="404"} 1.0'
        in lines
    )
    assert "newsbot_reindex_failures_total 0.0" in lines
    assert "newsbot_ready 1.0" in lines
    assert service.last_report is not None  # start() built the index in this process
    assert f"newsbot_reindex_last_duration_seconds {service.last_report.seconds}" in lines


def test_metric_labels_stay_bounded() -> None:
    metrics = Metrics()
    for i in range(200):
        metrics.record_command(f"cmd{i}")
    metrics.record_command("drop table; --")
    text = metrics.render()[0].decode()
    names = {line.split('"')[1] for line in text.splitlines() if "discord_commands_total{" in line}
    assert len(names) <= 65 and "other" in names


# ---- failures of the service itself
class FailingService:
    """Ready, and fails in the ways a real service might."""

    ready = True
    not_ready_reason = None
    reindexing = False

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.stats: dict[str, float] = {}

    async def ask(
        self, question: str, k: int | None = None, *, conversation: str | None = None
    ) -> Answer:
        raise self.error


async def test_unexpected_errors_are_a_generic_500_with_the_traceback_only_in_the_log(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    service = FailingService(RuntimeError("database password is hunter2"))
    with caplog.at_level(logging.ERROR, logger="bot.http.errors"):
        async with serving(service, settings) as api:
            status, body, _ = await api.get("/api/ask", params={"q": "anything"})
    assert status == 500 and set(body) == {"error"}
    assert "hunter2" not in body["error"] and "Traceback" not in body["error"]
    assert any(r.exc_info and "hunter2" in str(r.exc_info[1]) for r in caplog.records)


async def test_busy_is_429_with_retry_after(settings: Settings) -> None:
    async with serving(FailingService(Busy("A reindex is running.")), settings) as api:
        status, body, headers = await api.get("/api/ask", params={"q": "anything"})
    assert status == 429 and body == {"error": "A reindex is running."}
    assert int(headers["Retry-After"]) >= 1


# ---- running
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_run_http_serves_until_cancelled(
    service: NewsService, corpus_dir: Path, data_dir: Path
) -> None:
    port = free_port()
    settings = make_settings(corpus_dir, data_dir, http_port=port)
    started = asyncio.Event()
    task = asyncio.create_task(run_http(service, settings, started=started))
    await asyncio.wait_for(started.wait(), timeout=5)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        with pytest.raises(aiohttp.ClientConnectionError):
            async with session.get(f"http://127.0.0.1:{port}/healthz"):
                pass


async def test_a_taken_port_is_a_clear_error(
    service: NewsService, corpus_dir: Path, data_dir: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = HttpServer(service, make_settings(corpus_dir, data_dir, http_port=port))
        with pytest.raises(HttpStartError, match=f"127.0.0.1:{port}.*NEWSBOT_HTTP_PORT"):
            await server.start()


async def test_container_healthcheck_follows_readyz(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    service = NewsService(settings)
    try:
        async with serving(service, settings) as api:
            monkeypatch.setenv("NEWSBOT_HTTP_PORT", str(api.server.port))
            assert await asyncio.to_thread(healthcheck_main, ["/readyz"]) == 1
            assert await asyncio.to_thread(healthcheck_main, ["/healthz"]) == 0
            await service.start()
            assert await asyncio.to_thread(healthcheck_main, ["/readyz"]) == 0
    finally:
        await service.close()
    monkeypatch.setenv("NEWSBOT_HTTP_PORT", str(free_port()))
    assert await asyncio.to_thread(healthcheck_main, ["/readyz"]) == 1  # nothing listening


# ---- the limiter on its own
def test_token_bucket_refills_and_forgets_old_clients() -> None:
    now = [0.0]
    limiter = RateLimiter(60, max_clients=3, clock=lambda: now[0])
    assert all(limiter.acquire("a") == 0 for _ in range(60))
    wait = limiter.acquire("a")
    assert 0 < wait <= 1.0
    now[0] += 1.0  # one token a second at 60 a minute
    assert limiter.acquire("a") == 0
    assert limiter.acquire("a") > 0
    for key in "bcdefg":
        limiter.acquire(key)
    assert len(limiter) == 3


# ---- adding by URL (served from 127.0.0.1; loopback is only reachable with the allow-list)
ARTICLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Northport Library Reopens After Flood Repairs</title>
<meta name="author" content="Jonas Weller">
<meta property="og:site_name" content="Northport Courier">
<meta property="article:published_time" content="2024-05-02">
</head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<article>
<h1>Northport Library Reopens After Flood Repairs</h1>
<p>The Northport public library reopened on Thursday, eight months after a spring flood damaged its
ground floor and destroyed more than twelve thousand books.</p>
<p>"We rebuilt the children's room first, because that is where the town comes together," said
head librarian Agnes Holm at the reopening ceremony, which drew several hundred residents.</p>
<p>The repairs cost 2.4 million euros, most of it covered by a regional recovery fund. The library
has also moved its archive of local newspapers to the second floor to protect it from future
floods.</p>
<p>Opening hours are unchanged: the library is open from nine in the morning until seven in the
evening on weekdays, and until two in the afternoon on Saturdays.</p>
</article>
<footer>Copyright Northport Courier</footer>
</body></html>
"""

EMPTY_PAGE = (
    "<!doctype html><html><head><title>Menu</title></head><body><nav>Home</nav></body></html>"
)


def news_site() -> contextlib.AbstractAsyncContextManager[str]:
    """A local web server with one article page and one page without an article."""
    return local_pages({"/news/library.html": ARTICLE_PAGE, "/menu.html": EMPTY_PAGE})


def json_url(url: str) -> dict[str, Any]:
    return {"json": {"url": url}, "headers": AUTH}


async def test_add_url_from_an_allowed_local_site(corpus_dir: Path, data_dir: Path) -> None:
    settings = make_settings(corpus_dir, data_dir, fetch_allow_hosts=["127.0.0.1"])
    service = NewsService(settings)
    await service.start()
    try:
        async with news_site() as site, serving(service, settings) as api:
            before = corpus_snapshot(corpus_dir)
            status, body, _ = await api.request(
                "POST", "/api/articles", **json_url(f"{site}/menu.html")
            )
            assert status == 422 and body["error"]
            assert corpus_snapshot(corpus_dir) == before

            status, results, _ = await api.request(
                "POST", "/api/articles", **json_url(f"{site}/news/library.html")
            )
            assert status == 200, results
            assert [r["status"] for r in results] == ["added"]
            assert results[0]["article"]["title"] == "Northport Library Reopens After Flood Repairs"

            status, answer, _ = await api.get(
                "/api/ask", params={"q": "What did Agnes Holm say about the children's room?"}
            )
            assert status == 200 and answer["answered"]
            assert "rebuilt the children's room first" in answer["quotes"][0]["text"]
    finally:
        await service.close()


async def test_add_url_refuses_loopback_without_the_allow_list(api: Api, corpus_dir: Path) -> None:
    before = corpus_snapshot(corpus_dir)
    async with news_site() as site:
        for url in (f"{site}/news/library.html", "http://localhost:9/", "ftp://example.com/a"):
            status, body, _ = await api.request("POST", "/api/articles", **json_url(url))
            assert status == 422 and set(body) == {"error"}, (url, body)
    assert corpus_snapshot(corpus_dir) == before
