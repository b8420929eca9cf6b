"""Issue 9, items 1–4 and 9: changes that came back, stayed, or were lost under concurrency.

Each test drives the real HTTP API (or the real ``newsbot`` command) against a real service and
on-disk index, and checks the published index afterwards, including after a restart.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp

from bot.service import NewsService
from index.models import Progress
from tests.adversarial import (
    AUTH,
    HEADLINE_ID,
    article_md,
    eventually,
    indexed_on_disk,
    make_settings,
    run_cli,
    running_api,
    write_bulk,
)
from tests.conftest import HEADLINE, copy_corpus

FERRY = article_md(
    "valdoria-ferry",
    "Valdoria Opens a Ferry Terminal",
    'The harbour authority of Valdoria opened a ferry terminal. "It doubles our crossings," '
    "said harbour master Ilse Brandt.",
)


def form(name: str, text: str) -> aiohttp.FormData:
    data = aiohttp.FormData()
    data.add_field("file", text.encode(), filename=name, content_type="text/markdown")
    return data


async def reindex_with_signal(service: NewsService) -> tuple[asyncio.Task, asyncio.Event]:
    """Start a reindex; the event fires once it has read the corpus (it is indexing)."""
    indexing = asyncio.Event()

    def listen(event: Progress) -> None:
        if event.phase == "indexing":
            indexing.set()

    task = asyncio.create_task(service.reindex(on_progress=listen))
    await asyncio.wait_for(indexing.wait(), 60)
    return task, indexing


# ---- 1. a change that arrives during a reindex
async def test_delete_during_a_reindex_is_not_undone_by_that_reindex(tmp_path: Path) -> None:
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    settings = make_settings(corpus, data, reindex_in_process=False)
    async with running_api(settings) as (service, api, _):
        write_bulk(corpus, 300)
        running, _ = await reindex_with_signal(service)  # it has read the corpus already
        status, body = await api.call("DELETE", f"/api/articles/{HEADLINE_ID}", headers=AUTH)
        assert status == 200, body
        # Confirmed: gone from the list, the answers and the sources, at once.
        assert HEADLINE_ID not in await api.article_ids()
        assert HEADLINE_ID not in await api.quoted_ids(HEADLINE)
        assert (await api.call("GET", f"/api/sources/{HEADLINE_ID}"))[0] == 404
        await running
        assert HEADLINE_ID not in await api.article_ids()
    assert HEADLINE_ID not in indexed_on_disk(data)  # and after a restart
    async with running_api(settings, long_running=True) as (_, api, _):
        assert HEADLINE_ID not in await api.article_ids()


async def test_upload_during_a_reindex_is_indexed_when_confirmed(tmp_path: Path) -> None:
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    async with running_api(make_settings(corpus, data, reindex_in_process=False)) as (
        service,
        api,
        _,
    ):
        write_bulk(corpus, 300)
        running, _ = await reindex_with_signal(service)
        status, body = await api.call(
            "POST", "/api/articles", data=form("ferry.md", FERRY), headers=AUTH
        )
        assert status == 200, body
        assert "valdoria-ferry" in await api.article_ids()
        assert "valdoria-ferry" in await api.quoted_ids("What did Ilse Brandt say?")
        await running
    assert "valdoria-ferry" in indexed_on_disk(data)


# ---- 2. rewriting one .jsonl for two deletes at once
async def test_two_deletes_from_one_jsonl_at_once_both_stick(tmp_path: Path) -> None:
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    lines = [
        {
            "id": f"wire-{i}",
            "title": f"Wire story {i}",
            "text": f"Wire story number {i} from Minsk.",
        }
        for i in range(4)
    ]
    (corpus / "wire.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    async with running_api(make_settings(corpus, data)) as (_, api, _):
        results = await asyncio.gather(
            api.call("DELETE", "/api/articles/wire-1", headers=AUTH),
            api.call("DELETE", "/api/articles/wire-2", headers=AUTH),
        )
        assert [status for status, _ in results] == [200, 200], results
        ids = await api.article_ids()
        assert {"wire-0", "wire-3"} <= ids and not {"wire-1", "wire-2"} & ids
    remaining = [json.loads(x)["id"] for x in (corpus / "wire.jsonl").read_text().splitlines()]
    assert remaining == ["wire-0", "wire-3"]
    assert not {"wire-1", "wire-2"} & indexed_on_disk(data)


async def test_two_deletes_of_one_id_at_once_are_200_and_404(tmp_path: Path) -> None:
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    async with running_api(make_settings(corpus, data)) as (_, api, _):
        results = await asyncio.gather(
            api.call("DELETE", f"/api/articles/{HEADLINE_ID}", headers=AUTH),
            api.call("DELETE", f"/api/articles/{HEADLINE_ID}", headers=AUTH),
        )
        assert sorted(status for status, _ in results) == [200, 404], results
        assert all("error" in body for status, body in results if status == 404)


# ---- 3. the CLI writing while a server owns the data dir
async def test_cli_writes_while_the_server_runs_reach_the_server(tmp_path: Path) -> None:
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    settings = make_settings(corpus, data)
    errors: list[str] = []
    async with running_api(settings, long_running=True) as (_, api, _):
        stop = asyncio.Event()

        async def keep_asking() -> int:
            asked = 0
            while not stop.is_set():
                for path in (
                    "/api/ask?q=Who+is+Li+Zhanshu%3F",
                    "/api/sources/" + HEADLINE_ID + ":0",
                ):
                    status, body = await api.call("GET", path)
                    asked += 1
                    if status not in (200, 404):
                        errors.append(f"{path}: {status} {body}")
                await asyncio.sleep(0.02)
            return asked

        asker = asyncio.create_task(keep_asking())
        removed = await run_cli(["remove", HEADLINE_ID], corpus, data)
        assert removed.returncode == 0 and "removed" in removed.stdout, removed
        seconds = await eventually(
            lambda: _absent(api, HEADLINE_ID), 2.0, "the server stops listing the removed article"
        )
        assert seconds <= 2.0
        assert HEADLINE_ID not in await api.quoted_ids(HEADLINE)

        story = tmp_path / "ferry.md"
        story.write_text(FERRY)
        added = await run_cli(["add", str(story)], corpus, data)
        assert added.returncode == 0, added
        await eventually(
            lambda: _present(api, "valdoria-ferry"), 2.0, "the server lists the CLI's article"
        )
        another = await run_cli(["remove", "valdoria-ferry"], corpus, data)
        assert another.returncode == 0, another
        await eventually(lambda: _absent(api, "valdoria-ferry"), 2.0, "second CLI write seen")
        stop.set()
        asked = await asker
        status, body = await api.call("GET", "/readyz")
        assert status == 200, body
    assert asked > 10
    assert errors == []


async def test_cli_remove_during_a_server_reindex_waits_and_sticks(tmp_path: Path) -> None:
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    settings = make_settings(corpus, data, reindex_in_process=False)
    async with running_api(settings, long_running=True) as (service, api, _):
        write_bulk(corpus, 300)
        running, _ = await reindex_with_signal(service)
        result = await run_cli(["remove", HEADLINE_ID], corpus, data)
        assert result.returncode == 0, result
        assert not (corpus / f"{HEADLINE_ID}.md").exists()
        await running
        await eventually(lambda: _absent(api, HEADLINE_ID), 2.0, "the server follows the CLI")
    assert HEADLINE_ID not in indexed_on_disk(data)


async def _absent(api, article_id: str) -> bool:  # type: ignore[no-untyped-def]
    return article_id not in await api.article_ids()


async def _present(api, article_id: str) -> bool:  # type: ignore[no-untyped-def]
    return article_id in await api.article_ids()


# ---- 4. start-up reconciles the corpus dir with the index
async def test_start_reindexes_when_the_corpus_changed_while_down(tmp_path: Path) -> None:
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    settings = make_settings(corpus, data)
    async with running_api(settings, long_running=True):
        pass
    (corpus / "ferry.md").write_text(FERRY)  # copied in while the server was down
    (corpus / f"{HEADLINE_ID}.md").unlink()
    async with running_api(settings, long_running=True) as (_, api, _):
        await eventually(lambda: _present(api, "valdoria-ferry"), 30, "the new file is indexed")
        assert HEADLINE_ID not in await api.article_ids()


async def test_start_does_not_reindex_an_unchanged_corpus(tmp_path: Path) -> None:
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    settings = make_settings(corpus, data)
    async with running_api(settings, long_running=True) as (service, _, _):
        first = service.engine.gen
    async with running_api(settings, long_running=True) as (service, _, _):
        await asyncio.sleep(0.5)
        assert service.engine.gen == first and not service.reindexing


# ---- 9. one report per request
async def test_a_big_jsonl_upload_answers_one_report(tmp_path: Path) -> None:
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    lines = [
        json.dumps({"id": f"bulk-{i}", "title": f"Bulk story {i}", "text": f"Story {i} in Lida."})
        for i in range(400)
    ]
    settings = make_settings(corpus, data, max_upload_bytes=1_000_000, max_body_bytes=2_000_000)
    async with running_api(settings) as (_, api, _):
        data_form = aiohttp.FormData()
        data_form.add_field("file", "\n".join(lines).encode(), filename="bulk.jsonl")
        async with api.session.post(
            api.base + "/api/articles", data=data_form, headers=AUTH
        ) as response:
            raw = await response.read()
            assert response.status == 200, raw[:300]
    body = json.loads(raw)
    assert len(body) == 400
    assert body[0]["report"] is not None and len(body[0]["report"]["added"]) == 400
    assert all(item["report"] is None for item in body[1:])
    assert len(raw) < 400 * 1_000  # linear in the upload, not quadratic
