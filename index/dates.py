"""Time words in a question → a range of publication dates, or a wish for the newest articles.

"What did Lukashenko say last week?" asks about articles *published* last week; "the latest on
Belarus" asks for the newest articles first. :func:`extract_period` finds such words, resolves them
against ``today`` (a date the caller passes in, so tests can fix the clock), and returns the
question without them: the time words are about *when*, not *what*, and left in they would be
searched for as topic words.

Resolutions (``today`` is T; weeks start on Monday; all ranges are inclusive):

- "today" → T; "yesterday" → T−1
- "this week" → Monday of T's week … T; "last week" → the calendar week before it
- "this month" → the 1st … T; "last month" → the calendar month before
- "this year" / "last year", "in 2023", "in March" (the latest March not after T), "in March 2023"
- "on March 4", "on 4 March 2024", "on 2024-03-04" → that day
- "in the past 3 days" / "the last two weeks" / "over the past month" → a window ending at T
- "since March" / "since 2023" → from its start to T; "before 2023" → until the day before it
- "latest", "most recent", "recent(ly)", "newest", "lately" → no range, newest first

A question may hold one range (the first one found wins) and a recency wish.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from index.models import Period

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_ONLY_YEAR = r"(?P<only_year>(?:19|20)\d\d)"
_NUMBER_WORDS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "few": 3,
    "couple": 2,
    "couple of": 2,
}
_COUNT = r"(?P<count>\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_UNIT = r"(?P<unit>day|week|month|year)s?"
# Words that only lead into a time phrase ("in", "during") go with it when it is removed.
_LEAD = r"(?:(?:in|during|from|over|within|on|of|for)\s+)?"


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    kind: str


def _rule(kind: str, body: str, lead: str = _LEAD) -> _Rule:
    return _Rule(re.compile(rf"(?<![\w-]){lead}{body}(?![\w-])", re.IGNORECASE), kind)


# Order matters: longer, more specific phrases first ("last week" before "last"…, a full date
# before its month).
_RULES: tuple[_Rule, ...] = (
    _rule("iso_day", r"(?P<iso>(?:19|20)\d\d-\d\d-\d\d)"),
    _rule("day_month", rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+{_YEAR})?"),
    _rule("month_day", rf"{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?"),
    _rule("window", rf"(?:the\s+)?(?:past|last|previous)\s+{_COUNT}\s+{_UNIT}"),
    _rule("rolling", r"(?:the\s+)?past\s+(?P<unit>day|week|month|year)"),
    _rule("today", r"(?:today|this\s+morning|this\s+afternoon|this\s+evening|tonight)"),
    _rule("yesterday", r"(?:yesterday|last\s+night)"),
    _rule("this", r"this\s+(?P<unit>week|month|year)"),
    _rule("last", r"(?:last|previous)\s+(?P<unit>week|month|year)"),
    _rule("since", rf"since\s+(?:{_MONTH}(?:\s+{_YEAR})?|{_ONLY_YEAR})", lead=""),
    _rule("before", rf"(?:before|until|till)\s+(?:{_MONTH}(?:\s+{_YEAR})?|{_ONLY_YEAR})", lead=""),
    _rule("month", rf"{_MONTH}(?:\s+(?:of\s+)?{_YEAR})?", lead=r"(?:in|during|from|of)\s+"),
    _rule("year", rf"(?:the\s+year\s+)?{_YEAR}", lead=r"(?:in|during|from|of)\s+"),
)

# "What's the latest on X?" → "X?"; "What did X say recently?" → "What did X say?".
_LATEST_LEAD = re.compile(
    r"^\s*(?:(?:so|and|ok|okay)[,\s]+)?(?:what(?:'s|’s|\s+is)|any|give\s+me|tell\s+me|show\s+me)?\s*"
    r"(?:the\s+)?(?:very\s+)?(?:latest|newest|most\s+recent)"
    r"(?:\s+(?:news|word|update|updates|story|stories|quotes?))?\s+(?:on|about|from|regarding|with|for)\s+",
    re.IGNORECASE,
)
_RECENT = re.compile(
    r"(?<![\w-])(?:(?:the\s+)?(?:very\s+)?(?:latest|newest|most\s+recent|recently|recent|lately)"
    r"|(?:these|those)\s+days)(?![\w-])",
    re.IGNORECASE,
)


def extract_period(question: str, today: date) -> tuple[Period | None, str]:
    """The period the question's time words name (None when there are none), and the question
    with those words removed."""
    text = question
    found: Period | None = None
    for rule in _RULES:
        match = rule.pattern.search(text)
        if match is None:
            continue
        resolved = _resolve(rule.kind, match, today)
        if resolved is None:
            continue
        start, end = resolved
        phrase = " ".join(match.group(0).split())
        found = Period(start=start, end=end, words=phrase, explicit=rule.kind in _EXPLICIT)
        text = _cut(text, match.start(), match.end())
        break
    recent = False
    lead = _LATEST_LEAD.match(text)
    if lead is not None:
        recent, text = True, text[lead.end() :]
    match = _RECENT.search(text)
    if match is not None:
        recent, text = True, _cut(text, match.start(), match.end())
    if recent:
        if found is None:
            found = Period(latest=True, words="latest")
        else:
            found = found.model_copy(update={"latest": True})
    if found is None:
        return None, question
    return found, _tidy(text) or question


# Named ranges a reader could also take as part of the topic ("the elections in 2020"): when
# nothing published then answers, the question is tried again with its words left in.
_EXPLICIT = {"iso_day", "day_month", "month_day", "month", "year", "since", "before"}


def _resolve(
    kind: str, match: re.Match[str], today: date
) -> tuple[date | None, date | None] | None:
    groups = match.groupdict()
    if kind == "today":
        return today, today
    if kind == "yesterday":
        day = today - timedelta(days=1)
        return day, day
    if kind == "iso_day":
        try:
            day = date.fromisoformat(groups["iso"])
        except ValueError:
            return None
        return day, day
    if kind in {"day_month", "month_day"}:
        month = _MONTHS[groups["month"].casefold()]
        year = int(groups["year"]) if groups.get("year") else _latest_year_of(month, today)
        try:
            day = date(year, month, int(groups["day"]))
        except ValueError:
            return None
        return day, day
    if kind == "window":
        count = _count(groups["count"])
        start = _back(today, groups["unit"].casefold(), count) + timedelta(days=1)
        return start, today
    if kind == "rolling":
        return _back(today, groups["unit"].casefold(), 1) + timedelta(days=1), today
    if kind == "this":
        return _start_of(groups["unit"].casefold(), today), today
    if kind == "last":
        unit = groups["unit"].casefold()
        end = _start_of(unit, today) - timedelta(days=1)
        return _start_of(unit, end), end
    if kind in {"since", "before", "month", "year"}:
        start, end = _named_range(groups, today)
        if kind == "since":
            return start, today
        if kind == "before":
            return None, start - timedelta(days=1)
        return start, end
    return None


def _named_range(groups: dict[str, str | None], today: date) -> tuple[date, date]:
    """A month (of a given year, or the latest one not after today) or a whole year."""
    year_text = groups.get("year") or groups.get("only_year")
    month_text = groups.get("month")
    if month_text:
        month = _MONTHS[month_text.casefold()]
        year = int(year_text) if year_text else _latest_year_of(month, today)
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    year = int(year_text or today.year)
    return date(year, 1, 1), date(year, 12, 31)


def _latest_year_of(month: int, today: date) -> int:
    return today.year if month <= today.month else today.year - 1


def _count(text: str) -> int:
    text = " ".join(text.casefold().split())
    return int(text) if text.isdigit() else _NUMBER_WORDS.get(text, 1)


def _start_of(unit: str, day: date) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _back(day: date, unit: str, count: int) -> date:
    """``count`` units before ``day`` (months and years keep the day of the month when possible)."""
    if unit == "day":
        return day - timedelta(days=count)
    if unit == "week":
        return day - timedelta(weeks=count)
    months = count * (12 if unit == "year" else 1)
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _cut(text: str, start: int, end: int) -> str:
    return text[:start] + " " + text[end:]


def _tidy(text: str) -> str:
    """Spaces and punctuation left behind by a removed phrase ("say  ?" → "say?")."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([?.!,;:])", r"\1", text)
    text = re.sub(r"^[,;:\s]+|[,;:\s]+$", "", text)
    text = re.sub(r",(?=[?.!])", "", text)
    return text[:1].upper() + text[1:]


