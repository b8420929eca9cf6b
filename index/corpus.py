"""The corpus directory: article files in, ``Article`` models out, and atomic writes back.

Formats, one article per file except ``.jsonl``:

- ``.md``: Markdown with YAML front matter (title, author, publisher, url, published, language,
  tags, id); the title may instead be a leading ``# Heading`` line.
- ``.txt``: the first line is the title; a ``By NAME`` line at the edge of the text is the author;
  photo credits and "Read more"-style page furniture at the edges are dropped.
- ``.html``: main text and metadata extracted by ``index.html_extract``.
- ``.jsonl``: one JSON object per line with ``title`` and ``text`` (and the optional metadata).

``article.text`` is the canonical text that quotes are cut from: only a BOM, line endings,
trailing whitespace on lines and the edges are normalised; everything else stays verbatim.

Nothing is dropped silently: a file (or ``.jsonl`` line) that cannot be read becomes a ``Problem``
with its path and a reason a person can act on, and every other article is still read.

Command line: ``python -m index.corpus check DIR`` lists what a corpus folder yields, and
``python -m index.corpus convert SRC... --out DIR [--tag T]... [--language L]`` rewrites article
files as Markdown with front matter. The bundled seeds were made with
``python -m index.corpus convert ../shared/seeds/*.txt --out corpus/ --tag belarus --tag china``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any, NamedTuple

import yaml
from frontmatter.default_handlers import YAMLHandler

from index.analyze import LATIN_SPECIALS
from index.errors import BadInput, IngestRefused, NotFound
from index.journal import Journal
from index.models import Article, Problem

log = logging.getLogger(__name__)

MAX_BYTES = 5_000_000
MAX_TITLE_CHARS = 300
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
_KINDS = {
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
}
_UTF8_BOM = b"\xef\xbb\xbf"
_SUPPORTED_HINT = "use .md, .txt, .html or .jsonl"
_FRONT_MATTER = YAMLHandler()  # python-frontmatter's delimiters; its loader is yaml's C SafeLoader


@dataclass
class CorpusRead:
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class KnownArticle(NamedTuple):
    """What the index holds for an id: its content hash and where it came from."""

    content_hash: str
    source_path: str | None


class _Unreadable(Exception):
    """One file or line cannot be read; ``reason`` is for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---- text, ids and hashes ---------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """The canonical form of an article's text: no BOM, ``\\n`` line ends, no trailing
    whitespace on lines, no blank edges. Everything else (quotes, dashes, spacing) is verbatim."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _one_line(value: str) -> str:
    return " ".join(value.split())


def content_hash(title: str, text: str) -> str:
    """sha256 hex of NFC(title) + blank line + NFC(text)."""
    joined = unicodedata.normalize("NFC", title) + "\n\n" + unicodedata.normalize("NFC", text)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


# Letters that NFKD does not reduce to ASCII, and Cyrillic (the corpus is about Belarus).
_TRANSLITERATION = str.maketrans(
    {
        **LATIN_SPECIALS,
        "ß": "ss",
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "ґ": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "є": "ye",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "і": "i",
        "ї": "yi",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ў": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
    }
)


def slugify(text: str, limit: int = 80) -> str:
    """``[a-z0-9-]`` only: accents folded, Cyrillic transliterated, other scripts dropped
    (callers fall back to a hash when nothing is left)."""
    folded = unicodedata.normalize("NFC", text).lower().translate(_TRANSLITERATION)
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > limit:
        cut = slug[:limit]
        if slug[limit] != "-" and "-" in cut:
            cut = cut.rsplit("-", 1)[0]  # do not end the id in the middle of a word
        slug = cut.rstrip("-")
    return slug


def derive_id(explicit: object, fallback: str) -> str:
    """An explicit id when it is valid (or slugs to one), else a slug of ``fallback`` (a file
    stem or a title), else a short hash of it, so every article gets a usable id."""
    if isinstance(explicit, str | int) and not isinstance(explicit, bool):
        candidate = str(explicit).strip()
        if ID_PATTERN.fullmatch(candidate):
            return candidate
        if slug := slugify(candidate):
            return slug
    return slugify(fallback) or "article-" + hashlib.sha256(fallback.encode()).hexdigest()[:12]


# ---- decoding ---------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 text without its BOM, or _Unreadable saying exactly what is wrong."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Unreadable("UTF-16 text, not UTF-8; save it as UTF-8")
    nul = data.find(b"\0")
    if nul >= 0:
        raise _Unreadable(f"binary data (a NUL byte at offset {nul}), not a text article")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        byte = data[err.start]
        raise _Unreadable(
            f"not UTF-8 (invalid byte 0x{byte:02x} at offset {err.start}); save it as UTF-8"
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _Unreadable("empty file")
    return text


# ---- metadata (front matter and jsonl share these rules) --------------------------------------

_SCALARS = (str, int, float, date)


def _scalar_text(meta: Mapping[str, Any], key: str) -> str | None:
    value = meta.get(key)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, list | tuple):  # e.g. several authors
        if not all(isinstance(item, _SCALARS) for item in value):
            raise _Unreadable(f"'{key}' must be text or a list of text")
        return _one_line(", ".join(str(item) for item in value)) or None
    if not isinstance(value, _SCALARS):
        raise _Unreadable(f"'{key}' must be text, not {type(value).__name__}")
    return _one_line(str(value)) or None


def _published(meta: Mapping[str, Any]) -> date | None:
    key = "published" if "published" in meta else "date"
    value = meta.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        with suppress(ValueError):
            return date.fromisoformat(text)
        with suppress(ValueError):
            return datetime.fromisoformat(text).date()
    raise _Unreadable(f"bad date {_preview(value)} in '{key}'; use YYYY-MM-DD, e.g. 2023-11-04")


_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")


def _language(meta: Mapping[str, Any]) -> str:
    value = meta.get("language", meta.get("lang"))
    if value is None or value == "":
        return "en"
    code = str(value).strip().lower().replace("_", "-") if isinstance(value, str) else ""
    if not _LANGUAGE.fullmatch(code):
        raise _Unreadable(
            f"bad language {_preview(value)}; use a language code such as 'en' or 'ru'"
        )
    return code


def _tags(meta: Mapping[str, Any]) -> tuple[str, ...]:
    value = meta.get("tags")
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list | tuple) and all(isinstance(i, _SCALARS) for i in value):
        items = list(value)
    else:
        raise _Unreadable("'tags' must be a list or a comma-separated string")
    tags = (_one_line(str(item)) for item in items)
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def _preview(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _metadata(meta: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "author": _scalar_text(meta, "author"),
        "publisher": _scalar_text(meta, "publisher") or _scalar_text(meta, "site_name"),
        "url": _scalar_text(meta, "url"),
        "published": _published(meta),
        "language": _language(meta),
        "tags": _tags(meta),
    }


def _title(value: object) -> str:
    if not isinstance(value, _SCALARS) or isinstance(value, bool):
        raise _Unreadable("'title' must be text")
    title = _one_line(str(value))
    if len(title) > MAX_TITLE_CHARS:
        raise _Unreadable(f"the title is {len(title):,} characters; the limit is {MAX_TITLE_CHARS}")
    return title


def _article(
    *, article_id: str, title: str, text: str, source_path: str | None, **meta: Any
) -> Article:
    if not title:
        raise _Unreadable("no title")
    if not text:
        raise _Unreadable("no text: the article has a title but no body")
    return Article(
        id=article_id,
        title=title,
        text=text,
        source_path=source_path,
        content_hash=content_hash(title, text),
        **meta,
    )


# ---- the formats ------------------------------------------------------------------------------


def _parse_markdown(text: str, stem: str, source_path: str | None) -> Article:
    text = normalise_text(text)
    meta: dict[str, Any] = {}
    body = text
    if _FRONT_MATTER.detect(text):
        try:
            front, body = _FRONT_MATTER.split(text)
        except ValueError:
            raise _Unreadable("broken front matter: no closing '---' line") from None
        meta = _load_front_matter(front, first_line=text.count("\n", 0, text.find(front)) + 1)
        body = body.strip()
    raw_title = meta.get("title")
    if raw_title is None or raw_title == "":
        heading = re.match(r"#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*(?:\n|$)", body)
        if heading is None:
            raise _Unreadable(
                "no title: add 'title: …' to the front matter or start the text with '# Title'"
            )
        raw_title, body = heading.group(1), body[heading.end() :].strip()
    return _article(
        article_id=derive_id(meta.get("id"), stem),
        title=_title(raw_title),
        text=body,
        source_path=source_path,
        **_metadata(meta),
    )


def _load_front_matter(front: str, first_line: int) -> dict[str, Any]:
    try:
        loaded = _FRONT_MATTER.load(front)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f" (line {first_line + mark.line}, column {mark.column + 1})" if mark else ""
        what = err.problem or err.context or str(err).strip().splitlines()[0]
        raise _Unreadable(f"broken front matter: {what}{where}") from None
    except Exception as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise _Unreadable(f"broken front matter: {_one_line(first)[:200]}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise _Unreadable(
            "broken front matter: expected 'key: value' lines between the '---' lines"
        )
    return {str(key).lower(): value for key, value in loaded.items()}


_PHOTO_CREDIT = re.compile(
    r"\(?\s*(?:file\s+)?(?:photo(?:graph)?s?|images?|pictures?|pic|illustration|video)"
    r"(?:\s+credit)?\s*(?::|\bby\b)\s*\S.{0,100}"
    r"|(?:[\w.'’ -]{1,40}/)?(?:getty\s+images|shutterstock|alamy|ap\s+photo|afp|reuters|epa)"
    r"(?:\s*/\s*[\w.'’ -]{1,40})?",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"(?:(?:our\s+)?latest\s+(?:articles|news|stories)|read\s+more"
    r"|related(?:\s+(?:articles|stories))?|share\s+this(?:\s+(?:article|story|post))?"
    r"|you\s+may\s+also\s+like|advertisement)(?:\s*[:.…»›>→-]+)?",
    re.IGNORECASE,
)
_NAME_PARTICLES = frozenset(
    {"and", "&", "de", "da", "di", "del", "der", "van", "von", "la", "le", "bin", "al", "el"}
)


def _byline(line: str) -> str | None:
    """The author of a ``By NAME`` line, when NAME looks like names and not like a sentence."""
    match = re.fullmatch(r"(?i:by)\s*:?\s+(.{2,100})", line)
    if match is None:
        return None
    name = match.group(1).strip().rstrip(".").strip()
    words = name.split()
    if not 1 <= len(words) <= 10 or name.endswith((",", "!", "?", ":", ";")):
        return None
    for word in words:
        bare = word.strip(",")
        if not bare or not (bare[0].isupper() or bare.lower() in _NAME_PARTICLES):
            return None
    return name


def _is_furniture(line: str) -> bool:
    return len(line) <= 120 and bool(_PHOTO_CREDIT.fullmatch(line) or _BOILERPLATE.fullmatch(line))


def _parse_text(text: str, stem: str, source_path: str | None) -> Article:
    lines = normalise_text(text).split("\n")
    title = lines[0].strip()
    if len(title) > MAX_TITLE_CHARS:
        raise _Unreadable(
            f"no title: the first line is {len(title):,} characters long; "
            "put the title on a line of its own at the top"
        )
    body = lines[1:]
    author: str | None = None
    # Page furniture only at the edges: the photo credit under the headline, a byline, the
    # "Our Latest Articles" links at the end. Nothing inside the text is touched.
    start = 0
    while start < len(body):
        line = body[start].strip()
        if not line or _is_furniture(line):
            start += 1
        elif author is None and (name := _byline(line)):
            author, start = name, start + 1
        else:
            break
    end = len(body)
    while end > start:
        line = body[end - 1].strip()
        if not line or _is_furniture(line):
            end -= 1
        elif author is None and (name := _byline(line)):
            author, end = name, end - 1
        else:
            break
    return _article(
        article_id=derive_id(None, stem),
        title=_title(title),
        text="\n".join(body[start:end]).strip(),
        source_path=source_path,
        author=author,
    )


def _parse_html(text: str, stem: str, source_path: str | None) -> Article:
    from index.html_extract import extract_html  # loads trafilatura on the first page only

    try:
        page = extract_html(text)
    except IngestRefused as err:
        raise _Unreadable(str(err)) from None
    if not page.title:
        raise _Unreadable("no title: the page has no <title>, og:title or <h1>")
    return _article(
        article_id=derive_id(None, stem),
        title=_title(page.title),
        text=normalise_text(page.text),
        source_path=source_path,
        author=page.author,
        publisher=page.publisher,
        url=page.url,
        published=page.published,
        language=page.language or "en",
    )


def _parse_json_line(line: bytes, source_path: str | None) -> Article:
    line = line.removeprefix(_UTF8_BOM)
    if b"\0" in line:
        raise _Unreadable("binary data (a NUL byte), not JSON text")
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _Unreadable(
            f"not UTF-8 (invalid byte 0x{line[err.start]:02x} at offset {err.start} of the line); "
            "save the file as UTF-8"
        ) from None
    try:
        obj = json.loads(decoded)
    except json.JSONDecodeError as err:
        raise _Unreadable(f"not valid JSON ({err.msg} at column {err.colno})") from None
    except (ValueError, RecursionError):
        raise _Unreadable("not valid JSON (nested too deeply or a number too long)") from None
    if not isinstance(obj, dict):
        raise _Unreadable('each line must be a JSON object such as {"title": …, "text": …}')
    title, text = obj.get("title"), obj.get("text")
    if title is None or title == "":
        raise _Unreadable("no title: the object has no 'title'")
    if not isinstance(text, str) or not text.strip():
        raise _Unreadable("no text: 'text' is missing, empty or not a string")
    title = _title(title)
    return _article(
        article_id=derive_id(obj.get("id"), title),
        title=title,
        text=normalise_text(text),
        source_path=source_path,
        **_metadata(obj),
    )


_SINGLE_PARSERS: dict[str, Callable[[str, str, str | None], Article]] = {
    "md": _parse_markdown,
    "txt": _parse_text,
    "html": _parse_html,
}


def _kind(name: str) -> str | None:
    return _KINDS.get(PurePath(name).suffix.lower())


def _unsupported(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    what = f"unsupported file type {suffix}" if suffix else "unsupported file type (no extension)"
    return f"{what}; {_SUPPORTED_HINT}"


def _too_large(size: int, max_bytes: int) -> str:
    return f"too large ({size:,} bytes; the limit is {max_bytes:,}); split it into smaller files"


# ---- reading ----------------------------------------------------------------------------------


class _Collector:
    """Collects articles in reading order; a later copy of the same content or id is a Problem."""

    def __init__(self) -> None:
        self.read = CorpusRead()
        self._by_hash: dict[str, tuple[str, str]] = {}
        self._by_id: dict[str, str] = {}

    def problem(self, where: str, reason: str) -> None:
        self.read.problems.append(Problem(path=where, reason=reason))

    def remember(self, article_id: str, content_hash: str, where: str) -> None:
        """An article of a file that was not read again (unchanged): it still claims its id and
        content for the duplicate checks."""
        self._by_hash.setdefault(content_hash, (article_id, where))
        self._by_id.setdefault(article_id, where)

    def remember_all(self, articles: list[tuple[str, str]], where: str) -> None:
        """:meth:`remember` for every (id, content hash) of a file (a million at once in a big
        corpus: the loop is kept tight)."""
        by_hash, by_id = self._by_hash, self._by_id
        for article_id, content_hash in articles:
            if content_hash not in by_hash:
                by_hash[content_hash] = (article_id, where)
            if article_id not in by_id:
                by_id[article_id] = where

    def add(self, article: Article, where: str) -> None:
        if (first := self._by_hash.get(article.content_hash)) is not None:
            self.problem(where, f"duplicate of {first[0]} ({first[1]})")
        elif (first_where := self._by_id.get(article.id)) is not None:
            self.problem(where, f"id '{article.id}' is already used by {first_where}")
        else:
            self._by_hash[article.content_hash] = (article.id, where)
            self._by_id[article.id] = where
            self.read.articles.append(article)


def read_corpus(corpus_dir: Path, *, max_bytes: int = MAX_BYTES) -> CorpusRead:
    """Every article under ``corpus_dir`` (recursively, in sorted order) and every problem."""
    stream = CorpusStream(corpus_dir, max_bytes=max_bytes)
    articles = list(stream)
    return CorpusRead(articles=articles, problems=stream.problems)


#: A corpus file's identity: (size, ctime in ns, inode). Any write to a file changes its ctime
#: (which, unlike the mtime, cannot be set back), and a replaced file has a new inode.
FileStamp = tuple[int, int, int]
#: Given a file (relative path) and its stamp, the (id, content hash) of every article it held
#: when it was last read, if that is still known and the file unchanged; else None.
KnownFile = Callable[[str, FileStamp], list[tuple[str, str]] | None]


class CorpusStream:
    """The articles under ``corpus_dir`` one at a time, so a reindex never holds the corpus.

    Iterate once. ``problems`` fills as files are read; ``done_bytes`` / ``total_bytes`` say how
    far the reading is (for progress). Duplicates are judged as in :func:`read_corpus`: the first
    copy in sorted order wins.

    With ``known``, a file whose stamp says it is unchanged is not read at all: its articles are
    listed in ``unchanged`` (id → content hash) instead of yielded, and still count for the
    duplicate checks of the files after it. ``stamps`` holds every file's stamp, and
    ``files_with_problems`` the files that had any (they are always read again).
    """

    def __init__(
        self, corpus_dir: Path, *, max_bytes: int = MAX_BYTES, known: KnownFile | None = None
    ) -> None:
        root = Path(corpus_dir)
        if not root.is_dir():
            if root.exists():
                raise BadInput(f"Corpus directory '{root}' is a file, not a folder. Pass --corpus.")
            raise BadInput(f"Corpus directory '{root}' does not exist. Create it or pass --corpus.")
        self._collector = _Collector()
        self._files = list(_walk(root, self._collector))
        self._max_bytes = max_bytes
        self._known = known
        self.stamps: dict[str, FileStamp] = {}
        for path, rel in self._files:
            with contextlib.suppress(OSError):
                st = path.stat()
                self.stamps[rel] = (st.st_size, st.st_ctime_ns, st.st_ino)
        self.total_bytes = sum(stamp[0] for stamp in self.stamps.values())
        #: What iterating will read: the files ``known`` does not vouch for.
        self.bytes_to_read = sum(
            stamp[0]
            for rel, stamp in self.stamps.items()
            if known is None or known(rel, stamp) is None
        )
        self.done_bytes = 0
        self.unchanged: dict[str, str] = {}

    @property
    def problems(self) -> list[Problem]:
        return self._collector.read.problems

    @property
    def files_with_problems(self) -> set[str]:
        return {p.path.split(":", 1)[0] for p in self.problems}

    def __iter__(self) -> Iterator[Article]:
        pending = self._collector.read.articles
        for path, rel in self._files:
            stamp = self.stamps.get(rel)
            known = self._known(rel, stamp) if self._known and stamp else None
            if known is not None and stamp is not None:
                self._collector.remember_all(known, rel)
                self.unchanged.update(known)
                self.done_bytes += stamp[0]
                continue
            for consumed in _read_into(self._collector, path, rel, self._max_bytes):
                self.done_bytes += consumed
                yield from pending
                pending.clear()


def read_file(path: Path, root: Path, *, max_bytes: int = MAX_BYTES) -> CorpusRead:
    """The articles of one file (``source_path`` relative to ``root``) and its problems."""
    path = Path(path)
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.name
    collector = _Collector()
    for _consumed in _read_into(collector, path, rel, max_bytes):
        pass
    return collector.read


def articles_as(path: Path, named: Path, root: Path) -> set[tuple[str, str]]:
    """(id, content hash) of the articles in ``path`` read as the file ``named`` (under
    ``root``) would be: how the journal tells whether an interrupted change was published."""
    try:
        rel = Path(named).relative_to(root).as_posix()
    except ValueError:
        rel = Path(named).name
    collector = _Collector()
    for _consumed in _read_into(collector, Path(path), rel, MAX_BYTES, named=Path(named)):
        pass
    return {(a.id, a.content_hash) for a in collector.read.articles}


def _walk(root: Path, collector: _Collector) -> Iterator[tuple[Path, str]]:
    def visit(directory: Path, prefix: str) -> Iterator[tuple[Path, str]]:
        try:
            with os.scandir(directory) as entries:
                ordered = sorted(entries, key=lambda entry: entry.name)
        except OSError as err:
            collector.problem(prefix.rstrip("/") or ".", f"cannot open the folder: {err.strerror}")
            return
        for entry in ordered:
            if entry.name.startswith((".", "_")) or entry.name == "__pycache__":
                continue
            rel = prefix + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    yield from visit(Path(entry.path), rel + "/")
                elif entry.is_symlink() and entry.is_dir():
                    # Following links to folders risks loops and reading outside the corpus.
                    collector.problem(rel, "a link to a folder; links to folders are not followed")
                elif not entry.is_file():
                    collector.problem(rel, "not a regular file (a pipe, socket or broken link)")
                else:
                    yield Path(entry.path), rel
            except OSError as err:
                collector.problem(rel, f"cannot read: {err.strerror}")

    yield from visit(root, "")


def corpus_listing(corpus_dir: Path) -> Iterator[tuple[str, int, int]]:
    """(relative path, size, mtime in ns) of every file the reader would look at, in reading
    order: a cheap way to tell whether the corpus dir changed since the index was built."""
    root = Path(corpus_dir)
    if not root.is_dir():
        return
    for path, rel in _walk(root, _Collector()):
        try:
            info = path.stat()
        except OSError:
            continue
        yield rel, info.st_size, info.st_mtime_ns


def _read_into(
    collector: _Collector, path: Path, rel: str, max_bytes: int, *, named: Path | None = None
) -> Iterator[int]:
    """Read one file into ``collector``; yields the bytes consumed after each article or line,
    so a caller can take the articles out as they come (a .jsonl file may hold the corpus).
    ``named``: read ``path`` as if it had that name (a backup of that file)."""
    name = named if named is not None else path
    kind = _kind(name.name)
    if kind is None:
        collector.problem(rel, _unsupported(name.name))
        return
    try:
        if kind == "jsonl":
            yield from _read_jsonl(collector, path, rel, max_bytes)
            return
        size = path.stat().st_size
        if size > max_bytes:
            raise _Unreadable(_too_large(size, max_bytes))
        text = _decode(path.read_bytes())
        collector.add(_SINGLE_PARSERS[kind](text, name.stem, rel), rel)
        yield size
    except _Unreadable as err:
        collector.problem(rel, err.reason)
    except OSError as err:
        collector.problem(rel, f"cannot read: {err.strerror or err}")
    except Exception:  # a bug here must not hide the rest of the corpus
        log.exception("reading %s failed", rel)
        collector.problem(rel, "internal error while reading this file; see the log")


def _read_jsonl(collector: _Collector, path: Path, rel: str, max_bytes: int) -> Iterator[int]:
    with open(path, "rb") as fh:
        _check_jsonl_head(fh.read(8192))
        fh.seek(0)
        any_line = False
        for number, line in _bounded_lines(fh, max_bytes):
            where = f"{rel}:{number}"
            if line is None:
                collector.problem(where, f"line too long; the limit is {max_bytes:,} bytes")
                any_line = True
                continue
            if not line.removeprefix(_UTF8_BOM).strip():
                continue
            any_line = True
            try:
                collector.add(_parse_json_line(line, rel), where)
            except _Unreadable as err:
                collector.problem(where, err.reason)
            yield len(line) + 1
    if not any_line:
        raise _Unreadable("empty file")


def _check_jsonl_head(head: bytes) -> None:
    """Whole-file faults are reported once, not on every line."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Unreadable("UTF-16 text, not UTF-8; save it as UTF-8")
    nul = head.find(b"\0")
    if nul >= 0:
        raise _Unreadable(f"binary data (a NUL byte at offset {nul}), not a text article")


