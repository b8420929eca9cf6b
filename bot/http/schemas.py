"""Request bodies and query parameters of the HTTP API. Responses are the models of index/models.py."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.http.errors import ApiError


class AddArticleRequest(BaseModel):
    """``POST /api/articles`` with a JSON body: the page to fetch, extract and index."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: str = Field(min_length=1, max_length=2048, description="An http(s) URL of an article.")


M = TypeVar("M", bound=BaseModel)

ADD_ARTICLE_EXAMPLE = '{"url": "https://example.com/news/article.html"}'


def parse_body(model: type[M], raw: bytes, example: str) -> M:
    """Validate a JSON body: 400 when it is not JSON at all, 422 when it is the wrong shape."""
    try:
        return model.model_validate_json(raw or b"")
    except ValidationError as err:
        first = err.errors()[0]
        if first["type"] == "json_invalid":
            raise ApiError(400, f"The body is not valid JSON. Send e.g. {example}") from None
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise ApiError(
            422, f"Invalid request body: {where}: {first['msg']}. Send e.g. {example}"
        ) from None


def int_param(
    value: str | None, name: str, *, default: int | None, low: int, high: int
) -> int | None:
    """A whole-number query parameter within [low, high]; 400 with the range otherwise."""
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise ApiError(400, f"'{name}' must be a whole number from {low} to {high}.")
    return number


def day_param(value: str | None, name: str, today: date, *, end: bool = False) -> date | None:
    """A date query parameter: ISO (2024-03-01), a month or year, or words like "last week"."""
    from index.dates import parse_day

    if value is None or not value.strip():
        return None
    try:
        return parse_day(value, today, end=end)
    except ValueError as err:
        raise ApiError(400, f"'{name}': {err}") from None
