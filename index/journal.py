"""An undo log for changes to corpus files, so a write that fails leaves no trace.

A request that changes the corpus (an upload, a removal) is only confirmed once the reindex that
includes it has published. If that reindex fails (a full disk, a read-only data dir), every file
the request touched is put back as it was. Backups are hard links (or renames) to hidden names in
the same folder: making them needs no free space, and the corpus reader skips dot files, so a
backup left behind by a crash is never read as an article (``discard_leftovers`` removes them).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BACKUP_MARK = ".newsbot-undo-"
_counter = itertools.count()


@dataclass(frozen=True, slots=True)
class _Step:
    path: Path
    backup: Path | None  # the previous content, or None when the file did not exist


def _backup_name(path: Path) -> Path:
    return path.with_name(f".{path.name}{BACKUP_MARK}{os.getpid()}-{next(_counter)}")


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Journal:
    """Records file changes; ``undo`` restores them, ``commit`` drops the backups."""

    def __init__(self) -> None:
        self._steps: list[_Step] = []

    def __len__(self) -> int:
        return len(self._steps)

    def replace(self, path: Path, write: Callable[[Path], None]) -> None:
        """Run ``write(path)`` (an atomic replace), keeping the old content to undo it."""
        backup = None
        if path.exists():
            backup = _backup_name(path)
            try:
                os.link(path, backup)  # the old inode survives the replace; no bytes copied
            except OSError:
                shutil.copy2(path, backup)
        try:
            write(path)
        except BaseException:
            if backup is not None:
                backup.unlink(missing_ok=True)
            raise
        self._steps.append(_Step(path, backup))

    def remove(self, path: Path) -> None:
        """Take ``path`` out of the corpus (renamed to a hidden backup until commit)."""
        backup = _backup_name(path)
        os.replace(path, backup)
        _fsync_dir(path.parent)
        self._steps.append(_Step(path, backup))

    def mark(self) -> int:
        return len(self._steps)

    def undo(self, to: int = 0) -> None:
        """Put back every file changed since ``mark()`` returned ``to``, newest change first."""
        while len(self._steps) > to:
            step = self._steps.pop()
            if step.backup is None:
                step.path.unlink(missing_ok=True)
            else:
                os.replace(step.backup, step.path)
            _fsync_dir(step.path.parent)

    def commit(self) -> None:
        """The changes are confirmed: drop the backups."""
        for step in self._steps:
            if step.backup is not None:
                step.backup.unlink(missing_ok=True)
        self._steps.clear()


def discard_leftovers(corpus_dir: Path) -> int:
    """Remove backups a killed process left behind (its change was never confirmed; the corpus
    keeps the new state, which start-up reconciliation indexes). Returns how many."""
    removed = 0
    for dirpath, _dirs, files in os.walk(corpus_dir):
        for name in files:
            if name.startswith(".") and BACKUP_MARK in name:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(dirpath, name))
                    removed += 1
    return removed
