"""The one async service: reindex joins, answers during a reindex, add/remove, bad input."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.service import NewsService
from bot.settings import Settings
from index.errors import BadInput, Busy, IngestRefused, NotFound
from index.models import Progress
from tests.conftest import HEADLINE, HEADLINE_QUOTE, local_pages


def make_settings(corpus_dir: Path, data_dir: Path, **extra: object) -> Settings:
    return Settings(corpus_dir=corpus_dir, data_dir=data_dir, _env_file=None, **extra)


@pytest.fixture(params=[True, False], ids=["reindex-in-process", "reindex-in-thread"])
async def service(corpus_dir: Path, data_dir: Path, request: pytest.FixtureRequest):
    svc = NewsService(make_settings(corpus_dir, data_dir, reindex_in_process=request.param))
    await svc.start()
    yield svc
    await svc.close()


async def test_start_builds_an_index_when_there_is_none(service: NewsService) -> None:
    assert service.ready
    answer = await service.ask(HEADLINE)
    assert HEADLINE_QUOTE in answer.quotes[0].text


async def test_calls_that_arrive_together_share_one_pass(
    service: NewsService, corpus_dir: Path
) -> None:
    (corpus_dir / "x.md").write_text("---\ntitle: X\n---\n\nSomething happened in Minsk today.")
    events: list[Progress] = []
    a, b = await asyncio.gather(service.reindex(on_progress=events.append), service.reindex())
    assert a is b  # queued before the pass began: one pass serves both
    assert a.added == ("x",)
    assert {e.phase for e in events} >= {"reading corpus", "indexing", "done"}


async def test_a_reindex_called_during_a_pass_gets_a_pass_that_starts_after_it(
    service: NewsService, corpus_dir: Path
) -> None:
    for i in range(120):
        (corpus_dir / f"bulk-{i}.md").write_text(
            f"---\ntitle: Bulk {i}\n---\n\n" + "Officials in Gomel discussed tractors. " * 60
        )
    indexing = asyncio.Event()

    def listen(event: Progress) -> None:
        if event.phase == "indexing":
            indexing.set()

    first = asyncio.create_task(service.reindex(on_progress=listen))
    # The first pass has read the corpus once it indexes (a fixed sleep was flaky under load).
    await asyncio.wait_for(indexing.wait(), 60)
    (corpus_dir / "late.md").write_text("---\ntitle: Late\n---\n\nA late arrival in Pinsk.")
    second = await service.reindex()
    assert "late" in second.added  # the pass that served the second call read the corpus after it
    assert len((await first).added) >= 120
    assert "late" in {a.id for a in await service.articles()}


async def test_questions_are_answered_from_the_old_index_during_a_reindex(
    service: NewsService, corpus_dir: Path
) -> None:
    for i in range(150):
        (corpus_dir / f"bulk-{i}.md").write_text(
            f"---\ntitle: Bulk {i}\n---\n\n" + "Officials in Gomel discussed tractors. " * 80
        )
    reindex = asyncio.create_task(service.reindex())
    answered = 0
    while not reindex.done():
        answer = await service.ask(HEADLINE)
        assert HEADLINE_QUOTE in answer.quotes[0].text
        answered += 1
    report = await reindex
    assert len(report.added) == 150 and answered >= 1


async def test_add_file_then_remove(service: NewsService, corpus_dir: Path) -> None:
    data = b"---\ntitle: Grodno Bridge Opens\n---\n\nA new bridge opened in Grodno on Friday, officials said."
    [result] = await service.add_file("grodno.md", data)
    assert result.status == "added" and (corpus_dir / "grodno.md").exists()
    answer = await service.ask("Where did a new bridge open?")
    assert answer.answered and "Grodno" in answer.quotes[0].text
    [again] = await service.add_file("grodno.md", data)
    assert again.status == "unchanged"
    with pytest.raises(IngestRefused, match="duplicate"):
        await service.add_file("copy.md", data)
    await service.remove(result.article.id)
    assert not (corpus_dir / "grodno.md").exists()
    answer = await service.ask("Where did a new bridge open?")
    assert all(q.source.article_id != result.article.id for q in answer.quotes)
    with pytest.raises(NotFound):
        await service.remove(result.article.id)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.md", b"", "empty"),
        ("bin.txt", b"\x00\x01\x02binary", "binary"),
        ("latin.txt", "Caf\xe9 news\n\nSome text".encode("latin-1"), "UTF-8"),
        ("notes.pdf", b"%PDF-1.4", "unsupported"),
    ],
)
async def test_bad_uploads_are_refused_and_nothing_is_lost(
    service: NewsService, corpus_dir: Path, name: str, data: bytes, reason: str
) -> None:
    before = sorted(p.name for p in corpus_dir.iterdir())
    with pytest.raises((IngestRefused, BadInput), match=reason):
        await service.add_file(name, data)
    assert sorted(p.name for p in corpus_dir.iterdir()) == before
    assert (await service.ask(HEADLINE)).answered


async def test_huge_upload_refused_before_parsing(corpus_dir: Path, data_dir: Path) -> None:
    svc = NewsService(make_settings(corpus_dir, data_dir, max_upload_bytes=1000))
    await svc.start()
    with pytest.raises(BadInput, match="limit"):
        await svc.add_file("big.txt", b"Title\n\n" + b"word " * 1000)
    await svc.close()


async def test_add_url_from_a_local_page(corpus_dir: Path, data_dir: Path) -> None:
    page = """<html><head><title>Minsk Metro Extends Line</title>
    <meta property="og:title" content="Minsk Metro Extends Line">
    <meta name="author" content="Olga Petrova"></head><body><article>
    <h1>Minsk Metro Extends Line</h1>
    <p>The Minsk metro opened three new stations on its third line on Friday, the city said.</p>
    <p>The extension cost 120 million dollars and took four years to build, officials said.</p>
    <p>Passengers welcomed the new stations, which serve the southern districts of the city.</p>
    </article></body></html>"""

    svc = NewsService(make_settings(corpus_dir, data_dir, fetch_allow_hosts=["127.0.0.1"]))
    await svc.start()
    try:
        async with local_pages({"/news/minsk-metro": page}) as site:
            result = await svc.add_url(f"{site}/news/minsk-metro")
        assert result.status == "added"
        answer = await svc.ask("How many new stations did the Minsk metro open?")
        assert answer.answered and "three new stations" in answer.quotes[0].text
        assert answer.quotes[0].source.url.endswith("/news/minsk-metro")
    finally:
        await svc.close()


async def test_add_url_refuses_loopback_without_allow_list(service: NewsService) -> None:
    with pytest.raises(IngestRefused):
        await service.add_url("http://127.0.0.1:9/")


async def test_empty_and_huge_questions(service: NewsService) -> None:
    with pytest.raises(BadInput, match="empty"):
        await service.ask("   ")
    with pytest.raises(BadInput, match="limit"):
        await service.ask("why " * 50_000)


async def test_a_failed_reindex_keeps_the_index_and_says_why(
    service: NewsService, corpus_dir: Path, data_dir: Path
) -> None:
    (corpus_dir / "new.md").write_text("---\ntitle: New\n---\n\nA new article about Minsk.")
    # Another process holds the data dir's writer lock: the reindex is refused, not run twice.
    import fcntl

    with open(data_dir / ".lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(Busy, match="Another process is reindexing"):
            await service.reindex()
    assert service.stats["reindex_failures"] == 1
    assert HEADLINE_QUOTE in (await service.ask(HEADLINE)).quotes[0].text
    report = await service.reindex()
    assert report.added == ("new",)
