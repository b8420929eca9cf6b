"""Feed registry, parsing and polling against a local aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp import web

from bot.feeds import FeedPoller, fetch_config
from bot.settings import Settings, SettingsError
from index.errors import BadInput, IngestRefused, NotFound
from index.feeds import FEEDS_FILE, FeedRegistry, add_feed, parse_feed, poll_feeds_once
from index.fetch import FetchConfig
from index.models import Article

CONFIG = FetchConfig(
    allow_hosts=("127.0.0.1",),
    timeout_seconds=0.5,
    connect_timeout_seconds=0.5,
    retries=0,
    retry_backoff_seconds=0.01,
    feed_backoff_seconds=60.0,
    feed_backoff_max_seconds=1000.0,
)


def story_html(slug: str) -> str:
    sentences = [
        f"The council of {slug} voted on Tuesday to expand the harbour and build a new bridge.",
        f'"This is a historic day for {slug}," the mayor told reporters outside the town hall.',
        "Opponents said the plan would cost far more than the budget allowed this year.",
        "Construction is expected to begin in the spring and last for about three years.",
        f"Residents of {slug} will be able to comment on the plans until the end of the month.",
    ]
    paragraphs = "".join(f"<p>{s}</p>" for s in sentences)
    return (
        f"<!DOCTYPE html><html><head><title>Harbour plan for {slug}</title></head><body>"
        f"<article><h1>Harbour plan for {slug}</h1>{paragraphs}</article></body></html>"
    )


def rss(title: str, links: list[str]) -> str:
    items = "".join(
        f"<item><title>Item {i}</title><link>{link}</link><guid>{link}</guid></item>"
        for i, link in enumerate(links)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.test/</link>{items}</channel></rss>"
    )


def atom(title: str, links: list[str]) -> str:
    entries = "".join(
        f"<entry><title>E{i}</title><id>urn:e:{i}</id><link href='{link}'/>"
        "<updated>2024-05-01T00:00:00Z</updated></entry>"
        for i, link in enumerate(links)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:feed</id><updated>2024-05-01T00:00:00Z</updated>"
        f"{entries}</feed>"
    )


@dataclass
class FeedSite:
    base: str = ""
    hits: Counter[str] = field(default_factory=Counter)
    feeds: dict[str, str] = field(default_factory=dict)  # path -> body
    statuses: dict[str, list[int]] = field(default_factory=dict)  # path -> statuses to serve
    etags: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    state = FeedSite()

    async def feed(request: web.Request) -> web.Response:
        path = request.path
        state.hits[path] += 1
        if state.statuses.get(path):
            return web.Response(status=state.statuses[path].pop(0))
        if path not in state.feeds:
            raise web.HTTPNotFound()
        body = state.feeds[path]
        etag = state.etags.get(path)
        if etag and request.headers.get("If-None-Match") == etag:
            return web.Response(status=304)
        headers = {"ETag": etag} if etag else {}
        return web.Response(text=body, content_type="application/rss+xml", headers=headers)

    async def story(request: web.Request) -> web.Response:
        path = request.path
        state.hits[path] += 1
        if state.statuses.get(path):
            return web.Response(status=state.statuses[path].pop(0))
        slug = request.match_info["slug"]
        if slug == "missing":
            raise web.HTTPNotFound()
        return web.Response(text=story_html(slug.removesuffix("-copy")), content_type="text/html")

    app = web.Application()
    app.router.add_get("/feeds/{name}", feed)
    app.router.add_get("/articles/{slug}", story)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    state.base = f"http://127.0.0.1:{tcp._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    try:
        yield state
    finally:
        await runner.cleanup()


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class FakeService:
    """Stands in for the service's ingest: remembers articles by id and hash."""

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.articles: dict[str, Article] = {}
        self.calls: list[str] = []
        self.refuse = refuse or set()

    async def ingest(self, article: Article) -> str:
        self.calls.append(article.url or article.id)
        if any(word in (article.url or "") for word in self.refuse):
            raise IngestRefused(f"{article.id} is refused by the service")
        old = self.articles.get(article.id)
        self.articles[article.id] = article
        if old is None:
            return "added"
        return "unchanged" if old.content_hash == article.content_hash else "updated"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry(tmp_path: Path, clock: Clock) -> FeedRegistry:
    return FeedRegistry(tmp_path / "data", clock=clock)


# ---- the registry


