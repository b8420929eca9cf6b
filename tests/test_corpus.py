"""The corpus reader and writer: formats, metadata, problems, duplicates, uploads, removal."""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from index import corpus
from index.corpus import (
    ID_PATTERN,
    KnownArticle,
    content_hash,
    normalise_text,
    parse_upload,
    read_corpus,
    read_file,
    remove_article,
    slugify,
    store_upload,
    write_article,
)
from index.errors import BadInput, IngestRefused, NotFound
from index.models import Article
from tests.conftest import BUNDLED_CORPUS, HEADLINE_QUOTE, HEADLINE_QUOTE_2, HEADLINE_TITLE

DATA = Path(__file__).parent / "data"


def put(root: Path, name: str, content: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def only(read: corpus.CorpusRead) -> Article:
    assert read.problems == [], read.problems
    assert len(read.articles) == 1
    return read.articles[0]


def only_articles(read: corpus.CorpusRead) -> list[Article]:
    assert read.problems == [], read.problems
    return read.articles


def reasons(read: corpus.CorpusRead) -> dict[str, str]:
    return {problem.path: problem.reason for problem in read.problems}


def make_article(article_id: str, title: str, text: str, **meta: object) -> Article:
    return Article(
        id=article_id, title=title, text=text, content_hash=content_hash(title, text), **meta
    )


# ---- the bundled seeds ------------------------------------------------------------------------


def test_bundled_seeds_read_back_with_their_metadata() -> None:
    read = read_corpus(BUNDLED_CORPUS)
    assert read.problems == []
    by_id = {article.id: article for article in read.articles}
    assert set(by_id) == {"belarus-china-increasing-ties", "lukashenko-second-visit-china-2023"}

    ties = by_id["belarus-china-increasing-ties"]
    assert ties.title == HEADLINE_TITLE
    assert ties.author is None  # the seed has no byline
    assert ties.source_path == "belarus-china-increasing-ties.md"
    assert f"“{HEADLINE_QUOTE} Thanks to joint efforts" in ties.text
    assert "‘a comprehensive strategic partnership’" in ties.text
    assert f"“{HEADLINE_QUOTE_2} for a fruitful development of our partnership,” the" in ties.text
    assert "National People’s Congress" in ties.text
    assert ties.text.endswith("Belarus is definitely falling into the latter camp.")
    assert "Our Latest Articles" not in ties.text

    visit = by_id["lukashenko-second-visit-china-2023"]
    assert (
        visit.title == "Belarusian President Aleksandr Lukashenko’s Second Visit to China in 2023"
    )
    assert visit.author == "Cora Sulleyman"
    assert visit.text.startswith("Belarusian President Aleksandr Lukashenko is visiting Beijing")
    assert visit.text.endswith("with potential impacts on regional and global dynamics.")
    assert "Photo:Reuters" not in visit.text
    assert "By Cora Sulleyman" not in visit.text
    assert "Cora Sulleyman" not in visit.text

    for article in read.articles:
        # Nothing was invented: the seeds name no publisher, URL or date.
        assert (article.publisher, article.url, article.published) == (None, None, None)
        assert article.language == "en"
        assert set(article.tags) == {"belarus", "china"}
        assert article.content_hash == content_hash(article.title, article.text)


def seed_like_txt(article: Article, *, credit: str, byline: str | None, trailer: str) -> str:
    """The seed's .txt layout rebuilt around a committed article's text."""
    parts = [article.title, "", credit] if credit else [article.title, ""]
    body = article.text
    parts.append(body)
    if byline:
        parts.append(byline)
    text = "\n".join(parts)
    return text + ("\n\n" + trailer if trailer else "")


def test_converting_seed_layout_reproduces_the_committed_files(tmp_path: Path) -> None:
    read = read_corpus(BUNDLED_CORPUS)
    by_id = {article.id: article for article in read.articles}
    src = tmp_path / "src"
    put(
        src,
        "belarus-china-increasing-ties.txt",
        seed_like_txt(
            by_id["belarus-china-increasing-ties"],
            credit="",
            byline=None,
            trailer="Our Latest Articles",  # no newline after it, like the seed
        ),
    )
    put(
        src,
        "lukashenko-second-visit-china-2023.txt",
        seed_like_txt(
            by_id["lukashenko-second-visit-china-2023"],
            credit="Photo:Reuters",
            byline="By Cora Sulleyman",
            trailer="",
        ),
    )
    out = tmp_path / "out"
    args = ["convert", *sorted(str(p) for p in src.iterdir())]
    assert corpus.main([*args, "--out", str(out), "--tag", "belarus", "--tag", "china"]) == 0
    for name in ("belarus-china-increasing-ties.md", "lukashenko-second-visit-china-2023.md"):
        assert (out / name).read_bytes() == (BUNDLED_CORPUS / name).read_bytes()


# ---- .md --------------------------------------------------------------------------------------


def test_markdown_front_matter_metadata(tmp_path: Path) -> None:
    put(
        tmp_path,
        "story.md",
        "---\n"
        "title: 'Minsk and Beijing: a “special” partnership'\n"
        "author: Jane Doe\n"
        "publisher: Test Gazette\n"
        "url: https://gazette.example/minsk\n"
        "published: 2023-11-04T09:30:00Z\n"
        "language: RU\n"
        "tags: belarus, china , ,trade\n"
        "---\n\n"
        "First paragraph with “curly quotes”.\n\nSecond paragraph.\n",
    )
    article = only(read_corpus(tmp_path))
    assert article.id == "story"
    assert article.title == "Minsk and Beijing: a “special” partnership"
    assert article.author == "Jane Doe"
    assert article.publisher == "Test Gazette"
    assert article.url == "https://gazette.example/minsk"
    assert article.published == date(2023, 11, 4)  # a datetime becomes its date
    assert article.language == "ru"
    assert article.tags == ("belarus", "china", "trade")
    assert article.text == "First paragraph with “curly quotes”.\n\nSecond paragraph."
    assert article.source_path == "story.md"


def test_markdown_title_from_heading_and_explicit_id(tmp_path: Path) -> None:
    put(
        tmp_path,
        "file-name.md",
        "---\nid: my-id\ntags: [a, b]\npublished: 2020-02-29\n---\n"
        "# The Heading Title\n\nBody text.\n\n# Not a title\n",
    )
    article = only(read_corpus(tmp_path))
    assert article.id == "my-id"
    assert article.title == "The Heading Title"
    assert article.text == "Body text.\n\n# Not a title"
    assert article.tags == ("a", "b")
    assert article.published == date(2020, 2, 29)
    assert article.language == "en"


def test_markdown_without_front_matter_uses_heading(tmp_path: Path) -> None:
    put(tmp_path, "Łukašenka Visit.md", "# Visit\n\nText.")
    article = only(read_corpus(tmp_path))
    assert (article.id, article.title, article.text) == ("lukasenka-visit", "Visit", "Text.")


def test_markdown_invalid_explicit_id_is_slugged(tmp_path: Path) -> None:
    put(tmp_path, "x.md", "---\nid: My Story_2023\ntitle: T\n---\nText.")
    assert only(read_corpus(tmp_path)).id == "my-story-2023"


def test_markdown_horizontal_rule_is_not_front_matter(tmp_path: Path) -> None:
    put(tmp_path, "x.md", "# Title\n\nPart one.\n\n---\n\nPart two.")
    assert only(read_corpus(tmp_path)).text == "Part one.\n\n---\n\nPart two."


# ---- .txt -------------------------------------------------------------------------------------


def test_txt_title_byline_and_furniture_at_the_edges(tmp_path: Path) -> None:
    put(
        tmp_path,
        "visit.txt",
        "\ufeffA Visit to Beijing  \r\n\r\nPhoto: AP\r\nGetty Images\r\n"
        "“We are friends,” he said.\u00a0\r\n\r\nThe talks went on.\r\n"
        "By Jane Q. Doe\r\n\r\nRelated Articles:\r\nShare this article\r\nRead more »",
    )
    article = only(read_corpus(tmp_path))
    assert article.title == "A Visit to Beijing"
    assert article.author == "Jane Q. Doe"
    assert article.text == "“We are friends,” he said.\n\nThe talks went on."


def test_txt_keeps_lines_that_only_look_like_furniture_inside_the_text(tmp_path: Path) -> None:
    text = (
        "Title\n\nFirst paragraph.\nPhoto: Reuters\nRead more\nMiddle paragraph.\n"
        "By the end of the year, prices rose."
    )
    put(tmp_path, "x.txt", text)
    article = only(read_corpus(tmp_path))
    assert article.author is None
    assert article.text == text.split("\n", 2)[2]


def test_txt_leading_byline(tmp_path: Path) -> None:
    put(tmp_path, "x.txt", "Title\nBy Anna de la Cruz and Li Wei\n\nThe text.\n")
    article = only(read_corpus(tmp_path))
    assert (article.author, article.text) == ("Anna de la Cruz and Li Wei", "The text.")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("Only a title\n\n", "no text"),
        ("Title\n\nPhoto: AP\nOur Latest Articles", "no text"),
        ("x" * 400 + "\nbody", "no title: the first line is 400 characters long"),
    ],
)
def test_txt_problems(tmp_path: Path, content: str, reason: str) -> None:
    put(tmp_path, "bad.txt", content)
    read = read_corpus(tmp_path)
    assert read.articles == []
    assert reasons(read)["bad.txt"].startswith(reason)


