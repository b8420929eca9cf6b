"""Reading a question: what it asks for, about whom, and about what.

:func:`read_question` is plain rules over the question's words:

- the *kind*: who / when / where / count (how many, how much …) / what / why / how / other;
- whether it asks for someone's *words or views* ("What did X say/tell/warn/predict …",
  "How did X explain/react to/sum up …", "Why does X think …", "Does X think …", "According to
  X, …", "Quote X on …", "X's comments on …", "What was X's reaction …");
- the *speaker* such a question names: a name ("Hannah Lindqvist", "Healy of Drexel Burnham":
  the name is Healy, Drexel Burnham where he works) and the words that describe them
  ("Brazil's finance minister" → role "minister", qualifiers "brazil", "finance");
- the *topic*: the question's terms that are neither the speaker nor the verb of saying;
- the *names* it mentions, for evidence that the corpus has no answer ("No article mentions …");
- whether it asks for *more* ("What else did he say?").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index.analyze import Analyzer
from index.speech import SPEECH_VERBS


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# (a capitalised word joined by hyphens is one word: "Park Sin-bom", "Leigh-Pemberton")
_WORD = re.compile(
    r"[A-Z][^\W_]*(?:-[^\W_]+)+(?:['’][^\W_]+)?|[^\W_]+(?:['’.&][^\W_]+)*\.?|[^\W\d_]\.",
    re.UNICODE,
)
_AUX = _words(
    """
    did does do has have had was is were are will would could can should might may didn't
    doesn't don't hasn't haven't hadn't wasn't isn't weren't aren't won't wouldn't couldn't
    can't shouldn't
    """
)
_WH = _words("who whom whose what when where which why how")
_WHEN_NOUNS = _words("year years date day month time decade century period")
_WHERE_NOUNS = _words("city country place state region town location capital")
_COUNT_WORDS = _words("many much long old far tall large big high fast often heavy deep wide")
_COUNT_NOUNS = _words(
    """
    percentage percent number amount population size length height age temperature distance
    cost price speed weight area rate
    """
)
# Verbs that ask for what someone said or thinks, beyond the attribution verbs of speech.py.
_VIEW_VERBS = (
    _words(
        """
    say tell warn claim admit promise explain react respond sum describe think believe expect
    predict compare answer defend threaten argue want suggest propose criticise criticize
    comment view feel hope fear worry insist deny blame recommend urge mean point present
    consider fret add note conclude forecast assess characterise characterize justify dismiss
    reply announce acknowledge concede stress emphasise emphasize call see make put express
    reveal disclose outline signal accuse praise welcome reject dispute question doubt
    hail laud applaud lament bemoan decry condemn vouch
    thinks believes expects says tells wants fears hopes feels sees
    """
    )
    | SPEECH_VERBS
)
# Verbs of judging and advising ("How does the analyst rate the offer?"), after "do" or a
# modal, and a stance given as an adjective ("Why is X convinced / against …"), after "be":
# both words are nouns or prepositions as often, so the speaker before them must be plain
# (a name, or words ending with a person noun).
_JUDGING_VERBS = _words(
    """
    rate size gauge judge regard interpret advise caution counsel object mind oppose support
    favour favor endorse downplay play rule brush shrug like dislike bring pitch find
    reassure notice stand back set turn
    """
)
# … some only with their particle ("play down", not "What position did X play?")
_PARTICLE_ONLY = {
    "play": {"down"},
    "rule": {"out"},
    "brush": {"off", "aside"},
    "shrug": {"off"},
    "bring": {"up"},  # "What would X bring up", not "What did X bring?"
    "find": {"it"},  # "Why does X find it natural …", not "What did the survey find?"
    "open": {"to"},  # "Is X open to a tax", not "When is the park open?"
    "stand": {"on"},  # "Where does X stand on a tax", not "Where does the statue stand?"
    "set": {"out"},  # "What goals did X set out", not "Where did X set up"
    "turn": {"down"},  # "Why did X turn down the offer", not "Who did X turn to"
}
# … and some never with one: "What would X like to do" is a wish, "Where does X hail from" a
# place, not a view
_NOT_BEFORE = {"like": {"to"}, "hail": {"from"}}
# "What worries X about Y": the person is the verb's object
_AFFECTING_VERBS = _words(
    "worries concerns bothers troubles pleases surprises encourages disappoints frustrates angers"
)
_STANCES = _words(
    """
    convinced worried optimistic pessimistic confident sceptical skeptical cautious unhappy
    satisfied upbeat wary bullish bearish hopeful doubtful opposed against impressed
    persuaded surprised concerned pleased disappointed happy comfortable enthusiastic
    open ready willing prepared receptive inclined keen eager reluctant hesitant
    unsure uncertain
    """
)
# The verbs and stances of a view, not of saying something ("think", not "mention").
_VIEWS = _STANCES | _words(
    """
    think thinks believe believes expect expects predict fear fears hope hopes feel feels see
    sees worry worries fret frets want wants doubt doubts
    """
)
_BE = _words("is was are were isn't wasn't aren't weren't")
_DO_OR_MODAL = _AUX - _BE - _words("has have had hasn't haven't hadn't")
_OPINION_VERBS = _words("think thinks believe believes expect expects say says said predict fear")
# A question asking for a place or a number is still about someone's words when the verb is
# one of saying or expecting ("Where did X say prices would settle?", "How much did X say …");
# "When did X announce …" asks for a date, "Who did X say …" for a person the text names.
_SAID_VERBS = _words(
    "say said tell told see expect predict forecast estimate think believe want wants"
)
_PLANNING = _words("plan plans intend intends")
# "…, in the view of X?", "in X's opinion": X's words are asked for
_VIEW_NOUNS = _words("view opinion estimation judgment judgement")
# "When does X expect …" or "think …" asks for X's forecast or view; "When did X announce …"
# for a date.
_EXPECTING = _words(
    "expect expects predict predicts forecast forecasts estimate estimates anticipate anticipates"
    " think thinks believe believes hope hopes"
)
# "What warning did X give …", "What worry did X have …": the noun names the statement, the
# verb only gives it.
_NOUN_LED = _words(
    """
    warning warnings worry worries concern concerns advice message promise pledge threat
    criticism complaint prediction forecast comment comments remark remarks reaction response
    explanation argument assessment outlook view verdict reason reasons excuse chance chances
    odds assurance assurances guidance doubt doubts reservations misgivings objection objections
    caveat figure figures estimate estimates
    """
)
_GIVING_VERBS = _words(
    "give have offer issue send voice raise express sound make deliver set lay spell"
)
# "What is X called?", "How is X described?", "What does X mean?": asking for a name or a
# description, not for words someone said — unless a person is their subject.
_NAMING_VERBS = _words("call called describe described mean meant know known")
_STATEMENT_NOUNS = _words(
    """
    comment comments remark remarks view views words reaction response message statement
    statements position opinion take verdict assessment explanation answer reply warning
    prediction forecast argument explanation outlook expectations stance thoughts advice
    """
)
# Words that name a kind of person (a role reference has one as its head: "the finance minister").
PERSON_NOUNS = _words(
    """
    leader president minister premier chancellor spokesman spokeswoman spokesperson official
    officials chairman chairwoman chair chief head mayor governor senator ambassador secretary
    king queen pope ceo director analyst analysts expert experts critics executive economist
    professor consultant officer representative member spokesmen manager banker trader dealer
    strategist lawyer attorney judge prosecutor commissioner adviser advisor aide envoy
    diplomat general commander negotiator founder owner chairperson deputy speaker teacher
    doctor engineer scientist researcher author editor sheikh emir prince princess
    source sources traders dealers bankers brokers broker economists executives observers
    delegate delegates observer policymaker policymakers lawmaker lawmakers specialist
    specialists arbitrageur arbitrageurs legislator legislators politician
    congressman congresswoman counterpart undersecretary treasurer forecaster chartist
    columnist correspondent lobbyist underwriter accountant auditor administrator counsel
    investigator inspector vice-president vice-chairman president-elect
    aides advisers advisors officials analysts researchers scientists negotiators diplomats
    ministers leaders watchers
    he she they
    """
)
# Words that name a body that speaks as one ("the union", "Norland's trade ministry", "the
# paper"): a role reference may have one as its head, matched where the article gives it to
# the speaker ("a Ministry of Finance spokesman").
_ORGANISATION_NOUNS = _words(
    """
    union unions ministry department bureau commission committee agency team mission council
    government administration newspaper paper journal magazine
    """
)
# A document speaks for whoever wrote it ("Harbour Trust's annual report warned …"): its
# owner is the speaker.
_DOCUMENT_NOUNS = _words("report study survey editorial letter newsletter bulletin")
_SPEAKING_NOUNS = PERSON_NOUNS | _ORGANISATION_NOUNS | _DOCUMENT_NOUNS
# Words of saying that are nouns as often as verbs ("the mayor's remarks", "the report warns")
_SAYING_NOUNS = _STATEMENT_NOUNS | _DOCUMENT_NOUNS | _words("claims notes reports")
# Words that end the noun naming the speaker and start what describes them ("a banker who
# attended the symposium", "the banker involved in the talks"): what follows is no name.
_DESCRIBING_WORDS = _words("who involved familiar close")
# Adverbs between the speaker and the verb ("Why is Adsteam now looking …"): no part of either
_SPEAKER_ADVERBS = _words("now still also already really currently again ever")
_TITLES = _words(
    "mr mr. mrs mrs. ms ms. dr dr. prof prof. sen sen. rep rep. gov gov. gen gen. sir dame "
    "lord lady president prime minister king queen sheikh ayatollah chancellor justice"
)
_MORE = _words("else more other another further")
_ROLE_MODIFIERS = _words("chief senior managing executive deputy acting assistant vice")
_TYPE_NOUNS = _WHEN_NOUNS | _WHERE_NOUNS | _COUNT_NOUNS
_PLAIN_VERB_TERMS = frozenset({"say", "said", "tell", "told", "accord", "quot", "quote"})
_AFFILIATION_WORDS = _words("of at from for with to in")  # "an aide to Secretary Lyng"
_PRONOUNS = _words("he she they")
_OPENING_VERBS = _words("asked pressed questioned interviewed quizzed told challenged")
_TOPIC_LEAD = _words("about on of regarding concerning over after to at in with for")


@dataclass(frozen=True)
class SpeakerRef:
    """Whom a "what did X say" question asks about."""

    text: str  # as written in the question: "Brazil's finance minister"
    name: str  # the person's name as written ("Hannah Lindqvist"), or "" for a role reference
    name_terms: tuple[str, ...]  # analysed terms of the name
    role_terms: tuple[str, ...]  # analysed terms of the other words: roles, organisations
    head: str | None  # analysed term of the role noun a role reference names ("minist")
    pronoun: bool = False  # "he", "she", "they": no one in particular
    acronyms: tuple[str, ...] = ()  # role terms written in capitals ("SEC", "IBM")
    # Analysed terms of the owner a role belongs to, written as a capitalised possessive
    # ("Ecuador's information minister" → "ecuador"; "Toronto Sun's Jackson" → "toronto", "sun")
    owner_terms: tuple[str, ...] = ()
    # A role that names one person and no name ("Brazil's finance minister", "a senior banker"):
    # news quotes that person; its prose about "the minister" is the reporter's.
    one_person: bool = False

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.name_terms + self.role_terms))


@dataclass(frozen=True)
class Name:
    text: str  # as written: "Angela Merkel"
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    text: str
    tokens: tuple[str, ...]
    kind: str  # who / when / where / count / what / why / how / other
    speech: bool  # asks for someone's words or views
    speaker: SpeakerRef | None
    topic: tuple[str, ...]  # the terms that are neither the speaker nor the verb of saying
    topic_text: str  # the topic as written ("the Xbox"), for messages
    names: tuple[Name, ...]  # proper names in the question
    more: bool = False  # "what else", "what more"
    # The verb of saying when it says more than "say"/"tell" ("warn", "predict", "explain").
    verbs: tuple[str, ...] = ()
    # The noun that names the kind of answer ("Which *city* …", "What *year* …"): the answer
    # need not repeat it.
    type_terms: tuple[str, ...] = ()
    yes_no: bool = False  # "Did X mention …", "Does X think …"
    # A yes/no question asking for a view ("Does X think …", "Is X confident …"), which X's
    # own words answer, unlike one naming what was said ("Did X mention any obstacles?").
    asks_view: bool = False
    # The topic a statement of X is judged by: without a leading clause, which names the
    # occasion ("At his news conference, what did X say …"), or a noun that names the statement
    # ("What warning did X give …"). The whole topic still weighs the articles.
    focus: tuple[str, ...] = ()

    @property
    def speaker_terms(self) -> tuple[str, ...]:
        return self.speaker.terms if self.speaker else ()

    # Kept for readers of the former Question: the speaker's analysed terms and the names'.
    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for n in self.names for t in n.terms))


def read_question(text: str, analyzer: Analyzer) -> Question:
    matches = list(_WORD.finditer(text))
    words = [m.group(0) for m in matches]
    # A word followed by a comma ends a phrase ("According to Doak, …").
    commas = {i for i, m in enumerate(matches) if text[m.end() : m.end() + 1] == ","}
    lower = [_lowered(w) for w in words]
    tokens = tuple(analyzer.query_tokens(text))
    kind = question_kind(lower)

    def analysed(ws: Sequence[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for w in ws for t in analyzer.query_tokens(w)))

    found = _find_speaker(words, lower, kind, commas)
    speaker: SpeakerRef | None = None
    verb_words: list[str] = []
    topic_words: list[str] = []
    if found is not None:
        speaker_words, verb_words, topic_words = found
        speaker = _speaker_ref(speaker_words, analysed)
    speech = speaker is not None
    names = tuple(
        Name(_name_as_written(text, matches, run, first), analysed(run))
        for run, first in _name_runs(words, lower)
    )
    names = tuple(n for n in names if n.terms)
    verbs = tuple(t for t in analysed(verb_words) if t not in _PLAIN_VERB_TERMS)
    excluded = set(speaker.terms if speaker else ()) | set(analysed(verb_words))
    topic = tuple(t for t in dict.fromkeys(tokens) if t not in excluded)
    more = any(w in _MORE for w in lower[:4])
    type_words = [
        lower[i + 1]
        for i in range(len(lower) - 1)
        if lower[i] in {"what", "which"} and lower[i + 1] in _TYPE_NOUNS
    ]
    if more:
        topic = tuple(t for t in topic if t not in set(analysed(sorted(_MORE))))
    return Question(
        text=text,
        tokens=tokens,
        kind=kind,
        speech=speech,
        speaker=speaker,
        topic=topic,
        topic_text=_topic_text(_as_written(text, matches, topic_words)),
        names=names,
        more=more,
        verbs=verbs,
        type_terms=analysed(type_words),
        yes_no=bool(lower) and lower[0] in _AUX,
        asks_view=any(w.casefold() in _VIEWS for w in verb_words),
        focus=_focus(topic, words, lower, analysed) if speech else topic,
    )


def _focus(
    topic: tuple[str, ...],
    words: Sequence[str],
    lower: Sequence[str],
    analysed: Callable[[Sequence[str]], tuple[str, ...]],
) -> tuple[str, ...]:
    if lower and lower[0] in _AUX:  # "Did X explain why …": no leading clause
        return topic
    wh = _question_word(lower)
    start = wh + 2 if _noun_led(lower, wh) else wh
    kept = set(analysed(words[start:]))
    return tuple(t for t in topic if t in kept)


def _question_word(lower: Sequence[str]) -> int:
    """Where the question word stands: a leading clause ("Asked about prices, what did X say
    …") comes before it; a yes/no question ("Did X explain why …") opens with its verb, and
    a question word in it opens no clause."""
    if lower and lower[0] in _AUX:
        return 0
    return next((i for i, w in enumerate(lower) if w in _WH), 0)


def _noun_led(lower: Sequence[str], wh: int) -> bool:
    """Whether the question word is followed by a noun naming the statement ("What warning
    …")."""
    return wh + 1 < len(lower) and lower[wh + 1] in _NOUN_LED


def question_kind(lower: Sequence[str]) -> str:
    if lower and lower[0] in _AUX:
        return "other"  # a yes/no question: "Does X think …", "Is the crisis over, …"
    for i, word in enumerate(lower):
        nxt = lower[i + 1] if i + 1 < len(lower) else ""
        if word in {"who", "whom", "whose"}:
            return "who"
        if word == "when":
            return "when"
        if word == "where":
            return "where"
        if word == "how":
            return "count" if nxt in _COUNT_WORDS else "how"
        if word == "why":
            return "why"
        if word in {"what", "which"}:
            if nxt in _WHEN_NOUNS:
                return "when"
            if nxt in _WHERE_NOUNS:
                return "where"
            if nxt in _COUNT_NOUNS or (
                nxt in {"is", "was", "are", "were"} and _after(lower, i + 2) in _COUNT_NOUNS
            ):
                return "count"
            return "what"
    return "other"


def _after(lower: Sequence[str], i: int) -> str:
    """The word at ``i``, skipping one article ("the", "a")."""
    if i < len(lower) and lower[i] in {"the", "a", "an"}:
        i += 1
    return lower[i] if i < len(lower) else ""


# ---- the speaker
def _held_view(lower: Sequence[str], start: int, commas: set[int]) -> int | None:
    """Where "view" stands in "in Leibowitz's view" or "in the analyst's opinion", read from
    after "in": a possessive, then the noun, which ends the question or a phrase."""
    for k in range(start + 1, min(start + 6, len(lower))):
        if lower[k] in _VIEW_NOUNS:
            ends = k == len(lower) - 1 or k in commas
            return k if ends and lower[k - 1].endswith(("'s", "s'")) else None
    return None


def _find_speaker(
    words: list[str], lower: list[str], kind: str, commas: set[int]
) -> tuple[list[str], list[str], list[str]] | None:
    """(speaker words, verb words, topic words) of a question asking for someone's words."""
    n = len(words)
    # "According to X, …?" / "…, according to X?" / "…, in the view of X?" / "in X's view"
    for i in range(n - 1):
        if lower[i] == "according" and lower[i + 1] == "to":
            j = i + 2
        elif lower[i : i + 2] == ["in", "the"] and i + 3 < n and lower[i + 2] in _VIEW_NOUNS:
            if lower[i + 3] != "of":
                continue
            j = i + 4
        elif lower[i] == "in" and (held := _held_view(lower, i + 1, commas)) is not None:
            speaker = [*words[i + 1 : held - 1], re.sub(r"['’]s?$", "", words[held - 1])]
            if _is_person(speaker):
                return speaker, [words[held]], words[:i] + words[held + 1 :]
            continue
        else:
            continue
        k = j
        while k < n - 1 and k not in commas and k - j < 8:
            k += 1
        speaker = words[j : k + 1]
        rest = words[:i] + words[k + 1 :]
        if _is_person(speaker):
            return speaker, words[i : j - 1] if lower[i] == "in" else ["according"], rest
    factoid = kind in {"who", "when", "where", "count"}
    said_only = kind in {"where", "count", "when"}
    # "Quote X on Y"
    if not factoid and lower and lower[0] == "quote" and n > 1:
        for k in range(1, n):
            if lower[k] in {"on", "about", "regarding"}:
                return words[1:k], ["quote"], words[k + 1 :]
        return words[1:], ["quote"], []
    # "Which ambassador did Reagan call back?" asks for a thing, not for words; "Which firms does
    # X think are sound?" asks what X thinks.
    if (
        n > 2
        and lower[0] == "which"
        and lower[1] not in _AUX
        and not any(w in _OPINION_VERBS for w in lower[2:14])
    ):
        return None
    # "What did X say …", "How did X react …", "Does X think …", "What weakness … did X point to"
    wh = _question_word(lower)
    aux = next((i for i in range(wh, n) if lower[i] in _AUX), None)
    # "What worries X about Y" asks for X's words; "What concerns did X raise" too, but there
    # the word is a noun naming the statement (below), and "did … raise" no part of X.
    if (
        not factoid
        and wh + 2 < n
        and lower[wh + 1] in _AFFECTING_VERBS
        and lower[wh + 2] not in _AUX
    ):
        k = wh + 2
        while k < n and lower[k] not in _TOPIC_LEAD - {"of", "at"}:
            k += 1
        if _is_person(words[wh + 2 : k]):
            return words[wh + 2 : k], [words[wh + 1]], words[k:]
    noun_led = _noun_led(lower, wh)  # "What warning did X give"
    verbs = _EXPECTING if kind == "when" else _SAID_VERBS if said_only else _VIEW_VERBS
    if aux is not None and aux - wh <= 10 and (said_only or not factoid):
        for v in range(aux + 2, min(n, aux + 14)):
            said = _is_the_verb(words, lower, aux, v, kind, verbs, noun_led)
            if not said or words[v][:1].isupper():
                continue
            speaker = _without_adverbs(words[aux + 1 : v])
            if not speaker or not _is_person(speaker):
                break
            # "How did a senior currency dealer describe …": a person noun heads the subject
            if (
                lower[v] in _NAMING_VERBS
                and not _names_a_person(speaker)
                and lower[v - 1] not in PERSON_NOUNS
            ):
                break
            end = v + 1
            if (
                end < n
                and lower[end] in {"up", "to", "out", "back", "on", "down", "off", "aside"}
                and lower[v]
                in {
                    "sum",
                    "react",
                    "point",
                    "respond",
                    "size",
                    "play",
                    "rule",
                    "brush",
                    "shrug",
                    "bring",
                }
            ):
                end += 1
            return speaker, words[v:end], words[end:]
    if factoid:
        return None
    # "X's comments on Y", "What was X's reaction to Y"
    for i in range(n - 1):
        if not lower[i].endswith("'s"):
            continue
        # a modifier or two may come between: "X's long-run outlook for Y"
        noun = next((j for j in range(i + 1, min(i + 4, n)) if lower[j] in _STATEMENT_NOUNS), -1)
        if noun > 0 and not any(w[:1].isupper() for w in words[i + 1 : noun]):
            start = i
            while start > 0 and words[start - 1][:1].isupper() and lower[start - 1] not in _WH:
                start -= 1
            speaker = words[start : i + 1]
            speaker[-1] = speaker[-1][:-2]
            if _names_a_person(speaker[-1:]) or lower[i][:-2] in PERSON_NOUNS:
                return speaker, [words[noun]], words[noun + 1 :]
    return None


def _is_the_verb(
    words: Sequence[str],
    lower: Sequence[str],
    aux: int,
    v: int,
    kind: str,
    verbs: frozenset[str],
    noun_led: bool,
) -> bool:
    """Whether the word at ``v``, after the auxiliary at ``aux``, is the verb that asks for the
    subject's words: a verb of saying (or of giving, after a noun naming the statement), of
    judging or a stance after a plain speaker, and none of the forms that only look like one."""
    n = len(lower)
    factoid = kind in {"who", "when", "where", "count"}
    said = lower[v] in verbs or (noun_led and lower[v] in _GIVING_VERBS)
    # "Where does X stand on a tax?" asks for X's position
    said = said or (
        kind == "where"
        and lower[v] == "stand"
        and _after(lower, v + 1) == "on"
        and _plain_speaker(words[aux + 1 : v])
    )
    if not said and not factoid and _plain_speaker(words[aux + 1 : v]):
        said = _asks_a_view(lower, aux, v, kind)
    if not said:
        return False
    after = lower[v + 1] if v + 1 < n else ""
    if after in _NOT_BEFORE.get(lower[v], ()):
        return False
    # "When does X hope the talks will end" asks X's view; "When does Mexico hope to close the
    # loan" a date
    if kind == "when" and lower[v] in {"hope", "hopes"} and _after(lower, v + 1) == "to":
        return False
    # a word of saying used as a noun: "read Poehl's remarks", "the annual report warn"
    if lower[v] in _SAYING_NOUNS and (
        _possessive(lower[v - 1]) or (after in verbs and _bare(after))
    ):
        return False
    # after "did" or "will" the verb is bare: in "answer reports that …" it is "answer"
    if lower[aux] in _DO_OR_MODAL and not _bare(lower[v]):
        return False
    # "What is the paper written by …" asks who wrote it ("Why isn't X convinced by …" asks
    # X's view)
    return not (lower[aux] in _BE and lower[v] not in _STANCES and after == "by")


def _asks_a_view(lower: Sequence[str], aux: int, v: int, kind: str) -> bool:
    """Whether the word at ``v``, after a plain speaker, asks for that person's view: a verb of
    judging ("How does X rate …"), a stance after "be" ("Why is X convinced …"), and the forms
    below, each with the particle it needs."""
    word, after = lower[v], (lower[v + 1] if v + 1 < len(lower) else "")
    said = word in (_STANCES if lower[aux] in _BE else _JUDGING_VERBS)
    # "Does X plan to …?" asks for X's words; "What did Khan plan?" for history
    said = said or (aux == 0 and word in _PLANNING)
    # "Why is X weighing a merger?" asks for X's reasons (now: "Why was Tetzel seeking money?"
    # asks history)
    now = lower[aux] in {"is", "are", "isn't", "aren't"}
    said = said or (now and kind == "why" and _is_participle(word))
    # "What deal is Miller hoping for?", "Is X thinking of a trip?" (now; "What was the BBC
    # hoping …" asks history)
    said = said or (now and (word == "hoping" or (word == "thinking" and after in {"of", "about"})))
    # "What will X do if …": what X says X will do
    said = said or (
        word == "do" and lower[aux] in {"will", "would"} and after in {"if", "about", "next", "now"}
    )
    # "How did the banker read the remarks?" (not "What did Luther read?")
    said = said or (kind == "how" and word == "read")
    particles = _PARTICLE_ONLY.get(word)
    # "What did X set out to do" asks what X went on to do, not what X set out
    if word == "set" and v + 2 < len(lower) and lower[v + 2] == "to":
        return False
    return said and (particles is None or after in particles)


def _is_participle(word: str) -> bool:
    return len(word) > 5 and word.endswith("ing")


def _plain_speaker(words: Sequence[str]) -> bool:
    """Whether words read as a person and nothing else: no preposition or verb inside, and the
    last a name or a person noun ("the Bear Stearns analyst", "Stephen Roach"). An adverb after
    them is no part of them ("Adsteam now"); a relative clause describes them ("a banker who
    attended the symposium", "the banker involved in the talks")."""
    words = _without_adverbs(words)
    lower = [_lowered(w) for w in words]
    describing = next((k for k, w in enumerate(lower) if w in _DESCRIBING_WORDS), len(lower))
    if 0 < describing < len(lower):
        words, lower = words[:describing], lower[:describing]
    if not lower or any(w in _TOPIC_LEAD and w != "of" for w in lower):
        return False
    return words[-1][:1].isupper() or lower[-1] in _SPEAKING_NOUNS


def _lowered(word: str) -> str:
    return word.casefold().rstrip(".").replace("’", "'")


def _bare(word: str) -> bool:
    """Whether a word may be a verb's bare form: not "reports" or "remarks" ("discuss" may)."""
    return not word.endswith("s") or word.endswith("ss")


def _possessive(word: str) -> bool:
    return word.endswith(("'s", "s'"))


def _without_adverbs(words: Sequence[str]) -> list[str]:
    """``words`` without the adverbs that end them ("Adsteam now" → "Adsteam"); a capitalised
    word is a name ("Susan Still")."""
    kept = list(words)
    while len(kept) > 1 and kept[-1].islower() and _lowered(kept[-1]) in _SPEAKER_ADVERBS:
        kept.pop()
    return kept


def _is_person(words: Sequence[str]) -> bool:
    """A speaker is a name or a word for a person ("leader", "analyst", "he"), or for a body or
    a document that speaks ("the union", "the report")."""
    if any(w.casefold().strip(",.") in _SPEAKING_NOUNS for w in words):
        return True
    return _names_a_person(words)


def _names_a_person(words: Sequence[str]) -> bool:
    return any(w[:1].isupper() for w in words)


def _speaker_ref(words: list[str], analysed: object) -> SpeakerRef:
    analyse = analysed  # Callable[[Sequence[str]], tuple[str, ...]]
    clean = [w.strip(",") for w in words if w.strip(",")]
    lower = [w.casefold().rstrip(".") for w in clean]
    pronoun = len(clean) == 1 and lower[0] in {"he", "she", "they", "him", "her"}
    name_words: list[str] = []
    owner_words: list[str] = []
    organisation_end = _organisation_ends(clean, lower)
    # Where the first "of"/"to"/"at" … after the first word stands: the runs after it are where
    # the person works, and the role is a person noun before it.
    first_affiliation = next(
        (
            k
            for k in range(1, len(lower))
            if lower[k] in _AFFILIATION_WORDS or lower[k] in _DESCRIBING_WORDS
        ),
        len(lower),
    )
    for start, end in _capitalised_runs(clean):
        run = clean[start:end]
        possessive = run[-1].endswith(("'s", "’s", "s'", "s’"))
        if possessive:
            owner_words += run
        # "the Bundesbank board member", "the Ohio State consultant", "the Bank of England
        # governor": it describes the person
        after = organisation_end[end]
        following = range(after, min(after + 3, len(clean)))
        modifier = (
            any(lower[k] in PERSON_NOUNS for k in following)
            and not any(clean[k][:1].isupper() for k in following)
            # "Cheryl Richmond, the teacher": an appositive, not a modifier
            and not any(lower[k] in {"the", "a", "an"} for k in following)
        )
        before = [w for w in lower[max(0, start - 2) : start] if w != "the"]
        # "the president of Chicago's Exchange National Bank": every run after "of" is where
        # the person works
        affiliation = bool(before) and before[-1] in _AFFILIATION_WORDS
        affiliation = affiliation or first_affiliation < start
        acronym = all(w.isupper() or "." in w for w in run)
        role = lower[end - 1] in PERSON_NOUNS  # "the Agriculture Secretary"
        if possessive or modifier or affiliation or acronym or role:
            continue
        run = [w for w in run if w.casefold() not in _TITLES]
        # "Chief Economist Dana Ruiz": person nouns leading a name of two words are her role
        while len(run) > 2 and run[0].casefold() in PERSON_NOUNS | _ROLE_MODIFIERS:
            run = run[1:]
        if run:
            name_words = run  # the last plain run is the name ("Brookings analyst Stephen Hess")
    name_set = set(name_words)
    other = [w for w in clean if w not in name_set]

    # The role is the last person noun before an affiliation ("an aide to Agriculture Secretary
    # Lyng" is an aide), else the last one ("the Bank of England governor").
    def heads_of(nouns: list[tuple[int, str]]) -> list[str]:
        return [w for k, w in nouns if k < first_affiliation] or [w for _, w in nouns]

    nouns = [(k, w) for k, w in enumerate(lower) if w in PERSON_NOUNS and w not in _PRONOUNS]
    person_heads = heads_of(nouns)
    # a body or a document speaks when no person is named ("the union", "the annual report")
    nouns = nouns or [(k, w) for k, w in enumerate(lower) if w in _ORGANISATION_NOUNS]
    documents = [(k, w) for k, w in enumerate(lower) if w in _DOCUMENT_NOUNS]
    if not nouns and documents and owner_words and not name_words:
        # "Harbour Trust's annual report": the owner's words
        name_words = [re.sub(r"['’]s?$", "", w) for w in owner_words]
        name_set = set(owner_words)
        other = [w for w in clean if w not in name_set]
    nouns = nouns or documents
    heads = heads_of(nouns)
    head_terms = analyse([heads[-1]]) if heads else ()  # type: ignore[operator]
    acronyms = analyse([w for w in other if w.isupper() and 2 <= len(w) <= 5])  # type: ignore[operator]
    return SpeakerRef(
        acronyms=acronyms,
        text=" ".join(clean),
        name=" ".join(name_words),
        name_terms=analyse(name_words) if name_words else (),  # type: ignore[operator]
        role_terms=analyse(other) if not pronoun else (),  # type: ignore[operator]
        head=head_terms[0] if head_terms else None,
        pronoun=pronoun,
        owner_terms=analyse(owner_words) if owner_words else (),  # type: ignore[operator]
        one_person=bool(person_heads) and not name_words and not _plural(person_heads[-1]),
    )


def _plural(noun: str) -> bool:
    """ "analysts", "spokesmen": more than one person (pronouns never head a role)."""
    return noun.endswith("men") or (noun.endswith("s") and noun[:-1] in PERSON_NOUNS)


def _organisation_ends(clean: Sequence[str], lower: Sequence[str]) -> list[int]:
    """For each position, where the words "of X …" / "for X …" starting there end ("Bank" +
    "of England": one organisation); the position itself when none start there. Worked out
    from the end, once: walking on from every word made "A of B of C …" quadratic."""
    n = len(clean)
    ends = list(range(n + 1))
    capitals_end = list(ends)  # where the capitalised words starting at each position end
    for k in range(n - 1, -1, -1):
        if clean[k][:1].isupper():
            capitals_end[k] = capitals_end[k + 1]
        if k + 1 < n and lower[k] in {"of", "for"} and clean[k + 1][:1].isupper():
            ends[k] = ends[capitals_end[k + 2]]
    return ends


def _capitalised_runs(words: Sequence[str]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if words[i][:1].isupper():
            j = i + 1
            while j < len(words) and (
                words[j][:1].isupper() or words[j] in {"de", "van", "von", "al", "bin"}
            ):
                if words[j - 1].endswith(("'s", "’s")):
                    break
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _name_runs(words: list[str], lower: list[str]) -> list[tuple[list[str], int]]:
    """Runs of capitalised words that are not the question's first word (unless that is a name
    itself), a question word or a title alone; each with the index of its first word."""
    out = []
    for start, end in _capitalised_runs(words):
        run = words[start:end]
        first = start
        if start == 0:
            # "Testifying to a House subcommittee, …", "Asked about …": a verb, not a name
            opener = lower[0] in _TOPIC_LEAD | _OPENING_VERBS or (
                len(lower[0]) > 4 and lower[0].endswith("ing")
            )
            if lower[0] in _WH | _AUX or lower[0] in {"quote", "according"} or opener:
                run = run[1:]
                first = 1
            if not run:
                continue
        run = [w.rstrip(",?") for w in run]  # "U.S." keeps its dot: it is analysed as "us"
        cleaned = []
        for w in run:
            bare = w[:-2] if w.endswith(("'s", "’s")) else w
            if bare.casefold() not in _TITLES and bare.casefold() not in _WH:
                cleaned.append(bare)
        if cleaned:
            out.append((cleaned, first if len(cleaned) == len(run) else -1))
    return out


def _name_as_written(
    text: str, matches: Sequence[re.Match[str]], run: list[str], first: int
) -> str:
    """A name as the question writes it ("Procter & Gamble"), when none of its words was left
    out (a title inside it); else its words."""
    if first < 0 or len(run) < 2:
        return " ".join(run)
    last = first + len(run) - 1
    # the last word may have lost a possessive or a comma: it is a prefix of what was typed
    return " ".join(text[matches[first].start() : matches[last].start() + len(run[-1])].split())


def _topic_after_verb(words: Sequence[str], start: int) -> list[str]:
    return list(words[start:])


def _as_written(text: str, matches: Sequence[re.Match[str]], words: Sequence[str]) -> list[str]:
    """``words``, when they end the question (as a topic does), as the question writes them,
    with what lies between them ("Procter & Gamble", not "Procter Gamble")."""
    start = len(matches) - len(words)
    if words and [m.group(0) for m in matches[start:]] == list(words):
        return text[matches[start].start() : matches[-1].end()].split()
    return list(words)


def _topic_text(words: Sequence[str]) -> str:
    """The topic as written, without a leading preposition: "about the Xbox" → "the Xbox"."""
    ws = [w.strip('?!.,"“”') for w in words]
    ws = [w for w in ws if w]
    while ws and ws[0].casefold() in _TOPIC_LEAD:
        ws = ws[1:]
    return " ".join(ws)
