"""Run a reindex in a child process, so the bot keeps answering at full speed meanwhile.

Analysis is pure Python and holds the GIL: a reindex in a worker *thread* multiplied the ask p99
by about 5.6 on the speed benchmark (100k passages), in a child *process* by about 1.1. The child
comes from a forkserver that has already imported the engine, so starting one costs milliseconds,
not a fresh interpreter. The child publishes the new generation atomically (index/store.py); the
parent then opens it. Progress events come back over a queue.

The child dies with its parent (index/lifeline.py): the kernel's parent-death signal, and a pipe
whose write end only the parent holds. Its own analysis workers do the same, so a killed bot
leaves no reindex behind.

In the ``background`` (a serving bot's reindex, ``NEWSBOT_REINDEX_PRIORITY=idle``), the child and
its analysis workers run under Linux's ``SCHED_IDLE`` policy, with one worker fewer than cores:
they get only the CPU time answering leaves free, so answers come first. Otherwise (``newsbot
reindex``, nothing served meanwhile) they use every core at normal priority.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import queue as queue_module
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index import errors
from index.lifeline import yield_cpu
from index.models import Progress, ReindexReport

_POLL_SECONDS = 0.1


def _context() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["index.engine"])
    return ctx


def _child(
    corpus_dir: Path, data_dir: Path, engine: str, out: Any, lifeline: Any, background: bool
) -> None:
    from index.engine import reindex_data_dir
    from index.lifeline import die_with_parent, watch_pipe, yield_cpu

    if background:  # first: every thread and process started below inherits it
        yield_cpu()
    die_with_parent()
    watch_pipe(lifeline.fileno())
    try:
        report, built = reindex_data_dir(
            corpus_dir,
            data_dir,
            engine,
            progress=lambda event: out.put(("progress", event.model_dump())),
            background=background,
        )
        built.close()
        out.put(("done", report.model_dump(mode="json")))
    except errors.NewsbotError as err:
        out.put(("error", type(err).__name__, str(err)))
    except KeyboardInterrupt:  # Ctrl-C reaches the terminal's whole process group
        out.put(("error", "Interrupted", "The reindex was interrupted; the index is unchanged."))
    except BaseException:
        out.put(("crash", traceback.format_exc()))


def _start(child: Any, background: bool) -> None:
    """Start the child; in the ``background``, put it in the idle class at once. It does the
    same first thing in ``_child``, but a forkserver's child prepares like a spawned one before
    that: it imports the parent's main module again (for ``newsbot serve`` the console script,
    hence ``bot.cli`` and discord.py: about 0.7 CPU-seconds), which ran at normal priority beside
    the answers. That was the slow tail of ask latency during a short reindex (the speed
    benchmark at 100k passages: p99 ×2.5 of idle)."""
    child.start()
    if background and child.pid is not None:
        with contextlib.suppress(OSError):  # it may be gone already: its exit code tells
            yield_cpu(child.pid)


async def reindex_in_child(
    corpus_dir: Path,
    data_dir: Path,
    engine: str,
    progress: Callable[[Progress], None],
    *,
    background: bool = False,
) -> ReindexReport:
    """Reindex in a child process; raise the same domain errors an in-process reindex would.
    ``background``: yield the CPU to the serving process (see the module's doc)."""
    ctx = _context()
    out = ctx.Queue()
    lifeline_r, lifeline_w = ctx.Pipe(duplex=False)  # the child exits when the write end closes
    child = ctx.Process(
        target=_child,
        args=(Path(corpus_dir), Path(data_dir), engine, out, lifeline_r, background),
        # Not daemonic: a daemonic process may not start the analysis workers. The lifeline
        # ends it with this process instead.
        daemon=False,
    )
    await asyncio.to_thread(_start, child, background)
    lifeline_r.close()
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
        lifeline_w.close()
        out.close()
