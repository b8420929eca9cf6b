"""SQuAD v1.1 as a corpus of articles plus questions, and a small generated stand-in.

Every Wikipedia article of the file becomes one article of the corpus: its paragraphs (stripped)
joined by blank lines, its title with underscores turned into spaces. Each question remembers its
article and paragraph, so a benchmark can check both "is the gold answer in this text" and "is this
text inside the gold paragraph".
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bench.common import SHARED_DATA, BenchError

DEFAULT_SQUAD = SHARED_DATA / "squad-v1.1" / "dev-v1.1.json.gz"
PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True)
class SquadArticle:
    id: str
    title: str
    paragraphs: tuple[str, ...]

    @cached_property
    def text(self) -> str:
        return PARAGRAPH_BREAK.join(self.paragraphs)

    @cached_property
    def paragraph_spans(self) -> tuple[tuple[int, int], ...]:
        spans, at = [], 0
        for paragraph in self.paragraphs:
            spans.append((at, at + len(paragraph)))
            at += len(paragraph) + len(PARAGRAPH_BREAK)
        return tuple(spans)

    def paragraph_at(self, offset: int) -> int:
        """The paragraph holding character ``offset`` (the one before a paragraph break)."""
        for i, (_start, end) in enumerate(self.paragraph_spans):
            if offset < end:
                return i
        return len(self.paragraphs) - 1


@dataclass(frozen=True)
class SquadQuestion:
    id: str
    text: str
    answers: tuple[str, ...]
    article: int  # index into SquadSet.articles
    paragraph: int  # index into that article's paragraphs


@dataclass(frozen=True)
class SquadSet:
    articles: tuple[SquadArticle, ...]
    questions: tuple[SquadQuestion, ...]
    source: str = field(default="")

    def sample_questions(self, limit: int | None, seed: int = 13) -> list[SquadQuestion]:
        """``limit`` questions drawn evenly at random (seeded) — all of them when ``limit`` is None."""
        if limit is None or limit >= len(self.questions):
            return list(self.questions)
        picked = random.Random(seed).sample(range(len(self.questions)), limit)
        return [self.questions[i] for i in sorted(picked)]

    def split(self, name: str) -> SquadSet:
        """The *tune* half (questions on even-numbered articles, counting from 0 in file
        order) or the *report* half (odd); ``all`` keeps everything. Fixed once: see
        bench/README.md."""
        if name == "all":
            return self
        parity = 0 if name == "tune" else 1
        return SquadSet(
            articles=self.articles,
            questions=tuple(q for q in self.questions if q.article % 2 == parity),
            source=f"{self.source} ({name} half)",
        )

    def first_articles(self, count: int) -> SquadSet:
        """The first ``count`` articles and their questions."""
        return SquadSet(
            articles=self.articles[:count],
            questions=tuple(q for q in self.questions if q.article < count),
            source=f"{self.source} (first {count} articles)",
        )


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-") or "article"


def load_squad(path: Path) -> SquadSet:
    """Read a SQuAD v1.1-style file (``.json`` or ``.json.gz``)."""
    path = Path(path)
    if not path.is_file():
        raise BenchError(
            f"No SQuAD file at {path}. Pass --squad PATH to a SQuAD v1.1 dev-v1.1.json(.gz)."
        )
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            raw = json.load(handle)
        return parse_squad(raw, source=str(path))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as err:
        raise BenchError(f"{path} is not a SQuAD v1.1 JSON file ({err}).") from err


def parse_squad(raw: dict, source: str = "") -> SquadSet:
    articles: list[SquadArticle] = []
    questions: list[SquadQuestion] = []
    seen: set[str] = set()
    for a, entry in enumerate(raw["data"]):
        title = str(entry["title"]).replace("_", " ").strip()
        ident = slug(title)
        while ident in seen:
            ident += "-x"
        seen.add(ident)
        paragraphs = []
        for p, para in enumerate(entry["paragraphs"]):
            paragraphs.append(str(para["context"]).strip())
            for qa in para.get("qas", []):
                answers = tuple(dict.fromkeys(str(x["text"]) for x in qa.get("answers", [])))
                questions.append(
                    SquadQuestion(
                        id=str(qa.get("id", f"{ident}-{p}-{len(questions)}")),
                        text=str(qa["question"]),
                        answers=answers,
                        article=a,
                        paragraph=p,
                    )
                )
        articles.append(SquadArticle(id=ident, title=title, paragraphs=tuple(paragraphs)))
    if not articles or not questions:
        raise KeyError("no articles or no questions")
    return SquadSet(articles=tuple(articles), questions=tuple(questions), source=source)


def write_corpus(articles: Iterable[SquadArticle], path: Path) -> Path:
    """Write the articles as a ``.jsonl`` corpus file (one article per line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for article in articles:
            line = {"id": article.id, "title": article.title, "text": article.text}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


# ---- a generated stand-in, for smoke runs and tests on a clone without ../shared/data
_FIRST = ("Amara", "Bogdan", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiroshi")
_LAST = ("Okafor", "Novak", "Ferrante", "Volkov", "Marsh", "Haddad", "Lindqvist", "Tanaka")
_TOWNS = ("Brackenford", "Quillmouth", "Tarnwick", "Lindenholm", "Koralsk", "Miravale", "Oskarby")
_SUBJECTS = ("marine biology", "glassmaking", "medieval law", "seismology", "typography", "botany")
_ORGS = (
    "Harbour Choir",
    "Rowing Club",
    "Seed Bank",
    "Lantern Press",
    "Civic Orchestra",
    "Kite Guild",
)
_VENUES = ("the old customs house", "a converted mill", "the town library", "a railway depot")
_PRIZES = ("Amber Medal", "Corvin Prize", "Silver Compass", "Halden Award")


def generated_squad(articles: int = 12, seed: int = 7) -> SquadSet:
    """A small SQuAD-shaped set about invented people, with questions whose answers are spans.

    Towns, subjects and venues repeat across articles, so retrieval has distractors to beat.
    """
    rng = random.Random(seed)
    people = [(f, last) for last in _LAST for f in _FIRST]
    rng.shuffle(people)
    out_articles: list[SquadArticle] = []
    questions: list[SquadQuestion] = []
    for a in range(articles):
        first, last = people[a]
        name = f"{first} {last}"
        org = f"{_TOWNS[a % len(_TOWNS)]} {_ORGS[a % len(_ORGS)]}"
        born, studied, venue = rng.choice(_TOWNS), rng.choice(_SUBJECTS), rng.choice(_VENUES)
        prize, presenter = rng.choice(_PRIZES), " ".join(people[(a + 17) % len(people)])
        year_born, year_founded = rng.randint(1931, 1969), rng.randint(1975, 1999)
        year_prize, members = rng.randint(2001, 2019), rng.randint(12, 480)
        branch = rng.choice([t for t in _TOWNS if t != born])
        paragraphs = (
            f"{name} is a writer and teacher. {first} was born in {born} in {year_born}. "
            f"{last} studied {studied} at the university before moving abroad.",
            f"In {year_founded}, {last} founded the {org}. The {org} has {members} members "
            f"and meets in {venue}. {last} said the group would open a second branch in {branch}.",
            f"{last} won the {prize} in {year_prize} for a book about {studied}. "
            f"The prize was presented by {presenter} at a ceremony in {born}.",
        )
        facts = (
            (f"Where was {name} born?", born, 0),
            (f"In what year was {name} born?", str(year_born), 0),
            (f"What did {name} study?", studied, 0),
            (f"Who founded the {org}?", last, 1),
            (f"How many members does the {org} have?", str(members), 1),
            (f"Where does the {org} meet?", venue, 1),
            (f"Where will the {org} open a second branch?", branch, 1),
            (f"When did {last} win the {prize}?", str(year_prize), 2),
            (f"Who presented the {prize} to {last}?", presenter, 2),
        )
        ident = slug(name)
        for n, (text, answer, paragraph) in enumerate(facts):
            questions.append(
                SquadQuestion(f"{ident}-{n}", text, (answer,), article=a, paragraph=paragraph)
            )
        out_articles.append(SquadArticle(id=ident, title=name, paragraphs=paragraphs))
    return SquadSet(tuple(out_articles), tuple(questions), source="generated (bench/squad.py)")


def generated_unanswerable(squad: SquadSet) -> list[str]:
    """Questions the generated set does not answer: cross-article mixes and off-corpus ones."""
    out = []
    titles = [a.title for a in squad.articles]
    for i, title in enumerate(titles):
        other = squad.articles[(i + 1) % len(titles)]
        org = other.paragraphs[1].split(" founded the ", 1)[-1].split(".", 1)[0]
        out.append(f"What did {title} say about the {org}?")
    out += [
        "What is the boiling point of mercury?",
        "Who won the 1998 football world cup?",
        "How tall is the tallest tree in California?",
    ]
    return out


def questions_by_article(questions: Sequence[SquadQuestion]) -> dict[int, list[SquadQuestion]]:
    grouped: dict[int, list[SquadQuestion]] = {}
    for question in questions:
        grouped.setdefault(question.article, []).append(question)
    return grouped
