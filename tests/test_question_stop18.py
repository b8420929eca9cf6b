"""Stop 18: speakers a reader of news names that the question reader missed (found on tune-half
news questions, written here on invented names): a relative clause describing the person, an
organisation or a document that speaks, a word of saying used as a noun, an adverb after the
speaker, and verbs with their particle."""

from __future__ import annotations

import pytest

from index.analysis import Speaker
from index.analyze import Analyzer
from index.features import speaker_match
from index.question import read_question

ANALYZER = Analyzer()


def read(question: str):  # type: ignore[no-untyped-def]
    q = read_question(question, ANALYZER)
    assert q.speech and q.speaker is not None, question
    assert not set(q.speaker.terms) & set(q.topic), question  # the speaker is not the topic
    return q


@pytest.mark.parametrize(
    ("question", "head", "describes", "topic"),
    [
        # a relative clause says which banker; its capitalised words are no name
        (
            "How did a banker who attended the Estmark symposium read Brandt's remarks?",
            "banker",
            {"attend", "estmark", "symposium"},
            {"brandt", "remark"},
        ),
        (
            "What does the analyst who knows the two mines think the stakes are worth?",
            "analyst",
            {"know", "mine"},
            {"stake", "worth"},
        ),
    ],
)
def test_a_relative_clause_describes_the_speaker(
    question: str, head: str, describes: set[str], topic: set[str]
) -> None:
    q = read(question)
    assert q.speaker.name == ""
    assert q.speaker.head == head
    assert describes <= set(q.speaker.role_terms)
    assert topic <= set(q.topic)


@pytest.mark.parametrize(
    ("question", "speaker", "topic"),
    [
        # a word of saying after a possessive is a noun: "Brandt's remarks" is what was read
        (
            "How did an official of the Norland Growers Association read the mayor's remarks?",
            "an official of the Norland Growers Association",
            {"mayor", "remark"},
        ),
        # … and one followed by the verb is the subject's noun: "the annual report warn"
        (
            "What did Harbour Trust's annual report warn about its ferry loans?",
            "Harbour Trust's annual report",
            {"ferri", "loan"},
        ),
        ("What did the report say about the quay?", "the report", {"quay"}),
    ],
)
def test_a_word_of_saying_used_as_a_noun_is_no_verb(
    question: str, speaker: str, topic: set[str]
) -> None:
    q = read(question)
    assert q.speaker.text == speaker
    assert topic <= set(q.topic)


@pytest.mark.parametrize(
    ("question", "head"),
    [
        ("Does the union think a strike at the ferry yard can be avoided?", "union"),
        ("Does Norland's trade ministry admit any difficulties with the pact?", "ministri"),
        ("What did the harbour committee conclude about the quay?", "committe"),
        ("Does the lending mission think Norland can still rescue its budget?", "mission"),
        ("What did the research team conclude about the salmon?", "team"),
        ("What did Norland's biggest newspaper say about the budget?", "newspap"),
    ],
)
def test_an_organisation_or_a_document_speaks(question: str, head: str) -> None:
    q = read(question)
    assert q.speaker.name == ""
    assert q.speaker.head == head


def test_an_organisation_is_matched_by_its_spokesman_or_itself() -> None:
    ministry = read("Does the finance ministry admit any difficulties with the pact?").speaker
    spokesman = Speaker(
        name="Ministry of Finance spokesman",
        name_terms=(),
        role_terms=tuple(ANALYZER.tokens("Ministry of Finance spokesman")),
    )
    trader = Speaker(name="trader", name_terms=(), role_terms=("trader",))
    assert speaker_match(ministry, spokesman, set()) > 0.5
    assert speaker_match(ministry, trader, set()) == 0.0
    union = read("Does the union think a strike can be avoided?").speaker
    the_union = Speaker(name="union", name_terms=(), role_terms=("union",))
    assert speaker_match(union, the_union, set()) > 0.5


def test_a_document_is_its_owners_words() -> None:
    # "Harbour Trust's annual report warned …": the words are Harbour Trust's
    ref = read("What did Harbour Trust's annual report warn about its ferry loans?").speaker
    trust = Speaker(name="Harbour Trust", name_terms=("harbour", "trust"), role_terms=())
    other = Speaker(name="Ann Lee", name_terms=("ann", "lee"), role_terms=("analyst",))
    assert speaker_match(ref, trust, set()) > 0.5
    assert speaker_match(ref, other, set()) == 0.0


@pytest.mark.parametrize(
    ("question", "name", "head"),
    [
        ("Why is Calloway now seeking partners abroad?", "Calloway", None),
        ("What goals did the treasurer set out for the economy?", "", "treasur"),
        ("Why did Justice Ann Lee turn down the employers' demand?", "Ann Lee", None),
        ("When does Brandt hope the talks will be wrapped up?", "Brandt", None),
        ("Does one of the premier's closest aides think he will stay?", "", "aid"),
    ],
)
def test_more_ways_of_naming_a_view(question: str, name: str, head: str | None) -> None:
    q = read(question)
    assert q.speaker.name == name
    assert q.speaker.head == head


