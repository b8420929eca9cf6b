"""Kill the real process (SIGKILL) at random moments of a large reindex, many times.

After every kill, a fresh process must find a valid index (the previous generation or the new
one, never a broken one) holding every article whose reindex had been confirmed, and it must
answer correctly. Bounded: a fixed number of kills, each within a few seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from index import store as st
from index.engine import Engine
from tests.conftest import HEADLINE, HEADLINE_QUOTE, copy_corpus

KILLS = 8
BATCH = 120  # articles added before each attempt


def env_for(corpus: Path, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "DISCORD_"))}
    return env | {"NEWSBOT_CORPUS_DIR": str(corpus), "NEWSBOT_DATA_DIR": str(data)}


def write_batch(corpus: Path, round_no: int, rng: random.Random) -> list[str]:
    ids = []
    towns = ["Grodno", "Brest", "Vitebsk", "Gomel", "Mogilev", "Pinsk", "Lida", "Orsha"]
    for i in range(BATCH):
        art_id = f"r{round_no:02d}-n{i:03d}"
        town = rng.choice(towns)
        sentences = [
            f"Officials in {town} opened bridge number {round_no * 1000 + i} on Tuesday.",
            f"The bridge cost {rng.randint(2, 90)} million roubles, the city council said.",
        ] + [
            f"Residents of {town} said traffic would ease by spring {2020 + j % 5}."
            for j in range(12)
        ]
        (corpus / f"{art_id}.md").write_text(
            f"---\ntitle: Bridge {round_no * 1000 + i} opens in {town}\n---\n\n"
            + " ".join(sentences)
        )
        ids.append(art_id)
    return ids


def test_sigkill_during_reindex_never_loses_confirmed_articles(tmp_path: Path) -> None:
    rng = random.Random(1234)
    corpus = copy_corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    env = env_for(corpus, data)
    cmd = [sys.executable, "-m", "bot", "reindex"]
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=120).returncode == 0
    confirmed = {"belarus-china-increasing-ties"}

    # Measure one full-size reindex so kills land inside it.
    write_batch(corpus, 0, rng)
    started = time.perf_counter()
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=120).returncode == 0
    duration = time.perf_counter() - started
    confirmed |= {f"r00-n{i:03d}" for i in range(BATCH)}

    kills = 0
    for round_no in range(1, KILLS + 1):
        pending = write_batch(corpus, round_no, rng)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, duration * 0.95))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        finished_ok = proc.wait(timeout=60) == 0
        if finished_ok:
            confirmed |= set(pending)

        engine = Engine.open(data)
        assert not engine.needs_build, engine.reason
        indexed = {a.id for a in engine.articles()}
        assert confirmed <= indexed, sorted(confirmed - indexed)[:5]
        answer = engine.ask(HEADLINE)
        assert answer.answered and HEADLINE_QUOTE in answer.quotes[0].text
        some = rng.choice(sorted(i for i in confirmed if i.startswith("r")))
        number = int(some[1:3]) * 1000 + int(some[-3:])
        answer = engine.ask(f"Which town opened bridge number {number}?")
        assert any(q.source.article_id == some for q in answer.quotes), (some, answer)
        engine.close()
    assert kills >= KILLS // 2  # most attempts really were killed mid-way

    # And the next reindex completes with everything.
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=120).returncode == 0
    engine = Engine.open(data)
    assert len(engine.articles()) == 2 + BATCH * (KILLS + 1)
    assert not [p for p in data.iterdir() if p.name.endswith(".tmp")]
    # Killed runs left no debris: the live generation and at most the one before it (which the
    # CLI's own engine still held while its reindex published), and few segments (merged).
    gens = sorted(p.name for p in data.glob("gen-*"))
    assert len(gens) <= 2 and gens[-1] == (engine.gen.name if engine.gen else "")
    manifest = st.read_manifest(data / (engine.gen.name if engine.gen else ""))
    assert manifest is not None and len(manifest["segments"]) <= 8
    engine.close()


_PARENT = """
import asyncio, sys
from pathlib import Path
from typing import Any
from bot.reindex_worker import reindex_in_child
asyncio.run(reindex_in_child(Path(sys.argv[1]), Path(sys.argv[2]), "tantivy", lambda e: None))
"""


def _depth(proc: Any, ancestor: int) -> int:
    """How many levels below ``ancestor`` a process is (0 when it is not below it any more)."""
    depth = 0
    with contextlib.suppress(Exception):  # (a process may exit while it is looked at)
        while proc is not None and proc.pid != ancestor:
            proc = proc.parent()
            depth += 1
    return depth if proc is not None and proc.pid == ancestor else 0


def test_sigkill_of_the_parent_leaves_no_reindex_process_behind(tmp_path: Path) -> None:
    """The bot killed mid-reindex: its reindex child, that child's analysis workers and the
    forkservers all exit (parent-death signal and lifeline pipes); nothing gets published."""
    import psutil

    corpus = copy_corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    rng = random.Random(99)
    words = [
        "bridge",
        "road",
        "council",
        "town",
        "river",
        "tractor",
        "minister",
        "export",
        "grain",
        "railway",
    ]
    with (corpus / "bulk.jsonl").open("w") as out:
        # ~14 MB of text: the reindex must outlast the analysis workers' start by far (900
        # stories were enough until the analysis got faster, then the reindex sometimes ended
        # before a worker was seen); the parent is killed as soon as one is, so the size costs
        # only the writing of the corpus
        for i in range(2800):
            text = " ".join(
                f"Officials in Brest opened {rng.choice(words)} number {i}-{j} on Tuesday."
                for j in range(70)
            )
            out.write(
                json.dumps({"id": f"bulk-{i:04d}", "title": f"Bulk {i}", "text": text}) + "\n"
            )
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, str(corpus), str(data)],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    family: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 90
        # forkserver → reindex child → its forkserver → analysis workers. The pool starts a
        # worker when no idle one is free, so on a busy machine one worker may do every batch:
        # wait for any process four levels down (a worker), not for a count of them.
        while time.monotonic() < deadline and parent.poll() is None:
            family = psutil.Process(parent.pid).children(recursive=True)
            if any(_depth(proc, parent.pid) >= 4 for proc in family):
                break
            time.sleep(0.02)
        assert any(_depth(proc, parent.pid) >= 4 for proc in family), (
            f"the workers never started ({len(family)} children)"
        )
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        _gone, alive = psutil.wait_procs(family, timeout=5)
        assert not alive, [p.cmdline()[:3] for p in alive]
    finally:
        for proc in family:
            with contextlib.suppress(psutil.Error):
                proc.kill()
    # Nothing lived on to publish the reindex the dead bot had started.
    assert st.read_current(data) is None
    engine = Engine.open(data)
    assert engine.needs_build
    engine.close()