def test_registry_add_list_remove_persist(tmp_path: Path) -> None:
    data = tmp_path / "data"
    reg = FeedRegistry(data)
    info = reg.add("HTTP://News.Example/feed.xml#top", title="News")
    assert info.url == "http://news.example/feed.xml"
    assert [f.url for f in FeedRegistry(data).list()] == [info.url]  # a new instance reads it
    with pytest.raises(BadInput, match="already registered"):
        reg.add("http://news.example/feed.xml")
    with pytest.raises(BadInput, match="Only http and https"):
        reg.add("ftp://news.example/feed.xml")
    with pytest.raises(NotFound, match="No feed"):
        reg.remove("http://other.example/rss")
    assert reg.remove("http://NEWS.example/feed.xml").title == "News"
    assert FeedRegistry(data).list() == []
    on_disk = json.loads((data / FEEDS_FILE).read_text())
    assert on_disk["feeds"] == {}
    assert not [p for p in data.iterdir() if p.name.endswith(".tmp")]


def test_damaged_registry_is_reported_and_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / FEEDS_FILE).write_text("{not json")
    with pytest.raises(IngestRefused, match="damaged"):
        FeedRegistry(data).add("http://news.example/feed.xml")
    assert (data / FEEDS_FILE).read_text() == "{not json"


# ---- parsing


def test_parse_rss_and_atom_with_relative_links() -> None:
    parsed = parse_feed(rss("R", ["/a/1", "http://x.test/a/2"]).encode(), "http://x.test/feed")
    assert parsed.title == "R"
    assert [e.link for e in parsed.entries] == ["http://x.test/a/1", "http://x.test/a/2"]
    parsed = parse_feed(atom("A", ["http://x.test/b/1"]).encode(), "http://x.test/atom")
    assert parsed.title == "A" and parsed.entries[0].key == "urn:e:0"


@pytest.mark.parametrize(
    "body", [b"this is not xml <<<>>>", b"<html><body><p>a web page</p></body></html>", b""]
)
def test_malformed_feed_is_refused(body: bytes) -> None:
    with pytest.raises(IngestRefused, match="not a valid RSS or Atom feed"):
        parse_feed(body, "http://x.test/feed")


def test_truncated_feed_keeps_its_complete_items() -> None:
    body = rss("T", ["http://x.test/a/1"]).encode()[:-40]  # cut inside </channel></rss>
    assert [e.link for e in parse_feed(body, "http://x.test/feed").entries] == ["http://x.test/a/1"]


# ---- polling


async def test_new_items_are_ingested_once(site: FeedSite, registry: FeedRegistry) -> None:
    links = [site.url("/articles/alpha"), site.url("/articles/beta")]
    site.feeds["/feeds/good.xml"] = rss("Good", links)
    registry.add(site.url("/feeds/good.xml"))
    service = FakeService()

    first = await poll_feeds_once(registry, CONFIG, service.ingest)
    assert sorted(first.added) == ["alpha", "beta"]
    assert first.polled == 1 and not first.failed and not first.item_errors
    assert "The council of alpha voted" in service.articles["alpha"].text

    second = await poll_feeds_once(registry, CONFIG, service.ingest)
    assert second.added == () and second.unchanged == 0
    assert len(service.calls) == 2
    assert site.hits["/articles/alpha"] == 1  # not even fetched again

    site.feeds["/feeds/good.xml"] = rss("Good", [site.url("/articles/gamma"), *links])
    third = await poll_feeds_once(registry, CONFIG, service.ingest)
    assert third.added == ("gamma",)
    # feeds list newest first; each pass ingests its new items oldest first
    assert service.calls == [links[1], links[0], site.url("/articles/gamma")]


async def test_same_article_from_two_feeds_or_two_urls_is_ingested_once(
    site: FeedSite, registry: FeedRegistry
) -> None:
    site.feeds["/feeds/one.xml"] = rss("One", [site.url("/articles/alpha")])
    site.feeds["/feeds/two.xml"] = rss(
        "Two", [site.url("/articles/alpha"), site.url("/articles/alpha-copy")]
    )
    registry.add(site.url("/feeds/one.xml"))
    registry.add(site.url("/feeds/two.xml"))
    service = FakeService()
    report = await poll_feeds_once(registry, CONFIG, service.ingest)
    # the feeds are polled concurrently: either copy may win, but only one is ingested
    assert report.added in {("alpha",), ("alpha-copy",)}
    assert report.duplicates == 2  # the same link, and a copy with the same content hash
    assert len(service.calls) == 1

    # The registry remembers across instances (a restart): still nothing new.
    again = await poll_feeds_once(
        FeedRegistry(registry.data_dir, clock=registry.clock), CONFIG, service.ingest
    )
    assert again.added == () and len(service.calls) == 1


