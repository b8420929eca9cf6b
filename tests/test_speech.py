"""Direct speech and who said it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.speech import SPEECH_VERBS, Quotation, analyse_speech, find_quotations
from tests.seed_texts import SEED_1_OPENING
from tests.work import calls

# Seed 1 (belarus-china-increasing-ties), its first seven paragraphs verbatim.
SEED_1 = SEED_1_OPENING + (
    "Per the Belarusian leader, “today, Moscow and Beijing continue to foster a constructive "
    "political dialogue, successfully develop economic cooperation and expand regional ties.”\n\n"
    "Lukashenko also declared that there are no obstacles to tightening bilateral interactions "
    "between the two nations.\n\n"
    "“We are ready to keep making the necessary efforts for a fruitful development of our "
    "partnership,” the Belarusian leader proclaimed.\n\n"
    "Belarus has relatively tight relations with China."
)


def quoted(text: str) -> list[tuple[str, str | None, str | None]]:
    """(quotation text, speaker, cue text) for each quotation."""
    out = []
    for q in find_quotations(text):
        cue = text[q.cue_start : q.cue_end] if q.cue_start >= 0 else None
        out.append((text[q.start : q.end], q.speaker, cue))
    return out


def test_seed_1_has_three_quotations_all_lukashenkos() -> None:
    found = quoted(SEED_1)
    assert len(found) == 3
    first, second, third = found
    assert first[0].startswith("“Expanding ties") and first[0].endswith("Belarus and China,”")
    assert first[1:] == ("Lukashenko", "Lukashenko said")
    assert second[0].startswith("“today, Moscow") and second[0].endswith("regional ties.”")
    assert second[1:] == ("Lukashenko", "Per the Belarusian leader,")
    assert third[0].startswith("“We are ready") and third[0].endswith("our partnership,”")
    assert third[1:] == ("Lukashenko", "the Belarusian leader proclaimed")


def test_scare_quote_nested_in_a_statement_is_not_reported() -> None:
    for q in find_quotations(SEED_1):
        assert "‘a comprehensive" not in SEED_1[q.start : q.start + 2]
    assert not any(SEED_1[q.start] == "‘" for q in find_quotations(SEED_1))


def test_patterns_after_the_quotation() -> None:
    text = (
        "British Prime Minister Gordon Brown met reporters on Monday. “We will not walk away "
        "from the banks,” Brown said. “The recovery is fragile,” said Gordon Brown. “We act "
        "now,” Brown told reporters. “Nobody is safe,” Brown warned. “It will work,” Brown "
        "later insisted. “Done,” Brown, the prime minister, stressed."
    )
    found = quoted(text)
    assert [f[1] for f in found] == [
        "Brown",
        "Gordon Brown",
        "Brown",
        "Brown",
        "Brown",
        "Brown",
    ]
    assert [f[2] for f in found] == [
        "Brown said",
        "said Gordon Brown",
        "Brown told",
        "Brown warned",
        "Brown later insisted",
        "Brown, the prime minister, stressed",
    ]


def test_patterns_before_the_quotation() -> None:
    cases = {
        "Chinese President Xi Jinping said: “Our friendship is unbreakable.”": (
            "Xi Jinping",
            "Chinese President Xi Jinping said",
        ),
        "Xi told Lukashenko: “China supports you.”": ("Xi", "Xi told"),
        "Xi Jinping said that “the two nations are brothers.”": ("Xi Jinping", "Xi Jinping said"),
        "According to Xi Jinping, “the relationship is at its best.”": (
            "Xi Jinping",
            "According to Xi Jinping,",
        ),
        "Per Xi Jinping, “ties are strong.”": ("Xi Jinping", "Per Xi Jinping,"),
        "Xi Jinping said the talks were “very productive” and left.": (
            "Xi Jinping",
            "Xi Jinping said",
        ),
    }
    for text, (speaker, cue) in cases.items():
        (found,) = quoted(text)
        assert found[1:] == (speaker, cue), text


def test_according_to_after_and_said_first() -> None:
    assert quoted("“Ties are strong,” according to Xi Jinping.")[0][1:] == (
        "Xi Jinping",
        "according to Xi Jinping",
    )
    assert quoted("“Why not?” asked Lukashenko.")[0][1] == "Lukashenko"


def test_titles_are_stripped_from_the_speaker() -> None:
    text = "“It was hard,” said Foreign Minister Sergei Lavrov. “Enough,” Mrs. May said."
    assert [f[1] for f in quoted(text)] == ["Sergei Lavrov", "May"]


def test_pronouns_follow_gender_and_recency() -> None:
    text = (
        "Gordon Brown spoke first. Then Angela Merkel answered. “Europe must act together,” she "
        "said. “We agree with the chancellor,” he said."
    )
    assert [f[1] for f in quoted(text)] == ["Angela Merkel", "Gordon Brown"]


def test_a_woman_introduced_with_an_appositive() -> None:
    text = (
        "Angela Merkel, the German chancellor, spoke after talks in Berlin. “Europe must stand "
        "together on this,” she said."
    )
    assert quoted(text)[0][1:] == ("Angela Merkel", "she said")


def test_title_reveals_gender() -> None:
    text = (
        "Prime Minister Theresa May and President Xi Jinping met in Beijing. Xi Jinping spoke "
        "first. Mrs. May thanked him. “Trade will grow,” she said. “China welcomes it,” he said."
    )
    assert [f[1] for f in quoted(text)] == ["May", "Xi Jinping"]


def test_descriptor_goes_to_the_person_it_describes() -> None:
    text = (
        "Belarusian President Alexander Lukashenko met Chinese President Xi Jinping in Beijing. "
        "“Our ties are strong,” the Belarusian leader said. “We agree,” the Chinese president "
        "said."
    )
    assert [f[1] for f in quoted(text)] == ["Alexander Lukashenko", "Xi Jinping"]


def test_descriptor_with_no_named_person_stays_unnamed() -> None:
    assert quoted("“We are ready,” the minister said.")[0][1:] == (None, "the minister said")
    # an unnamed speaker described by more than a bare role is shown by that description
    assert quoted("“Calm down,” a government spokesman said.")[0][1:] == (
        "government spokesman",
        "a government spokesman said",
    )
    # an indefinite descriptor is someone unnamed, even when a person was named before
    text = "President Xi Jinping arrived. “No comment,” an official said."
    assert quoted(text)[0][1] is None


def test_names_inside_a_quotation_are_not_antecedents() -> None:
    text = "Prime Minister Gordon Brown spoke. “I told President Xi Jinping we agree,” he said."
    assert quoted(text)[0][1] == "Gordon Brown"


def test_continuation_in_the_same_paragraph_keeps_the_speaker() -> None:
    text = "“We will win,” Brown said. “The recovery is fragile.” He called it “historic”."
    found = quoted(text)
    assert [f[1] for f in found] == ["Brown", "Brown", None]
    assert found[1][2] is None and found[2][2] is None  # no cue of their own


def test_scare_quotes_outside_a_statement_have_no_speaker() -> None:
    text = "Minsk calls it “a comprehensive strategic partnership” with China."
    assert quoted(text) == [("“a comprehensive strategic partnership”", None, None)]


def test_nested_double_quotes_stay_inside() -> None:
    text = "“This is “very” serious,” said Xi Jinping, the Chinese president."
    assert quoted(text) == [("“This is “very” serious,”", "Xi Jinping", "said Xi Jinping")]


def test_straight_quotes() -> None:
    text = 'Lavrov said: "We are ready." Later, "It was hard," said Sergei Lavrov.'
    assert quoted(text) == [
        ('"We are ready."', "Lavrov", "Lavrov said"),
        ('"It was hard,"', "Sergei Lavrov", "said Sergei Lavrov"),
    ]


def test_multi_paragraph_quotation_shares_its_speaker() -> None:
    text = (
        "Lukashenko spoke at length.\n\n"
        "“The first part of a long speech about trade.\n\n"
        "“The second part, on security,” Lukashenko said."
    )
    found = quoted(text)
    assert [f[0] for f in found] == [
        "“The first part of a long speech about trade.",
        "“The second part, on security,”",
    ]
    assert [f[1] for f in found] == ["Lukashenko", "Lukashenko"]


def test_unbalanced_quotes_end_at_the_paragraph() -> None:
    text = "Xi said: “We will never give up\nA new paragraph. ” Stray closer."
    found = quoted(text)
    assert found == [("“We will never give up", "Xi", "Xi said")]
    assert quoted('Unbalanced "quote at the end') == [('"quote at the end', None, None)]
    assert quoted("” only a closer, “") == []


def test_speaker_is_printed_as_in_the_text_even_with_odd_spaces() -> None:
    text = "President\u00a0Xi\u00a0Jinping arrived. “Hi there,” he said."
    assert quoted(text)[0][1] == "Xi\u00a0Jinping"


def test_russian_guillemets() -> None:
    text = "Лукашенко заявил: «Мы готовы». «Китай — наш друг», — сказал Лукашенко."
    assert quoted(text) == [
        ("«Мы готовы»", "Лукашенко", "Лукашенко заявил"),
        ("«Китай — наш друг»", "Лукашенко", "сказал Лукашенко"),
    ]


def test_no_quotes_no_quotations() -> None:
    assert find_quotations("") == []
    assert find_quotations("Lukashenko said nothing at all.") == []


def test_speech_verbs() -> None:
    for verb in ("say", "said", "says", "tell", "told", "declare", "declared", "proclaimed"):
        assert verb in SPEECH_VERBS
    assert all(v == v.lower() for v in SPEECH_VERBS)
    assert "met" not in SPEECH_VERBS


def test_quotation_is_frozen() -> None:
    q = Quotation(0, 3, None, -1, -1)
    try:
        q.start = 1  # type: ignore[misc]
    except AttributeError:
        pass
    else:
        raise AssertionError("Quotation must be immutable")


# ---- properties
_FRAGMENTS = [
    *'“”"‘’«» \n,.:—',
    "said",
    "he",
    "she",
    "Xi",
    "Lukashenko",
    "the leader",
    "told",
    "according to",
    "Per",
    "We",
    "ready",
    "President",
    "Gordon Brown",
    "a spokesman",
    "Mrs.",
    "\u00a0",
    "Chinese\u00a0President Xi\u00a0Jinping",
    "«",
    "— сказал",
    "Лукашенко",
]
_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120
) | st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_any_text_gives_sane_quotations(text: str) -> None:
    found = find_quotations(text)
    last_end = 0
    for q in found:
        assert last_end <= q.start < q.end <= len(text)
        piece = text[q.start : q.end]
        assert piece == piece.strip() and piece[0] in '“"«”'
        if q.cue_start == -1:
            assert q.cue_end == -1
        else:
            assert 0 <= q.cue_start < q.cue_end <= len(text)
            cue = text[q.cue_start : q.cue_end]
            assert cue == cue.strip()
            # the cue sits outside the quotation
            assert q.cue_end <= q.start or q.cue_start >= q.end
        if q.speaker is not None:
            assert q.speaker and q.speaker == q.speaker.strip()
            assert q.speaker in text
        last_end = q.end


# ---- newswire attribution (issue 8)
def test_descriptions_before_and_affiliations_after_a_name() -> None:
    cases = {
        "“It is a verdict,” private political analyst Stephen Hess told Reuters.": "Stephen Hess",
        "“It was a mistake,” said analyst David Healy of Drexel Burnham Lambert Inc.": (
            "David Healy"
        ),
        "“The placebo effect is huge,” panel member Paul Bergstresser of the University of "
        "Texas told the meeting.": "Paul Bergstresser",
        "“The law must not stand alone,” Norway's foreign minister Thorvald Stoltenberg told "
        "parliament.": "Thorvald Stoltenberg",
        "“We will not fly,” said Skyparcel’s chief executive, Hannah Lindqvist.": (
            "Hannah Lindqvist"
        ),
        "“Intervention was improper,” Japan's Minister of International Trade and Industry "
        "Hajime Tamura told a news conference.": "Hajime Tamura",
    }
    for text, speaker in cases.items():
        assert quoted(text)[0][1] == speaker, text


def test_quoted_as_saying_and_an_appositive_naming_the_descriptor() -> None:
    text = 'The radio quoted Khomeini as saying: "Our enemies are pursuing the aim of harm."'
    assert quoted(text)[0][1] == "Khomeini"
    text = (
        "The consultant, Ohio State University professor Carl Leier, said: "
        "“The record is quite a good one.”"
    )
    assert quoted(text)[0][1] == "Carl Leier"
    text = "The spokesman, Carl Leier of Ohio State University, said: “The record is quite good.”"
    assert quoted(text)[0][1] == "Carl Leier"
    text = (
        "The consultant, Ohio State University Professor of Medicine Carl Leier, said: "
        "“The record is quite a good one.”"
    )
    assert quoted(text)[0][1].endswith("Carl Leier")


def test_a_clause_between_commas_is_no_appositive_name() -> None:
    # A name inside a clause ("reacting to … British press reports") is not the descriptor's
    # name: the speaker stays the spokesman the article introduced (Reuters 1987, Heinz).
    text = (
        "Heinz chairman Tony O'Reilly would be interested, a spokesman said.\n\n"
        "The spokesman, reacting to Irish and British press reports, said "
        '"He continues to be interested."'
    )
    speech = analyse_speech(text)
    speakers = [speech.people[q.person].name for q in speech.quotations]
    assert speakers == ["spokesman"], speakers
    for clause in ("speaking from Frankfurt", "in response to questions from Reuters"):
        said = f'A spokesman, {clause}, said "Offers were made."'
        assert quoted(said)[0][1] is None, said


def test_a_quotation_without_a_cue_continues_the_speech_before_it() -> None:
    text = (
        "Interest rates remain high, Gurria added. “Inflation has disappeared, but rates are "
        "still near seven pct.”\n\n"
        "“This is certification of incompetence,” analyst Stephen Hess told Reuters.\n\n"
        "“It is as if he went before a licensing board and was denied credentials.”"
    )
    assert [f[1] for f in quoted(text)] == ["Gurria", "Stephen Hess", "Stephen Hess"]


def test_an_unnamed_speaker_is_found_again_by_the_descriptor() -> None:
    text = (
        "Benetton may buy a bank, a Benetton spokeswoman said.\n\n"
        "“We are thinking of diversification,” the spokeswoman said."
    )
    speech = analyse_speech(text)
    (quotation,) = speech.quotations
    assert quotation.speaker == "Benetton spokeswoman"
    assert speech.people[quotation.person].named is False
    assert speech.reported[0].person == quotation.person


def test_reported_speech_is_a_sentence_with_a_speaker() -> None:
    text = (
        "Finance Minister Dilson Funaro arrived in Paris. He told reporters that Brazil would "
        "not adopt another austerity plan. Phillips will emphasize cash flow this year."
    )
    speech = analyse_speech(text)
    (reported,) = speech.reported
    assert text[reported.start : reported.end].startswith("He told reporters that Brazil")
    assert speech.people[reported.person].name == "Dilson Funaro"
    assert "minister" in speech.people[reported.person].words


def test_an_owner_and_a_surname_name_the_person_introduced_before() -> None:
    """ "said Harwick Lowe's Berg": Berg of Harwick Lowe, the analyst named in full before; the
    owner is where she works, not part of her name. A company's own possessive name stays."""
    text = (
        "Shipping rates fell for a third week, said Harwick Lowe analyst Nina Berg.\n\n"
        "“Prices will settle by spring, once the new ships are at sea,” said Harwick Lowe's "
        "Berg.\n\n"
        "“Freight is cheap again,” said Moody's Corp in a note.\n"
    )
    speech = analyse_speech(text)
    berg, moodys = speech.quotations
    person = speech.people[berg.person]
    assert person.name == "Nina Berg" and berg.speaker == "Harwick Lowe's Berg"  # as printed
    assert {"harwick", "lowe", "analyst"} <= set(person.words.split())
    assert speech.people[moodys.person].name == "Moody's Corp"


