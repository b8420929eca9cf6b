"""Varied invented news texts for differential tests of the analysis (no publisher's text).

:func:`invented_texts` makes seeded articles out of fragments chosen to reach every branch of the
segmenter and the speech analysis: quotations in every mark (“…”, «…», "…", nested ‘…’, a
quotation running over paragraphs), cues before and after them (names with titles, initials,
particles and possessives, descriptors, pronouns, "according to", "was quoted as saying",
Russian «…», — заявил), reported speech, abbreviations (U.S., Mr., Jan. 5, p.m.), hard-wrapped
lines, accents, Cyrillic, numbers, and the caps (a 1,600-character sentence with no space).

The differential test (tests/test_analysis_identity.py) compares ``analyse_article`` on these
texts with digests recorded by an earlier version: ``python -m tests.invented_news --write``
records them again (only when the analysis is meant to change: bump ``ANALYSIS_VERSION``).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import random
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.analyze import Analyzer

GOLDEN = Path(__file__).with_name("data") / "analysis_golden.json"
SEED = 20261130
COUNT = 240

_FIRST = ["Hannah", "Pavel", "Mei", "Olusegun", "Ana María", "Jean-Luc", "Sean", "Ivo", "Zofia"]
_LAST = [
    "Lindqvist",
    "Kovalenko",
    "Tanaka-Reyes",
    "O’Brien",
    "O'Neill",
    "van der Berg",
    "al-Rashid",
    "d’Estaing",
    "Müller",
    "Łukasik",
]
_TITLES = ["President", "Prime Minister", "Dr.", "Mr.", "Mrs.", "Sen.", "Gen.", "Chancellor", ""]
_ROLES = [
    "chief executive",
    "spokeswoman",
    "spokesman",
    "finance minister",
    "analyst",
    "chairman",
    "senior economist",
    "foreign ministry spokesman",
    "Belarusian leader",
]
_ORGS = [
    "Skyparcel",
    "the Harbour Authority",
    "Northwind Bank Corp (NWB)",
    "the University of Texas",
    "Drexel Burnham Lambert Inc",
    "the U.N. Security Council",
]
_VERBS = ["said", "told reporters", "added", "warned", "insisted", "declared", "noted", "asked"]
_VERBS += ["SAID", "Said", "stressed", "wrote", "replied", "tweeted", "predicted", "conceded"]
_STATEMENTS = [
    "We will not walk away from the talks",
    "The recovery is fragile, and nobody is safe",
    "This is a historic day for the region",
    "Are we ready? We are",
    "Prices will rise by 3.5 percent in Jan. 2024",
    "It is done. Then we move on",
    "The U.S. State Department has not called us",
    "We met at 5 p.m. The next day they left",
    "Nothing was agreed, etc. and nothing will be",
    "historic",
    "a comprehensive strategic partnership",
    "We expect 2,000 jobs by the end of the year",
]
_RUSSIAN = [
    "«Мы готовы к диалогу», — заявил Александр Лукашенко.",
    "Министр финансов сказал, что бюджет будет принят.",
    "«Это исторический день», — отметила она.",
    "По словам Лукашенко, отношения с Китаем — приоритет.",
]
_PLAIN = [
    "The company reported a loss of 12 million dollars in the third quarter.",
    "Shares fell 4 percent on Monday before recovering in late trading.",
    "The report, published on Jan. 5, runs to 300 pages.",
    "Officials met in Geneva for two days of talks.",
    "No. 5 on the list was the U.K. delegation.",
    "Analysts expect the central bank to hold rates at 2.25 percent.",
    "The café on Rue Saint-Honoré reopened after the re-election.",
    "J. R. R. Tolkien wrote the book in Oxford.",
    "George W. Bush visited the plant in 2004.",
    "The deal — worth about 1.2 billion euros — closes next month.",
    "Exports to China rose sharply, the data showed.",
    "Photo: Reuters",
]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _speaker(rng: random.Random, known: list[str]) -> str:
    kind = rng.randrange(7)
    if kind == 0 and known:
        return rng.choice(known).split()[-1]  # a later short form
    if kind == 1:
        return rng.choice(["he", "she", "they"])
    if kind == 2:
        return f"the {rng.choice(_ROLES)}"
    if kind == 3:
        return f"a {rng.choice(_ROLES)} for {rng.choice(_ORGS)}"
    name = _name(rng)
    known.append(name)
    title = rng.choice(_TITLES)
    if kind == 4:
        return f"{rng.choice(_ORGS)}’s {rng.choice(_ROLES)}, {name},"
    if kind == 5:
        return f"{name}, the {rng.choice(_ROLES)} of {rng.choice(_ORGS)},"
    return f"{title} {name}".strip()


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _quoted(rng: random.Random, statement: str) -> tuple[str, str]:
    """(opening, closing) marks around a statement."""
    return rng.choice([("“", "”"), ("«", "»"), ('"', '"'), ("“", "”"), ("‘", "’")])


def _sentence(rng: random.Random, known: list[str]) -> str:
    statement = rng.choice(_STATEMENTS)
    speaker = _speaker(rng, known)
    verb = rng.choice(_VERBS)
    opening, closing = _quoted(rng, statement)
    shape = rng.randrange(12)
    if shape == 0:
        return f"{opening}{statement},{closing} {speaker} {verb}."
    if shape == 1:
        return f"{opening}{statement},{closing} {verb} {speaker}."
    if shape == 2:
        return f"{_cap(speaker)} {verb}: {opening}{statement}.{closing}"
    if shape == 3:
        return f"{_cap(speaker)} {verb} that {opening}{statement.lower()}{closing}."
    if shape == 4:
        return f"According to {speaker.rstrip(',')}, {opening}{statement}.{closing}"
    if shape == 5:
        return f"{_cap(speaker)} {verb} the deal was {opening}historic{closing}."
    if shape == 6:
        return (
            f"{_cap(speaker)} was quoted by the daily Al-Qabas as saying: "
            f"{opening}{statement}.{closing}"
        )
    if shape == 7:
        return f"{_cap(speaker)} {verb} investors that {statement.lower()}."
    if shape == 8:
        return f"{statement}, {speaker} {verb}."
    if shape == 9:
        return f"{opening}{statement}?{closing} {speaker} asked."
    if shape == 10:
        inner = f"{opening}{statement}, and I quote, ‘{rng.choice(_STATEMENTS)}’.{closing}"
        return f"{inner} {_cap(speaker)} {verb}."
    return rng.choice(_PLAIN)


def _paragraph(rng: random.Random, known: list[str]) -> str:
    parts = [_sentence(rng, known) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.15:
        parts.append(rng.choice(_RUSSIAN))
    if rng.random() < 0.2:
        parts.insert(0, rng.choice(_PLAIN))
    return " ".join(parts)


def invented_text(rng: random.Random) -> str:
    known: list[str] = []
    paragraphs = [_paragraph(rng, known) for _ in range(rng.randint(1, 9))]
    if rng.random() < 0.2:  # a quotation running over two paragraphs (newspaper style)
        at = rng.randrange(len(paragraphs))
        paragraphs.insert(
            at, f"“{rng.choice(_STATEMENTS)}.\n\n“{rng.choice(_STATEMENTS)},” {_name(rng)} said."
        )
    if rng.random() < 0.1:  # hard-wrapped lines inside a paragraph
        words = " ".join(paragraphs).split(" ")
        paragraphs = [" ".join(words[i : i + 9]) for i in range(0, len(words), 9)]
        return "\n".join(paragraphs)
    if rng.random() < 0.05:  # past the sentence cap, with and without whitespace
        paragraphs.append("x" * 1600 + " " + "word " * 400)
    title = f"{_name(rng)} on {rng.choice(_ORGS)}"
    return title + "\n\n" + "\n\n".join(paragraphs) + rng.choice(["", "\n", "  \n\n"])


def fixed_texts() -> list[str]:
    """The tests' own invented articles and seed texts."""
    from tests.articles import EXTRA, HARBOUR, SKYPARCEL
    from tests.conversation_articles import DATED
    from tests.seed_texts import SEED_1_OPENING

    return [SEED_1_OPENING] + [a["text"] for a in (*EXTRA, SKYPARCEL, HARBOUR, *DATED)]


