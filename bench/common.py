"""Helpers shared by the benchmarks: paths, timing, percentiles, memory, tables, result files."""

from __future__ import annotations

import contextlib
import json
import math
import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent
#: ``../shared/data`` next to the repository: present on the team's machines, absent in a clone.
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
RESULTS_DIR = REPO_ROOT / "bench" / "results"

T = TypeVar("T")


class BenchError(Exception):
    """A benchmark cannot run (missing or unreadable data); the message says what to do."""


class MeasurementTimeout(BenchError):
    """A measurement took longer than it was allowed to."""


# ---- timing
def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile with linear interpolation between ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p99/mean of per-call latencies, in milliseconds."""
    if not seconds:
        return {"n": 0, "p50_ms": math.nan, "p99_ms": math.nan, "mean_ms": math.nan}
    return {
        "n": len(seconds),
        "p50_ms": round(percentile(seconds, 50) * 1000, 3),
        "p99_ms": round(percentile(seconds, 99) * 1000, 3),
        "mean_ms": round(sum(seconds) / len(seconds) * 1000, 3),
    }


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def ratio(numerator: float, denominator: float) -> float:
    if not denominator or math.isnan(numerator) or math.isnan(denominator):
        return math.nan
    return round(numerator / denominator, 2)


# ---- memory
def rss_mib() -> float:
    """The current resident set size of this process."""
    return psutil.Process().memory_info().rss / 2**20


def peak_rss_mib() -> float:
    """The highest resident set size this process has had (the kernel's high-water mark).

    On Linux this is ``VmHWM`` of ``/proc/self/status``: it belongs to the running program.
    (``ru_maxrss`` would not do: it survives ``execve``, so a freshly spawned child would report
    its parent's peak.)
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return max(int(line.split()[1]) / 1024, rss_mib())
    except (OSError, ValueError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mib = peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes there, KiB here
    return max(peak_mib, rss_mib())


class TreeRSS:
    """The peak of (this process + all its descendants) resident set sizes, sampled.

    A reindex runs analysis workers (and a forkserver) beside itself, so its memory is the sum
    over the process tree; ``VmHWM`` of one process misses them. Sampled every ``interval``
    seconds in a thread; shared pages count once per process (an overestimate)."""

    def __init__(self, interval: float = 0.05) -> None:
        import threading

        self.peak_mib = 0.0
        self.peak_processes = 0
        self._cpu: dict[int, float] = {}  # pid -> last seen user+system seconds
        self._cpu_start = self._own_cpu()
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-rss", daemon=True)

    def __enter__(self) -> TreeRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @staticmethod
    def _own_cpu() -> float:
        times = psutil.Process().cpu_times()
        return times.user + times.system

    @property
    def cpu_seconds(self) -> float:
        """CPU time of the tree while sampled (this process from the start, descendants as last
        seen): on a shared machine a steadier measure of the work than the wall clock."""
        me = os.getpid()
        own = self._cpu.get(me, self._cpu_start) - self._cpu_start
        return own + sum(v for pid, v in self._cpu.items() if pid != me)

    def _sample(self) -> None:
        me = psutil.Process()
        total = 0
        processes = [me]
        with contextlib.suppress(psutil.Error):
            processes += me.children(recursive=True)
        for proc in processes:
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
                times = proc.cpu_times()
                self._cpu[proc.pid] = times.user + times.system
        if total / 2**20 > self.peak_mib:
            self.peak_mib = total / 2**20
            self.peak_processes = len(processes)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()


class Isolated:
    """``fn(*args)`` running in a fresh (spawned, non-daemonic) process.

    A spawned child starts from an empty heap, so its peak RSS belongs to that one measurement
    alone — a forked child would inherit the parent's pages and high-water mark. Non-daemonic,
    so the child may start processes of its own.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._receive, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_call_and_send, args=(send, fn, args))
        self._process.start()
        send.close()

    def running(self) -> bool:
        return self._process.is_alive() and not self._receive.poll()

    def result(self, timeout: float | None = None) -> Any:
        """The child's return value (its exception is raised here); after ``timeout`` seconds
        the child is killed and :class:`MeasurementTimeout` raised."""
        if timeout is not None and not self._receive.poll(timeout):
            self._process.kill()
            self._process.join()
            self._receive.close()
            raise MeasurementTimeout(f"did not finish within {timeout:,.0f} s")
        try:
            ok, value = self._receive.recv()
        except EOFError:
            self._process.join()
            raise BenchError(
                f"a measurement process died (exit code {self._process.exitcode}); "
                "out of memory? Try smaller --sizes."
            ) from None
        finally:
            self._receive.close()
        self._process.join()
        if not ok:
            raise value
        return value


def _call_and_send(send: Any, fn: Callable[..., Any], args: tuple) -> None:
    try:
        outcome: tuple[bool, Any] = (True, fn(*args))
    except BaseException as err:  # travels to the parent, which raises it there
        import traceback

        detail = "".join(traceback.format_exception(err))
        outcome = (False, err if isinstance(err, BenchError) else RuntimeError(detail))
    send.send(outcome)
    send.close()


def run_isolated(fn: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
    """Run ``fn(*args)`` in a fresh process (see :class:`Isolated`) and return its result."""
    return Isolated(fn, *args).result(timeout)


def dir_size_mib(path: Path) -> float:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            # A file a concurrent writer just replaced is simply not counted.
            with contextlib.suppress(FileNotFoundError):
                total += (Path(root) / name).stat().st_size
    return total / 2**20


# ---- output
def render_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table (readable in a terminal, pasteable into the README)."""
    cells = [[str(h) for h in headers]] + [[format_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def format_cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 100:
            return f"{value:.1f}"
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def write_results(kind: str, data: dict[str, Any], directory: Path | None = None) -> Path:
    """Write ``data`` as ``<directory>/<kind>-<UTC timestamp>.json`` and return the path."""
    directory = directory or RESULTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{kind}-{stamp}.json"
    n = 1
    while path.exists():  # two runs in the same second (tests) must not overwrite each other
        n += 1
        path = directory / f"{kind}-{stamp}-{n}.json"
    path.write_text(json.dumps(json_ready(data), indent=2) + "\n")
    return path


def json_ready(value: Any) -> Any:
    """``value`` with NaN as null (strict JSON has no NaN) and paths as strings."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import platform

    return {
        "code": code_version(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
    }


def code_version() -> str:
    """The commit measured, with ``+dirty`` when the engine's files differ from it."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", "index", "bench")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit or "unknown") + ("+dirty" if dirty else "")
