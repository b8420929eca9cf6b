"""Sentences and paragraphs with exact spans."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.segment import paragraph_spans, sentence_spans
from tests.seed_texts import SEED_1_OPENING

# Copied from seed 1 (belarus-china-increasing-ties): a title line, "\n\n" paragraphs, a quotation
# spanning two sentences with a nested ‘…’, and trailing spaces before the newlines.
SEED_1 = SEED_1_OPENING + (
    "However, the Russo-Ukrainian conflict has turned into a major turning point, where the world "
    "is bifurcating into a Collective West vs. Eurasia competing axes. Belarus is definitely "
    "falling into the latter camp."
)
# Seed 2 separates paragraphs with a single "\n" and ends with a byline.
SEED_2 = (
    "Photo:Reuters\n"
    "Belarusian President Aleksandr Lukashenko is visiting Beijing for high-level talks with "
    "Chinese President Xi Jinping, as reported by Belarusian state media on Sunday. This visit "
    "marks his second trip to China within the year.\n"
    "In the geopolitical landscape, Lukashenko’s close alliance with Putin adds a layer of "
    "complexity to his relationship with Xi.\n"
    "By Cora Sulleyman"
)


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_seed_1_sentences() -> None:
    got = sentences(SEED_1)
    assert got[0] == "Belarus and China Plan on Increasing Ties"
    assert got[1] == "Belarus is expanding ties with China."
    assert got[2].startswith("During a meeting") and got[2].endswith("ties with China.")
    # the quotation is split after "us." inside it
    assert got[3] == "“Expanding ties with China has been a foreign policy priority for us."
    assert got[4].startswith("Thanks to joint efforts") and got[4].endswith("able to record.")
    assert got[5].endswith("Collective West vs. Eurasia competing axes.")
    assert got[6] == "Belarus is definitely falling into the latter camp."
    assert len(got) == 7


def test_seed_2_single_newline_paragraphs_and_byline() -> None:
    assert paragraph_spans(SEED_2)[0] == (0, len("Photo:Reuters"))
    got = sentences(SEED_2)
    assert got[0] == "Photo:Reuters"
    assert got[1].endswith("state media on Sunday.")
    assert got[2] == "This visit marks his second trip to China within the year."
    assert got[-1] == "By Cora Sulleyman"
    assert len(got) == 5


def test_paragraphs_are_trimmed_and_skip_blank_lines() -> None:
    text = "  Title  \r\n\r\n\t First para. Still first.  \n \n\u2028Second\x0bThird\n"
    spans = paragraph_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Title",
        "First para. Still first.",
        "Second",
        "Third",
    ]
    assert paragraph_spans("") == [] == sentence_spans("   \n\n ")


def test_sentences_never_cross_paragraphs() -> None:
    text = "A line with no stop\nNext line. Another one\n\nLast"
    assert sentences(text) == ["A line with no stop", "Next line.", "Another one", "Last"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The U.S. and the U.K. agreed. Mr. Smith and Mrs. Jones met Dr. Who.",
            ["The U.S. and the U.K. agreed.", "Mr. Smith and Mrs. Jones met Dr. Who."],
        ),
        (
            "Gen. Li met Sen. Brown at St. Paul’s. Both left.",
            ["Gen. Li met Sen. Brown at St. Paul’s.", "Both left."],
        ),
        (
            "Allies, e.g. France, i.e. Paris, agreed. Later too.",
            ["Allies, e.g. France, i.e. Paris, agreed.", "Later too."],
        ),
        ("Apple vs. Samsung ends. It was long.", ["Apple vs. Samsung ends.", "It was long."]),
        (
            "It opened on Jan. 5 and closed Dec. 12. Nobody came.",
            ["It opened on Jan. 5 and closed Dec. 12.", "Nobody came."],
        ),
        (
            "Acme Inc. Corp. filed. No. 5 on the list is Acme.",
            ["Acme Inc. Corp. filed.", "No. 5 on the list is Acme."],
        ),
        (
            "J. R. R. Tolkien wrote it. George W. Bush read it.",
            ["J. R. R. Tolkien wrote it.", "George W. Bush read it."],
        ),
        (
            "Growth was 3.5 percent in 2023. It fell to 2.1 later.",
            ["Growth was 3.5 percent in 2023.", "It fell to 2.1 later."],
        ),
        ("He arrived at 5 p.m. Monday and left.", ["He arrived at 5 p.m. Monday and left."]),
        # the ambiguous case: an abbreviation followed by a typical sentence opener splits
        (
            "They met at 5 p.m. The next day they left.",
            ["They met at 5 p.m.", "The next day they left."],
        ),
        ("It is based in the U.S. The firm grew.", ["It is based in the U.S.", "The firm grew."]),
        ("He works for the U.S. State Department.", ["He works for the U.S. State Department."]),
        ("In Jan. The rest followed.", ["In Jan.", "The rest followed."]),
        ("He paused... Then he spoke.", ["He paused...", "Then he spoke."]),
        ("He paused… and spoke.", ["He paused… and spoke."]),
        ("Really? Yes! Fine.", ["Really?", "Yes!", "Fine."]),
        ("Yahoo! is a company. So?", ["Yahoo! is a company.", "So?"]),
    ],
)
def test_abbreviations_initials_numbers_and_marks(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“It is done.” Then he left.", ["“It is done.”", "Then he left."]),
        ('"It is done." Then he left.', ['"It is done."', "Then he left."]),
        ("‘It is done.’ Then he left.", ["‘It is done.’", "Then he left."]),
        ("“Why?” he asked. “Now!” she said.", ["“Why?” he asked.", "“Now!” she said."]),
        (
            "“Are we ready?” Lukashenko asked. He was.",
            ["“Are we ready?” Lukashenko asked.", "He was."],
        ),
        ("“It is done,” he said. Then he left.", ["“It is done,” he said.", "Then he left."]),
        (
            "He called it “historic”. Others did not.",
            ["He called it “historic”.", "Others did not."],
        ),
        ("(See the annex.) Then vote.", ["(See the annex.)", "Then vote."]),
        ('She said: "No." He left.', ['She said: "No."', "He left."]),
    ],
)
def test_quotes_and_brackets_close_the_sentence_they_end(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_spans_are_verbatim_offsets() -> None:
    text = "  \n“One.”  Two!\t\tThree?  \n\n  Four  "
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["“One.”", "Two!", "Three?", "Four"]
    assert spans[0][0] == 3


# ---- properties
_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120
) | st.text(alphabet="ab A.?!…“”\"’' \n\r\tJU.S.3", max_size=120)


def _check_spans(text: str, spans: list[tuple[int, int]]) -> None:
    last_end = 0
    for start, end in spans:
        assert last_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip()
        last_end = end


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_any_text_gives_ordered_trimmed_spans_within_paragraphs(text: str) -> None:
    paragraphs = paragraph_spans(text)
    sents = sentence_spans(text)
    _check_spans(text, paragraphs)
    _check_spans(text, sents)
    for start, end in paragraphs:
        assert not any(ch in text[start:end] for ch in "\n\r\u2028\u2029")
    # every sentence lies inside one paragraph, and together they cover its non-space text
    for start, end in sents:
        assert any(ps <= start and end <= pe for ps, pe in paragraphs)
    covered = "".join(text[s:e] for s, e in sents)
    assert "".join(covered.split()) == "".join(text.split())


def test_hard_wrapped_lines_continue_the_paragraph_and_the_quote() -> None:
    text = (
        "The minister spoke at length on Tuesday about the new airport and its\n"
        "future. “The terminal doubles the capacity of the airport for the next ten\n"
        "years,” said Ivan Petrov.\n"
        "Short caption\n"
        "A new paragraph starts here."
    )
    paras = [text[s:e] for s, e in paragraph_spans(text)]
    assert len(paras) == 3 and paras[1] == "Short caption"
    got = sentences(text)
    assert got[1].startswith("“The terminal") and got[1].endswith("said Ivan Petrov.")
