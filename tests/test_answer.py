"""The answer engine over the bundled seeds plus a few written articles."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.engine import Engine, reindex_data_dir
from tests.articles import EXTRA
from tests.conftest import HEADLINE, HEADLINE_QUOTE, HEADLINE_QUOTE_2, HEADLINE_TITLE, copy_corpus

ENGINES = ["tantivy", "rank-bm25"]


def build(corpus: Path, data: Path, engine: str) -> Engine:
    return reindex_data_dir(corpus, data, engine)[1]


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root = tmp_path_factory.mktemp(f"answer-{request.param}")
    corpus = copy_corpus(root / "corpus")
    for art in EXTRA:
        meta = "\n".join(f"{k}: {art[k]!r}" for k in ("title", "author", "publisher", "published"))
        (corpus / f"{art['name']}.md").write_text(f"---\n{meta}\n---\n\n{art['text'].strip()}\n")
    eng = build(corpus, root / "data", request.param)
    yield eng
    eng.close()


def assert_verbatim(engine: Engine, answer) -> None:
    for quote in answer.quotes:
        article = engine.article(quote.source.article_id)
        assert article.text[quote.start : quote.end] == quote.text


def test_headline_question_quotes_what_lukashenko_said(engine: Engine) -> None:
    answer = engine.ask(HEADLINE)
    assert answer.answered
    first = answer.quotes[0]
    assert HEADLINE_QUOTE in first.text or HEADLINE_QUOTE_2 in first.text
    assert first.source.title == HEADLINE_TITLE
    assert first.speaker is not None and "Lukashenko" in first.speaker
    # Not the sentence that merely names Li Zhanshu.
    assert "During a meeting earlier this month" not in first.text
    assert_verbatim(engine, answer)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who did Lukashenko meet earlier this month?", "Li Zhanshu"),
        ("Who is Li Zhanshu?", "Standing Committee of the National People’s Congress"),
        (
            "Which country was one of the first to congratulate Lukashenko on his re-election?",
            "China was one of the first countries",
        ),
        ("Who is Lukashenko visiting in Beijing?", "Xi Jinping"),
        (
            "Which Chinese initiative funds infrastructure projects in Belarus?",
            "Belt and Road Initiative",
        ),
        ("Which NATO members share a border with Belarus?", "Poland and Lithuania"),
        (
            "What election was marred by allegations of vote-rigging?",
            "2020 Belarusian presidential election",
        ),
        (
            "What did the Belarusian leader say about Moscow and Beijing?",
            "constructive political dialogue",
        ),
        ("What did Gordon Brown say about stability?", "stability that has been hard won"),
        ("How much will the new Xbox cost?", "499 dollars"),
        ("When will the Xbox go on sale?", "November"),
        ("How high did the Danube peak in Budapest?", "8.9 metres"),
        ("What did Tarlós tell reporters?", "never seen water this high"),
        ("How many people did the Danube floods force from their homes?", "12,000"),
        ("What did David Cameron call the budget?", "tax con"),
    ],
)
def test_questions_over_the_corpus(engine: Engine, question: str, expected: str) -> None:
    answer = engine.ask(question)
    assert answer.answered, question
    assert any(expected in q.text for q in answer.quotes), [q.text for q in answer.quotes]
    assert_verbatim(engine, answer)


@pytest.mark.parametrize(
    "question",
    [
        "What did Gordon Brown say about the Xbox?",
        "What did Lukashenko say about the Xbox?",
        "What did Don Mattrick say about Belarus?",
        "What did Xi Jinping tell Gordon Brown?",
        "Who won the 1998 football World Cup?",
        "What is the boiling point of mercury?",
        "How many moons does Jupiter have?",
        "What did Angela Merkel say about the floods?",
    ],
)
def test_unanswerable_questions_get_no_answer(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert not answer.answered, [q.text for q in answer.quotes]
    assert answer.quotes == ()
    assert answer.reason


def test_speech_answers_carry_the_speaker(engine: Engine) -> None:
    answer = engine.ask("What did Brown say about the budget?")
    assert answer.answered
    assert answer.quotes[0].speaker is not None and "Brown" in answer.quotes[0].speaker


def test_answers_have_at_most_k_quotes_best_first(engine: Engine) -> None:
    answer = engine.ask("Belarus China ties", k=2)
    assert len(answer.quotes) <= 2
    scores = [q.score for q in answer.quotes]
    assert scores == sorted(scores, reverse=True)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(question=st.text(min_size=1, max_size=200))
def test_any_question_never_crashes_and_quotes_are_verbatim(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.answered == bool(answer.quotes)
    assert_verbatim(engine, answer)


def engine_with(tmp_path: Path, articles: dict[str, tuple[str, str]]) -> Engine:
    """The bundled corpus plus invented articles (file name -> title, text), indexed."""
    corpus = copy_corpus(tmp_path / "corpus")
    for name, (title, text) in articles.items():
        (corpus / f"{name}.md").write_text(f"---\ntitle: {title}\n---\n\n{text}\n")
    return build(corpus, tmp_path / "data", "tantivy")


def first_quote(engine: Engine, question: str) -> str:
    answer = engine.ask(question)
    assert answer.answered, answer.reason
    return answer.quotes[0].text


def test_a_quote_opening_with_this_is_not_glued_to_the_paragraph_before(
    tmp_path: Path,
) -> None:
    engine = engine_with(
        tmp_path,
        {
            "metro": (
                "Minsk Metro Opens Third Line Extension",
                "The Minsk metro opened three new stations on its third line on Friday, the city "
                "said.\n\n“This line will carry 90,000 passengers a day,” Mayor Vladimir "
                "Kukharev told reporters.",
            )
        },
    )
    answer = engine.ask("What did Kukharev tell reporters?")
    assert answer.quotes[0].text.startswith("“This line will carry")
    assert answer.quotes[0].speaker == "Vladimir Kukharev"
    engine.close()


def test_a_sentence_that_leans_on_the_one_before_is_quoted_with_it(tmp_path: Path) -> None:
    engine = engine_with(
        tmp_path,
        {
            "primes": (
                "Testing Primes",
                "Faster algorithms have been devised to test the primality of very large "
                "numbers. These include the AKS primality test, which always gives the correct "
                "answer.",
            )
        },
    )
    quote = first_quote(engine, "Which algorithm tests the primality of large numbers?")
    assert "AKS primality test" in quote and quote.startswith("Faster algorithms")
    engine.close()


def test_another_name_for_a_topic_is_no_evidence_of_absence(tmp_path: Path) -> None:
    # "CIA" spelled out, "America" written "U.S.": the article holds both the person and the
    # topic, so "never together" must not be claimed (news-dev tune half, written again here).
    engine = engine_with(
        tmp_path,
        {
            "nomination": (
                "Nomination In Doubt",
                "Committee chairman Sam Nunn said confirmation of Robert Gates as head of the "
                "Central Intelligence Agency is in doubt.\n\n“I wouldn't bet any money on it,” "
                "Nunn said when asked if Gates would be confirmed.",
            ),
            "growth": (
                "Fed Vice Chairman Urges Growth Abroad",
                "Fed Vice Chairman Manuel Johnson said the U.S.'s main industrial partners should "
                "grow faster.\n\nIn a speech to a women's group, Johnson said, “There is room for "
                "stronger domestic growth in those countries.”",
            ),
            "reform": (
                "Bank Reform Delayed",
                "Deputy Treasurer Ola Brandt said she does not expect any Parliamentary reform "
                "of the banks before the election.\n\n“Nobody likes to vote on banks in an "
                "election year,” Brandt said.",
            ),
            "trading": (
                "Exchange Delays Trading Ruling",
                "The Chicago Mercantile Exchange board put off a ruling on dual trading.\n\n"
                "“The board is not opposed to a ban on dual trading,” chairman Ivo Marsh said.",
            ),
            "elsewhere": (
                "Agency Budget",
                "The CIA budget grew, and America's allies paid more for their defence, "
                "officials said. Parliament will vote on a broad overhaul of banking law. "
                "Traders at the Merc were busy.",
            ),
        },
    )
    nunn = "Does Sam Nunn think Robert Gates will be confirmed as CIA director?"
    assert "bet any money" in first_quote(engine, nunn)
    johnson = "What did Johnson tell a women's group about growth in America's partners?"
    assert "room for stronger" in first_quote(engine, johnson)
    # "Parliament" printed as "Parliamentary"
    brandt = "When does Ola Brandt expect Parliament to pass a broad overhaul of banking law?"
    assert "vote on banks" in first_quote(engine, brandt)
    # "the Merc", short for the Chicago Mercantile Exchange
    marsh = "Does Marsh say the Merc's board is against outlawing dual trading?"
    assert "not opposed to a ban" in first_quote(engine, marsh)
    assert not engine.ask("What did Sam Nunn say about the Xbox?").answered
    engine.close()


def test_one_detail_of_the_occasion_missing_is_no_evidence_of_absence(tmp_path: Path) -> None:
    # A question that names the occasion ("after seeing Delors in Brussels", "testifying to a
    # House subcommittee") is answered by the article that holds most of it (news-dev tune half,
    # written again here): one missing name is no proof that person and topic never meet.
    engine = engine_with(
        tmp_path,
        {
            "ireland": (
                "Haughey Sees Delors",
                "Prime Minister Charles Haughey met Commission President Jacques Delors on "
                "Ireland's debt.\n\n“We could have full recourse to the Commission for advice,” "
                "Haughey said.",
            ),
            "debt": (
                "Mulford On Debt",
                "Treasury official David Mulford told a House subcommittee that debt forgiveness "
                "was no answer.\n\n“They are impractical and ultimately counterproductive,” "
                "Mulford said of such plans.",
            ),
            "brussels": (
                "Ministers Meet",
                "Ministers meeting in Brussels heard a banker testifying on debt, officials said.",
            ),
        },
    )
    haughey = (
        "After seeing Delors in Brussels, what did Haughey say the Commission offered Ireland?"
    )
    assert "full recourse" in first_quote(engine, haughey)
    mulford = "Testifying to a House subcommittee, what did Mulford say about debt forgiveness?"
    assert "impractical" in first_quote(engine, mulford)
    engine.close()


PORT = (
    "Norland Opens Deep-Water Terminal",
    "Marta Ilves, Norland's port chief, opened the new terminal on Monday.\n\n"
    "\u201cOur crews will work through the night to finish the quay,\u201d Ilves said.\n\n"
    "The terminal cost 40 million crowns. Its first ship docked at dawn. Fog delayed the "
    "ceremony by an hour. A brass band played on the pier.\n\n"
    "\u201cIt is the cheapest way to keep the channel deep enough for tankers,\u201d she said.\n\n"
    "The dredging contract went to Baltic Works last month.",
)


def test_a_quotation_is_judged_by_the_sentences_around_it_not_only_its_lead_in(
    tmp_path: Path,
) -> None:
    # The reporter names what the second quotation is about in the sentence after it ("The
    # dredging contract …"), five sentences from the first quotation.
    engine = engine_with(tmp_path, {"port": PORT})
    quote = first_quote(engine, "What did Ilves say about the dredging contract?")
    assert "cheapest way to keep the channel deep" in quote


FERRY_SUBSIDY = (
    "Norland Ferry Subsidy Running Out",
    "Transport minister Ines Calloway said the ferry subsidy of 40 million crowns is quickly "
    "being used up and parliament will have to decide whether to renew it.\n\n"
    "\u201cI don't see the subsidy on the chopping block this year,\u201d Calloway said.",
)


def test_a_yes_no_question_asking_for_a_view_is_answered_by_the_speakers_own_words(
    tmp_path: Path,
) -> None:
    # "Does X think …" asks for X's view: her quotation, not the reporter's summary that
    # repeats more of the question's words ("Did X mention …" prefers that summary: the
    # Lukashenko case in test_news_answers.py).
    engine = engine_with(tmp_path, {"ferry-subsidy": FERRY_SUBSIDY})
    quote = first_quote(engine, "Does Calloway think the ferry subsidy will be cut?")
    assert "I don't see the subsidy on the chopping block" in quote


ENVOY = (
    "Norland Envoy Warns Of More Trade Conflicts",
    "Relations between Norland and Estmark will get worse before they get better, Norland's "
    "envoy Marta Ilves said.\n\n"
    "\u201cI think we will keep pushing each other to the brink of a tariff war,\u201d Ilves said.",
)
STEEL = (
    "Estmark Steel Talks Stall",
    "A quarrel over steel quotas stalled talks in Estmark on Tuesday, its steel federation said.",
)


def test_a_speaker_found_is_quoted_even_where_the_question_paraphrases_the_topic(
    tmp_path: Path,
) -> None:
    # Ilves is in one article, whose headline names the topic ("Trade Conflicts"), and says
    # what the question asks in other words: her words answer it, though her article's text
    # holds almost none of the question's.
    engine = engine_with(tmp_path, {"envoy": ENVOY, "steel": STEEL})
    question = (
        "Does Ilves think quarrels will bring the two sides to the edge of open trade conflict?"
    )
    assert "brink of a tariff war" in first_quote(engine, question)
