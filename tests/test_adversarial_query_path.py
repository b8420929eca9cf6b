"""Adversarial tests of the query path and the stored format (FORMAT_VERSION 4): damage seen only
at question time, odd terms in the stored analysis, many threads reading the same cached
analyses. Those that broke something came with their fix; the thread tests held and stay as
guards."""

from __future__ import annotations

import random
import sqlite3
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as hs

from bench.news import generated_news
from bench.news import write_corpus as write_news
from bench.squad import generated_squad
from bench.squad import write_corpus as write_squad
from bot.service import NewsService
from index import store as st
from index.analysis import ArticleAnalysis, analyse_article
from index.analyze import Analyzer
from index.engine import Engine, reindex_data_dir
from index.models import Article
from tests.conftest import HEADLINE, HEADLINE_QUOTE
from tests.test_http import AUTH, make_settings, serving

ANALYZER = Analyzer()


def _flip(data: bytes, at: int, bit: int) -> bytes:
    garbled = bytearray(data)
    garbled[at] ^= bit
    return bytes(garbled)


def test_a_body_with_any_one_bit_flipped_never_decodes_as_other_text(corpus_dir: Path) -> None:
    """zlib's Adler-32 caught a flipped bit; a zstd frame without its content checksum decodes
    most flips as other words (measured: 59% of single-bit flips) — a wrong quote, not a
    damaged index."""
    path = next(corpus_dir.glob("*.md"))
    text = path.read_text(encoding="utf-8")
    analysis = analyse_article(Article.model_construct(text=text, language="en"), ANALYZER)
    blob = st.encode_body(text, analysis)
    expected = (text, analysis.to_bytes())
    silently_wrong = []
    for at in range(len(blob)):
        for bit in (1, 2, 4, 8, 16, 32, 64, 128):
            try:
                decoded = st.decode_body(_flip(blob, at, bit))
            except Exception:  # any error is a detected damage
                continue
            if decoded != expected:
                silently_wrong.append((at, bit))
    assert silently_wrong == []


def _poke(path: Path, at: int, byte: int) -> None:
    """Change one byte in place: same length, same inode (as a bad sector or a stray writer)."""
    with open(path, "r+b") as fh:
        fh.seek(at)
        fh.write(bytes([byte]))


def _body_offset(segment: Path, seq: int) -> int:
    """Where in the segment file a stretch from the middle of article ``seq``'s body lies."""
    conn = sqlite3.connect(f"file:{segment}?immutable=1", uri=True)
    (body,) = conn.execute("SELECT body FROM bodies WHERE seq = ?", (seq,)).fetchone()
    conn.close()
    raw = segment.read_bytes()
    middle = len(body) // 2
    at = raw.find(body[middle : middle + 48])
    assert at > 0 and raw.count(body[middle : middle + 48]) == 1
    return at


def test_a_body_damaged_after_the_open_checks_is_a_damaged_index_never_another_quote(
    corpus_dir: Path, data_dir: Path
) -> None:
    """The open checks (segment CRC-32) passed; then the bytes of the answer's article change
    under the reader. Every such flip must end in DamagedIndex (not ready, reindex rebuilds) or
    in the very same answer — never in a quote the article does not hold."""
    _, engine = reindex_data_dir(corpus_dir, data_dir)
    expected = engine.ask(HEADLINE).model_dump()
    assert HEADLINE_QUOTE in expected["quotes"][0]["text"]
    quoted = expected["quotes"][0]["source"]["article_id"]
    text = engine.article(quoted).text
    gen = engine.gen
    engine.close()
    assert gen is not None
    (segment,) = gen.glob("seg-*.sqlite")
    entry = Engine.open(data_dir)
    seq = entry.store.entry(quoted).seq  # type: ignore[union-attr]
    entry.close()
    at = _body_offset(segment, seq)
    original = segment.read_bytes()
    outcomes = []
    for offset in range(0, 48, 3):
        engine = Engine.open(data_dir)  # checks pass: nothing is damaged yet
        assert not engine.needs_build
        _poke(segment, at + offset, original[at + offset] ^ 0x04)
        try:
            answer = engine.ask(HEADLINE).model_dump()
            read = engine.article(quoted).text
        except st.DamagedIndex:
            assert engine.needs_build and "damaged" in engine.reason
            outcomes.append("damaged")
        else:
            assert answer == expected, f"a flip at +{offset} changed the answer"
            assert read == text, f"a flip at +{offset} changed the article's text"
            outcomes.append("same")
        finally:
            engine.close()
            _poke(segment, at + offset, original[at + offset])
    assert "damaged" in outcomes
    broken = Engine.open(data_dir)
    assert not broken.needs_build
    broken.close()
    _poke(segment, at, original[at] ^ 0x04)
    broken = Engine.open(data_dir)  # now the open check sees it: the segment's CRC-32
    assert broken.needs_build and "checksum" in broken.reason
    broken.close()
    report, engine = reindex_data_dir(corpus_dir, data_dir)
    try:
        assert report.full_rebuild
        assert engine.ask(HEADLINE).model_dump() == expected
    finally:
        engine.close()


# Terms as a hand-built analysis may hold them (the byte form takes any tuples; the analyzer's
# terms are never empty and hold no whitespace): empty, prefixes of each other, non-ASCII, and
# whitespace that is not " " or "\n" (tab, CR, the ASCII separators str.split() also cuts at).
_ODD_TERM = hs.sampled_from(
    ["", "a", "ab", "b", "ba", "é", "a\tb", "a\rb", "x\x1cy", "\u2028", "\x85", "tab\t"]
)


