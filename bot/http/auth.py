"""Bearer-token check for the admin endpoints (add, delete, reindex).

The token comes from ``NEWSBOT_API_TOKEN``. With none configured the admin endpoints are refused
(403) rather than open: an API that anyone on the network could write to is never the default.
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web
from pydantic import SecretStr

from bot.http.errors import ApiError
from bot.logtext import printable

log = logging.getLogger(__name__)

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="newsbot"'}


class BearerAuth:
    def __init__(self, token: SecretStr | None) -> None:
        value = token.get_secret_value().strip() if token is not None else ""
        # An empty token would match an empty "Bearer " header; treat it as not configured.
        self._expected = value.encode("utf-8") if value else None

    @property
    def enabled(self) -> bool:
        return self._expected is not None

    def require(self, request: web.Request) -> None:
        """Raise ApiError unless the request carries the configured bearer token."""
        if self._expected is None:
            raise ApiError(
                403,
                "Admin endpoints are disabled because no API token is configured. "
                "Set NEWSBOT_API_TOKEN and restart.",
            )
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        given = given.strip()
        if scheme.lower() != "bearer" or not given:
            raise ApiError(
                401, "Missing token: send the header 'Authorization: Bearer <token>'.", _CHALLENGE
            )
        # Compare bytes: compare_digest rejects non-ASCII str, and bytes keep it constant-time.
        # aiohttp decodes header bytes that are not UTF-8 (e.g. Latin-1) to lone surrogates;
        # surrogateescape turns them back into the bytes that were sent.
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self._expected):
            log.warning(
                "wrong API token from %s for %s %s",
                request.remote,
                request.method,
                printable(request.path),
            )
            raise ApiError(401, "Wrong token: check NEWSBOT_API_TOKEN.", _CHALLENGE)