def _bounded_lines(fh: Any, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) pairs; ``None`` for a line longer than ``max_bytes``, which is
    skipped without holding it in memory."""
    number = 0
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = fh.readline(1 << 20)
            yield number, None
            continue
        yield number, line.rstrip(b"\r\n")


# ---- uploads ----------------------------------------------------------------------------------


def _upload_name(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise IngestRefused("the upload has no file name")
    return name


def parse_upload(filename: str, data: bytes, *, max_bytes: int = MAX_BYTES) -> list[Article]:
    """The articles in an uploaded file, validated like the corpus reader; IngestRefused with
    the specific reason otherwise. ``source_path`` is left empty (nothing is stored yet)."""
    name = _upload_name(filename)
    kind = _kind(name)
    if kind is None:
        raise IngestRefused(f"'{name}': {_unsupported(name)}")
    if len(data) > max_bytes:
        raise IngestRefused(f"'{name}' is {_too_large(len(data), max_bytes)}")
    collector = _Collector()
    try:
        if kind == "jsonl":
            _parse_jsonl_upload(collector, data)
        else:
            stem = PurePath(name).stem
            collector.add(_SINGLE_PARSERS[kind](_decode(data), stem, None), name)
    except _Unreadable as err:
        raise IngestRefused(f"'{name}': {err.reason}") from None
    if collector.read.problems:
        first = collector.read.problems[0]
        more = len(collector.read.problems) - 1
        also = f" (and {more} more bad line{'s' if more > 1 else ''})" if more else ""
        raise IngestRefused(f"'{name}' {first.path}: {first.reason}{also}")
    return collector.read.articles


def _parse_jsonl_upload(collector: _Collector, data: bytes) -> None:
    _check_jsonl_head(data[:8192])
    lines = [(n, line.rstrip(b"\r")) for n, line in enumerate(data.split(b"\n"), 1)]
    lines = [(n, line) for n, line in lines if line.removeprefix(_UTF8_BOM).strip()]
    if not lines:
        raise _Unreadable("empty file")
    for number, line in lines:
        try:
            collector.add(_parse_json_line(line, None), f"line {number}")
        except _Unreadable as err:
            collector.problem(f"line {number}", err.reason)


def store_upload(
    corpus_dir: Path,
    filename: str,
    data: bytes,
    known: Mapping[str, KnownArticle | str],
    *,
    max_bytes: int = MAX_BYTES,
    journal: Journal | None = None,
) -> list[tuple[Article, str]]:
    """Validate an upload and store each of its articles as ``<id>.md`` in ``corpus_dir``.

    ``known`` maps the indexed ids to ``KnownArticle`` (a bare content hash is accepted too).
    Returns ``(article, status)`` pairs, status ``added``, ``updated`` (same id, new content) or
    ``unchanged``. Everything is checked before the first write, and a write that fails (a full
    disk) undoes the ones before it, so a refused or failed upload stores nothing. With a
    ``journal``, the caller can also undo the whole upload later (when its reindex fails)."""
    corpus_dir = Path(corpus_dir)
    articles = parse_upload(filename, data, max_bytes=max_bytes)
    entries = {
        article_id: entry if isinstance(entry, KnownArticle) else KnownArticle(entry, None)
        for article_id, entry in known.items()
    }
    owner_of_hash = {entry.content_hash: article_id for article_id, entry in entries.items()}
    plans: list[tuple[Article, str, Path | None, Path | None]] = []
    for article in articles:
        owner = owner_of_hash.get(article.content_hash)
        if owner is not None and owner != article.id:
            raise IngestRefused(f"duplicate of {owner}")
        plans.append(_plan_store(corpus_dir, article, entries.get(article.id)))
    changes = journal if journal is not None else Journal()
    start = changes.mark()
    results: list[tuple[Article, str]] = []
    try:
        for article, status, target, replaced in plans:
            if target is None:
                results.append((article, status))
                continue
            path = write_article(corpus_dir, article, path=target, journal=changes)
            if replaced is not None and replaced != path:
                changes.remove(replaced)  # the .txt/.html this article was read from
            results.append(
                (article.model_copy(update={"source_path": _relative(corpus_dir, path)}), status)
            )
    except BaseException:
        changes.undo(start)
        raise
    if journal is None:
        changes.commit()
    return results


def _plan_store(
    corpus_dir: Path, article: Article, entry: KnownArticle | None
) -> tuple[Article, str, Path | None, Path | None]:
    """(article, status, file to write or None, file it replaces or None)."""
    if entry is not None and entry.content_hash == article.content_hash:
        return (
            article.model_copy(update={"source_path": entry.source_path}),
            "unchanged",
            None,
            None,
        )
    if entry is not None and entry.source_path:
        current = _inside(corpus_dir, entry.source_path)
        kind = _kind(current.name)
        if kind == "jsonl":
            raise IngestRefused(
                f"'{article.id}' is stored in {entry.source_path} together with other articles; "
                f"edit that file, or remove '{article.id}' first and upload it again"
            )
        target = current if kind == "md" else current.with_suffix(".md")
        if target != current:
            _check_free(corpus_dir, target, article)
        return article, "updated", target, current
    target = corpus_dir / f"{article.id}.md"
    on_disk = _check_free(corpus_dir, target, article)
    if on_disk is not None and on_disk.content_hash == article.content_hash:
        return on_disk, "unchanged", None, None
    status = "updated" if entry is not None or on_disk is not None else "added"
    return article, status, target, None


def _check_free(corpus_dir: Path, target: Path, article: Article) -> Article | None:
    """The article already in ``target`` when it has the same id; refuse to overwrite a file that
    holds something else. None when ``target`` does not exist."""
    if not target.exists():
        return None
    rel = _relative(corpus_dir, target)
    found = read_file(target, corpus_dir)
    if found.problems:
        raise IngestRefused(
            f"the corpus already has a file {rel} that cannot be read "
            f"({found.problems[0].reason}); fix or remove it first"
        )
    same = [a for a in found.articles if a.id == article.id]
    if not same:
        other = found.articles[0].id if found.articles else "nothing"
        raise IngestRefused(
            f"the corpus already has a file {rel} holding '{other}'; "
            f"give the new article another id (add 'id: …' to its front matter)"
        )
    return same[0]


# ---- writing ----------------------------------------------------------------------------------


def canonical(article: Article) -> Article:
    """``article`` as the reader would give it back: normalised title, text and metadata, and
    the matching content hash."""
    title = _one_line(article.title)
    text = normalise_text(article.text)
    tags = tuple(dict.fromkeys(t for t in (_one_line(tag) for tag in article.tags) if t))
    return article.model_copy(
        update={
            "title": title,
            "text": text,
            "author": _one_line(article.author or "") or None,
            "publisher": _one_line(article.publisher or "") or None,
            "url": _one_line(article.url or "") or None,
            "language": (article.language or "en").strip().lower().replace("_", "-") or "en",
            "tags": tags,
            "content_hash": content_hash(title, text),
        }
    )


def article_markdown(article: Article) -> str:
    """The Markdown file for ``article``: front matter (id first, empty fields left out), a
    blank line, the text."""
    article = canonical(article)
    meta: dict[str, Any] = {"id": article.id, "title": article.title}
    for key in ("author", "publisher", "url", "published"):
        value = getattr(article, key)
        if value is not None:
            meta[key] = value
    meta["language"] = article.language
    if article.tags:
        meta["tags"] = list(article.tags)
    front = yaml.safe_dump(
        meta, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1 << 30
    )
    return f"---\n{front}---\n\n{article.text}\n"


def write_article(
    corpus_dir: Path, article: Article, *, path: Path | None = None, journal: Journal | None = None
) -> Path:
    """Write ``article`` as Markdown with front matter (default ``corpus_dir/<id>.md``),
    atomically: a reader sees the old file or the new one, never a part. With a ``journal``
    the write can be undone until the journal is committed."""
    corpus_dir = Path(corpus_dir)
    if not ID_PATTERN.fullmatch(article.id):
        raise BadInput(f"'{article.id}' is not a valid article id (a-z, 0-9 and '-').")
    target = Path(path) if path is not None else corpus_dir / f"{article.id}.md"
    markdown = article_markdown(article)
    _check_round_trip(markdown, canonical(article))
    target.parent.mkdir(parents=True, exist_ok=True)
    data = markdown.encode("utf-8")
    if journal is None:
        atomic_write(target, data)
    else:
        journal.replace(target, lambda where: atomic_write(where, data))
    return target


def _check_round_trip(markdown: str, article: Article) -> None:
    """Refuse to store a file that would not read back as the same article (an over-long title,
    an empty text, a language code the reader rejects)."""
    try:
        back = _parse_markdown(_decode(markdown.encode("utf-8")), article.id, None)
    except _Unreadable as err:
        raise BadInput(f"'{article.id}' cannot be stored: {err.reason}") from None
    fields = ("id", "title", "author", "publisher", "url", "published", "language", "tags")
    changed = [name for name in fields if getattr(back, name) != getattr(article, name)]
    if changed or back.content_hash != article.content_hash:
        raise BadInput(f"'{article.id}' cannot be stored: {', '.join(changed) or 'text'} changes")


def atomic_write(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename over ``path``, fsync the folder."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    # A dot name: the corpus reader skips it if a crash leaves it behind.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        with suppress(OSError, NotImplementedError):
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open folders; the rename is still atomic there
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


# ---- removal ----------------------------------------------------------------------------------


def _inside(corpus_dir: Path, source_path: str) -> Path:
    """``source_path`` under ``corpus_dir``; BadInput for anything that escapes it or is not an
    article file."""
    root = Path(corpus_dir).resolve()
    rel = PurePath(source_path)
    refused = BadInput(f"'{source_path}' is not an article file inside the corpus directory.")
    if not source_path or rel.is_absolute() or rel.name in ("", ".", ".."):
        raise refused
    candidate = root / rel
    parent = candidate.parent.resolve()
    if not parent.is_relative_to(root) or _kind(rel.name) is None:
        raise refused
    return parent / rel.name


def _relative(corpus_dir: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(Path(corpus_dir).resolve()).as_posix()
    except ValueError:
        return path.name


def remove_article(
    corpus_dir: Path, article_id: str, source_path: str | None, *, journal: Journal | None = None
) -> Path:
    """Delete the file of ``article_id`` (or its line of a ``.jsonl``, rewriting that file
    atomically). ``source_path`` None means the default ``<id>.md``. Returns the file touched.
    With a ``journal`` the removal can be undone until the journal is committed."""
    corpus_dir = Path(corpus_dir)
    source_path = source_path or f"{article_id}.md"
    path = _inside(corpus_dir, source_path)
    if not path.is_file():
        raise NotFound(
            f"'{source_path}' is no longer in the corpus directory; reindex to update the index."
        )
    if _kind(path.name) == "jsonl":
        _remove_jsonl_line(path, article_id, source_path, journal)
        return path
    found = read_file(path, corpus_dir)
    if found.articles and all(article.id != article_id for article in found.articles):
        raise NotFound(
            f"'{source_path}' now holds '{found.articles[0].id}', not '{article_id}'; "
            "reindex to update the index."
        )
    _unlink(path, journal)
    return path


def _unlink(path: Path, journal: Journal | None) -> None:
    if journal is None:
        path.unlink()
        _fsync_dir(path.parent)
    else:
        journal.remove(path)


def _remove_jsonl_line(
    path: Path, article_id: str, source_path: str, journal: Journal | None
) -> None:
    lines = path.read_bytes().split(b"\n")
    kept: list[bytes] = []
    removed = 0
    for line in lines:
        article_here: str | None = None
        if line.strip():
            with suppress(_Unreadable):
                article_here = _parse_json_line(line.rstrip(b"\r"), source_path).id
        if article_here == article_id:
            removed += 1
        else:
            kept.append(line)
    if not removed:
        raise NotFound(f"No line of '{source_path}' holds the article '{article_id}'.")
    remaining = b"\n".join(kept)
    if not remaining.strip():  # an empty .jsonl would only be reported as a problem
        _unlink(path, journal)
    elif journal is None:
        atomic_write(path, remaining)
    else:
        journal.replace(path, lambda where: atomic_write(where, remaining))


# ---- command line -----------------------------------------------------------------------------


def _convert(sources: list[Path], out: Path, tags: list[str], language: str | None) -> int:
    """Read each source with the corpus reader and write it to ``out`` as Markdown."""
    status = 0
    for source in sources:
        read = read_file(source, source.parent)
        for problem in read.problems:
            print(f"{source}: {problem.reason}", file=sys.stderr)
            status = 2
        for article in read.articles:
            update: dict[str, Any] = {"tags": tuple(dict.fromkeys([*article.tags, *tags]))}
            if language:
                update["language"] = language
            path = write_article(out, article.model_copy(update=update))
            print(f"{source} -> {path}")
    return status


def _check(corpus_dir: Path) -> int:
    read = read_corpus(corpus_dir)
    for article in read.articles:
        print(f"ok   {article.source_path}: {article.id} — {article.title}")
    for problem in read.problems:
        print(f"skip {problem.path}: {problem.reason}")
    print(f"{len(read.articles)} articles, {len(read.problems)} problems")
    return 1 if read.problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m index.corpus", description="Check a corpus folder or convert article files."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    convert = commands.add_parser("convert", help="convert article files to Markdown")
    convert.add_argument("sources", nargs="+", type=Path)
    convert.add_argument("--out", type=Path, required=True, help="the corpus folder to write to")
    convert.add_argument("--tag", action="append", default=[], help="add a tag (repeatable)")
    convert.add_argument("--language", help="set the language code, e.g. en")
    check = commands.add_parser("check", help="read a corpus folder and list its problems")
    check.add_argument("corpus_dir", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "convert":
            return _convert(args.sources, args.out, args.tag, args.language)
        return _check(args.corpus_dir)
    except (BadInput, IngestRefused) as err:
        print(err, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
