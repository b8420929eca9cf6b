"""Attribution patterns from a second audit of news-dev's tune half (Reuters 1987): 241 direct
quotations in 50 stories, 47 attributed wrongly. Every text here is invented in the shape of
what the audit found, never copied from the articles."""

from __future__ import annotations

from index.speech import analyse_speech
from tests.speech_helpers import cues, speakers


def test_what_a_role_is_of_may_be_a_name_or_lower_case_words() -> None:
    # "an aide to <a named minister> said" is the aide, never the minister; "a spokesman for the
    # company said" and "an official with the growers' group said" are cues too.
    text = (
        '"The mills are running flat out again," an aide to Commerce Secretary Mary Dolan said. '
        '"Nobody expected it."\n\n'
        "Traders were calm.\n\n"
        '"I doubt any of it will pass," the aide to Dolan said.\n\n'
        '"Prices will hold," an official with the growers group said.\n\n'
        '"Sales are weak," a spokesman for the company said.'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == [
        "aide to Commerce Secretary Mary Dolan",
        "aide to Commerce Secretary Mary Dolan",
        "aide to Commerce Secretary Mary Dolan",
        "official with the growers group",
        "spokesman for the company",
    ]
    assert cues(text, speech)[2] == "the aide to Dolan said"


def test_a_lobbyist_is_a_role() -> None:
    text = '"We have to be competitive," said a lobbyist for a big farm group.'
    assert speakers(analyse_speech(text)) == ["lobbyist for a big farm group"]


def test_the_role_of_someone_indefinite_is_someone_new() -> None:
    # "said the regional manager for one of the big airlines" introduces an unnamed speaker:
    # not the analyst quoted just before (a definite article, but nobody met before)
    text = (
        '"Fares must rise," said Ruth Adair, an analyst with Brixton Securities.\n\n'
        '"Nobody can fly at these prices," said the regional manager for one of the big '
        'airlines who asked not to be named. "Something has to give," he added.\n\n'
        "The head of another airline said the fares were fine for the summer season."
    )
    speech = analyse_speech(text)
    manager = "regional manager for one of the big airlines"
    assert speakers(speech) == ["Ruth Adair", manager, manager]
    assert [speech.people[q.person].name for q in speech.reported] == ["head of another airline"]


def test_initials_inside_what_a_role_is_of() -> None:
    text = '"Sterling will hold," said a senior trader at a U.K. merchant bank.'
    assert speakers(analyse_speech(text)) == ["senior trader at a U.K. merchant bank"]


def test_an_appositive_after_a_descriptor_names_the_speaker_only_when_it_is_a_person() -> None:
    text = (
        "A spokesman for the country's biggest dairy, Nordmjolk A/S, said output was steady "
        "this year.\n\n"
        "A spokeswoman for the largest farm union, the FNU, said the quota cut would hurt.\n\n"
        "An aide to Trade Secretary Carl Moe, who is said to oppose the deal with the Canadians, "
        "said the talks were going well.\n\n"
        '"The exchange will be stronger," the chairman of the merger committee, Pat Oduya, said.'
    )
    speech = analyse_speech(text)
    assert [speech.people[q.person].name for q in speech.reported] == [
        "spokesman for the country's biggest dairy",
        "spokeswoman for the largest farm union",
        "aide to Trade Secretary Carl Moe",
    ]
    assert speakers(speech) == ["Pat Oduya"]


def test_initials_between_the_verb_and_the_quotation() -> None:
    # "X told the U.S. Chamber of Commerce "…"": the dots of initials end no sentence
    text = (
        "A government spokesman said exports would grow.\n\n"
        "Mining minister Tan Boon-Kiat arrived in Washington on Monday.\n\n"
        'Tan told the U.S. Chamber of Commerce "Demands that we impose sudden and drastic '
        'export quotas of ten or twenty pct are, in my view, most unwise."'
    )
    assert speakers(analyse_speech(text)) == ["Tan Boon-Kiat"]
    # a quotation that continues the reporter's sentence leaves it reported speech
    reported = 'Tan said the U.S. offer was "fair and generous."'
    speech = analyse_speech(reported)
    assert speakers(speech) == ["Tan"]
    assert [reported[q.start : q.end] for q in speech.reported] == [reported]


def test_a_comma_between_an_affiliation_and_the_verb() -> None:
    # "X of Smith Barney and Co, said …" (the wire's comma), then "he said"
    text = (
        "Carla Finch of Meridian Brokers Inc said copper would rise.\n\n"
        "Walter Sedley of Harlow Baines and Co, said Pelham has lowered its costs. "
        '"They have done a great deal," he said.'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Walter Sedley"]
    assert [speech.people[q.person].name for q in speech.reported][-1] == "Walter Sedley"


def test_a_role_in_apposition_that_ends_with_the_role() -> None:
    # "“…,” Red Cavaney, American Paper Institute president said." (no closing comma)
    text = (
        "The Timber Council said the year would be a record.\n\n"
        '"Low rates are the essential ingredient," Rolf Dunmore, Timber Council president said.'
    )
    assert speakers(analyse_speech(text)) == ["Rolf Dunmore"]


def test_a_participle_cue_belongs_to_the_subject_of_the_sentence() -> None:
    # "X called on Y to …, saying, "…"" / "The senior banker opposed …, saying: "…""
    text = (
        "Farm minister Ana Ruiz said the talks had failed.\n\n"
        "Okafor called on the council to meet again within a month, saying, "
        '"Once tempers cool, common sense will prevail."\n\n'
        "A senior banker said the loans were safe.\n\n"
        "The senior banker was firmly against separate deals, saying: "
        '"There must be one committee and one solution."'
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Okafor", "senior banker"]
    assert [(c or "").split(",")[0] for c in cues(text, speech)] == [
        "Okafor called on the council to meet again within a month",
        "The senior banker was firmly against separate deals",
    ]


def test_who_said_names_the_speaker_before_it() -> None:
    # "… an article by the embassy's counsellor, Li Wen, who said that "…""
    text = (
        "The paper printed an article by the embassy's trade counsellor, Li Wenbo, who said "
        'that "all kinds of barriers" stood in the way of trade.'
    )
    assert speakers(analyse_speech(text)) == ["Li Wenbo"]
    # … but not one of two: "X and Y, who said they opposed it"
    both = (
        "Critics of Ministers Ann Lowe and Carl Brandt, who said they opposed the plan, were few."
    )
    assert analyse_speech(both).reported == ()


def test_he_after_a_descriptor_cue_is_the_one_it_resolved_to() -> None:
    # "The spokesman said …" resolves to the spokesman met before; a "he" after it is that
    # spokesman, not someone named or described in between
    text = (
        "A government spokesman said the port would reopen soon.\n\n"
        "An official of the Dockers Union said if the port stayed shut, half the exporters "
        "would lose money.\n\n"
        "The spokesman said the government had been clearing the backlog slowly.\n\n"
        'He said the ministry was selecting "several" of the berths for repair.'
    )
    assert speakers(analyse_speech(text)) == ["government spokesman"]
    text = (
        "An administration official said the bill was fine.\n\n"
        "Senator Dale Ruck said the plan would fail.\n\n"
        'But the official denied the plan was a bailout. "It is no more a bailout than a new '
        'loan," the official said. "Some people argue it is debt forgiveness," he added.'
    )
    assert speakers(analyse_speech(text)) == ["administration official"] * 2


def test_the_second_name_of_an_affiliation_is_no_speaker() -> None:
    # "X of Harvard University's Energy and Environment Policy Center said …": the centre is
    # where X works; the "he" after it is X
    text = (
        "Analyst Mary Okoro said demand was flat.\n\n"
        "But Ravi Menon of Boston University's Energy and Environment Policy Center said "
        "demand had been rising.\n\n"
        '"Demand is clearly above the quota," he told reporters.'
    )
    assert speakers(analyse_speech(text)) == ["Ravi Menon"]


def test_a_speech_verb_after_the_and_a_name_is_a_noun() -> None:
    # 'said that the Shultz comments "are consistent …"': "comments" is no verb here
    text = (
        "An aide to Finance Minister Olga Petrova, who has opposed the plan, said that the Brandt "
        'comments "are consistent with what he has taught for years," but said little else.'
    )
    assert speakers(analyse_speech(text)) == ["aide to Finance Minister Olga Petrova"]


def test_a_capitalised_verb_form_inside_a_name_is_no_verb() -> None:
    # "the United States" holds "States", a form of "to state": never a cue
    text = (
        "Trade envoy Ivo Lind said the talks were going well.\n\n"
        "The trade deficit with the United States totalled two billion dlrs in 1985, he said.\n\n"
        "Sales of new homes in the United States fell 6.8 pct in January from December."
    )
    speech = analyse_speech(text)
    assert [speech.people[q.person].name for q in speech.reported] == ["Ivo Lind", "Ivo Lind"]


def test_a_role_in_a_place_is_the_speaker_not_the_place() -> None:
    # "A Japanese trader in Peking said …" / "U.S. Undersecretary of Agriculture X said"
    text = (
        "A Japanese trader in Lisbon said imports would rise this year.\n\n"
        '"Prices are too low to export," the trader said.\n\n'
        "Exports face a price problem, U.S. Undersecretary of Commerce Dana Price said.\n\n"
        "The premium, which a dealer in Dover, Kent, said was wide, may narrow soon."
    )
    speech = analyse_speech(text)
    assert speakers(speech) == ["Japanese trader in Lisbon"]
    assert [speech.people[q.person].name for q in speech.reported] == [
        "Japanese trader in Lisbon",
        "Dana Price",
        "dealer in Dover",
    ]