async def test_broken_feeds_do_not_stop_a_good_one_and_back_off(
    site: FeedSite, registry: FeedRegistry, clock: Clock
) -> None:
    site.feeds["/feeds/garbage.xml"] = "this is not xml <<<>>>"
    site.statuses["/feeds/down.xml"] = [500] * 10
    site.feeds["/feeds/good.xml"] = rss("Good", [site.url("/articles/alpha")])
    for name in ("garbage", "down", "missing", "good"):
        registry.add(site.url(f"/feeds/{name}.xml"))
    service = FakeService()

    report = await poll_feeds_once(registry, CONFIG, service.ingest)
    assert report.added == ("alpha",)
    reasons = {p.path.rsplit("/", 1)[1]: p.reason for p in report.failed}
    assert set(reasons) == {"garbage.xml", "down.xml", "missing.xml"}
    assert "not a valid RSS or Atom feed (XML error at line" in reasons["garbage.xml"]
    assert "HTTP 500" in reasons["down.xml"]
    assert "HTTP 404" in reasons["missing.xml"]
    garbage = registry.get(site.url("/feeds/garbage.xml"))
    assert garbage.failures == 1 and garbage.last_error and garbage.next_attempt_at

    # Within the backoff the broken feeds are skipped; the good one is polled.
    clock.now += 30
    report = await poll_feeds_once(registry, CONFIG, service.ingest)
    assert len(report.backing_off) == 3 and report.polled == 1
    assert site.hits["/feeds/down.xml"] == 1

    # After it, they are tried again and the delay doubles.
    clock.now += 31
    await poll_feeds_once(registry, CONFIG, service.ingest)
    assert site.hits["/feeds/down.xml"] == 2
    down = registry.get(site.url("/feeds/down.xml"))
    assert down.failures == 2
    assert down.next_attempt_at is not None
    # 60 s then 120 s: the next attempt is 120 s after this pass
    assert datetime.fromisoformat(down.next_attempt_at).timestamp() == clock.now + 120

    # A success resets the backoff.
    site.statuses["/feeds/down.xml"] = []
    site.feeds["/feeds/down.xml"] = rss("Back", [])
    clock.now += 121
    await poll_feeds_once(registry, CONFIG, service.ingest)
    recovered = registry.get(site.url("/feeds/down.xml"))
    assert recovered.failures == 0 and recovered.last_error is None
    assert recovered.title == "Back"


async def test_bad_items_do_not_stop_the_others(site: FeedSite, registry: FeedRegistry) -> None:
    site.feeds["/feeds/mixed.xml"] = rss(
        "Mixed",
        [
            site.url("/articles/missing"),  # 404: refused for good
            site.url("/articles/flaky"),  # 500: retried on later passes
            site.url("/articles/refused"),  # the service refuses it
            "http://127.0.0.2:9/articles/ssrf",  # not allowed: refused before connecting
            "ftp://127.0.0.1/file",
            site.url("/articles/alpha"),
        ],
    )
    site.statuses["/articles/flaky"] = [500]
    registry.add(site.url("/feeds/mixed.xml"))
    service = FakeService(refuse={"refused"})

    report = await poll_feeds_once(registry, CONFIG, service.ingest)
    assert report.added == ("alpha",)
    errors = {p.path.rsplit("/", 1)[-1]: p.reason for p in report.item_errors}
    assert "HTTP 404" in errors["missing"]
    assert "HTTP 500" in errors["flaky"] and "will retry" in errors["flaky"]
    assert "refused by the service" in errors["refused"]
    assert "loopback" in errors["ssrf"]
    assert "Only http and https" in errors["file"]

    report = await poll_feeds_once(registry, CONFIG, service.ingest)
    assert report.added == ("flaky",)  # the transient failure succeeded on the next pass
    assert site.hits["/articles/missing"] == 1  # a permanent refusal is not retried
    assert not report.item_errors


async def test_item_failing_every_time_is_given_up(site: FeedSite, registry: FeedRegistry) -> None:
    site.feeds["/feeds/f.xml"] = rss("F", [site.url("/articles/down")])
    site.statuses["/articles/down"] = [503] * 10
    registry.add(site.url("/feeds/f.xml"))
    service = FakeService()
    for _ in range(4):
        report = await poll_feeds_once(registry, CONFIG, service.ingest)
    assert site.hits["/articles/down"] == 3
    assert report.item_errors == ()


