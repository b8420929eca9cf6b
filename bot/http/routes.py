"""The endpoints: thin adapters from HTTP to ``NewsService`` and back to the JSON of index/models.

Responses are the same JSON as the CLI's ``--json`` (``model_dump(mode="json")``). Failures are
raised, never rendered here: bot/http/errors.py turns them into ``{"error": ...}``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from bot.conversations import Conversations
from bot.http.body import content_encoding, read_body, within
from bot.http.errors import ApiError, dumps
from bot.http.schemas import (
    ADD_ARTICLE_EXAMPLE,
    AddArticleRequest,
    day_param,
    int_param,
    parse_body,
)
from bot.http.state import state_of
from bot.http.uploads import read_upload
from bot.service import MAX_QUOTES, MAX_SEARCH_LIMIT
from index.models import AddResult

MAX_PAGE = 10_000  # articles in one page of /api/articles
MAX_OFFSET = 1_000_000_000

routes = web.RouteTableDef()


# A list longer than this is turned into JSON in a worker thread: 50,000 article summaries take
# about 0.16 s, which on the event loop would hold up /healthz and every answer meanwhile.
OFF_LOOP_ITEMS = 500


def model_response(data: BaseModel | Iterable[BaseModel], status: int = 200) -> web.Response:
    if isinstance(data, BaseModel):
        body: Any = data.model_dump(mode="json")
    else:
        body = [item.model_dump(mode="json") for item in data]
    return web.json_response(body, status=status, dumps=dumps)


async def list_response(items: list[BaseModel]) -> web.Response:
    """``model_response`` for a list that may be long: off the event loop when it is."""
    if len(items) <= OFF_LOOP_ITEMS:
        return model_response(items)
    body = await asyncio.to_thread(lambda: dumps([item.model_dump(mode="json") for item in items]))
    return web.Response(text=body, content_type="application/json")


# ---- probes
@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    state = state_of(request)
    reason = state.not_ready_reason()
    if reason is not None:
        return web.json_response(
            {"status": "not ready", "error": f"Not ready: {reason}."}, status=503
        )
    return web.json_response(
        {"status": "ready", "reindexing": bool(state.service.reindexing)}, dumps=dumps
    )


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    # Rendering reads the index size; do it off the loop like every other index read.
    body, content_type = await asyncio.to_thread(
        state_of(request).metrics.render, request.headers.get("Accept")
    )
    return web.Response(body=body, headers={"Content-Type": content_type})


# ---- reading
@routes.get("/api/ask")
async def ask(request: web.Request) -> web.Response:
    state = state_of(request)
    service = state.ready_service()
    k = int_param(request.query.get("k"), "k", default=None, low=1, high=MAX_QUOTES)
    # Every answer names its conversation; send it back as conversation_id to ask a follow-up.
    given = request.query.get("conversation_id", "").strip()
    public = Conversations.check_id(given) if given else Conversations.new_id()
    started = time.perf_counter()
    answer = await service.ask(request.query.get("q", ""), k, conversation=f"http:{public}")
    state.metrics.observe_ask(time.perf_counter() - started, via="http")
    return model_response(answer.model_copy(update={"conversation_id": public}))


@routes.get("/api/search")
async def search(request: web.Request) -> web.Response:
    service = state_of(request).ready_service()
    limit = int_param(request.query.get("limit"), "limit", default=10, low=1, high=MAX_SEARCH_LIMIT)
    return model_response(await service.search(request.query.get("q", ""), limit))


@routes.get("/api/sources/{id}")
async def source(request: web.Request) -> web.Response:
    service = state_of(request).ready_service()
    page = int_param(request.query.get("page"), "page", default=1, low=1, high=100_000) or 1
    full = request.query.get("full", "").strip().lower() in {"1", "true", "yes"}
    return model_response(await service.source(request.match_info["id"], page=page, full=full))


@routes.get("/api/articles")
async def articles(request: web.Request) -> web.Response:
    service = state_of(request).ready_service()
    today = service.today()
    since, until = (
        day_param(request.query.get(name), name, today, end=name == "until")
        for name in ("since", "until")
    )
    # Pages on request (no limit: the whole list, as before): the total in X-Total-Count and
    # the next page in a Link header (RFC 8288), so a client pages without counting itself.
    limit = int_param(request.query.get("limit"), "limit", default=None, low=1, high=MAX_PAGE)
    offset = int_param(request.query.get("offset"), "offset", default=0, low=0, high=MAX_OFFSET)
    assert offset is not None
    found = list(await service.articles(since=since, until=until))
    page = found[offset:] if limit is None else found[offset : offset + limit]
    response = await list_response(page)
    response.headers["X-Total-Count"] = str(len(found))
    if limit is not None and offset + limit < len(found):
        following = request.rel_url.update_query(limit=limit, offset=offset + limit)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


# ---- admin (bearer token)
@routes.post("/api/articles")
async def add_article(request: web.Request) -> web.Response:
    state = state_of(request)
    state.auth.require(request)  # before a byte of the body is read
    state.service.check_writable()  # a read-only replica refuses before reading the body
    service = state.ready_service()
    settings = state.settings
    if request.content_type == "application/json":
        raw = await read_body(request, settings.max_body_bytes, settings.http_body_timeout_seconds)
        body = parse_body(AddArticleRequest, raw, ADD_ARTICLE_EXAMPLE)
        results: Any = await service.add_url(body.url)
    elif request.content_type == "multipart/form-data":
        if content_encoding(request) != "identity":
            raise ApiError(415, "Send multipart uploads without a Content-Encoding.")
        filename, data = await within(
            request,
            settings.http_body_timeout_seconds,
            read_upload(request, settings.max_upload_bytes),
        )
        results = await service.add_file(filename, data)
    else:
        raise ApiError(
            415,
            f"Send JSON {ADD_ARTICLE_EXAMPLE} (Content-Type: application/json) or a "
            "multipart/form-data upload with a 'file' field.",
        )
    # Always a list, like `newsbot add --json`: one upload (a .jsonl) can hold several articles.
    return await list_response([results] if isinstance(results, AddResult) else list(results))


@routes.delete("/api/articles/{id}")
async def remove_article(request: web.Request) -> web.Response:
    state = state_of(request)
    state.auth.require(request)
    state.service.check_writable()
    service = state.ready_service()
    return model_response(await service.remove(request.match_info["id"]))


@routes.post("/api/reindex")
async def reindex(request: web.Request) -> web.Response:
    state = state_of(request)
    state.auth.require(request)
    # No readiness gate: rebuilding is how an admin repairs a missing index.
    return model_response(await state.service.reindex())
