"""Fetch web pages and feeds safely, and turn an article page into an ``Article``.

Safety is layered: only http(s); every hop of a redirect is checked (we follow redirects
ourselves); the host's addresses are checked by ``netguard.GuardedResolver``, whose answer is the
one the connector uses; timeouts bound connect and total time; the size cap applies to the
declared length and again while streaming; only expected content types are read.
"""

from __future__ import annotations

import asyncio
import codecs
import logging
import os
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from index import corpus
from index.errors import IngestRefused
from index.html_extract import extract_html
from index.models import Article
from index.netguard import AddressPolicy, AllowList, GuardedResolver

log = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""")
# WHATWG: pages that say latin-1 or ascii are decoded as windows-1252 by every browser.
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
)


@dataclass(frozen=True)
class FetchConfig:
    """What the fetcher and feed poller need from the settings (``index/`` never reads them)."""

    allow_hosts: tuple[str, ...] = ()
    timeout_seconds: float = 15.0
    connect_timeout_seconds: float = 10.0
    max_bytes: int = 5_000_000
    user_agent: str = "newsbot/0.1"
    max_redirects: int = 5
    retries: int = 2
    retry_backoff_seconds: float = 0.5
    feed_backoff_seconds: float = 900.0
    feed_backoff_max_seconds: float = 86_400.0
    feed_max_items_per_poll: int = 20
    seen_limit: int = 20_000

    def __post_init__(self) -> None:
        self.policy  # noqa: B018 - parse the allow-list now, so a bad entry fails at start-up

    @cached_property
    def policy(self) -> AddressPolicy:
        return AddressPolicy(AllowList.parse(self.allow_hosts))

    @property
    def deadline_seconds(self) -> float:
        """Bound on one fetch, all attempts and hops included."""
        attempts = self.retries + 1
        backoff = sum(self.retry_backoff_seconds * 2**i for i in range(self.retries))
        return (self.timeout_seconds * attempts + backoff) * 2


@dataclass(frozen=True)
class FetchedPage:
    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        return decode_body(self.body, self.charset, self.content_type)


class FetchRefused(IngestRefused):
    """A fetch that failed; ``transient`` failures (timeouts, 5xx) may succeed later."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class _Retryable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Redirect:
    location: str


# Sessions opened by ``open_session``, with the policy their resolver enforces. A session from
# elsewhere would resolve without the guard, so ``fetch_url`` refuses to use it.
_GUARDED: weakref.WeakKeyDictionary[aiohttp.ClientSession, AddressPolicy] = (
    weakref.WeakKeyDictionary()
)


def open_session(
    config: FetchConfig, *, resolver: AbstractResolver | None = None
) -> aiohttp.ClientSession:
    """A client session whose connector resolves through the address guard.

    ``resolver`` is the lookup behind the guard (default: the system resolver in a thread);
    tests pass a stub. Call from a running event loop; close the session when done.
    """
    connector = aiohttp.TCPConnector(
        resolver=GuardedResolver(config.policy, resolver),
        use_dns_cache=False,  # every connection resolves and checks again
        limit=20,
        limit_per_host=4,
    )
    session = aiohttp.ClientSession(
        connector=connector,
        headers={"User-Agent": config.user_agent},
        trust_env=False,  # a proxy from the environment would bypass the address check
        cookie_jar=aiohttp.DummyCookieJar(),
    )
    _GUARDED[session] = config.policy
    return session


def check_url(url: str | URL) -> URL:
    """Parse ``url`` and refuse anything but an absolute http(s) link."""
    try:
        parsed = url if isinstance(url, URL) else URL(str(url).strip())
    except (ValueError, TypeError):
        raise FetchRefused(f"'{url}' is not a valid link.") from None
    if parsed.scheme not in ("http", "https"):
        uses = (
            f"uses {parsed.scheme}" if parsed.scheme else "has no scheme (start it with https://)"
        )
        raise FetchRefused(f"Only http and https links can be fetched; '{_short(url)}' {uses}.")
    if not parsed.raw_host:
        raise FetchRefused(f"'{_short(url)}' has no host name.")
    try:
        parsed.port  # noqa: B018 - an out-of-range port raises here
    except ValueError:
        raise FetchRefused(f"'{_short(url)}' has an invalid port.") from None
    return parsed.with_fragment(None)


