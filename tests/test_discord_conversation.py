"""Conversations on Discord end to end: the real client and service against the fake Discord,
on the bundled corpus plus three dated Riverton articles, with the clock fixed at 2024-03-15.

Follow-ups in a thread, in a reply to an answer and in a DM; "more" to the end; dates; the
article text paged with ◀ ▶; 📄 a quote in context; a restart that keeps the conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.discord.client import NewsBot, create_bot
from bot.service import NewsService
from bot.settings import Settings
from tests.conftest import HEADLINE, HEADLINE_QUOTE, HEADLINE_QUOTE_2, HEADLINE_TITLE, copy_corpus
from tests.conversation_articles import write_dated
from tests.fake_discord import FakeDiscord, message_text

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(60)]

TODAY = date(2024, 3, 15)
EPHEMERAL = 1 << 6
COMMANDS = ["ask", "search", "source", "articles", "reindex", "add", "remove", "feeds", "feedback"]


@dataclass
class Harness:
    fake: FakeDiscord
    bot: NewsBot
    service: NewsService
    serving: asyncio.Task[None]
    settings: Settings


async def start_bot(
    fake: FakeDiscord, settings: Settings
) -> tuple[NewsBot, NewsService, asyncio.Task[None]]:
    service = NewsService(settings)
    service.today = lambda: TODAY
    await service.start()
    bot = create_bot(settings, service, guild_ready_timeout=0.05)
    ready = asyncio.Event()
    serving = asyncio.create_task(bot.serve(fake.token, ready_event=ready))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait({serving, waiter}, timeout=10, return_when="FIRST_COMPLETED")
    waiter.cancel()
    if serving.done():
        serving.result()
    assert ready.is_set(), "the bot did not become ready"
    return bot, service, serving


async def stop_bot(h: Harness) -> None:
    h.serving.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await h.serving
    await h.service.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    root = tmp_path_factory.mktemp("conversation")
    corpus = copy_corpus(root / "corpus")
    write_dated(corpus)
    async with FakeDiscord() as fake:
        settings = Settings(
            discord_token=fake.token,
            discord_api_base=fake.api_base,
            corpus_dir=corpus,
            data_dir=root / "data",
            dev_guild_ids=[fake.guild_id],
            ask_cooldown_seconds=0,
            channel_cooldown_seconds=0,
            reindex_in_process=False,
        )
        bot, service, serving = await start_bot(fake, settings)
        await fake.wait_commands_synced(names=COMMANDS, guild_id=fake.guild_id)
        harness = Harness(fake, bot, service, serving, settings)
        try:
            yield harness
        finally:
            await stop_bot(harness)
        fake.assert_no_unknown_routes()


# ---- helpers
async def say(
    h: Harness, text: str, *, channel_id: int | None = None, **options: Any
) -> dict[str, Any]:
    """A member posts ``text``; returns the bot's reply."""
    channel = channel_id or h.fake.channel_id
    asked = await h.fake.send_message(text, channel_id=channel, **options)
    return await h.fake.wait_for_message(after=asked, timeout=10)


async def dm(h: Harness, text: str) -> dict[str, Any]:
    asked = await h.fake.send_dm(text)
    return await h.fake.wait_for_message(
        after=asked, channel_id=int(asked["channel_id"]), timeout=10
    )


async def open_thread(h: Harness, question: str) -> tuple[int, dict[str, Any]]:
    first = await say(h, question, mentions=[h.fake.bot_user])
    return int(first["channel_id"]), first


def quotes_in(message: dict[str, Any]) -> list[str]:
    """The quotes a plain-text answer shows (its "> " blocks)."""
    blocks, current = [], []
    for line in (message.get("content") or "").splitlines():
        if line.startswith(">"):
            current.append(line.lstrip("> ").strip())
        elif current:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return [b for b in blocks if b]


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for row in message.get("components") or []:
        for item in row.get("components") or []:
            key = item.get("label") or (item.get("emoji") or {}).get("name")
            out[key] = item
    return out


