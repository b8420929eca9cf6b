"""The segmented store: incremental cost, merges, checks on open, corruption, leases, size caps."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from index import build
from index import store as st
from index.analyze import Analyzer
from index.engine import Engine, reindex_data_dir
from index.models import Answer
from index.passages import ChunkConfig
from index.segment import MAX_SENTENCE_CHARS
from tests.conftest import HEADLINE, HEADLINE_QUOTE

TRACTORS = "How many tractors did Minsk Tractor Works ship?"


def manifest(engine: Engine) -> dict:
    assert engine.gen is not None
    data = st.read_manifest(engine.gen)
    assert data is not None
    return data


def segment_files(gen: Path) -> dict[str, int]:
    """Segment name -> inode."""
    return {p.name: p.stat().st_ino for p in gen.glob("seg-*.sqlite")}


def test_incremental_reindex_shares_the_old_segment_and_writes_only_the_change(
    corpus_dir: Path, data_dir: Path, write_article: Callable[..., Path]
) -> None:
    _, first = reindex_data_dir(corpus_dir, data_dir)
    old_gen = first.gen
    assert old_gen is not None
    old = segment_files(old_gen)
    first.close()
    write_article("minsk-tractors", "Tractors", "The Minsk Tractor Works shipped 40,000 tractors.")
    report, engine = reindex_data_dir(corpus_dir, data_dir)
    assert report.added == ("minsk-tractors",) and not report.full_rebuild
    assert engine.gen is not None
    new = segment_files(engine.gen)
    # The old segment is the same file (a hard link), plus one new segment with one article.
    assert all(new[name] == inode for name, inode in old.items())
    (added,) = set(new) - set(old)
    segments = {s["name"]: s for s in manifest(engine)["segments"]}
    assert segments[added]["rows"] == 1
    assert "40,000" in engine.ask(TRACTORS).quotes[0].text
    engine.close()


def test_unchanged_corpus_files_are_not_read_again(
    corpus_dir: Path,
    data_dir: Path,
    write_article: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from index import corpus

    reindex_data_dir(corpus_dir, data_dir)[1].close()
    read: list[str] = []
    original = corpus._read_into

    def recording(collector: object, path: Path, rel: str, max_bytes: int) -> object:
        read.append(rel)
        return original(collector, path, rel, max_bytes)  # type: ignore[arg-type]

    monkeypatch.setattr(corpus, "_read_into", recording)
    write_article("minsk-tractors", "Tractors", "The Minsk Tractor Works shipped 40,000 tractors.")
    report, engine = reindex_data_dir(corpus_dir, data_dir)
    assert read == ["minsk-tractors.md"]
    assert report.added == ("minsk-tractors",) and report.unchanged == 2
    engine.close()
    # A file written again (even with the same bytes) is read again; its article is unchanged.
    path = corpus_dir / "minsk-tractors.md"
    path.write_text(path.read_text())
    read.clear()
    report, engine = reindex_data_dir(corpus_dir, data_dir)
    assert read == ["minsk-tractors.md"] and report.unchanged == 3 and not report.added
    engine.close()


def test_nothing_changed_keeps_the_live_generation(corpus_dir: Path, data_dir: Path) -> None:
    _, first = reindex_data_dir(corpus_dir, data_dir)
    gen = first.gen
    first.close()
    report, again = reindex_data_dir(corpus_dir, data_dir)
    assert again.gen == gen and report.unchanged == 2 and report.articles == 2
    again.close()


def test_updates_and_removals_are_deleted_rows_and_merges_drop_them(
    corpus_dir: Path, data_dir: Path, write_article: Callable[..., Path]
) -> None:
    reindex_data_dir(corpus_dir, data_dir)[1].close()
    for n in range(build.MAX_SEGMENTS + 3):  # one new segment per reindex, then merges
        write_article(
            "minsk-tractors", "Tractors", f"The Minsk Tractor Works shipped {n}0,123 tractors."
        )
        report, engine = reindex_data_dir(corpus_dir, data_dir)
        assert report.updated == ("minsk-tractors",) or n == 0
        quotes = [q.text for q in engine.ask(TRACTORS).quotes]
        assert any(f"{n}0,123" in q for q in quotes), quotes
        assert not any(f"{n - 1}0,123" in q for q in quotes) or n == 0
        segments = manifest(engine)["segments"]
        assert len(segments) <= build.MAX_SEGMENTS
        assert engine.counts() == (3, sum(s["passages"] - s["deleted_passages"] for s in segments))
        engine.close()
    (corpus_dir / "minsk-tractors.md").unlink()
    report, engine = reindex_data_dir(corpus_dir, data_dir)
    assert report.removed == ("minsk-tractors",)
    assert all(q.source.article_id != "minsk-tractors" for q in engine.ask(TRACTORS).quotes)
    assert engine.backend.num_docs == engine.counts()[1]
    engine.close()


def test_article_list_comes_from_columns_newest_first(
    corpus_dir: Path, data_dir: Path, write_article: Callable[..., Path]
) -> None:
    write_article("old-news", "Old", "Something happened in Brest.", published="2019-01-02")
    write_article("new-news", "New", "Something happened in Pinsk.", published="2024-03-04")
    _, engine = reindex_data_dir(corpus_dir, data_dir)
    ids = [a.id for a in engine.articles()]
    assert ids[:2] == ["new-news", "old-news"]
    summary = engine.articles()[0]
    assert summary.published is not None and summary.published.isoformat() == "2024-03-04"
    assert summary.source_path == "new-news.md" and summary.passages == 1
    engine.close()


# ---- corruption: checked on open, not ready with the reason, rebuilt by a reindex
def overwrite(path: Path, at: int, data: bytes) -> None:
    """Garble a file in place (no truncation: another mapping of it must not fault)."""
    with open(path, "r+b") as fh:
        fh.seek(at)
        fh.write(data)


def _built(corpus_dir: Path, data_dir: Path) -> Path:
    _, engine = reindex_data_dir(corpus_dir, data_dir)
    gen = engine.gen
    engine.close()
    assert gen is not None
    return gen


def _assert_damaged_then_rebuilt(corpus_dir: Path, data_dir: Path, words: str) -> None:
    broken = Engine.open(data_dir)
    assert broken.needs_build and "damaged" in broken.reason and words in broken.reason
    broken.close()
    report, engine = reindex_data_dir(corpus_dir, data_dir)
    assert report.full_rebuild and report.articles == 2
    assert HEADLINE_QUOTE in engine.ask(HEADLINE).quotes[0].text
    assert engine.backend.num_docs == engine.counts()[1]
    engine.close()
    reopened = Engine.open(data_dir)
    assert not reopened.needs_build
    reopened.close()


def test_truncated_segment_is_reported_and_rebuilt(corpus_dir: Path, data_dir: Path) -> None:
    gen = _built(corpus_dir, data_dir)
    (segment,) = gen.glob("seg-*.sqlite")
    with open(segment, "r+b") as fh:
        fh.truncate(segment.stat().st_size // 2)
    _assert_damaged_then_rebuilt(corpus_dir, data_dir, "truncated")


def test_garbled_segment_is_reported_and_rebuilt(corpus_dir: Path, data_dir: Path) -> None:
    gen = _built(corpus_dir, data_dir)
    (segment,) = gen.glob("seg-*.sqlite")
    overwrite(segment, segment.stat().st_size // 2, b"\xff" * 64)
    _assert_damaged_then_rebuilt(corpus_dir, data_dir, "checksum")


def test_deleted_tantivy_meta_is_reported_and_rebuilt(corpus_dir: Path, data_dir: Path) -> None:
    gen = _built(corpus_dir, data_dir)
    (gen / st.TANTIVY / "meta.json").unlink()
    _assert_damaged_then_rebuilt(corpus_dir, data_dir, "meta.json")


def test_garbled_tantivy_segment_file_is_reported_and_rebuilt(
    corpus_dir: Path, data_dir: Path
) -> None:
    gen = _built(corpus_dir, data_dir)
    idx = max((gen / st.TANTIVY).glob("*.idx"), key=lambda p: p.stat().st_size)
    overwrite(idx, 0, bytes(b ^ 0x5A for b in idx.read_bytes()[:-120]))
    _assert_damaged_then_rebuilt(corpus_dir, data_dir, idx.name)


def test_a_tantivy_panic_on_a_garbled_file_becomes_a_damaged_index(
    corpus_dir: Path, data_dir: Path
) -> None:
    """A file garbled after the checks (footers intact): tantivy panics inside the query. The
    panic (a BaseException) becomes DamagedIndex and the engine reports not ready."""
    _, engine = reindex_data_dir(corpus_dir, data_dir)
    assert engine.gen is not None
    rng = random.Random(7)
    for idx in (engine.gen / st.TANTIVY).glob("*.idx"):
        size = idx.stat().st_size
        overwrite(idx, size // 4, rng.randbytes(max(size // 2 - 200, 1)))
    with pytest.raises(st.DamagedIndex):
        for question in (HEADLINE, "Belarus China ties", "Lukashenko visit Beijing", "Xi"):
            engine.ask(question)
    assert engine.needs_build and "damaged" in engine.reason
    engine.close()


def test_emptied_store_then_reindex_leaves_no_stale_documents(
    corpus_dir: Path, data_dir: Path, write_article: Callable[..., Path]
) -> None:
    write_article("minsk-tractors", "Tractors", "The Minsk Tractor Works shipped 40,000 tractors.")
    gen = _built(corpus_dir, data_dir)
    (segment,) = gen.glob("seg-*.sqlite")
    conn = sqlite3.connect(segment)
    conn.execute("DELETE FROM articles")
    conn.commit()
    conn.close()
    (corpus_dir / "minsk-tractors.md").unlink()
    broken = Engine.open(data_dir)
    assert broken.needs_build and "damaged" in broken.reason
    broken.close()
    report, engine = reindex_data_dir(corpus_dir, data_dir)
    assert report.full_rebuild
    assert engine.backend.num_docs == engine.counts()[1]
    hits = engine.search("Minsk tractors shipped", 10)
    assert all(h.source.article_id != "minsk-tractors" for h in hits)
    engine.close()


def test_a_manifest_count_that_disagrees_is_damage(corpus_dir: Path, data_dir: Path) -> None:
    gen = _built(corpus_dir, data_dir)
    data = json.loads((gen / st.MANIFEST).read_text())
    data["passages"] += 1
    (gen / st.MANIFEST).write_text(json.dumps(data))
    broken = Engine.open(data_dir)
    assert broken.needs_build and "manifest says" in broken.reason
    broken.close()


def test_an_index_in_the_old_layout_is_rebuilt_and_removed(
    corpus_dir: Path, data_dir: Path
) -> None:
    old = data_dir / "gen-000001"
    (old / st.TANTIVY).mkdir(parents=True)
    (old / "store.sqlite").write_bytes(b"SQLite format 3\x00" + bytes(100))
    (old / st.MANIFEST).write_text(json.dumps({"format_version": 1, "articles": 2}))
    (data_dir / st.CURRENT).write_text("gen-000001\n")
    engine = Engine.open(data_dir)
    assert engine.needs_build and "format_version" in engine.reason
    report, engine = reindex_data_dir(corpus_dir, data_dir)
    assert report.full_rebuild and HEADLINE_QUOTE in engine.ask(HEADLINE).quotes[0].text
    assert not old.exists()
    engine.close()


# ---- leases and change detection
_READER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from index.engine import Engine
    engine = Engine.open(Path(sys.argv[1]))
    print(engine.gen.name, flush=True)
    sys.stdin.readline()  # hold the generation open until told
    answer = engine.ask("What did Lukashenko tell Li Zhanshu?")
    print("answered" if answer.answered else "no answer", flush=True)
    engine.close()
    """
)


