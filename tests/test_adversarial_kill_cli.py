"""A CLI write killed (SIGKILL) before its change was published leaves no trace: the next write
(here, the server's) puts back what the dead process had changed, so an article it was
removing is not removed later "anyway" by an unrelated upload, and a file it was adding is not
indexed later either. A change that *was* published before the kill stays.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.adversarial import (
    AUTH,
    HEADLINE_ID,
    article_md,
    cli_env,
    eventually,
    make_settings,
    running_api,
    write_bulk,
)
from tests.conftest import copy_corpus

pytestmark = pytest.mark.timeout(120)

HARBOUR = article_md(
    "harbour-news", "Harbour news", 'The harbour master said: "The new quay opens on Monday."'
)


async def start_cli(args: list[str], corpus: Path, data: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=cli_env(corpus, data),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )


async def kill_when(proc: asyncio.subprocess.Process, changed, what: str) -> None:  # type: ignore[no-untyped-def]
    async def seen() -> bool:
        assert proc.returncode is None, f"the CLI ended before {what}"
        return bool(changed())

    await eventually(seen, 60, what, step=0.005)
    os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its reindex child, mid-pass
    await proc.wait()


def upload(name: str, text: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", text.encode(), filename=name, content_type="text/markdown")
    return form


async def test_a_killed_cli_remove_is_undone_not_applied_later(tmp_path: Path) -> None:
    # Failed before the fix: the killed `newsbot remove` had renamed the article's file to a
    # hidden backup; the server kept answering with it until the next, unrelated upload, whose
    # pass then removed it (and the backup was deleted): an unconfirmed removal applied later.
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    settings = make_settings(corpus, data)
    async with running_api(settings, long_running=True) as (_, api, _):
        write_bulk(corpus, 300)  # makes the CLI's pass take a while
        proc = await start_cli(["remove", HEADLINE_ID], corpus, data)
        await kill_when(
            proc, lambda: not (corpus / f"{HEADLINE_ID}.md").exists(), "the CLI took the file"
        )
        status, body = await api.call(
            "POST", "/api/articles", data=upload("harbour-news.md", HARBOUR), headers=AUTH
        )
        assert status == 200, body
        ids = await api.article_ids()
        assert "harbour-news" in ids
        assert HEADLINE_ID in ids, "an unconfirmed removal was applied by the next write"
    assert (corpus / f"{HEADLINE_ID}.md").exists()
    assert not [p.name for p in corpus.iterdir() if p.name.startswith(".")]


async def test_a_killed_cli_add_is_undone_not_indexed_later(tmp_path: Path) -> None:
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    settings = make_settings(corpus, data)
    story = tmp_path / "ferry.md"
    story.write_text(
        article_md("ferry-story", "Ferry", 'The ferry captain said: "We sail at dawn tomorrow."')
    )
    async with running_api(settings, long_running=True) as (_, api, _):
        write_bulk(corpus, 300)
        proc = await start_cli(["add", str(story)], corpus, data)
        await kill_when(proc, lambda: (corpus / "ferry-story.md").exists(), "the CLI wrote")
        status, body = await api.call(
            "POST", "/api/articles", data=upload("harbour-news.md", HARBOUR), headers=AUTH
        )
        assert status == 200, body
        ids = await api.article_ids()
        assert "harbour-news" in ids
        assert "ferry-story" not in ids, "an unconfirmed upload was indexed by the next write"
    assert not (corpus / "ferry-story.md").exists()
    assert not [p.name for p in corpus.iterdir() if p.name.startswith(".")]


def _indexed(corpus: Path) -> dict[str, tuple[str, str | None]]:
    """What an index built from ``corpus`` now holds: id -> (content hash, source path)."""
    from index.corpus import read_corpus

    return {a.id: (a.content_hash, a.source_path) for a in read_corpus(corpus).articles}


def _read_as(corpus: Path):  # type: ignore[no-untyped-def]
    from index.corpus import articles_as

    return lambda path, named: articles_as(path, named, corpus)


@pytest.mark.parametrize("published", [False, True], ids=["unpublished", "published"])
def test_recover_settles_a_dead_writers_changes(tmp_path: Path, published: bool) -> None:
    """A dead writer replaced one file, removed a line of a .jsonl, removed a file and created
    one (and then replaced it). Unpublished: all put back; published: all kept."""
    import json

    from index.corpus import canonical, remove_article, write_article
    from index.journal import Journal, recover
    from index.models import Article

    corpus = copy_corpus(tmp_path / "corpus")
    lines = [
        {"id": f"wire-{i}", "title": f"Wire {i}", "text": f"Wire story {i}."} for i in range(3)
    ]
    (corpus / "wire.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}
    index_before = _indexed(corpus)

    journal = Journal()  # the dead writer's; never committed nor undone
    remove_article(corpus, "wire-1", "wire.jsonl", journal=journal)
    remove_article(corpus, HEADLINE_ID, None, journal=journal)
    new = canonical(
        Article(id="brand-new", title="Brand new", text="A new story from Lida.", content_hash="")
    )
    write_article(corpus, new, journal=journal)
    write_article(corpus, canonical(new.model_copy(update={"text": "Changed."})), journal=journal)
    after = {p.name: p.read_bytes() for p in corpus.iterdir() if not p.name.startswith(".")}

    live = _indexed(corpus) if published else index_before
    undone, dropped = recover(corpus, live, _read_as(corpus))
    files = {p.name: p.read_bytes() for p in corpus.iterdir()}
    assert not [name for name in files if name.startswith(".")]  # nothing left behind
    if published:
        assert files == after and undone == 0
    else:
        assert files == before and undone >= 3
    assert dropped == 4  # two backups of removals, a marker, a backup of the first version