def plain(text: str) -> str:
    """Rendered markdown back to words (escapes, bold, italics dropped)."""
    return re.sub(r"\\(.)", r"\1", text).replace("**", "").replace("*", "")


# ---- the conversation of the issue
async def test_thread_follow_ups_more_who_and_where(h: Harness) -> None:
    thread_id, first = await open_thread(h, HEADLINE)
    assert thread_id != h.fake.channel_id  # answered in a thread of its own
    assert HEADLINE_QUOTE in message_text(first)
    shown_first = quotes_in(first)

    more = await say(h, "What else did he say?", channel_id=thread_id)
    text = plain(message_text(more))
    assert "→ What else did Lukashenko say?" in text
    assert HEADLINE_QUOTE_2 in text
    assert "— Lukashenko" in text
    assert set(quotes_in(more)).isdisjoint(shown_first)

    who = await say(h, "Who said that?", channel_id=thread_id)
    assert plain(message_text(who)).startswith("Lukashenko said that")
    assert not who.get("components")  # a reply about the answer, nothing to rate

    where = await say(h, "Where is that from?", channel_id=thread_id)
    assert HEADLINE_TITLE in plain(message_text(where))
    assert "I couldn't find" not in message_text(where)


async def test_reply_to_an_answer_continues_its_conversation(h: Harness) -> None:
    fake = h.fake
    channel = fake.no_thread_channel_id  # no threads here: the bot replies in place
    first = await say(h, HEADLINE, channel_id=channel, mentions=[fake.bot_user])
    assert int(first["channel_id"]) == channel
    # A reply (no mention) to the bot's answer is a follow-up in that answer's conversation.
    more = await say(h, "more", channel_id=channel, reply_to=first)
    assert HEADLINE_QUOTE_2 in message_text(more)
    who = await say(h, "Who said that?", channel_id=channel, reply_to=more)
    assert plain(message_text(who)).startswith("Lukashenko said that")
    # A plain message in the channel, replying to nobody, is still ignored.
    mark = fake.mark()
    await fake.send_message("Who said that?", channel_id=channel)
    await asyncio.sleep(0.3)
    assert not [
        r for r in fake.requests[mark:] if r.route == "POST /channels/{channel_id}/messages"
    ]


async def test_reply_to_an_ask_answer_continues_its_conversation(h: Harness) -> None:
    answer = await (await h.fake.slash("ask", {"question": HEADLINE})).final()
    assert HEADLINE_QUOTE in message_text(answer)
    channel = int(answer["channel_id"])
    more = await say(h, "What else did he say?", channel_id=channel, reply_to=answer)
    assert "What else did Lukashenko say?" in plain(message_text(more))
    assert HEADLINE_QUOTE_2 in message_text(more)
    assert HEADLINE_QUOTE not in message_text(more)  # not shown twice
    who = await say(h, "Who said that?", channel_id=channel, reply_to=more)
    assert plain(message_text(who)).startswith("Lukashenko said that")


async def test_dm_follow_ups(h: Harness) -> None:
    first = await dm(h, HEADLINE)
    assert HEADLINE_QUOTE in message_text(first)
    more = await dm(h, "What else did he say?")
    assert "What else did Lukashenko say?" in plain(message_text(more))
    assert HEADLINE_QUOTE_2 in message_text(more)
    link = await dm(h, "Link?")
    assert "has no link" in plain(message_text(link))


async def test_more_pages_to_the_end_and_never_repeats(h: Harness) -> None:
    thread_id, first = await open_thread(h, "What did Kowalski say about the bridge?")
    seen = quotes_in(first)
    assert seen
    for _ in range(6):
        reply = await say(h, "more", channel_id=thread_id)
        if not quotes_in(reply):
            break
        seen += quotes_in(reply)
    else:
        pytest.fail("'more' never reached the end")
    assert "That is all I found from" in plain(message_text(reply))
    assert len(seen) == len(set(seen)) == 6  # all six of the mayor's quotations, once each


