"""From scored candidates to the 1–3 quotes of an answer, and the exact span of each.

A quotation is quoted whole (all the sentences it runs over, so the cue "…,” Lukashenko said"
comes with it), with the rest of its speaker's run of quotations in the paragraph ('"…," Brandt
said. "…," he added.'); a sentence that leans on the one before it ("These include …") is
quoted with that one. Every quote is a span of the article's text, never longer than
:data:`MAX_QUOTE_CHARS` whatever the article's shape (a 5 MB single-line page, a quotation never closed): an oversized
span is cut down around the part that answers, on word boundaries.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from index.candidates import Candidate, is_statement
from index.speech import Quotation

MAX_QUOTE_CHARS = 1200
_WORD = re.compile(r"\w+")


def choose(scored: Sequence[Candidate], limit: int, second_ratio: float) -> list[Candidate]:
    """The best ``limit`` candidates that do not overlap one another (a candidate inside the
    same quotation as a better one joins it), dropping those under ``second_ratio`` × best."""
    chosen: list[Candidate] = []
    if not scored:
        return chosen
    best = scored[0].score
    words_chosen: set[str] = set()
    for cand in scored:
        if len(chosen) >= limit:
            break
        if chosen and cand.score < best * second_ratio:
            break
        if any(_same_statement(other, cand) for other in chosen):
            continue
        # The same words printed by two copies of a story (a wire text and its update, two
        # sites running one agency story) are one quote, whatever their punctuation: the
        # better-ranked copy keeps it.
        words = _words_of(cand)
        if words in words_chosen:
            continue
        other = next((o for o in chosen if _overlaps(o, cand)), None)
        if other is not None:
            # "It has a height of 617 ft." leaning on a chosen "The tallest building is the
            # Bank of America Tower.": the chosen quote takes it in, rather than losing it.
            if cand.lean_start is not None and other.start <= cand.lean_start < other.end:
                other.end = max(other.end, cand.end)
            continue
        chosen.append(cand)
        words_chosen.add(words)
    return chosen


def _words_of(cand: Candidate) -> str:
    """The quote's words without punctuation or case: an update that adds a comma is a copy."""
    start, end = quote_span(cand)
    return " ".join(_WORD.findall(cand.article.text[start:end].casefold()))


def by_score(cand: Candidate) -> tuple[float, int, str, int]:
    """Sort key: best first; on a tie the newest article, then a fixed order (article id,
    position), so an answer never depends on the order the index was built in."""
    published = cand.article.published
    return (-cand.score, -(published.toordinal() if published else 0), cand.article.id, cand.start)


def _same_statement(a: Candidate, b: Candidate) -> bool:
    return (
        a.article.id == b.article.id
        and a.statement is not None
        and b.statement is not None
        and a.statement.start == b.statement.start
    )


def _overlaps(a: Candidate, b: Candidate) -> bool:
    a_start, a_end = quote_span(a)
    b_start, b_end = quote_span(b)
    return a.article.id == b.article.id and a_start < b_end and b_start < a_end


def quote_span(cand: Candidate) -> tuple[int, int]:
    """The span to quote for ``cand``: its sentences, the whole quotation it is part of, the
    sentence it leans on; cut to :data:`MAX_QUOTE_CHARS` around its start if longer."""
    analysis = cand.analysis
    start, end = cand.start, cand.end
    if cand.lean_start is not None:
        start = min(start, cand.lean_start)
    quotation = cand.statement if cand.direct else None
    if quotation is None and cand.statement is None:
        quotation = analysis.quotation_at(cand.start, cand.end)
    if quotation is not None:
        q_start, q_end = (
            _run_of(cand, quotation) if cand.direct else (quotation.start, quotation.end)
        )
        spans = [analysis.sentences[i] for i in analysis.sentences_in(q_start, q_end)]
        if spans:
            whole = (min(start, spans[0][0]), max(end, spans[-1][1]))
            if whole[1] - whole[0] <= MAX_QUOTE_CHARS:
                start, end = whole
            else:
                start, end = _grow(spans, cand.start, cand.end)
    if end - start > MAX_QUOTE_CHARS:
        start, end = _cut(cand.article.text, start, end, cand.start)
    return start, end


