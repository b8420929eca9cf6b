"""The stored analysis (index/analysis.py's byte form, read lazily) reads exactly as the analysis
it stores, and answers built on it are the answers built on a freshly computed one."""

from __future__ import annotations

import json
import sqlite3
import struct
from pathlib import Path

import pytest

from index import store as st
from index.analysis import (
    ArticleAnalysis,
    ArticleTerms,
    DamagedAnalysis,
    Speaker,
    analyse_article,
)
from index.analyze import Analyzer
from index.engine import Engine, reindex_data_dir
from index.models import Article
from index.speech import Quotation
from tests.conftest import HEADLINE
from tests.invented_news import invented_texts

ANALYZER = Analyzer()


def _analysis(text: str) -> ArticleAnalysis:
    return analyse_article(Article.model_construct(text=text, language="en"), ANALYZER)


def _assert_reads_the_same(stored: ArticleAnalysis, fresh: ArticleAnalysis) -> None:
    assert stored == fresh and fresh == stored and hash(stored) == hash(fresh)
    assert repr(stored) == repr(fresh)
    assert stored.sentences == fresh.sentences and stored.paragraphs == fresh.paragraphs
    assert tuple(stored.tokens) == tuple(fresh.tokens) and len(stored.tokens) == len(fresh.tokens)
    for i in range(-len(fresh.tokens), len(fresh.tokens)):
        assert stored.tokens[i] == fresh.tokens[i]
    assert stored.tokens[1:4] == fresh.tokens[1:4]
    assert stored.quotations == fresh.quotations and stored.reported == fresh.reported
    assert stored.speakers == fresh.speakers
    terms = fresh.terms()
    assert stored.terms() == terms
    near_misses = {"", " ", "a b", "said said"} | {t[:-1] for t in terms} | {t + "x" for t in terms}
    for term in terms | near_misses:
        assert stored.has_term(term) == fresh.has_term(term) == (term in terms), term
    for start, end in fresh.sentences[:5]:
        assert stored.sentence_at(start) == fresh.sentence_at(start)
        assert stored.sentences_in(start, end + 3) == fresh.sentences_in(start, end + 3)
        assert stored.paragraph_of(end) == fresh.paragraph_of(end)
        assert stored.quotation_at(start, end) == fresh.quotation_at(start, end)


def test_the_stored_analysis_of_varied_texts_reads_as_the_fresh_one() -> None:
    for text in invented_texts(count=60):
        fresh = _analysis(text)
        _assert_reads_the_same(ArticleAnalysis.from_bytes(fresh.to_bytes()), fresh)


def test_terms_that_do_not_fit_one_string_are_stored_apart() -> None:
    """The analyzer's terms never hold whitespace, but the byte form takes any tuples."""
    quotation = Quotation(0, 5, "Ann Lee", 6, 10, 0)
    odd = ArticleAnalysis(
        sentences=((0, 5), (6, 12), (13, 13)),
        paragraphs=((0, 13),),
        tokens=(("a b", "c"), (), ("d\ne",)),
        quotations=(quotation,),
        reported=(),
        speakers=(Speaker("Ann Lee", ("ann", "lee"), ("chair",)),),
    )
    stored = ArticleAnalysis.from_bytes(odd.to_bytes())
    _assert_reads_the_same(stored, odd)
    assert stored.has_term("a b") and not stored.has_term("a")
    for empty in (ArticleAnalysis((), (), (), ()), _analysis("")):
        _assert_reads_the_same(ArticleAnalysis.from_bytes(empty.to_bytes()), empty)
    one_bare_sentence = ArticleAnalysis(((0, 3),), ((0, 3),), ((),), ())
    _assert_reads_the_same(
        ArticleAnalysis.from_bytes(one_bare_sentence.to_bytes()), one_bare_sentence
    )


def test_a_stored_field_is_decoded_when_first_read_and_a_sentence_when_its_terms_are() -> None:
    fresh = _analysis(invented_texts(count=3)[-4])
    stored = ArticleAnalysis.from_bytes(fresh.to_bytes())
    assert stored._fields == {}
    assert stored.sentences == fresh.sentences
    assert set(stored._fields) == {"sentences"}
    assert stored.tokens[2] == fresh.tokens[2]
    split = [terms is not None for terms in stored.tokens._split]  # type: ignore[attr-defined]
    assert split.count(True) == 1 and split[2]
    assert stored.has_term(fresh.tokens[0][0]) and stored._terms is None  # no set was built
    assert set(stored._fields) == {"sentences", "tokens"}
    assert stored.quotations == fresh.quotations
    assert set(stored._fields) == {"sentences", "tokens", "quotations"}


