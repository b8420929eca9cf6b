"""Child processes that die with their parent.

A reindex runs in a child process, which starts analysis workers of its own. If the parent is
killed (SIGKILL, OOM), none of them may live on: an orphaned reindex would publish a generation
nobody asked for and hang writing its result. Two guards, because each has a gap:

* ``PR_SET_PDEATHSIG`` (Linux, through libc's ``prctl``): the kernel sends SIGKILL to this process
  when the thread that forked it exits. Immediate, but Linux-only, and a parent that died before
  the call is missed (checked right after, by comparing the parent pid).
* A pipe (:func:`watch_pipe`): the parent keeps the write end; a daemon thread in the child
  blocks reading the other end and exits the process at EOF, which the kernel delivers when the
  parent dies, whatever the platform and however many processes lie in between (a forkserver).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading

_PR_SET_PDEATHSIG = 1


def die_with_parent(expected_parent: int | None = None) -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies; True when it is armed.

    ``expected_parent`` is the parent's pid as the parent saw it before starting this process;
    when given and the current parent differs, the parent is already gone: exit now."""
    parent = expected_parent if expected_parent is not None else os.getppid()
    armed = False
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if os.getppid() != parent:  # the parent died before the guard was armed
        os._exit(1)
    return armed


def watch_pipe(read_fd: int) -> threading.Thread:
    """Exit this process (code 1) as soon as ``read_fd`` reaches EOF, i.e. when every process
    holding the write end (the parent) is gone."""

    def wait() -> None:
        try:
            while os.read(read_fd, 1):
                pass
        except OSError:
            pass
        os._exit(1)

    thread = threading.Thread(target=wait, name="lifeline", daemon=True)
    thread.start()
    return thread


def yield_cpu(pid: int = 0) -> str:
    """Let this thread (and the threads and processes it starts later) run only on CPU time
    that nothing else wants: Linux's ``SCHED_IDLE`` policy (allowed without privileges), else
    the lowest niceness. A reindex started by a serving process calls it, so answers keep their
    speed whatever the reindex does. ``pid``: the (single-threaded) process to apply it to, a
    child just started, instead of this thread. Returns what was applied (``"idle"`` or
    ``"nice 19"``)."""
    policy = getattr(os, "SCHED_IDLE", None)
    if policy is not None:
        try:
            os.sched_setscheduler(pid, policy, os.sched_param(0))
            return "idle"
        except OSError:
            pass
    if pid:
        os.setpriority(os.PRIO_PROCESS, pid, 19)
    else:
        os.nice(19 - os.nice(0))
    return "nice 19"
