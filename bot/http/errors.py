"""The one place where failures become HTTP responses: JSON ``{"error": "..."}`` with a status.

Domain errors (index/errors.py) carry messages meant for people, so they are passed through.
Anything unexpected is logged with its traceback and answered with a generic 500; the traceback
never reaches the client.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot.logtext import printable
from index.errors import (
    BadInput,
    Busy,
    DiskFull,
    IngestRefused,
    Interrupted,
    NewsbotError,
    NotFound,
    ReadOnlyStorage,
    WritesRefused,
)
from index.store import DamagedIndex

log = logging.getLogger(__name__)

RETRY_AFTER_BUSY_SECONDS = 5

# Most specific first: a subclass of one of these maps like its base.
_DOMAIN_STATUS: tuple[tuple[type[NewsbotError], int], ...] = (
    (BadInput, 400),
    (NotFound, 404),
    (IngestRefused, 422),
    (Busy, 429),
    (DiskFull, 507),
    (ReadOnlyStorage, 503),
    # Found by a read (a body that fails its checksum): not the request's fault; the service is
    # not ready from then on, until a reindex rebuilds the index.
    (DamagedIndex, 503),
    (Interrupted, 503),  # the server is being stopped (Ctrl-C): its pass stopped unpublished
    (WritesRefused, 403),
)


class ApiError(Exception):
    """An HTTP-level refusal raised by the adapter itself (auth, limits, body shape)."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def json_error(status: int, message: str, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers, dumps=dumps)


def domain_status(err: NewsbotError) -> int:
    for kind, status in _DOMAIN_STATUS:
        if isinstance(err, kind):
            return status
    return 400  # an unknown NewsbotError subclass still carries a message meant for the user


def _http_exception_message(request: web.Request, err: web.HTTPException) -> str:
    if isinstance(err, web.HTTPNotFound):
        return f"No endpoint {printable(request.path, 100)}. The API is described in docs/http.md."
    if isinstance(err, web.HTTPMethodNotAllowed):
        allowed = ", ".join(sorted(err.allowed_methods))
        return f"{printable(request.method, 20)} is not allowed on {printable(request.path, 100)}; use {allowed}."
    if isinstance(err, web.HTTPRequestEntityTooLarge):
        limit = request.app.get(MAX_BODY_KEY)
        return (
            f"The request body is larger than the limit of {limit:,} bytes."
            if isinstance(limit, int)
            else "The request body is too large."
        )
    return err.reason


MAX_BODY_KEY = web.AppKey("max_body_bytes", int)


@web.middleware
async def error_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as err:
        response = json_error(err.status, err.message, err.headers)
        if err.status == 408:
            response.force_close()  # the rest of a stalled body is not worth waiting for
        return response
    except NewsbotError as err:
        status = domain_status(err)
        if status in (503, 507):
            log.warning("%s %s: %s", printable(request.method, 20), printable(request.path), err)
        headers = {"Retry-After": str(RETRY_AFTER_BUSY_SECONDS)} if status in (429, 503) else None
        return json_error(status, str(err), headers)
    except web.HTTPException as err:
        if err.status < 400:
            raise  # redirects and the like are not errors
        headers = {}
        if isinstance(err, web.HTTPMethodNotAllowed):
            headers["Allow"] = ", ".join(sorted(err.allowed_methods))
        return json_error(err.status, _http_exception_message(request, err), headers)
    except Exception:
        log.exception(
            "unexpected error in %s %s", printable(request.method, 20), printable(request.path)
        )
        return json_error(500, "Internal error; the server log has the details.")
    except BaseException as err:  # a pyo3 panic from an extension (tantivy) is a BaseException
        if isinstance(err, KeyboardInterrupt | SystemExit | asyncio.CancelledError):
            raise
        log.exception(
            "unexpected error in %s %s", printable(request.method, 20), printable(request.path)
        )
        return json_error(500, "Internal error; the server log has the details.")
