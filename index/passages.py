"""Sentence-aligned passages: the unit the search backend indexes.

A passage is a run of whole sentences of about ``max_words`` words; consecutive passages share
``overlap`` sentences, and passages may cross paragraph breaks. Crossing matters in news: the
sentence that names who was met ("During a meeting with Li Zhanshu, …") is often one paragraph
before the quote that answers "what did he tell him". The sizes are the ones the quality benchmark
chose (see README, "Choosing the passage size").

A passage is also at most ``max_chars`` characters (unless its one sentence is longer; sentences
are capped in :mod:`index.segment`), so a text of very long "words" cannot make huge passages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.models import Article, Passage, Span

_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class ChunkConfig:
    max_words: int = 120
    overlap: int = 1
    cross_paragraphs: bool = True
    max_chars: int = 4000

    @property
    def fingerprint(self) -> str:
        return (
            f"w{self.max_words}-o{self.overlap}-{'x' if self.cross_paragraphs else 'p'}"
            f"-c{self.max_chars}"
        )


def passage_id(article_id: str, ordinal: int) -> str:
    return f"{article_id}:{ordinal}"


def split_passage_id(ident: str) -> tuple[str, int] | None:
    article_id, sep, ordinal = ident.rpartition(":")
    if not sep or not ordinal.isdigit():
        return None
    return article_id, int(ordinal)


def chunk(
    text: str,
    sentences: Sequence[tuple[int, int]],
    paragraphs: Sequence[tuple[int, int]],
    config: ChunkConfig,
) -> list[tuple[int, int]]:
    """Group sentence indexes into passages; returns ``[first, last)`` sentence index ranges."""
    if not sentences:
        return []
    words = [len(_WORD.findall(text, s, e)) for s, e in sentences]
    para_of = _paragraph_index(sentences, paragraphs)
    groups: list[tuple[int, int]] = []
    first = 0
    n = len(sentences)
    while first < n:
        last = first + 1
        count = words[first]
        while last < n and count + words[last] <= config.max_words:
            if not config.cross_paragraphs and para_of[last] != para_of[first]:
                break
            if sentences[last][1] - sentences[first][0] > config.max_chars:
                break
            count += words[last]
            last += 1
        groups.append((first, last))
        if last >= n:
            break
        first = max(last - config.overlap, first + 1)
    return groups


def _paragraph_index(
    sentences: Sequence[tuple[int, int]], paragraphs: Sequence[tuple[int, int]]
) -> list[int]:
    out, p = [], 0
    for start, _ in sentences:
        while p + 1 < len(paragraphs) and paragraphs[p][1] <= start:
            p += 1
        out.append(p)
    return out


def make_passages(
    article: Article,
    sentences: Sequence[tuple[int, int]],
    paragraphs: Sequence[tuple[int, int]],
    config: ChunkConfig,
) -> list[Passage]:
    passages = []
    for ordinal, (first, last) in enumerate(chunk(article.text, sentences, paragraphs, config)):
        start, end = sentences[first][0], sentences[last - 1][1]
        passages.append(
            Passage(
                id=passage_id(article.id, ordinal),
                article_id=article.id,
                ordinal=ordinal,
                start=start,
                end=end,
                text=article.text[start:end],
                sentences=tuple(Span(start=s, end=e) for s, e in sentences[first:last]),
            )
        )
    return passages