def test_normalisation_keeps_text_verbatim_otherwise() -> None:
    raw = "\ufeff\r\n  Line “one”  \r\nline\t‘two’\t\r\rthree — end \n\n"
    assert normalise_text(raw) == "Line “one”\nline\t‘two’\n\nthree — end"


# ---- .html ------------------------------------------------------------------------------------


def test_html_file_in_corpus(tmp_path: Path) -> None:
    put(tmp_path, "news/rail.html", (DATA / "html" / "rail-link.html").read_bytes())
    article = only(read_corpus(tmp_path))
    assert article.id == "rail"
    assert article.source_path == "news/rail.html"
    assert article.title == "Minsk Opens New Rail Link to Beijing"
    assert article.author == "Olga Petrova"
    assert article.publisher == "Eastern Courier"
    assert article.url == "https://courier.example/world/minsk-rail-link"
    assert article.published == date(2023, 11, 4)
    assert article.language == "en-gb"
    assert "“This line is a bridge between our economies,” the Belarusian" in article.text
    assert "Subscribe" not in article.text


def test_html_without_article_is_a_problem(tmp_path: Path) -> None:
    put(tmp_path, "front.html", (DATA / "html" / "section-front.html").read_bytes())
    read = read_corpus(tmp_path)
    assert read.articles == []
    assert reasons(read)["front.html"].startswith("no article text found")


