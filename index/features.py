"""What a candidate quote holds, as numbers: the features :mod:`index.answer` scores.

Every function here is pure and cheap (a candidate is a sentence or a statement, and there are
a few dozen per question): term coverage weighted by idf, how close the terms are, whether a
sentence holds the kind of thing asked for (a date for "when"), and how well a speaker found in
an article matches the one the question names.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet

from index.analysis import Speaker
from index.analyze import Analyzer
from index.question import SpeakerRef


def idf_of(num_docs: int, doc_freq: dict[str, int]) -> dict[str, float]:
    """Lucene's BM25 idf, ``ln(1 + (N − n + 0.5) / (n + 0.5))``, of every term."""
    n = max(num_docs, 1)
    return {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in doc_freq.items()}


class Coverage:
    """The share of the idf mass of ``wanted`` that is in a set of terms (1.0 when nothing is
    wanted), for one question's terms against many candidates' sets: the distinct terms and
    their weights are found once, not once per candidate (the inner loop of every question)."""

    __slots__ = ("_total", "_weighted")

    def __init__(self, wanted: Iterable[str], idf: dict[str, float]) -> None:
        self._weighted = [(t, idf.get(t, 0.0)) for t in set(wanted)]
        self._total = sum(w for _, w in self._weighted)

    def __call__(self, present: AbstractSet[str]) -> float:
        if self._total <= 0:
            return 1.0
        return sum(w for t, w in self._weighted if t in present) / self._total


def coverage(wanted: Iterable[str], present: AbstractSet[str], idf: dict[str, float]) -> float:
    """The share of the idf mass of ``wanted`` that is in ``present`` (1.0 when nothing is wanted)."""
    return Coverage(wanted, idf)(present)


def proximity(tokens: Sequence[str], wanted: set[str]) -> float:
    """Matched distinct terms over the shortest token window that holds them all (0..1)."""
    hits = [(pos, term) for pos, term in enumerate(tokens) if term in wanted]
    distinct = {t for _, t in hits}
    if len(distinct) < 2:
        return 0.0
    best = math.inf
    counts: dict[str, int] = {}
    left = 0
    for right in range(len(hits)):
        counts[hits[right][1]] = counts.get(hits[right][1], 0) + 1
        while len(counts) == len(distinct):
            best = min(best, hits[right][0] - hits[left][0] + 1)
            term = hits[left][1]
            counts[term] -= 1
            if not counts[term]:
                del counts[term]
            left += 1
    return min(1.0, len(distinct) / best) if best != math.inf else 0.0


# ---- the kind of answer
_YEAR = r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b"
_MONTH = (
    r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b"
)
_DAY = r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|tomorrow)\b"
_WHEN_RE = re.compile(f"{_YEAR}|{_MONTH}|{_DAY}|\\b(?:century|decade)\\b")
_NUMBER_RE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|dozen|several|half)\b",
    re.IGNORECASE,
)
_NAME_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w’'-]+")


def has_answer_type(
    kind: str, sentence: str, question_terms: set[str], analyzer: Analyzer
) -> bool | None:
    """True/False when the question expects a kind of answer; None when it expects none."""
    if kind == "when":
        return bool(_WHEN_RE.search(sentence))
    if kind == "count":
        return bool(_NUMBER_RE.search(sentence))
    if kind == "who":
        # (No check for "where": on the quality benchmark, place detection hurt more than helped.)
        for match in _NAME_RE.finditer(sentence):
            terms = analyzer.query_tokens(match.group(0))
            if terms and not set(terms) <= question_terms:
                return True
        return False
    return None


# A sentence that opens like this leans on the one before it ("These include the AKS test"):
# it is scored with that sentence's words too, and quoted together with it.
_LEANS_BACK = frozenset(
    {"these", "this", "those", "it", "its", "they", "their", "them", "he", "his", "him"}
    | {"she", "her", "such", "both", "either", "neither", "latter", "former"}
)
_FIRST_WORD = re.compile(r"([^\W_]+)")


def leans_back(sentence: str) -> bool:
    match = _FIRST_WORD.match(sentence)
    if match is None:
        return False
    word = match.group(1)
    return word[0].isupper() and word.casefold() in _LEANS_BACK


# ---- speakers
# Role words that name the same kind of person (analysed stems): "the Belarusian leader" is the
# article's "Belarusian President Alexander Lukashenko"; "its chief executive" may be its "CEO".
_ROLE_KIN: tuple[frozenset[str], ...] = (
    frozenset({"leader", "presid", "premier", "chancellor", "prime", "king", "queen", "head"}),
    frozenset({"chairman", "chairwoman", "chair", "chairperson", "head", "presid"}),
    frozenset({"spokesman", "spokeswoman", "spokesperson", "spokesmen"}),
    frozenset({"chief", "execut", "ceo", "presid", "head"}),
    frozenset({"minist", "secretari"}),
    frozenset({"analyst", "economist", "strategist", "expert"}),
    frozenset({"offici", "spokesman", "spokeswoman", "policymak"}),
    frozenset({"advis", "advisor", "aid", "consult"}),
    frozenset({"lawyer", "attorney", "counsel"}),
)
_KIN: dict[str, frozenset[str]] = {}
for _group in _ROLE_KIN:
    for _term in _group:
        _KIN[_term] = _KIN.get(_term, frozenset()) | _group