def test_an_affiliation_with_a_descriptor_is_not_the_speaker() -> None:
    # Reuters 1987 (Canadian economy), names changed.
    text = (
        'Economist Wendy Hale of the brokerage Nesbitt Thomson Inc said "it is not a very '
        'promising number."'
    )
    assert quoted(text)[0][1] == "Wendy Hale"


def test_agreed_is_a_cue_and_he_is_never_an_organisation() -> None:
    # Reuters 1987 (retail sales), names changed: "he" after "agreed Elliot Pratt" is Pratt,
    # not the department the article quoted before.
    text = (
        "Sales rose 1.4 pct, the Commerce Department noted.\n\n"
        '"The number is not really that problematic," agreed Elliot Pratt of Donaldsen '
        "Securities Corp.\n\n"
        "Pratt does not foresee tighter policy.\n\n"
        '"The Fed is on hold now," he said.'
    )
    speakers = [q[1] for q in quoted(text)]
    speech = analyse_speech(text)
    people = [speech.people[q.person].name for q in speech.quotations]
    assert speakers[0] == "Elliot Pratt"
    assert people == ["Elliot Pratt", "Elliot Pratt"], people


def test_a_name_in_apposition_before_the_verb_is_the_speaker() -> None:
    # Reuters 1987 (Bank of England), names changed: "its governor, Robin Hale, said".
    text = (
        "The Bank of England does not favour rules to shield companies from takeovers, its "
        "governor, Robin Hale, said.\n\n"
        "“Boards cannot expect protection,” its governor, Robin Hale, said."
    )
    speech = analyse_speech(text)
    assert [q.speaker for q in speech.reported] == ["Robin Hale"]
    assert [q.speaker for q in speech.quotations] == ["Robin Hale"]


