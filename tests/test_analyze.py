"""The analyzer: one behaviour for passages and questions."""

from __future__ import annotations

import pickle
import threading

import Stemmer
from hypothesis import given, settings
from hypothesis import strategies as st

from index.analyze import ANALYZER_VERSION, Analyzer, detect_language

# Sentences copied from the seed articles.
SEED_1 = (
    "During a meeting earlier this month with Li Zhanshu, the chairman of the Standing Committee "
    "of the National People’s Congress of China, Belarusian President Alexander Lukashenko "
    "confirmed his country’s commitment to strengthening ties with China."
)
SEED_2 = (
    "China has been a consistent supporter of Lukashenko’s regime, even amid widespread "
    "international criticism following the 2020 Belarusian presidential election, which was "
    "marred by allegations of vote-rigging and a harsh crackdown on protestors."
)
SEED_3 = "These investments have bolstered Belarus’s economy, providing a crucial lifeline."

analyzer = Analyzer()
english = Stemmer.Stemmer("english")


def test_seed_sentence_terms_are_stemmed_and_stopped() -> None:
    terms = analyzer.tokens(SEED_1)
    assert terms[:4] == ["meet", "earlier", "month", "li"]
    assert "lukashenko" in terms and "zhanshu" in terms
    assert english.stemWord("strengthening") in terms
    for stop in ("a", "the", "with", "of", "his", "this"):
        assert stop not in terms


def test_possessives_with_curly_and_straight_apostrophes() -> None:
    assert analyzer.tokens("Lukashenko’s") == analyzer.tokens("Lukashenko's") == ["lukashenko"]
    assert analyzer.tokens("Belarus’s economy") == ["belarus", "economi"]
    assert "lukashenko" in analyzer.tokens(SEED_2)
    assert "belarus" in analyzer.tokens(SEED_3)
    # other apostrophes are removed, not split on
    assert analyzer.tokens("O’Brien") == analyzer.tokens("O'Brien") == ["obrien"]
    assert analyzer.tokens("don’t") == [] == analyzer.tokens("it's")


def test_hyphenated_words_give_parts_then_joined_form() -> None:
    assert analyzer.tokens("Sino-Belarusian") == ["sino", "belarus", "sinobelarusian"]
    assert analyzer.tokens("Russo-Ukrainian") == ["russo", "ukrain", "russoukrainian"]
    assert analyzer.tokens("vote-rigging") == ["vote", "rig", "voterig"]
    # a question typed without the hyphen still meets the hyphenated word
    assert set(analyzer.tokens("reelection")) <= set(analyzer.tokens("re-election"))
    # numbers are not joined: 2020-2023 is a range, not a number
    assert analyzer.tokens("2020-2023") == ["2020", "2023"]
    # stopwords inside compounds go, the content parts stay
    assert analyzer.tokens("state-of-the-art")[:2] == ["state", "art"]


def test_an_ampersand_inside_a_name_joins_it_like_a_hyphen() -> None:
    # "AT&T" was "t" alone ("at" is a stopword): no question could find the company.
    assert "att" in analyzer.tokens("AT&T said on Monday")
    assert "sp" in analyzer.tokens("the S&P 500")
    assert analyzer.query_tokens("AT&T") == analyzer.tokens("AT&T")
    # with spaces it is the word "and": nothing to join
    assert analyzer.tokens("Procter & Gamble") == ["procter", "gambl"]


def test_diacritics_fold_on_latin_only() -> None:
    assert analyzer.tokens("café") == analyzer.tokens("cafe")
    assert analyzer.tokens("Łukašenka") == ["lukasenka"]
    assert analyzer.tokens("cafe\u0301") == ["cafe"]  # decomposed accent
    assert analyzer.tokens("Ærøskøbing straße") == ["aeroskob", "strass"]
    # Cyrillic й is a letter, not и + breve; ё folds to е
    assert analyzer.tokens("йогурт") == ["йогурт"]
    assert analyzer.tokens("и\u0306ogurt")[0].startswith("й")
    assert analyzer.tokens("Ёлка", "ru") == analyzer.tokens("елка", "ru")


def test_case_width_and_compatibility_forms() -> None:
    assert analyzer.tokens("CHINA") == analyzer.tokens("China") == ["china"]
    assert analyzer.tokens("ＣＨＩＮＡ") == ["china"]  # full-width letters
    assert analyzer.tokens("ﬁnance") == analyzer.tokens("finance")  # ligature
    # a soft hyphen from scraped HTML does not split the word
    assert analyzer.tokens("Lukas\u00adhenko") == ["lukashenko"]
    assert analyzer.token_spans("Lukas\u00adhenko said") == [
        ("lukashenko", 0, 11),
        ("said", 12, 16),
    ]


def test_numbers_are_kept_whole() -> None:
    assert analyzer.tokens("in 2023") == ["2023"]
    assert analyzer.tokens("3.5 percent") == ["3.5", "percent"]
    assert analyzer.tokens("2,000 troops") == ["2000", "troop"]
    assert analyzer.tokens("ends in 2023.") == ["end", "2023"]


def test_initialisms() -> None:
    assert analyzer.tokens("the U.S. and the U.K.") == ["us", "uk"]
    assert analyzer.tokens("at 5 p.m.") == ["5", "pm"]
    assert analyzer.tokens("e.g. this") == []


def test_stopwords_drop_question_words_but_keep_speech_verbs() -> None:
    question = "What did Lukashenko tell Li Zhanshu? When, where, which, how, why, who, does, do?"
    assert analyzer.query_tokens(question) == ["lukashenko", "tell", "li", "zhanshu"]
    assert analyzer.tokens("he said") == ["said"]


