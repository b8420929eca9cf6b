"""Follow-ups: how a question is read against the turns before it (pure), and answered on a real
index of the bundled corpus plus three dated articles (index/followup.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from index.engine import Engine, reindex_data_dir
from index.followup import Reading, answer_reading, quotes_of, read_followup, turn_of
from index.models import Answer, Quote, Source, Turn
from tests.conftest import HEADLINE, HEADLINE_QUOTE, HEADLINE_QUOTE_2, HEADLINE_TITLE, copy_corpus
from tests.conversation_articles import write_dated

TODAY = date(2024, 3, 15)
SOURCE = Source(article_id="belarus-china-increasing-ties", title=HEADLINE_TITLE)


def quote(
    text: str = "“Expanding ties…,” Lukashenko said.", speaker: str | None = "Lukashenko"
) -> Quote:
    return Quote(
        text=text,
        start=0,
        end=len(text),
        passage_id="a:0",
        score=1.0,
        speaker=speaker,
        source=SOURCE,
    )


def turn(
    asked: str, *, person: str | None = "Lukashenko", quotes: tuple[Quote, ...] | None = None
) -> Turn:
    return Turn(
        asked=asked, read_as=asked, person=person, quotes=(quote(),) if quotes is None else quotes
    )


HISTORY = [turn(HEADLINE)]


def read(asked: str, history: list[Turn] | None = None) -> Reading:
    return read_followup(asked, HISTORY if history is None else history, TODAY)


# ---- reading (no index needed)
@pytest.mark.parametrize(
    ("asked", "kind"),
    [
        ("Who said that?", "speaker"),
        ("who said it", "speaker"),
        ("Whose words are these?", "speaker"),
        ("Where is that from?", "source"),
        ("Where's that from?", "source"),
        ("Source?", "source"),
        ("Which article is that from?", "source"),
        ("Link?", "link"),
        ("Do you have a link?", "link"),
        ("URL please", "link"),
        ("When was that?", "date"),
        ("more", "more"),
        ("More?", "more"),
        ("Tell me more", "more"),
        ("anything else?", "more"),
        ("What else did he say?", "more"),
        ("Did he say anything else?", "more"),
        ("What else did Lukashenko say?", "more"),
        ("Who is Li Zhanshu?", "question"),  # a real question, not a reply about the answer
        ("Where is Minsk?", "question"),
        ("Who said that Belarus is falling into the latter camp?", "question"),
    ],
)
def test_each_form_is_recognised(asked: str, kind: str) -> None:
    assert read(asked).kind == kind


def test_more_names_the_person_it_continues() -> None:
    reading = read("What else did he say?")
    assert reading.person == "Lukashenko"
    assert reading.shown == "What else did Lukashenko say?"
    assert reading.refers_to == HISTORY[-1]


@pytest.mark.parametrize(
    ("asked", "completed"),
    [
        ("And about Russia?", "What did Lukashenko say about Russia?"),
        ("What about the economy?", "What did Lukashenko say about the economy?"),
        ("And on trade?", "What did Lukashenko say on trade?"),
        ("What did he say about Russia?", "What did Lukashenko say about Russia?"),
        (
            "What did the Belarusian leader say about Russia?",
            "What did Lukashenko say about Russia?",
        ),
        ("When did he visit Beijing?", "When did Lukashenko visit Beijing?"),
        ("What did he tell him?", "What did Lukashenko tell Li Zhanshu?"),
        ("What are his plans?", "What are Lukashenko’s plans?"),
        ("What did she tell her staff?", "What did Lukashenko tell Lukashenko’s staff?"),
    ],
)
def test_follow_ups_are_completed_from_the_last_turn(asked: str, completed: str) -> None:
    reading = read(asked)
    assert reading.kind == "question"
    assert reading.question == completed
    assert reading.shown == completed and reading.rewritten


def test_ellipsis_keeps_the_last_questions_verb() -> None:
    history = [turn("How did Xi react to the sanctions?", person="Xi")]
    assert read("And about the tariffs?", history).question == "How did Xi react to the tariffs?"


def test_ellipsis_after_a_question_about_no_speech_swaps_the_name() -> None:
    history = [turn("Who is Li Zhanshu?", person=None)]
    assert read("And Xi Jinping?", history).question == "Who is Xi Jinping?"


@pytest.mark.parametrize(
    "asked",
    [
        "What did Xi Jinping say about trade?",  # names a new person: a new topic
        "What did Lukashenko tell Li Zhanshu?",
        "How many people live in Minsk?",
    ],
)
def test_a_complete_question_is_taken_as_it_is(asked: str) -> None:
    reading = read(asked)
    assert reading.kind == "question"
    assert reading.question == asked and reading.shown is None and not reading.rewritten


def test_a_new_speaker_becomes_the_person_for_the_next_turn() -> None:
    reading = read("What did Xi Jinping say about trade?")
    assert reading.person == "Xi Jinping"
    nxt = turn_of(reading, Answer(question=reading.asked, answered=False), 0.0)
    assert read("What else did he say?", [*HISTORY, nxt]).person == "Xi Jinping"


def test_replies_refer_to_the_last_answer_with_quotes_not_to_replies() -> None:
    speaker = read("Who said that?")
    reply_turn = Turn(
        asked="Who said that?", read_as="Who said that?", kind="speaker", person="Lukashenko"
    )
    assert read("Where is that from?", [*HISTORY, reply_turn]).refers_to == HISTORY[-1]
    assert speaker.refers_to == HISTORY[-1]


@pytest.mark.parametrize("asked", ["Who said that?", "Link?", "more", "What else did he say?"])
def test_follow_ups_without_a_conversation_say_so(asked: str) -> None:
    assert read(asked, []).kind == "no_context"


def test_time_words_read_as_a_period_and_follow_ups_keep_it() -> None:
    first = read("What did Lukashenko say last week?", [])
    assert first.question == "What did Lukashenko say?"
    assert first.period is not None and first.period.start == date(2024, 3, 4)
    assert first.shown == "What did Lukashenko say? (published 2024-03-04 to 2024-03-10)"
    answered = Answer(question=first.asked, answered=True, quotes=(quote(),), period=first.period)
    history = [turn_of(first, answered, 0.0)]
    again = read("And about Russia?", history)
    assert again.period == first.period
    other = read("And in February?", history)
    assert other.question == "What did Lukashenko say?"
    assert other.period is not None and other.period.start == date(2024, 2, 1)


# ---- answering on a real index
@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    root = tmp_path_factory.mktemp("followup")
    corpus = copy_corpus(root / "corpus")
    write_dated(corpus)
    engine = reindex_data_dir(corpus, root / "data")[1]
    yield engine
    engine.close()


class Chat:
    """A conversation driven through the two stages, as bot/conversations.py drives it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.turns: list[Turn] = []
        self.shown: set[tuple[str, int, int]] = set()

    def ask(self, asked: str, k: int = 3) -> Answer:
        reading = read_followup(asked, self.turns, TODAY)
        answer = answer_reading(self.engine, reading, k, shown=frozenset(self.shown))
        self.turns.append(turn_of(reading, answer, 0.0))
        self.shown |= {(q.source.article_id, q.start, q.end) for q in self.turns[-1].quotes}
        return answer


