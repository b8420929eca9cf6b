"""The answer stages one by one: reading the question, matching a speaker, choosing spans
(with the hard size cap), and the per-article speech analysis they read."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.analysis import ArticleAnalysis, Speaker, analyse_article
from index.analyze import Analyzer
from index.answer import (
    AMOUNT,
    CONDITION,
    FORMS,
    FUTURE,
    LIKENESS,
    REASON,
    StatementForm,
    lead_in,
)
from index.candidates import Candidate, Retrieved, RetrievedArticle
from index.choose import MAX_QUOTE_CHARS, choose, quote_span
from index.engine import reindex_data_dir
from index.features import speaker_match
from index.models import Article
from index.question import read_question
from tests.articles import HARBOUR, SKYPARCEL
from tests.work import calls

ANALYZER = Analyzer()


# ---- reading the question
def assert_speaker(question: str, name: str, head: str | None) -> None:
    """The question asks for someone's words: that person's name (or "" for a role) and role."""
    q = read_question(question, ANALYZER)
    assert q.speech and q.speaker is not None, question
    assert q.speaker.name == name
    assert q.speaker.head == head
    assert not set(q.speaker.terms) & set(q.topic)  # the speaker is not the topic


@pytest.mark.parametrize(
    ("question", "name", "head"),
    [
        ("What did Hannah Lindqvist say about the aircraft?", "Hannah Lindqvist", None),
        ("How did Brazil's finance minister explain the moratorium?", "", "minist"),
        ("What did Brookings analyst Stephen Hess compare it to?", "Stephen Hess", "analyst"),
        ("What did Healy of Drexel Burnham say about the buyback?", "Healy", None),
        ("Why does the Bundesbank board member think rates will fall?", "", "member"),
        ("According to Doak, what is the creditors' only alternative?", "Doak", None),
        ("Is the debt crisis over, according to Mexico's finance minister?", "", "minist"),
        ("Quote Lukashenko on China", "Lukashenko", None),
        ("What was Lukashenko's reaction to the sanctions?", "Lukashenko", None),
        (
            "Does Cheryl Richmond, the teacher, fret about the cost of living?",
            "Cheryl Richmond",
            "teacher",
        ),
    ],
)
def test_speech_questions_name_their_speaker(question: str, name: str, head: str | None) -> None:
    assert_speaker(question, name, head)


# Forms a reader of news uses that are no "What did X say": a place or a number said, a kind of
# statement named first, a view given as an adjective, a leading clause (found on news-dev's
# tune half, written again here on invented names).
@pytest.mark.parametrize(
    ("question", "name", "head"),
    [
        ("Where did Lindqvist say the next aircraft would be built?", "Lindqvist", None),
        ("How many jobs did Skyparcel's chief executive say would go?", "", "execut"),
        ("What warning did Lindqvist give the regulators?", "Lindqvist", None),
        ("What worry did the Ohio State economist have about the budget?", "", "economist"),
        ("Why isn't Carl Leier convinced by the trial?", "Carl Leier", None),
        ("Why is the finance minister against guaranteeing the loans?", "", "minist"),
        ("How does the Bear Stearns analyst rate the offer?", "", "analyst"),
        ("How did Dole size up the president's chances?", "Dole", None),
        ("What did Dauster advise coffee producers?", "Dauster", None),
        ("Why does the Bank of England governor reject the rules?", "", "governor"),
        ("What worries Paine Webber's Lawrence Ross about the price rise?", "Lawrence Ross", None),
        ("Does an aide to Agriculture Secretary Lyng expect the offer to pass?", "", "aid"),
        ("What does the president of Chicago's Exchange National Bank predict?", "", "presid"),
        ("Will Baldrige object to selling computers to Iran?", "Baldrige", None),
        ("Would the Allied-Lyons chairman mind a public offering?", "", "chairman"),
        ("How did the State Department spokesman play down the gains?", "", "spokesman"),
        # an unnamed source: "Chrysler" describes the person, it is no name
        ("What did the anonymous Chrysler financial source say about AMC?", "", "sourc"),
        ("What did Chicago grain traders say about the rains?", "", "trader"),
        # found on the fresh tune questions of stop 15, written again on invented names
        ("What is Ulla Wegner's long-run outlook for feed output?", "Ulla Wegner", None),
        ("Why does Brandt's Lee like the stock?", "Lee", None),
        ("Why isn't Dora Healy impressed by the buyback?", "Dora Healy", None),
        ("How did the finance secretary pitch the plan to the banks?", "", "secretari"),
        ("What would Kurata bring up if pressed on rice?", "Kurata", None),
        ("Which firms does Ryland think are sound enough to borrow?", "Ryland", None),
        (
            "How many classes does Gerald Chamberlin want the exchange to list?",
            "Gerald Chamberlin",
            None,
        ),
        # "in Manila" is where the ambassador serves, no name
        (
            "How does the departing U.S. ambassador in Manila feel about the outlook?",
            "",
            "ambassador",
        ),
        (
            "Asked by the Saudi Press Agency about falling free market prices, what did Nazer "
            "say about the prices the kingdom sells at?",
            "Nazer",
            None,
        ),
        # found on the fresh tune questions of stop 16, written again on invented names
        ("What chance does Ines Calloway give the toll plan?", "Ines Calloway", None),
        ("What outlook did Brandt give analysts for the shipyard?", "Brandt", None),
        ("What reason did the port chief give for the delay?", "", "chief"),
        (
            "Why does Norland's Marta Ilves find it odd that ferries sail empty?",
            "Marta Ilves",
            None,
        ),
        ("How did the chairman of the ferry board hail the timetable?", "", "chairman"),
        ("Is the Norland transport minister open to a toll on the bridge?", "", "minist"),
        ("Is Calloway ready to back the ferry subsidy?", "Calloway", None),
        ("What doubt did Brandt of Norland Ferries raise about the fares?", "Brandt", None),
        ("When does Norland's port chief expect the quay to reopen?", "", "chief"),
        ("Why is Marta Ilves weighing a toll on the bridge?", "Marta Ilves", None),
        ("What will Calloway do if the ferry strike goes on?", "Calloway", None),
        ("Does Norland Ferries' new chief executive plan to cut fares?", "", "execut"),
        # found on the fresh tune questions of stop 17, written again on invented names
        ("Will the ferry pay its way, in the view of the port's chief engineer?", "", "engin"),
        ("How have the toll's early backers fared, in Calloway's view?", "Calloway", None),
        ("In the opinion of Marta Ilves, will fares rise?", "Marta Ilves", None),
        ("In Brandt's judgment, is the quay safe?", "Brandt", None),
        ("When does Brandt think a partner makes sense for the shipyard?", "Brandt", None),
        ("How did a senior currency dealer describe the ferry company's trading?", "", "dealer"),
        ("What did a cocoa producer delegate say about the talks?", "", "deleg"),
        ("What did the treasurer say about inflation?", "", "treasur"),
        ("How did Ines Calloway vouch for the mayor's account?", "Ines Calloway", None),
        ("Does the Norland debt policymaker expect a default?", "", "policymak"),
        ("What figure did Brandt give for the shipyard's losses?", "Brandt", None),
        ("Where does Ines Calloway stand on a toll for the bridge?", "Ines Calloway", None),
        ("What did Brandt notice about ferry bookings?", "Brandt", None),
        ("How did the mayor reassure commuters about the fares?", "", "mayor"),
        ("Why is one port official unsure whether the quay will hold?", "", "offici"),
        ("What kind of deal is Calloway hoping for?", "Calloway", None),
        ("Is Calloway thinking of visiting bankers abroad?", "Calloway", None),
        ("Why does a takeover specialist think now is the time to buy?", "", "specialist"),
    ],
)
def test_more_speech_question_forms(question: str, name: str, head: str | None) -> None:
    assert_speaker(question, name, head)


@pytest.mark.parametrize(
    ("question", "name", "head"),
    [
        ("Did Lindqvist explain why the drones were grounded?", "Lindqvist", None),
        ("Does the minister say when the bridge will open?", "", "minist"),
        ("Did Lindqvist say how much the aircraft cost?", "Lindqvist", None),
        ("Asked why the drones failed, what did Lindqvist say?", "Lindqvist", None),
    ],
)
def test_a_question_word_inside_the_question_opens_no_clause(
    question: str, name: str, head: str | None
) -> None:
    # A question word may end a leading clause ("Asked about prices, what did X say"), but in
    # a yes/no question it is inside it: "Did X explain why …" still asks for X's words.
    assert_speaker(question, name, head)


@pytest.mark.parametrize(
    ("question", "speaker", "topic"),
    [
        ("What concerns did Lindqvist express about the drones?", "Lindqvist", "concern"),
        (
            "What worries did the Ohio State economist voice on the budget?",
            "the Ohio State economist",
            "worri",
        ),
        ("What worries Lindqvist about the drones?", "Lindqvist", "drone"),
    ],
)
def test_a_noun_of_worry_before_did_is_the_statement_not_a_verb(
    question: str, speaker: str, topic: str
) -> None:
    # "What worries X about Y" asks what worries X; in "What concerns did X express" the word
    # is a noun, and "did … express" is no part of the speaker.
    q = read_question(question, ANALYZER)
    assert q.speech and q.speaker is not None, question
    assert q.speaker.text == speaker
    assert topic in q.topic


@pytest.mark.parametrize(
    "question",
    [
        "Which U.S. ambassador did Reagan call back from Geneva?",
        "How many people did the floods force from their homes?",
        "When will the Xbox go on sale?",
        "What is the Xbox called?",
        "Where was Lindqvist born?",
        "When did Lindqvist found Skyparcel?",
        "How many aircraft did Skyparcel build?",
        "What prize did Lindqvist win?",
        "What did the Skyparcel survey find about drones?",
        "What chance of rain is there in Norland?",
        "What town does Marta Ilves hail from?",
        "What months of the year is Ilves Park open?",
        "When did Marta Ilves announce the toll?",
        "Why was Calloway seeking money in Estmark?",
        "What would a harbour pilot do for a ship in fog?",
        "What town did the Norland army plan to attack?",
        "Where does the Ilves statue stand on the hill?",
        "What was Calloway hoping to build in Estmark?",
        "What author did Calloway credit for her recovery?",
    ],
)
def test_factoid_questions_are_not_speech(question: str) -> None:
    assert not read_question(question, ANALYZER).speech


def test_topic_text_kind_more_and_type_nouns() -> None:
    q = read_question("What did Gordon Brown say about the Xbox?", ANALYZER)
    assert q.topic_text == "the Xbox" and q.topic == ("xbox",)
    assert [n.text for n in q.names] == ["Gordon Brown", "Xbox"]
    more = read_question("What else did Lukashenko say?", ANALYZER)
    assert more.more and more.speaker is not None and more.speaker.name == "Lukashenko"
    assert more.topic == ()
    city = read_question("Which city is Lukashenko visiting?", ANALYZER)
    assert city.kind == "where" and city.type_terms == ("citi",) and not city.speech
    obstacles = read_question("Did Lukashenko mention any obstacles?", ANALYZER)
    assert obstacles.yes_no and not obstacles.asks_view
    for view in ("Does Lukashenko think the talks will fail?", "Is Lukashenko confident of it?"):
        assert read_question(view, ANALYZER).asks_view, view


# ---- matching a speaker
def _speaker(name: str, roles: str, named: bool = True) -> Speaker:
    return Speaker(
        name,
        tuple(ANALYZER.tokens(name)) if named else (),
        tuple(ANALYZER.tokens(roles)),
        named,
    )


def test_speaker_match_by_name_and_by_role() -> None:
    lindqvist = _speaker("Hannah Lindqvist", "Skyparcel chief executive")
    by_name = read_question("What did Lindqvist say?", ANALYZER).speaker
    by_role = read_question("What did Skyparcel's chief executive say?", ANALYZER).speaker
    other = read_question("What did Okafor say?", ANALYZER).speaker
    assert by_name and by_role and other
    assert speaker_match(by_name, lindqvist, set()) == 1.0
    assert speaker_match(other, lindqvist, set()) == 0.0
    assert speaker_match(by_role, lindqvist, set()) == pytest.approx(1.0)
    # a role of another kind does not match; a kin role ("leader" ≈ "president") does
    assert speaker_match(by_role, _speaker("Bogdan Novak", "union chairman"), set()) == 0.0
    leader = read_question("What did the Belarusian leader say?", ANALYZER).speaker
    assert leader is not None
    assert speaker_match(leader, _speaker("Lukashenko", "Belarusian President"), set()) > 0.5


def test_a_role_owned_by_an_organisation_the_article_never_names_matches_no_one() -> None:
    # "Baltic International's chairman" is not the chairman of Kestrel Shipping, even where the
    # article has the common word "international" somewhere.
    ref = read_question("Why does Baltic International's chairman want to sell?", ANALYZER).speaker
    assert ref is not None and ref.owner_terms
    chairman = _speaker("Piet Vos", "Kestrel Shipping chairman")
    elsewhere = {"kestrel", "ship", "chairman", "internat", "trade"}
    assert speaker_match(ref, chairman, elsewhere) == 0.0
    assert speaker_match(ref, chairman, elsewhere | {"baltic"}) > 0.5


def test_role_words_given_to_the_speaker_beat_words_only_in_the_article() -> None:
    ref = read_question("What did the Tokyo University professor say?", ANALYZER).speaker
    assert ref is not None
    article = {"tokyo", "universiti", "professor", "dokkyo"}
    sato = _speaker("Seizaburo Sato", "professor of politics at Tokyo University")
    shiratori = _speaker("Rei Shiratori", "professor of politics at Dokkyo University")
    assert speaker_match(ref, sato, article) > speaker_match(ref, shiratori, article)
    sec = read_question("What did the SEC chairman say?", ANALYZER).speaker
    assert sec is not None
    shad = _speaker("John Shad", "chairman Securities and Exchange Commission")
    assert speaker_match(sec, shad, set()) == pytest.approx(1.0)


# ---- the analysis the stages read
def test_analysis_holds_speakers_and_reported_speech_and_survives_bytes() -> None:
    text = HARBOUR["text"].strip()
    article = Article(id="harbour", title="Harbour", text=text, content_hash="h")
    analysis = analyse_article(article, ANALYZER)
    names = [s.name for s in analysis.speakers]
    assert "Amara Okafor" in names and "Bogdan Novak" in names
    okafor = analysis.speakers[names.index("Amara Okafor")]
    assert "director" in okafor.role_terms
    (reported,) = [r for r in analysis.reported if "investors" in text[r.start : r.end]]
    assert text[reported.start : reported.end].startswith("Okafor also told investors that")
    assert analysis.speakers[reported.person].name == "Amara Okafor"
    novak = next(q for q in analysis.quotations if "boats" in text[q.start : q.end])
    assert analysis.speakers[novak.person].name == "Bogdan Novak"
    assert ArticleAnalysis.from_bytes(analysis.to_bytes()) == analysis


# ---- the reporter's lead-in of a statement
def _statement_candidate(text: str, words: str) -> Candidate:
    article = Article(id="a", title="A", text=text, content_hash="x")
    analysis = analyse_article(article, ANALYZER)
    statement = next(q for q in analysis.quotations if words in text[q.start : q.end])
    entry = RetrievedArticle(article, analysis, 1.0)
    return Candidate(entry, statement.start, statement.end, None, 1.0, statement, direct=True)


def _lead_in_text(text: str, words: str) -> list[str]:
    cand = _statement_candidate(text, words)
    analysis = cand.analysis
    found = lead_in(analysis, analysis.sentences_in(cand.start, cand.end), cand)
    return [text[slice(*analysis.sentences[i])] for i in found]


def test_the_lead_in_is_the_reporters_sentence_before_a_run_of_quotations() -> None:
    text = (
        "Lyng said the grain agreement was not worth extending. "
        "“It hasn't been worth much,” Lyng said. “They haven't lived up to it,” he said."
    )
    expected = ["Lyng said the grain agreement was not worth extending."]
    assert _lead_in_text(text, "lived up") == expected
    assert _lead_in_text(text, "worth much") == expected


def test_a_nickname_in_quotation_marks_is_still_the_reporters_lead_in() -> None:
    text = (
        "Cash flow comes first this year, “Pete” Silas, the chairman, told Reuters. "
        "“Our priority is to get cash flow up,” Silas said."
    )
    assert _lead_in_text(text, "priority") == [
        "Cash flow comes first this year, “Pete” Silas, the chairman, told Reuters."
    ]


def test_a_lead_paragraph_of_two_sentences_is_the_lead_in_whole() -> None:
    text = (
        "Kestrel will pay its debt first this year. Its chairman, Marcus Oduya, spoke on Tuesday."
        "\n\n“What we owe comes first,” Oduya said."
    )
    assert _lead_in_text(text, "owe") == [
        "Its chairman, Marcus Oduya, spoke on Tuesday.",
        "Kestrel will pay its debt first this year.",
    ]


# ---- choosing spans, and the hard cap on a quote's size
def _candidate(text: str, start: int, end: int) -> Candidate:
    article = Article(id="a", title="A", text=text, content_hash="x")
    analysis = analyse_article(article, ANALYZER)
    entry = RetrievedArticle(article, analysis, 1.0)
    return Candidate(entry, start, end, None, 1.0)


def test_a_huge_single_line_or_an_unclosed_quotation_gives_a_bounded_quote() -> None:
    one_line = "word " * 200_000 + "the answer is here " + "word " * 200_000
    at = one_line.index("the answer")
    span = quote_span(_candidate(one_line, at, at + 18))
    assert 0 < span[1] - span[0] <= MAX_QUOTE_CHARS
    unclosed = "He said: “" + "we will go on and on. " * 50_000
    cand = _candidate(unclosed, 0, len(unclosed))
    start, end = quote_span(cand)
    assert 0 < end - start <= MAX_QUOTE_CHARS
    assert unclosed[start:end].strip() == unclosed[start:end]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(alphabet=st.sampled_from(list('ab “”".,\n')), min_size=1, max_size=4000),
    data=st.data(),
)
def test_any_span_is_verbatim_and_capped(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    s, e = quote_span(_candidate(text, start, end))
    assert 0 <= s < e <= len(text) and e - s <= MAX_QUOTE_CHARS


def test_choose_skips_overlaps_and_merges_a_sentence_that_leans_back() -> None:
    text = "The tallest building is the Tower. It has a height of 617 ft. Other news."
    first = _candidate(text, 0, 34)
    leaning = _candidate(text, 35, 61)
    leaning.lean_start = 0
    other = _candidate(text, 62, len(text))
    first.score, leaning.score, other.score = 3.0, 2.0, 1.0
    chosen = choose([first, leaning, other], 3, 0.0)
    assert chosen == [first, other]
    assert text[first.start : first.end].endswith("617 ft.")
    assert Retrieved([], 0.0).articles == []


def test_an_engine_over_a_huge_article_answers_with_a_bounded_quote(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = "Lindqvist said: “" + "the cells failed again and again " * 60_000 + "and stopped.”"
    (corpus / "huge.md").write_text(f"---\ntitle: Huge\n---\n\n{body}\n{SKYPARCEL['text']}\n")
    engine = reindex_data_dir(corpus, tmp_path / "data")[1]
    try:
        for question in ("What did Lindqvist say about the cells?", "cells failed"):
            answer = engine.ask(question)
            for quote in answer.quotes:
                assert len(quote.text) <= MAX_QUOTE_CHARS
                text = engine.article(quote.source.article_id).text
                assert text[quote.start : quote.end] == quote.text
    finally:
        engine.close()


def test_a_surname_beats_a_first_name_and_the_affiliation_counts() -> None:
    # news-dev tune half: "Rogers of Prudential Bache" is Mark Rogers, not Roger Stone.
    ref = read_question("Does Rogers of Prudential Bache think prices will hold?", ANALYZER)
    assert ref.speaker is not None
    rogers = _speaker("Mark Rogers", "analyst Prudential-Bache Securities")
    stone = _speaker("Roger Stone", "chairman Stone Container")
    article = {"prudenti", "bach"}
    assert speaker_match(ref.speaker, rogers, article) > speaker_match(ref.speaker, stone, article)
    # a name and the words the question gives them, all the article's: a full match
    hess = read_question("What did Brookings analyst Stephen Hess say?", ANALYZER).speaker
    assert hess is not None
    assert speaker_match(hess, _speaker("Stephen Hess", "Brookings analyst"), set()) == 1.0


def _steps(question: str) -> int:
    """Python and builtin calls made reading ``question``."""
    return calls(lambda: read_question(question, ANALYZER))


@pytest.mark.parametrize("opening", ["Quote ", "What worries "])
def test_reading_a_speaker_takes_work_in_proportion_to_its_words(opening: str) -> None:
    # "A of B of C …": every capitalised word walked over every "of X" after it (and looked
    # back for an "of" before it), so a question of 20,000 characters took seconds.
    small, large = _steps(opening + "A of " * 50), _steps(opening + "A of " * 200)
    assert large < 6 * small  # four times the words: about four times the work, not sixteen


# ---- the form of statement a question asks for
@pytest.mark.parametrize(
    ("question", "quotation", "form"),
    [
        ("Why did Reyes cut output?", "We cut output because demand fell", REASON),
        ("How did Reyes explain the cut?", "Demand fell, so we cut output", REASON),
        ("What did Reyes compare the market to?", "It is like a casino", LIKENESS),
        ("What did Reyes threaten?", "If they strike, we will close the mill", CONDITION),
        ("What does Reyes predict for output?", "Output will rise", FUTURE),
        ("How much coffee does Reyes think the mill can ship?", "We can ship 20 mln bags", AMOUNT),
    ],
)
def test_a_statement_has_the_form_the_question_asks_for(
    question: str, quotation: str, form: StatementForm
) -> None:
    cand = _statement_candidate(f"“{quotation},” Reyes said.", quotation[:10])
    assert form.matches(read_question(question, ANALYZER), cand)
    # Only when the question asks for it: "What did Reyes say …" asks for no form.
    assert not form.matches(read_question("What did Reyes say about output?", ANALYZER), cand)


def test_a_time_or_a_plain_statement_is_no_reason_or_condition() -> None:
    cand = _statement_candidate("“The mill stays shut until May,” Reyes said.", "The mill")
    for question in ("Why did Reyes shut the mill?", "What did Reyes threaten?"):
        read = read_question(question, ANALYZER)
        assert not any(form.matches(read, cand) for form in FORMS)


def test_a_name_with_an_ampersand_is_read_and_shown_as_written() -> None:
    question = read_question("What did AT&T say about Procter & Gamble?", ANALYZER)
    assert [n.text for n in question.names] == ["AT&T", "Procter & Gamble"]
    assert "att" in question.names[0].terms
    assert question.topic_text == "Procter & Gamble"
    # what lies between the words stays; quotation marks around a word go
    assert read_question("What did Ortner tell the Export-Import Bank?", ANALYZER).topic_text == (
        "the Export-Import Bank"
    )
    said = read_question('What did Ortner call the yen "a false hope"?', ANALYZER)
    assert said.topic_text.endswith("a false hope")


def test_the_focus_leaves_out_a_leading_clause_and_a_noun_naming_the_statement() -> None:
    led = read_question("At the Geneva talks, what did Ortner say about the yen?", ANALYZER)
    assert "geneva" in led.topic and "geneva" not in led.focus
    assert "yen" in led.focus
    noun = read_question("What warning did Ortner give the banks?", ANALYZER)
    assert "warn" not in noun.focus and "bank" in noun.focus
    # a yes/no question has no leading clause: "Did X explain why …"
    plain = read_question("Did Ortner explain why the yen fell?", ANALYZER)
    assert plain.focus == plain.topic
