"""Service results → Discord messages, always within Discord's limits.

Pure functions: they build ``Reply`` objects (content and/or an embed) and never talk to Discord,
so the limits are checked once here and unit-tested without a client. Quoted article text is
markdown-escaped and never changed otherwise; pings are prevented by ``NO_MENTIONS`` on every
send (see ``Reply.kwargs``), not by rewriting the quote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import discord

from index.models import (
    AddResult,
    Answer,
    ArticleSummary,
    Progress,
    Quote,
    ReindexReport,
    SearchHit,
    Source,
    SourceView,
    Span,
)

# Discord's documented limits.
CONTENT_MAX = 2000
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FIELDS_MAX = 25
EMBED_FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
CHOICE_MAX = 100
CHOICES_MAX = 25
THREAD_NAME_MAX = 100

NO_MENTIONS = discord.AllowedMentions.none()
ELLIPSIS = "…"
ARTICLES_PER_PAGE = 10
# Below this many characters a quote is not worth showing; drop it instead of mangling it.
MIN_QUOTE_BUDGET = 80

ANSWER_COLOUR = discord.Colour(0x2B6CB0)
NO_ANSWER_COLOUR = discord.Colour(0x718096)
ADMIN_COLOUR = discord.Colour(0x2F855A)


@dataclass(frozen=True)
class Reply:
    """One message: text, an embed, or both."""

    content: str | None = None
    embed: discord.Embed | None = None

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for send/edit; always with mentions disabled."""
        out: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
        out["content"] = self.content
        if self.embed is not None:
            out["embed"] = self.embed
        return out


# ---- text helpers
_NUMBERED_LIST = re.compile(r"^(\s*\d+)\.(?=\s)", re.MULTILINE)
_BRACKET = re.compile(r"(?<!\\)[\[\]]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s)")


def escape(text: str) -> str:
    """Escape Discord markdown so article text shows literally (links stay clickable)."""
    escaped = discord.utils.escape_markdown(text)
    return _NUMBERED_LIST.sub(r"\1\\.", escaped)


