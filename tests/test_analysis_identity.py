"""Performance work on the analysis must not change what it computes.

``analyse_article`` (and the passages and terms a reindex derives from it) over varied invented
texts (tests/invented_news.py) is compared with digests recorded by the version before the
analysis was made faster (commit 0c040b2). A change that is *meant* to change the analysis bumps
``ANALYSIS_VERSION`` and records the digests again (``python -m tests.invented_news --write``).
``python -m bench.analysis --against REV`` makes the same comparison over news-dev and SQuAD.
"""

from __future__ import annotations

import json

from index.analysis import ANALYSIS_VERSION
from index.analyze import Analyzer
from tests.invented_news import GOLDEN, digests, invented_texts


def test_analysis_of_invented_texts_matches_the_recorded_digests() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert golden["analysis_version"] == ANALYSIS_VERSION, (
        f"ANALYSIS_VERSION is {ANALYSIS_VERSION}, the digests were recorded at "
        f"{golden['analysis_version']}: record them again (python -m tests.invented_news --write)"
    )
    texts = invented_texts()
    assert len(texts) == golden["texts"]
    same_analyzer = golden["analyzer"] == Analyzer().fingerprint
    differing = []
    for text, recorded in zip(texts, golden["digests"], strict=True):
        structure, terms = recorded.split("/")
        now = digests(text)
        if now[0] != structure or (same_analyzer and now[1] != terms):
            differing.append(text[:80])
    assert not differing, f"{len(differing)} of {len(texts)} analyses changed, e.g. {differing[:3]}"


def test_spans_given_by_the_caller_give_the_same_segmentation_and_speech() -> None:
    from index.segment import paragraph_spans, sentence_spans
    from index.speech import analyse_speech

    for text in invented_texts(count=60):
        paragraphs = paragraph_spans(text)
        sentences = sentence_spans(text, paragraphs)
        assert sentences == sentence_spans(text)
        given = analyse_speech(text, paragraphs=paragraphs, sentences=sentences)
        assert given == analyse_speech(text)
