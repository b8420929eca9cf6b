"""`newsbot chat`, `source --full/--page`, `articles --since/--until` and `feedback` over an index
of the bundled corpus plus three dated articles. `chat` runs as a real subprocess; the others call
the same ``main`` in-process (a subprocess each would add seconds to the suite)."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from index.models import Feedback, FeedbackQuote
from tests.conftest import HEADLINE, HEADLINE_QUOTE_2, HEADLINE_TITLE, copy_corpus
from tests.conversation_articles import write_dated
from tests.test_cli import run as run_process


def run(
    args: list[str], dirs: tuple[Path, Path], stdin: str | None = None
) -> subprocess.CompletedProcess:
    """``newsbot ARGS`` in this process, with its exit code and output."""
    corpus, data = dirs
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--corpus", str(corpus), "--data-dir", str(data), *args])
    finally:
        sys.stdin = saved
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli-conversation")
    corpus = copy_corpus(root / "corpus")
    write_dated(corpus)
    data = root / "data"
    result = run(["reindex"], (corpus, data))
    assert result.returncode == 0, result.stderr
    return corpus, data


def test_chat_follow_ups_from_piped_stdin(dirs: tuple[Path, Path]) -> None:
    script = f"{HEADLINE}\nWhat else did he say?\nWho said that?\nWhere is that from?\n/history\n"
    result = run_process(["chat"], dirs, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "→ What else did Lukashenko say?" in out
    assert HEADLINE_QUOTE_2 in out
    assert "Lukashenko said that" in out
    assert f"That is from ‘{HEADLINE_TITLE}’" in out
    assert "2. What else did he say?  → What did Lukashenko say?" in out  # /history


def test_chat_new_starts_over(dirs: tuple[Path, Path]) -> None:
    result = run(["chat"], dirs, stdin=f"{HEADLINE}\n/new\nWho said that?\n")
    assert result.returncode == 0, result.stderr
    assert "(a new conversation)" in result.stdout
    assert "no earlier answer in this conversation" in result.stdout


def test_source_opening_pages_and_full_text(dirs: tuple[Path, Path]) -> None:
    article = "lukashenko-second-visit-china-2023"
    first = run(["source", article], dirs)
    assert first.returncode == 0, first.stderr
    assert "Belarusian President Aleksandr Lukashenko is visiting Beijing" in first.stdout
    assert "(page 1 of 4; --page 2 for the next, --full for all of it)" in first.stdout
    assert "outcomes of these talks" not in first.stdout
    last = run(["source", article, "--page", "4"], dirs)
    assert "outcomes of these talks" in " ".join(last.stdout.split())
    full = run(["source", article, "--full", "--json"], dirs)
    view = json.loads(full.stdout)
    assert view["text"]["start"] == 0 and view["text"]["pages"] == 1
    assert view["text"]["text"].endswith("regional and global dynamics.")
    beyond = run(["source", article, "--page", "9"], dirs)
    assert beyond.returncode == 2 and "has 4 pages" in beyond.stderr


def test_source_marks_a_quote(dirs: tuple[Path, Path]) -> None:
    answer = json.loads(run(["ask", HEADLINE, "--json"], dirs).stdout)
    (quote,) = [q for q in answer["quotes"] if q["text"].startswith("Per the Belarusian leader")]
    shown = run(["source", f"{quote['passage_id']}@{quote['start']}-{quote['end']}"], dirs)
    assert shown.returncode == 0, shown.stderr
    assert "»Per the Belarusian leader" in shown.stdout
    assert "regional ties.”«" in shown.stdout


def test_articles_since_until(dirs: tuple[Path, Path]) -> None:
    result = run(["articles", "--since", "2024-03-01"], dirs)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "riverton-bridge" and len(result.stdout.splitlines()) == 1
    ranged = run(["articles", "--since", "February 2024", "--until", "2024-02-29", "--json"], dirs)
    assert [a["id"] for a in json.loads(ranged.stdout)] == ["riverton-budget"]
    none = run(["articles", "--until", "1999"], dirs)
    assert "No article was published in that range" in none.stdout
    bad = run(["articles", "--since", "soonish"], dirs)
    assert bad.returncode == 2 and "not a date" in bad.stderr


def test_feedback_list_answer_export_and_eval(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    _, data = dirs
    votes = [
        Feedback(
            question="What did Kowalski say about the bridge?",
            passage_ids=("riverton-library:0",),
            user_hash="u1",
            vote="down",
            at="2024-03-15T10:00:00+00:00",
            id="vote00000001",
            quotes=(
                FeedbackQuote(
                    text="“A bridge between the old town and the new one",
                    passage_id="riverton-library:0",
                ),
            ),
            message_url="https://discord.com/channels/1/2/3",
        ),
        Feedback(
            question="Who met Li Zhanshu?",
            passage_ids=("belarus-china-increasing-ties:0",),
            user_hash="u2",
            vote="up",
            at="2024-03-15T10:01:00+00:00",
            id="vote00000002",
        ),
    ]
    (data / "feedback.jsonl").write_text(
        "".join(v.model_dump_json() + "\n" for v in votes) + "not json\n", encoding="utf-8"
    )
    listing = run(["feedback", "list"], dirs)
    assert listing.returncode == 0, listing.stderr
    assert "vote00000001" in listing.stdout and "Who met Li Zhanshu" not in listing.stdout
    assert "https://discord.com/channels/1/2/3" in listing.stdout

    out = tmp_path / "items.jsonl"
    exported = run(["feedback", "export", "-o", str(out)], dirs)
    assert "Wrote 1 eval item" in exported.stdout
    item = json.loads(out.read_text())
    assert item["question"] == "What did Kowalski say about the bridge?"
    assert item["answers"] == [] and item["bad_quotes"] == [votes[0].quotes[0].text]

    unknown = run(["feedback", "answer", "nope", "words"], dirs)
    assert unknown.returncode == 2 and "No 👎 has the id" in unknown.stderr
    # The right answer given is words of the engine's own first quote for the question.
    first = json.loads(run(["ask", votes[0].question, "--json"], dirs).stdout)["quotes"][0]
    words = first["text"].strip('“”"').split(",")[0]
    given = run(["feedback", "answer", "vote00000001", words], dirs)
    assert given.returncode == 0, given.stderr
    run(["feedback", "export", "-o", str(out)], dirs)
    item = json.loads(out.read_text())
    assert item["answers"] == [words]

    scored = run(["eval", str(out), "--json"], dirs)
    assert scored.returncode == 0, scored.stderr
    result = json.loads(scored.stdout)
    assert result["questions"] == 1 and result["feedback_items"] == 1
    assert result["answer@1"] == 1.0  # the engine's first quote is the right one
    assert result["bad_quote_again_rate"] == 0.0