def test_a_generation_open_in_another_process_is_never_deleted(
    corpus_dir: Path, data_dir: Path, write_article: Callable[..., Path]
) -> None:
    reindex_data_dir(corpus_dir, data_dir)[1].close()
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        held = reader.stdout.readline().strip()
        assert held.startswith("gen-")
        marker = st.current_marker(data_dir)
        for n in range(3):  # two newer generations published; the held one must stay
            write_article(f"extra-{n}", f"Extra {n}", f"Something new happened in Lida on day {n}.")
            reindex_data_dir(corpus_dir, data_dir)[1].close()
        assert st.current_marker(data_dir) != marker
        assert (data_dir / held / st.MANIFEST).is_file()
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "answered"
        assert reader.wait(timeout=60) == 0
    finally:
        if reader.poll() is None:
            reader.kill()
    write_article("extra-last", "Extra", "Something new happened in Orsha.")
    reindex_data_dir(corpus_dir, data_dir)[1].close()
    assert not (data_dir / held).exists()  # released, so the next reindex cleaned it up
    assert len(list(data_dir.glob("gen-*"))) == 1


def test_a_request_running_when_its_engine_is_closed_still_finishes(
    corpus_dir: Path, data_dir: Path
) -> None:
    """The service closes the old engine right after swapping in a new one; a question still
    running on the old one in another thread must not fail on a closed connection."""
    import threading

    _, engine = reindex_data_dir(corpus_dir, data_dir)
    results: list[object] = []

    def ask() -> None:
        try:
            results.append(engine.ask(HEADLINE))
        except Exception as err:  # reported below
            results.append(err)

    first = threading.Thread(target=ask)
    first.start()
    first.join()
    engine.close()  # from another thread than the one that opened connections
    second = threading.Thread(target=ask)
    second.start()
    second.join()
    assert all(not isinstance(r, Exception) and r.answered for r in results), results