def in_period(published: date | None, period: Period) -> bool:
    """Whether an article published on ``published`` lies in the period (undated: never)."""
    if period.start is None and period.end is None:
        return True
    if published is None:
        return False
    if period.start is not None and published < period.start:
        return False
    return period.end is None or published <= period.end


def describe(period: Period) -> str:
    """How the period reads in an answer: "published 2024-03-04 to 2024-03-10, newest first"."""
    parts = []
    if period.start is not None and period.end is not None:
        if period.start == period.end:
            parts.append(f"published on {period.start.isoformat()}")
        else:
            parts.append(f"published {period.start.isoformat()} to {period.end.isoformat()}")
    elif period.start is not None:
        parts.append(f"published since {period.start.isoformat()}")
    elif period.end is not None:
        parts.append(f"published up to {period.end.isoformat()}")
    if period.latest:
        parts.append("newest first")
    return ", ".join(parts)


def parse_day(text: str, today: date, *, end: bool = False) -> date:
    """One bound of a date filter (``--since``, ``/articles since:``): an ISO date, a month
    ("March 2024"), a year, or time words ("last week"); ``end`` takes the period's last day.
    Raises ValueError with a message a user can act on."""
    raw = " ".join(text.split())
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    for candidate in (raw, f"in {raw}"):
        period, _ = extract_period(candidate, today)
        if period is not None and (period.start is not None or period.end is not None):
            bound = period.end if end else period.start
            if bound is None:
                bound = period.start if end else period.end
            if bound is not None:
                return bound
    raise ValueError(
        f"‘{raw[:40]}’ is not a date. Use e.g. 2024-03-01, March 2024, 2023 or last week."
    )