async def fetch_url(
    url: str,
    config: FetchConfig,
    *,
    session: aiohttp.ClientSession | None = None,
    accept: frozenset[str] = ARTICLE_TYPES,
    headers: Mapping[str, str] | None = None,
) -> FetchedPage:
    """GET ``url`` following up to ``config.max_redirects`` redirects, checking every hop.

    Raises FetchRefused (an IngestRefused) with a reason a person can act on. A 304 answer to
    conditional ``headers`` comes back as a page with ``not_modified`` set and no body.
    """
    if session is None:
        async with open_session(config) as own:
            return await fetch_url(url, config, session=own, accept=accept, headers=headers)
    if _GUARDED.get(session) != config.policy:
        raise ValueError("fetch_url needs a session from open_session() with the same config")
    start = check_url(url)
    try:
        async with asyncio.timeout(config.deadline_seconds):
            return await _follow(session, start, config, accept, headers or {})
    except TimeoutError:
        raise FetchRefused(
            f"Fetching {_short(start)} took longer than {config.deadline_seconds:g} s in all; "
            "try again later.",
            transient=True,
        ) from None


async def _follow(
    session: aiohttp.ClientSession,
    start: URL,
    config: FetchConfig,
    accept: frozenset[str],
    headers: Mapping[str, str],
) -> FetchedPage:
    current = start
    visited = {str(current)}
    for _hop in range(config.max_redirects + 1):
        config.policy.check_literal(current.raw_host or "")
        result = await _get_with_retries(session, current, config, accept, headers)
        if isinstance(result, FetchedPage):
            return result
        try:
            target = current.join(URL(result.location))
        except (ValueError, TypeError):
            raise FetchRefused(
                f"{_short(current)} redirects to an invalid link '{result.location[:100]}'."
            ) from None
        nxt = check_url(target)
        if str(nxt) in visited:
            raise FetchRefused(
                f"Redirect loop: {_short(current)} redirects back to {_short(nxt)}. "
                "The site is misconfigured."
            )
        visited.add(str(nxt))
        current = nxt
    raise FetchRefused(
        f"{_short(start)} redirected more than {config.max_redirects} times "
        f"(last: {_short(current)}); giving up."
    )