def test_one_or_another_unnamed_speaker() -> None:
    # Reuters 1987: "one Japanese official said", "another dealer said".
    text = (
        '"It condemns Japan without due process," one Japanese official said.\n\n'
        '"Banks should wait," another dealer said. "But there is no reason to panic," he said.'
    )
    speech = analyse_speech(text)
    people = [speech.people[q.person].name if q.person >= 0 else None for q in speech.quotations]
    assert people == ["Japanese official", "dealer", "dealer"], people


def test_a_quotation_inside_reported_speech_is_the_reporteds() -> None:
    # Reuters 1987, names changed: a short quotation inside "X said he thought …".
    text = (
        "Robert Orton, who stressed he was expressing personal views, said he thought the U.S. "
        'dollar was "fairly priced" against most European currencies.\n\n'
        'The administration has given "mixed signals" on whether a loan could be challenged, '
        "David Haggerty said."
    )
    speakers = [q[1] for q in quoted(text)]
    assert speakers == ["Robert Orton", "David Haggerty"], speakers


def test_a_role_appositive_without_its_closing_comma() -> None:
    # Reuters 1987: "Jim Miller, president of NAWG said" (no comma before the verb).
    text = (
        '"We cannot let others set the price of grain," Jim Miller, president of NAWG said.\n\n'
        "James Fry, vice-president of GM Overseas Distribution Corporation told a briefing that "
        "sales would rise five-fold this year."
    )
    speech = analyse_speech(text)
    assert [q.speaker for q in speech.quotations] == ["Jim Miller"]
    assert [q.speaker for q in speech.reported] == ["James Fry"]