# ---- .jsonl -----------------------------------------------------------------------------------


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "First Story", "text": "One.", "tags": ["x"], "author": "A B"}),
        "",
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"text": "no title"}),
        json.dumps({"title": "No text", "text": "   "}),
        json.dumps({"title": "Bad date", "text": "t", "published": "last week"}),
        json.dumps(
            {"id": "explicit", "title": "Second Story", "text": "Two.", "published": "2021-05-06"}
        ),
        json.dumps({"title": "First Story", "text": "Other text, same derived id."}),
        json.dumps({"title": "Copy", "text": "One.", "id": "copy"}).replace("Copy", "First Story"),
    ]
    data = "\n".join(lines).encode() + b"\n" + b'{"title": "Latin-1", "text": "caf\xe9"}\n'
    put(tmp_path, "batch.jsonl", data)
    read = read_corpus(tmp_path)
    first, second = read.articles
    assert (first.id, first.title, first.text, first.tags, first.author) == (
        "first-story",
        "First Story",
        "One.",
        ("x",),
        "A B",
    )
    assert (second.id, second.published) == ("explicit", date(2021, 5, 6))
    assert {a.source_path for a in read.articles} == {"batch.jsonl"}
    got = reasons(read)
    assert got["batch.jsonl:3"].startswith("not valid JSON")
    assert got["batch.jsonl:4"].startswith("each line must be a JSON object")
    assert got["batch.jsonl:5"].startswith("no title")
    assert got["batch.jsonl:6"].startswith("no text")
    assert got["batch.jsonl:7"].startswith("bad date 'last week' in 'published'")
    assert got["batch.jsonl:9"] == "id 'first-story' is already used by batch.jsonl:1"
    assert got["batch.jsonl:10"] == "duplicate of first-story (batch.jsonl:1)"
    assert got["batch.jsonl:11"].startswith("not UTF-8 (invalid byte 0xe9 at offset 33")
    assert len(got) == 8


def test_jsonl_line_too_long(tmp_path: Path) -> None:
    long_line = json.dumps({"title": "Long", "text": "x" * 500})
    ok = json.dumps({"title": "Short", "text": "y"})
    put(tmp_path, "a.jsonl", f"{long_line}\n{ok}\n")
    read = read_corpus(tmp_path, max_bytes=200)
    assert [a.title for a in read.articles] == ["Short"]
    assert reasons(read) == {"a.jsonl:1": "line too long; the limit is 200 bytes"}


# ---- bad files, ignored files, walking --------------------------------------------------------


