"""Kill the real process (SIGKILL) at random moments of a large reindex, many times.

After every kill, a fresh process must find a valid index (the previous generation or the new
one, never a broken one) holding every article whose reindex had been confirmed, and it must
answer correctly. Bounded: a fixed number of kills, each within a few seconds.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

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
    engine.close()