async def test_unchanged_feed_uses_a_conditional_request(
    site: FeedSite, registry: FeedRegistry
) -> None:
    site.feeds["/feeds/etag.xml"] = rss("E", [site.url("/articles/alpha")])
    site.etags["/feeds/etag.xml"] = '"v1"'
    registry.add(site.url("/feeds/etag.xml"))
    service = FakeService()
    await poll_feeds_once(registry, CONFIG, service.ingest)
    report = await poll_feeds_once(registry, CONFIG, service.ingest)
    assert report.not_modified == 1 and report.failed == ()
    assert len(service.calls) == 1


async def test_item_limit_per_pass(site: FeedSite, registry: FeedRegistry) -> None:
    links = [site.url(f"/articles/town{i}") for i in range(5)]
    site.feeds["/feeds/many.xml"] = rss("Many", links)
    registry.add(site.url("/feeds/many.xml"))
    config = FetchConfig(allow_hosts=("127.0.0.1",), retries=0, feed_max_items_per_poll=3)
    service = FakeService()
    first = await poll_feeds_once(registry, config, service.ingest)
    second = await poll_feeds_once(registry, config, service.ingest)
    assert len(first.added) == 3 and len(second.added) == 2
    assert sorted(service.articles) == [f"town{i}" for i in range(5)]


async def test_add_feed_checks_the_feed_first(site: FeedSite, registry: FeedRegistry) -> None:
    site.feeds["/feeds/good.xml"] = rss("Good News", [])
    site.feeds["/feeds/garbage.xml"] = "<<< not a feed"
    info = await add_feed(registry, site.url("/feeds/good.xml"), CONFIG)
    assert info.title == "Good News"
    with pytest.raises(IngestRefused, match="not a valid RSS or Atom feed"):
        await add_feed(registry, site.url("/feeds/garbage.xml"), CONFIG)
    with pytest.raises(IngestRefused, match="loopback"):
        await add_feed(registry, site.url("/feeds/good.xml"), FetchConfig())
    assert [f.url for f in registry.list()] == [site.url("/feeds/good.xml")]


# ---- the poller task


async def test_poller_runs_passes_until_stopped(site: FeedSite, registry: FeedRegistry) -> None:
    site.feeds["/feeds/good.xml"] = rss("Good", [site.url("/articles/alpha")])
    registry.add(site.url("/feeds/good.xml"))
    service = FakeService()
    reports = []

    async def on_report(report):  # type: ignore[no-untyped-def]
        reports.append(report)

    poller = FeedPoller(registry, CONFIG, service.ingest, interval=0.02, on_report=on_report)
    poller.start()
    poller.start()  # idempotent
    for _ in range(200):
        if len(reports) >= 3:
            break
        await asyncio.sleep(0.01)
    await poller.stop()
    assert not poller.running
    assert len(reports) >= 3
    assert service.calls == [site.url("/articles/alpha")]  # once, over several passes
    assert site.hits["/feeds/good.xml"] >= 3
    done = site.hits["/feeds/good.xml"]
    await asyncio.sleep(0.06)
    assert site.hits["/feeds/good.xml"] == done  # stopped means stopped


async def test_poller_backs_off_when_a_pass_fails(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / FEEDS_FILE).write_text("{broken")
    poller = FeedPoller(FeedRegistry(data), CONFIG, FakeService().ingest, interval=0.01)
    poller.start()
    for _ in range(100):
        if poller.failed_passes >= 2:
            break
        await asyncio.sleep(0.01)
    await poller.stop()
    assert poller.failed_passes >= 2
    assert poller.next_delay() == 0.01 * 2**poller.failed_passes


def test_fetch_config_from_settings() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        fetch_allow_hosts="127.0.0.1, localhost,10.0.0.0/8",
        fetch_timeout_seconds=3,
        fetch_max_bytes=1234,
        feed_poll_seconds=60,
        user_agent="ua/1",
    )
    config = fetch_config(settings)
    assert config.allow_hosts == ("127.0.0.1", "localhost", "10.0.0.0/8")
    assert (config.timeout_seconds, config.max_bytes, config.user_agent) == (3, 1234, "ua/1")
    assert config.feed_backoff_seconds == 60
    bad = Settings(_env_file=None, fetch_allow_hosts="not a host")  # type: ignore[call-arg]
    with pytest.raises(SettingsError, match="fetch_allow_hosts"):
        fetch_config(bad)