def test_every_bad_file_is_reported_and_the_good_ones_still_read(tmp_path: Path) -> None:
    good = "---\ntitle: Good\n---\nGood text."
    put(tmp_path, "a-good.md", good)
    put(tmp_path, "sub/deeper/b-good.txt", "Another Good One\n\nText here.")
    bad = {
        "empty.md": ("", "empty file"),
        "blank.txt": ("  \n\t\n", "empty file"),
        "binary.txt": (b"GIF89a\x00\x01\x02", "binary data (a NUL byte at offset 6)"),
        "latin1.md": (
            b"# Title\n\ncaf\xe9 au lait",
            "not UTF-8 (invalid byte 0xe9 at offset 12); save it as UTF-8",
        ),
        "utf16.txt": ("Title\n\nText".encode("utf-16"), "UTF-16 text, not UTF-8"),
        "huge.txt": ("Title\n\n" + "x" * 2000, "too large (2,007 bytes; the limit is 1,000)"),
        "broken-yaml.md": (
            "---\ntitle: a: b\n---\nText",
            "broken front matter: mapping values are not allowed in this context (line 2, column 9)",
        ),
        "unclosed.md": ("---\ntitle: x\n\nText", "broken front matter: no closing '---' line"),
        "list-yaml.md": (
            "---\n- a\n- b\n---\nText",
            "broken front matter: expected 'key: value' lines",
        ),
        "bad-date.md": (
            "---\ntitle: T\npublished: 2023-02-30\n---\nText",
            "broken front matter: day is out of range for month",
        ),
        "bad-date2.md": (
            "---\ntitle: T\npublished: soon\n---\nText",
            "bad date 'soon' in 'published'; use YYYY-MM-DD",
        ),
        "no-title.md": ("Just text, no heading.", "no title: add 'title: …' to the front matter"),
        "no-text.md": ("---\ntitle: Lonely\n---\n", "no text"),
        "bad-tags.md": (
            "---\ntitle: T\ntags: {a: 1}\n---\nText",
            "'tags' must be a list or a comma-separated string",
        ),
        "bad-lang.md": ("---\ntitle: T\nlanguage: English!\n---\nText", "bad language 'English!'"),
        "report.pdf": (b"%PDF-1.4", "unsupported file type .pdf; use .md, .txt, .html or .jsonl"),
        "README": ("notes", "unsupported file type (no extension); use .md, .txt, .html or .jsonl"),
        "sub/empty.jsonl": ("\n\n", "empty file"),
        "sub/binary.jsonl": (b'{"title": 1}\x00', "binary data (a NUL byte at offset 12)"),
    }
    for name, (content, _reason) in bad.items():
        put(tmp_path, name, content)
    read = read_corpus(tmp_path, max_bytes=1_000)
    assert sorted(a.source_path or "" for a in read.articles) == [
        "a-good.md",
        "sub/deeper/b-good.txt",
    ]
    got = reasons(read)
    assert set(got) == set(bad)
    for name, (_content, reason) in bad.items():
        assert got[name].startswith(reason), (name, got[name])
    # nothing silently dropped: every file is an article or a problem
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == len(read.articles) + len(read.problems)


def test_hidden_underscore_and_pycache_are_ignored(tmp_path: Path) -> None:
    put(tmp_path, "__init__.py", "")
    put(tmp_path, "_draft.md", "# Draft\n\nx")
    put(tmp_path, ".hidden.md", "# Hidden\n\nx")
    put(tmp_path, ".git/config.txt", "x")
    put(tmp_path, "__pycache__/x.pyc", b"\x00")
    put(tmp_path, "_drafts/a.md", "# A\n\nx")
    put(tmp_path, "real.md", "# Real\n\nText.")
    read = read_corpus(tmp_path)
    assert [a.id for a in read.articles] == ["real"]
    assert read.problems == []


def test_walk_is_recursive_and_sorted(tmp_path: Path) -> None:
    for name in ["b.md", "a/z.md", "a/b/c.md", "d.txt", "a.md"]:
        put(tmp_path, name, f"# {name}\n\ntext of {name}")
    paths = [a.source_path for a in read_corpus(tmp_path).articles]
    assert paths == ["a/b/c.md", "a/z.md", "a.md", "b.md", "d.txt"]


def test_symlinked_folder_is_reported_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    put(outside, "secret.md", "# Secret\n\nx")
    root = tmp_path / "corpus"
    put(root, "real.md", "# Real\n\nText.")
    os.symlink(outside, root / "linked")
    read = read_corpus(root)
    assert [a.id for a in read.articles] == ["real"]
    assert reasons(read)["linked"].startswith("a link to a folder")


