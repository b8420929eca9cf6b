"""Changes that arrive together are applied together, in order, as if one after the other.

While a pass runs (or another process holds the corpus lock), the changes that arrive meanwhile
are batched and applied by one follow-up pass. Each change must see the ones queued before it:
a DELETE then a re-upload of one article leaves it indexed, two uploads of one text keep one,
an upload then a DELETE of it removes it. And no caller is answered before the pass that
includes the batch has published (an "unchanged" upload included).

The batches are made deterministic by holding the data dir's corpus lock from the test (as a
CLI write would) while the requests queue up behind it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from bot.locks import CorpusLock
from bot.service import NewsService
from index.errors import IngestRefused
from tests.adversarial import (
    AUTH,
    HEADLINE_ID,
    article_md,
    indexed_on_disk,
    make_settings,
    running_api,
)
from tests.conftest import copy_corpus

TWIN_TEXT = "The mayor of Valdoria said the new bridge will open in spring. " * 3


def form(name: str, text: str | bytes) -> aiohttp.FormData:
    data = aiohttp.FormData()
    raw = text.encode() if isinstance(text, str) else text
    data.add_field("file", raw, filename=name, content_type="text/markdown")
    return data


async def queued_behind_lock(service: NewsService, data: Path, *calls):  # type: ignore[no-untyped-def]
    """Run ``calls`` (coroutines) in this order while another holder has the corpus lock, so
    they queue up and are applied as one batch once it is released. Returns their results (or
    exceptions)."""
    other = CorpusLock(data)
    await asyncio.to_thread(other.acquire, 5)
    tasks = []
    try:
        # A plain reindex first: its batch waits on the lock, the calls form the next batch.
        blocker = asyncio.create_task(service.reindex())
        await until(lambda: service.reindexing and not service._queue)
        for n, call in enumerate(calls, 1):
            tasks.append(asyncio.create_task(call))
            await until(lambda n=n: len(service._queue) == n)  # type: ignore[misc]
    finally:
        await asyncio.to_thread(other.release)
    await blocker
    return await asyncio.gather(*tasks, return_exceptions=True)


async def until(check, seconds: float = 10) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the requests did not queue up in time")


async def test_delete_then_reupload_in_one_batch_leaves_the_article(tmp_path: Path) -> None:
    # Failed before the fix: the upload was answered 200 "unchanged" at once, from the index
    # before the batch, and the DELETE queued ahead of it then removed the article.
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    original = (corpus / f"{HEADLINE_ID}.md").read_bytes()
    async with running_api(make_settings(corpus, data)) as (service, api, _):
        deleted, uploaded = await queued_behind_lock(
            service,
            data,
            api.call("DELETE", f"/api/articles/{HEADLINE_ID}", headers=AUTH),
            api.call(
                "POST", "/api/articles", data=form(f"{HEADLINE_ID}.md", original), headers=AUTH
            ),
        )
        assert deleted[0] == 200, deleted
        assert uploaded[0] == 200, uploaded
        assert uploaded[1][0]["status"] == "added", uploaded
        assert HEADLINE_ID in await api.article_ids()
    assert (corpus / f"{HEADLINE_ID}.md").exists()
    assert HEADLINE_ID in indexed_on_disk(data)


async def test_two_uploads_of_one_text_in_one_batch_keep_one(tmp_path: Path) -> None:
    # Failed before the fix: both were written; the second got a 404 "stored but not indexed"
    # and its file stayed in the corpus, skipped as a duplicate by every reindex after.
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    async with running_api(make_settings(corpus, data)) as (service, api, _):
        first, second = await queued_behind_lock(
            service,
            data,
            api.call(
                "POST",
                "/api/articles",
                data=form("twin-a.md", article_md("twin-a", "Twin", TWIN_TEXT)),
                headers=AUTH,
            ),
            api.call(
                "POST",
                "/api/articles",
                data=form("twin-b.md", article_md("twin-b", "Twin", TWIN_TEXT)),
                headers=AUTH,
            ),
        )
        assert first[0] == 200, first
        assert second[0] == 422 and "duplicate of twin-a" in second[1]["error"], second
        report = await service.reindex()
        assert report.skipped == ()
    assert not (corpus / "twin-b.md").exists()
    assert {"twin-a"} == indexed_on_disk(data) & {"twin-a", "twin-b"}


async def test_upload_then_delete_in_one_batch_removes_it(tmp_path: Path) -> None:
    # Failed before the fix: the DELETE looked only at the index before the batch and answered
    # 404 for the article the upload queued ahead of it had just stored.
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    fresh = article_md("fresh-one", "Fresh", "The governor said the road will open soon. " * 3)
    async with running_api(make_settings(corpus, data)) as (service, api, _):
        uploaded, deleted = await queued_behind_lock(
            service,
            data,
            api.call("POST", "/api/articles", data=form("fresh-one.md", fresh), headers=AUTH),
            api.call("DELETE", "/api/articles/fresh-one", headers=AUTH),
        )
        assert uploaded[0] == 200 and deleted[0] == 200, (uploaded, deleted)
        assert "fresh-one" not in await api.article_ids()
    assert not (corpus / "fresh-one.md").exists()
    assert "fresh-one" not in indexed_on_disk(data)


async def test_service_batch_sees_its_own_earlier_changes(tmp_path: Path) -> None:
    """The same rule without HTTP: calls gathered in one loop step form one batch."""
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    service = NewsService(make_settings(corpus, data, reindex_in_process=False))
    await service.start()
    try:
        a = article_md("twin-a", "Twin", TWIN_TEXT).encode()
        b = article_md("twin-b", "Twin", TWIN_TEXT).encode()
        results = await asyncio.gather(
            service.add_file("twin-a.md", a),
            service.add_file("twin-b.md", b),
            return_exceptions=True,
        )
        assert isinstance(results[1], IngestRefused), results
        assert [r.status for r in results[0]] == ["added"]  # type: ignore[union-attr]
    finally:
        await service.close()
    assert not (corpus / "twin-b.md").exists()
