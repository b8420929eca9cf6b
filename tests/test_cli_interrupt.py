"""Ctrl-C during `newsbot reindex` (SIGINT to the terminal's whole process group): the pass stops
before it publishes, the index stays as it was, and the user sees one line, not tracebacks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.load import write_articles
from index.engine import Engine
from tests.adversarial import cli_env
from tests.conftest import copy_corpus

pytestmark = pytest.mark.timeout(120)


def _reindex(corpus: Path, data: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "reindex"],
        env=cli_env(corpus, data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )


def test_ctrl_c_during_a_reindex_publishes_nothing_and_says_one_line(tmp_path: Path) -> None:
    corpus, data = copy_corpus(tmp_path / "corpus"), tmp_path / "data"
    first = _reindex(corpus, data)
    assert first.wait(60) == 0
    before = Engine.open(data)
    counts, gen = before.counts(), before.gen
    before.close()

    write_articles(corpus, 1500)  # a pass long enough to be caught in the middle
    proc = _reindex(corpus, data)
    deadline = time.monotonic() + 60
    while not any(data.glob("gen-*.tmp")):  # the new generation is being built
        assert proc.poll() is None, "the reindex ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)

    assert proc.returncode == 130
    assert err.decode().strip().splitlines() == ["newsbot: interrupted"]
    after = Engine.open(data)
    assert not after.needs_build and after.gen == gen and after.counts() == counts
    after.close()
    again = _reindex(corpus, data)  # nothing stale left in the way of the next pass
    assert again.wait(60) == 0
    done = Engine.open(data)
    assert done.counts()[0] == counts[0] + 1500
    done.close()
