"""A reindex started by a serving bot takes only the CPU answering leaves free; an offline
``newsbot reindex`` uses every core at normal priority."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.service import NewsService
from bot.settings import Settings
from index import build
from index.analyze import Analyzer
from index.errors import Busy
from index.lifeline import yield_cpu
from index.models import Article
from index.passages import ChunkConfig

IDLE = getattr(os, "SCHED_IDLE", None)


def _yield_and_report() -> tuple[str, int, int]:
    applied = yield_cpu()
    return applied, os.sched_getscheduler(0) if IDLE is not None else -1, os.nice(0)


def test_yield_cpu_puts_the_calling_process_in_the_idle_class() -> None:
    ctx = multiprocessing.get_context("spawn")  # never this test process
    with ctx.Pool(1) as pool:
        applied, policy, niceness = pool.apply(_yield_and_report)
    if IDLE is not None:
        assert (applied, policy) == ("idle", IDLE)
    else:
        assert (applied, niceness) == ("nice 19", 19)


@pytest.mark.parametrize("background", [True, False])
def test_analysis_workers_run_idle_only_in_the_background(
    background: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "POOL_THRESHOLD_CHARS", 1)  # workers even for one article
    analysis = build.Analysis(Analyzer(), ChunkConfig(), workers=1, background=background)
    try:
        article = Article.model_construct(id="a", text="“We agree,” Ana Diaz said.")
        list(analysis.submit(article, 1))
        (done,) = list(analysis.finish())  # analysed in the worker
        assert done[1].passages == 1
        pool = analysis._pool_if_worth_it()
        assert pool is not None
        policy = pool.submit(os.sched_getscheduler, 0).result(timeout=30)
        assert (policy == IDLE) is background
    finally:
        analysis.close()


def test_a_background_reindex_leaves_one_core_to_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert build.default_workers(background=True) == 3
    assert build.default_workers(background=False) == 4
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert build.default_workers(background=True) == 1


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The arguments of every reindex_in_child call the service makes (which then fails)."""
    calls: list[dict[str, Any]] = []

    async def record(*args: Any, **kwargs: Any) -> None:
        calls.append(kwargs)
        raise Busy("recorded")

    monkeypatch.setattr("bot.service.reindex_in_child", record)
    return calls


@pytest.mark.parametrize(("priority", "background"), [("idle", True), ("normal", False)])
async def test_the_serving_bot_reindexes_at_the_configured_priority(
    priority: str, background: bool, recorded: list[dict[str, Any]], tmp_path: Path
) -> None:
    settings = Settings(
        corpus_dir=tmp_path, data_dir=tmp_path / "data", reindex_priority=priority, _env_file=None
    )
    service = NewsService(settings)
    with pytest.raises(Busy):
        await service.reindex()
    assert recorded == [{"background": background}]
    await service.close()


def test_the_default_is_idle_and_newsbot_reindex_runs_at_normal_priority(
    recorded: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Settings(_env_file=None).reindex_priority == "idle"
    monkeypatch.setenv("NEWSBOT_REINDEX_PRIORITY", "idle")
    (tmp_path / "corpus").mkdir()
    argv = ["--corpus", str(tmp_path / "corpus"), "--data-dir", str(tmp_path / "data")]
    assert cli.main([*argv, "reindex"]) == cli.EXIT_USAGE  # the recorder's Busy
    assert recorded == [{"background": False}]


# ---- the analysis workers: started early, set up once
def _memo_size() -> int:
    assert build._worker_setup is not None
    return len(build._worker_setup[0]._chunk_memo)


def test_workers_start_before_the_first_batch_when_much_text_is_ahead() -> None:
    analysis = build.Analysis(
        Analyzer(), ChunkConfig(), workers=1, expected_chars=build.POOL_THRESHOLD_CHARS
    )
    try:
        analysis._started()  # the thread that starts them has finished
        assert analysis._pool is not None
        article = Article.model_construct(id="a", text="“We agree,” Ana Diaz said in Minsk.")
        list(analysis.submit(article, 1))
        (done,) = list(analysis.finish())
        inline = build.encode_batch([(1, article.text, "en")], Analyzer(), ChunkConfig())[0]
        assert done[1] == inline  # the same bytes, whoever analyses
        # The worker keeps its analyzer (and its warm memo) from batch to batch.
        assert analysis._pool.submit(_memo_size).result(timeout=30) > 0
    finally:
        analysis.close()
    small = build.Analysis(Analyzer(), ChunkConfig(), workers=1, expected_chars=1000)
    assert small._starting is None and small._pool_if_worth_it() is None
    small.close()


def test_the_stream_counts_only_the_bytes_it_will_read(tmp_path: Path) -> None:
    from index.corpus import CorpusStream

    (tmp_path / "a.txt").write_text("Alpha story about tractors in Minsk.")
    (tmp_path / "b.txt").write_text("Beta story about bridges in Gomel, a longer one.")
    stamps = CorpusStream(tmp_path).stamps
    assert CorpusStream(tmp_path).bytes_to_read == sum(s[0] for s in stamps.values())

    def known(rel: str, stamp: tuple[int, int, int]) -> list[tuple[str, str]] | None:
        return [("a", "hash")] if rel == "a.txt" and stamp == stamps["a.txt"] else None

    assert CorpusStream(tmp_path, known=known).bytes_to_read == stamps["b.txt"][0]


def _report_policy_later(conn: Any) -> None:
    time.sleep(0.3)  # long after the parent's start() returned; this child changes nothing itself
    conn.send(os.sched_getscheduler(0) if IDLE is not None else os.nice(0))
    conn.close()


@pytest.mark.parametrize("background", [True, False])
def test_a_reindex_child_is_idle_from_its_start_in_the_background(background: bool) -> None:
    """Before its own code runs, a forkserver's child imports the parent's main module again
    (for ``newsbot serve``, bot.cli and discord.py): that must not run beside the answers at
    normal priority, so the parent puts the child in the idle class as soon as it exists."""
    from bot.reindex_worker import _context, _start

    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_report_policy_later, args=(send,))
    _start(child, background)
    send.close()
    try:
        assert receive.poll(30)
        seen = receive.recv()
    finally:
        child.join(30)
    if IDLE is not None:
        assert (seen == IDLE) is background
    else:
        assert (seen == 19) is background
