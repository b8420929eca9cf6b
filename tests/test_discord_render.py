"""Rendering service results for Discord: limits, escaping, trimming (no client needed)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.discord import render
from bot.discord.cooldown import Cooldowns, OnCooldown
from index.models import (
    Answer,
    ArticleSummary,
    Passage,
    PassageView,
    Problem,
    Quote,
    ReindexReport,
    SearchHit,
    Source,
    SourceView,
    Span,
)

SOURCE = Source(
    article_id="belarus-china",
    title="Belarus and China Plan on Increasing Ties",
    author="Staff",
    publisher="BelTA",
    url="https://example.org/belarus_china",
    published=date(2019, 4, 1),
)


def quote(text: str, pid: str = "belarus-china:2", speaker: str | None = "Lukashenko") -> Quote:
    return Quote(
        text=text, start=0, end=len(text), passage_id=pid, score=1.0, speaker=speaker, source=SOURCE
    )


def long_text(chars: int) -> str:
    sentence = "The delegation discussed trade, transport and the new industrial park near Minsk. "
    return (sentence * (chars // len(sentence) + 1))[:chars].rstrip()


def test_answer_text_has_quote_speaker_linked_source_and_passage_id() -> None:
    answer = Answer(question="q?", answered=True, quotes=(quote("Ties matter, he said."),))
    text = render.answer_text(answer).content
    assert text is not None
    assert "> Ties matter, he said." in text
    assert "Lukashenko" in text
    assert (
        "[Belarus and China Plan on Increasing Ties](<https://example.org/belarus_china>)" in text
    )
    assert "Staff, BelTA, 2019-04-01" in text
    assert "`belarus-china:2`" in text


def test_reported_speech_is_marked_under_the_quote() -> None:
    said = quote("Lukashenko also declared that there are no obstacles.")
    reported = Answer(
        question="q?", answered=True, quotes=(said.model_copy(update={"speech": "reported"}),)
    )
    assert "— Lukashenko (reported speech)" in (render.answer_text(reported).content or "")
    direct = Answer(question="q?", answered=True, quotes=(quote("“We are ready,” he said."),))
    assert "(reported speech)" not in (render.answer_text(direct).content or "")


def test_markdown_in_quotes_is_escaped_and_mentions_left_verbatim() -> None:
    answer = Answer(
        question="q", answered=True, quotes=(quote("**Vote** now, `@everyone` said ~~nobody~~."),)
    )
    text = render.answer_text(answer).content or ""
    assert "\\*\\*Vote\\*\\*" in text
    assert "\\`@everyone\\`" in text
    assert "\\~\\~nobody\\~\\~" in text
    assert render.Reply(content=text).kwargs()["allowed_mentions"].to_dict()["parse"] == []


def test_heading_and_list_markers_at_line_start_are_escaped() -> None:
    text = render.escape("# Big\n- item\n1. first")
    assert text.splitlines() == ["\\# Big", "\\- item", "1\\. first"]


def test_unsafe_url_is_not_linked() -> None:
    bad = SOURCE.model_copy(update={"url": "javascript:alert(1)"})
    line = render.source_line(bad, in_embed=True)
    assert "](" not in line and "javascript" not in line


@pytest.mark.parametrize("chars", [3000, 9000])
def test_long_answers_are_trimmed_at_a_sentence_with_a_hint(chars: int) -> None:
    answer = Answer(question="q", answered=True, quotes=(quote(long_text(chars)),))
    text = render.answer_text(answer).content or ""
    assert len(text) <= render.CONTENT_MAX
    quoted = text.split("\n— ")[0]
    assert quoted.endswith("Minsk. …")  # cut after a full sentence, marked
    assert "/source belarus-china:2" in text
    embed = render.answer_embed(answer).embed
    assert embed is not None and render.embed_fits(embed)


def test_many_long_quotes_share_the_embed_and_all_keep_their_sources() -> None:
    quotes = tuple(quote(long_text(3000), pid=f"belarus-china:{i}") for i in range(10))
    answer = Answer(question="Why? " * 100, answered=True, quotes=quotes)
    embed = render.answer_embed(answer).embed
    assert embed is not None and render.embed_fits(embed)
    description = embed.description or ""
    shown = [i for i in range(10) if f"`belarus-china:{i}`" in description]
    assert shown == list(range(len(shown))) and len(shown) >= 3
    if len(shown) < 10:
        assert f"{10 - len(shown)} more quotes not shown" in description


def test_no_answer_says_so_and_points_to_search_and_articles() -> None:
    answer = Answer(question="q", answered=False, reason="Nothing close enough.")
    for reply in (render.answer_text(answer), render.answer_embed(answer)):
        text = reply.content or (reply.embed.description if reply.embed else "") or ""
        assert "couldn't find" in text and "/search" in text and "/articles" in text
        assert "Nothing close enough." in text


def test_search_embed_fits_with_25_long_hits() -> None:
    hits = [
        SearchHit(
            passage_id=f"a{i}:0",
            score=10 - i / 10,
            text=long_text(5000),
            start=0,
            end=5000,
            source=SOURCE.model_copy(update={"title": "T" * 300}),
        )
        for i in range(25)
    ]
    embed = render.search_embed("trade " * 200, hits).embed
    assert embed is not None and render.embed_fits(embed)
    assert len(embed.fields) == 25
    assert all(f"`a{i}:0`" in (field.value or "") for i, field in enumerate(embed.fields))


def test_source_embed_for_a_long_passage_fits_and_keeps_the_context_order() -> None:
    text = long_text(6000)
    passage = Passage(
        id="belarus-china:4",
        article_id="belarus-china",
        ordinal=4,
        start=0,
        end=len(text),
        text=text,
        sentences=(Span(start=0, end=10),),
    )
    view = SourceView(
        kind="passage",
        article=ArticleSummary(id="belarus-china", title=SOURCE.title, passages=9),
        passage=PassageView(
            passage=passage, source=SOURCE, before="Before it. " * 300, after="After it. " * 300
        ),
    )
    embed = render.source_embed(view).embed
    assert embed is not None and render.embed_fits(embed)
    description = embed.description or ""
    assert description.index("Before it.") < description.index("> The delegation")
    assert description.index("> The delegation") < description.index("After it.")
    assert "`belarus-china:4`" in description


def test_articles_pages_and_reindex_summary_fit() -> None:
    articles = [
        ArticleSummary(id=f"id-{i}", title=f"Title {i} " * 40, publisher="P" * 100, passages=i)
        for i in range(23)
    ]
    last = render.articles_embed(articles, 99).embed
    assert last is not None and render.embed_fits(last)
    assert last.footer.text and last.footer.text.startswith("Page 3/3")
    report = ReindexReport(
        added=tuple(f"new-{i}" for i in range(500)),
        skipped=tuple(Problem(path=f"bad{i}.md", reason="not UTF-8") for i in range(200)),
        articles=500,
        passages=4000,
        seconds=2.5,
    )
    embed = render.reindex_embed(report).embed
    assert embed is not None and render.embed_fits(embed)
    assert "more" in (embed.fields[-1].value or "")


def test_cooldown_per_user_then_per_channel() -> None:
    now = [100.0]
    cooldowns = Cooldowns(user_seconds=5, channel_seconds=1, clock=lambda: now[0])
    cooldowns.hit(1, 10)
    with pytest.raises(OnCooldown, match="Try again in 5 seconds"):
        cooldowns.hit(1, 11)
    with pytest.raises(OnCooldown, match="channel is busy"):
        cooldowns.hit(2, 10)
    now[0] += 1.0
    cooldowns.hit(2, 10)
    now[0] += 4.0
    cooldowns.hit(1, 12)


def test_brackets_in_a_linked_title_are_escaped_once() -> None:
    line = render.linked_title("A [b] title [x](y)", "https://e.org/a", in_embed=True)
    assert line == "**[A \\[b\\] title \\[x\\](y)](https://e.org/a)**"