def _run_of(cand: Candidate, quotation: Quotation) -> tuple[int, int]:
    """The span of the speaker's run of quotations around ``quotation`` ('"…," Brandt said.
    "…," he added.'): news splits one statement so, and the reader wants it whole. A run stays
    in its paragraph, but for a quotation that opens the next one with no cue of its own (the
    statement goes on). Another speaker's quotation ends the run; so does the size cap, which
    also bounds the walk along a long run."""
    analysis = cand.analysis
    quotations = analysis.quotations
    if quotation.person < 0:
        return quotation.start, quotation.end
    text = cand.article.text

    def goes_on(then: Quotation) -> bool:
        # A quotation going on with the statement opens its paragraph and ends a sentence:
        # not another's words inside the paragraph ('… described the plan as "…"'), nor a
        # title opening it ('"The Harbour at the End of the World" opens on Friday').
        paragraph_start = analysis.paragraphs[analysis.paragraph_of(then.start)][0]
        return (
            then.cue_start < 0
            and not text[paragraph_start : then.start].strip()
            and text[then.start : then.end].rstrip("\"”’' ").endswith((".", "!", "?", "…"))
        )

    def another_speaks_between(first: Quotation, then: Quotation) -> bool:
        # '"…," Bieber said. The union said it would strike. "…," he added.': words reported
        # between the two, outside their own cues, are someone else's
        between = [(first.end, then.start)]
        for cue in (first, then):
            if cue.cue_start >= 0:
                between = [
                    part
                    for lo, hi in between
                    for part in ((lo, min(hi, cue.cue_start)), (max(lo, cue.cue_end), hi))
                    if part[0] < part[1]
                ]
        return any(_SAYING_RE.search(text, lo, hi) for lo, hi in between)

    def joins(first: Quotation, then: Quotation, start: int, end: int) -> bool:
        gap = analysis.paragraph_of(then.start) - analysis.paragraph_of(first.end - 1)
        return (
            first.person == then.person == quotation.person
            and (gap == 0 or (gap == 1 and goes_on(then)))
            and max(end, then.end) - min(start, first.start) <= MAX_QUOTE_CHARS
            and is_statement(text, first)
            and is_statement(text, then)
            and not another_speaks_between(first, then)
        )

    at = bisect.bisect_left(quotations, quotation.start, key=lambda q: q.start)
    start, end = quotation.start, quotation.end
    lo = hi = at
    while lo > 0 and joins(quotations[lo - 1], quotations[lo], start, end):
        lo -= 1
        start = quotations[lo].start
    while hi + 1 < len(quotations) and joins(quotations[hi], quotations[hi + 1], start, end):
        hi += 1
        end = quotations[hi].end
    return start, end


_SAYING_RE = re.compile(r"\b(?:said|says|told|tells|added|adds|according)\b")


def _grow(spans: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """Sentences around ``[start, end)`` added one at a time while the span fits the cap."""
    inside = [i for i, (s, e) in enumerate(spans) if s < max(end, start + 1) and start < e]
    if not inside:
        return start, end
    lo = hi = inside[0]
    while True:
        grown = False
        if hi + 1 < len(spans) and spans[hi + 1][1] - spans[lo][0] <= MAX_QUOTE_CHARS:
            hi += 1
            grown = True
        if lo > 0 and spans[hi][1] - spans[lo - 1][0] <= MAX_QUOTE_CHARS:
            lo -= 1
            grown = True
        if not grown:
            break
    return spans[lo][0], spans[hi][1]


def _cut(text: str, start: int, end: int, focus: int) -> tuple[int, int]:
    """At most :data:`MAX_QUOTE_CHARS` of ``text[start:end]``, starting a little before
    ``focus``, on whitespace where there is any (never splitting a word when it can help it)."""
    focus = min(max(focus, start), end)
    lo = max(start, focus - MAX_QUOTE_CHARS // 4)
    hi = min(end, lo + MAX_QUOTE_CHARS)
    lo = max(start, hi - MAX_QUOTE_CHARS)
    if lo > start:
        space = text.find(" ", lo, min(hi, lo + 80))
        if space != -1:
            lo = space + 1
    if hi < end:
        space = text.rfind(" ", max(lo, hi - 80), hi)
        if space > lo:
            hi = space
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    if lo >= hi:  # only whitespace: keep one character so the span is never empty
        return start, start + 1
    return lo, hi
