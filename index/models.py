"""The contracts: every piece of data that crosses a module boundary.

The CLI's ``--json``, the HTTP API and the Discord renderer all serialise these models;
nothing else defines the shape of an answer.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(_Model):
    """A half-open ``[start, end)`` character span into an article's text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Article(_Model):
    id: str = Field(description="Stable id: explicit, or derived from the file name / title.")
    title: str
    text: str
    author: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: date | None = None
    language: str = "en"
    tags: tuple[str, ...] = ()
    source_path: str | None = Field(
        default=None, description="Where the article came from, relative to the corpus dir."
    )
    content_hash: str = Field(description="sha256 of the normalised title + text.")


class Problem(_Model):
    """A file (or a line of one) that could not be read, and why."""

    path: str
    reason: str


class Passage(_Model):
    id: str
    article_id: str
    ordinal: int = Field(ge=0)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    sentences: tuple[Span, ...] = Field(description="Sentence spans, in article offsets.")


class Source(_Model):
    article_id: str
    title: str
    author: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: date | None = None

    @classmethod
    def of(cls, article: Article) -> Source:
        return cls(
            article_id=article.id,
            title=article.title,
            author=article.author,
            publisher=article.publisher,
            url=article.url,
            published=article.published,
        )


class Quote(_Model):
    text: str = Field(description="Exactly article.text[start:end].")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    passage_id: str
    score: float
    speaker: str | None = None
    speech: Literal["direct", "reported"] | None = Field(
        default=None,
        description="'direct': the speaker's own words in quotation marks; 'reported': a "
        "sentence reporting what they said (no quotation of theirs fits); null otherwise.",
    )
    source: Source


class Period(_Model):
    """Publication dates a question asks about ("last week", "in March"), resolved to a range
    (inclusive; None = open), and/or a wish for the newest articles first ("latest")."""

    start: date | None = None
    end: date | None = None
    latest: bool = False
    words: str = Field(default="", description="The time words as the question put them.")
    explicit: bool = Field(
        default=False,
        description="A named month, year or day, which could also be part of the topic.",
    )


class Answer(_Model):
    question: str
    answered: bool
    quotes: tuple[Quote, ...] = ()
    reason: str | None = Field(default=None, description="Why there is no answer, for people.")
    kind: str = Field(
        default="quotes",
        description="'quotes' (a search), 'more' (further quotes of the same person), or a reply "
        "about the last answer without a search: 'speaker', 'source', 'link', 'date'.",
    )
    read_as: str | None = Field(
        default=None,
        description="How the question was read when it differs from what was asked: a follow-up "
        "completed from the conversation, time words turned into dates.",
    )
    reply: str | None = Field(
        default=None, description="A short reply in words ('Lukashenko said that.'), if any."
    )
    period: Period | None = None
    notes: tuple[str, ...] = Field(
        default=(), description="What else the reader should know, e.g. undated articles set aside."
    )
    conversation_id: str | None = Field(
        default=None, description="Pass it back with the next question to ask a follow-up."
    )


class Turn(_Model):
    """What a conversation remembers of one question and its answer."""

    asked: str
    read_as: str = Field(description="The question as answered (completed follow-ups).")
    kind: str = "quotes"
    person: str | None = Field(default=None, description="Who the turn was about.")
    period: Period | None = None
    quotes: tuple[Quote, ...] = ()
    at: float = 0.0


class SearchHit(_Model):
    passage_id: str
    score: float
    text: str
    start: int
    end: int
    source: Source


class ArticleSummary(_Model):
    id: str
    title: str
    author: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: date | None = None
    language: str = "en"
    passages: int = 0
    source_path: str | None = None


class PassageView(_Model):
    """A passage with its neighbours, for ``source ID``."""

    passage: Passage
    source: Source
    before: str = ""
    after: str = ""


class TextPage(_Model):
    """One page of an article's text: whole paragraphs (a long one cut at a sentence end)."""

    page: int = Field(ge=1)
    pages: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str = Field(description="Exactly article.text[start:end].")


class SourceView(_Model):
    kind: str = Field(description="'article' or 'passage'.")
    article: ArticleSummary
    passage: PassageView | None = None
    passage_ids: tuple[str, ...] = ()
    text: TextPage | None = Field(default=None, description="For an article: a page of its text.")
    mark: Span | None = Field(
        default=None,
        description="For a passage asked as ID@START-END: the quoted span to mark (article offsets).",
    )


class ReindexReport(_Model):
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    skipped: tuple[Problem, ...] = ()
    articles: int = 0
    passages: int = 0
    seconds: float = 0.0
    full_rebuild: bool = False


class Progress(_Model):
    """One reindex progress event."""

    phase: str
    done: int = 0
    total: int = 0


class AddResult(_Model):
    """What ``add`` did with one article."""

    status: str = Field(description="'added', 'updated' or 'unchanged'.")
    article: ArticleSummary
    report: ReindexReport | None = None


class FeedbackQuote(_Model):
    """A quote as it was shown under a rated answer."""

    text: str
    passage_id: str
    speaker: str | None = None
    title: str = ""


class Feedback(_Model):
    question: str
    passage_ids: tuple[str, ...]
    user_hash: str
    vote: str = Field(pattern="^(up|down)$")
    at: str = Field(description="ISO 8601 UTC time of the vote.")
    id: str | None = Field(default=None, description="Names the vote, e.g. to supply an answer.")
    asked: str | None = Field(
        default=None, description="What was typed, when ``question`` is a follow-up read in full."
    )
    quotes: tuple[FeedbackQuote, ...] = ()
    message_url: str | None = Field(default=None, description="Link to the rated message.")


class FeedbackAnswer(_Model):
    """The right answer to a 👎'd question, supplied by an admin."""

    feedback_id: str
    answers: tuple[str, ...]
    at: str