def test_engine_notices_a_newer_generation(
    corpus_dir: Path, data_dir: Path, write_article: Callable[..., Path]
) -> None:
    reindex_data_dir(corpus_dir, data_dir)[1].close()
    engine = Engine.open(data_dir)
    assert engine.is_current()
    write_article("extra", "Extra", "Something new happened in Grodno.")
    reindex_data_dir(corpus_dir, data_dir)[1].close()
    assert not engine.is_current()
    assert HEADLINE_QUOTE in engine.ask(HEADLINE).quotes[0].text  # the leased one still answers
    engine.close()


def test_a_lease_file_unlinked_by_the_writer_is_not_acquired(tmp_path: Path) -> None:
    gen = tmp_path / "gen-000001"
    gen.mkdir()
    (gen / st.LEASE).touch()
    lease = st.Lease.acquire(gen)
    assert lease is not None
    assert not st.delete_generation(gen)  # held: kept
    lease.release()
    assert st.delete_generation(gen) and not gen.exists()
    assert st.Lease.acquire(gen) is None


# ---- the analysis workers and the streaming build
def test_worker_processes_build_the_same_index_as_inline(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        json.dumps(
            {
                "id": f"bulk-{i:03d}",
                "title": f"Bulletin {i}",
                "text": f"Officials in Gomel opened bridge number {i} on Tuesday. "
                f"“It will carry {i} cars an hour,” Mayor Ivan Petrov said.",
            }
        )
        for i in range(120)
    ]
    (corpus_dir / "bulk.jsonl").write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(build, "POOL_THRESHOLD_CHARS", 0)
    monkeypatch.setattr(build, "BATCH_ARTICLES", 16)
    _, pooled = reindex_data_dir(corpus_dir, tmp_path / "pooled", workers=2)
    _, inline = reindex_data_dir(corpus_dir, tmp_path / "inline", workers=0)
    assert pooled.counts() == inline.counts()
    for question in ("What did Ivan Petrov say about bridge number 77?", HEADLINE):
        _assert_same_answer_but_ties(pooled.ask(question), inline.ask(question))
    article = pooled.article("bulk-077")
    assert pooled.analysis(article) == inline.analysis(article)
    pooled.close()
    inline.close()


