"""Adversarial tests of the query path and the stored format (FORMAT_VERSION 4): damage seen only
at question time, odd terms in the stored analysis, many threads reading the same cached
analyses. Each was written to break something; the fix sits beside it in the same commit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as hs

from index import store as st
from index.analysis import ArticleAnalysis, analyse_article
from index.analyze import Analyzer
from index.engine import Engine, reindex_data_dir
from index.models import Article
from tests.conftest import HEADLINE, HEADLINE_QUOTE

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