def test_she_is_never_a_company_written_in_capitals() -> None:
    # Reuters 1987, names changed: "she said" after "GM" is the analyst, not GM.
    text = (
        "Anne Knott, automotive analyst for Paine Webber, told Reuters that GM's sales were "
        'weak, but added: "I think sales will get better in the spring."\n\n'
        '"GM may make more production cuts," she said.'
    )
    speech = analyse_speech(text)
    people = [speech.people[q.person].name for q in speech.quotations]
    assert people == ["Anne Knott", "Anne Knott"], people


def test_a_chartist_is_a_role() -> None:
    text = '"The breakout is important," said chartist Leslie Keefe of Technical Data Corp.'
    assert quoted(text)[0][1] == "Leslie Keefe"


def test_a_name_in_apposition_acts_and_he_refers_to_it() -> None:
    # Reuters 1987, names changed: "The Governor of the Bank, Robin Hale, repeated …" then
    # "he said".
    text = (
        "The Governor of the Bank of England, Robin Hale, repeated his criticism of City "
        "predators.\n\n"
        '"I have been concerned when predators have sought to unsettle a company," he said.'
    )
    speech = analyse_speech(text)
    assert [speech.people[q.person].name for q in speech.quotations] == ["Robin Hale"]


def test_a_cue_inside_an_unclosed_quotation_is_not_inherited() -> None:
    # found by the hypothesis test below: the statement's cue lies inside the quotation
    text = "000000000:0:0:0“According to B"
    for q in find_quotations(text):
        assert q.cue_end <= q.start or q.cue_start >= q.end


