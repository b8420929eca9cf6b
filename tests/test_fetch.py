"""The safe fetcher against a local aiohttp server on 127.0.0.1 (nothing else is contacted).

Every session uses a stub resolver, so not even a DNS query leaves the process; the server
records each request so refusals can be shown to happen before any connection.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from index import corpus
from index.errors import IngestRefused
from index.fetch import (
    FEED_TYPES,
    FetchConfig,
    FetchRefused,
    article_id_for,
    decode_body,
    fetch_article,
    fetch_url,
    open_session,
)
from index.netguard import AddressRefused
from tests.test_netguard import StubResolver

HUGE = 50 * 1024 * 1024
CHUNK = 64 * 1024

ARTICLE_TEXT = (
    "Belarusian President Alexander Lukashenko met Li Zhanshu in Minsk on Monday. "
    '"Expanding ties with China has been a foreign policy priority for us," Lukashenko said. '
    "The two sides discussed trade, industrial parks and transport links across Eurasia. "
    "Officials said new agreements on agriculture and education would follow this year. "
    "Li said China valued the partnership and wanted closer cooperation in many areas."
)


def article_html(title: str, body: str, *, canonical: str | None = None, head: str = "") -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in body.split(". ") if s.strip())
    return (
        f"<!DOCTYPE html><html><head>{head}<title>{title}</title>{link}"
        f'<meta name="author" content="Jane Reporter"></head><body>'
        f"<nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>Copyright</footer></body></html>"
    )


@dataclass
class Site:
    base: str
    port: int
    hits: Counter[str] = field(default_factory=Counter)
    hosts: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    state = Site(base="", port=0)
    release = asyncio.Event()

    @web.middleware
    async def record(request: web.Request, handler):  # type: ignore[no-untyped-def]
        state.hits[request.path] += 1
        state.hosts.append(request.headers.get("Host", ""))
        state.agents.append(request.headers.get("User-Agent", ""))
        return await handler(request)

    async def article(request: web.Request) -> web.Response:
        canonical = request.query.get("canonical")
        html = article_html(
            "Belarus and China Plan on Increasing Ties", ARTICLE_TEXT, canonical=canonical
        )
        return web.Response(text=html, content_type="text/html")

    async def empty(request: web.Request) -> web.Response:
        return web.Response(
            text="<html><head><title>Login</title></head><body><nav>Menu</nav></body></html>",
            content_type="text/html",
        )

    async def flaky(request: web.Request) -> web.Response:
        if state.hits[request.path] <= int(request.query.get("fail", "2")):
            return web.Response(status=500, text="oops")
        return await article(request)

    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500, text="down")

    async def slow(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="<html>late</html>", content_type="text/html")

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    async def loop_a(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop-b")

    async def loop_b(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/loop-a")

    async def chain(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(f"/chain/{int(request.match_info['n']) + 1}")

    async def huge(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        if request.query.get("declare"):
            resp.content_length = HUGE
        await resp.prepare(request)
        sent = 0
        try:
            chunk = b"<p>" + b"x" * (CHUNK - 3)
            while sent < HUGE:
                await resp.write(chunk)
                sent += len(chunk)
                state.sent[request.path_qs] = sent
        except (ConnectionError, asyncio.CancelledError):
            pass
        return resp

    async def typed(request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        bodies = {
            "pdf": (b"%PDF-1.7\n...", "application/pdf"),
            "image": (b"\x89PNG\r\n\x1a\n....", "image/png"),
            "disguised": (b"%PDF-1.4 pretending to be html", "text/html"),
            "json": (b'{"a": 1}', "application/json"),
        }
        body, ctype = bodies[kind]
        return web.Response(body=body, content_type=ctype)

    async def untyped(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()  # no Content-Type at all
        await resp.prepare(request)
        await resp.write(request.query.get("body", "<html><p>hi</p></html>").encode())
        return resp

    async def encoded(request: web.Request) -> web.Response:
        charset = request.match_info["charset"]
        text = {
            "latin-1": "Café crème à la française, naïve façade, déjà vu.",
            "windows-1251": "Президент Беларуси встретился с председателем в Минске. " * 20,
        }[charset]
        html = f"<html><head><title>t</title></head><body><p>{text}</p></body></html>"
        where = request.query.get("declare", "header")
        if where == "meta":
            html = html.replace("<head>", f'<head><meta charset="{charset}">')
        resp = web.Response(body=html.encode("cp1251" if "1251" in charset else "latin-1"))
        resp.headers["Content-Type"] = (
            f"text/html; charset={charset}" if where == "header" else "text/html"
        )
        return resp

    async def gzip_bomb(request: web.Request) -> web.Response:
        resp = web.Response(body=b"<html>" + b"0" * (4 * 1024 * 1024), content_type="text/html")
        resp.enable_compression(web.ContentCoding.gzip)
        return resp

    async def feed(request: web.Request) -> web.Response:
        return web.Response(
            text="<rss version='2.0'><channel/></rss>", content_type="application/rss+xml"
        )

    async def conditional(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        return web.Response(
            text="<rss version='2.0'><channel/></rss>",
            content_type="application/rss+xml",
            headers={"ETag": '"v1"'},
        )

    app = web.Application(middlewares=[record])
    app.router.add_get("/article", article)
    app.router.add_get("/empty", empty)
    app.router.add_get("/flaky", flaky)
    app.router.add_get("/broken", broken)
    app.router.add_get("/slow", slow)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/loop-a", loop_a)
    app.router.add_get("/loop-b", loop_b)
    app.router.add_get("/chain/{n}", chain)
    app.router.add_get("/huge", huge)
    app.router.add_get("/typed/{kind}", typed)
    app.router.add_get("/untyped", untyped)
    app.router.add_get("/encoded/{charset}", encoded)
    app.router.add_get("/gzip", gzip_bomb)
    app.router.add_get("/feed.xml", feed)
    app.router.add_get("/conditional.xml", conditional)
    app.router.add_get("/secret", article)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    state.port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.base = f"http://127.0.0.1:{state.port}"
    try:
        yield state
    finally:
        release.set()
        await runner.cleanup()


FAST = FetchConfig(
    allow_hosts=("127.0.0.1",),
    timeout_seconds=0.5,
    connect_timeout_seconds=0.5,
    max_bytes=1_000_000,
    retries=2,
    retry_backoff_seconds=0.01,
    user_agent="newsbot-test/1.0 (+tests)",
)
STRICT = FetchConfig(timeout_seconds=0.5, retries=0, retry_backoff_seconds=0.01)

# Names tests may use; no lookup ever reaches the system resolver.
NAMES = {"localhost": ["127.0.0.1"], "news.test": ["127.0.0.1"], "intranet.test": ["127.0.0.1"]}


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with open_session(FAST, resolver=StubResolver(NAMES)) as s:
        yield s


@pytest.fixture
async def strict_session() -> AsyncIterator[aiohttp.ClientSession]:
    async with open_session(STRICT, resolver=StubResolver(NAMES)) as s:
        yield s


# ---- the happy path and what it sends


async def test_fetches_an_allowed_page_with_a_clear_user_agent(
    site: Site, session: aiohttp.ClientSession
) -> None:
    page = await fetch_url(site.url("/article"), FAST, session=session)
    assert page.status == 200 and page.content_type == "text/html"
    assert "foreign policy priority" in page.text()
    assert site.hits["/article"] == 1
    assert site.agents == ["newsbot-test/1.0 (+tests)"]


async def test_connection_goes_to_the_address_the_guard_checked(site: Site) -> None:
    """news.test exists only in the stub: the connector must use the guard's answer."""
    async with open_session(FAST, resolver=StubResolver({"news.test": ["127.0.0.1"]})) as s:
        page = await fetch_url(f"http://news.test:{site.port}/article", FAST, session=s)
    assert "Lukashenko" in page.text()
    assert site.hosts[-1] == f"news.test:{site.port}"