def test_missing_corpus_dir(tmp_path: Path) -> None:
    with pytest.raises(
        BadInput, match=r"Corpus directory '.*nope' does not exist\. Create it or pass --corpus\."
    ):
        read_corpus(tmp_path / "nope")


def test_read_file_uses_path_relative_to_root(tmp_path: Path) -> None:
    path = put(tmp_path, "sub/x.md", "# X\n\nText.")
    assert only(read_file(path, tmp_path)).source_path == "sub/x.md"


# ---- ids, hashes, duplicates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Łukašenka", "lukasenka"),
        ("Лукашенко в Пекине", "lukashenko-v-pekine"),
        ("Лукашэнка і Сі", "lukashenka-i-si"),
        ("Straße & Øresund — 2023!", "strasse-oresund-2023"),
        ("  --Already-a-slug--  ", "already-a-slug"),
        ("中国", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_ids_are_always_valid(tmp_path: Path) -> None:
    put(tmp_path, "中国新闻.md", "# 中国\n\n文字。")
    put(tmp_path, ("word-" * 30) + ".txt", "Long\n\ntext")
    ids = {a.source_path: a.id for a in only_articles(read_corpus(tmp_path))}
    assert all(ID_PATTERN.fullmatch(i) for i in ids.values())
    assert ids["中国新闻.md"].startswith("article-")
    long_id = ids[("word-" * 30) + ".txt"]
    assert long_id == "word" + "-word" * 15  # cut at a word boundary, at most 80 characters


def test_content_hash_is_nfc_of_title_and_text() -> None:
    import hashlib

    decomposed = unicodedata.normalize("NFD", "Café")
    assert content_hash(decomposed, "é") == content_hash("Café", "é")
    expected = hashlib.sha256("Café\n\né".encode()).hexdigest()
    assert content_hash("Café", "é") == expected


def test_duplicate_content_and_duplicate_id(tmp_path: Path) -> None:
    put(tmp_path, "a.md", "---\ntitle: Café\n---\nSame text.")
    put(tmp_path, "b.txt", unicodedata.normalize("NFD", "Café") + "\n\nSame text.\n")
    put(tmp_path, "c.md", "---\nid: a\ntitle: Other\n---\nOther text.")
    put(tmp_path, "sub/a.txt", "Third\n\nThird text.")
    read = read_corpus(tmp_path)
    assert [a.source_path for a in read.articles] == ["a.md"]
    assert reasons(read) == {
        "b.txt": "duplicate of a (a.md)",
        "c.md": "id 'a' is already used by a.md",
        "sub/a.txt": "id 'a' is already used by a.md",
    }


# ---- uploads ----------------------------------------------------------------------------------


MD_UPLOAD = b"---\ntitle: Uploaded Story\nauthor: Jane Doe\n---\nUploaded text.\n"


def known_of(corpus_dir: Path) -> dict[str, KnownArticle]:
    read = read_corpus(corpus_dir)
    return {a.id: KnownArticle(a.content_hash, a.source_path) for a in read.articles}


def test_store_upload_added_unchanged_updated(tmp_path: Path) -> None:
    [(article, status)] = store_upload(tmp_path, "uploads/Uploaded Story.md", MD_UPLOAD, {})
    assert status == "added"
    assert article.id == "uploaded-story"
    assert article.source_path == "uploaded-story.md"
    stored = only(read_corpus(tmp_path))
    assert stored == article

    [(again, status)] = store_upload(tmp_path, "Uploaded Story.md", MD_UPLOAD, known_of(tmp_path))
    assert status == "unchanged"
    assert again.content_hash == article.content_hash

    changed = MD_UPLOAD.replace(b"Uploaded text.", b"Corrected text.")
    [(updated, status)] = store_upload(tmp_path, "uploaded-story.md", changed, known_of(tmp_path))
    assert status == "updated"
    assert only(read_corpus(tmp_path)).text == "Corrected text."
    assert updated.source_path == "uploaded-story.md"


def test_store_upload_accepts_bare_hashes_as_known(tmp_path: Path) -> None:
    store_upload(tmp_path, "a.md", MD_UPLOAD, {})
    hashes = {a.id: a.content_hash for a in read_corpus(tmp_path).articles}
    [(_article, status)] = store_upload(tmp_path, "a.md", MD_UPLOAD, hashes)
    assert status == "unchanged"


def test_store_upload_file_on_disk_but_not_indexed(tmp_path: Path) -> None:
    store_upload(tmp_path, "a.md", MD_UPLOAD, {})
    # The index does not know it yet: the stored file itself decides the status.
    [(_article, status)] = store_upload(tmp_path, "a.md", MD_UPLOAD, {})
    assert status == "unchanged"
    changed = MD_UPLOAD.replace(b"Uploaded text.", b"New.")
    [(_article, status)] = store_upload(tmp_path, "a.md", changed, {})
    assert status == "updated"


def test_store_upload_update_replaces_a_txt_source(tmp_path: Path) -> None:
    put(tmp_path, "sub/story.txt", "Story\n\nOld text.")
    upload = b"---\nid: story\ntitle: Story\n---\nNew text."
    [(article, status)] = store_upload(tmp_path, "story.md", upload, known_of(tmp_path))
    assert status == "updated"
    assert article.source_path == "sub/story.md"
    assert not (tmp_path / "sub/story.txt").exists()
    assert only(read_corpus(tmp_path)).text == "New text."


def test_store_upload_refusals_store_nothing(tmp_path: Path) -> None:
    put(
        tmp_path,
        "batch.jsonl",
        json.dumps({"id": "in-batch", "title": "T", "text": "Batch."}) + "\n",
    )
    put(tmp_path, "other.md", "---\nid: someone-else\ntitle: Other\n---\nOther.")
    known = known_of(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))

    cases = [
        ("dup.md", b"---\ntitle: Other\n---\nOther.", "duplicate of someone-else"),
        (
            "in-batch.md",
            b"---\nid: in-batch\ntitle: T\n---\nChanged.",
            "'in-batch' is stored in batch.jsonl",
        ),
        (
            "other.md",
            b"---\ntitle: New\n---\nA new article whose id is taken.",
            "the corpus already has a file other.md holding 'someone-else'",
        ),
        (
            "two.jsonl",
            b'{"title": "A", "text": "a"}\n{"text": "b"}\n',
            "'two.jsonl' line 2: no title",
        ),
        ("x.pdf", b"%PDF", "'x.pdf': unsupported file type .pdf"),
        ("x.txt", b"", "'x.txt': empty file"),
        ("x.txt", b"T\n\n\x00", "'x.txt': binary data"),
        ("x.txt", b"T\n\n\xff", "'x.txt': not UTF-8 (invalid byte 0xff at offset 3)"),
        ("x.md", b"---\ntitle: [\n---\nText", "'x.md': broken front matter"),
        ("x.md", b"no title here", "'x.md': no title"),
        ("x.txt", b"Title only", "'x.txt': no text"),
        ("x.txt", b"T\n\n" + b"x" * 100, "'x.txt' is too large (103 bytes; the limit is 50)"),
        (
            "twice.jsonl",
            b'{"title": "A", "text": "a"}\n{"title": "A", "text": "a"}\n',
            "'twice.jsonl' line 2: duplicate of a (line 1)",
        ),
    ]
    for filename, data, message in cases:
        max_bytes = 50 if message.endswith("limit is 50)") else corpus.MAX_BYTES
        with pytest.raises(IngestRefused) as caught:
            store_upload(tmp_path, filename, data, known, max_bytes=max_bytes)
        assert str(caught.value).startswith(message), (filename, str(caught.value))
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_store_upload_jsonl_stores_each_article(tmp_path: Path) -> None:
    data = "\n".join(
        json.dumps({"title": title, "text": f"{title} text.", "tags": "a, b"})
        for title in ("One", "Two")
    ).encode()
    results = store_upload(tmp_path, "batch.jsonl", data, {})
    assert [(a.id, s, a.source_path) for a, s in results] == [
        ("one", "added", "one.md"),
        ("two", "added", "two.md"),
    ]
    assert [a.tags for a in read_corpus(tmp_path).articles] == [("a", "b"), ("a", "b")]