async def test_new_person_starts_a_new_topic(h: Harness) -> None:
    thread_id, _ = await open_thread(h, HEADLINE)
    other = await say(h, "What did Kowalski say about the bridge?", channel_id=thread_id)
    assert "→" not in message_text(other)  # taken as asked
    assert "Kowalski" in message_text(other)
    more = await say(h, "What else did he say?", channel_id=thread_id)
    assert "What else did Jan Kowalski say?" in plain(message_text(more)) or (
        "What else did Kowalski say?" in plain(message_text(more))
    )


# ---- dates (the clock is 2024-03-15)
async def test_last_week_with_a_fixed_clock(h: Harness) -> None:
    reply = await say(
        h, "What did Kowalski say about the bridge last week?", mentions=[h.fake.bot_user]
    )
    text = plain(message_text(reply))
    assert "published 2024-03-04 to 2024-03-10" in text
    assert "Riverton Council Approves the New Bridge" in text
    assert "2024-03-05" in text  # each quote shows its date
    assert "Riverton Mayor Presents the City Budget" not in text
    assert "3 undated articles were set aside" in text
    thread_id = int(reply["channel_id"])
    february = await say(h, "And in February?", channel_id=thread_id)
    text = plain(message_text(february))
    assert "published 2024-02-01 to 2024-02-29" in text
    assert "Riverton Mayor Presents the City Budget" in text
    assert "2024-03-05" not in text


async def test_articles_filtered_by_date(h: Harness) -> None:
    listing = await (await h.fake.slash("articles", {"since": "March 2024"})).final()
    text = message_text(listing)
    assert "Articles published since 2024-03-01 (1;" in text
    assert "Riverton Council Approves the New Bridge" in text
    assert "Riverton Library Reopens" not in text  # undated: left out
    ranged = await (
        await h.fake.slash("articles", {"since": "2024-02-01", "until": "last week"})
    ).final()
    assert "(2;" in message_text(ranged)
    bad = await (await h.fake.slash("articles", {"since": "soonish"})).final()
    assert bad["flags"] & EPHEMERAL and "not a date" in message_text(bad)


# ---- sources you can read
async def test_source_pages_through_the_article_text(h: Harness) -> None:
    fake = h.fake
    article_id = "lukashenko-second-visit-china-2023"
    first = await (await fake.slash("source", {"id": article_id})).final()
    text = message_text(first)
    assert "Page 1/4 of the text" in text
    assert "Belarusian President Aleksandr Lukashenko is visiting Beijing" in plain(text)
    controls = buttons(first)
    assert controls["◀ Previous"].get("disabled") and not controls["Next ▶"].get("disabled")
    second = await (await fake.click(first, controls["Next ▶"]["custom_id"])).final()
    assert second["id"] == first["id"]  # the same message, edited
    assert "Page 2/4 of the text" in message_text(second)
    assert "visiting Beijing for high-level talks" not in message_text(second)
    page = second
    for expected in (3, 4):
        page = await (await fake.click(page, buttons(page)["Next ▶"]["custom_id"])).final()
        assert f"Page {expected}/4" in message_text(page)
    assert buttons(page)["Next ▶"].get("disabled")
    assert "outcomes of these talks could shape the future" in plain(message_text(page))
    back = await (await fake.click(page, buttons(page)["◀ Previous"]["custom_id"])).final()
    assert "Page 3/4" in message_text(back)
    direct = await (await fake.slash("source", {"id": article_id, "page": 3})).final()
    assert message_text(direct) == message_text(back)
    beyond = await (await fake.slash("source", {"id": article_id, "page": 9})).final()
    assert beyond["flags"] & EPHEMERAL and "4 pages" in message_text(beyond)


async def test_quote_in_context_marks_the_quoted_sentence(h: Harness) -> None:
    answer = await (await h.fake.slash("ask", {"question": HEADLINE})).final()
    context = [
        b
        for b in (answer.get("components") or [[]])[-1]["components"]
        if "in context" in (b.get("label") or "")
    ]
    assert context
    shown = await (await h.fake.click(answer, context[0]["custom_id"])).final()
    assert shown["flags"] & EPHEMERAL
    description = shown["embeds"][0]["description"]
    assert "**“Expanding ties with China has been a foreign policy priority for us." in description
    assert "quoted words are in bold" in message_text(shown)


