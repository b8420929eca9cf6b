"""Adversarial pass on stop 17's changes (invented text only): titles before names, "NAME, an
analyst with ORG said", firm names with commas and "and Co", someone unnamed who acts, particles
after "said", "X and vice president Y said", "in the view of X", amounts, and statements whose
article never names the topic. Hostile input costs work in proportion to its size, nothing
crashes, and ordinary news is still attributed and answered right."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.analyze import Analyzer
from index.engine import Engine, reindex_data_dir
from index.question import read_question
from index.speech import analyse_speech
from tests.conftest import copy_corpus
from tests.question_checks import assert_read_and_answered_consistently
from tests.speech_helpers import reported_speakers, speakers
from tests.work import calls, grows_in_proportion

ANALYZER = Analyzer()

# ---- hostile articles: four times the text, about four times the work (never sixteen)
# Each repeats what one of stop 17's new speech rules reads. (Each probe was first run in a
# subprocess with a time limit, against catastrophic backtracking, which `calls` cannot see:
# all ran in milliseconds at 200 repetitions.)
_HOSTILE_ARTICLES = {
    "firm commas and Co": lambda n: (
        "Jane Doe, analyst at " + ", ".join(["Smith Barney Harris"] * n) + ' and Co said "Buy."'
    ),
    "firms in a row": lambda n: '"Buy," said ' + " ".join(["Alpha, Beta Gamma"] * n) + " and Co.",
    "names before one descriptor": lambda n: (
        '"Buy," ' + ", ".join(["Alpha Beta"] * n) + ", an analyst with Kidder said."
    ),
    # (the same descriptor unnamed, "An analyst with X said" n times, costs n × up to 300
    # earlier mentions, as before stop 17: _People._LOOKBACK bounds it)
    "analyst chain": lambda n: " ".join(
        f'Jane Doe, an analyst with Merrill Lynch said "Buy {i}."' for i in range(n)
    ),
    "one cue, many appositions": lambda n: (
        '"Buy," ' + ", ".join(["Jane Doe, an analyst with Merrill Lynch"] * n) + " said."
    ),
    "chief economist of": lambda n: (
        '"Buy," ' + ", ".join(["Hermann Ruiz, chief economist of Berliner Bank"] * n) + " said."
    ),
    # (who declined to comment is no one a "he" may be; someone unnamed who acts otherwise,
    # "A Hong Kong trader estimated …" n times, costs n × up to 300 earlier mentions, as a cue
    # "A Hong Kong trader said …" did before stop 17: _People._LOOKBACK bounds it)
    "unnamed actors": lambda n: (
        " ".join(f"A Savings Department spokesman refused to comment on day {i}." for i in range(n))
        + ' "No," he said.'
    ),
    "a long descriptor": lambda n: (
        "A " + " ".join(["Savings"] * n) + ' spokesman refused to comment. "No," he said.'
    ),
    "particles": lambda n: '"Buy," said ' + " ".join(["de van"] * n) + " Hora.",
    "said de …": lambda n: " ".join(
        f'"Buy {i}," said de van Hora{i % 5} de la Cruz.' for i in range(n)
    ),
    "and vice president": lambda n: " ".join(
        f'UAW president Owen Bieber{i % 9} and vice president Marc Stepp said "No {i}."'
        for i in range(n)
    ),
    "and vice president, repeated": lambda n: (
        '"No," UAW president Owen Bieber' + " and vice president Marc Stepp" * n + " said."
    ),
    "familiar with": lambda n: "An analyst closely familiar with the " * n + 'mines said "Buy."',
}


@pytest.mark.parametrize("unit", _HOSTILE_ARTICLES.values(), ids=_HOSTILE_ARTICLES.keys())
def test_speech_work_grows_in_proportion_to_hostile_text(unit: Callable[[int], str]) -> None:
    assert grows_in_proportion(lambda n: analyse_speech(unit(n)), 50, 200)


_HOSTILE_QUESTIONS = {
    "in the view of": lambda n: "What " + "in the view of Jane Doe, " * n + "is the outlook?",
    "in X's opinion": lambda n: "In Jane Doe's view, " + "in the analyst's opinion, " * n + "what?",
    "in X's … view": lambda n: "What " + "in Jane's " * n + "view?",
    "role words before a name": lambda n: "What did " + "Chief Senior Vice " * n + "Dana Ruiz say?",
    "describe with a person noun": lambda n: "How did a " + "senior " * n + "dealer describe it?",
    "when … think": lambda n: "When does Jane Doe think " + "they think " * n + "?",
    "how many": lambda n: "How many " + "ships and how many " * n + "does Jane Doe expect?",
}


@pytest.mark.parametrize("unit", _HOSTILE_QUESTIONS.values(), ids=_HOSTILE_QUESTIONS.keys())
def test_question_work_grows_in_proportion_to_hostile_text(unit: Callable[[int], str]) -> None:
    assert grows_in_proportion(lambda n: read_question(unit(n), ANALYZER), 50, 200)


# ---- the engine: invented news plus hostile articles of two sizes
_ARTICLES = {
    "orion": (
        "Orion Shipping posts record quarter",
        "Orion Shipping reported record profits on Tuesday as freight rates climbed.\n\n"
        '"Demand from Asia has never been stronger, and we are adding six vessels," said Ann '
        "Lee, the chief executive of Orion Shipping, at a news conference in Oslo.\n\n"
        "The shares rose 4 pct.",
    ),
    "strike": (
        "Dock union threatens strike",
        "Karl Brenner, president of the dockers' union, addressed 2,000 workers in Hamburg on "
        "Monday. A spokesman for the port operator declined to comment.\n\n"
        '"If there is no offer by Friday, we will strike," he said.',
    ),
    "views-small": (
        "Views of the harbour",
        " ".join(
            f'Lena Vos, an analyst with Kidder, Peabody and Co said "berth {i} is full."'
            for i in range(40)
        ),
    ),
    "views-large": (
        "Views of the harbour",
        " ".join(
            f'Timo Berg, an analyst with Kidder, Peabody and Co said "berth {i} is full."'
            for i in range(160)
        ),
    ),
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    root = tmp_path_factory.mktemp("adv17")
    corpus = copy_corpus(root / "corpus")
    for name, (title, text) in _ARTICLES.items():
        (corpus / f"{name}.md").write_text(f"---\ntitle: {title}\n---\n\n{text}\n")
    eng = reindex_data_dir(corpus, root / "data")[1]
    yield eng
    eng.close()


def test_answer_work_grows_in_proportion_to_a_speakers_statements(engine: Engine) -> None:
    # One paragraph of a speaker's quotations: every statement's lead-in walks back over the
    # run before it (each step looking its quotation up), which made 160 statements cost 9
    # times what 40 did, and 640 seconds per question; a run is now walked once.
    question = "In the view of {}, how full is the harbour?"
    engine.ask(question.format("Lena Vos"))  # (first-use loading is not the work measured)
    small = calls(lambda: engine.ask(question.format("Lena Vos")))
    large = calls(lambda: engine.ask(question.format("Timo Berg")))
    assert large < 6 * small


# ---- crashes: texts and questions built from stop 17's patterns
_TEXT_PIECES = [
    *",.\"“”'\n",
    "said",
    "refused to comment",
    "declined to comment",
    "he said",
    "she told Reuters",
    "A",
    "an",
    "the",
    "Savings Department",
    "spokesman",
    "analyst",
    "chief economist",
    "Chief Economist",
    "vice president",
    "with",
    "of",
    "at",
    "familiar with",
    "close to",
    "and",
    "and Co",
    "Smith Barney",
    "Harris Upham",
    "Jane Doe",
    "de",
    "van den",
    "Hora",
    "Like",
    "After meeting",
    "Dean",
    "Royce Halvorsen",
    "Halvorsen Drilling Co",
    "Halvorsen",
]


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(_TEXT_PIECES) | st.text(max_size=3), max_size=30))
def test_any_text_with_the_new_patterns_is_analysed_without_an_exception(
    parts: list[str],
) -> None:
    text = " ".join(parts)
    speech = analyse_speech(text)
    for quotation in (*speech.quotations, *speech.reported):
        assert 0 <= quotation.start < quotation.end <= len(text)
        assert quotation.person < len(speech.people)
        if quotation.cue_start >= 0:
            assert quotation.cue_start < quotation.cue_end <= len(text)


_QUESTION_PIECES = [
    *"?,.'’",
    "What",
    "When",
    "How",
    "How much",
    "How many",
    "did",
    "does",
    "think",
    "say",
    "describe",
    "call",
    "mean",
    "vouch",
    "for",
    "in the view of",
    "in the opinion of",
    "in",
    "Ann Lee's",
    "the analyst's",
    "view",
    "opinion",
    "Ann Lee",
    "Chief Executive",
    "senior",
    "dealer",
    "delegate",
    "policymaker",
    "figure",
    "the Merc",
    "Asia",
    "demand",
]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(_QUESTION_PIECES) | st.text(max_size=3), max_size=24))
def test_any_question_with_the_new_words_is_answered_without_an_exception(
    engine: Engine, parts: list[str]
) -> None:
    assert_read_and_answered_consistently(engine, ANALYZER, " ".join(parts))


# ---- ordinary news
@pytest.mark.parametrize(
    "silence",
    [
        "A company spokesman declined to comment.",
        "A spokesman for the port operator declined to comment on the talks.",
        "A company spokesman declined comment.",
        "A company spokesman refused to be interviewed.",
    ],
)
def test_someone_who_declined_to_comment_is_not_the_he_who_speaks_next(silence: str) -> None:
    # The one who said nothing is not the "he" of the next quotation: the union leader is.
    text = (
        "Karl Brenner, president of the dockers' union, addressed workers on Monday. "
        f"{silence}\n\n"
        '"If there is no offer by Friday, we will strike," he said.'
    )
    assert speakers(analyse_speech(text)) == ["Karl Brenner"]


def test_someone_who_refused_to_comment_but_spoke_on_is_still_the_he() -> None:
    text = (
        "Karl Brenner, president of the dockers' union, addressed workers on Monday. "
        "A company spokesman refused to comment, saying the talks were private.\n\n"
        '"We will not negotiate in public," he said.'
    )
    assert speakers(analyse_speech(text)) == ["company spokesman"]


def test_someone_who_declined_to_elaborate_had_spoken_and_is_the_he() -> None:
    # found on the news-dev tune half (written again here): "declined to elaborate on the
    # release. He said only that …" is the spokesman's
    text = (
        "Paul Hale, an analyst with Acme Securities, called the sale a surprise.\n\n"
        "A spokesman for the company declined to elaborate on its news release.\n\n"
        "He said only that the company was reviewing its options for the unit."
    )
    speech = analyse_speech(text)
    assert reported_speakers(speech)[-1:] == ["spokesman for the company"]


def test_the_strike_threat_is_the_union_leaders_in_the_engine(engine: Engine) -> None:
    answer = engine.ask("What did Karl Brenner say about a strike?")
    assert answer.answered, answer.reason
    assert "we will strike" in answer.quotes[0].text
