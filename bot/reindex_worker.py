"""Run a reindex in a child process, so the bot keeps answering at full speed meanwhile.

Analysis is pure Python and holds the GIL: a reindex in a worker *thread* multiplied the ask p99
by about 5.6 on the speed benchmark (100k passages), in a child *process* by about 1.1. The child
comes from a forkserver that has already imported the engine, so starting one costs milliseconds,
not a fresh interpreter. The child publishes the new generation atomically (index/store.py); the
parent then opens it. Progress events come back over a queue.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue as queue_module
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index import errors
from index.models import Progress, ReindexReport

_POLL_SECONDS = 0.1


def _context() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["index.engine"])
    return ctx


def _child(corpus_dir: Path, data_dir: Path, engine: str, out: Any) -> None:
    from index.engine import reindex_data_dir

    try:
        report, built = reindex_data_dir(
            corpus_dir,
            data_dir,
            engine,
            progress=lambda event: out.put(("progress", event.model_dump())),
        )
        built.close()
        out.put(("done", report.model_dump(mode="json")))
    except errors.NewsbotError as err:
        out.put(("error", type(err).__name__, str(err)))
    except BaseException:
        out.put(("crash", traceback.format_exc()))


async def reindex_in_child(
    corpus_dir: Path,
    data_dir: Path,
    engine: str,
    progress: Callable[[Progress], None],
) -> ReindexReport:
    """Reindex in a child process; raise the same domain errors an in-process reindex would."""
    ctx = _context()
    out = ctx.Queue()
    child = ctx.Process(
        target=_child, args=(Path(corpus_dir), Path(data_dir), engine, out), daemon=True
    )
    await asyncio.to_thread(child.start)
    try:
        while True:
            try:
                message = await asyncio.to_thread(out.get, True, _POLL_SECONDS)
            except queue_module.Empty:
                if not child.is_alive() and out.empty():
                    raise RuntimeError(
                        f"the reindex process died (exit code {child.exitcode})"
                    ) from None
                continue
            kind = message[0]
            if kind == "progress":
                progress(Progress(**message[1]))
            elif kind == "done":
                return ReindexReport.model_validate(message[1])
            elif kind == "error":
                raise getattr(errors, message[1], errors.NewsbotError)(message[2])
            else:
                raise RuntimeError(f"the reindex process failed:\n{message[1]}")
    finally:
        await asyncio.to_thread(child.join, 30)
        out.close()
