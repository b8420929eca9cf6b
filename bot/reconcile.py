"""Does the index match the corpus dir? A cheap check for start-up.

After every reindex the writer records, next to the index, which generation it published and a
fingerprint of the corpus dir *as it was when that reindex began reading it* (names, sizes and
modification times: a directory listing, no file is read). At start the writer compares: another
generation, a missing stamp, or a corpus dir that changed since (files copied in while the bot
was down, a reindex killed with the server) means a reindex is due.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from index.corpus import corpus_listing
from index.store import atomic_write_text

STAMP = "corpus-stamp.json"


def corpus_fingerprint(corpus_dir: Path) -> str:
    digest = hashlib.sha256()
    for rel, size, mtime_ns in corpus_listing(corpus_dir):
        digest.update(f"{rel}\0{size}\0{mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def write_stamp(data_dir: Path, generation: str, fingerprint: str) -> None:
    payload = json.dumps({"generation": generation, "corpus": fingerprint}, sort_keys=True)
    atomic_write_text(Path(data_dir) / STAMP, payload + "\n")


def needs_reindex(data_dir: Path, generation: str | None, fingerprint: str) -> str | None:
    """Why the live generation may not match the corpus dir, or None when it does."""
    try:
        stamp = json.loads((Path(data_dir) / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no record of which corpus the index was built from"
    if not isinstance(stamp, dict) or stamp.get("generation") != generation:
        return "the index was published by a reindex whose corpus is not recorded"
    if stamp.get("corpus") != fingerprint:
        return "the corpus dir changed since the index was built"
    return None