def _assert_same_answer_but_ties(a: Answer, b: Answer) -> None:
    """The same answer, except which of several quotes with one score fills a place: tantivy's
    writer indexes on several threads, so two builds of one corpus may order documents of equal
    score differently at the cut of a search (119 bulletins score alike on "bridge number")."""
    assert a.answered == b.answered and a.reason == b.reason
    assert [q.score for q in a.quotes] == [q.score for q in b.quotes]
    scores = [q.score for q in a.quotes]
    for qa, qb in zip(a.quotes, b.quotes, strict=True):
        if scores.count(qa.score) == 1:
            assert qa == qb


# ---- size caps (issue 9, item 10)
def test_a_huge_single_line_article_never_becomes_one_passage() -> None:
    words = " ".join(f"word{i % 977}" for i in range(700_000))  # ~6 MB, no punctuation
    encoded = build.encode_article(1, words, "en", Analyzer(), ChunkConfig())
    layout = st.decode_layout(encoded.layout)
    _text, analysis_bytes = st.decode_body(encoded.body)
    from index.analysis import ArticleAnalysis

    sentences = ArticleAnalysis.from_bytes(analysis_bytes).sentences
    assert len(layout) > 1000
    longest = max(sentences[b - 1][1] - sentences[a][0] for a, b in layout)
    assert longest <= max(MAX_SENTENCE_CHARS, ChunkConfig().max_chars)


_ONE_CHARACTER_LINES = """
import resource, time
from index.analyze import Analyzer
from index.build import encode_article
from index.passages import ChunkConfig
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
encoded = encode_article(1, "a\\n" * 1_000_000, "en", Analyzer(), ChunkConfig())
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(encoded.passages, (after - before) // 1024, round(seconds, 2))
"""


def test_a_file_of_one_character_lines_takes_memory_in_proportion() -> None:
    """2 MB of one-character lines: before the caps a million paragraphs and sentences (828 MiB
    in a reindex); now a few times the text."""
    done = subprocess.run(
        [sys.executable, "-c", _ONE_CHARACTER_LINES],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
    passages, grown_mib, _seconds = done.stdout.split()
    assert int(passages) >= 1
    assert int(grown_mib) < 64, f"{grown_mib} MiB"


def test_a_crash_before_publishing_leaves_no_new_segment_behind(
    corpus_dir: Path, data_dir: Path, write_article: Callable[..., Path]
) -> None:
    reindex_data_dir(corpus_dir, data_dir)[1].close()
    write_article("extra", "Extra", "Something new happened in Grodno.")

    def explode(event: object) -> None:
        if getattr(event, "phase", "") == "publishing":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reindex_data_dir(corpus_dir, data_dir, progress=explode)  # type: ignore[arg-type]
    assert not [p for p in data_dir.iterdir() if p.name.endswith(".tmp")]
    engine = Engine.open(data_dir)
    assert not engine.needs_build and "extra" not in {a.id for a in engine.articles()}
    engine.close()
    shutil.rmtree(data_dir)