def clip(text: str, limit: int) -> str:
    """Cut plain text (names, titles) to ``limit`` characters with a visible ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def trim_at_sentence(text: str, limit: int) -> tuple[str, bool]:
    """Cut ``text`` to at most ``limit`` chars at a sentence end (else a word end), marked "…"."""
    if len(text) <= limit:
        return text, False
    room = max(limit - 2, 1)  # space for " …"
    head = text[:room]
    ends = [m.end() for m in _SENTENCE_END.finditer(head + " ")]
    cut = ends[-1] if ends and ends[-1] >= room // 3 else 0
    if not cut:
        space = head.rfind(" ")
        cut = space if space >= room // 3 else room
    return text[:cut].rstrip() + " " + ELLIPSIS, True


def fit_escaped(text: str, limit: int) -> tuple[str, bool]:
    """Trim then escape so the *escaped* text fits ``limit`` (escaping adds backslashes)."""
    budget = limit
    trimmed = False
    while True:
        cut, was_cut = trim_at_sentence(text, budget)
        escaped = escape(cut)
        trimmed = trimmed or was_cut
        if len(escaped) <= limit or budget <= 1:
            return escaped[:limit], trimmed
        budget -= len(escaped) - limit + 1


def quote_block(escaped: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in escaped.splitlines() or [""])


def inline_code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def safe_url(url: str | None) -> str | None:
    """A URL usable in a masked link, or None (no scheme tricks, nothing that breaks the syntax)."""
    if not url or not re.fullmatch(r"https?://[^\s()<>]+", url):
        return None
    return url


def linked_title(title: str, url: str | None, *, in_embed: bool, limit: int = 200) -> str:
    # Brackets would end the link text early; escape those escape_markdown left alone.
    shown = _BRACKET.sub(r"\\\g<0>", escape(clip(title, limit)))
    link = safe_url(url)
    if link is None:
        return f"**{shown}**"
    # <url> stops a preview card in plain messages; embeds never preview links.
    target = link if in_embed else f"<{link}>"
    return f"**[{shown}]({target})**"


def source_line(source: Source | ArticleSummary, *, in_embed: bool) -> str:
    """title (linked when the URL is known) — author, publisher, date."""
    title = source.title
    url = source.url
    meta = [
        escape(clip(part, 80))
        for part in (source.author, source.publisher)
        if part and part.strip()
    ]
    meta.append(source.published.isoformat() if source.published is not None else "undated")
    line = linked_title(title, url, in_embed=in_embed)
    return f"{line} — {', '.join(meta)}" if meta else line


# ---- answers
def _quote_meta(quote: Quote, *, in_embed: bool) -> str:
    """The lines under a quote: speaker (when known), source, passage id."""
    lines = []
    if quote.speaker:
        reported = " (reported speech)" if quote.speech == "reported" else ""
        lines.append(f"— {escape(clip(quote.speaker, 80))}{reported}")
    lines.append(source_line(quote.source, in_embed=in_embed))
    lines.append(f"passage {inline_code(quote.passage_id)}")
    return "\n".join(lines)


# Room kept for the trailing "trimmed" / "more quotes" note.
_NOTE_RESERVE = 160
# "> " on the first quote line, the newline after the block, the blank line between quotes.
_QUOTE_OVERHEAD = 6


def _render_quotes(quotes: Sequence[Quote], limit: int, *, in_embed: bool) -> str:
    """Every quote verbatim with its source, sharing ``limit`` characters fairly."""
    shown = [(quote, _quote_meta(quote, in_embed=in_embed)) for quote in quotes]

    def room_for_quotes() -> int:
        fixed = sum(len(meta) + _QUOTE_OVERHEAD for _, meta in shown)
        return limit - _NOTE_RESERVE - fixed

    # Drop trailing quotes rather than squeezing each below a readable size.
    while len(shown) > 1 and room_for_quotes() // len(shown) < MIN_QUOTE_BUDGET:
        shown.pop()
    dropped = len(quotes) - len(shown)
    remaining = room_for_quotes()
    trimmed_ids: list[str] = []
    blocks: list[str] = []
    for i, (quote, meta) in enumerate(shown):
        budget = max(remaining // (len(shown) - i), 1)
        # Each extra line of the quote costs another "> ".
        line_cost = 2 * quote.text.count("\n")
        escaped, trimmed = fit_escaped(quote.text, max(budget - line_cost, 1))
        block = quote_block(escaped)
        remaining -= len(block)
        if trimmed:
            trimmed_ids.append(quote.passage_id)
        blocks.append(f"{block}\n{meta}")
    body = "\n\n".join(blocks)
    notes = []
    if trimmed_ids:
        notes.append(
            f"{ELLIPSIS} trimmed; {inline_code('/source ' + clip(trimmed_ids[0], 80))}"
            " shows the full passage."
        )
    if dropped:
        notes.append(f"{dropped} more quote{'s' if dropped > 1 else ''} not shown.")
    if notes:
        body += "\n\n" + " ".join(notes)
    return clip_markdown(body, limit)


def clip_markdown(text: str, limit: int) -> str:
    """Last-resort hard cap for already rendered markdown (never expected to trigger)."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


NO_ANSWER_HINT = (
    "Try `/search` with a few key words to see the closest passages, "
    "or `/articles` to see what is indexed."
)


def no_answer_text(answer: Answer) -> str:
    if answer.kind != "quotes" and answer.reason:  # "more" at the end, a reply with no answer
        return escape(clip(answer.reason, 300))
    lines = ["I couldn't find a quote that answers that in the indexed articles."]
    if answer.reason:
        lines.append(escape(clip(answer.reason, 300)))
    lines.append(NO_ANSWER_HINT)
    return "\n".join(lines)


def read_as_line(answer: Answer) -> str:
    """ "→ What else did Lukashenko say?": how a follow-up (or a dated question) was read."""
    if not answer.read_as:
        return ""
    return f"→ *{escape(clip(answer.read_as, 300))}*"


def notes_line(answer: Answer) -> str:
    return "\n".join(f"-# {escape(clip(note, 300))}" for note in answer.notes[:3])


def reply_text(answer: Answer, *, in_embed: bool) -> str:
    """A reply about the last answer (who said it, where it is from, its link or date)."""
    quote = answer.quotes[0]
    source = quote.source
    where = source_line(source, in_embed=in_embed)
    if answer.kind == "speaker":
        if quote.speaker:
            return f"**{escape(clip(quote.speaker, 80))}** said that, in {where}."
        return f"{where} does not say who said that: it is the article's own text."
    if answer.kind == "link":
        link = safe_url(source.url)
        if link is None:
            return f"{where} has no link. {inline_code('/source ' + clip(source.article_id, 80))} shows its text."
        return f"{link}\n{where}" if in_embed else f"<{link}>\n{where}"
    if answer.kind == "date":
        if source.published is None:
            return f"{where} has no publication date."
        return f"Published on {source.published.isoformat()}: {where}."
    return f"That is from {where}, passage {inline_code(quote.passage_id)}."


