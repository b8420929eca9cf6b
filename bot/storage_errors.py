"""Turning a failure of the disk into a message a person can act on.

A full disk or a read-only mount shows up in many shapes: an ``OSError`` with ``ENOSPC`` from
Python, ``sqlite3.OperationalError('database or disk is full')``, a tantivy error text ending in
"(os error 28)", or the traceback text of a reindex child that died of one of these. This looks
at the exception chain (and the text, for the child) and names the cause.
"""

from __future__ import annotations

import errno
from pathlib import Path

from index.errors import DiskFull, ReadOnlyStorage, StorageUnavailable

_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
_FULL_TEXTS = ("no space left on device", "database or disk is full", "os error 28", "errno 28")
_READ_ONLY_TEXTS = (
    "read-only file system",
    "attempt to write a readonly database",
    "os error 30",
    "errno 30",
    "permission denied",
    "errno 13",
)


def _chain(err: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = err
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify(err: BaseException) -> str | None:
    """'full', 'read-only' or None."""
    for item in _chain(err):
        if isinstance(item, OSError) and item.errno in _FULL_ERRNOS:
            return "full"
        if isinstance(item, OSError) and item.errno in _READ_ONLY_ERRNOS:
            return "read-only"
    text = " ".join(str(item) for item in _chain(err)).lower()
    if any(marker in text for marker in _FULL_TEXTS):
        return "full"
    if any(marker in text for marker in _READ_ONLY_TEXTS):
        return "read-only"
    return None


def storage_error(err: BaseException, where: Path, what: str) -> StorageUnavailable | None:
    """A DiskFull / ReadOnlyStorage for ``err`` (``what`` names the place, e.g. "corpus
    directory"), or None when the failure is something else."""
    if isinstance(err, StorageUnavailable):
        return err
    kind = classify(err)
    if kind == "full":
        return DiskFull(
            f"The disk holding the {what} '{where}' is full; nothing was changed. "
            "Free some space and try again."
        )
    if kind == "read-only":
        return ReadOnlyStorage(
            f"The {what} '{where}' is read-only; nothing was changed. "
            "Make it writable for the newsbot user and try again."
        )
    return None