def test_store_upload_html(tmp_path: Path) -> None:
    data = (DATA / "html" / "undated-brief.html").read_bytes()
    [(article, status)] = store_upload(tmp_path, "river.html", data, {})
    assert (status, article.source_path) == ("added", "river.md")
    assert only(read_corpus(tmp_path)) == article


def test_parse_upload_returns_articles_without_storing() -> None:
    [article] = parse_upload("x.md", MD_UPLOAD)
    assert (article.id, article.author, article.source_path) == ("x", "Jane Doe", None)


# ---- writing ----------------------------------------------------------------------------------


TRICKY_TITLES = [
    "yes",
    "null",
    "2023-01-01",
    "---",
    "a: b # c",
    "# not heading",
    "'quoted' “curly”",
    "Ünïcödé ёлка",
]


@pytest.mark.parametrize("title", TRICKY_TITLES)
def test_write_article_round_trip(tmp_path: Path, title: str) -> None:
    text = "---\n\n# Heading in text\n\n“Quote,” she said.\n\n---"
    article = make_article(
        "round-trip",
        title,
        text,
        author="O’Brien, Jane",
        publisher="null",
        url="https://example.com/a?b=c#d",
        published=date(2024, 2, 29),
        language="pt-br",
        tags=("yes", "1", "a, b"),
    )
    path = write_article(tmp_path, article)
    assert path == tmp_path / "round-trip.md"
    back = only(read_corpus(tmp_path))
    assert back == article.model_copy(update={"source_path": "round-trip.md"})
    assert [p.name for p in tmp_path.iterdir()] == ["round-trip.md"]  # no temp file left