@pytest.mark.parametrize(
    "question",
    [
        "What did Luther read at Erfurt?",
        "What book did the princess read?",
        "Where did the committee set up its office?",
        "When did the union form?",
        "What did the government build in 1950?",
        "How many members does the committee have?",
        "Which report did the commission publish in 1990?",
        "Who did the team turn to for help?",
    ],
)
def test_these_stay_factoids(question: str) -> None:
    assert not read_question(question, ANALYZER).speech


@pytest.mark.parametrize(
    ("question", "name", "verb"),
    [
        # "say" after a name ending in 's is still the verb; only a noun-like word is a noun
        ("Why did Ann Lee of Standard and Poor's say the agency cut its rating?", "Ann Lee", ""),
        # "condemn" is the verb, though "vows" could be one
        ("Why did Calloway condemn vows of silence?", "Calloway", "condemn"),
    ],
)
def test_a_verb_before_a_word_of_saying_stays_the_verb(question: str, name: str, verb: str) -> None:
    q = read(question)
    assert q.speaker.name == name
    assert q.verbs == ((verb,) if verb else ())


def test_a_passive_asks_who_did_it() -> None:
    assert not read_question("What is the paper written by Ann Lee about?", ANALYZER).speech


def test_a_stance_before_by_is_still_a_view() -> None:
    q = read("Why isn't Ann Lee convinced by the output gain?")
    assert q.speaker.name == "Ann Lee"


def test_when_does_x_hope_to_asks_a_date() -> None:
    assert not read_question("When does Norland hope to close the loan?", ANALYZER).speech


@pytest.mark.parametrize(
    ("printed", "matches"),
    [
        ("Wisnieski", True),  # a letter dropped
        ("Wisniewskie", True),  # a letter added
        ("Wisnieswki", True),  # two neighbours swapped
        ("Wisniewsky", False),  # a letter changed: another name
        ("Wisniak", False),
    ],
)
def test_a_misspelt_surname_is_the_same_person_but_less_surely(printed: str, matches: bool) -> None:
    ref = read("What did Wisniewski say about rates?").speaker
    exact = Speaker(name="Wisniewski", name_terms=("wisniewski",), role_terms=())
    typo = Speaker(name=printed, name_terms=(printed.casefold(),), role_terms=())
    score = speaker_match(ref, typo, set())
    assert (score > 0) == matches
    assert score < speaker_match(ref, exact, set())


def test_short_names_are_never_taken_for_misspellings() -> None:
    ref = read("What did Lee say about rates?").speaker
    assert speaker_match(ref, Speaker(name="Le", name_terms=("le",), role_terms=()), set()) == 0


def test_a_participle_describes_the_speaker() -> None:
    q = read("Does the senior banker involved in Norland's debt talks back separate deals?")
    assert q.speaker.head == "banker" and q.speaker.name == ""
    assert {"separ", "deal"} <= set(q.topic)


def test_a_policymaker_is_an_official() -> None:
    # "a Norland economic policymaker" is how a reader names the "Norland official" quoted
    ref = read("According to a Norland economic policymaker, what will the reshuffle do?").speaker
    official = Speaker(
        name="Norland official", name_terms=(), role_terms=("norland", "offici"), named=False
    )
    assert speaker_match(ref, official, set()) > 0.5


def test_after_did_the_verb_is_bare() -> None:
    # "answer reports that …": "answer" is the verb, "reports" what was answered
    q = read("How did Norland's oil minister answer reports that Norland was pumping more?")
    assert q.speaker.text == "Norland's oil minister"
    assert q.verbs == ("answer",)
    assert "report" in q.topic


@pytest.mark.parametrize(
    ("question", "one_person"),
    [
        ("What did Norland's finance minister say about the crown?", True),
        ("Why did a senior foreign banker welcome the reserve rule?", True),
        ("What did analysts say about the crown?", False),
        ("What did the spokesmen say about the crown?", False),
        ("What did Ann Lee, the finance minister, say about the crown?", False),  # named
        ("Does the union think a strike can be avoided?", False),
        ("What did the annual report warn about loans?", False),
    ],
)
def test_a_role_names_one_person_or_not(question: str, one_person: bool) -> None:
    assert read(question).speaker.one_person is one_person


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("Why is Lucky Securities director Park Sin-bom confident about the fund?", "Park Sin-bom"),
        ("What warning did Leigh-Pemberton give the City firms?", "Leigh-Pemberton"),
    ],
)
def test_a_capitalised_word_joined_by_hyphens_is_one_word(question: str, name: str) -> None:
    q = read(question)
    assert q.speaker.name == name
    # the article's name ends with the joined term ("Park Sin-bom": "sinbom"), as the question's
    assert q.speaker.name_terms[-1] == ANALYZER.tokens(name.split()[-1])[-1]


def test_hyphenated_common_words_read_no_speaker() -> None:
    assert not read_question("What are the Siouan-speaking tribes?", ANALYZER).speech