# ---- feedback
async def test_a_down_vote_on_a_follow_up_reaches_feedback_and_metrics(h: Harness) -> None:
    from bot.feedback import FeedbackLog
    from bot.metrics import METRICS

    fake = h.fake
    thread_id, _ = await open_thread(h, HEADLINE)
    more = await say(h, "What else did he say?", channel_id=thread_id)
    downs = METRICS.feedback.labels(vote="down")._value.get()
    vote = await (
        await fake.click(more, buttons(more)["👎"]["custom_id"], user=fake.member)
    ).final()
    assert vote["flags"] & EPHEMERAL
    assert METRICS.feedback.labels(vote="down")._value.get() == downs + 1

    refused = await (
        await fake.slash("feedback latest", {}, user=fake.member, enforce_permissions=False)
    ).final()
    assert refused["flags"] & EPHEMERAL and "Only server admins" in message_text(refused)

    listing = await (await fake.slash("feedback latest", {"count": 1}, user=fake.admin)).final()
    assert listing["flags"] & EPHEMERAL
    field = listing["embeds"][0]["fields"][0]
    assert field["name"] == "What else did Lukashenko say?"  # the question as it was read
    assert "asked: What else did he say?" in plain(field["value"])
    assert HEADLINE_QUOTE_2 in plain(field["value"])
    assert f"/channels/{fake.guild_id}/{thread_id}/{more['id']}" in field["value"]  # the message
    stored = FeedbackLog(h.settings.data_dir).latest("down", 1)[0]
    assert f"`{stored.id}`" in field["value"]

    given = await (
        await fake.slash(
            "feedback answer",
            {"id": stored.id, "answer": "necessary efforts for a fruitful development"},
            user=fake.admin,
        )
    ).final()
    assert "Recorded the right answer" in message_text(given)
    items = FeedbackLog(h.settings.data_dir).eval_items()
    item = next(i for i in items if i["question"] == "What else did Lukashenko say?")
    assert item["answers"] == ["necessary efforts for a fruitful development"]
    assert any(HEADLINE_QUOTE_2 in q for q in item["bad_quotes"])
    unknown = await (
        await fake.slash("feedback answer", {"id": "nope", "answer": "x"}, user=fake.admin)
    ).final()
    assert unknown["flags"] & EPHEMERAL and "No 👎 has the id" in message_text(unknown)


# ---- a restart keeps the conversation (last: it replaces the harness's bot)
async def test_restart_keeps_the_conversation(h: Harness) -> None:
    thread_id, _ = await open_thread(h, HEADLINE)
    await stop_bot(h)
    await asyncio.sleep(0)  # nothing of the old bot is left running
    h.bot, h.service, h.serving = await start_bot(h.fake, h.settings)
    who = await say(h, "Who said that?", channel_id=thread_id)
    assert plain(message_text(who)).startswith("Lukashenko said that")
    more = await say(h, "What else did he say?", channel_id=thread_id)
    assert HEADLINE_QUOTE_2 in message_text(more)
    assert (Path(h.settings.data_dir) / "conversations.sqlite").exists()


async def test_reply_to_a_deferred_ask_answer_continues_its_conversation(h: Harness) -> None:
    """A slow /ask is deferred ("thinking…") and its answer edited in: the edited message is the
    one linked to the conversation, so a reply to it (from another member) follows up."""
    saved = h.bot.defer_after
    h.bot.defer_after = 0.0  # defer at once, as for a slow engine
    try:
        handle = await h.fake.slash("ask", {"question": HEADLINE})
        answer = await handle.final(timeout=10)
    finally:
        h.bot.defer_after = saved
    assert handle.response_type == 5 and HEADLINE_QUOTE in message_text(answer)
    more = await say(
        h, "What else did he say?", channel_id=int(answer["channel_id"]), reply_to=answer
    )
    assert "What else did Lukashenko say?" in plain(message_text(more))
    assert HEADLINE_QUOTE_2 in message_text(more)
