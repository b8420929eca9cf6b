"""Reading request bodies: never before the token check, never forever, never unbounded.

aiohttp's own decompression is off for the API (``auto_decompress=False`` in app.py): it would
inflate a body even for a request that is then refused, and after a 401 it drains the unread
body through the decompressor. Here a compressed JSON body is inflated only after the handler
has authenticated the caller, in bounded steps, and cut off at the body limit (413) — a 1 MB
gzip "bomb" that inflates to 1 GB costs a few milliseconds. Every read has a deadline (408).
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable
from typing import TypeVar

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from bot.http.errors import ApiError

T = TypeVar("T")

_DECODERS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_STEP = 64 * 1024


def content_encoding(request: web.Request) -> str:
    return request.headers.get("Content-Encoding", "identity").strip().lower() or "identity"


async def within(request: web.Request, seconds: float, reading: Awaitable[T]) -> T:
    """``reading`` with a deadline: 408 and a closed connection when the client is too slow."""
    try:
        async with asyncio.timeout(seconds):
            return await reading
    except TimeoutError:
        raise ApiError(
            408,
            f"The request body did not arrive within {seconds:g} s "
            "(NEWSBOT_HTTP_BODY_TIMEOUT_SECONDS). Send it in one go.",
        ) from None


async def read_body(request: web.Request, limit: int, timeout: float) -> bytes:
    """The whole body, decompressed when it says gzip or deflate, at most ``limit`` bytes."""
    encoding = content_encoding(request)
    if encoding != "identity" and encoding not in _DECODERS:
        raise ApiError(
            415, f"Content-Encoding '{encoding[:40]}' is not supported; send gzip or no encoding."
        )
    try:
        raw = await within(request, timeout, request.read())
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(
            413, f"The request body is larger than the limit of {limit:,} bytes."
        ) from None
    except HttpProcessingError:
        raise ApiError(400, "The request body is malformed (broken chunked encoding).") from None
    if encoding == "identity":
        return raw
    return inflate(raw, _DECODERS[encoding], limit)


def inflate(raw: bytes, wbits: int, limit: int) -> bytes:
    """Decompress ``raw`` in steps; 413 as soon as the output passes ``limit``."""
    decoder = zlib.decompressobj(wbits)
    out = bytearray()
    pending = raw
    try:
        while pending or not decoder.eof:
            chunk = decoder.decompress(pending, _STEP)
            out += chunk
            if len(out) > limit:
                raise ApiError(
                    413,
                    f"The request body inflates to more than the limit of {limit:,} bytes "
                    "(NEWSBOT_MAX_BODY_BYTES).",
                )
            pending = decoder.unconsumed_tail
            if not chunk and not pending:
                break
    except zlib.error:
        raise ApiError(400, "The request body is not valid gzip/deflate data.") from None
    if not decoder.eof:
        raise ApiError(400, "The request body is truncated gzip/deflate data.")
    if decoder.unused_data:
        raise ApiError(400, "The request body has data after its gzip/deflate stream.")
    return bytes(out)
