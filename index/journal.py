"""An undo log for changes to corpus files, so a write that fails leaves no trace.

A request that changes the corpus (an upload, a removal) is only confirmed once the reindex that
includes it has published. If that reindex fails (a full disk, a read-only data dir), every file
the request touched is put back as it was. Backups are hard links (or renames) to hidden names in
the same folder: making them needs no free space, and the corpus reader skips dot files, so a
backup left behind by a crash is never read as an article. A file the request creates gets a
hidden, empty marker next to it for as long as the change is unconfirmed.

**A writer that died** (SIGKILL, a crash, a power cut) leaves its backups and markers behind.
The next writer, holding the corpus lock, calls :func:`recover` before its own changes: when the
live index still shows the files as they were before (the dead writer's reindex never published),
the files are put back and the new ones removed, so the unconfirmed change leaves no trace and is
not indexed later "anyway"; when it did publish, the change stays (the index already has it).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

BACKUP_MARK = ".newsbot-undo-"
NEW_MARK = ".newsbot-new-"
_LEFTOVER = re.compile(r"^\.(?P<name>.+)(?P<mark>\.newsbot-(?:undo|new)-)(?P<pid>\d+)-(?P<n>\d+)$")
_counter = itertools.count()


@dataclass(frozen=True, slots=True)
class _Step:
    path: Path
    backup: Path | None  # the previous content, or None when the file did not exist
    marker: Path | None = None  # for a file that did not exist: says "created, unconfirmed"


def _backup_name(path: Path, mark: str = BACKUP_MARK) -> Path:
    return path.with_name(f".{path.name}{mark}{os.getpid()}-{next(_counter)}")


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
        backup = marker = None
        if path.exists():
            backup = _backup_name(path)
            try:
                os.link(path, backup)  # the old inode survives the replace; no bytes copied
            except OSError:
                shutil.copy2(path, backup)
        else:
            marker = _backup_name(path, NEW_MARK)
            marker.touch()
            _fsync_dir(path.parent)  # the marker is on disk before the file it speaks for
        try:
            write(path)
        except BaseException:
            for leftover in (backup, marker):
                if leftover is not None:
                    leftover.unlink(missing_ok=True)
            raise
        self._steps.append(_Step(path, backup, marker))

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
            if step.marker is not None:
                step.marker.unlink(missing_ok=True)

    def commit(self) -> None:
        """The changes are confirmed: drop the backups and markers."""
        for step in self._steps:
            for leftover in (step.backup, step.marker):
                if leftover is not None:
                    leftover.unlink(missing_ok=True)
        self._steps.clear()


@dataclass(frozen=True, slots=True)
class _Leftover:
    path: Path  # the backup or the marker
    target: Path  # the corpus file it speaks for
    created: bool  # a marker: the target did not exist before
    order: tuple[int, int]  # (pid, counter): the order the dead writer made them in


def _leftovers(corpus_dir: Path) -> list[_Leftover]:
    found = []
    for dirpath, _dirs, files in os.walk(corpus_dir):
        for name in files:
            match = _LEFTOVER.match(name)
            if match is None:
                continue
            found.append(
                _Leftover(
                    Path(dirpath, name),
                    Path(dirpath, match["name"]),
                    match["mark"] == NEW_MARK,
                    (int(match["pid"]), int(match["n"])),
                )
            )
    return found


#: (id, content hash) of the articles a file holds, read as the given corpus file would be.
ReadAs = Callable[[Path, Path], set[tuple[str, str]]]


def recover(
    corpus_dir: Path, indexed: Mapping[str, tuple[str, str | None]], read_as: ReadAs
) -> tuple[int, int]:
    """Settle the changes of writers that died before confirming them (call it holding the
    corpus lock, before changing anything). ``indexed`` is the live index: id -> (content hash,
    source path). Returns (changes undone, leftovers dropped).

    A backup whose articles the index still has, from that file, is the state the index was
    built from: the change was not published, so the backup goes back (newest first, as
    ``Journal.undo`` would). A created file none of whose articles the index has from it was
    not published either: it is removed. Anything else was published, and stays."""
    root = Path(corpus_dir)
    undone = dropped = 0
    leftovers = sorted(_leftovers(root), key=lambda item: item.order, reverse=True)

    def in_index(articles: set[tuple[str, str]], target: Path) -> set[tuple[str, str]]:
        rel = target.relative_to(root).as_posix()
        return {
            (article_id, digest)
            for article_id, digest in articles
            if indexed.get(article_id, ("", None)) == (digest, rel)
        }

    for item in leftovers:
        try:
            if item.created:
                if item.target.exists() and not in_index(
                    read_as(item.target, item.target), item.target
                ):
                    item.target.unlink()
                    undone += 1
                item.path.unlink()
            else:
                before = read_as(item.path, item.target)
                if in_index(before, item.target) == before:
                    os.replace(item.path, item.target)
                    undone += 1
                else:
                    item.path.unlink()
            _fsync_dir(item.path.parent)
            dropped += 1
        except OSError:
            log.warning("could not settle %s; the next write tries again", item.path, exc_info=True)
    return undone, dropped
