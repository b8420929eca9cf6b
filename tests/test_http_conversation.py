"""Conversations, dates and article text over the HTTP API (a real aiohttp server on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.service import NewsService
from tests.conftest import HEADLINE, HEADLINE_QUOTE_2, HEADLINE_TITLE
from tests.conversation_articles import write_dated
from tests.test_http import Api, make_settings, serving


@pytest.fixture
async def api(corpus_dir: Path, data_dir: Path) -> AsyncIterator[Api]:
    write_dated(corpus_dir)
    settings = make_settings(corpus_dir, data_dir)
    service = NewsService(settings)
    service.today = lambda: date(2024, 3, 15)
    await service.start()
    try:
        async with serving(service, settings) as client:
            yield client
    finally:
        await service.close()


async def test_conversation_id_carries_a_follow_up(api: Api) -> None:
    status, first, _ = await api.get("/api/ask", params={"q": HEADLINE})
    assert status == 200 and first["conversation_id"]
    conversation = first["conversation_id"]
    status, more, _ = await api.get(
        "/api/ask", params={"q": "What else did he say?", "conversation_id": conversation}
    )
    assert status == 200 and more["conversation_id"] == conversation
    assert more["read_as"] == "What else did Lukashenko say?" and more["kind"] == "more"
    assert HEADLINE_QUOTE_2 in more["quotes"][0]["text"]
    status, who, _ = await api.get(
        "/api/ask", params={"q": "Who said that?", "conversation_id": conversation}
    )
    assert who["kind"] == "speaker" and who["reply"].startswith("Lukashenko")
    # Without the id the same words have nothing to lean on, and a new conversation starts.
    status, alone, _ = await api.get("/api/ask", params={"q": "Who said that?"})
    assert status == 200 and not alone["answered"]
    assert alone["conversation_id"] != conversation


async def test_a_malformed_conversation_id_is_400(api: Api) -> None:
    for bad in ("x", "discord:conv:1", "a" * 65):
        status, body, _ = await api.get("/api/ask", params={"q": HEADLINE, "conversation_id": bad})
        assert status == 400 and "conversation_id" in body["error"]


async def test_dates_in_questions_and_the_article_filter(api: Api) -> None:
    status, answer, _ = await api.get(
        "/api/ask", params={"q": "What did Kowalski say about the bridge last week?"}
    )
    assert status == 200 and answer["answered"]
    assert {q["source"]["published"] for q in answer["quotes"]} == {"2024-03-05"}
    assert answer["period"]["start"] == "2024-03-04" and answer["period"]["end"] == "2024-03-10"
    assert any("undated" in note for note in answer["notes"])

    status, listed, _ = await api.get(
        "/api/articles", params={"since": "2024-02-01", "until": "2024-02-29"}
    )
    assert status == 200 and [a["id"] for a in listed] == ["riverton-budget"]
    status, listed, _ = await api.get("/api/articles", params={"since": "last week"})
    assert [a["id"] for a in listed] == ["riverton-bridge"]
    status, body, _ = await api.get("/api/articles", params={"until": "someday"})
    assert status == 400 and "'until'" in body["error"] and "not a date" in body["error"]


async def test_source_text_paged_full_and_marked(api: Api) -> None:
    article_id = "lukashenko-second-visit-china-2023"
    status, view, _ = await api.get(f"/api/sources/{article_id}")
    assert status == 200 and view["text"]["page"] == 1 and view["text"]["pages"] > 1
    status, second, _ = await api.get(f"/api/sources/{article_id}", params={"page": "2"})
    assert (
        second["text"]["start"] == view["text"]["end"]
        or second["text"]["start"] > view["text"]["end"]
    )
    status, full, _ = await api.get(f"/api/sources/{article_id}", params={"full": "1"})
    assert full["text"]["start"] == 0 and len(full["text"]["text"]) > len(view["text"]["text"])
    status, body, _ = await api.get(f"/api/sources/{article_id}", params={"page": "99"})
    assert status == 400 and "pages" in body["error"]

    status, answer, _ = await api.get("/api/ask", params={"q": HEADLINE})
    quote = answer["quotes"][0]
    ref = f"{quote['passage_id']}@{quote['start']}-{quote['end']}"
    status, marked, _ = await api.get(f"/api/sources/{ref}")
    assert status == 200 and marked["kind"] == "passage"
    assert marked["mark"] == {"start": quote["start"], "end": quote["end"]}
    assert marked["article"]["title"] == HEADLINE_TITLE
