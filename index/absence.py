"""Evidence that the corpus has no answer, and the reason to give.

A question is declined on evidence, not on a low score:

1. a person it names is in no article ("No article mentions Angela Merkel."): a term of the
   name that no passage holds (``backend.doc_freq`` is 0);
2. the person and the topic are both in the corpus but never in one article ("Articles mention
   Gordon Brown and the Xbox, but never together."): among the articles retrieved for the whole
   question (BM25 ranks first the passages that hold both), none names the person and covers
   most of the topic's weight;
3. no retrieved passage is about the question's key terms (checked on the candidates by
   :mod:`index.answer`, which words the reason with :func:`not_covered`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet

from index.candidates import Retrieved, RetrievedArticle
from index.features import coverage
from index.question import Question


def absent_name(question: Question, doc_freq: Callable[[str], int]) -> str | None:
    """The reason to decline when a name in the question occurs in no passage, else None.

    The speaker's surname decides for the speaker ("Sony's Akio Morita": "morita"); any other
    name counts as absent only when none of its words occurs anywhere (a name of several
    common words may still be a topic in other words)."""
    speaker = question.speaker
    named = speaker is not None and speaker.name and speaker.name_terms
    if speaker is not None and named and doc_freq(speaker.name_terms[-1]) == 0:
        return f"No article mentions {speaker.name}."
    for name in question.names:
        if speaker is not None and name.text == speaker.name:
            continue
        if name.terms and all(doc_freq(t) == 0 for t in name.terms):
            return f"No article mentions {name.text}."
    return None


_ACRONYM_RE = re.compile(r"[A-Z][A-Z.&]{1,7}")


def _name_key(text: str, terms: tuple[str, ...]) -> str:
    """The term that stands for a name: its last, unless that word is written in capitals
    ("Globo TV" → "globo"); "" for a name in capitals alone ("CIA"), which the article may
    spell out."""
    words = text.split()
    if len(words) == len(terms):
        kept = [t for w, t in zip(words, terms, strict=True) if not _ACRONYM_RE.fullmatch(w)]
        return kept[-1] if kept else ""
    return "" if _ACRONYM_RE.fullmatch(text) else terms[-1]


# A country's other names, as analysed ("America's partners" in an article on "the U.S.").
_OTHER_NAMES: dict[str, tuple[str, ...]] = {
    "america": ("us", "usa"),
    "us": ("america", "usa"),
    "usa": ("us", "america"),
    "britain": ("uk",),
    "uk": ("britain",),
    # an institution named by its adjective ("Congressional reform", "Parliamentary vote")
    "congress": ("congression",),
    "parliament": ("parliamentari",),
    "senat": ("senatori",),
    "presid": ("presidenti",),
}


def never_together(
    question: Question,
    retrieved: Retrieved,
    idf: dict[str, float],
    min_topic: float,
    doc_freq: Callable[[str], int],
    title_terms: Callable[[RetrievedArticle], set[str]] = lambda _: set(),
) -> str | None:
    """The reason to decline when the question's speaker and topic are in the corpus but never
    in one article; None when some article holds both, or when there is no evidence either way.

    Evidence is positive only: a name of the topic ("the Xbox") that is in the corpus but in no
    retrieved article naming the speaker; or a retrieved article without the speaker that covers
    at least ``min_topic`` of the topic's weight while none with the speaker does. Topic words
    no article holds are left out (a paraphrase is no evidence of absence)."""
    speaker = question.speaker
    if speaker is None or not speaker.name_terms or not question.topic:
        return None
    surname = speaker.name_terms[-1]
    # An article's headline is part of it ("… POSSIBLE U.K. TABLOID" over a text that says
    # "Britain"), though it is not indexed as a passage.
    terms_of = {id(a): a.terms | title_terms(a) for a in retrieved.articles}
    with_person = [a for a in retrieved.articles if surname in terms_of[id(a)]]
    without = [a for a in retrieved.articles if surname not in terms_of[id(a)]]
    speaker_terms = set(speaker.terms)
    # A name written in capitals may be spelled out in the article ("CIA", "the Central
    # Intelligence Agency"): no evidence either way.
    topic_names = [
        (key, n.text)
        for n in question.names
        if n.text != speaker.name
        and not set(n.terms) <= speaker_terms
        and (key := _name_key(n.text, n.terms))
        and doc_freq(key)
    ]
    known = [t for t in question.topic if doc_freq(t) > 0]
    if not known:
        return None

    def holds_topic(terms: AbstractSet[str]) -> bool:
        return coverage(known, terms, idf) >= min_topic

    def names_in(entry: RetrievedArticle) -> bool:
        """Whether an article holds most of the topic's names: a question that names the
        occasion ("after seeing Delors in Brussels") may hold a detail the article leaves out."""
        terms = terms_of[id(entry)]
        held = sum(
            t in terms
            or not terms.isdisjoint(_OTHER_NAMES.get(t, ()))
            or _shortened(name, entry.article.text)
            for t, name in topic_names
        )
        return 2 * held >= len(topic_names)

    together = [a for a in with_person if names_in(a)]
    if any(holds_topic(terms_of[id(a)]) for a in together):
        return None
    name_apart = bool(topic_names) and not together
    topic_apart = any(holds_topic(terms_of[id(a)]) for a in without)
    if not (name_apart or topic_apart):
        return None
    topic = question.topic_text or " ".join(question.topic)
    return f"Articles mention {speaker.name} and {topic}, but never together."


def _shortened(name: str, text: str) -> bool:
    """Whether a one-word name is the short form of a longer word the article prints: "the
    Merc" of the Chicago Mercantile Exchange, "Iran" in "Iranian" (by its start)."""
    word = name.split()[-1] if name.split() else ""
    if len(word) < 4 or not word.isalpha():
        return False
    # (str.find, not a regex over the whole text: an encyclopaedia article is 50k characters,
    # and a regex scan of it cost up to a millisecond per name)
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if end < len(text) and text[end].islower() and (at == 0 or not text[at - 1].isalnum()):
            return True
        at = text.find(word, end)
    return False


def not_covered(question: Question) -> str:
    """The reason to decline when no retrieved passage is about the question's key terms."""
    about = question.topic_text or question.text.strip().rstrip("?")
    return f"No indexed passage is about {about}."
