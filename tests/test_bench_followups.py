"""The follow-up benchmark: its smoke mode runs on the bundled corpus, and its news-dev
conversation file stays out of the installed package (news-dev is research-use only)."""

from __future__ import annotations

import json
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from bench import followups, news
from bench.common import BenchError
from tests.conftest import REPO


def test_smoke_mode_scores_follow_ups_with_and_without_the_conversation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(followups, "write_results", lambda kind, data: tmp_path / f"{kind}.json")
    assert followups.main(["--smoke"]) == 0
    out = capsys.readouterr().out
    assert "3 conversations, 4 follow-ups" in out
    rows = {line.split("|")[1].strip(): line.split("|") for line in out.splitlines() if "|" in line}
    speaker = rows["speaker"]
    assert float(speaker[3]) == 1.0 and float(speaker[4]) == 0.0  # needs the conversation


def test_conversation_file_is_well_formed_and_not_package_data() -> None:
    rows = followups.load_conversations(followups.CONVERSATIONS)
    assert len(rows) >= 40
    assert all(2 <= len(r["turns"]) <= 3 and all(t["answers"] for t in r["turns"]) for r in rows)
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["bench"]
    relative = followups.CONVERSATIONS.relative_to(REPO / "bench").as_posix()
    assert "/" in relative  # in a folder of bench/ that is not a package
    for pattern in package_data:
        # A pattern without "/" matches files directly in bench/ only (setuptools globs).
        assert "/" not in pattern or not fnmatch(relative, pattern), pattern


def test_missing_news_dev_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(BenchError, match="--smoke"):
        followups.prepare_corpus(tmp_path / "nowhere", tmp_path / "corpus")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "turns": [{"ask": "q", "answers": ["a"]}]}) + "\n")
    with pytest.raises(BenchError, match="fewer than two turns"):
        followups.load_conversations(bad)


def test_a_missing_question_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "extra.jsonl"
    with pytest.raises(BenchError, match=r"No question file at .*extra\.jsonl"):
        news.load_news(tmp_path, missing)
    assert news.main(["--news", str(tmp_path), "--questions", str(missing)]) == 2
    assert "No question file at" in capsys.readouterr().err