async def _get_with_retries(
    session: aiohttp.ClientSession,
    url: URL,
    config: FetchConfig,
    accept: frozenset[str],
    headers: Mapping[str, str],
) -> FetchedPage | _Redirect:
    attempts = config.retries + 1
    for attempt in range(attempts):
        try:
            return await _get_once(session, url, config, accept, headers)
        except _Retryable as err:
            if attempt + 1 == attempts:
                tries = f" ({attempts} attempts)" if attempts > 1 else ""
                raise FetchRefused(
                    f"{err.message}{tries}; try again later.", transient=True
                ) from None
            delay = config.retry_backoff_seconds * 2**attempt
            log.info("fetch %s: %s; retry in %.2f s", url, err.message, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


async def _get_once(
    session: aiohttp.ClientSession,
    url: URL,
    config: FetchConfig,
    accept: frozenset[str],
    headers: Mapping[str, str],
) -> FetchedPage | _Redirect:
    timeout = aiohttp.ClientTimeout(
        total=config.timeout_seconds,
        connect=min(config.connect_timeout_seconds, config.timeout_seconds),
    )
    request_headers = {"Accept": ", ".join(sorted(accept)) + ", */*;q=0.1", **headers}
    host = f"{url.host}:{url.port}" if url.port else str(url.host)
    try:
        async with session.get(
            url, allow_redirects=False, timeout=timeout, headers=request_headers
        ) as resp:
            return await _read_response(resp, url, config, accept)
    except IngestRefused:
        raise
    except TimeoutError:
        raise _Retryable(
            f"{_short(url)} did not answer within {config.timeout_seconds:g} s"
        ) from None
    except aiohttp.ClientConnectorDNSError as err:
        raise FetchRefused(
            f"Could not find the host '{url.host}' ({err.os_error.strerror or 'DNS lookup failed'})."
            " Check the link for typos."
        ) from None
    except aiohttp.ClientConnectorCertificateError:
        raise FetchRefused(
            f"{host} presented an invalid TLS certificate; refusing to fetch {_short(url)}."
        ) from None
    except aiohttp.ClientConnectorError as err:
        errno_ = err.os_error.errno
        reason = os.strerror(errno_) if errno_ else (str(err.os_error) or "unreachable")
        raise FetchRefused(
            f"Could not connect to {host} ({reason.lower()}). The site may be down; "
            "check the link or try again later.",
            transient=True,
        ) from None
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as err:
        raise _Retryable(f"{host} dropped the connection ({type(err).__name__})") from None
    except aiohttp.ClientResponseError as err:
        raise FetchRefused(f"{host} sent an invalid HTTP response ({err.message}).") from None
    except aiohttp.InvalidURL:
        raise FetchRefused(f"'{_short(url)}' is not a valid link.") from None
    except aiohttp.ClientError as err:
        raise FetchRefused(f"Could not fetch {_short(url)} ({type(err).__name__}).") from None


async def _read_response(
    resp: aiohttp.ClientResponse, url: URL, config: FetchConfig, accept: frozenset[str]
) -> FetchedPage | _Redirect:
    status = resp.status
    if status in _REDIRECTS:
        location = resp.headers.get("Location")
        if not location:
            raise FetchRefused(f"{_short(url)} redirects (HTTP {status}) but names no target.")
        return _Redirect(location)
    kept = {k: resp.headers[k] for k in ("ETag", "Last-Modified") if k in resp.headers}
    if status == 304:
        return FetchedPage(str(url), status, "", None, b"", kept)
    if status >= 500 or status == 429:
        raise _Retryable(f"{_short(url)} answered HTTP {status} ({_reason(resp)})")
    if status >= 400:
        raise FetchRefused(_client_error_message(url, status, _reason(resp)))
    if not 200 <= status < 300:
        raise FetchRefused(f"{_short(url)} answered HTTP {status}, which is not a page.")

    # application/octet-stream is what servers send when they do not know; look at the bytes.
    declared = "Content-Type" in resp.headers and resp.content_type != "application/octet-stream"
    content_type = resp.content_type if declared else ""
    if declared and content_type not in accept:
        raise FetchRefused(_type_message(url, content_type, accept))
    length = resp.content_length
    if length is not None and length > config.max_bytes:
        raise FetchRefused(_size_message(url, config.max_bytes, f"it is {length:,} bytes"))
    body = await _read_capped(resp, url, config.max_bytes)
    sniffed = _sniff(body)
    if sniffed is not None and sniffed not in accept:
        raise FetchRefused(_type_message(url, sniffed, accept))
    if not declared:
        if not _looks_like_markup(body):
            raise FetchRefused(
                f"{_short(url)} did not say what it is and does not look like a web page."
            )
        content_type = "text/html" if "text/html" in accept else "application/xml"
    return FetchedPage(str(url), status, content_type, resp.charset, body, kept)


async def _read_capped(resp: aiohttp.ClientResponse, url: URL, limit: int) -> bytes:
    """Read the (decompressed) body, stopping as soon as it exceeds ``limit``."""
    parts: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > limit:
            resp.close()  # drop the connection rather than drain the rest
            raise FetchRefused(_size_message(url, limit, "it kept streaming past that"))
        parts.append(chunk)
    return b"".join(parts)


def decode_body(body: bytes, charset: str | None, content_type: str = "text/html") -> str:
    """Decode by the declared charset (header, BOM, meta or XML declaration), else detect."""
    for candidate in (charset, _bom_charset(body), _declared_charset(body)):
        codec = _codec(candidate)
        if codec is not None:
            return body.decode(codec, errors="replace").removeprefix("\ufeff")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # an optional nicety; trafilatura depends on it anyway
        return body.decode("cp1252", errors="replace")
    best = from_bytes(body[:200_000]).best()
    codec = _codec(best.encoding) if best is not None else None
    return body.decode(codec or "cp1252", errors="replace")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _bom_charset(body: bytes) -> str | None:
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _declared_charset(body: bytes) -> str | None:
    head = body[:_SNIFF_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _sniff(body: bytes) -> str | None:
    return next((kind for magic, kind in _MAGIC if body.startswith(magic)), None)


def _looks_like_markup(body: bytes) -> bool:
    head = body[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<rss", b"<feed", b"<head"))


def _reason(resp: aiohttp.ClientResponse) -> str:
    return (resp.reason or "").strip() or "error"


def _client_error_message(url: URL, status: int, reason: str) -> str:
    if status == 404 or status == 410:
        return f"No page at {_short(url)} (HTTP {status} {reason}). Check the link."
    if status in (401, 403):
        return (
            f"{_short(url)} refused access (HTTP {status} {reason}); the page may need a login "
            "or block bots. Upload the article as a file instead."
        )
    return f"{_short(url)} answered HTTP {status} ({reason})."


def _type_message(url: URL, content_type: str, accept: frozenset[str]) -> str:
    major = content_type.split("/", 1)[0]
    kinds = {"application/pdf": "a PDF document", "application/zip": "a zip archive"}
    kind = kinds.get(content_type) or {
        "image": "an image",
        "video": "a video",
        "audio": "an audio file",
    }.get(major, f"'{content_type}'")
    wanted = "an RSS or Atom feed" if accept == FEED_TYPES else "a web page (HTML)"
    return f"{_short(url)} is {kind} ({content_type}), not {wanted}."


def _size_message(url: URL, limit: int, detail: str) -> str:
    return (
        f"{_short(url)} is larger than the {limit:,}-byte limit ({detail}); "
        "raise NEWSBOT_FETCH_MAX_BYTES or upload the article as a file."
    )


def _short(url: str | URL, limit: int = 120) -> str:
    text = str(url)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- article pages -------------------------------------------------------------------------


async def fetch_article(
    url: str, config: FetchConfig, *, session: aiohttp.ClientSession | None = None
) -> Article:
    """Fetch an article page and extract it; IngestRefused says why when that is impossible.

    The article comes back in the corpus's canonical form (normalised text, its content hash),
    so storing it and reading it back gives the same article.
    """
    page = await fetch_url(url, config, session=session, accept=ARTICLE_TYPES)
    html = page.text()
    extracted = await asyncio.to_thread(extract_html, html, page.url)
    canonical_url = _canonical_url(extracted.url, page.url)
    title = _short_title((extracted.title or "").strip()) or _title_from_url(canonical_url)
    article = Article(
        id=article_id_for(canonical_url, title),
        title=title,
        text=extracted.text,
        author=extracted.author or None,
        publisher=extracted.publisher or None,
        url=canonical_url,
        published=extracted.published,
        language=extracted.language or "en",
        content_hash="",  # set by corpus.canonical, the same rule the corpus reader applies
    )
    return corpus.canonical(article)


def _canonical_url(claimed: str | None, fetched: str) -> str:
    """The page's canonical link when it is a sane absolute http(s) URL, else where we got it."""
    if claimed:
        try:
            joined = URL(fetched).join(URL(claimed.strip()))
            if joined.scheme in ("http", "https") and joined.host:
                return str(joined.with_fragment(None))
        except (ValueError, TypeError):
            pass
    return str(URL(fetched).with_fragment(None))


_GENERIC_SEGMENTS = frozenset({"index", "article", "articles", "story", "news", "amp", "default"})


def article_id_for(canonical_url: str, title: str) -> str:
    """A stable id: the last meaningful path segment of the canonical URL, else the title."""
    path = URL(canonical_url).path
    for segment in reversed([s for s in path.split("/") if s]):
        stem = re.sub(r"\.(s?html?|php|aspx?|jsp)$", "", segment, flags=re.I)
        slug = corpus.slugify(stem)
        if len(slug) >= 3 and not slug.isdigit() and slug not in _GENERIC_SEGMENTS:
            return slug
    return corpus.derive_id(None, title or canonical_url)


def _short_title(title: str) -> str:
    """Page titles can be paragraphs; the corpus caps them. Cut at a word boundary."""
    title = " ".join(title.split())
    if len(title) <= corpus.MAX_TITLE_CHARS:
        return title
    return title[: corpus.MAX_TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _title_from_url(url: str) -> str:
    return URL(url).host or url
