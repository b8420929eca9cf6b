"""Follow-up questions: read one against the turns before it, then answer it.

Two stages a reader can test one by one:

1. :func:`read_followup` (pure: text in, a :class:`Reading` out) classifies the question and
   completes it from the conversation:

   - "Who said that?", "Where is that from?", "Link?", "When was that?" → about the first quote
     of the last answer; answered from it, without a search;
   - "more", "What else did he say?" → the person's next quotes, never one already shown;
   - "And about Russia?", "What about the economy?" → the last question's person and verb with
     the new topic ("What did Lukashenko say about Russia?");
   - pronouns and roles ("he", "his", "the minister") → the speaker of the last answer, or the
     person the last question was about;
   - a question that names its own speaker, or needs nothing from before, is taken as it is.

   Time words ("last week", "latest") become a :class:`~index.models.Period` (index/dates.py);
   a follow-up that names none keeps the period of the turn it follows.

2. :func:`answer_reading` answers a reading with an :class:`~index.engine.Engine`, through its
   public methods only (``ask`` with a :class:`~index.answer.Scope`, ``search``, ``analysis``).

No language model: patterns over the question's words, and the quotations the index already
attributes to their speakers (index/speech.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from index.answer import Scope
from index.dates import describe, extract_period, in_period
from index.errors import BadInput
from index.models import Answer, Article, Period, Quote, Source, Turn
from index.passages import passage_id
from index.speech import SPEECH_VERBS

if TYPE_CHECKING:
    from index.engine import Engine

# What a reply about the last answer can be about, without a search.
META_KINDS = ("speaker", "source", "link", "date")

# ---- reading the words
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_QUESTION_VERBS = SPEECH_VERBS | {
    "react",
    "respond",
    "think",
    "mean",
    "want",
    "predict",
    "expect",
    "call",
    "describe",
    "suggest",
    "admit",
    "deny",
    "blame",
    "praise",
    "urge",
    "ask",
    "promise",
    "reply",
    "comment",
    "feel",
    "write",
    "wrote",
}
_VERBS = "|".join(sorted(_QUESTION_VERBS, key=len, reverse=True))
_AUX = r"did|does|do|has|have|had|will|would|is|was|are|were|can|could|should"
# "What did X tell Y about Z?" → wh, aux, subject, verb, rest.
_FRAME = re.compile(
    rf"^\s*(?P<wh>what|how|why|when|where)\s+(?P<aux>{_AUX})\s+(?P<subject>\S.*?)\s+"
    rf"(?P<verb>{_VERBS})\b(?P<rest>.*?)[\s?.!]*$",
    re.IGNORECASE,
)
_ELSE_FRAME = re.compile(
    rf"^\s*(?:(?:and|so|ok|okay)[,\s]+)?(?:what|which)\s+(?:else|more|other(?:\s+things?)?)\s+"
    rf"(?:(?:{_AUX})\s+)?(?P<subject>\S.*?)\s+(?P<verb>{_VERBS})\b(?P<rest>.*?)[\s?.!]*$",
    re.IGNORECASE,
)
_ANYTHING_ELSE = re.compile(
    rf"^\s*(?:(?:and|so|ok|okay)[,\s]+)?(?:{_AUX})\s+(?P<subject>\S.*?)\s+(?P<verb>{_VERBS})\s+"
    r"(?:anything|something|much)\s+(?:else|more)\b(?P<rest>.*?)[\s?.!]*$",
    re.IGNORECASE,
)
_MORE = re.compile(
    r"^\s*(?:(?:and|so|ok|okay|please)[,\s]+)?(?:"
    r"more|some\s+more|more\s+please|tell\s+me\s+more|go\s+on|continue|keep\s+going|next|"
    r"next\s+(?:one|quotes?|page)|anything\s+else|what\s+else|any\s*more|and\s+then|what\s+more|"
    r"(?:any\s+)?(?:more|other)\s+quotes?|(?:more|anything\s+else|other\s+quotes?)\s+from\s+"
    r"(?P<whom>.+?)"
    r")[\s?.!]*$",
    re.IGNORECASE,
)
_ELLIPSIS = re.compile(
    r"^\s*(?:(?:and|but|so|ok|okay|also)[,\s]+)?"
    r"(?P<lead>(?:what|how)\s+about|and\s+(?:about|on|regarding|concerning)|about|on|regarding|"
    r"concerning|and)\s+(?P<topic>\S.*?)[\s?.!]*$",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(rf"^(?:who|whom|whose|what|when|where|why|how|which|{_AUX})\b", re.I)

_PRONOUN_SUBJECTS = {"he", "she", "they", "him", "her", "them"}
_ROLES = (
    "minister|president|leader|chairman|chairwoman|chair|chancellor|premier|spokesman|"
    "spokeswoman|spokesperson|official|officials|chief|head|director|executive|ceo|governor|"
    "mayor|senator|secretary|ambassador|king|queen|pope|prince|general|commissioner|economist|"
    "analyst|banker|negotiator|judge|envoy|speaker|treasurer|representative|congressman|"
    "trader|dealer|manager"
)
_ROLE_SUBJECT = re.compile(rf"^(?:the|this|that)\s+(?:[\w.-]+\s+){{0,3}}?(?:{_ROLES})$", re.I)
_OBJECT_PRONOUN = re.compile(r"(?<![\w'’])(him|them)(?![\w'’])", re.IGNORECASE)
_SUBJECT_PRONOUN = re.compile(r"(?<![\w'’])(he|she|they)(?![\w'’])", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?<![\w'’])(his|their)(?![\w'’])", re.IGNORECASE)
# "her" is an object ("tell her") or a possessive ("her plans"): the next word decides.
_HER = re.compile(r"(?<![\w'’])her(?![\w'’])(?P<next>\s+[a-z][\w'’-]*)?", re.IGNORECASE)
_IT = re.compile(r"(?<![\w'’])(?:about|on|of)\s+(?:it|that|this)(?![\w'’])", re.IGNORECASE)
_PREPOSITIONS = {"about", "on", "to", "of", "regarding", "concerning", "over", "at", "after"}
# Capitalised words that are not names ("What", "And", "I").
_NOT_NAMES = frozenset(
    [
        "what",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "which",
        "and",
        "but",
        "so",
        "did",
        "does",
        "do",
        "is",
        "was",
        "are",
        "were",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "the",
        "a",
        "an",
        "tell",
        "give",
        "show",
        "any",
        "anything",
        "more",
        "ok",
        "okay",
        "also",
        "then",
        "please",
        "i",
        "in",
        "on",
        "about",
        "source",
        "link",
        "other",
        "else",
        "next",
        "yes",
        "no",
        "thanks",
        "thank",
        "he",
        "she",
        "they",
        "his",
        "her",
        "their",
        "him",
        "them",
        "it",
        "that",
        "this",
        "these",
        "those",
        "there",
        "here",
        "let",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
    ]
)
_NAME = re.compile(
    r"(?<![\w'’])([A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|bin|al|da)){0,3})"
)

# The words a reply about the last answer is made of; anything else means a real question.
_META_WORDS = {
    "speaker": (
        {"who", "whose"},
        set(
            [
                "who",
                "whose",
                "whom",
                "said",
                "say",
                "says",
                "told",
                "wrote",
                "spoke",
                "speaking",
                "speaks",
                "is",
                "was",
                "'s",
                "that",
                "this",
                "it",
                "those",
                "these",
                "words",
                "quote",
                "quotes",
                "the",
                "first",
                "one",
                "did",
                "are",
                "were",
                "exactly",
            ]
        ),
    ),
    "source": (
        {"source", "sources", "from", "article", "story", "outlet", "publication", "published"},
        set(
            [
                "where",
                "where's",
                "is",
                "was",
                "that",
                "this",
                "it",
                "from",
                "'s",
                "the",
                "source",
                "sources",
                "which",
                "what",
                "article",
                "story",
                "did",
                "you",
                "get",
                "come",
                "comes",
                "came",
                "find",
                "found",
                "published",
                "report",
                "piece",
                "outlet",
                "publication",
                "what's",
                "in",
                "appear",
                "appeared",
            ]
        ),
    ),
    "link": (
        {"link", "links", "url", "urls"},
        set(
            [
                "link",
                "links",
                "url",
                "urls",
                "please",
                "the",
                "a",
                "got",
                "have",
                "you",
                "do",
                "can",
                "i",
                "get",
                "read",
                "it",
                "share",
                "send",
                "me",
                "is",
                "there",
                "any",
                "for",
                "that",
                "this",
                "what",
                "'s",
                "full",
                "article",
                "to",
                "story",
                "give",
            ]
        ),
    ),
    "date": (
        {"when", "date"},
        set(
            [
                "when",
                "was",
                "that",
                "this",
                "it",
                "said",
                "published",
                "what",
                "date",
                "'s",
                "is",
                "the",
                "of",
                "did",
                "say",
                "article",
                "story",
                "written",
            ]
        ),
    ),
}


@dataclass(frozen=True)
class Frame:
    """A "what did X say …" question, cut into its parts."""

    wh: str
    aux: str
    subject: str
    verb: str
    rest: str  # after the verb: "Li Zhanshu", "about Russia", "to the sanctions"

    @property
    def topic(self) -> str:
        words = self.rest.strip().split(maxsplit=1)
        if words and words[0].casefold() in _PREPOSITIONS:
            return words[1] if len(words) > 1 else ""
        return self.rest.strip()

    def text(
        self, *, subject: str | None = None, topic: str | None = None, prep: str | None = None
    ) -> str:
        """The question again, with another subject and/or topic (after ``prep``, else the
        last question's preposition, else "about")."""
        verb, rest = self.verb, self.rest.strip()
        if topic is not None:
            words = rest.split(maxsplit=1)
            had = words[0] if words and words[0].casefold() in _PREPOSITIONS else None
            if verb.casefold() in {"tell", "told", "tells"} and had is None:
                verb = "say"  # "tell Li Zhanshu" → "say about Russia"
            rest = f"{prep or had or 'about'} {topic}"
        parts = [self.wh.capitalize(), self.aux, subject or self.subject, verb, rest]
        return " ".join(p for p in parts if p) + "?"


def parse_frame(question: str) -> Frame | None:
    match = _FRAME.match(question)
    if match is None:
        return None
    return Frame(
        wh=match["wh"].casefold(),
        aux=match["aux"].casefold(),
        subject=match["subject"].strip(),
        verb=match["verb"],
        rest=match["rest"].strip(),
    )


def names_in(text: str) -> list[str]:
    """Capitalised names ("Li Zhanshu", "Lukashenko"), without question words or pronouns."""
    out = []
    for match in _NAME.finditer(text):
        words = match.group(1).split()
        while words and words[0].casefold().strip("'’") in _NOT_NAMES:
            words.pop(0)
        if words:
            name = " ".join(words)
            out.append(re.sub(r"['’]s$", "", name))
    return out


def _words(text: str) -> list[str]:
    """Casefolded words; "where's" counts as "where" (the 's is "is")."""
    words = [w.casefold().replace("’", "'") for w in _WORD.findall(text)]
    return [w[:-2] if w.endswith("'s") else w for w in words]


def _is_role_or_pronoun(subject: str) -> bool:
    return subject.casefold() in _PRONOUN_SUBJECTS or bool(_ROLE_SUBJECT.match(subject))


# ---- the conversation so far
@dataclass(frozen=True)
class Context:
    """What a follow-up can lean on: the person talked about, the last answered turn."""

    person: str | None
    last: Turn | None  # the last question (replies about an answer do not count)
    quoted: Turn | None = None  # the last turn that showed quotes: what "that" refers to
    others: tuple[str, ...] = ()  # other names of the last question ("Li Zhanshu")

    @classmethod
    def of(cls, history: Sequence[Turn]) -> Context:
        last = next((t for t in reversed(history) if t.kind in {"quotes", "more"}), None)
        if last is None:
            return cls(person=None, last=None)
        quoted = next((t for t in reversed(history) if t.quotes), None)
        person = next((t.person for t in reversed(history) if t.person), None)
        others = tuple(n for n in names_in(last.read_as) if not _same_person(n, person))
        return cls(person=person, last=last, quoted=quoted, others=others)


def _same_person(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return bool(set(_words(a)) & set(_words(b)) - _NOT_NAMES)


# ---- stage 1: reading
@dataclass(frozen=True)
class Reading:
    """How a question is read in its conversation."""

    kind: str  # "question", "more", one of META_KINDS, or "no_context"
    asked: str
    question: str  # what to search for (completed, time words removed); "" for replies
    shown: str | None = None  # how the question reads in full, when that differs from ``asked``
    person: str | None = None
    topic: str = ""
    period: Period | None = None
    refers_to: Turn | None = None  # the turn a "more" or a reply is about
    original: str = ""  # the completed question with its time words, to retry without dates
    rewritten: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


def read_followup(asked: str, history: Sequence[Turn], today: date) -> Reading:
    """Classify ``asked`` and complete it from ``history`` (oldest turn first)."""
    context = Context.of(history)
    period, plain = extract_period(asked, today)
    meta = _meta_kind(plain)
    if meta is not None:
        if context.quoted is None:
            return _no_context(asked, meta)
        return Reading(kind=meta, asked=asked, question="", refers_to=context.quoted)

    person: str | None
    shown: str | None
    more = _read_more(plain, context)
    if more is not None:
        person, topic = more
        if context.last is None and person is None:
            return _no_context(asked, "more")
        if period is None and context.last is not None:
            period = context.last.period
        if person:
            shown = f"What else did {person} say"
        else:
            assert context.last is not None
            shown = "More answers to: " + context.last.read_as.rstrip("?")
        if person and topic:
            shown += f" about {topic}"
        shown += "?" if person else ""
        return Reading(
            kind="more",
            asked=asked,
            question=f"What did {person} say about {topic}?" if person and topic else "",
            shown=_with_period(shown, period),
            person=person,
            topic=topic,
            period=period,
            refers_to=context.last,
            rewritten=True,
        )

    if period is not None and context.last is not None and _only_a_connector(plain):
        # "And in February?": the last question again, for another period.
        completed = context.last.read_as
    else:
        completed = _complete(plain, context)
    rewritten = completed != plain
    if rewritten and period is None and context.last is not None:
        period = context.last.period  # "And about Russia?" keeps "last week"
    frame = parse_frame(completed)
    person = None
    if frame is not None and not _is_role_or_pronoun(frame.subject):
        person = frame.subject
    elif rewritten:
        person = context.person
    shown = completed if rewritten else None
    if period is not None:
        shown = _with_period(completed, period)
    original = completed
    if period is not None and not rewritten:
        original = asked
    return Reading(
        kind="question",
        asked=asked,
        question=completed,
        shown=shown,
        person=person,
        topic=frame.topic if frame else "",
        period=period,
        refers_to=context.quoted if rewritten else None,
        original=original,
        rewritten=rewritten,
    )


_CONNECTOR = re.compile(
    r"^\s*(?:and|but|so|ok|okay|also|what\s+about|how\s+about|then)?[\s?.!,]*$", re.I
)


def _only_a_connector(text: str) -> bool:
    """What is left of "And in February?" once its time words are taken out."""
    return bool(_CONNECTOR.match(text)) or text.strip() == ""


def _no_context(asked: str, kind: str) -> Reading:
    return Reading(kind="no_context", asked=asked, question="", notes=(kind,))


def _with_period(text: str, period: Period | None) -> str:
    if period is None:
        return text
    return f"{text} ({describe(period)})"


def _meta_kind(text: str) -> str | None:
    words = _words(text)
    if not words or len(words) > 9:
        return None
    for kind, (needed, allowed) in _META_WORDS.items():
        if set(words) & needed and all(w in allowed for w in words):
            if kind == "source" and "where" not in words and not set(words) & needed - {"from"}:
                continue
            return kind
    return None


def _read_more(text: str, context: Context) -> tuple[str | None, str] | None:
    """(person, topic) when ``text`` asks for more; None when it asks something else."""
    match = _MORE.match(text)
    if match is not None:
        whom = match["whom"]
        if whom and not _is_role_or_pronoun(whom.strip()):
            return whom.strip(), ""
        return context.person, ""
    match = _ELSE_FRAME.match(text) or _ANYTHING_ELSE.match(text)
    if match is None:
        return None
    subject = match["subject"].strip()
    person = context.person if _is_role_or_pronoun(subject) else subject
    rest = match["rest"].strip()
    words = rest.split(maxsplit=1)
    topic = words[1] if len(words) > 1 and words[0].casefold() in _PREPOSITIONS else rest
    return person, topic


def _complete(text: str, context: Context) -> str:
    """The question with its ellipsis filled and its pronouns and roles resolved."""
    if context.last is None:
        return text
    ellipsis = _ELLIPSIS.match(text)
    if ellipsis is not None and not _QUESTION_START.match(ellipsis["topic"]):
        topic = ellipsis["topic"].strip()
        lead = ellipsis["lead"].split()[-1].casefold()
        if len(topic.split()) <= 8:
            return _fill_ellipsis(
                topic, context, lead if lead in _PREPOSITIONS - {"about"} else None
            )
    person = context.person
    if person is None:
        return text
    frame = parse_frame(text)
    if frame is not None and _is_role_or_pronoun(frame.subject):
        rest = _resolve_objects(frame.rest, context, subject_is_person=True)
        return (
            frame.text(subject=person).replace(frame.rest, rest, 1)
            if frame.rest
            else (frame.text(subject=person))
        )
    new_subject = frame is not None and not _same_person(frame.subject, person)
    out = _SUBJECT_PRONOUN.sub(person, text) if frame is None else text
    out = _resolve_objects(out, context, subject_is_person=not new_subject)
    if not new_subject:
        out = _POSSESSIVE.sub(f"{person}’s", out)
    out = (
        _IT.sub(lambda m: m.group(0).split()[0] + " " + _last_topic(context), out)
        if (_last_topic(context))
        else out
    )
    return out


def _resolve_objects(text: str, context: Context, *, subject_is_person: bool) -> str:
    """him/them/her → the person; when the person is the subject already, the other one named
    in the last question ("What did he tell him?")."""
    person = context.person or ""
    target = context.others[0] if subject_is_person and context.others else person
    if not target:
        return text

    def her(match: re.Match[str]) -> str:
        following = match["next"] or ""
        if following and following.strip().casefold() not in _PREPOSITIONS | {"and", "or"}:
            # possessive ("her plans"): whose is the subject's
            return f"{person if subject_is_person and person else target}’s{following}"
        return target + following

    text = _OBJECT_PRONOUN.sub(target, text)
    return _HER.sub(her, text)


def _last_topic(context: Context) -> str:
    if context.last is None:
        return ""
    frame = parse_frame(context.last.read_as)
    return frame.topic if frame is not None else ""


def _fill_ellipsis(topic: str, context: Context, prep: str | None) -> str:
    assert context.last is not None
    frame = parse_frame(context.last.read_as)
    if frame is not None:
        subject = frame.subject
        if _is_role_or_pronoun(subject) and context.person:
            subject = context.person
        return frame.text(subject=subject, topic=topic, prep=prep)
    # Not a "what did X say" question: swap the last name for the new one ("Who is Li Zhanshu?"
    # → "And Xi Jinping?" → "Who is Xi Jinping?"), or ask about the person and the topic.
    previous = context.last.read_as
    names = names_in(previous)
    if names and names_in(topic):
        at = previous.rfind(names[-1])
        return previous[:at] + topic + previous[at + len(names[-1]) :]
    if context.person:
        return f"What about {context.person} and {topic}?"
    return topic if topic.endswith("?") else topic + "?"


# ---- stage 2: answering
@dataclass
class TurnResult:
    answer: Answer
    turn: Turn


def answer_reading(
    engine: Engine,
    reading: Reading,
    k: int,
    *,
    shown: frozenset[tuple[str, int, int]] = frozenset(),
) -> Answer:
    """Answer a reading. ``shown`` are the quotes the conversation already showed
    (``(article_id, start, end)``): a "more" never repeats one."""
    if reading.kind == "no_context":
        return _answer_without_context(reading)
    if reading.kind in META_KINDS:
        return _reply_about(reading)
    if reading.kind == "more":
        return _more(engine, reading, k, shown)
    return _ask(engine, reading, k)


def _answer_without_context(reading: Reading) -> Answer:
    what = reading.notes[0] if reading.notes else ""
    if what == "more":
        reason = "There is nothing earlier in this conversation to continue. Ask a question first."
    else:
        reason = (
            "There is no earlier answer in this conversation to refer to. Ask a question first, "
            "e.g. What did Lukashenko tell Li Zhanshu?"
        )
    return Answer(question=reading.asked, answered=False, reason=reason, kind=what or "quotes")


def _reply_about(reading: Reading) -> Answer:
    assert reading.refers_to is not None and reading.refers_to.quotes
    quote = reading.refers_to.quotes[0]
    source = quote.source
    title = f"‘{source.title}’"
    if reading.kind == "speaker":
        reply = (
            f"{quote.speaker} said that (in {title})."
            if quote.speaker
            else f"{title} does not say who said that: it is the article's own text."
        )
    elif reading.kind == "source":
        meta = ", ".join(
            x for x in (source.author, source.publisher, _date_text(source.published)) if x
        )
        reply = f"That is from {title}" + (f" ({meta})" if meta else "") + "."
    elif reading.kind == "link":
        reply = (
            f"{source.url}"
            if source.url
            else f"{title} has no link; `source {source.article_id}` shows its text."
        )
    else:
        reply = (
            f"{title} was published on {source.published.isoformat()}."
            if source.published
            else f"{title} has no publication date."
        )
    return Answer(
        question=reading.asked,
        answered=True,
        quotes=(quote,),
        kind=reading.kind,
        reply=reply,
    )


def _date_text(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _scope(engine: Engine, period: Period | None, exclude: frozenset) -> Scope:
    allow = None
    if period is not None and (period.start is not None or period.end is not None):
        chosen = period

        def allow(article: Article) -> bool:
            return in_period(article.published, chosen)

    return Scope(allow_article=allow, exclude=exclude, prefer_recent=bool(period and period.latest))


def _period_notes(engine: Engine, period: Period | None) -> tuple[str, ...]:
    if period is None:
        return ()
    undated = sum(1 for a in engine.articles() if a.published is None)
    if not undated:
        return ()
    many = "articles have" if undated > 1 else "article has"
    if period.start is not None or period.end is not None:
        set_aside = "were" if undated > 1 else "was"
        return (
            f"{undated} undated {many.split()[0]} {set_aside} set aside (no publication date).",
        )
    return (f"{undated} {many} no publication date; they come last.",)


def _ask(engine: Engine, reading: Reading, k: int) -> Answer:
    period = reading.period
    scope = _scope(engine, period, frozenset())
    answer = _in_the_story(engine, reading, k, scope) or engine.ask(
        reading.question, k, scope=scope
    )
    notes = _period_notes(engine, period)
    dated = period is not None and (period.start is not None or period.end is not None)
    if not answer.answered and period is not None and dated:
        # Nothing published then answers. The time words may have been part of the topic ("the
        # elections in 2020", "the company's priority this year"): answer from any date, say so.
        again = reading.original if period.explicit else reading.question
        retry = engine.ask(again or reading.asked, k)
        if retry.answered:
            notes = (
                f"Nothing published {describe(period).removeprefix('published ')} answers this; "
                "these quotes are from any date.",
            )
            answer, period = retry, None  # a follow-up does not keep a period that held nothing
        else:
            answer = answer.model_copy(
                update={"reason": f"No article {describe(period)} answers this well enough."}
            )
    return answer.model_copy(
        update={
            "question": reading.asked,
            "read_as": reading.shown,
            "period": period,
            "notes": answer.notes + notes,
        }
    )


def _in_the_story(engine: Engine, reading: Reading, k: int, scope: Scope) -> Answer | None:
    """A completed follow-up ("What did he say about the hostages?") is first asked of the
    articles the last answer quoted: a conversation stays with its story when the story answers."""
    last = reading.refers_to
    if not reading.rewritten or last is None or not last.quotes:
        return None
    story = frozenset(q.source.article_id for q in last.quotes)
    allowed = scope.allow_article

    def in_story(article: Article) -> bool:
        return article.id in story and (allowed is None or allowed(article))

    answer = engine.ask(
        reading.question,
        k,
        scope=Scope(
            allow_article=in_story, exclude=scope.exclude, prefer_recent=scope.prefer_recent
        ),
    )
    return answer if answer.answered else None


def _more(engine: Engine, reading: Reading, k: int, shown: frozenset) -> Answer:
    last = reading.refers_to
    period = reading.period
    scope = _scope(engine, period, shown)
    quotes: list[Quote] = []
    person = reading.person
    if person is None:  # more answers to a question that was not about a person
        assert last is not None
        answer = engine.ask(last.read_as, k, scope=scope)
        quotes = list(answer.quotes) if answer.answered else []
    else:
        if reading.topic:
            answer = engine.ask(reading.question, k, scope=scope)
            if answer.answered:
                quotes = [q for q in answer.quotes if _spoken_by(engine, q.speaker, person)]
        if len(quotes) < k:
            taken = shown | {(q.source.article_id, q.start, q.end) for q in quotes}
            first = tuple(dict.fromkeys(q.source.article_id for q in last.quotes)) if last else ()
            quotes += quotes_of(
                engine,
                person,
                k - len(quotes),
                exclude=taken,
                period=period,
                articles_first=first,
                topic=reading.topic,
            )
    notes = _period_notes(engine, period)
    if not quotes:
        who = person or "that question"
        reason = (
            f"That is all I found from {who}: every quote of theirs has been shown."
            if person
            else f"That is all I found for {who}: every answer has been shown."
        )
        return Answer(
            question=reading.asked,
            answered=False,
            reason=reason,
            kind="more",
            read_as=reading.shown,
            period=period,
            notes=notes,
        )
    return Answer(
        question=reading.asked,
        answered=True,
        quotes=tuple(quotes[:k]),
        kind="more",
        read_as=reading.shown,
        period=period,
        notes=notes,
    )


def _spoken_by(engine: Engine, speaker: str | None, person: str) -> bool:
    if not speaker:
        return False
    analyze = engine.config.analyzer.query_tokens
    wanted = analyze(person)
    said = set(analyze(speaker))
    return bool(wanted) and (set(wanted) <= said or wanted[-1] in said)


# How many passages are searched for a person's name when listing their quotes.
_PERSON_PASSAGES = 50
_QUOTE_MIN_WORDS = 4


def quotes_of(
    engine: Engine,
    person: str,
    limit: int,
    *,
    exclude: frozenset[tuple[str, int, int]] = frozenset(),
    period: Period | None = None,
    articles_first: Sequence[str] = (),
    topic: str = "",
) -> list[Quote]:
    """``person``'s quotations that were not shown yet, as whole sentences: those in
    ``articles_first`` (the story being discussed) first, then the articles that name the person
    most, by search rank; within an article, the ones about ``topic`` first, then in order."""
    analyzer = engine.config.analyzer
    wanted = analyzer.query_tokens(person)
    if not wanted:
        return []
    try:
        hits = engine.search(person, _PERSON_PASSAGES)
    except BadInput:
        return []
    order = list(dict.fromkeys([*articles_first, *(h.source.article_id for h in hits)]))
    topic_terms = set(analyzer.query_tokens(topic)) if topic else set()
    summaries = {a.id: a for a in engine.articles()}
    out: list[Quote] = []
    for article_id in order:
        if article_id not in summaries:
            continue
        article = engine.article(article_id)
        if period is not None and not in_period(article.published, period):
            continue
        analysis = engine.analysis(article)
        found = []
        for quotation in analysis.quotations:
            if len(article.text[quotation.start : quotation.end].split()) < _QUOTE_MIN_WORDS:
                continue  # a scare quote ("a “four-year plan”") is not something they said
            cue = article.text[max(quotation.cue_start, 0) : max(quotation.cue_end, 0)]
            said = set(analyzer.query_tokens(f"{quotation.speaker or ''} {cue}"))
            if not (set(wanted) <= said or wanted[-1] in said):
                continue
            sentences = analysis.sentences_in(quotation.start, quotation.end)
            if not len(sentences):
                continue
            start = analysis.sentences[sentences[0]][0]
            end = analysis.sentences[sentences[-1]][1]
            if any(a == article.id and s < end and start < e for a, s, e in exclude):
                continue
            terms = {t for i in sentences for t in analysis.tokens[i]}
            found.append((-len(terms & topic_terms), start, end, quotation.speaker))
        for _, start, end, speaker in sorted(found):
            if any(
                q.source.article_id == article.id and q.start < end and start < q.end for q in out
            ):
                continue
            out.append(
                Quote(
                    text=article.text[start:end],
                    start=start,
                    end=end,
                    passage_id=_passage_at(
                        engine, article.id, start, summaries[article.id].passages
                    ),
                    score=0.0,
                    speaker=speaker or person,
                    source=Source.of(article),
                )
            )
            if len(out) >= limit:
                return out
    return out


def _passage_at(engine: Engine, article_id: str, offset: int, count: int) -> str:
    """The id of the first passage holding ``offset``."""
    for ordinal in range(count):
        stored = engine.store.passage_by_ordinal(article_id, ordinal)
        if stored is not None and stored.start <= offset < stored.end:
            return passage_id(article_id, ordinal)
    return passage_id(article_id, 0)


# ---- what a turn leaves behind
def turn_of(reading: Reading, answer: Answer, at: float) -> Turn:
    """The turn to remember. Its person is whom the next "he" means: the speaker of the first
    quote, else the person the question named."""
    person = reading.person
    if answer.quotes and answer.quotes[0].speaker and answer.kind in {"quotes", "more"}:
        person = answer.quotes[0].speaker
    elif person is None and reading.kind == "question":
        # "Who congratulated Lukashenko?": the next "he" is the person the question named.
        named = names_in(reading.question)
        person = named[0] if named else None
    if reading.kind in META_KINDS and reading.refers_to is not None:
        person = reading.refers_to.person
    read_as = reading.question or reading.asked
    if reading.kind == "more" and not reading.question:
        # What a later "And about Russia?" builds on.
        if reading.person:
            read_as = f"What did {reading.person} say?"
        elif reading.refers_to is not None:
            read_as = reading.refers_to.read_as
    return Turn(
        asked=reading.asked,
        read_as=read_as,
        kind=answer.kind,
        person=person,
        period=answer.period if answer.kind in {"quotes", "more"} else reading.period,
        quotes=answer.quotes if answer.kind in {"quotes", "more"} else (),
        at=at,
    )
