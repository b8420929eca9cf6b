"""Building and running the HTTP API: alone (``newsbot serve``) or beside the Discord bot in one
event loop (``newsbot run``).

The server does not start or close the service: the caller owns it, so the API can answer
``/healthz`` (and a 503 on ``/readyz``) while the index is still loading.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from bot.http.auth import BearerAuth
from bot.http.clientip import parse_networks
from bot.http.errors import MAX_BODY_KEY, error_middleware
from bot.http.middleware import body_limit_middleware, metrics_middleware, rate_limit_middleware
from bot.http.ratelimit import RateLimiter
from bot.http.routes import routes
from bot.http.state import STATE, ApiState, Readiness
from bot.metrics import METRICS, Metrics
from bot.settings import Settings
from index.errors import NewsbotError

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_SECONDS = 10.0


class HttpStartError(NewsbotError):
    """The API could not listen (port taken, address not available); the message says which."""


def build_app(
    service: Any,
    settings: Settings,
    *,
    readiness: Readiness = None,
    metrics: Metrics | None = None,
) -> web.Application:
    """The aiohttp application over ``service``. ``metrics`` defaults to the process's registry."""
    metrics = metrics or METRICS
    metrics.watch(service)
    auth = BearerAuth(settings.api_token)
    if not auth.enabled:
        log.warning("NEWSBOT_API_TOKEN is not set: the admin endpoints of the HTTP API are refused")
    app = web.Application(
        # Outermost first: metrics see every final status; errors wrap the policies below them.
        middlewares=[
            metrics_middleware,
            error_middleware,
            rate_limit_middleware,
            body_limit_middleware,
        ],
        client_max_size=settings.max_body_bytes,
    )
    app[STATE] = ApiState(
        service=service,
        settings=settings,
        metrics=metrics,
        auth=auth,
        limiter=RateLimiter(settings.api_rate_per_minute),
        readiness=readiness,
        trusted_proxies=parse_networks(settings.trusted_proxies),
    )
    app[MAX_BODY_KEY] = settings.max_body_bytes
    app.add_routes(routes)
    return app


class HttpServer:
    """The API on ``settings.http_host:http_port``, started and stopped inside a running loop."""

    def __init__(
        self,
        service: Any,
        settings: Settings,
        *,
        readiness: Readiness = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.app = build_app(service, settings, readiness=readiness, metrics=metrics)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("HttpServer.start() has not run")
        host = self.settings.http_host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        host, port = self.settings.http_host, self.settings.http_port
        runner = web.AppRunner(
            self.app,
            handle_signals=False,
            shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS,
            # Bodies are inflated by bot/http/body.py after the token check, within a cap.
            auto_decompress=False,
            # aiohttp arms this at connection start too, so a socket that never sends a full
            # request (or sits idle between requests) is closed after it.
            keepalive_timeout=self.settings.http_idle_timeout_seconds,
            # After an early answer (401, 413) the unread rest of a body is drained this long.
            lingering_time=2.0,
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as err:
            await runner.cleanup()
            raise HttpStartError(
                f"Cannot listen on {host}:{port} ({err.strerror or err}). "
                "Set NEWSBOT_HTTP_PORT or NEWSBOT_HTTP_HOST to a free address."
            ) from None
        self._runner = runner
        self.port = runner.addresses[0][1] if runner.addresses else port
        log.info("HTTP API listening on %s", self.url)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()


async def run_http(
    service: Any,
    settings: Settings,
    *,
    started: asyncio.Event | None = None,
    readiness: Readiness = None,
) -> None:
    """Serve until cancelled. ``started`` is set once the socket listens."""
    server = HttpServer(service, settings, readiness=readiness)
    await server.start()
    try:
        if started is not None:
            started.set()
        await asyncio.Event().wait()  # forever: the caller cancels this task to stop
    finally:
        await server.stop()