async def test_a_session_without_the_guard_is_not_accepted(site: Site) -> None:
    async with aiohttp.ClientSession() as plain:
        with pytest.raises(ValueError, match="open_session"):
            await fetch_url(site.url("/article"), FAST, session=plain)
    assert site.hits["/article"] == 0


async def test_fetch_without_a_session_opens_a_guarded_one(site: Site) -> None:
    page = await fetch_url(site.url("/article"), FAST)
    assert page.status == 200
    with pytest.raises(AddressRefused):
        await fetch_url(site.url("/article"), STRICT)
    assert site.hits["/article"] == 1


# ---- SSRF: refused before any connection


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "[::1]", "127.1", "2130706433", "0x7f.1", "0177.0.0.1",
             "[::ffff:127.0.0.1]", "intranet.test"]
)  # fmt: skip
async def test_loopback_refused_without_allow_list(
    site: Site, strict_session: aiohttp.ClientSession, host: str
) -> None:
    with pytest.raises(AddressRefused, match="loopback") as info:
        await fetch_url(f"http://{host}:{site.port}/secret", STRICT, session=strict_session)
    assert isinstance(info.value, IngestRefused)
    assert site.hits["/secret"] == 0


@pytest.mark.parametrize(
    "target", ["http://127.0.0.1:{port}/secret", "http://2130706433:{port}/secret",
               "http://0x7f.1:{port}/secret", "http://127.1:{port}/secret",
               "http://[::1]:{port}/secret", "http://[::ffff:7f00:1]:{port}/secret"]
)  # fmt: skip
async def test_redirect_from_an_allowed_page_to_a_refused_host(site: Site, target: str) -> None:
    """Only the *name* localhost is allowed; its redirect to a literal loopback is a new hop."""
    config = FetchConfig(allow_hosts=("localhost",), timeout_seconds=0.5, retries=0)
    start = f"http://localhost:{site.port}/redirect?to={target.format(port=site.port)}"
    async with open_session(config, resolver=StubResolver(NAMES)) as s:
        with pytest.raises(AddressRefused, match="loopback"):
            await fetch_url(start, config, session=s)
    assert site.hits["/redirect"] == 1
    assert site.hits["/secret"] == 0


