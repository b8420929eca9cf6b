"""What the handlers share, stored on the aiohttp application under one typed key."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.http.auth import BearerAuth
from bot.http.clientip import Network
from bot.http.errors import ApiError
from bot.http.ratelimit import RateLimiter
from bot.metrics import Metrics
from bot.settings import Settings

# The run command plugs in whatever says "the rest of the process is ready" (e.g. the Discord
# client's is_ready, or an Event set on its on_ready); None means there is nothing else to wait for.
Readiness = Callable[[], bool] | asyncio.Event | None

RETRY_AFTER_LOADING_SECONDS = 5


@dataclass
class ApiState:
    service: Any  # bot.service.NewsService, or anything with the same methods
    settings: Settings
    metrics: Metrics
    auth: BearerAuth
    limiter: RateLimiter
    readiness: Readiness = None
    trusted_proxies: tuple[Network, ...] = ()

    def not_ready_reason(self) -> str | None:
        """Why /readyz should fail, or None when the API can serve answers."""
        reason = index_not_ready_reason(self.service)
        if reason is not None:
            return reason
        if self.readiness is not None:
            ok = (
                self.readiness.is_set()
                if isinstance(self.readiness, asyncio.Event)
                else self.readiness()
            )
            if not ok:
                return "the Discord gateway is not ready yet"
        return None

    def ready_service(self) -> Any:
        """The service, or a 503 while no index is open to answer from."""
        reason = index_not_ready_reason(self.service)
        if reason is not None:
            raise ApiError(
                503,
                f"Not ready: {reason}. Try again in a few seconds.",
                {"Retry-After": str(RETRY_AFTER_LOADING_SECONDS)},
            )
        return self.service


def index_not_ready_reason(service: Any) -> str | None:
    return service.not_ready_reason


STATE = web.AppKey("newsbot_api_state", ApiState)


def state_of(request: web.Request) -> ApiState:
    return request.app[STATE]
