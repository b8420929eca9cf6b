"""Domain errors. Each carries a message a user can act on; adapters map them in one place."""


class NewsbotError(Exception):
    """Base class; ``str(err)`` is safe to show a user."""


class BadInput(NewsbotError):
    """The request itself is wrong (empty question, bad id format, bad file)."""


class NotFound(NewsbotError):
    """An id that names nothing indexed."""


class IngestRefused(NewsbotError):
    """An article (file, URL, feed item) that cannot be added, with the reason."""


class Busy(NewsbotError):
    """The operation cannot run now (e.g. rate limit); try again later."""


class StorageUnavailable(NewsbotError):
    """The disk cannot take the change (full, read-only); nothing was changed."""


class DiskFull(StorageUnavailable):
    """No space left where the corpus or the index lives."""


class ReadOnlyStorage(StorageUnavailable):
    """The corpus dir or the data dir cannot be written (read-only mount, permissions)."""


class WritesRefused(NewsbotError):
    """This process serves the index read-only; changes go to the writer process."""


class Interrupted(NewsbotError):
    """A reindex stopped by Ctrl-C (SIGINT) before it published: the index is as it was."""