async def test_a_host_name_resolving_to_loopback_is_refused_with_no_request(site: Site) -> None:
    config = FetchConfig(allow_hosts=("localhost",), timeout_seconds=0.5, retries=0)
    start = f"http://localhost:{site.port}/redirect?to=http://intranet.test:{site.port}/secret"
    async with open_session(config, resolver=StubResolver(NAMES)) as s:
        with pytest.raises(
            AddressRefused, match=re.escape("'intranet.test' resolves to 127.0.0.1")
        ):
            await fetch_url(start, config, session=s)
    assert site.hits["/secret"] == 0


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)",
            "gopher://127.0.0.1:70/", "data:text/html,hi", "127.0.0.1/article", ""]
)  # fmt: skip
async def test_non_http_schemes_are_refused(url: str, session: aiohttp.ClientSession) -> None:
    with pytest.raises(FetchRefused, match="Only http and https"):
        await fetch_url(url, FAST, session=session)


async def test_redirect_to_a_file_url_is_refused(
    site: Site, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(FetchRefused, match="uses file"):
        await fetch_url(site.url("/redirect?to=file:///etc/passwd"), FAST, session=session)


# ---- HTTP failures, retries, timeouts, redirects


async def test_404_is_a_specific_refusal(site: Site, session: aiohttp.ClientSession) -> None:
    with pytest.raises(FetchRefused, match="HTTP 404") as info:
        await fetch_url(site.url("/nothing-here"), FAST, session=session)
    assert not info.value.transient
    assert site.hits["/nothing-here"] == 1  # no retries on a client error


async def test_500_is_retried_then_succeeds(site: Site, session: aiohttp.ClientSession) -> None:
    page = await fetch_url(site.url("/flaky?fail=2"), FAST, session=session)
    assert "Lukashenko" in page.text()
    assert site.hits["/flaky"] == 3


async def test_500_forever_gives_up_after_bounded_retries(
    site: Site, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(FetchRefused, match=r"HTTP 500.*3 attempts") as info:
        await fetch_url(site.url("/broken"), FAST, session=session)
    assert info.value.transient
    assert site.hits["/broken"] == 3


async def test_timeout_is_retried_and_reported(site: Site, session: aiohttp.ClientSession) -> None:
    config = FetchConfig(allow_hosts=("127.0.0.1",), timeout_seconds=0.2, retries=1,
                         retry_backoff_seconds=0.01)  # fmt: skip
    async with open_session(config, resolver=StubResolver(NAMES)) as s:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(FetchRefused, match=r"did not answer within 0.2 s \(2 attempts\)"):
            await fetch_url(site.url("/slow"), config, session=s)
        assert loop.time() - started < 2
    assert site.hits["/slow"] == 2


async def test_unreachable_host(session: aiohttp.ClientSession) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(
        FetchRefused, match=r"Could not connect to 127.0.0.1:\d+ \(connection refused\)"
    ):
        await fetch_url(f"http://127.0.0.1:{port}/", FAST, session=session)


async def test_dns_failure(session: aiohttp.ClientSession, site: Site) -> None:
    with pytest.raises(
        IngestRefused, match=re.escape("Could not find the host 'no-such-host.test'")
    ):
        await fetch_url(f"http://no-such-host.test:{site.port}/", FAST, session=session)


async def test_redirect_loop_is_refused(site: Site, session: aiohttp.ClientSession) -> None:
    with pytest.raises(FetchRefused, match="Redirect loop"):
        await fetch_url(site.url("/loop-a"), FAST, session=session)
    assert site.hits["/loop-a"] == 1 and site.hits["/loop-b"] == 1


async def test_redirect_chain_is_cut_at_the_hop_limit(
    site: Site, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(FetchRefused, match="redirected more than 5 times"):
        await fetch_url(site.url("/chain/0"), FAST, session=session)
    assert sum(n for path, n in site.hits.items() if path.startswith("/chain/")) == 6


async def test_relative_redirect_is_followed(site: Site, session: aiohttp.ClientSession) -> None:
    page = await fetch_url(site.url("/redirect?to=/article"), FAST, session=session)
    assert page.url == site.url("/article")


# ---- size and type


async def test_50mb_streamed_page_is_cut_off(site: Site, session: aiohttp.ClientSession) -> None:
    with pytest.raises(FetchRefused, match="larger than the 1,000,000-byte limit"):
        await fetch_url(site.url("/huge"), FAST, session=session)
    await asyncio.sleep(0.05)
    assert site.sent.get("/huge", 0) < 16 * 1024 * 1024  # far from 50 MB: we stopped reading


async def test_declared_50mb_page_is_refused_from_its_header(
    site: Site, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(FetchRefused, match="it is 52,428,800 bytes"):
        await fetch_url(site.url("/huge?declare=1"), FAST, session=session)


async def test_size_cap_applies_after_decompression(
    site: Site, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(FetchRefused, match="kept streaming"):
        await fetch_url(site.url("/gzip"), FAST, session=session)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("pdf", "is a PDF document"), ("image", "is an image"), ("json", "'application/json'"),
     ("disguised", "is a PDF document")],
)  # fmt: skip
async def test_wrong_content_types_are_refused(
    site: Site, session: aiohttp.ClientSession, kind: str, expected: str
) -> None:
    with pytest.raises(FetchRefused, match=expected):
        await fetch_url(site.url(f"/typed/{kind}"), FAST, session=session)


async def test_feed_types_are_accepted_only_for_feeds(
    site: Site, session: aiohttp.ClientSession
) -> None:
    page = await fetch_url(site.url("/feed.xml"), FAST, session=session, accept=FEED_TYPES)
    assert page.content_type == "application/rss+xml"
    with pytest.raises(FetchRefused, match="not a web page"):
        await fetch_url(site.url("/feed.xml"), FAST, session=session)
    with pytest.raises(FetchRefused, match="not an RSS or Atom feed"):
        await fetch_url(site.url("/article"), FAST, session=session, accept=FEED_TYPES)


async def test_conditional_get_reports_not_modified(
    site: Site, session: aiohttp.ClientSession
) -> None:
    first = await fetch_url(site.url("/conditional.xml"), FAST, session=session, accept=FEED_TYPES)
    assert first.headers["ETag"] == '"v1"'
    again = await fetch_url(
        site.url("/conditional.xml"), FAST, session=session, accept=FEED_TYPES,
        headers={"If-None-Match": '"v1"'},
    )  # fmt: skip
    assert again.not_modified and again.body == b""


async def test_missing_content_type_is_sniffed(site: Site, session: aiohttp.ClientSession) -> None:
    page = await fetch_url(site.url("/untyped"), FAST, session=session)
    assert page.content_type == "text/html"
    with pytest.raises(FetchRefused, match="does not look like a web page"):
        await fetch_url(site.url("/untyped?body=hello"), FAST, session=session)


# ---- encodings


@pytest.mark.parametrize("declare", ["header", "meta"])
async def test_latin1_page_decoded_by_declared_charset(
    site: Site, session: aiohttp.ClientSession, declare: str
) -> None:
    page = await fetch_url(site.url(f"/encoded/latin-1?declare={declare}"), FAST, session=session)
    assert "Café crème à la française, naïve façade" in page.text()


@pytest.mark.parametrize("declare", ["header", "meta", "none"])
async def test_cp1251_page_decoded(
    site: Site, session: aiohttp.ClientSession, declare: str
) -> None:
    page = await fetch_url(
        site.url(f"/encoded/windows-1251?declare={declare}"), FAST, session=session
    )
    assert "Президент Беларуси встретился" in page.text()


def test_decode_prefers_bom_and_survives_unknown_charsets() -> None:
    assert decode_body("\ufeffhé".encode(), None) == "hé"
    assert decode_body("hé".encode(), "no-such-charset") == "hé"
    assert decode_body("hé".encode("latin-1"), "iso-8859-1") == "hé"


# ---- articles


async def test_fetch_article_builds_an_article(site: Site, session: aiohttp.ClientSession) -> None:
    article = await fetch_article(site.url("/article"), FAST, session=session)
    assert article.title == "Belarus and China Plan on Increasing Ties"
    assert "Expanding ties with China has been a foreign policy priority for us" in article.text
    assert "Copyright" not in article.text
    assert article.url == site.url("/article")
    assert article.id == "belarus-and-china-plan-on-increasing-ties"  # "/article" is generic
    assert article.author == "Jane Reporter"
    assert article.content_hash == corpus.content_hash(article.title, article.text)
    assert corpus.canonical(article) == article  # stores and reads back unchanged


async def test_fetched_article_round_trips_through_the_corpus(
    site: Site, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    article = await fetch_article(site.url("/article"), FAST, session=session)
    corpus.write_article(tmp_path, article)
    read = corpus.read_corpus(tmp_path)
    assert read.problems == []
    [back] = read.articles
    assert (back.id, back.url, back.content_hash) == (article.id, article.url, article.content_hash)


async def test_fetch_article_uses_the_canonical_url(
    site: Site, session: aiohttp.ClientSession
) -> None:
    canonical = "https://news.example/world/2024/belarus-china-ties.html"
    article = await fetch_article(
        site.url(f"/article?canonical={canonical}"), FAST, session=session
    )
    assert article.url == canonical
    assert article.id == "belarus-china-ties"
    assert site.hits["/article"] == 1  # the canonical link is metadata, never fetched


async def test_page_without_an_article_is_refused(
    site: Site, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(IngestRefused, match="no article text found in http://127"):
        await fetch_article(site.url("/empty"), FAST, session=session)


async def test_same_page_gives_the_same_id_and_hash(
    site: Site, session: aiohttp.ClientSession
) -> None:
    first = await fetch_article(site.url("/article"), FAST, session=session)
    second = await fetch_article(site.url("/article"), FAST, session=session)
    assert (first.id, first.content_hash) == (second.id, second.content_hash)


@pytest.mark.parametrize(
    ("url", "title", "expected"),
    [
        ("https://a.example/2024/05/17/belarus-china-ties.html", "T", "belarus-china-ties"),
        ("https://a.example/news/12345/", "Big News Today", "big-news-today"),
        ("https://a.example/", "Café Déjà Vu", "cafe-deja-vu"),
        ("https://a.example/story/index.php", "Title Here", "title-here"),
    ],
)
def test_article_ids(url: str, title: str, expected: str) -> None:
    assert article_id_for(url, title) == expected