def test_the_terms_view_answers_as_the_set_of_terms() -> None:
    fresh = _analysis("Brown said the plan failed. “It was a gimmick,” he said.\n\nNo more.")
    stored = ArticleAnalysis.from_bytes(fresh.to_bytes())
    terms = fresh.terms()
    for analysis in (stored, fresh):
        view = analysis.term_set()
        assert isinstance(view, ArticleTerms)
        assert "brown" in view and "gimmick" in view and "labour" not in view and 3 not in view
        assert set(view) == terms and len(view) == len(terms)
        with_title = view | {"headline", "brown"}
        assert "headline" in with_title and "plan" in with_title and "labour" not in with_title
        assert set({"headline"} | view) == terms | {"headline"}
        assert view & {"brown", "labour"} == {"brown"} and view - terms == frozenset()
        assert set(with_title | with_title) == terms | {"headline"}


def _garble_stored_speech(data_dir: Path) -> None:
    """Rewrite every article's stored speech (quotations, speakers) as invalid JSON, with the
    text, spans and terms intact; then update the manifest's size and CRC-32 of the segment, as
    a bug in a writer would leave it: the file checks pass, the content is wrong."""
    gen = st.read_current(data_dir)
    assert gen is not None
    manifest = st.read_manifest(gen)
    assert manifest is not None
    segment = manifest["segments"][0]
    path = gen / segment["name"]
    conn = sqlite3.connect(path)
    for seq, body in conn.execute("SELECT seq, body FROM bodies").fetchall():
        text, analysis = st.decode_body(body)
        sentences, paragraphs, terms, speech = struct.unpack_from("<4I", analysis)
        garbled = b'{"quotations": [[1, 2'
        analysis = (
            struct.pack("<4I", sentences, paragraphs, terms, len(garbled))
            + analysis[16 : len(analysis) - speech]
            + garbled
        )
        raw = text.encode()
        blob = st._compressor().compress(struct.pack("<I", len(raw)) + raw + analysis)
        conn.execute("UPDATE bodies SET body = ? WHERE seq = ?", (blob, seq))
    conn.commit()
    conn.execute("VACUUM")
    conn.close()
    segment["size"], segment["crc32"] = st.file_crc32(path)
    (gen / st.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_a_stored_analysis_that_does_not_decode_makes_the_index_damaged(
    corpus_dir: Path, data_dir: Path
) -> None:
    reindex_data_dir(corpus_dir, data_dir)[1].close()
    _garble_stored_speech(data_dir)
    engine = Engine.open(data_dir)
    try:
        assert not engine.needs_build  # the files pass their checks
        with pytest.raises(st.DamagedIndex):
            engine.ask(HEADLINE)  # reads the speakers and quotations of the articles it finds
        assert engine.needs_build and "damaged" in engine.reason
    finally:
        engine.close()


def test_a_garbled_speech_part_is_reported_when_read() -> None:
    stored = ArticleAnalysis.from_bytes(_analysis("He said: “No.”").to_bytes())
    stored._stored._json = (0, 3)  # type: ignore[union-attr]  # points at the header's bytes
    assert stored.sentences
    with pytest.raises(DamagedAnalysis, match="quotations"):
        _ = stored.quotations
    with pytest.raises(ValueError):
        ArticleAnalysis.from_bytes(_analysis("Hi there.").to_bytes()[:-1])


def test_answers_from_the_stored_analysis_are_the_answers_from_a_fresh_one(
    corpus_dir: Path, data_dir: Path
) -> None:
    from bench.news import generated_news
    from bench.news import write_corpus as write_news
    from bench.squad import generated_squad
    from bench.squad import write_corpus as write_squad

    news, squad = generated_news(), generated_squad(articles=8)
    write_news(news.articles, corpus_dir / "news.jsonl")
    write_squad(squad.articles, corpus_dir / "squad.jsonl")
    questions = [HEADLINE] + [i.question for i in news.items] + [q.text for q in squad.questions]
    engine = reindex_data_dir(corpus_dir, data_dir)[1]
    try:
        stored = [engine.ask(q).model_dump() for q in questions]
        fresh_engine = Engine.open(data_dir)
        analysed = {}

        def fresh(article: Article) -> ArticleAnalysis:
            if article.id not in analysed:
                analysed[article.id] = analyse_article(article, engine.config.analyzer)
            return analysed[article.id]

        fresh_engine.analysis = fresh  # type: ignore[method-assign]
        try:
            again = [fresh_engine.ask(q).model_dump() for q in questions]
        finally:
            fresh_engine.close()
    finally:
        engine.close()
    assert sum(a["answered"] for a in stored) > len(questions) // 2
    assert analysed  # the fresh analysis was the one read
    assert [a for a, b in zip(stored, again, strict=True) if a != b] == []
