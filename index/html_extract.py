"""Main text and metadata of an HTML article page.

The extraction is trafilatura's (Apache-2.0 since version 1.8; the project requires >= 1.12, so
no GPL code is pulled in). This module only adapts its output to what the corpus needs: blank
lines between paragraphs, the page title not repeated as the first paragraph, dates only from the
page's own markup (no guessing from free text), and the page's declared language.

It knows nothing about files, so URL ingestion reuses it for fetched pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from index.errors import IngestRefused

_MIN_SENTENCE_WORDS = 6
_MIN_ARTICLE_WORDS = 40
_SENTENCE_ENDS = (".", "!", "?", "…", '"', "”", "’", "»", ")")
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = _UPPER.lower()
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")


@dataclass(frozen=True)
class ExtractedPage:
    title: str | None
    text: str
    author: str | None = None
    publisher: str | None = None
    published: date | None = None
    url: str | None = None
    language: str | None = None


def extract_html(html: str, url: str | None = None) -> ExtractedPage:
    """Extract the article in ``html``; IngestRefused when the page holds no article text."""
    import trafilatura  # heavy (lxml, htmldate, justext); loaded only when a page is seen
    from trafilatura.utils import load_html

    where = url or "the HTML page"
    tree = load_html(html) if html.strip() else None
    if tree is None:
        raise IngestRefused(f"no article text found in {where}: it is not an HTML page")
    if tree.tag != "html":
        # A fragment parses to its first element as the root ("<script>…" → a script). The
        # extractors assume a page: htmldate drops every script with its parent, and a root
        # has none. Put the fragment in a page's body.
        tree = _as_page(tree)
    language = _declared_language(tree)
    # Structured markup only: the extensive search guesses dates from copyright lines and prose.
    date_params = {
        "original_date": True,
        "extensive_search": False,
        "max_date": datetime.now().astimezone().strftime("%Y-%m-%d"),
    }
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        date_extraction_params=date_params,
    )

    def field(name: str) -> object:  # a Document, or a dict from older trafilatura versions
        if isinstance(document, dict):
            return document.get(name)
        return getattr(document, name, None)

    title = _clean_line(field("title"))
    raw_text = field("text")
    text = _paragraphs(raw_text if isinstance(raw_text, str) else "", title)
    if not _looks_like_prose(text):
        raise IngestRefused(f"no article text found in {where}")
    return ExtractedPage(
        title=title,
        text=text,
        author=_clean_line(field("author")),
        publisher=_clean_line(field("sitename")),
        published=_iso_date(field("date")),
        url=_clean_line(field("url")) or url,
        language=language,
    )


def _as_page(fragment: Any) -> Any:
    """``<html><body>fragment</body></html>``."""
    from lxml import html as lxml_html  # HtmlElements, as the parser makes them

    body = lxml_html.Element("body")
    body.append(fragment)
    page = lxml_html.Element("html")
    page.append(body)
    return page


def _paragraphs(raw: str, title: str | None) -> str:
    """trafilatura puts each block on its own line; the corpus separates paragraphs by blank lines."""
    blocks = [line.strip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    blocks = [block for block in blocks if block]
    if blocks and title and _same_words(blocks[0], title):
        blocks = blocks[1:]  # the headline is the title, not the first paragraph
    return "\n\n".join(blocks)


def _looks_like_prose(text: str) -> bool:
    """At least one real sentence. trafilatura falls back to whatever text a page has, so a menu,
    a login form or a list of links would otherwise come back as an "article"."""
    for block in text.split("\n\n"):
        if len(block.split()) >= _MIN_SENTENCE_WORDS and block.rstrip().endswith(_SENTENCE_ENDS):
            return True
    return len(text.split()) >= _MIN_ARTICLE_WORDS


def _same_words(a: str, b: str) -> bool:
    return a.casefold().split() == b.casefold().split()


def _clean_line(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _iso_date(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _declared_language(tree: object) -> str | None:
    """The page's own language declaration: <html lang>, og:locale or Content-Language."""
    xpath = getattr(tree, "xpath", None)
    if xpath is None:
        return None
    candidates = [
        *xpath("/html/@lang"),
        *xpath("/html/@xml:lang", namespaces={"xml": "http://www.w3.org/XML/1998/namespace"}),
        *xpath("//meta[@property='og:locale']/@content"),
        *xpath(
            f"//meta[translate(@http-equiv, '{_UPPER}', '{_LOWER}')='content-language']/@content"
        ),
    ]
    for candidate in candidates:
        code = str(candidate).strip().lower().replace("_", "-").split(",")[0].strip()
        if _LANGUAGE.fullmatch(code):
            return code
    return None