def test_russian_text_uses_russian_stemming_and_stopwords() -> None:
    terms = analyzer.tokens("Лукашенко заявил, что он готов к сотрудничеству", "ru")
    assert terms == [
        Stemmer.Stemmer("russian").stemWord(w) for w in ["лукашенко", "заявил", "готов"]
    ] + [Stemmer.Stemmer("russian").stemWord("сотрудничеству")]
    # a question in Russian meets the article: same analysis whatever the language hint
    assert analyzer.query_tokens("Что заявил Лукашенко?") == analyzer.tokens(
        "заявил Лукашенко", "en"
    )


def test_unknown_language_falls_back_without_error() -> None:
    assert analyzer.tokens(SEED_3, "xx-unknown") == analyzer.tokens(SEED_3)
    assert analyzer.tokens(SEED_3, "") == analyzer.tokens(SEED_3, "en")


def test_detect_language() -> None:
    assert detect_language("Что сказал Лукашенко о Китае?") == "ru"
    assert detect_language("What did Lukashenko say?") == "en"
    assert detect_language("Lukashenko сказал about China and Beijing today") == "en"
    assert detect_language("") == "en"
    assert detect_language("12345 ?!") == "en"


def test_token_spans_point_into_the_original_text() -> None:
    text = "  Lukashenko’s “Sino-Belarusian” café, 3.5 percent in the U.S.\n"
    spans = analyzer.token_spans(text)
    assert [t for t, _, _ in spans] == analyzer.tokens(text)
    pieces = [(t, text[s:e]) for t, s, e in spans]
    assert pieces == [
        ("lukashenko", "Lukashenko’s"),
        ("sino", "Sino"),
        ("belarus", "Belarusian"),
        ("sinobelarusian", "Sino-Belarusian"),
        ("cafe", "café"),
        ("3.5", "3.5"),
        ("percent", "percent"),
        ("us", "U.S."),
    ]


def test_options_and_fingerprint() -> None:
    plain = Analyzer(stem=False, stopwords=False)
    assert plain.tokens("The talks were strengthening") == ["the", "talks", "were", "strengthening"]
    assert Analyzer(stem=False).tokens("The talks") == ["talks"]
    assert Analyzer(stopwords=False).tokens("The talks") == ["the", "talk"]
    prints = {
        Analyzer().fingerprint,
        Analyzer(stem=False).fingerprint,
        Analyzer(stopwords=False).fingerprint,
    }
    assert len(prints) == 3
    assert Analyzer().fingerprint == analyzer.fingerprint
    assert f"v{ANALYZER_VERSION}" in analyzer.fingerprint
    assert Stemmer.version() in analyzer.fingerprint
    # equal analyzers compare equal (EngineConfig is a frozen dataclass holding one)
    assert Analyzer() == analyzer and hash(Analyzer()) == hash(analyzer)
    assert Analyzer(stem=False) != analyzer


def test_pickles_as_its_options() -> None:
    for original in (Analyzer(), Analyzer(stem=False, stopwords=False)):
        original.tokens(SEED_1)  # a warm memo is not carried along
        copy = pickle.loads(pickle.dumps(original))
        assert copy == original
        assert copy.tokens(SEED_2) == original.tokens(SEED_2)


def test_threads_share_one_analyzer() -> None:
    texts = [f"{SEED_1} {SEED_2} word{i} Лукашенко{i % 7}" for i in range(200)]
    expected = [Analyzer().tokens(t) for t in texts]
    shared = Analyzer()
    results: dict[int, list[list[str]]] = {}

    def work(n: int) -> None:
        results[n] = [shared.tokens(t) for t in texts]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r == expected for r in results.values())


# ---- properties
_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80
) | st.text(alphabet="aé-’'.,3 Lй\u0301ё\nU.S", max_size=40)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_any_text_analyses_and_spans_agree(text: str) -> None:
    terms = analyzer.tokens(text)
    spans = analyzer.token_spans(text)
    assert [t for t, _, _ in spans] == terms
    for term, start, end in spans:
        assert 0 <= start < end <= len(text)
        assert term and not any(ch.isspace() for ch in term)
        # the span, analysed on its own, gives that term
        assert term in analyzer.tokens(text[start:end])
    assert analyzer.query_tokens(text) == terms
    assert detect_language(text) in {"en", "ru"}


def test_country_adjectives_are_indexed_as_the_country() -> None:
    # "Which Chinese initiative…" must find "China’s Belt and Road Initiative".
    assert analyzer.tokens("Chinese Belarusian Russian") == analyzer.tokens("China Belarus Russia")
    assert Analyzer(stem=False).tokens("Chinese") == ["chinese"]


def test_the_adjective_of_any_country_in_the_news_is_the_country() -> None:
    # "Kenya's president" is "President Moi" of a story on "the Kenyan economy"; "Ecuador's
    # information minister" is the "Ecuadorean minister".
    for adjective, country in [
        ("Kenyan", "Kenya"),
        ("Ecuadorean", "Ecuador"),
        ("Brazilian", "Brazil"),
        ("Israeli", "Israel"),
        ("Dutch", "Netherlands"),
        ("Swiss", "Switzerland"),
        ("Mexican", "Mexico"),
    ]:
        assert analyzer.tokens(adjective) == analyzer.tokens(country), adjective
    # the people, in the plural, too
    assert analyzer.tokens("Israelis Kenyans") == analyzer.tokens("Israel Kenya")