def test_the_headline_conversation(engine: Engine) -> None:
    chat = Chat(engine)
    first = chat.ask(HEADLINE)
    assert HEADLINE_QUOTE in first.quotes[0].text and first.read_as is None
    more = chat.ask("What else did he say?")
    assert more.answered and more.kind == "more"
    assert more.read_as == "What else did Lukashenko say?"
    assert HEADLINE_QUOTE_2 in more.quotes[0].text
    assert {q.text for q in more.quotes}.isdisjoint({q.text for q in first.quotes})
    assert all(q.speaker == "Lukashenko" for q in more.quotes)
    who = chat.ask("Who said that?")
    assert who.kind == "speaker" and who.reply is not None and who.reply.startswith("Lukashenko")
    where = chat.ask("Where is that from?")
    assert where.kind == "source" and where.reply is not None and HEADLINE_TITLE in where.reply
    link = chat.ask("Link?")
    assert link.kind == "link" and link.reply is not None and "has no link" in link.reply


def test_more_pages_to_the_end_without_repeats(engine: Engine) -> None:
    chat = Chat(engine)
    chat.ask("What did Kowalski say about the bridge?", k=1)
    seen = [q.text for q in chat.turns[-1].quotes]
    for _ in range(10):
        answer = chat.ask("more", k=1)
        if not answer.answered:
            break
        seen += [q.text for q in answer.quotes]
    else:
        pytest.fail("more never reached the end")
    assert "That is all I found from Jan Kowalski" in (answer.reason or "")
    assert len(seen) == len(set(seen)) == 6  # every quotation of the mayor, once each