def invented_texts(count: int = COUNT, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    return fixed_texts() + [invented_text(rng) for _ in range(count)] + ["", "   \n\n  ", "Hi."]


# ---- the digests the differential test compares
def digests(text: str) -> tuple[str, str]:
    """(structure, terms) digests of ``text``'s index-time analysis: the structure (sentences,
    paragraphs, quotations, reported speech, speakers' names, passages) depends on the rules
    alone, the terms also on the stemmer and Unicode versions (the analyzer's fingerprint)."""
    from index.analysis import analyse_article
    from index.build import encode_article
    from index.models import Article
    from index.passages import ChunkConfig

    analyzer = _analyzer()
    analysis = analyse_article(Article.model_construct(text=text, language="en"), analyzer)
    encoded = encode_article(1, text, "en", analyzer, ChunkConfig())
    structure = repr(
        (
            analysis.sentences,
            analysis.paragraphs,
            analysis.quotations,
            analysis.reported,
            [(s.name, s.named) for s in analysis.speakers],
            encoded.layout,
        )
    )
    terms = repr((analysis.tokens, analysis.speakers, encoded.bodies))
    return _sha(structure), _sha(terms)


@functools.cache
def _analyzer() -> Analyzer:
    from index.analyze import Analyzer

    return Analyzer()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def golden_record() -> dict:
    from index.analysis import ANALYSIS_VERSION
    from index.analyze import Analyzer

    texts = invented_texts()
    return {
        "analysis_version": ANALYSIS_VERSION,
        "analyzer": Analyzer().fingerprint,
        "seed": SEED,
        "texts": len(texts),
        "digests": ["/".join(digests(t)) for t in texts],  # structure/terms
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.invented_news")
    parser.add_argument("--write", action="store_true", help=f"record the digests in {GOLDEN}")
    args = parser.parse_args()
    record = golden_record()
    if args.write:
        GOLDEN.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {GOLDEN} ({record['texts']} texts)")
    else:
        print(json.dumps({k: v for k, v in record.items() if k != "digests"}))


if __name__ == "__main__":
    main()
