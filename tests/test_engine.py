"""Persistence, incremental reindex, and crash safety of the on-disk index."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from index import store as st
from index.engine import Engine, EngineConfig, reindex_data_dir
from index.errors import NotFound
from index.models import Progress
from index.passages import ChunkConfig
from tests.conftest import HEADLINE, HEADLINE_QUOTE

ENGINES = ["tantivy", "rank-bm25"]


@pytest.mark.parametrize("engine", ENGINES)
def test_build_then_reopen_gives_same_answers(
    corpus_dir: Path, data_dir: Path, engine: str
) -> None:
    report, built = reindex_data_dir(corpus_dir, data_dir, engine)
    assert report.articles == 2 and report.passages > 2 and report.full_rebuild
    assert len(report.added) == 2 and not report.skipped
    first = built.ask(HEADLINE)
    built.close()
    reopened = Engine.open(data_dir, engine)
    assert not reopened.needs_build
    again = reopened.ask(HEADLINE)
    assert [q.text for q in again.quotes] == [q.text for q in first.quotes]
    assert HEADLINE_QUOTE in again.quotes[0].text
    manifest = st.read_manifest(reopened.gen)
    assert manifest["articles"] == 2 and manifest["format_version"] == st.FORMAT_VERSION
    reopened.close()


def test_second_reindex_is_incremental_and_changes_nothing(
    corpus_dir: Path, data_dir: Path
) -> None:
    reindex_data_dir(corpus_dir, data_dir)[1].close()
    report, engine = reindex_data_dir(corpus_dir, data_dir)
    assert not report.full_rebuild
    assert report.unchanged == 2 and not (report.added or report.updated or report.removed)
    engine.close()


@pytest.mark.parametrize("engine_name", ENGINES)
def test_add_change_remove_are_reflected_and_removed_never_quoted(
    corpus_dir: Path, data_dir: Path, engine_name: str, write_article: Callable[..., Path]
) -> None:
    reindex_data_dir(corpus_dir, data_dir, engine_name)[1].close()
    path = write_article(
        "minsk-tractors",
        "Minsk Tractor Works Expands Exports",
        "The Minsk Tractor Works shipped 40,000 tractors abroad last year, the plant said.",
    )
    report, engine = reindex_data_dir(corpus_dir, data_dir, engine_name)
    assert report.added == ("minsk-tractors",) and not report.full_rebuild
    assert (
        "40,000 tractors"
        in engine.ask("How many tractors did Minsk Tractor Works ship?").quotes[0].text
    )
    engine.close()

    write_article(
        "minsk-tractors",
        "Minsk Tractor Works Expands Exports",
        "The Minsk Tractor Works shipped 55,000 tractors abroad last year, the plant said.",
    )
    report, engine = reindex_data_dir(corpus_dir, data_dir, engine_name)
    assert report.updated == ("minsk-tractors",)
    texts = [q.text for q in engine.ask("How many tractors did Minsk Tractor Works ship?").quotes]
    assert any("55,000" in t for t in texts) and not any("40,000" in t for t in texts)
    engine.close()

    path.unlink()
    report, engine = reindex_data_dir(corpus_dir, data_dir, engine_name)
    assert report.removed == ("minsk-tractors",)
    answer = engine.ask("How many tractors did Minsk Tractor Works ship?")
    assert all(q.source.article_id != "minsk-tractors" for q in answer.quotes)
    assert all(h.source.article_id != "minsk-tractors" for h in engine.search("Minsk tractors", 10))
    with pytest.raises(NotFound):
        engine.source("minsk-tractors")
    engine.close()


class Crash(Exception):
    pass


@pytest.mark.parametrize("phase", ["reading corpus", "indexing", "committing", "publishing"])
def test_crash_mid_reindex_keeps_the_previous_index(
    corpus_dir: Path, data_dir: Path, phase: str, write_article: Callable[..., Path]
) -> None:
    reindex_data_dir(corpus_dir, data_dir)[1].close()
    live_before = (data_dir / st.CURRENT).read_text()
    write_article("extra", "Extra Article", "Something new happened in Grodno on Friday.")

    def explode(event: Progress) -> None:
        if event.phase == phase:
            raise Crash(phase)

    with pytest.raises(Crash):
        reindex_data_dir(corpus_dir, data_dir, progress=explode)
    assert (data_dir / st.CURRENT).read_text() == live_before
    engine = Engine.open(data_dir)
    assert not engine.needs_build
    assert HEADLINE_QUOTE in engine.ask(HEADLINE).quotes[0].text
    engine.close()
    # The next reindex cleans up and includes the new article.
    report, engine = reindex_data_dir(corpus_dir, data_dir)
    assert "extra" in report.added
    assert not [p for p in data_dir.iterdir() if p.name.endswith(".tmp")]
    engine.close()


def test_leftover_debris_from_a_killed_process_is_ignored(corpus_dir: Path, data_dir: Path) -> None:
    reindex_data_dir(corpus_dir, data_dir)[1].close()
    debris = st.next_generation(data_dir).with_name("gen-999999.tmp")
    (debris / "tantivy").mkdir(parents=True)
    (debris / "store.sqlite").write_bytes(b"half a file")
    engine = Engine.open(data_dir)
    assert HEADLINE_QUOTE in engine.ask(HEADLINE).quotes[0].text
    engine.close()
    reindex_data_dir(corpus_dir, data_dir)[1].close()
    assert not debris.exists()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda m: {**m, "format_version": 0},
        lambda m: {**m, "analyzer": "other-analyzer"},
        lambda m: {**m, "chunking": "w1-o0-p"},
    ],
)
def test_index_built_with_other_settings_is_rebuilt_not_misread(
    corpus_dir: Path, data_dir: Path, mutate: Callable[[dict], dict]
) -> None:
    _, engine = reindex_data_dir(corpus_dir, data_dir)
    gen = engine.gen
    engine.close()
    import json

    manifest = json.loads((gen / st.MANIFEST).read_text())
    (gen / st.MANIFEST).write_text(json.dumps(mutate(manifest)))
    reopened = Engine.open(data_dir)
    assert reopened.needs_build and reopened.reason
    report, engine = reindex_data_dir(corpus_dir, data_dir)
    assert report.full_rebuild and report.articles == 2
    engine.close()


def test_garbage_current_file_means_rebuild(corpus_dir: Path, data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / st.CURRENT).write_text("../../etc")
    assert Engine.open(data_dir).needs_build


def test_chunk_spans_are_verbatim_and_sentence_aligned(corpus_dir: Path, data_dir: Path) -> None:
    config = EngineConfig(chunking=ChunkConfig(max_words=30, overlap=1))
    _, engine = reindex_data_dir(corpus_dir, data_dir, config=config)
    for summary in engine.articles():
        article = engine.article(summary.id)
        for i in range(summary.passages):
            view = engine.source(f"{summary.id}:{i}")
            passage = view.passage.passage
            assert article.text[passage.start : passage.end] == passage.text
            assert passage.sentences[0].start == passage.start
            assert passage.sentences[-1].end == passage.end
    engine.close()


def test_unwritable_data_dir_is_a_clear_error(corpus_dir: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        target = Path("/proc/newsbot-cannot-write-here")
    else:
        target = tmp_path / "ro"
        target.mkdir()
        target.chmod(0o500)
    with pytest.raises(st.StoreError, match="Cannot write to the data dir"):
        reindex_data_dir(corpus_dir, target)