def speaker_match(ref: SpeakerRef, speaker: Speaker, article_terms: AbstractSet[str]) -> float:
    """How well ``speaker`` (someone the article quotes) is the person the question names, 0..1.

    A name must match (its last word: "Lindqvist", "Stephen Hess" → "Hess"). A role reference
    ("Brazil's finance minister") must match the speaker's role noun (or a kin word: "leader" ≈
    "president"); its other words ("brazil", "financ") count where the article gives them to
    the speaker, and half where they are only somewhere in the article.
    """
    if ref.pronoun:
        return 0.5
    own = set(speaker.role_terms) | set(speaker.name_terms)
    if ref.owner_terms and not all(
        _among(t, own) or _among(t, article_terms) for t in ref.owner_terms
    ):
        # "Ecuador's minister" is no one in an article that never names Ecuador, and "Allegheny
        # International's chairman" no one in one that has "international" but not "Allegheny"
        return 0.0
    if ref.name_terms:
        surname = ref.name_terms[-1]
        if surname in speaker.name_terms:
            # "Rogers" is Mark Rogers before Roger Stone (a first name matches, less)
            score = 1.0 if speaker.name_terms[-1] == surname else 0.8
        elif len(ref.name_terms) > 1 and set(ref.name_terms) & set(speaker.name_terms):
            score = 0.7  # "Sheikh Ali" printed, "Ali al-Khalifa" asked: any word of the name
        elif speaker.name_terms and _misspelt(surname, speaker.name_terms[-1]):
            score = 0.7  # "Kaczura" printed once for the "Kaczurba" asked about
        else:
            return 0.0
        # "Rogers of Prudential Bache": the words the question gives them, where the article
        # gives them to the speaker, or at least has them
        described = [t for t in ref.role_terms if t not in ref.name_terms]
        if not described:
            return score
        credit = sum(
            1.0 if _among(t, own) else 0.5 if _among(t, article_terms) else 0.0 for t in described
        )
        return score * (0.8 + 0.2 * credit / len(described))
    head = ref.head
    if head is None:
        return 0.0
    if head not in own and not (_KIN.get(head, frozenset()) & own):
        return 0.0
    base = 0.6 if head in own else 0.5
    others = [t for t in ref.role_terms if t != head]
    if not others:
        return base
    initials = [t[0] for t in own if t]
    credit = sum(
        1.0
        if _among(t, own) or (t in ref.acronyms and _acronym_of(t, initials))
        else 0.25
        if _among(t, article_terms)
        else 0.0
        for t in others
    )
    return base + 0.4 * credit / len(others)


def _misspelt(asked: str, printed: str) -> bool:
    """Whether ``printed`` is ``asked`` with one letter dropped or added, or two neighbours
    swapped: newswire misspells names ("Herington", "Lichtbalu"). Only for names of six letters
    or more, and never a changed letter: "Hansen" and "Hanson" are two people."""
    if min(len(asked), len(printed)) < 6 or asked == printed:
        return False
    if len(asked) == len(printed):
        diffs = [k for k, (a, b) in enumerate(zip(asked, printed, strict=True)) if a != b]
        if len(diffs) != 2 or diffs[1] != diffs[0] + 1:
            return False
        k = diffs[0]
        return asked[k] == printed[k + 1] and asked[k + 1] == printed[k]
    if abs(len(asked) - len(printed)) != 1:
        return False
    short, long = sorted((asked, printed), key=len)
    return any(long[:k] + long[k + 1 :] == short for k in range(len(long)))


def _acronym_of(term: str, initials: list[str]) -> bool:
    """ "sec" for a speaker whose roles hold "Securities", "Exchange" and "Commission"."""
    if not 2 <= len(term) <= 5 or not term.isalpha():
        return False
    pool = list(initials)
    for letter in term:
        if letter not in pool:
            return False
        pool.remove(letter)
    return True


def _among(term: str, terms: AbstractSet[str]) -> bool:
    """``term`` or a word of the same root: "mexico" ≈ "mexican", "norway" ≈ "norwegian"
    (a country and its adjective share their first four letters; stems alone do not join them)."""
    if term in terms:
        return True
    if len(term) < 4:
        return False
    prefix = term[:4]
    return any(t.startswith(prefix) and len(t) >= 4 for t in terms)
