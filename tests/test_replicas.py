"""Issue 11 item 5: several servers on one data dir — one writer, read-only replicas that follow
its generations. Real ``newsbot serve`` subprocesses and in-process services on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.load import replicas_run
from bot.service import NewsService
from tests.adversarial import AUTH, eventually, make_settings, running_api
from tests.conftest import HEADLINE, copy_corpus

pytestmark = pytest.mark.timeout(180)


async def test_two_replicas_and_a_writer_serve_without_errors_and_follow_a_reindex() -> None:
    result = await replicas_run(replicas=2, clients=6, articles=40, idle_seconds=0.5)
    assert result["errors"] == 0, result["first_errors"]
    assert result["requests_during_reindex"] >= 6
    assert result["distinct_questions"] >= 40  # varied questions, not one repeated
    lags = result["pickup_seconds_after_reindex"]
    assert len(lags) == 2 and max(lags) <= 2.0, lags  # type: ignore[arg-type]


async def test_a_replica_never_writes_and_waits_for_the_writer(tmp_path: Path) -> None:
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    replica = make_settings(corpus, data, read_only=True)
    async with running_api(replica) as (service, api, _):
        status, body = await api.call("GET", "/readyz")
        assert status == 503 and "waiting for the writer" in body["error"]
        for method, path in (("POST", "/api/reindex"), ("DELETE", "/api/articles/x")):
            status, body = await api.call(method, path, headers=AUTH)
            assert status == 403 and "read-only" in body["error"], body
        assert not data.exists() or not list(data.glob("gen-*"))
        writer = NewsService(make_settings(corpus, data))
        await writer.start()  # builds the first generation
        try:

            async def ready() -> bool:
                return (await api.call("GET", "/readyz"))[0] == 200

            assert await eventually(ready, 2.0, "the replica picks up the writer's index") <= 2.0
            assert HEADLINE_ID_QUOTED in str(
                (await api.call("GET", "/api/ask", params={"q": HEADLINE}))[1]
            )
        finally:
            await writer.close()
        assert service.settings.read_only


HEADLINE_ID_QUOTED = "belarus-china-increasing-ties"
