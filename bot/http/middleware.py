"""Request-wide policies: metrics, the per-client rate limit, and the body size limit."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from bot.http.clientip import client_address, rate_limit_key
from bot.http.errors import ApiError
from bot.http.ratelimit import retry_after_header
from bot.http.state import state_of

# Probes and scrapes must keep working under load, so they are not rate limited.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def route_label(request: web.Request) -> str:
    """The route template ('/api/sources/{id}'), never the raw path, to bound label values."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def metrics_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    finally:
        state_of(request).metrics.record_http(
            route_label(request), request.method, status, time.perf_counter() - started
        )


@web.middleware
async def rate_limit_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.path not in UNLIMITED_PATHS:
        state = state_of(request)
        client = client_address(
            request.remote, request.headers.getall("X-Forwarded-For", []), state.trusted_proxies
        )
        wait = state.limiter.acquire(rate_limit_key(client))
        if wait > 0:
            raise ApiError(
                429,
                f"Too many requests; the limit is {state.settings.api_rate_per_minute} "
                "a minute per client. Retry after the Retry-After seconds.",
                {"Retry-After": retry_after_header(wait)},
            )
    return await handler(request)


@web.middleware
async def body_limit_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Refuse a declared oversized body from its Content-Length, before reading a byte of it.

    Bodies without a length (chunked) are capped while read: ``client_max_size`` for JSON and
    the upload reader for multipart.
    """
    if request.method in _BODY_METHODS:
        limit = state_of(request).settings.max_body_bytes
        length = request.content_length
        if length is not None and length > limit:
            raise ApiError(
                413,
                f"The request body is {length:,} bytes; the limit is {limit:,} "
                "(NEWSBOT_MAX_BODY_BYTES).",
            )
    return await handler(request)