def test_a_party_in_parentheses_between_the_name_and_its_state() -> None:
    # Reuters 1987: "Senate Majority Leader Robert Byrd (Democrat) of West Virginia said …".
    text = (
        "Senate Majority Leader Robert Byrd (Democrat) of West Virginia said in an interview "
        'he was heartened. "But one speech is not enough to rebuild trust."\n\n'
        '"It was candid," Rep. Hal Daub (R-Nebr.) said.'
    )
    assert [q[1] for q in quoted(text)] == ["Robert Byrd", "Hal Daub"]


def test_pronouns_after_the_audit() -> None:
    # An audit of 390 quotations in news-dev's tune half (Reuters 1987; names changed here).
    # "he" is not the plural "Analysts" said before (the unnamed analyst who doubted is no
    # speaker yet: no one, rather than the wrong one)
    plural = analyse_speech(
        "Analysts said the rumor was false.\n\nAn analyst who asked not to be named, doubted the "
        'rumor. "Pickens has a plateful already," he said.'
    )
    assert plural.quotations[-1].person == -1
    cases = {
        # "she" is not the company written in capitals
        "Anne Knott, automotive analyst for Paine Webber, said sales were weak at GM.\n\n"
        '"GM may make more production cuts," she said.': "Anne Knott",
        # a name with its affiliation acts: "Philip Frick of Goldman Sachs and Co falls …"
        "Michael Lucky of Dean Witter said sales would rise.\n\nPhilip Frick of Goldman Sachs "
        "and Co falls in the middle of the bulls and bears. While he recommends the stock, he "
        'said results will not improve. "I\'m not looking for improvement," he said.': "Philip Frick",
        # "denied" is a speech verb: the spokesman who denied is the "he" that follows
        "Nancy Tauss, a union official, said the airline was unfair.\n\nBut airline spokeman Jim "
        'Ashlock denied it. "We are just trying to correct problems," he said.': "Jim Ashlock",
        # a plural noun before "had" is no verb: "Upjohn statistics had …"
        "Panel member Dr. Robert Stern, a Boston dermatologist, said Upjohn statistics had "
        'exaggerated the effect.\n\nHe said "about one in five" patients saw results.': "Robert Stern",
    }
    for text, speaker in cases.items():
        speech = analyse_speech(text)
        last = speech.quotations[-1]
        assert last.person >= 0 and speech.people[last.person].name == speaker, text


# ---- cost: counted in Python calls (deterministic), never in seconds
def _calls(text: str) -> int:
    """Python function calls (generator steps included) made analysing ``text``."""
    return calls(lambda: analyse_speech(text), events=frozenset({"call"}))


@pytest.mark.parametrize(
    "unit",
    [
        '"It is bad," said Robin Leigh-Pemberton, the governor of the Bank of England. ',
        "Smith said the deal was good for all of them.\n\n“We are ready now.”\n\n",
        "“We are ready now,” Smith said. Jones said the plan was fine for everyone here. ",
    ],
)
def test_work_grows_in_proportion_to_the_quotations_and_statements(unit: str) -> None:
    # Every sentence with a speech verb looked at every quotation of the text (and every
    # quotation without a cue at every statement after it): a 200 KB transcript took seconds,
    # a 5 MB one (the size limit) most of an hour.
    small, large = _calls(unit * 60), _calls(unit * 240)
    assert large < 6 * small  # four times the text: about four times the work, not sixteen
