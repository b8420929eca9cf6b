"""Adversarial pass on stop 18's changes (invented text only): relative clauses and participles
describing the speaker, organisations and documents that speak, words of saying used as nouns,
bare verbs after "did", passives, "read"/"back"/"set out"/"turn down", adverbs after the
speaker, misspelt surnames, and a speaker's run of quotations quoted as one. Hostile input costs
work in proportion to its size, nothing crashes, and ordinary questions and news are still read
and quoted right."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.analysis import Speaker, analyse_article
from index.analyze import Analyzer
from index.candidates import Candidate, RetrievedArticle
from index.choose import MAX_QUOTE_CHARS, quote_span
from index.engine import Engine, reindex_data_dir
from index.features import speaker_match
from index.models import Article
from index.question import read_question
from tests.conftest import copy_corpus
from tests.question_checks import assert_read_and_answered_consistently
from tests.work import calls, grows_in_proportion

ANALYZER = Analyzer()

# ---- hostile questions: four times the words, about four times the work (never sixteen)
_HOSTILE_QUESTIONS = {
    "who chain": lambda n: "What did a banker " + "who knew a banker " * n + "say?",
    "participles": lambda n: "Does the banker " + "involved in talks close to " * n + "think so?",
    "possessives": lambda n: "What did " + "Ann Lee's aide's " * n + "report warn?",
    "report chain": lambda n: "What did the report " + "remarks reports claims " * n + "say?",
    "adverbs": lambda n: "Why is Calloway " + "now still also already " * n + "looking abroad?",
    "documents": lambda n: "What did " + "Harbour Trust's annual report " * n + "warn about?",
    "organisations": lambda n: "Does the " + "union ministry committee " * n + "think so?",
    "passives": lambda n: "What is the paper " + "written by Ann Lee and " * n + "about?",
    "set out": lambda n: "What goals did the treasurer " + "set out and turn down " * n + "?",
    "hope": lambda n: "When does Brandt hope " + "the talks hope to " * n + "end?",
    "read": lambda n: "How did the union read " + "the mayor's remarks and " * n + "the vote?",
}


@pytest.mark.parametrize("unit", _HOSTILE_QUESTIONS.values(), ids=_HOSTILE_QUESTIONS.keys())
def test_question_work_grows_in_proportion_to_hostile_text(unit: Callable[[int], str]) -> None:
    assert grows_in_proportion(lambda n: read_question(unit(n), ANALYZER), 50, 200)


# ---- hostile articles for the quote span: a run walk stops at the cap, whatever the shape
def _candidates(text: str) -> list[Candidate]:
    article = Article(id="hostile", title="Fenders", text=text, content_hash="x")
    analysis = analyse_article(article, ANALYZER)
    entry = RetrievedArticle(article, analysis, 1.0)
    return [
        Candidate(entry, q.start, q.end, None, 1.0, statement=q, direct=True)
        for q in analysis.quotations
        if q.person >= 0
    ]


_HOSTILE_ARTICLES = {
    "one paragraph, one speaker": lambda n: " ".join(
        f'"Berth {i} needs new fenders and a survey," Brandt said.' for i in range(n)
    ),
    "cue-less paragraphs": lambda n: (
        '"Berth zero needs new fenders," Brandt said.\n\n'
        + "\n\n".join(f'"Berth {i} needs new fenders and a survey."' for i in range(n))
    ),
    "alternating speakers": lambda n: " ".join(
        f'"Berth {i} needs new fenders and a survey," {("Brandt", "Mia Sole")[i % 2]} said.'
        for i in range(n)
    ),
    "alternating paragraphs": lambda n: "\n\n".join(
        f'"Berth {i} needs new fenders and a survey," {("Brandt", "Mia Sole")[i % 2]} said.'
        + '\n\n"And the quay needs a wall."'
        for i in range(n)
    ),
    "one speaker's paragraphs": lambda n: "\n\n".join(
        f'"Berth {i} needs new fenders," Brandt said. "And a survey," he added.'
        + '\n\n"And the quay needs a wall."'
        for i in range(n)
    ),
}


@pytest.mark.parametrize("unit", _HOSTILE_ARTICLES.values(), ids=_HOSTILE_ARTICLES.keys())
def test_quote_span_work_is_bounded_on_hostile_articles(unit: Callable[[int], str]) -> None:
    # every quotation's span in turn: n quotations, each walked at most to the cap, so ten
    # times the quotations cost about ten times the work (never a hundred)
    small, large = _candidates(unit(100)), _candidates(unit(1000))
    assert small and large
    for cand in large[:: max(1, len(large) // 20)]:
        start, end = quote_span(cand)
        assert start <= cand.start < end and end - start <= MAX_QUOTE_CHARS

    def spans(cands: list[Candidate]) -> Callable[[], object]:
        return lambda: [quote_span(c) for c in cands]

    assert calls(spans(large)) < 15 * calls(spans(small))


# ---- the engine: invented news plus hostile articles of two sizes
_ARTICLES = {
    "quay": (
        "Brackenford quay repairs will cost more",
        "The harbour board of Brackenford will vote next week on repairs to the north quay.\n\n"
        '"The quay walls are sound for another winter," chief engineer Otto Brandt said. '
        '"But the dredging will cost twice what the council has budgeted," he added.\n\n'
        "Councillor Mia Sole disagreed with the engineer on Tuesday.\n\n"
        '"The budget is realistic and the board knows it," Sole said.',
    ),
    "lines-small": (
        "Fenders at the east berths",
        '"The east berths need new fenders," harbourmaster Lena Vos said.\n\n'
        + "\n\n".join(f'"Berth {i} of the east quay is full."' for i in range(50)),
    ),
    "lines-large": (
        "Fenders at the west berths",
        '"The west berths need new fenders," harbourmaster Timo Berg said.\n\n'
        + "\n\n".join(f'"Berth {i} of the west quay is full."' for i in range(200)),
    ),
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    root = tmp_path_factory.mktemp("adv18")
    corpus = copy_corpus(root / "corpus")
    for name, (title, text) in _ARTICLES.items():
        (corpus / f"{name}.md").write_text(f"---\ntitle: {title}\n---\n\n{text}\n")
    eng = reindex_data_dir(corpus, root / "data")[1]
    yield eng
    eng.close()


def test_answer_work_grows_in_proportion_to_a_run_of_cueless_paragraphs(engine: Engine) -> None:
    question = "What did {} say about the berths being full?"
    engine.ask(question.format("Lena Vos"))  # (first-use loading is not the work measured)
    small = calls(lambda: engine.ask(question.format("Lena Vos")))
    large = calls(lambda: engine.ask(question.format("Timo Berg")))
    assert large < 6 * small
    answer = engine.ask(question.format("Timo Berg"))
    assert answer.answered, answer.reason
    assert all(len(q.text) <= MAX_QUOTE_CHARS for q in answer.quotes)


# ---- crashes: questions and texts built from stop 18's patterns
_QUESTION_PIECES = [
    *"?,.'’",
    "What",
    "When",
    "How",
    "Why",
    "Does",
    "did",
    "does",
    "will",
    "is",
    "was",
    "say",
    "think",
    "read",
    "back",
    "set out",
    "turn down",
    "hope",
    "hope to",
    "warn",
    "written by",
    "convinced by",
    "who",
    "who attended",
    "involved in",
    "familiar with",
    "close to",
    "the union",
    "Norland's trade ministry",
    "Harbour Trust's annual report",
    "the report",
    "remarks",
    "reports",
    "the mayor's",
    "claims",
    "now",
    "still",
    "also",
    "Still",
    "Justice",
    "Ann Lee",
    "aides",
    "officials",
    "policymaker",
    "banker",
    "the quay",
    "dredging",
]


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(_QUESTION_PIECES) | st.text(max_size=3), max_size=24))
def test_any_question_with_the_new_words_is_answered_without_an_exception(
    engine: Engine, parts: list[str]
) -> None:
    assert_read_and_answered_consistently(engine, ANALYZER, " ".join(parts))


_TEXT_PIECES = [
    *",.\"“”'\n",
    "\n\n",
    '"',
    "“",
    "”",
    "Brandt said.",
    "he added.",
    "said Mia Sole.",
    "she said.",
    "The quay walls are sound for another winter",
    "the dredging will cost more",
    "Nor will the fares",
    "Brandt",
    "critics call",
    "the Old Lady",
    "Pete",
    "A Harbour For Nobody",
]


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(_TEXT_PIECES) | st.text(max_size=3), max_size=40))
def test_every_quote_span_is_a_verbatim_capped_span_holding_its_candidate(
    parts: list[str],
) -> None:
    text = " ".join(parts)
    for cand in _candidates(text):
        start, end = quote_span(cand)
        assert 0 <= start <= cand.start < end <= len(text)
        assert end - start <= MAX_QUOTE_CHARS
        assert text[start:end].strip()


# ---- ordinary news the run rule must not get wrong
_SAID = '"We need the money for the quay walls," Brandt said.\n\n'


@pytest.mark.parametrize(
    "next_paragraph",
    [
        # another's words quoted inside the next paragraph, not opening it
        "The council, which meets on Friday, has long described the plan as "
        '"a harbour for nobody at all and a waste of money".',
        # a title opening the next paragraph: no statement going on
        '"The Harbour at the End of the World" opens at the Palace Cinema on Friday.',
    ],
)
def test_a_run_never_crosses_into_a_paragraph_that_does_not_go_on_with_it(
    next_paragraph: str,
) -> None:
    text = _SAID + next_paragraph
    first = _candidates(text)[0]
    start, end = quote_span(first)
    assert text[start:end] == _SAID.strip()


@pytest.mark.parametrize(
    "text",
    [
        _SAID + '"Nor will the fares for islanders, whatever the council decides."',
        _SAID + '"Nor will the fares rise. We have costed every berth!"',
        _SAID.replace('"', "“", 1).replace(',"', ",”") + "“Nor will the fares rise.”",
    ],
)
def test_a_cueless_paragraph_that_goes_on_still_joins_the_run(text: str) -> None:
    start, end = quote_span(_candidates(text)[0])
    assert text[start:end] == text


# ---- ordinary questions the new reading rules must not get wrong (each read right at 840dd19)
@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        # a capitalised word is a name, never the adverb "still" or "now" after the speaker
        ("What did astronaut Susan Still say about the launch?", "astronaut Susan Still"),
        ("What did Tom Now say about the launch?", "Tom Now"),
        # … while a lowercase one still is dropped
        ("What did Susan Still now think about the launch?", "Susan Still"),
    ],
)
def test_a_name_is_never_taken_for_an_adverb(question: str, speaker: str) -> None:
    q = read_question(question, ANALYZER)
    assert q.speaker is not None and q.speaker.text == speaker
    assert not set(q.speaker.terms) & set(q.topic)  # the name is no topic


@pytest.mark.parametrize(
    "question",
    [
        # "set out to" is an aim carried out, not a statement set out
        "What did the research team set out to find?",
        "What did the government set out to do?",
        "What did the minister set out to achieve in Oslo?",
    ],
)
def test_setting_out_to_do_something_is_no_statement(question: str) -> None:
    assert not read_question(question, ANALYZER).speech


def test_setting_out_goals_is_still_a_statement() -> None:
    q = read_question("What goals did the treasurer set out for the economy?", ANALYZER)
    assert q.speech and q.speaker is not None and q.speaker.head == "treasur"


# ---- speaker match: a misspelt surname is one person only where the first names agree
def _speaker(name: str) -> Speaker:
    return Speaker(name=name, name_terms=tuple(ANALYZER.tokens(name)), role_terms=())


@pytest.mark.parametrize(
    ("asked", "printed", "matches"),
    [
        ("Ann Johnson", "Mark Johnston", False),  # two people: another first name
        ("Karl Fisher", "Eva Fischer", False),
        ("Ann Johnson", "Ann Johnston", True),  # the same first name: a misprint
        ("Johnson", "Mark Johnston", True),  # no first name asked: may be
        ("Ann Johnson", "Johnston", True),  # none printed: may be
    ],
)
def test_a_misspelt_surname_with_another_first_name_is_another_person(
    asked: str, printed: str, matches: bool
) -> None:
    ref = read_question(f"What did {asked} say about the quay?", ANALYZER).speaker
    assert ref is not None
    assert (speaker_match(ref, _speaker(printed), set()) > 0) == matches
