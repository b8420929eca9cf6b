"""HTML article extraction: text without page noise, metadata from the page's own markup."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from index.corpus import normalise_text
from index.errors import IngestRefused
from index.html_extract import extract_html

PAGES = Path(__file__).parent / "data" / "html"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_og_metadata_byline_and_clean_paragraphs() -> None:
    got = extract_html(page("rail-link.html"))
    assert got.title == "Minsk Opens New Rail Link to Beijing"
    assert got.author == "Olga Petrova"
    assert got.publisher == "Eastern Courier"
    assert got.published == date(2023, 11, 4)
    assert got.url == "https://courier.example/world/minsk-rail-link"
    assert got.language == "en-gb"
    paragraphs = got.text.split("\n\n")
    assert paragraphs[0].startswith("A new freight rail link between Minsk and Beijing")
    assert paragraphs[1] == (
        "“This line is a bridge between our economies,” the Belarusian transport minister said"
        " at the ceremony. He added that the trains would carry machinery west and electronics east."
    )
    assert (
        "“We are ready to double the volume,” a Chinese logistics executive told reporters."
        in paragraphs
    )
    assert (
        paragraphs[-1]
        == "Critics said the project deepens the country’s dependence on a single partner."
    )
    for noise in (
        "Subscribe",
        "Sport",
        "Most read",
        "Storm hits coast",
        "All rights reserved",
        "Privacy",
        "By Olga",
    ):
        assert noise not in got.text
    assert got.title not in got.text  # the headline is the title, not a paragraph


def test_json_ld_metadata_and_cyrillic_text() -> None:
    got = extract_html(page("jsonld-article.html"))
    assert got.title == "Лукашенко прибыл в Пекин"
    assert got.author == "Иван Смирнов"
    assert got.publisher == "Северный вестник"
    assert got.published == date(2023, 12, 3)
    assert got.language == "ru-ru"
    assert "«Мы готовы развивать сотрудничество во всех направлениях», — заявил он" in got.text
    assert len(got.text.split("\n\n")) == 3
    assert "Перепечатка" not in got.text and "Главная" not in got.text


def test_no_date_is_guessed_from_prose_or_copyright() -> None:
    got = extract_html(page("undated-brief.html"))
    assert got.published is None
    assert got.author is None and got.publisher is None and got.url is None
    assert got.language == "en"
    assert "proposed the plan in March 2021." in got.text
    assert "Copyright" not in got.text and "Weather" not in got.text


def test_url_argument_is_the_fallback_url_and_may_date_the_page() -> None:
    url = "https://herald.example/2023/05/08/river-budget"
    got = extract_html(page("undated-brief.html"), url=url)
    assert got.url == url
    assert got.published == date(2023, 5, 8)


def test_canonical_link_wins_over_the_fetched_url() -> None:
    got = extract_html(page("rail-link.html"), url="https://courier.example/amp/123?utm=x")
    assert got.url == "https://courier.example/world/minsk-rail-link"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n",
        "just some words",
        page("section-front.html"),
        "<html><body><form><label>User</label><input name=u><button>Sign in</button></form></body></html>",
        "<html><head><title>Only a title</title></head><body></body></html>",
    ],
)
def test_pages_without_article_text_are_refused(html: str) -> None:
    with pytest.raises(IngestRefused, match=r"^no article text found in the HTML page"):
        extract_html(html)


def test_refusal_names_the_url() -> None:
    with pytest.raises(
        IngestRefused, match=re.escape("no article text found in https://courier.example/world")
    ):
        extract_html(page("section-front.html"), url="https://courier.example/world")


html_pieces = st.sampled_from(
    [
        "<html lang='en'>",
        "<body>",
        "<article>",
        "<p>",
        "</p>",
        "<title>",
        "</title>",
        "<h1>",
        "<script>",
        "<!--",
        "<meta property='og:title' content='x'>",
        "&amp;",
        "&#0;",
        "<br>",
        " The minister said the talks went well. ",
        "\x00",
        "\ufeff",
    ]
)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.one_of(html_pieces, st.text(max_size=30)), max_size=40).map("".join))
# Found by this test: the page's root was the <script> itself, and htmldate's cleaning of
# scripts failed an assertion deep inside lxml instead of a refusal.
@example("<body><script><html lang='en'>")
@example("<style><p>Officials opened the new bridge on Tuesday morning in Grodno.</p>")
def test_any_markup_gives_a_page_or_a_refusal(html: str) -> None:
    try:
        got = extract_html(html)
    except IngestRefused as err:
        assert str(err).startswith("no article text found")
    else:
        assert got.text.strip()
        assert got.text == normalise_text(got.text)  # already in the corpus's canonical form
