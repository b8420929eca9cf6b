"""Paragraphs and sentences as exact ``[start, end)`` spans into the text as given.

A careful regex segmenter rather than a library: pysbd is accurate but far too slow for a
million-passage build, and NLTK's punkt needs trained data files. Here one regex finds the
*candidate* sentence ends (terminal punctuation, any closing quotes or brackets, then whitespace)
inside each paragraph, and a few Python checks per candidate — not per character — decide.

Rules (the tests pin each one):

* Paragraphs are separated by one or more line breaks (any of ``str.splitlines``' separators);
  spans are trimmed of whitespace. Sentences never cross a paragraph, so a title or a
  "By NAME" line with no final punctuation is a sentence of its own.
* A sentence ends after ``.``, ``?``, ``!``, ``…`` (or runs of them) plus any closing quotes and
  brackets that follow: ``“It is done.” Then he left.`` splits after ``”``. A full stop inside a
  quotation splits there too (``“… priority for us. Thanks to …,” he said`` is two sentences).
* No split when the next word starts with a lower-case letter (``“Why?” he asked.``, ``etc. and``),
  nor after a ``?``/``!`` that closes a quotation followed within a few words by a speech verb
  (``“Are we ready?” Lukashenko asked.``).
* Titles (Mr., Mrs., Dr., Gen., Sen., Prof., …) and vs., e.g., i.e., cf. never end a sentence.
* No., Art., Fig., Vol., pp. and the abbreviated months (Jan. … Dec.) do not end one before a number
  (``No. 5``, ``Jan. 5``).
* Ambiguous abbreviations — single letters (initials: ``J. R. R. Tolkien``, ``George W. Bush``),
  dotted initialisms (``U.S.``, ``U.K.``, ``a.m.``, ``p.m.``), Inc./Corp./Ltd./Co./Jr./Sr./St./etc.
  and months not followed by a number — end a sentence only when the next word is a typical
  sentence opener (The, He, It, But, …) or an opening quote. So ``at 5 p.m. The next day`` splits,
  ``5 p.m. Monday`` and ``the U.S. State Department`` do not.
* Decimals and times (``3.5``, ``10.30``) never split: a candidate needs whitespace after it.

Hard caps, whatever the input's shape, so that memory and passage sizes follow the useful text
(a 5 MB single-line article, or a file of a million one-character lines):

* A sentence longer than :data:`MAX_SENTENCE_CHARS` is cut at the last whitespace before the cap
  (or at the cap when there is none), so no sentence, passage or quote grows without bound.
* An article has at most :data:`MAX_PARAGRAPHS` paragraphs: the last one runs to the end of the
  text. After :data:`MAX_SENTENCES` sentences, the rest of each paragraph is cut by the length cap
  only (no more rule checks per candidate).
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    """A word list written as whitespace-separated text (easier to read and edit)."""
    return frozenset(text.split())


# str.splitlines' separators: \n \r \v \f \x1c \x1d \x1e \x85 \u2028 \u2029.
_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# One trimmed paragraph: non-space first and last, no line break inside.
_PARAGRAPH_RE = re.compile(rf"[^\s](?:[^{_BREAKS}]*[^\s])?")

_CLOSERS = "\"'”’»)\\]}"
_OPENERS = "\"“‘«([{'"
# Terminal marks + closers, the whitespace after, and (peeked) the next character. Starting the
# pattern with one character class lets the regex engine skip ahead fast: ~3x quicker than
# "(?:[.?!]|…)+".
_CANDIDATE_RE = re.compile(rf"([.?!…][.?!…{_CLOSERS}]*)\s+(?=(\S))")
_PREV_WINDOW = 40

MAX_SENTENCE_CHARS = 1500
MAX_PARAGRAPHS = 10_000
MAX_SENTENCES = 20_000

_NEVER_FINAL = _words(
    """
    mr mrs ms messrs mme mlle dr prof sen gen gov rep lt col capt cmdr sgt adm maj rev hon pres
    supt insp amb vs v e.g i.e cf viz
    """
)
_NOT_BEFORE_NUMBER = _words(
    """
    no nos art fig figs vol vols ch sec sect pp p approx ca nr
    jan feb mar apr jun jul aug sep sept oct nov dec
    """
)
_AMBIGUOUS = _words(
    """
    inc corp ltd co bros plc llc jr sr st etc al mt ft ave blvd rd
    jan feb mar apr jun jul aug sep sept oct nov dec
    """
)
_SENTENCE_OPENERS = _words(
    """
    the a an he she it they we i you this that these those there here his her its their our my
    but and or so yet however in on at for from by with after before when while if as although
    though meanwhile then now also still some many most one both each all not what who why how
    where which despite during since until according last next earlier later today yesterday
    tomorrow officials analysts critics experts such other another no nor instead indeed
    """
)
# Verbs that often follow a "?"/"!" quotation in the same sentence ("…?” she asked.).
_QUOTE_VERBS = _words(
    """
    said says asked asks added cried shouted exclaimed wondered replied told wrote demanded
    insisted declared answered yelled
    """
)


# A line that ends like this closes its paragraph even without a blank line after it (the seeds
# put one paragraph per line); any other line is hard-wrapped prose that the next line continues.
_LINE_CLOSES = frozenset(".?!…:;" + _CLOSERS)
_SHORTEST_WRAPPED_LINE = 50
_BLOCK_START_RE = re.compile(r"[#>*+|-]|\d+[.)]\s")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Non-empty paragraphs, trimmed of surrounding whitespace.

    A blank line always ends a paragraph. A single line break ends one when the line before it
    ends a sentence, is short (a caption or heading), or the next line starts a Markdown block
    such as a list item; otherwise the break is a hard wrap inside the paragraph, as in wrapped
    Markdown, and a sentence (or a quotation) may continue over it.
    """
    out: list[tuple[int, int]] = []
    for match in _PARAGRAPH_RE.finditer(text):
        start, end = match.span()
        if out and (len(out) >= MAX_PARAGRAPHS or _continues(text, out[-1][1], start)):
            out[-1] = (out[-1][0], end)  # past the cap, the last paragraph runs to the end
        else:
            out.append((start, end))
    return out


