"""The CLI as a user runs it: a real subprocess, its exit codes, its JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import HEADLINE, HEADLINE_QUOTE, HEADLINE_TITLE, copy_corpus


def run(
    args: list[str], env_dirs: tuple[Path, Path], stdin: str | None = None
) -> subprocess.CompletedProcess:
    corpus, data = env_dirs
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "DISCORD_"))}
    env |= {"NEWSBOT_CORPUS_DIR": str(corpus), "NEWSBOT_DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=corpus.parent if corpus.parent.is_dir() else None,
    )


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    corpus = copy_corpus(root / "corpus")
    data = root / "data"
    result = run(["reindex"], (corpus, data))
    assert result.returncode == 0, result.stderr
    assert "Indexed 2 articles" in result.stdout
    return corpus, data


def test_ask_json_shape(dirs: tuple[Path, Path]) -> None:
    result = run(["ask", HEADLINE, "--json"], dirs)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["question"] == HEADLINE and answer["answered"] is True
    quote = answer["quotes"][0]
    assert set(quote) >= {
        "text",
        "start",
        "end",
        "passage_id",
        "score",
        "speaker",
        "speech",
        "source",
    }
    assert set(quote["source"]) >= {
        "article_id",
        "title",
        "author",
        "publisher",
        "url",
        "published",
    }
    assert HEADLINE_QUOTE in quote["text"] and quote["source"]["title"] == HEADLINE_TITLE


def test_ask_text_output_names_source_and_passage(dirs: tuple[Path, Path]) -> None:
    result = run(["ask", HEADLINE], dirs)
    assert result.returncode == 0
    assert HEADLINE_TITLE in result.stdout and "passage " in result.stdout


def test_ask_marks_direct_and_reported_speech(dirs: tuple[Path, Path]) -> None:
    direct = json.loads(run(["ask", HEADLINE, "--json"], dirs).stdout)["quotes"][0]
    assert direct["speech"] == "direct" and "Lukashenko" in direct["speaker"]
    question = "Did Lukashenko mention any obstacles to bilateral ties?"
    reported = json.loads(run(["ask", question, "--json"], dirs).stdout)["quotes"][0]
    assert reported["speech"] == "reported" and "no obstacles" in reported["text"]
    shown = run(["ask", question], dirs).stdout
    assert "— Lukashenko (reported speech)" in shown


def test_ask_jsonl_answers_each_line(dirs: tuple[Path, Path]) -> None:
    result = run(["ask", "--jsonl"], dirs, stdin=f"{HEADLINE}\n\nWho is Li Zhanshu?\n   \n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == [HEADLINE, "Who is Li Zhanshu?"]


def test_search_source_articles(dirs: tuple[Path, Path]) -> None:
    hits = json.loads(run(["search", "Li Zhanshu", "--json", "-k", "3"], dirs).stdout)
    assert 1 <= len(hits) <= 3 and "Li Zhanshu" in hits[0]["text"]
    view = json.loads(run(["source", hits[0]["passage_id"], "--json"], dirs).stdout)
    assert view["kind"] == "passage" and view["passage"]["passage"]["text"] == hits[0]["text"]
    listing = json.loads(run(["articles", "--json"], dirs).stdout)
    assert {a["title"] for a in listing} >= {HEADLINE_TITLE}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "   "], "empty"),
        (["ask", "x" * 100_000], "limit"),
        (["source", "no-such-article"], "No article or passage"),
        (["source", "belarus-china-increasing-ties:999"], "no passage 999"),
        (["search", "the of and"], "no searchable words"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    dirs: tuple[Path, Path], args: list[str], message: str
) -> None:
    result = run(args, dirs)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_missing_corpus_and_unwritable_data_dir(tmp_path: Path) -> None:
    result = run(["ask", HEADLINE], (tmp_path / "nope", tmp_path / "data"))
    assert result.returncode == 2 and "does not exist" in result.stderr
    blocker = tmp_path / "file"
    blocker.write_text("")
    corpus = copy_corpus(tmp_path / "corpus")
    result = run(["ask", HEADLINE], (corpus, blocker / "data"))
    assert result.returncode == 2 and "Cannot write to the data dir" in result.stderr
    assert "Traceback" not in result.stderr


def test_eval_reports_answer_and_false_answer_rates(
    dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"question": HEADLINE, "answers": ["Expanding ties with China"]})
        + "\n"
        + json.dumps({"question": "What did Gordon Brown say about the Xbox?", "answers": []})
        + "\n"
    )
    result = run(["eval", str(questions), "--json"], dirs)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["answer@1"] == 1.0 and report["false_answer_rate"] == 0.0


def test_feeds_list_and_a_refused_feed(dirs: tuple[Path, Path]) -> None:
    result = run(["feeds", "list"], dirs)
    assert result.returncode == 0 and "No feeds registered" in result.stdout
    result = run(["feeds", "add", "http://127.0.0.1:9/feed.xml"], dirs)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    result = run(["feeds", "add", "ftp://example.org/feed"], dirs)
    assert result.returncode == 2 and "newsbot:" in result.stderr
