"""Shared fixtures: a private copy of the bundled corpus and a fresh data dir per test."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = REPO / "corpus"

HEADLINE = "What did Lukashenko tell Li Zhanshu?"
HEADLINE_QUOTE = "Expanding ties with China has been a foreign policy priority for us."
HEADLINE_QUOTE_2 = "We are ready to keep making the necessary efforts"
HEADLINE_TITLE = "Belarus and China Plan on Increasing Ties"


def copy_corpus(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for item in BUNDLED_CORPUS.iterdir():
        if item.suffix in {".md", ".txt", ".html", ".jsonl"}:
            shutil.copy2(item, target / item.name)
    return target


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return copy_corpus(tmp_path / "corpus")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def write_article(corpus_dir: Path) -> Callable[..., Path]:
    """Write a Markdown article with front matter into the test corpus."""

    def write(name: str, title: str, text: str, **meta: str) -> Path:
        lines = ["---", f"title: {title!r}"] + [f"{k}: {v!r}" for k, v in meta.items()] + ["---"]
        path = corpus_dir / f"{name}.md"
        path.write_text("\n".join(lines) + "\n\n" + text.strip() + "\n", encoding="utf-8")
        return path

    return write


@contextlib.asynccontextmanager
async def local_pages(pages: dict[str, str]) -> AsyncIterator[str]:
    """A web server on 127.0.0.1 serving ``{path: html}``; yields its base URL."""
    from aiohttp import web

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=pages[request.path], content_type="text/html")

    app = web.Application()
    for path in pages:
        app.router.add_get(path, page)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