def _continues(text: str, prev_end: int, start: int) -> bool:
    gap = text[prev_end:start]
    if gap.count("\n") + gap.count("\r") - gap.count("\r\n") != 1 or gap.strip(" \t\n\r"):
        return False  # a blank line (or another kind of break) between them
    if text[prev_end - 1] in _LINE_CLOSES:
        return False
    line_start = text.rfind("\n", 0, prev_end) + 1
    if prev_end - line_start < _SHORTEST_WRAPPED_LINE:
        return False  # a caption, heading or dateline ("Photo:Reuters"), not wrapped prose
    return _BLOCK_START_RE.match(text, start) is None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences within paragraphs, trimmed; ``text[s:e]`` is the verbatim sentence."""
    out: list[tuple[int, int]] = []
    for p_start, p_end in paragraph_spans(text):
        start = p_start
        if len(out) < MAX_SENTENCES:
            # A trimmed paragraph ends in non-space, so every candidate here has a next word.
            for cand in _CANDIDATE_RE.finditer(text, p_start, p_end):
                if _ends_sentence(text, start, cand):
                    _append_capped(text, out, start, cand.end(1))
                    start = cand.end()
                    if len(out) >= MAX_SENTENCES:
                        break
        _append_capped(text, out, start, p_end)
    return out


def _append_capped(text: str, out: list[tuple[int, int]], start: int, end: int) -> None:
    """Append the sentence ``[start, end)``, cut into trimmed pieces of at most
    :data:`MAX_SENTENCE_CHARS` characters (at whitespace when there is some)."""
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = _last_space(text, start + MAX_SENTENCE_CHARS // 2, limit)
        piece_end = cut if cut is not None else limit
        while text[piece_end - 1].isspace():
            piece_end -= 1
        out.append((start, piece_end))
        start = piece_end
        while text[start].isspace():  # the sentence ends in non-space, so this stops
            start += 1
    out.append((start, end))


def _last_space(text: str, low: int, high: int) -> int | None:
    """The position of the last whitespace character in ``text[low:high]``, or None."""
    for at in range(high - 1, low - 1, -1):
        if text[at].isspace():
            return at
    return None


def _ends_sentence(text: str, s_start: int, cand: re.Match[str]) -> bool:
    first = cand.group(2)
    if first.islower():
        return False
    marks = cand.group(1)
    if "?" in marks or "!" in marks:
        closes_quote = any(q in marks for q in '"”’»')
        return not (closes_quote and _speech_follows(text, cand.end()))
    if "…" in marks or ".." in marks:
        return True
    prev = text[max(s_start, cand.start() - _PREV_WINDOW) : cand.start()].split()
    if not prev:
        return True  # a bare "." opening a sentence: end it, nothing to attach it to
    word = prev[-1].lstrip(_OPENERS)
    key = word.lower()
    if key in _NEVER_FINAL:
        return False
    if key in _NOT_BEFORE_NUMBER and first.isdigit():
        return False
    ambiguous = (
        key in _AMBIGUOUS
        or (len(word) == 1 and word.isalpha())
        or ("." in word and all(p.isalpha() and len(p) <= 2 for p in word.split(".")))
    )
    if ambiguous:
        return first in _OPENERS or _next_word(text, cand.end()) in _SENTENCE_OPENERS
    return True


def _next_word(text: str, at: int) -> str:
    words = text[at : at + 30].split(maxsplit=1)
    return words[0].rstrip(",;:.!?\"”’'").lower() if words else ""


def _speech_follows(text: str, at: int) -> bool:
    """True when a speech verb comes within the next four words (``…?” Lukashenko asked``)."""
    words = text[at : at + 80].split()[:4]
    return any(w.strip(",.;:!?").lower() in _QUOTE_VERBS for w in words)