def _compose(answer: Answer, limit: int, *, in_embed: bool) -> str:
    """The read-as line, the quotes (or a reply, or why there is no answer), the notes."""
    head = read_as_line(answer)
    tail = notes_line(answer)
    room = limit - len(head) - len(tail) - 4
    if answer.answered and answer.quotes and answer.kind in {"speaker", "source", "link", "date"}:
        body = clip_markdown(reply_text(answer, in_embed=in_embed), room)
    elif answer.answered and answer.quotes:
        body = _render_quotes(answer.quotes, room, in_embed=in_embed)
    else:
        body = clip_markdown(no_answer_text(answer), room)
    return "\n".join(part for part in (head, body, tail) if part)


def answer_embed(answer: Answer) -> Reply:
    """The answer to /ask as an embed (question as the title, quotes in the description)."""
    title = clip(answer.question, EMBED_TITLE_MAX)
    description = _compose(answer, EMBED_DESCRIPTION_MAX, in_embed=True)
    if not answer.answered or not answer.quotes:
        embed = discord.Embed(title=title, description=description, colour=NO_ANSWER_COLOUR)
        return Reply(embed=embed)
    embed = discord.Embed(title=title, description=description, colour=ANSWER_COLOUR)
    embed.set_footer(
        text="Verbatim quotes from the indexed articles · /source ID shows the context"
    )
    return Reply(embed=embed)


def answer_text(answer: Answer) -> Reply:
    """The answer to a mention or thread follow-up as a plain message (≤ 2,000 chars)."""
    return Reply(content=_compose(answer, CONTENT_MAX, in_embed=False))


