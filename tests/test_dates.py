"""Time words → publication-date ranges, against a fixed clock (index/dates.py)."""

from __future__ import annotations

from datetime import date

import pytest

from index.dates import describe, extract_period, in_period, parse_day

TODAY = date(2024, 3, 15)  # a Friday


@pytest.mark.parametrize(
    ("question", "start", "end", "rest"),
    [
        ("What did Lukashenko say today?", TODAY, TODAY, "What did Lukashenko say?"),
        ("What did he say yesterday?", date(2024, 3, 14), date(2024, 3, 14), "What did he say?"),
        ("What did Lukashenko say last week?", date(2024, 3, 4), date(2024, 3, 10), None),
        ("News this week on Minsk", date(2024, 3, 11), TODAY, "News on Minsk"),
        ("What happened this month?", date(2024, 3, 1), TODAY, "What happened?"),
        ("Who resigned last month?", date(2024, 2, 1), date(2024, 2, 29), "Who resigned?"),
        ("What did Xi say in March?", date(2024, 3, 1), date(2024, 3, 31), "What did Xi say?"),
        ("What did Xi say in April?", date(2023, 4, 1), date(2023, 4, 30), None),
        ("What did Xi say in May 2022?", date(2022, 5, 1), date(2022, 5, 31), None),
        ("What did Xi say in 2023?", date(2023, 1, 1), date(2023, 12, 31), None),
        ("What did she say on March 4?", date(2024, 3, 4), date(2024, 3, 4), None),
        ("What did she say on 4 March 2023?", date(2023, 3, 4), date(2023, 3, 4), None),
        ("What was said on 2024-02-29?", date(2024, 2, 29), date(2024, 2, 29), None),
        ("What did he say in the past 3 days?", date(2024, 3, 13), TODAY, None),
        ("Quotes from the last two weeks", date(2024, 3, 2), TODAY, "Quotes"),
        ("Since January, what did X say?", date(2024, 1, 1), TODAY, "What did X say?"),
        ("What did X say before 2020?", None, date(2019, 12, 31), None),
    ],
)
def test_time_words_become_a_range_and_leave_the_question(
    question: str, start: date | None, end: date | None, rest: str | None
) -> None:
    period, text = extract_period(question, TODAY)
    assert period is not None
    assert (period.start, period.end) == (start, end)
    assert not period.latest
    if rest is not None:
        assert text == rest


@pytest.mark.parametrize(
    ("question", "rest"),
    [
        ("What is the latest on Belarus and China?", "Belarus and China?"),
        ("What did Lukashenko say recently?", "What did Lukashenko say?"),
        ("Most recent quotes from Xi", "Xi"),
    ],
)
def test_latest_asks_for_newest_first_without_a_range(question: str, rest: str) -> None:
    period, text = extract_period(question, TODAY)
    assert period is not None and period.latest
    assert period.start is None and period.end is None
    assert text == rest
    assert describe(period) == "newest first"


@pytest.mark.parametrize(
    "question",
    [
        "What did Lukashenko tell Li Zhanshu?",
        "What did Lukashenko say about the 2020 elections?",  # a year as a topic, not a date
        "May I ask what the mayor said?",
        "How many people marched?",
    ],
)
def test_questions_without_time_words_are_left_alone(question: str) -> None:
    assert extract_period(question, TODAY) == (None, question)


def test_month_resolves_against_the_clock() -> None:
    early = date(2024, 1, 10)
    period, _ = extract_period("What did he say in March?", early)
    assert period is not None and period.start == date(2023, 3, 1)  # the latest March so far


def test_in_period_sets_undated_articles_aside() -> None:
    period, _ = extract_period("in March", TODAY)
    assert period is not None
    assert in_period(date(2024, 3, 31), period)
    assert not in_period(date(2024, 4, 1), period)
    assert not in_period(None, period)
    assert describe(period) == "published 2024-03-01 to 2024-03-31"


def test_parse_day_for_article_filters() -> None:
    assert parse_day("2024-03-02", TODAY) == date(2024, 3, 2)
    assert parse_day("March 2024", TODAY) == date(2024, 3, 1)
    assert parse_day("March 2024", TODAY, end=True) == date(2024, 3, 31)
    assert parse_day("last week", TODAY) == date(2024, 3, 4)
    assert parse_day("2023", TODAY, end=True) == date(2023, 12, 31)
    with pytest.raises(ValueError, match="not a date"):
        parse_day("soonish", TODAY)
