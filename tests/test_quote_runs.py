"""A speaker's run of quotations in one paragraph is one quote: news prints a statement as
'"…," Brandt said. "…," he added.', and a reader asking what Brandt said wants both halves,
not the first alone with the second left for another quote. Another speaker's words, and the
speaker's words in another paragraph, stay out; the quote stays within the size cap."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.analysis import analyse_article
from index.analyze import Analyzer
from index.candidates import Candidate, RetrievedArticle
from index.choose import MAX_QUOTE_CHARS, quote_span
from index.engine import Engine, reindex_data_dir
from index.models import Article
from tests.work import calls

ANALYZER = Analyzer()

QUAY = """\
---
title: Brackenford Quay Repairs Will Cost More, Engineer Warns
author: Ada Quill
publisher: Test Wire
published: 2024-06-01
---

The harbour board of Brackenford will vote next week on repairs to the north quay.

"The quay walls are sound for another winter," chief engineer Otto Brandt said. "But the \
dredging will cost the town twice what the council has budgeted," he added.

"The tender closes in May," Brandt said. The union said it would fight any closure of the \
yard. "We expect four bids," Brandt added.

Councillor Mia Sole disagreed. "The budget is realistic and the board knows it," she said. \
"We have costed every berth," Brandt replied.

Brandt said the pilots had asked for a wider channel.

"The pilots want the channel widened before the autumn storms," Brandt said.

"The ferry timetable will not change this summer," Brandt said of the crossing.

"Nor will the fares for islanders, whatever the council decides."
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    root = tmp_path_factory.mktemp("quote-runs")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "quay.md").write_text(QUAY)
    eng = reindex_data_dir(corpus, root / "data")[1]
    yield eng
    eng.close()


def test_the_speakers_run_in_a_paragraph_is_one_quote(engine: Engine) -> None:
    answer = engine.ask("What did Brandt say about the quay walls?")
    assert answer.answered
    first = answer.quotes[0].text
    assert first.startswith('"The quay walls are sound')
    assert "twice what the council has budgeted" in first  # the second half comes with it
    # … and is not offered again as a quote of its own
    assert sum("twice what the council" in q.text for q in answer.quotes) == 1


def test_a_run_is_found_from_its_second_quotation_too(engine: Engine) -> None:
    answer = engine.ask("What did Brandt say about the cost of the dredging?")
    assert answer.answered
    assert "The quay walls are sound" in answer.quotes[0].text
    assert "twice what the council has budgeted" in answer.quotes[0].text


def test_a_quotation_opening_the_next_paragraph_with_no_cue_goes_on(engine: Engine) -> None:
    answer = engine.ask("What did Brandt say about the ferry timetable?")
    assert answer.answered
    first = answer.quotes[0].text
    assert first.startswith('"The ferry timetable') and first.endswith('council decides."')


def test_anothers_reported_words_end_a_run(engine: Engine) -> None:
    answer = engine.ask("What did Brandt say about the tender?")
    assert answer.answered
    first = answer.quotes[0].text
    assert first.startswith('"The tender closes in May,"')
    assert "union" not in first


def test_another_speaker_and_another_paragraph_stay_out(engine: Engine) -> None:
    answer = engine.ask("What did Brandt say about the pilots and the channel?")
    assert answer.answered
    first = answer.quotes[0].text
    assert "channel widened" in first
    assert "quay walls" not in first  # another paragraph
    costed = engine.ask("What did Brandt say about costing every berth?")
    for quote in costed.quotes:
        if "We have costed every berth" in quote.text:
            assert "The budget is realistic" not in quote.text  # Mia Sole's words


def _middle_quotation(count: int) -> Candidate:
    run = " ".join(
        f'"Berth {i} needs new fenders and a survey," Brandt said.' for i in range(count)
    )
    article = Article(id="long", title="Fenders", text=run, content_hash="x")
    analysis = analyse_article(article, ANALYZER)
    quotation = analysis.quotations[count // 2]
    assert quotation.person >= 0
    entry = RetrievedArticle(article, analysis, 1.0)
    return Candidate(
        entry, quotation.start, quotation.end, None, 1.0, statement=quotation, direct=True
    )


def test_a_long_run_is_cut_to_the_cap_in_bounded_work() -> None:
    small, large = _middle_quotation(300), _middle_quotation(3000)
    for cand in (small, large):
        start, end = quote_span(cand)
        assert start <= cand.start < end and end - start <= MAX_QUOTE_CHARS
    # the walk along the run stops at the cap: ten times the run, about the same work
    assert calls(lambda: quote_span(large)) < 2 * calls(lambda: quote_span(small)) + 200


RESERVES = """\
---
title: Norland Central Bank Raises Reserve Requirement
author: Ada Quill
publisher: Test Wire
published: 2024-06-02
---

Bankers welcomed the Norland central bank's decision to raise the reserve requirement for \
banks, saying the higher reserve requirement reflected the government's resolve to curb credit.

The central bank said the new ratio takes effect on Monday and will be reviewed in the autumn.

Trading on the bourse was quiet ahead of the holiday, dealers said.

"I think it's a good measure," a senior foreign banker said. "It's a faster way to get the \
job done than using interest rates."
"""


def test_a_role_naming_one_person_is_answered_by_that_persons_words(tmp_path: Path) -> None:
    # The reporter's sentence about bankers holds more of the question's words, but the
    # question asks what the banker said
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "reserves.md").write_text(RESERVES)
    engine = reindex_data_dir(corpus, tmp_path / "data")[1]
    try:
        answer = engine.ask(
            "Why did a senior foreign banker welcome the higher reserve requirement?"
        )
        assert answer.answered
        assert answer.quotes[0].text.startswith('"I think it\'s a good measure,"')
        assert answer.quotes[0].speech == "direct"
    finally:
        engine.close()