# ---- search, sources, articles
def search_embed(query: str, hits: Sequence[SearchHit]) -> Reply:
    title = clip(f"Search: {query}", 200)
    if not hits:
        text = "No passage matches that. Try other words, or `/articles` to see what is indexed."
        return Reply(embed=discord.Embed(title=title, description=text, colour=NO_ANSWER_COLOUR))
    hits = list(hits)[:EMBED_FIELDS_MAX]
    embed = discord.Embed(title=title, colour=ANSWER_COLOUR)
    # Names get at most half of the 6,000 total, the snippets share the rest.
    name_max = min(EMBED_FIELD_NAME_MAX, 3000 // len(hits))
    names = [clip(f"{i}. {hit.source.title}", name_max) for i, hit in enumerate(hits, 1)]
    footer = "/source ID shows a passage with its context"
    room = EMBED_TOTAL_MAX - len(title) - len(footer) - sum(len(n) for n in names) - 50
    per_hit = min(EMBED_FIELD_VALUE_MAX, room // len(hits))
    for name, hit in zip(names, hits, strict=True):
        head = f"score {hit.score:.2f} · {inline_code(clip(hit.passage_id, 100))}\n"
        snippet, _ = fit_escaped(" ".join(hit.text.split()), max(per_hit - len(head) - 2, 20))
        value = clip_markdown(head + quote_block(snippet), per_hit)
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text=footer)
    return Reply(embed=embed)


def _article_meta(article: ArticleSummary) -> str:
    lines = [source_line(article, in_embed=True)]
    lines.append(f"id {inline_code(article.id)} · {article.passages} passages · {article.language}")
    return "\n".join(lines)


def _id_list(ids: Sequence[str], limit: int) -> str:
    out = ""
    for i, ident in enumerate(ids):
        piece = (", " if out else "") + inline_code(ident)
        more = f" … and {len(ids) - i} more"
        if len(out) + len(piece) + len(more) > limit:
            return out + more
        out += piece
    return out or "none"


def source_embed(view: SourceView) -> Reply:
    article = view.article
    title = clip(article.title, EMBED_TITLE_MAX)
    url = safe_url(article.url)
    if view.kind != "passage" or view.passage is None:
        return _article_embed(view, title, url)
    pv = view.passage
    meta = source_line(pv.source, in_embed=True) + f"\npassage {inline_code(pv.passage.id)}"
    budget = EMBED_DESCRIPTION_MAX - len(meta) - 20
    if view.mark is not None:
        passage = _marked(pv.passage.text, pv.passage.start, view.mark, min(budget - 400, 3000))
    else:
        passage, _ = fit_escaped(pv.passage.text, min(budget - 400, 3000))
    context_room = max((budget - len(quote_block(passage))) // 2, 0)
    before = _context_before(pv.before, context_room)
    after = _context_after(pv.after, context_room)
    parts = [p for p in (before, quote_block(passage), after) if p]
    description = clip_markdown("\n".join(parts) + "\n\n" + meta, EMBED_DESCRIPTION_MAX)
    embed = discord.Embed(title=title, url=url, description=description, colour=ANSWER_COLOUR)
    footer = f"Article {clip(article.id, 200)} · {article.passages} passages"
    if view.mark is not None:
        footer = "The quoted words are in bold · " + footer
    embed.set_footer(text=footer)
    return Reply(embed=embed)


def _article_embed(view: SourceView, title: str, url: str | None) -> Reply:
    """An article: its metadata, then a page of its text (◀ ▶ buttons turn the pages)."""
    article = view.article
    meta = _article_meta(article)
    page = view.text
    if page is None:
        description = meta
        footer = "/source ARTICLE-ID:N shows one passage with its context"
    else:
        room = EMBED_DESCRIPTION_MAX - len(meta) - 10
        text, _ = fit_escaped(page.text, room)
        if page.page > 1:
            text = f"{ELLIPSIS} {text}"
        if page.page < page.pages and not text.endswith(ELLIPSIS):
            text += f" {ELLIPSIS}"
        description = f"{meta}\n\n{text}"
        footer = f"Page {page.page}/{page.pages} of the text · /source ARTICLE-ID:N shows a passage"
    embed = discord.Embed(title=title, url=url, description=description, colour=ANSWER_COLOUR)
    embed.add_field(
        name="Passages", value=_id_list(view.passage_ids, EMBED_FIELD_VALUE_MAX), inline=False
    )
    embed.set_footer(text=footer)
    return Reply(embed=embed)


def _marked(text: str, offset: int, mark: Span, limit: int) -> str:
    """``text`` (which starts at article offset ``offset``) escaped, with the marked span in
    bold, line by line (bold cannot cross a line break), cut around the mark to ``limit``."""
    start, end = max(mark.start - offset, 0), min(mark.end - offset, len(text))
    head, body, tail = text[:start], text[start:end], text[end:]
    bold = "\n".join(f"**{escape(line)}**" if line.strip() else line for line in body.split("\n"))
    room = max(limit - len(bold), 0)
    head_room = room // 2
    head_text = escape(head)
    if len(head_text) > head_room:
        head_text = ELLIPSIS + head_text[len(head_text) - head_room + 1 :]
    tail_text, _ = fit_escaped(tail, max(room - len(head_text), 1)) if tail else ("", False)
    return head_text + bold + tail_text


def _context_before(text: str, limit: int) -> str:
    """The end of ``text`` (nearest the passage) in italics, within ``limit`` characters."""
    text = " ".join(text.split())
    if not text or limit < 20:
        return ""
    room = limit - 4
    tail = text
    escaped = escape(tail)
    while len(escaped) > room:
        tail = tail[len(escaped) - room + 1 :]
        space = tail.find(" ")
        if 0 <= space < 40:
            tail = tail[space + 1 :]
        escaped = escape(tail)
    if not escaped:
        return ""
    return f"*{ELLIPSIS} {escaped}*" if tail != text else f"*{escaped}*"


def _context_after(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if not text or limit < 20:
        return ""
    escaped, _ = fit_escaped(text, limit - 2)
    return f"*{escaped}*"


def page_count(total: int, per_page: int = ARTICLES_PER_PAGE) -> int:
    return max((total + per_page - 1) // per_page, 1)


def period_label(since: date | None, until: date | None) -> str:
    """ "published 2024-03-01 to 2024-03-31" for a date filter; "" for none."""
    if since and until:
        return f"published {since.isoformat()} to {until.isoformat()}"
    if since:
        return f"published since {since.isoformat()}"
    if until:
        return f"published up to {until.isoformat()}"
    return ""


def articles_embed(articles: Sequence[ArticleSummary], page: int, *, period: str = "") -> Reply:
    """One page (1-based) of the article list, newest first (``period``: the date filter)."""
    pages = page_count(len(articles))
    page = min(max(page, 1), pages)
    title = f"Indexed articles ({len(articles)})"
    if period:
        title = f"Articles {period} ({len(articles)}; undated ones left out)"
    if not articles and period:
        text = "No article was published then. `/articles` without dates lists everything."
        return Reply(embed=discord.Embed(title=title, description=text, colour=NO_ANSWER_COLOUR))
    if not articles:
        text = "Nothing is indexed yet. An admin can add files with `/add` or run `/reindex`."
        return Reply(embed=discord.Embed(title=title, description=text, colour=NO_ANSWER_COLOUR))
    first = (page - 1) * ARTICLES_PER_PAGE
    lines = []
    per_line = EMBED_DESCRIPTION_MAX // ARTICLES_PER_PAGE - 10
    for n, article in enumerate(articles[first : first + ARTICLES_PER_PAGE], first + 1):
        line = f"{n}. {source_line(article, in_embed=True)} · {inline_code(clip(article.id, 100))}"
        if len(line) > per_line:
            line = f"{n}. {linked_title(article.title, None, in_embed=True, limit=150)} · {inline_code(clip(article.id, 100))}"
        lines.append(line)
    embed = discord.Embed(title=title, description="\n".join(lines), colour=ANSWER_COLOUR)
    embed.set_footer(text=f"Page {page}/{pages} · /source ID shows an article")
    return Reply(embed=embed)


# ---- admin
def progress_text(progress: Progress | None, *, joined: bool = False) -> str:
    head = (
        "⏳ A reindex was already running; following it." if joined else "⏳ Reindexing the corpus…"
    )
    if progress is None:
        return head
    step = f"{progress.phase}"
    if progress.total:
        step += f" {progress.done}/{progress.total}"
    return f"{head}\n{escape(clip(step, 200))}"


def _names(ids: Sequence[str]) -> str:
    return _id_list(list(ids), EMBED_FIELD_VALUE_MAX)


def reindex_embed(report: ReindexReport, *, joined: bool = False) -> Reply:
    title = f"Reindex finished in {report.seconds:.1f} s"
    if report.full_rebuild:
        title += " (full rebuild)"
    summary = (
        f"{report.articles} articles, {report.passages} passages indexed.\n"
        f"Added {len(report.added)} · updated {len(report.updated)} · removed {len(report.removed)}"
        f" · unchanged {report.unchanged} · skipped {len(report.skipped)}"
    )
    if joined:
        summary += "\n(A reindex was already running; this one ran right after it.)"
    embed = discord.Embed(title=title, description=summary, colour=ADMIN_COLOUR)
    for label, ids in (
        ("Added", report.added),
        ("Updated", report.updated),
        ("Removed", report.removed),
    ):
        if ids:
            embed.add_field(name=f"{label} ({len(ids)})", value=_names(ids), inline=False)
    if report.skipped:
        lines = []
        used = 0
        for i, problem in enumerate(report.skipped):
            line = f"{inline_code(clip(problem.path, 120))}: {escape(clip(problem.reason, 200))}"
            if used + len(line) + 30 > EMBED_FIELD_VALUE_MAX:
                lines.append(f"… and {len(report.skipped) - i} more")
                break
            lines.append(line)
            used += len(line) + 1
        embed.add_field(
            name=f"Skipped ({len(report.skipped)})", value="\n".join(lines), inline=False
        )
    return Reply(content=None, embed=embed)


def add_text(results: Sequence[AddResult]) -> Reply:
    lines = []
    for result in results:
        article = result.article
        what = f"{linked_title(article.title, article.url, in_embed=False, limit=150)} ({inline_code(clip(article.id, 100))})"
        if result.status == "added":
            lines.append(f"✅ Added {what}: {article.passages} passages indexed.")
        elif result.status == "updated":
            lines.append(f"♻️ Updated {what}: {article.passages} passages indexed.")
        else:
            lines.append(f"ℹ️ Already indexed, nothing changed: {what}.")
    return Reply(content=clip_markdown("\n".join(lines) or "Nothing was added.", CONTENT_MAX))


def embed_fits(embed: discord.Embed) -> bool:
    """True when ``embed`` respects every Discord limit (used by tests and as a guard)."""
    if len(embed) > EMBED_TOTAL_MAX or len(embed.fields) > EMBED_FIELDS_MAX:
        return False
    if embed.title and len(embed.title) > EMBED_TITLE_MAX:
        return False
    if embed.description and len(embed.description) > EMBED_DESCRIPTION_MAX:
        return False
    if embed.footer.text and len(embed.footer.text) > EMBED_FOOTER_MAX:
        return False
    return all(
        len(f.name or "") <= EMBED_FIELD_NAME_MAX and len(f.value or "") <= EMBED_FIELD_VALUE_MAX
        for f in embed.fields
    )