@settings(max_examples=300, deadline=None)
@given(hs.lists(hs.lists(_ODD_TERM, max_size=4).map(tuple), max_size=4).map(tuple))
@example((("",),))  # read back as ((),): the empty term was lost
@example((("a\tb", "c"),))  # terms() was {"a", "b", "c"}, has_term("a\tb") False
def test_any_terms_read_back_as_stored_and_are_found_as_the_set_finds_them(
    tokens: tuple[tuple[str, ...], ...],
) -> None:
    fresh = ArticleAnalysis(tuple((i, i + 1) for i in range(len(tokens))), (), tokens, ())
    stored = ArticleAnalysis.from_bytes(fresh.to_bytes())
    assert tuple(stored.tokens) == tokens and len(stored.tokens) == len(tokens)
    every = {t for terms in tokens for t in terms}
    assert stored.terms() == every
    for term in ["", "a", "ab", "b", "ba", "é", "a\tb", "x\x1cy", "y", "x", "\t", "tab"]:
        assert stored.has_term(term) == (term in every), term
        assert (term in stored.term_set()) == (term in every), term


def test_many_threads_on_the_same_cold_analyses_answer_as_one_thread(
    corpus_dir: Path, data_dir: Path
) -> None:
    """The HTTP server answers with asyncio.to_thread: many questions at once read the same
    cached articles, whose fields, sentence terms and term memo are filled in on first read."""

    news, squad = generated_news(), generated_squad(articles=8)
    write_news(news.articles, corpus_dir / "news.jsonl")
    write_squad(squad.articles, corpus_dir / "squad.jsonl")
    questions = [HEADLINE] + [i.question for i in news.items] + [q.text for q in squad.questions]
    reindex_data_dir(corpus_dir, data_dir)[1].close()
    one = Engine.open(data_dir)
    try:
        expected = {q: one.ask(q).model_dump() for q in questions}
    finally:
        one.close()
    assert sum(a["answered"] for a in expected.values()) > len(questions) // 2
    asked = questions * 3
    random.Random(3).shuffle(asked)
    many = Engine.open(data_dir)  # cold: nothing decoded yet
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda q: (q, many.ask(q).model_dump()), asked))
    finally:
        sys.setswitchinterval(interval)
        many.close()
    assert [q for q, answer in answers if answer != expected[q]] == []


def test_threads_searching_one_stored_analysis_past_the_switch_to_a_set_agree_with_the_set(
    corpus_dir: Path,
) -> None:
    """Past 48 distinct terms an article's search switches from substring search to its set,
    with threads mid-way through either."""

    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(corpus_dir.glob("*.md")))
    fresh = analyse_article(Article.model_construct(text=text, language="en"), ANALYZER)
    terms = fresh.terms()
    probes = sorted(terms | {t + "s" for t in terms} | {t[1:] for t in terms})
    assert len(probes) > 400
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(5):
            stored = ArticleAnalysis.from_bytes(fresh.to_bytes())

            def search(offset: int, stored: ArticleAnalysis = stored) -> list[str]:
                order = probes[offset:] + probes[:offset]
                return [t for t in order if stored.has_term(t) != (t in terms)]

            with ThreadPoolExecutor(max_workers=8) as pool:
                wrong = [t for found in pool.map(search, range(0, 400, 50)) for t in found]
            assert wrong == []
    finally:
        sys.setswitchinterval(interval)


async def test_damage_found_by_a_question_over_http_is_503_not_ready_then_reindex_repairs(
    corpus_dir: Path, data_dir: Path
) -> None:
    """The server's index passed its checks at start; then the quoted article's bytes change.
    The question that finds it is told the service is not ready (503, Retry-After), like every
    one after it, not that its request was bad (400); /readyz fails; /api/reindex repairs."""
    settings = make_settings(corpus_dir, data_dir)
    service = NewsService(settings)
    await service.start()
    try:
        async with serving(service, settings) as api:
            status, before, _ = await api.get("/api/ask", params={"q": HEADLINE})
            assert status == 200 and HEADLINE_QUOTE in before["quotes"][0]["text"]
            quoted = before["quotes"][0]["source"]["article_id"]
            engine = service.engine
            assert engine.gen is not None
            (segment,) = engine.gen.glob("seg-*.sqlite")
            seq = engine.store.entry(quoted).seq  # type: ignore[union-attr]
            # As if the article had left the caches (2,048 articles; SQLite's pages):
            engine.store.close_all()
            at = _body_offset(segment, seq)
            _poke(segment, at, segment.read_bytes()[at] ^ 0x04)
            for _ in range(2):
                status, body, headers = await api.get("/api/ask", params={"q": HEADLINE})
                assert status == 503, (status, body)
                assert "damaged" in body["error"] and headers["Retry-After"] == "5"
            status, body, _ = await api.get("/readyz")
            assert status == 503 and "damaged" in body["error"]
            status, report, _ = await api.request("POST", "/api/reindex", headers=AUTH)
            assert status == 200 and report["full_rebuild"], report
            status, after, _ = await api.get("/api/ask", params={"q": HEADLINE})
            assert status == 200 and after["quotes"] == before["quotes"]
            status, _, _ = await api.get("/readyz")
            assert status == 200
    finally:
        await service.close()
