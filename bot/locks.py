"""The corpus lock: one writer at a time per data dir, across processes, waiting its turn.

Every change to the corpus or the index (an upload, a removal, a feed item, a reindex, from the
HTTP API, Discord, the CLI or the feed poller) is made while holding this lock, taken *before*
the first corpus file is touched and held until the reindex that includes the change has
published its generation. So a CLI ``newsbot remove`` while ``newsbot serve`` runs waits for the
server's write to finish (and vice versa) instead of racing it, and a change is never confirmed
before it is in the published index.

It is a separate file from the one-reindex flock of ``index/store.py`` (``.lock``), which the
reindex itself takes inside this lock: flock is per open file, so one process cannot nest two
opens of the same lock file.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from pathlib import Path
from typing import IO

from index.errors import Busy, ReadOnlyStorage

LOCK_NAME = ".corpus.lock"
_POLL_SECONDS = 0.05


class CorpusLock:
    """``acquire`` blocks (call it in a worker thread) until the lock is free or the timeout
    passes; ``release`` lets the next writer in. Not reentrant."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_NAME
        self._fh: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def acquire(self, timeout: float) -> None:
        if self._fh is not None:
            raise RuntimeError("the corpus lock is already held by this object")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path, "a+")  # noqa: SIM115 - held open until release()
        except OSError as err:
            raise ReadOnlyStorage(
                f"Cannot write to the data dir '{self.path.parent}' ({err.strerror}); "
                "nothing was changed."
            ) from None
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                if err.errno not in (errno.EAGAIN, errno.EACCES):
                    fh.close()
                    raise
                if time.monotonic() >= deadline:
                    fh.close()
                    raise Busy(
                        f"Another newsbot process has been changing '{self.path.parent}' for "
                        f"over {timeout:g} s; nothing was changed. Try again when it is done."
                    ) from None
                time.sleep(_POLL_SECONDS)
                continue
            fh.seek(0)
            fh.truncate()
            fh.write(f"{os.getpid()}\n")  # for a person wondering who holds it
            fh.flush()
            self._fh = fh
            return

    def release(self) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            fh.close()  # closing drops the flock