def test_more_lists_the_persons_quotes_in_the_story_first(engine: Engine) -> None:
    found = quotes_of(engine, "Kowalski", 10, articles_first=["riverton-budget"])
    assert [q.source.article_id for q in found][:2] == ["riverton-budget"] * 2
    assert all(q.text == engine.article(q.source.article_id).text[q.start : q.end] for q in found)
    assert quotes_of(engine, "Nobody Atall", 3) == []


def test_last_week_filters_by_publication_date_and_says_undated_were_set_aside(
    engine: Engine,
) -> None:
    answer = Chat(engine).ask("What did Kowalski say about the bridge last week?")
    assert answer.answered
    assert {q.source.article_id for q in answer.quotes} == {"riverton-bridge"}
    assert (
        answer.read_as
        == "What did Kowalski say about the bridge? (published 2024-03-04 to 2024-03-10)"
    )
    assert "3 undated articles were set aside" in " ".join(answer.notes)


def test_a_month_then_another_month_in_a_follow_up(engine: Engine) -> None:
    chat = Chat(engine)
    chat.ask("What did Kowalski say about the bridge in March?")
    february = chat.ask("And in February?")
    assert {q.source.article_id for q in february.quotes} == {"riverton-budget"}


def test_latest_puts_the_newest_article_first(engine: Engine) -> None:
    answer = Chat(engine).ask("What did Kowalski say about the bridge recently?", k=3)
    dates = [q.source.published for q in answer.quotes]
    assert dates[0] == date(2024, 3, 5)
    assert answer.period is not None and answer.period.latest
    assert any("no publication date; they come last" in n for n in answer.notes)


def test_nothing_in_the_period_says_so_and_answers_from_any_date(engine: Engine) -> None:
    chat = Chat(engine)
    answer = chat.ask("What did Kowalski say about the bridge yesterday?")
    assert answer.answered and answer.period is None
    assert answer.notes[0].startswith("Nothing published on 2024-03-14 answers this")
    assert chat.turns[-1].period is None  # a follow-up does not keep a period that held nothing
    none = Chat(engine).ask("What did Xi Jinping say about the bridge yesterday?")
    assert not none.answered
    assert none.reason == "No article published on 2024-03-14 answers this well enough."


def test_a_follow_up_stays_with_the_story_when_it_answers(engine: Engine) -> None:
    chat = Chat(engine)
    chat.ask("What did Kowalski say about the bridge in February?")
    answer = chat.ask("What did he say about the bridge?")  # rewritten: the same story first
    assert answer.read_as is not None and answer.read_as.startswith("What did Kowalski say")
    assert {q.source.article_id for q in answer.quotes} == {"riverton-budget"}
    alone = Chat(engine).ask("What did Kowalski say about the bridge?")
    assert "riverton-bridge" in {q.source.article_id for q in alone.quotes}


def test_a_year_that_is_the_topic_is_retried_without_the_date(engine: Engine) -> None:
    answer = Chat(engine).ask("Who congratulated Lukashenko in 2020?")
    assert answer.answered
    assert "Nothing published 2020-01-01 to 2020-12-31 answers this" in answer.notes[0]


def test_quotes_stay_verbatim_through_follow_ups(engine: Engine) -> None:
    chat = Chat(engine)
    for asked in [HEADLINE, "more", "And about China?", "What else did Kowalski say?", "more"]:
        for q in chat.ask(asked).quotes:
            assert engine.article(q.source.article_id).text[q.start : q.end] == q.text
