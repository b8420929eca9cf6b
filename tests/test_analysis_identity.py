"""Performance work on the analysis must not change what it computes.

``analyse_article`` (and the passages and terms a reindex derives from it) over varied invented
texts (tests/invented_news.py) is compared with digests recorded by the version before the
analysis was made faster (commit 0c040b2). A change that is *meant* to change the analysis bumps
``ANALYSIS_VERSION`` and records the digests again (``python -m tests.invented_news --write``).
``python -m bench.analysis --against REV`` makes the same comparison over news-dev and SQuAD.
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

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


# ---- the fast paths of index/speech.py against the plain code they replace
def test_speech_verbs_are_the_words_whose_lower_case_is_a_speech_verb() -> None:
    import re

    from index.speech import SPEECH_VERBS, _speech_verbs

    def plain(text: str) -> list[tuple[int, int, str]]:
        words = re.finditer(r"[^\W\d_]+", text)
        return [
            (m.start(), m.end(), m.group().lower())
            for m in words
            if m.group().lower() in SPEECH_VERBS
        ]

    tricky = [
        "He SAID, she Said; they said. Unsaid, said3, 3said, said_ok, re-said, saïd, sayings.",
        "İstanbul said: “no”. Он сказал, она СКАЗАЛА, они заявили. ſaid, asKed (Kelvin sign).",
        "Σ said ΣΑΣ. ﬁ said ﬃ told.",  # characters that change length in lower case
    ]
    for text in tricky + invented_texts(count=60):
        found = [(m.start(), m.end(), m.group().lower()) for m in _speech_verbs(text)]
        assert found == plain(text), text[:80]


def test_names_are_found_where_the_name_regex_finds_them() -> None:
    from index.speech import _NAME_RE, _names

    for text in ["ÉCOLE Mr. J. R. R. Tolkien met Ⓐnna and U.S. al-Assad.", *invented_texts(60)]:
        for lo, hi in [(0, len(text)), (3, len(text) // 2), (len(text) // 3, len(text))]:
            expected = [(m.span(), m.group()) for m in _NAME_RE.finditer(text, lo, hi)]
            assert [(m.span(), m.group()) for m in _names(text, lo, hi)] == expected


@given(
    st.lists(
        st.sampled_from(
            [
                "chair",
                "chairman",
                "man",
                "vice-president",
                "president",
                "president-elect",
                "PRESIDENT",
                "Chairmen",
                "s",
                " ",
                "-",
                "x",
            ]
        ),
        max_size=8,
    )
)
def test_a_trie_alternation_matches_like_the_sorted_alternation(parts: list[str]) -> None:
    import re

    from index.speech import _ROLE_WORDS, _trie_pattern

    flat = "(?:" + "|".join(sorted(_ROLE_WORDS, key=len, reverse=True)) + ")"
    trie = "(?:" + _trie_pattern(_ROLE_WORDS) + ")"
    text = "".join(parts)
    for template in (r"(?i:{})s?(?=\W|$)", r"{}s?\s+\w", r"(?i:{})(?:man|s)?$"):
        for at in range(len(text) + 1):
            a = re.match(template.format(flat), text[at:])
            b = re.match(template.format(trie), text[at:])
            assert (a and a.group()) == (b and b.group())