def test_write_article_is_atomic_when_the_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_article(tmp_path, make_article("a", "Old", "Old text."))
    before = (tmp_path / "a.md").read_bytes()

    def failing_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(corpus.os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space"):
        write_article(tmp_path, make_article("a", "New", "New text."))
    assert (tmp_path / "a.md").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_write_article_refuses_what_would_not_read_back(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="title is 400 characters"):
        write_article(tmp_path, make_article("long", "x" * 400, "Text."))
    with pytest.raises(BadInput, match="not a valid article id"):
        write_article(tmp_path, make_article("Bad Id", "T", "Text."))
    assert list(tmp_path.iterdir()) == []


def test_write_article_refuses_nul_characters(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="binary data"):
        write_article(tmp_path, make_article("nul", "T", "a\x00b"))


def test_write_article_normalises_like_the_reader(tmp_path: Path) -> None:
    messy = make_article("m", "  Two   spaces ", "Text  \r\nmore\t\n")
    write_article(tmp_path, messy)
    back = only(read_corpus(tmp_path))
    assert (back.title, back.text) == ("Two spaces", "Text\nmore")
    assert back.content_hash == content_hash("Two spaces", "Text\nmore")


# ---- removal ----------------------------------------------------------------------------------


def test_remove_single_article_file(tmp_path: Path) -> None:
    put(tmp_path, "sub/a.md", "# A\n\nText.")
    put(tmp_path, "b.md", "# B\n\nOther.")
    assert remove_article(tmp_path, "a", "sub/a.md") == (tmp_path / "sub/a.md").resolve()
    assert [a.id for a in read_corpus(tmp_path).articles] == ["b"]
    with pytest.raises(NotFound, match="no longer in the corpus"):
        remove_article(tmp_path, "a", "sub/a.md")


def test_remove_default_path_and_wrong_occupant(tmp_path: Path) -> None:
    put(tmp_path, "a.md", "---\nid: other\ntitle: A\n---\nText.")
    with pytest.raises(NotFound, match="now holds 'other', not 'a'"):
        remove_article(tmp_path, "a", None)
    put(tmp_path, "c.md", "# C\n\nText.")
    remove_article(tmp_path, "c", None)
    assert not (tmp_path / "c.md").exists()


def test_remove_jsonl_line_keeps_the_other_lines_verbatim(tmp_path: Path) -> None:
    lines = [
        '{"title": "Keep Me", "text": "one"}',
        '{"title":"Remove Me","text":"two"}',
        "{broken line kept",
        '{"id": "x", "title": "Also kept", "text": "three"}',
    ]
    path = put(tmp_path, "batch.jsonl", "\r\n".join(lines) + "\r\n")
    remove_article(tmp_path, "remove-me", "batch.jsonl")
    expected = "\r\n".join([lines[0], lines[2], lines[3]]) + "\r\n"
    assert path.read_bytes() == expected.encode()
    with pytest.raises(
        NotFound, match=re.escape("No line of 'batch.jsonl' holds the article 'remove-me'")
    ):
        remove_article(tmp_path, "remove-me", "batch.jsonl")


def test_remove_last_jsonl_line_deletes_the_file(tmp_path: Path) -> None:
    put(tmp_path, "one.jsonl", '{"title": "Only", "text": "x"}\n')
    remove_article(tmp_path, "only", "one.jsonl")
    assert not (tmp_path / "one.jsonl").exists()


@pytest.mark.parametrize(
    "source_path",
    ["../outside.md", "/etc/passwd", "sub/../../outside.md", "..", "__init__.py", "link/secret.md"],
)
def test_remove_refuses_paths_outside_the_corpus(tmp_path: Path, source_path: str) -> None:
    outside = put(tmp_path, "outside.md", "# Outside\n\nx")
    put(tmp_path, "link-target/secret.md", "# S\n\nx")
    root = tmp_path / "corpus"
    put(root, "__init__.py", "")
    os.symlink(tmp_path / "link-target", root / "link")
    with pytest.raises(BadInput, match="not an article file inside the corpus directory"):
        remove_article(root, "outside", source_path)
    assert outside.exists() and (root / "__init__.py").exists()
    assert (tmp_path / "link-target/secret.md").exists()


# ---- properties -------------------------------------------------------------------------------

SUFFIXES = [".txt", ".md", ".jsonl"]
markdownish = st.builds(
    lambda front, body: f"---\n{front}\n---\n{body}",
    st.text(alphabet=st.sampled_from("ab:-# \n[]{}'\"!&*|>title:id2023-0"), max_size=60),
    st.text(max_size=60),
)
jsonish = st.lists(
    st.fixed_dictionaries(
        {"title": st.text(max_size=20), "text": st.text(max_size=40)},
        optional={
            "id": st.text(max_size=10),
            "published": st.one_of(st.text(max_size=12), st.integers()),
            "tags": st.one_of(st.text(max_size=10), st.lists(st.text(max_size=5))),
            "language": st.text(max_size=5),
        },
    ),
    max_size=4,
).map(lambda objs: "\n".join(json.dumps(o, ensure_ascii=False) for o in objs))
any_text = st.one_of(st.text(), markdownish, jsonish)


def check_read(read: corpus.CorpusRead, name: str) -> None:
    for article in read.articles:
        assert article.text.strip()
        assert article.title.strip()
        assert ID_PATTERN.fullmatch(article.id)
        assert article.content_hash == content_hash(article.title, article.text)
    for problem in read.problems:
        assert problem.path.split(":")[0] == name
        assert problem.reason and "internal error" not in problem.reason


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(st.binary(max_size=300), any_text.map(str.encode)),
    suffix=st.sampled_from(SUFFIXES),
)
def test_readers_never_crash(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        name = "f" + suffix
        (root / name).write_bytes(data)
        read = read_corpus(root)
        check_read(read, name)
        assert len(read.articles) + len(read.problems) >= 1  # never silently dropped
    try:
        articles = parse_upload(name, data)
    except IngestRefused as err:
        assert str(err).startswith(f"'{name}'")
    else:
        assert articles and all(a.text.strip() for a in articles)


@settings(max_examples=100, deadline=None)
@given(
    title=st.text(min_size=1, max_size=80),
    text=st.text(min_size=1, max_size=200),
    tags=st.lists(st.text(max_size=8), max_size=3),
)
def test_write_round_trip_property(title: str, text: str, tags: list[str]) -> None:
    article = corpus.canonical(make_article("p", title, text, tags=tuple(tags)))
    assume(article.title and article.text and "\x00" not in article.title + article.text)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_article(root, article)
        back = only(read_corpus(root))
        assert back == article.model_copy(update={"source_path": "p.md"})


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        (
            "title: !!python/object/apply:os.system ['echo hi']",
            "broken front matter: could not determine a constructor",
        ),
        ("title: T\ntags: &a [*a]", "'tags' must be a list"),
        ("title: &a [*a]", "'title' must be text"),
        ("a: &a [x,x,x,x]\nb: &b [*a,*a,*a,*a]\ntitle: T\ntags: [*b,*b]", "'tags' must be a list"),
        ("title: T\nauthor: {a: 1}", "'author' must be text"),
        ("title: T\npublished: 2023", "bad date 2023 in 'published'"),
        ("title: T\npublished: !!int 1" + "9" * 5000, "broken front matter: Exceeds the limit"),
        ("? [a]\n: b", "broken front matter: found unhashable key (line 2, column 3)"),
    ],
)
def test_hostile_front_matter_is_a_problem(tmp_path: Path, front: str, reason: str) -> None:
    put(tmp_path, "x.md", f"---\n{front}\n---\nText.")
    read = read_corpus(tmp_path)
    assert read.articles == []
    assert reasons(read)["x.md"].startswith(reason)
