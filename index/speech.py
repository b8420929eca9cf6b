"""Direct speech in an article, and who said it.

:func:`find_quotations` returns every top-level quotation with its span (quote marks included),
its attribution cue and its speaker. It is rule based and reads the text once:

1. **Quotations.** Inside each paragraph “…” and «…» pair up with nesting (‘…’ and inner “…” are
   part of the outer quotation and never reported on their own, so a scare quote inside a
   statement stays inside it). Straight "…" pair up left to right. A quotation still open at the
   end of its paragraph ends there (newspaper style for speech running over several paragraphs:
   each paragraph reopens the quote and only the last one closes it); such a run is one *chain*
   and every link gets the speaker found for any link.
2. **Cues.** After the quotation (``“…,” X said [to Y]``, ``“…,” said X``, ``“…,” the Belarusian
   leader proclaimed``, ``“…,” according to X``, Russian ``«…», — заявил X``) or before it
   (``X said: “…”``, ``X said that “…”``, ``X told Y: “…”``, ``X said the deal was “historic”``,
   ``according to X, “…”``, ``Per X, “…”``). The subject may be a name (titles are stripped:
   "Belarusian President Alexander Lukashenko" → "Alexander Lukashenko"), a descriptor ("the
   Belarusian leader"), or a pronoun (he/she/they). When the quotation's own text ends in a comma,
   "?" or "!", the cue after it is preferred; otherwise the cue before it.
3. **People.** Every capitalised name is a mention. A name counts as a *person* when it comes with
   a title ("President Xi Jinping"), a role in apposition ("Li Zhanshu, the chairman of …") or
   before it ("Chinese leader Xi"), or speaks (a quotation's cue, or a multi-word name followed by a
   speech verb). Later short forms ("Xi", "Lukashenko") join the longer name they are part of.
4. **Resolution.** A definite descriptor goes to the person whose introduction shares the most
   words with it ("Belarusian", "leader" ≈ "president"), the most recent one on a tie; with no
   overlap it is treated like a pronoun. A pronoun goes to the most recent person who was a
   speaker or the subject of a verb before the cue, skipping people of the other gender when a
   title or pronoun revealed it; with no such person in the paragraph or the one before, a "he"
   or "she" goes to the one person there who acts ("Ines Calloway leads the council."), if no
   other competes. The speaker is printed as that person's most recent mention before the cue.
   An indefinite descriptor ("a spokesman said") keeps speaker None; a capitalised plural
   ("Officials said") is a group, unnamed, shown as printed.
5. A quotation with no cue takes the speaker of the previous attributed quotation in the same
   paragraph ("“A,” he said. “B.”"), unless it is a short phrase — at most four words and not a
   sentence of its own (“historic”, not “We agree.”): those are usually scare quotes or titles,
   and keep speaker None and cue -1/-1 wherever they stand outside a bigger quotation.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from index.segment import paragraph_spans, sentence_spans


def _words(text: str) -> frozenset[str]:
    """A word list written as whitespace-separated text (easier to read and edit)."""
    return frozenset(text.split())


def _trie_pattern(words: frozenset[str]) -> str:
    """An alternation of ``words`` shaped as a trie (``sa(?:id|ys)``), which the regex engine
    walks one letter at a time instead of trying every word in turn (several times faster).

    It matches exactly as ``"|".join(words sorted longest first)`` does, backtracking included:
    the words that match at one position are prefixes of one another, and a greedy optional
    tail tries them longest first too."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


@dataclass(frozen=True, slots=True)
class Quotation:
    """Direct speech (a span with its quote marks) or reported speech (a sentence such as "X told
    investors that …"), its attribution cue and its speaker."""

    start: int  # span of the quoted speech including its quote marks (reported: the sentence)
    end: int
    speaker: str | None  # as printed in the text (a name, or "Benetton spokeswoman")
    cue_start: int  # span of the attribution cue, or -1/-1
    cue_end: int
    person: int = -1  # index into Speech.people, or -1 when the speaker is unknown


@dataclass(frozen=True, slots=True)
class Person:
    """Someone an article names or describes as speaking: "Hannah Lindqvist" with the words that
    introduce her ("Skyparcel’s chief executive"), or an unnamed "Benetton spokeswoman"."""

    name: str  # the longest form printed in the text, or the descriptor of an unnamed speaker
    words: str  # casefolded words of every title, role and affiliation given to them
    named: bool = True


@dataclass(frozen=True, slots=True)
class Speech:
    """Everything :func:`analyse_speech` finds in one text."""

    quotations: tuple[Quotation, ...]
    reported: tuple[Quotation, ...]
    people: tuple[Person, ...]


def _forms(base: str, third: str, past: str, ing: str, *extra: str) -> tuple[str, ...]:
    return (base, third, past, ing, *extra)


_VERB_TABLE: tuple[tuple[str, ...], ...] = (
    _forms("say", "says", "said", "saying"),
    _forms("tell", "tells", "told", "telling"),
    _forms("declare", "declares", "declared", "declaring"),
    _forms("add", "adds", "added", "adding"),
    _forms("proclaim", "proclaims", "proclaimed", "proclaiming"),
    _forms("state", "states", "stated", "stating"),
    _forms("note", "notes", "noted", "noting"),
    _forms("stress", "stresses", "stressed", "stressing"),
    _forms("warn", "warns", "warned", "warning"),
    _forms("explain", "explains", "explained", "explaining"),
    _forms("insist", "insists", "insisted", "insisting"),
    _forms("argue", "argues", "argued", "arguing"),
    _forms("claim", "claims", "claimed", "claiming"),
    _forms("confirm", "confirms", "confirmed", "confirming"),
    _forms("announce", "announces", "announced", "announcing"),
    _forms("write", "writes", "wrote", "writing", "written"),
    _forms("ask", "asks", "asked", "asking"),
    _forms("reply", "replies", "replied", "replying"),
    _forms("respond", "responds", "responded", "responding"),
    _forms("answer", "answers", "answered", "answering"),
    _forms("remark", "remarks", "remarked", "remarking"),
    _forms("comment", "comments", "commented", "commenting"),
    _forms("observe", "observes", "observed", "observing"),
    _forms("assert", "asserts", "asserted", "asserting"),
    _forms("emphasise", "emphasises", "emphasised", "emphasising"),
    _forms("emphasize", "emphasizes", "emphasized", "emphasizing"),
    _forms("underline", "underlines", "underlined", "underlining"),
    _forms("recall", "recalls", "recalled", "recalling"),
    _forms("continue", "continues", "continued", "continuing"),
    _forms("conclude", "concludes", "concluded", "concluding"),
    _forms("admit", "admits", "admitted", "admitting"),
    _forms("acknowledge", "acknowledges", "acknowledged", "acknowledging"),
    _forms("suggest", "suggests", "suggested", "suggesting"),
    _forms("predict", "predicts", "predicted", "predicting"),
    _forms("promise", "promises", "promised", "promising"),
    _forms("vow", "vows", "vowed", "vowing"),
    _forms("pledge", "pledges", "pledged", "pledging"),
    _forms("urge", "urges", "urged", "urging"),
    _forms("tweet", "tweets", "tweeted", "tweeting"),
    _forms("post", "posts", "posted", "posting"),
    _forms("mention", "mentions", "mentioned", "mentioning"),
    _forms("reiterate", "reiterates", "reiterated", "reiterating"),
    # ("repeated that “…”"; a cue needs a subject before it, so "repeated attempts" is none)
    _forms("repeat", "repeats", "repeated", "repeating"),
    _forms("affirm", "affirms", "affirmed", "affirming"),
    _forms("shout", "shouts", "shouted", "shouting"),
    _forms("exclaim", "exclaims", "exclaimed", "exclaiming"),
    _forms("complain", "complains", "complained", "complaining"),
    _forms("concede", "concedes", "conceded", "conceding"),
    _forms("contend", "contends", "contended", "contending"),
    _forms("maintain", "maintains", "maintained", "maintaining"),
    _forms("speak", "speaks", "spoke", "speaking", "spoken"),
    _forms("quip", "quips", "quipped", "quipping"),
    _forms("joke", "jokes", "joked", "joking"),
    _forms("report", "reports", "reported", "reporting"),
    _forms("agree", "agrees", "agreed", "agreeing"),
    _forms("deny", "denies", "denied", "denying"),
)
# Russian past-tense forms (masculine, feminine, plural) of the common attribution verbs.
_RUSSIAN_VERBS = _words(
    """
    сказал сказала сказали заявил заявила заявили отметил отметила отметили добавил добавила
    добавили подчеркнул подчеркнула подчеркнули сообщил сообщила сообщили пояснил пояснила
    пояснили говорит заявляет отмечает
    """
)

SPEECH_VERBS: frozenset[str] = (
    frozenset(form for forms in _VERB_TABLE for form in forms) | _RUSSIAN_VERBS
)
"""Lower-case verb forms that introduce direct speech (say/said/says/tell/told/declare/…)."""


# ---- character classes
def _class_of(predicate: object) -> str:
    """A regex character class body of every BMP code point for which ``predicate`` holds."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF or not predicate(chr(code)):  # type: ignore[operator]
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


_UP = f"[{_class_of(lambda c: c.isupper() or c.istitle())}]"
_LETTER = r"[^\W\d_]"
_ABBREVIATED_TITLE = r"(?:Mr|Mrs|Ms|Dr|Prof|Sen|Gen|Gov|Rep|Lt|Col|Capt|Sgt|Adm|Maj|Rev|St|Jr|Sr)\."
# A capitalised word (hyphens, apostrophes, inner dots: "Al-Assad", "O’Brien"), an abbreviated
# title, or initials ("J.", "U.S."). A plain word never takes a final "." (that ends a sentence).
_PARTICLES = r"(?:de|del|der|den|van|von|bin|ibn|al|el|la|le|du|da|di|dos|das|ter|zu)"
_NAME_WORD = (
    rf"(?:{_ABBREVIATED_TITLE}|(?:{_UP}\.)+(?!{_LETTER})|{_UP}{_LETTER}*(?:[-’'.]{_LETTER}+)*)"
)
# "al-Khalifa", "el-Sisi", "d’Estaing": a lower-case particle glued to a capitalised word.
_GLUED_WORD = rf"(?:{_PARTICLES}|d)[-’']{_UP}{_LETTER}*"
# "Fenwick, Dale and Co": a firm's name holds a comma (read as a no-break space and a space, see
# _FIRM_COMMA_RE) and ends with "and Co" or "& Co", perhaps "Inc" or "Ltd" after (the "and" of
# any other name is two names).
_FIRM_COMMA = "\u00a0"
# "Norland Power and Light Co", "Procter and Gamble Co", "Harbour Gas and Electric Corp": the
# "and" of a firm's name, when a corporate suffix ends the words after it (at most two before
# the suffix; without one, "Ann Fry and Tom Lee" are two names)
# "The Norland Association of Harbour Pilots Inc", "the Federation of Norland Growers": an
# institution's head word, "of" and up to four capitalised words is one name. (Only after such
# a head word: "Ann Fry of Harbour Bank" is a person and her affiliation. The look-behinds are
# tried only where a name's words end, never across the text.)
_INSTITUTION_HEADS = _words(
    """
    Association Council Federation Institute Society League Chamber Union Board Commission
    Committee Confederation Organisation Organization Bank Ministry Department University
    Bureau Agency Academy Fund
    """
)
_OF_IN_A_NAME = (
    "(?:[ ]of[ ](?:" + "|".join(f"(?<={head} of )" for head in sorted(_INSTITUTION_HEADS)) + ")"
    # (all the capitalised words or none: "the University of Missouri Agricultural Economist
    # Glenn Grimes" runs on into a person's name)
    rf"(?:the[ ])?{_NAME_WORD}(?:[ ]{_NAME_WORD}){{0,3}}+(?![ ]{_UP}))"
)
_SUFFIXES_BEFORE_AND = ("Co", "Corp", "Inc", "Ltd", "Plc", "PLC", "LLC", "Cos")
_CORPORATE_SUFFIX = "(?:" + "|".join((*_SUFFIXES_BEFORE_AND, "Corporation", "Company")) + ")"
_NAME = (
    rf"{_NAME_WORD}(?:(?:[ ]|{_FIRM_COMMA}[ ]?)(?:{_PARTICLES}[ \u00a0])?"
    rf"(?:{_NAME_WORD}|{_GLUED_WORD})){{0,6}}"
    rf"{_OF_IN_A_NAME}?"
    # (not after a suffix: "General Motors Corp and PPG Industries Inc" are two firms)
    rf"(?:[ ](?:and|&)[ ]"
    + "".join(f"(?<!{suffix} and )(?<!{suffix} & )" for suffix in _SUFFIXES_BEFORE_AND)
    + rf"(?:{_UP}{_LETTER}*[ ]){{0,2}}{_CORPORATE_SUFFIX}"
    rf"(?:[ ](?:Inc|Ltd|Plc|PLC|LLC|AG|SA|NV))?(?![\w’'-])(?!\.\w))?"
)

_ROLE_WORDS = _words(
    """
    leader president minister premier chancellor spokesman spokeswoman spokesperson official
    chairman chairwoman chair secretary ambassador envoy diplomat general commander governor
    senator congressman congresswoman lawmaker legislator mayor head chief director king queen
    prince princess pope monarch ruler strongman politician candidate analyst expert professor
    economist researcher scientist author executive ceo founder judge lawyer activist dictator
    negotiator adviser advisor aide counterpart deputy speaker emperor sheikh emir member
    representative consultant officer banker trader dealer broker manager strategist partner
    attorney prosecutor commissioner administrator editor columnist correspondent historian
    teacher engineer doctor physician surgeon dermatologist observer spokesmen officials
    analysts economists experts traders dealers bankers sources source owner worker resident
    witness student coach player captain pilot inspector investigator president-elect
    vice-president vice-chairman chairperson treasurer controller auditor counsel delegate
    chartist forecaster planner underwriter accountant farmer lobbyist undersecretary
    """
)
# A trie, not "|".join(words sorted longest first): the same matches (see _trie_pattern), 2.6×
# faster where a subject is looked for before a speech verb.
_ROLE = "(?:" + _trie_pattern(_ROLE_WORDS) + ")"
# "one Japanese official said", "another dealer said": someone unnamed, like "a dealer"
_DETERMINER = r"(?:[Tt]he|[Hh]is|[Hh]er|[Tt]heir|[Aa]n?|[Oo]ne|[Aa]nother)"
_ROLE_I = f"(?i:{_ROLE})"
# "the Belarusian leader", "a spokesman for International Business Machines Corp (IBM)", "an
# aide to Agriculture Secretary Jo Lee", "a spokesman for the company", "an official with the
# growers' group": what the role is of, a name or a few lower-case words (the verb after the
# descriptor, or the end of the clause, decides how many).
# (a word of a noun phrase: not a verb of speech or a word that starts a clause or a phrase
# of its own, "a spokesman for the company in a statement")
_OBJECT_WORD = (
    r"(?!(?:in|on|at|by|to|from|who|whom|which|that|as|and|but|or|when|while|after|before|"
    rf"{_trie_pattern(SPEECH_VERBS)})(?![\w’'-]))[^\W_][\w’'&-]*(?:\.[^\W_][\w’'&-]*)*"
    # "U.K." (initials end in a dot; a word does not, but for a firm's "Bros." or "Co.")
    r"(?:(?<=\b[A-Z])\.|(?<=\bBros)\.|(?<=\bCo)\.|(?<=\bCorp)\.|(?<=\bInc)\.|(?<=\bLtd)\.)?"
)
# A word of the phrase that describes someone ("U.S.", "Acme Corp.", "Foreign Ministry"): it may
# hold dots but ends a sentence never, so a role phrase never joins words of two sentences ("…
# said the analyst. An analyst for X said"). A final dot only after initials or a short form.
_SHORT_FORMS = _words(
    "Mr Mrs Ms Dr Prof Sen Gen Gov Rep Lt Col Capt Sgt Adm Maj Rev St Jr Sr "
    "Corp Inc Co Cos Ltd Bros Dept"
)
_PHRASE_WORD = (
    # (possessive: a word is matched whole or not at all, never backtracked into, as a shorter
    # word would be followed by a letter, never by the space after it)
    r"[\w’'&-]++(?:\.[\w’'&-]++)*+"
    # (the dot first: the look-behinds are tried only where a word ends in one)
    r"(?:\.(?:(?<=\b[A-Z]\.)|" + "|".join(rf"(?<=\b{w}\.)" for w in sorted(_SHORT_FORMS)) + "))?"
)
_ROLE_OBJECT = (
    rf"(?:{_NAME}(?:\s+\([^()\n]{{1,20}}\))?"
    rf"|(?:(?:the|a|an|its|his|her|their|one\s+of\s+the)\s+)?"
    rf"(?:{_OBJECT_WORD}\s+){{0,4}}{_OBJECT_WORD}(?<![’'])(?=[\s,.;:]|$))"
)
# "a Ministry of Foreign Trade and Industry official": an organisation's capitalised name, with
# "of", "and", "for" inside, before the role word (more words than the three of "a senior
# government spokesman"; at most seven capitalised ones, after at most two plain words)
_ORGANISATION_BEFORE_ROLE = (
    rf"(?:{_PHRASE_WORD}\s+){{0,2}}?(?={_UP}){_PHRASE_WORD}"
    rf"(?:\s+(?:(?:of|and|for|&)\s+(?:the\s+)?)?(?={_UP}){_PHRASE_WORD}){{1,6}}\s+"
)
_DESCRIPTOR = (
    rf"{_DETERMINER}\s+(?:(?:{_PHRASE_WORD}\s+){{0,3}}?|{_ORGANISATION_BEFORE_ROLE})"
    rf"{_ROLE_I}s?(?=\W|$)"
    rf"(?:\s+(?:for|of|at|with|to)\s+(?:the\s+)?{_ROLE_OBJECT}|\s+in\s+{_NAME}"
    # "an analyst familiar with the two mines", "a banker closely involved in the talks"
    rf"|\s+(?:closely\s+)?(?:familiar|involved|close|connected)\s+(?:with|to|in)\s+"
    rf"(?:the\s+)?{_ROLE_OBJECT})?"
)
_PRONOUN = r"(?:[Hh]e|[Ss]he|[Tt]hey|[Oo]н|[Оо]на|[Оо]ни)(?=\W|$)"
_VERB = "(?:" + _trie_pattern(SPEECH_VERBS) + r")(?=\W|$)"
_ADVERBS = (
    r"(?:(?:also|later|then|again|further|has|had|have|once|previously|recently|simply|here|"
    r"there|today|yesterday|tonight|earlier|separately|privately|publicly|would|will|"
    r"could|may|might)\s+){0,2}"
)
# "Dahl as recently as May 4 said", "Karen Dahl on Tuesday said", "Dahl earlier this month
# told": a time phrase between a subject and its verb. Bounded (a few words ending in a date or
# a time word), so that an ordinary clause ("Dahl met the board and on Tuesday Lee said") never
# reads as one.
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
_TIME_WORD = r"(?:week|month|year|morning|afternoon|evening|night|weekend|quarter)"
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}"
    rf"|{_WEEKDAY}(?:\s+(?:morning|afternoon|evening|night))?|{_MONTH}(?:\s+\d{{4}})?)"
)
_TIME_PHRASE = (
    rf"(?:(?:(?:as\s+(?:recently|early|late)\s+as|on|in|since|until)\s+(?:(?:last|this)\s+)?)?{_DATE}"
    rf"|(?:earlier|later)\s+(?:this|last|that|in\s+the)\s+{_TIME_WORD}"
    rf"|(?:last|this)\s+(?:{_TIME_WORD}|{_WEEKDAY}|{_MONTH})"
    rf"|(?:a|one|two|three|four|five|six|\d{{1,2}})\s+(?:days?|weeks?|months?|years?)\s+ago)"
)
# (the last words of one: a subject is looked for across a time phrase only when the word
# before the verb may end one, as the phrase costs every other search its time)
_TIME_ENDS = frozenset(
    re.sub(r"[()?:|\\.]", " ", _WEEKDAY + _MONTH + _TIME_WORD).lower().split()
) | _words("ago morning afternoon evening night")
# A word or two in quotation marks inside an appositive (", a group of mostly “green” local
# businesses,"): a term, not a statement, that the appositive reads as its own words; a comma
# inside its closing mark may close the appositive (', who calls herself a "rail enthusiast,"')
_TERM_QUOTE = r"[“\"][^\s,“”\"«»]{1,25}(?:\s[^\s,“”\"«»]{1,25})?,?[”\"]"
# ", the president," / ", D-Mass, the chairman of the committee," (at most two)
# (one term at most, so that the words around it are runs of one character class)
_APPOSITION = (
    rf"(?:,\s(?=[^,\n])[^,“”\"«»\n]{{0,80}}(?:{_TERM_QUOTE}[^,“”\"«»\n]{{0,60}})?"
    rf"(?:,|(?<=,[”\"]))){{0,2}}"
)
# ", in an interview with the magazine Al-Fajr, carried by the official news agency,": a clause
# of its circumstances between a subject and its verb, then one more (two appositions written
# one after the other share their comma, which _APPOSITION never reads as two)
_CLAUSE_APPOSITION = (
    r",\s(?:in|at|on|during|speaking|writing|talking|interviewed)\s[^,“”\"«»\n]{1,80}"
    r",\s[^,“”\"«»\n]{1,80},"
)
_APPOSITIONS = rf"(?:{_CLAUSE_APPOSITION}|{_APPOSITION})"
# ", president of NAWG said" / ", vice-president of GM Overseas Distribution Corporation told":
# a role in apposition whose closing comma the wire left out (at most once, a role word first)
# (a bare singular role and its organisation: ", a spokesman said" and ", officials said" are
# the reporting clause after a place or a date, not an apposition)
_OPEN_ROLE_APPOSITION = (
    rf"(?P<open>,\s+(?:(?![Aa]n?\s|[Tt]he\s|[Oo]ne\s|[Aa]nother\s){_PHRASE_WORD}\s+){{0,2}}?"
    # (", deputy general-manager of …": a role word after a hyphen)
    rf"(?:\w+-)?{_ROLE_I}\s+(?:of|for|at|with)\s+(?:the\s+)?(?:{_PHRASE_WORD}\s+){{0,5}}?[\w’'.&-]+"
    # ", American Paper Institute president said": words then one singular role, last
    rf"|,\s+(?:(?![Aa]n?\s|[Tt]he\s|[Oo]ne\s|[Aa]nother\s|[Ww]ho\s){_PHRASE_WORD}\s+){{1,3}}?"
    rf"{_ROLE_I}(?<![sS])(?=\s))?"
)
# ", president and chief operating officer said": two roles joined by "and", the closing comma
# left out too (the first must be a role word: ", Tokyo and Osaka dealers said" is no apposition)
_OPEN_APPOSITION = _OPEN_ROLE_APPOSITION.replace(
    "(?P<open>",
    rf"(?P<open>,\s+{_ROLE_I}\s+and\s+(?:{_PHRASE_WORD}\s+){{0,2}}?{_ROLE_I}(?<![sS])(?=\s)|",
    1,
)
# "of Drexel Burnham Lambert Inc" / "at the University of Texas" / "of the brokerage Nesbitt
# Thomson Inc" after a name
_ORG_KINDS = (
    r"(?:brokerage|investment|securities|consulting|consultancy|research|law|accounting|"
    r"broking|stockbroking|stockbrokers|banking|financial|trading|insurance|oil|firm|bank|"
    r"company|group|agency|newspaper|magazine|daily|weekly|institute|university|think\s+tank)"
)
_ORGANISATION = (
    rf"(?:the\s+)?(?:{_ORG_KINDS}\s+){{0,3}}{_NAME}"
    rf"(?:\s+(?:of|and|&|for)\s+(?:the\s+)?{_NAME}){{0,2}}"
)
# "Robert Byrd (Democrat) of West Virginia", "Hal Daub (R-Nebr.)": a party in parentheses
# (the wire sometimes puts a comma before the parenthesis: "Rep. Ed Dunn, (D-Tenn.) said")
_AFFILIATION = rf"(?:,?\s+\([^()\n]{{1,24}}\))?(?:\s+(?:of|at|from|for|with)\s+{_ORGANISATION})?"
# Words that describe a name right before it: "private political analyst", "Norway's foreign
# minister", "Foreign Ministry spokesman" (ending in a role word).
_PRE_ROLE = (
    rf"(?![Aa]n?\s|[Tt]he\s)(?:{_PHRASE_WORD}\s+){{0,4}}?{_ROLE_I}s?"
    # "Japan's Minister of International Trade and Industry Hajime Tamura"
    rf"(?:\s+(?:of|for)\s+(?:the\s+)?(?:(?={_UP}){_PHRASE_WORD}\s+(?:(?:and|&|of)\s+)?){{0,5}}?"
    rf"(?={_UP}){_PHRASE_WORD})?"
)
_SUBJECT = (
    rf"(?<![\w’'-])(?:(?P<pron>{_PRONOUN})|(?:(?P<pre>{_PRE_ROLE}),?\s+)?(?P<name>{_NAME})"
    rf"|(?P<desc>{_DESCRIPTOR}))"
)

# After the verb ("“…,” said Nordbank Oslo branch senior vice president Kari Holm"), the words
# before a name may also be an organisation's capitalised name (up to five words, "and" and "&"
# inside), lower-case words and the role: more than the four words of _PRE_ROLE. ("said Ann Lee
# of Dutch Salvage experts Smit Tak" has a capitalised word after the lower-case ones: no role.)
# (Before the verb, a subject searched for leftwards finds the role's last words on its own.)
_ORGANISATION_THEN_ROLE = (
    rf"(?={_UP}){_PHRASE_WORD}(?:\s+(?:(?:and|und|&)\s+)?(?={_UP}){_PHRASE_WORD}){{0,4}}\s+"
    rf"(?:(?=[a-z]){_PHRASE_WORD}\s+){{0,4}}?{_ROLE_I}s?"
)
_SUBJECT_AFTER_VERB = _SUBJECT.replace(
    f"(?P<pre>{_PRE_ROLE})", f"(?P<pre>{_PRE_ROLE}|{_ORGANISATION_THEN_ROLE})", 1
).replace(
    # "said de Hora", "said van den Broek": a surname that starts with its particle
    f"(?P<name>{_NAME})",
    f"(?P<name>(?:{_PARTICLES}[ ](?:{_PARTICLES}[ ])?(?={_UP}))?{_NAME})",
    1,
)


# “…,” X said / “…,” said X / “…,” according to X / «…», — заявил X
_AFTER_RE = re.compile(
    rf"[\s,]*(?:[—–-]\s*)?(?:"
    rf"(?P<s1>{_SUBJECT.replace('P<', 'P<a_')}){_AFFILIATION}{_APPOSITIONS}"
    # "UAW president Owen Bieber and vice president Marc Stepp said": the first speaks for both
    rf"(?:\s+and\s+(?!(?:Co|Cos|Company|Sons)\b){_PRE_ROLE}\s+{_NAME})?"
    rf"{_OPEN_APPOSITION.replace('P<', 'P<a_')}\s+{_ADVERBS}"
    rf"(?P<v1>{_VERB})"
    # (the verb once more: the wire sometimes doubles it, "said said Beth Reiners")
    rf"|(?P<v2>{_VERB})(?:\s+(?P=v2))?\s+(?P<s2>{_SUBJECT_AFTER_VERB.replace('P<', 'P<b_')})"
    rf"|(?P<acc>[Aa]ccording\s+to)\s+(?P<s3>{_SUBJECT.replace('P<', 'P<c_')})"
    rf")"
)
# “…,” X was quoted as saying / “…,” X, who is resigning, was quoted by PAP as saying (not
# before a colon or a quotation: "X was quoted as saying: “…”" introduces the next one)
_AFTER_QUOTED_AS_RE = re.compile(
    rf"[\s,]*(?:[—–-]\s*)?(?P<s1>{_SUBJECT.replace('P<', 'P<a_')}){_AFFILIATION}{_APPOSITION}"
    r"\s+(?P<v1>(?:was|were|is|has\s+been|had\s+been)\s+quoted"
    r"(?:\s+by\s+[^“”\"«».,;:\n]{1,60}?)?\s+as\s+(?:saying|having\s+said))"
    r"(?=\s*(?:[.,;)]|$)|\s+(?:in|on|at|by|to|from|during|after|last|this|earlier)\s)"
)
# The subject right before a speech verb: "... Lukashenko, the president, also said"
_SUBJECT_BEFORE_VERB_RE = re.compile(
    rf"(?:{_SUBJECT}){_AFFILIATION}{_APPOSITIONS}{_OPEN_APPOSITION}\s+{_ADVERBS}$"
)
# … and across a time phrase: "Dahl as recently as May 4 said"
_SUBJECT_AT_A_TIME_BEFORE_VERB_RE = re.compile(
    _SUBJECT_BEFORE_VERB_RE.pattern.replace(
        rf"\s+{_ADVERBS}$", rf"\s+(?:{_TIME_PHRASE}\s+)?{_ADVERBS}$"
    )
)
# "… its governor, Robin Leigh-Pemberton, said": a name in apposition to a role, closed by a
# comma. Only with the role (group "pre"): "Cross, whose group includes his wife, Mary, said"
# is Cross.
_ROLE_NAME_COMMA_RE = re.compile(rf"(?:{_SUBJECT}),\s+{_ADVERBS}$")
_COMMA_BEFORE_VERB_RE = re.compile(rf",\s+{_ADVERBS}$")
_AFTER_ROLE_NAME_COMMA_RE = re.compile(
    rf"[\s,]*(?:[—–-]\s*)?(?P<s1>{_SUBJECT.replace('P<', 'P<a_')}),\s+{_ADVERBS}(?P<v1>{_VERB})"
)
# '“…,” Daniel Tulis, a natural gas analyst with Shearson Lehman Bros. said.': a name, then an
# indefinite role and where it works, its closing comma left out (the name must look like a
# person's: "In Tokyo, a spokesman for the ministry said" is the spokesman, unnamed)
_AFTER_NAME_A_ROLE_RE = re.compile(
    rf"[\s,]*(?P<name>{_NAME}),\s+(?:an?|one)\s+(?:{_PHRASE_WORD}\s+){{0,3}}?{_ROLE_I}\s+"
    rf"(?:of|for|at|with)\s+(?:the\s+)?(?:{_PHRASE_WORD}\s+){{0,5}}?{_PHRASE_WORD}"
    rf"\s+{_ADVERBS}(?P<verb>{_VERB})"
)
# "X was quoted by the daily al-Qabas as saying: “…”" / "It quoted X as saying: “…”"
_QUOTED_AS_RE = re.compile(
    rf"(?:(?P<s1>{_SUBJECT.replace('P<', 'P<a_')}){_APPOSITION}\s+(?:was|were|is|has\s+been)\s+"
    # "quoted an Iranian soldier, Hamid Dehqani, as saying": a name in apposition to a noun
    # phrase (its noun need not be a role word) is the one quoted
    rf"quoted|quoted\s+(?:(?:an?|one|the)\s+(?:[\w’'-]+\s+){{0,3}}?[\w’'-]+,\s+(?=[^,]{{1,60}},))?"
    rf"(?P<s2>{_SUBJECT.replace('P<', 'P<b_')}))"
    r"[^“”\"«»\n]{0,120}?\bas\s+(?:saying|says|having\s+said)\b"
)
_VERB_RE = re.compile(_VERB, re.IGNORECASE)

# "the company said", "the council's study said", "the Novo statement said", "the report
# said": an organisation, or a document that speaks for its owner (see _People.organisation)
_ORGANISATION_HEADS = _words(
    """
    company firm council exchange bank union ministry agency association federation institute
    commission committee board department
    """
)
_DOCUMENTS = _words(
    "statement report study release communique announcement letter survey bulletin newsletter"
)


# Words that join the words of a name ("Department of Trade", "Power and Light Co"): alone,
# at a sentence's start, they name no one.
_NAME_JOINERS = frozenset({"of", "and", "the", "for", "und", "et", "y"})


def _organisation_subject(prefix: str) -> str:
    """A definite organisation or document, its groups named after ``prefix``: "org" (all of
    it), "owner" (the name that owns the document) or "head" ("company")."""
    heads, documents = _trie_pattern(_ORGANISATION_HEADS), _trie_pattern(_DOCUMENTS)
    return (
        # (the literal first, the word's start checked behind it: see _APOSTROPHE_RE)
        rf"(?P<{prefix}org>[Tt]he(?<![\w’'-][Tt]he)\s+(?:"
        rf"(?P<{prefix}owner>{_NAME})\s+(?:{documents})"
        rf"|(?P<{prefix}head>{heads})(?:['’]s)?(?:\s+(?:{documents}))?"
        rf"|(?:{documents})))(?![\w’'-])"
    )


_NO_SUBJECT_GROUPS = "(?P<pre>(?!))?(?P<desc>(?!))?(?P<pron>(?!))?(?P<name>(?!))?(?P<open>(?!))?"
_ORGANISATION_BEFORE_VERB_RE = re.compile(
    rf"{_organisation_subject('')}{_NO_SUBJECT_GROUPS}\s+{_ADVERBS}$"
)
_ORGANISATION_AFTER_RE = re.compile(
    rf"[\s,]*(?:[—–-]\s*)?(?:{_organisation_subject('a_')}\s+{_ADVERBS}(?P<v1>{_VERB})"
    rf"|(?P<v2>{_VERB})\s+{_organisation_subject('b_')})"
)
_ORGANISATION_SUBJECT_CHARS = 120  # how far before its verb such a subject may start
# (the words an organisation subject may end with, its own or an adverb: a cheap test first)
_ORGANISATION_SUBJECT_ENDS = (
    frozenset(_ORGANISATION_HEADS | _DOCUMENTS)
    | frozenset(f"{w}'s" for w in _ORGANISATION_HEADS)
    | frozenset(f"{w}’s" for w in _ORGANISATION_HEADS)
    | frozenset(re.findall(r"[a-z]+", _ADVERBS))
)


def _may_end_an_organisation_subject(text: str, verb_at: int) -> bool:
    return _word_before(text, verb_at) in _ORGANISATION_SUBJECT_ENDS


_LOWER_WORD_RE = re.compile(r"[^\W\d_]+")


_SPEECH_VERB_RE = re.compile(
    rf"(?<![^\W\d_])(?:{_trie_pattern(SPEECH_VERBS)})(?![^\W\d_])"
)  # in lower-cased text (see _speech_verbs)
# How far before its verb a subject (with appositives and adverbs) may start.
_SUBJECT_REACH = 220


def _speech_verbs(text: str) -> list[re.Match[str]]:
    """Speech verbs in ``text``: the words (maximal runs of letters) whose lower case is one of
    :data:`SPEECH_VERBS`.

    One pass of a trie-shaped regex over the lower-cased text (a third faster than a set lookup
    per word, and far faster than an alternation of every form). The matches are taken in the
    lower-cased copy, so their ``group()`` is lower case; their positions are the text's: when
    no character changes length in lower case, every character maps to one, and a character is
    a letter exactly when its lower case is (true of every Unicode code point). Otherwise, the
    set lookup per word."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return list(_SPEECH_VERB_RE.finditer(lowered))
    return [m for m in _LOWER_WORD_RE.finditer(text) if m.group().lower() in SPEECH_VERBS]


def _cue_verbs(text: str) -> list[re.Match[str]]:
    """The speech verbs of ``text`` that may be cues: not a capitalised form inside a name
    ("the United States", "Harvest States Cooperatives")."""
    verbs = _speech_verbs(text)
    return [v for v in verbs if not (text[v.start()].isupper() and _in_a_name(text, v))]


def _in_a_name(text: str, verb: re.Match[str]) -> bool:
    """Whether a verb form written "States" follows a capitalised word that is no pronoun."""
    word = text[verb.start() : verb.end()]
    if not word.istitle():
        return False
    before = text[max(0, verb.start() - 30) : verb.start()]
    words = before.split()
    return (
        bool(words)
        and before[-1:].isspace()
        and words[-1][:1].isupper()
        and words[-1].lower().rstrip(".,") not in _CAP_STOP
    )


def _subject_before(text: str, start: int, verb_at: int) -> re.Match[str] | None:
    """The subject right before the verb at ``verb_at`` (searching ``text[start:verb_at]``)."""
    lo = max(start, verb_at - _SUBJECT_REACH)
    word = _word_before(text, verb_at)
    at_a_time = word in _TIME_ENDS or (word[:1].isdigit() and len(word) <= 6)  # "4", "4th"
    before_verb = _SUBJECT_AT_A_TIME_BEFORE_VERB_RE if at_a_time else _SUBJECT_BEFORE_VERB_RE
    found = before_verb.search(text, lo, verb_at)
    while found is not None and found.group("open") is not None:
        # "Jim Miller, president of NAWG said" starts its clause; "… the city of Dalian, U.S.
        # Secretary of State George Shultz said" is Shultz, "Earlier, Chancellor … Lawson" too
        before = text[max(0, found.start() - 3) : found.start()].strip()
        name = found.group("name")
        if not (before and before[-1] not in '.!?"”;:,') and not (
            name and _trim_name(name) is None
        ):
            break
        found = before_verb.search(text, found.start() + 1, verb_at)
    if found is not None and _noun_after_the_name(text, found, verb_at):
        return None
    if (
        found is not None
        and found.group("desc") is not None
        and text[max(0, found.start() - 2) : found.start()] == ", "
    ):
        found = _before_a_second_apposition(text, lo, verb_at) or found
    if found is None and text[max(lo, verb_at - 40) : verb_at].split()[-1:] == ["who"]:
        # "… the embassy's counsellor, Li Wenbo, who said": the one "who" refers to
        found = _who_before(text, lo, verb_at)
    if found is None and _COMMA_BEFORE_VERB_RE.search(text, max(lo, verb_at - 80), verb_at):
        # (only where a comma closes the words before the verb: the search is not cheap)
        found = _ROLE_NAME_COMMA_RE.search(text, lo, verb_at)
        if found is None or (
            found.group("pre") is None and not _after_an_opening_role(text, start, found)
        ):
            found = _affiliated_before_comma(text, lo, verb_at)
    if found is None and _may_end_an_organisation_subject(text, verb_at):
        found = _ORGANISATION_BEFORE_VERB_RE.search(
            text, max(lo, verb_at - _ORGANISATION_SUBJECT_CHARS), verb_at
        )
    return found


# "Rep. Ed Dunn, D-Tenn, the chairman of the harbour committee said": a name, a short closed
# apposition, then an open one that starts with "the" or "a" (which _OPEN_APPOSITION never
# does: ", the chairman of X said" after a place is the reporting clause)
_SECOND_OPEN_APPOSITION_RE = re.compile(
    # (the short one: a party, an age, or lower-case words; not a place, "New York, N.Y.,")
    rf"(?:{_SUBJECT}){_AFFILIATION},\s(?:[DRI]-[A-Z][\w.]{{0,12}}|\d{{1,3}}|[a-z][^,.;:“”\"«»\n]{{0,29}}),"
    rf"\s+(?:the|an?)\s+"
    rf"(?:{_PHRASE_WORD}\s+){{0,2}}?{_ROLE_I}\s+(?:of|for|at|with)\s+(?:the\s+)?"
    rf"(?:{_PHRASE_WORD}\s+){{0,5}}?[\w’'.&-]+\s+{_ADVERBS}$"
)


def _before_a_second_apposition(text: str, lo: int, verb_at: int) -> re.Match[str] | None:
    """The person named before a short apposition and an open one ending at ``verb_at`` (see
    _SECOND_OPEN_APPOSITION_RE); None unless the name is a person's (a title, or two words
    that name no place nor institution)."""
    found = _SECOND_OPEN_APPOSITION_RE.search(text, lo, verb_at)
    if found is None or found.group("name") is None:
        return None
    trimmed = _trim_name(found.group("name"))
    if trimmed is None or trimmed[0] != 0:
        return None  # "In Dover, Kent, the chairman …"
    titles, _offset, proper = _split_titles(trimmed[1])
    return found if titles or _looks_personal(proper) else None


# "Chairman of the harbour committee, " opening the sentence before a name in apposition
_OPENING_ROLE_RE = re.compile(
    rf"\s*(?:[Tt]he\s+)?(?:[\w’'.&-]+\s+){{0,3}}?{_ROLE_I}(?:\s+(?:of|for|at)\s+[^,.;:\n]{{1,60}})?"
    r",\s+"
)
_OPENING_ROLE_CHARS = 100


def _after_an_opening_role(text: str, start: int, found: re.Match[str]) -> bool:
    """Whether the name of ``found`` ("Rep. Ed Dunn, said") stands in apposition to a role that
    opens the sentence at ``start`` ("Chairman of the harbour committee, Rep. Ed Dunn, said")."""
    if found.group("name") is None or found.start() - start > _OPENING_ROLE_CHARS:
        return False
    return _OPENING_ROLE_RE.fullmatch(text, start, found.start()) is not None


_WHO_BEFORE_VERB_RE = re.compile(
    rf"(?P<pre>(?!))?(?P<desc>(?!))?(?P<pron>(?!))?"  # (the groups a subject match has)
    rf"(?P<name>{_NAME}){_AFFILIATION},?\s+who\s+{_ADVERBS}$"
)


def _who_before(text: str, lo: int, verb_at: int) -> re.Match[str] | None:
    """The name right before "who" and the verb ("…, Li Wenbo, who said"): the last name in
    reach from which the pattern runs to the verb (a few names, each tried once)."""
    found = None
    for name in _names(text, lo, verb_at):
        match = _WHO_BEFORE_VERB_RE.match(text, name.start(), verb_at)
        if match is not None:
            found = match
    if found is None or _word_before(text, found.start()) == "and":
        return None  # "Shultz and Weinberger, who said they …": both
    return found


# "William Sedley of Harlow Baines and Co, said": a person's name, an affiliation, the comma
_AFFILIATED_BEFORE_COMMA_RE = re.compile(
    rf"(?:{_SUBJECT})(?P<affiliation>\s+(?:of|at|from|for|with)\s+{_ORGANISATION}),\s+{_ADVERBS}$"
)


def _noun_after_the_name(text: str, found: re.Match[str], verb_at: int) -> bool:
    """Whether "the NAME comments" holds a noun, not a verb: a plural after "the" and a name."""
    name = found.group("name")
    if name is None or text[verb_at : _word_end(text, verb_at)].lower() not in _NOUN_FORMS:
        return False
    trimmed = _trim_name(name)
    start = found.start("name") + (trimmed[0] if trimmed is not None else 0)
    return _word_before(text, start) in ("the", "a", "an")


def _word_end(text: str, at: int) -> int:
    found = _LETTERS_RE.match(text, at)
    return found.end() if found is not None else at


_LETTERS_RE = re.compile(r"[^\W\d_]+")
# Forms of speech verbs that are also plural nouns ("the Shultz comments")
_NOUN_FORMS = _words(
    "comments claims reports remarks notes answers replies promises pledges vows tweets posts"
)


def _affiliated_before_comma(text: str, lo: int, verb_at: int) -> re.Match[str] | None:
    """A person with an affiliation, then the comma the wire sometimes leaves before the verb
    (an organisation's name so placed, "the Department of Trade, said", is in apposition)."""
    found = _AFFILIATED_BEFORE_COMMA_RE.search(text, lo, verb_at)
    if found is None or found.group("name") is None:
        return None
    trimmed = _trim_name(found.group("name"))
    if trimmed is None or not _looks_personal(_strip_titles(trimmed[1])):
        return None
    return found


# according to X, “…” / Per X, “…” / As X put it, “…”
_ACCORDING_BEFORE_RE = re.compile(
    rf"(?:[Aa]ccording\s+to|[Pp]er|[Aa]s)\s+(?P<subj>{_SUBJECT})"
    rf"(?:\s+(?:put\s+it|{_VERB}))?\s*,\s*$"
)
# "…, said analyst David Healy of Drexel." (the verb first, after a comma)
_VERB_FIRST_RE = re.compile(rf"{_VERB}\s+{_SUBJECT_AFTER_VERB}")
_ACCORDING_ANYWHERE_RE = re.compile(rf"(?<![\w-])[Aa]ccording\s+to\s+{_SUBJECT}")
# What may stand between the verb and the quotation: " that", " to reporters:", " the deal was".
_TAIL_RE = re.compile(r"[^“”\"«».!?;]{0,100}")
# … and before a quotation that opens with a capital, the dot of an initial, which ends no
# sentence ('X told the U.S. Chamber of Commerce "Demands …"'; 'X said the U.S. position was
# "unqualified."' stays reported speech that holds a quotation)
_TAIL_WITH_INITIALS_RE = re.compile(r"(?:[^“”\"«».!?;]|(?<![^\W_])[A-Z]\.){0,100}")
_LETTER_RE = re.compile(_LETTER)
_QUOTE_MARK_RE = re.compile('[“”"«»]')
_NAME_RE = re.compile(_NAME)
_UP_RE = re.compile(_UP)  # every name starts with one (see _names)
_AFTER_NAME_RE = re.compile(rf"{_APPOSITION}\s+{_ADVERBS}(?P<verb>[a-z]+|{_VERB})")
_APPOSED_VERB_RE = re.compile(rf",\s+{_ADVERBS}(?P<verb>[a-z]+)")
# "The Governor of the Bank of England, " right before a name in apposition
_ROLE_BEFORE_APPOSITION_RE = re.compile(
    rf"(?:^|(?<=[.\n]\s)|(?<=\n))(?:[Tt]he\s+)?(?P<words>(?:{_PHRASE_WORD}\s+){{0,3}}?{_ROLE_I}"
    rf"(?:\s+(?:of|for|at)\s+(?:the\s+)?{_UP}[^,.;:\n]{{0,50}})?),\s+$"
)
# ", the chairman of X" / ", analyst at Montgomery Securities" / ", D-Mass"
_APPOSITIVE_ROLE_RE = re.compile(r",\s+(?:(?:the|a|an)\s+)?(?P<words>[^,.;:“”\"«»\n]{1,120})")
_APPOSITIVE_RE = re.compile(r",\s(?P<words>[^,“”\"«»\n]{1,120}),")
_COMMA_THEN_VERB_RE = re.compile(rf",(?=\s+{_ADVERBS}{_VERB})")
_AFFILIATION_AFTER_RE = re.compile(rf"\s+(?:of|at|from)\s+(?P<words>{_ORGANISATION})")
# "Brookings analyst Stephen Hess", "Skyparcel’s chief executive, Hannah Lindqvist"
_PRECEDING_ROLE_RE = re.compile(
    rf"(?P<words>(?:{_PHRASE_WORD}\s+){{0,3}}{_ROLE}s?),?\s+$", re.IGNORECASE
)
_PREPOSITIONS = _words(
    "of against to for with by from in on at about into over between among than like toward "
    "towards via"
)
# Past tenses that do not end in -ed: "Sato, professor of politics, thought …"
_IRREGULAR_PAST = _words(
    """
    thought felt went came saw made took gave found left led met won lost held kept put set ran
    spoke wrote knew grew began became brought bought sought sent spent stood understood taught
    caught fought built meant heard paid sold rose fell drew chose struck hit cut quit
    """
)
_WORD_RE = re.compile(r"[^\W_]+")
_NON_SPACE_RE = re.compile(r"\S+")
# Subject and possessive pronouns only: "him"/"her" are often someone else ("May thanked him").
_GENDER_PRONOUN_RE = re.compile(r"\b(he|his|she|hers)\b", re.IGNORECASE)

# Capitalised words that open sentences or phrases but are not names.
_CAP_STOP = _words(
    """
    the a an this that these those it its he she they we i you his her their our my your but and
    or so yet in on at for from by with during after before while when if as per according
    thanks following despite however meanwhile then now also still some many most both all each
    earlier later indeed separately
    no not what who why how where which there here since until although though photo by
    u.s u.k u.n e.u
    """
)
_TITLES = _words(
    """
    president vice prime minister premier chancellor mr mrs ms miss dr prof sen gen gov rep lt
    col capt sgt adm maj rev sir dame lord lady king queen prince princess pope sheikh emir
    chairman chairwoman secretary ambassador general governor senator mayor judge justice
    commander chief foreign defence defense interior finance deputy state madam mme mlle
    congressman congresswoman representative speaker councillor councilor undersecretary
    """
)
_ROLE_OR_TITLE = _ROLE_WORDS | _TITLES
_FEMALE = _words(
    "mrs ms miss dame lady queen princess madam mme mlle chairwoman spokeswoman congresswoman "
    "businesswoman she her hers"
)
_MALE = _words("mr sir lord king prince sheikh emir chairman congressman businessman he him his")
_VERBISH = _words(
    """
    is was are were has had have will would can could may might must should shall did does do
    met visited arrived left became remains remained wants wanted plans planned hopes hoped
    """
)
_LEADER_ROLES = _words(
    "leader president premier prime chancellor chairman chairwoman king queen head ruler "
    "monarch emperor strongman dictator chief"
)
_DETERMINER_WORDS = _words("the a an his her their its one another")
_INDEFINITE = _words("a an one another")
_SHORT_PHRASE_WORDS = 4
_NAME_REACH = 2500  # how far before a cue the names it may refer to are read
_NAME_AFTER = 400  # … and after it ("“…,” said Skyparcel’s chief executive, Hannah Lindqvist")


def _windows(anchors: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """The merged spans ``[start − _NAME_REACH, end + _NAME_AFTER)`` around the anchors."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(anchors):
        lo, hi = max(0, start - _NAME_REACH), min(size, end + _NAME_AFTER)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


_LOOKBACK = 300  # person mentions looked at when resolving a descriptor or pronoun
# How far back a "he" or "she" with no known speaker in reach looks for the one person who acts
_LONE_REACH = 600  # characters (and the paragraph before the pronoun's, at most)
_LONE_MENTIONS = 30  # names
_PASSING_BEFORE = _PREPOSITIONS | _DETERMINER_WORDS
_CLAUSE_CHARS = 400  # how far before a quotation its cue may start


@dataclass(eq=False)
class _Entity:
    tokens: set[str]
    intro: set[str] = field(default_factory=set)
    gender: str | None = None
    person: bool = False
    last_seen: int = -1
    printed: str = ""  # the longest form printed (or an unnamed speaker's descriptor)
    named: bool = True
    group: bool = False  # unnamed and plural, printed as a name would be ("Officials")
    index: int = -1  # position in Speech.people, once a quotation or statement refers to it
    mentions: list[_Mention] = field(default_factory=list)
    complete: bool = False  # every mention read in full (see _People.complete)


@dataclass
class _Mention:
    start: int
    end: int
    printed: str
    entity: _Entity
    subject: bool = False
    speaker: bool = False
    quoted: bool = False  # inside a quotation: never the antecedent of a cue
    # Where the name matched, for reading what surrounds it later (only when needed).
    match_start: int = -1
    match_end: int = -1
    trimmed: int = 0  # leading words dropped from the match ("However Smith" → "Smith")
    possessive: bool = False
    read: bool = True

    @property
    def label(self) -> str | None:
        """The speaker as shown: the name printed here; an unnamed speaker's descriptor when it
        says more than a bare role ("Benetton spokeswoman", not "official"); a group as the cue
        printed it ("Analysts")."""
        if self.entity.named or self.entity.group:
            return self.printed
        return self.entity.printed if " " in self.entity.printed else None


@dataclass
class _Raw:
    """A quotation before attribution."""

    start: int
    end: int
    closed: bool
    paragraph: int
    chain: int
    speaker: str | None = None
    entity: _Entity | None = None
    cue: tuple[int, int] = (-1, -1)
    # unresolved subject: ("desc"|"pron", words, where its antecedents end, its span)
    pending: tuple[str, str, int, int, int] | None = None

    def take(self, mention: _Mention | None) -> None:
        if mention is not None:
            self.speaker, self.entity = mention.label, mention.entity


_NO_SPEECH = Speech((), (), ())


def find_quotations(text: str) -> list[Quotation]:
    """Every top-level quotation in ``text``, in order, with its cue and speaker."""
    return list(analyse_speech(text).quotations)


# "Smith Barney, Harris Upham and Co": the comma inside a firm's name
# (the comma first, its letter checked behind it: see _APOSTROPHE_RE)
_FIRM_COMMA_RE = re.compile(r",(?<=[a-z],)(?= (?:[A-Z][a-z]+ ){1,3}(?:and|&) Co\b)")


# "<Estmark Bank> said", "Harbour Trust Inc <HBT> said": the wire's angle brackets around a
# firm's name, or around its ticker after the name. Read as spaces (a character for a
# character: every offset holds), with the ticker, which is no part of the name.
_ANGLE_BRACKETS_RE = re.compile(r"<(?P<inner>[A-Z][^<>\n]{0,79})>")
_TICKER_RE = re.compile(r"[A-Z][A-Z0-9.]{0,7}")


def _unbracketed(match: re.Match[str]) -> str:
    """The bracketed words as spaces (a ticker right after a capitalised word) or the name
    between two spaces."""
    inner = match.group("inner")
    before = match.string[max(0, match.start() - 40) : match.start()]
    words = before.split()
    after_a_name = before[-1:] == " " and bool(words) and words[-1][:1].isupper()
    if after_a_name and _TICKER_RE.fullmatch(inner):
        return " " * len(match.group())
    return f" {inner} "


def analyse_speech(
    text: str,
    *,
    paragraphs: list[tuple[int, int]] | None = None,
    sentences: list[tuple[int, int]] | None = None,
) -> Speech:
    """The quotations of ``text``, its reported speech and the people who speak.
    ``paragraphs`` and ``sentences``: ``text``'s spans, when the caller has them already."""
    # 'India"s', 'don"t': some wire copy types a straight double quote for an apostrophe. Read
    # as one (a character for a character: every offset holds), it opens no quotation.
    if '"' in text:
        text = _APOSTROPHE_RE.sub("'", text)
    has_quotes = _QUOTE_MARK_RE.search(text) is not None
    verbs = _cue_verbs(text)
    verbs = [v for v in verbs if v.group().lower() in _REPORTING_VERBS]
    if not has_quotes and not verbs:
        return _NO_SPEECH
    # "H.P. Smith, analyst at Smith Barney, Harris Upham and Co said": the firm's comma is no
    # apposition's end. A no-break space of the same length keeps every offset, and a name
    # reads it (with the space after it) as the space between two of its words.
    firm_commas = _FIRM_COMMA_RE.search(text) is not None
    if firm_commas:
        text = _FIRM_COMMA_RE.sub(_FIRM_COMMA, text)
    if paragraphs is None:
        paragraphs = paragraph_spans(text)
    raws = _quotation_spans(text, paragraphs) if has_quotes else []
    if sentences is None:
        sentences = sentence_spans(text, paragraphs)
    if "<" in text:  # (after the spans: a sentence starts where the caller's spans say)
        text = _ANGLE_BRACKETS_RE.sub(_unbracketed, text)
    # Names are read only where a cue can reach them: before and around quotations and speech
    # verbs (an encyclopaedic article with one "said" is not scanned whole).
    anchors = [(r.start, r.end) for r in raws] + [(v.start(), v.end()) for v in verbs]
    people = _People(text, _windows(anchors, len(text)), [p[0] for p in paragraphs])
    people.mark_quoted([(r.start, r.end) for r in raws])
    for raw in raws:
        _attribute(text, raw, sentences, people)
    # Reported speech before the quotations' pronouns and descriptors are resolved: "a Benetton
    # spokeswoman said" introduces the one a later "the spokeswoman said" refers to.
    # (and the cues of a role no one before holds, which the person named next may hold)
    role_only: list[tuple[_Raw, str]] = []
    _note_unnamed_actors(text, people)
    statements = _reported_speech(text, sentences, paragraphs, raws, people, verbs, role_only)
    role_only_statements = {id(raw) for raw, _words in role_only}
    for raw in raws:
        _resolve_pending(raw, people, role_only)
    named = _name_role_only_speakers(sorted(role_only, key=lambda p: p[0].start), people)
    named_statements = [raw for raw in named if id(raw) in role_only_statements]
    if named_statements:
        statements = sorted(statements + named_statements, key=lambda r: r.start)
    _inherit_from_statements(raws, statements)
    _share_within_chains(raws)
    _continue_within_paragraphs(text, raws)
    _continue_from_context(text, raws, statements, paragraphs)
    _share_within_chains(raws)
    return _output(raws, statements, people.complete, firm_commas)


# "A Savings Department spokesman refused to comment, …": someone unnamed who acts, at the
# start of a sentence (a verb in the past or present follows the descriptor)
_UNNAMED_ACTOR_RE = re.compile(
    rf"(?P<desc>{_DESCRIPTOR})"
    rf"(?=\s+(?:also\s+|later\s+)?(?P<verb>[a-z]+ed|{_trie_pattern(_IRREGULAR_PAST)})\b)"
)
# Where a sentence may open: after its end mark and a space, or a line break. (Found first and
# the descriptor matched there: one pattern opening with these look-behinds tried every
# character of the text, over a millisecond for a 50 KB article.)
_SENTENCE_OPENING_RE = re.compile(r"[.!?”\"]\s|\n")


def _unnamed_actors(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_UNNAMED_ACTOR_RE`` at the text's start and at every sentence opening,
    in order and not overlapping."""
    taken = 0
    for at in itertools.chain((0,), (m.end() for m in _SENTENCE_OPENING_RE.finditer(text))):
        if at < taken:
            continue
        match = _UNNAMED_ACTOR_RE.match(text, at)
        if match is not None:
            taken = match.end()
            yield match


_CUE_VERBS = _words("said says told tells added adds")
# "A company spokesman declined to comment." said nothing: the next "he said" is someone else's
# (the union leader's before it). Unless the sentence goes on to say something (", saying …").
_SILENCE_RE = re.compile(
    r"\s+(?:also\s+)?(?:declined|refused)\s+(?:any\s+|further\s+)?(?:to\s+)?"
    # (not "declined to elaborate": that one spoke, and "He said only that …" often follows)
    r"(?:comment|discuss|be\s+interviewed)\b(?P<rest>[^.!?\n]{0,200})"
)
_SPOKE_ON_RE = re.compile(r"\b(?:saying|said|says|adding|added|but|though|although|noting)\b")


def _note_unnamed_actors(text: str, people: _People) -> None:
    """Someone unnamed who acts at the start of a sentence is someone a later "he said" may
    be ("A Savings Department spokesman refused to comment …" — '"…," he told Reuters')."""
    for match in _unnamed_actors(text):
        start, end = match.span("desc")
        words = match.group("desc")
        if (
            not _introduces_someone(words)
            or _is_plural_descriptor(words)
            or match.group("verb") in _CUE_VERBS  # a cue: its subject is read there
            or _said_nothing(text, end)
        ):
            continue
        i = bisect.bisect_left(people.starts, start)
        if i < len(people.starts) and people.starts[i] == start:
            continue  # a cue's subject, noted already
        people.note_unnamed(start, end, words)


def _said_nothing(text: str, after: int) -> bool:
    """Whether the words after a descriptor say its person declined to comment, and nothing
    more in that sentence."""
    silence = _SILENCE_RE.match(text, after)
    return silence is not None and _SPOKE_ON_RE.search(silence.group("rest")) is None


def _resolve_pending(
    raw: _Raw, people: _People, role_only: list[tuple[_Raw, str]] | None = None
) -> None:
    """Resolve the pronoun or descriptor of ``raw``'s cue. The person found is then mentioned
    there, for the cues after it ("The spokesman said …" — "He said …" is that spokesman, not
    someone named in between). A singular role no one before it holds goes to ``role_only``
    with its words (see _name_role_only_speakers)."""
    if raw.pending is not None:
        kind, words, at, start, end = raw.pending
        raw.pending = None
        raw.take(people.resolve(kind, words, at, (start, end)))
        if (
            role_only is not None
            and kind == "desc"
            and not _attributed(raw)
            and not _is_plural_descriptor(words)
        ):
            role_only.append((raw, words))


# How far after a role-only cue the person it names may be named, in characters and in names
_ROLE_ONLY_REACH = 1500
_ROLE_ONLY_MENTIONS = 40
# Titles of courtesy: a name so titled has no role of its own ("Mr. Mbeki")
_HONORIFICS = _words("mr mrs ms miss dr sir dame lord lady madam mme mlle")


def _name_role_only_speakers(role_only: list[tuple[_Raw, str]], people: _People) -> list[_Raw]:
    """News often gives the role first and the name later: "…, the chairman of the Coffee Board
    said." then '"…," J. Mbeki said.' The named speaker IS that chairman when he is the first
    person named after the role, speaks, and has no role of his own (nor an affiliation the
    role does not give, nor the other gender): he takes the role's words and its cue's
    speech. Returns the quotations and statements so named."""
    named: list[_Raw] = []
    own_words: dict[int, set[str]] = {}  # each entity's words before this gave it any
    for raw, words in role_only:
        found = people.first_person_after(raw.cue[1], _ROLE_ONLY_REACH, _ROLE_ONLY_MENTIONS)
        if found is None or not found.speaker or not found.entity.named:
            continue
        entity = found.entity
        if not (_looks_personal(entity.printed) or entity.intro & _HONORIFICS):
            continue  # "One said", "USDA said": no one's name
        role_words = _key_tokens(words) - _DETERMINER_WORDS
        own = own_words.setdefault(id(entity), entity.intro - _HONORIFICS)
        if own & _ROLE_OR_TITLE or not own <= role_words:
            continue  # "economist J. Mbeki", "J. Mbeki of Kericho Growers": someone else
        gender = _gender_of(role_words)
        if gender is not None and entity.gender not in (None, gender):
            continue
        entity.intro |= role_words
        raw.take(found)
        named.append(raw)
    return named


def _output(
    raws: list[_Raw],
    statements: list[_Raw],
    complete: Callable[[_Entity], None],
    firm_commas: bool = False,
) -> Speech:
    """The quotations, statements and their people; ``firm_commas``: names print the commas
    of firms' names that were read as no-break spaces ("Fenwick, Dale and Co")."""
    people: list[Person] = []

    def printed(name: str | None) -> str | None:
        return name.replace(_FIRM_COMMA + " ", ", ") if firm_commas and name else name

    def index_of(entity: _Entity | None) -> int:
        if entity is None:
            return -1
        if entity.index < 0:
            complete(entity)
            entity.index = len(people)
            words = " ".join(sorted(entity.intro))
            people.append(Person(printed(entity.printed) or "", words, entity.named))
        return entity.index

    def quotation(raw: _Raw) -> Quotation:
        return Quotation(
            raw.start, raw.end, printed(raw.speaker), raw.cue[0], raw.cue[1], index_of(raw.entity)
        )

    return Speech(
        quotations=tuple(quotation(r) for r in raws),
        reported=tuple(quotation(r) for r in statements),
        people=tuple(people),
    )


# ---- 1. quotation spans
def _quotation_spans(text: str, paragraphs: list[tuple[int, int]]) -> list[_Raw]:
    out: list[_Raw] = []
    chain = 0
    open_at_end = False
    for index, (p_start, p_end) in enumerate(paragraphs):
        found = _paragraph_quotes(text, p_start, p_end)
        continues = open_at_end and bool(found) and found[0][0] == p_start
        open_at_end = False
        for i, (start, end, closed) in enumerate(found):
            if not (i == 0 and continues):
                chain += 1
            if _has_content(text, start, end):
                out.append(_Raw(start, end, closed, index, chain))
            open_at_end = not closed
    return out


def _has_content(text: str, start: int, end: int) -> bool:
    return any(ch.isalnum() for ch in text[start:end])


_CLOSING = {"“": "”", "«": "»"}
# A straight double quote between a letter and the end of a possessive or a contraction. (The
# quote comes first, its letter checked behind it: a pattern opening with a look-behind cannot
# skip ahead to the quotes, and scanned a 50 KB article in over a millisecond.)
_APOSTROPHE_RE = re.compile(r'"(?<=[^\W\d_]")(?=(?:s|t|ll|re|ve|d|m)(?![^\W\d_]))')


def _paragraph_quotes(text: str, p_start: int, p_end: int) -> list[tuple[int, int, bool]]:
    """Top-level quotations in one paragraph: (start, end, closed)."""
    found: list[tuple[int, int, bool]] = []
    opener = ""  # the mark that opened the current quotation ("“", "«" or '"')
    depth = 0  # nesting of that same kind of mark
    start = -1
    for mark in _QUOTE_MARK_RE.finditer(text, p_start, p_end):
        ch, pos = mark.group(), mark.start()
        before = text[pos - 1] if pos > p_start else " "
        after = text[pos + 1] if pos + 1 < p_end else " "
        if opener == '"':
            if ch == '"' and (not before.isspace() or after.isspace() or after in ",.;:!?)"):
                found.append((start, pos + 1, True))
                opener = ""
            continue  # other marks inside a straight quotation are part of it
        if opener:
            if ch == opener:
                depth += 1
            elif ch == _CLOSING[opener]:
                depth -= 1
                if depth == 0:
                    found.append((start, pos + 1, True))
                    opener = ""
            continue  # marks of another kind are nested quotes, part of this one
        if ch == '"':
            if not after.isspace():
                start, opener, depth = pos, '"', 1
        elif ch in _CLOSING:
            start, opener, depth = pos, ch, 1
        elif ch == "”" and before.isspace() and not after.isspace():
            start, opener, depth = pos, "“", 1  # a ” used as an opening mark
    if opener:
        found.append((start, p_end, False))
    return found


# ---- 2. cues
def _attribute(text: str, raw: _Raw, sentences: list[tuple[int, int]], people: _People) -> None:
    inner = text[raw.start + 1 : raw.end - 1 if raw.closed else raw.end].rstrip()
    after_first = bool(inner) and inner[-1] in ",?!—–-…"
    tries = (_cue_after, _cue_before) if after_first else (_cue_before, _cue_after)
    for attempt in tries:
        if attempt(text, raw, sentences, people):
            return


def _cue_after(text: str, raw: _Raw, sentences: list[tuple[int, int]], people: _People) -> bool:
    if not raw.closed:
        return False
    limit = _paragraph_end(text, raw.end)
    match = _AFTER_RE.match(text, raw.end, limit)
    if match is None:
        match = _AFTER_ROLE_NAME_COMMA_RE.match(text, raw.end, limit)
        if match is not None and match.group("a_pre") is None:
            match = None
    if match is None and "quoted" in text[raw.end : limit]:
        match = _AFTER_QUOTED_AS_RE.match(text, raw.end, limit)
    if match is None:
        organisation = _ORGANISATION_AFTER_RE.match(text, raw.end, limit)
        if organisation is not None:
            return _cue_of_an_organisation(raw, organisation, people)
        return _cue_after_a_named_role(text, raw, limit, people)
    for group in ("s1", "s2", "s3"):
        if group not in match.re.groupindex or match.group(group) is None:
            continue
        prefix = {"s1": "a_", "s2": "b_", "s3": "c_"}[group]
        subject = _Subject.of(match, prefix)
        if group == "s1":
            cue = (subject.cue_start, match.end("v1"))
        elif group == "s2":
            cue = (match.start("v2"), subject.end)
        else:
            cue = (match.start("acc"), subject.end)
        return _apply(raw, subject, cue, people)
    return False


def _cue_of_an_organisation(raw: _Raw, match: re.Match[str], people: _People) -> bool:
    """'“…,” the company said.' / '“…,” said the agency.' (see _ORGANISATION_AFTER_RE)."""
    if match.group("a_org") is not None:
        subject = _Subject.of(match, "a_")
        return _apply(raw, subject, (match.start("a_org"), match.end("v1")), people)
    subject = _Subject.of(match, "b_")
    return _apply(raw, subject, (match.start("v2"), match.end("b_org")), people)


def _cue_after_a_named_role(text: str, raw: _Raw, limit: int, people: _People) -> bool:
    """'“…,” NAME, a ROLE with ORG said.' (see _AFTER_NAME_A_ROLE_RE)."""
    match = _AFTER_NAME_A_ROLE_RE.match(text, raw.end, limit)
    named = _personal_name(match) if match is not None else None
    if match is None or named is None:
        return False
    start, proper = named
    subject = _Subject("name", proper, start, start + len(proper))
    return _apply(raw, subject, (match.start("name"), match.end("verb")), people)


def _cue_before(text: str, raw: _Raw, sentences: list[tuple[int, int]], people: _People) -> bool:
    clause_start = max(_clause_start(text, raw.start, sentences), raw.start - _CLAUSE_CHARS)
    clause = text[clause_start : raw.start]
    according = _ACCORDING_BEFORE_RE.search(clause)
    if according is not None:
        subject = _Subject.of(according, "", offset=clause_start)
        cue_end = clause_start + len(clause.rstrip())
        return _apply(raw, subject, (clause_start + according.start(), cue_end), people)
    quoted_as = _QUOTED_AS_RE.search(clause) if "quoted" in clause else None
    if quoted_as is not None and _TAIL_RE.fullmatch(clause[quoted_as.end() :]):
        prefix = "a_" if quoted_as.group("s1") is not None else "b_"
        subject = _Subject.of(quoted_as, prefix, offset=clause_start)
        cue = (clause_start + quoted_as.start(), clause_start + quoted_as.end())
        return _apply(raw, subject, cue, people)
    view = None if _is_short_phrase(text, raw) else _view_cue(clause, people)
    if view is not None:
        found_subject, cue_end = view
        subject = _Subject.of(found_subject, "", offset=clause_start)
        return _apply(raw, subject, (subject.cue_start, clause_start + cue_end), people)
    opinion = _opinion_cue(text, raw, clause)
    if opinion is not None:
        found_subject, cue_end = opinion
        subject = _Subject.of(found_subject, "", offset=clause_start)
        return _apply(raw, subject, (subject.cue_start, clause_start + cue_end), people)
    opening = _LETTER_RE.search(text, raw.start, raw.end)
    capital = opening is not None and opening.group().isupper()
    tail_re = _TAIL_WITH_INITIALS_RE if capital else _TAIL_RE
    for verb in reversed(_cue_verbs(clause)):
        tail = clause[verb.end() :]
        if tail_re.fullmatch(tail) is None:
            break  # a quotation mark or a sentence end lies between: too far
        found = _subject_before(clause, 0, verb.start())
        if found is None and verb.group().lower().endswith("ing"):
            found = _sentence_subject(clause, verb.start())
        if found is None:
            continue
        subject = _Subject.of(found, "", offset=clause_start)
        return _apply(raw, subject, (subject.cue_start, clause_start + verb.end()), people)
    return False


# "X called the plan “…”", "X described the report as “…”", "X termed it “…”": a view in the
# speaker's own words, though no verb of speech introduces it. The verb, then what it is about
# (a few words; never a quotation, a sentence end or a verb of speech), right before the
# quotation. ("a company called “Acme”" has nothing between: a name, no view; 'He called it
# “historic”' is a short phrase, as often the reporter's scare quote as the speaker's word.)
_VIEW_VERB_RE = re.compile(
    r"(?<![\w’'-])(?:(?P<call>call(?:ed|s|ing)|term(?:ed|s|ing)|dub(?:bed|s|bing)|"
    r"brand(?:ed|s|ing)|label(?:led|ed|s|ling|ing))|(?P<describe>describ(?:ed|es|ing)))\s+"
    # "called for", "called on", "called off" ask for something: not a view of something
    r"(?!(?:for|on|off|in|up|out|back|upon|at|to|by|from|with)\s)"
)
_VIEW_OBJECT_RE = re.compile(r"(?P<object>[^“”\"«».!?;:\n]{1,80}?)(?P<as>\s+as)?\s*$")
_VIEW_REACH = 120  # how far before the quotation the verb may stand
_SINGULAR_PERSONAL_PRONOUNS = _words("he she он она")


def _view_cue(clause: str, people: _People) -> tuple[re.Match[str], int] | None:
    """The subject of a verb that gives a view ("called", "described … as", "termed") right
    before the quotation ending ``clause``, and where its cue ends; only when the subject is a
    person (a company calls its drug “Zyrex”, which is no one's view)."""
    verbs = list(_VIEW_VERB_RE.finditer(clause, max(0, len(clause) - _VIEW_REACH)))
    if not verbs:
        return None
    last = verbs[-1]
    tail = _VIEW_OBJECT_RE.fullmatch(clause, last.end())
    if tail is None or (tail.group("as") is None) == (last.group("describe") is not None):
        return None  # "described" needs its "as"; "called … as" is something else
    if any(v.group() in _REPORTING_VERBS for v in _speech_verbs(tail.group("object"))):
        return None  # "… called reporters in and said “…”": that verb is the cue
    found = _subject_before(clause, 0, last.start())
    if found is None and last.group().rstrip().endswith("ing"):
        found = _sentence_subject(clause, last.start())
    if found is None or not _is_a_person(found, people, len(clause)):
        return None
    return found, tail.end("object")


# 'Leibowitz believes "the chances are nil."': a verb of opinion in the present, right before
# the quotation (no verb of speech: "believes" and "thinks" report speech only so placed)
_OPINION_VERB_RE = re.compile(r"(?<![\w’'-])(?:believes|thinks|feels)(?=\s+(?:that\s+)?$)")
_OPINION_REACH = 30  # characters before the quotation: the verb, "that", the spaces
_TERM_WORDS = 2


def _opinion_cue(text: str, raw: _Raw, clause: str) -> tuple[re.Match[str], int] | None:
    """The subject of a verb of opinion right before the quotation ending ``clause`` and where
    its cue ends; None when there is none, or the quotation is a term of a word or two
    ('Dahl believes "green" bonds sell')."""
    verb = _OPINION_VERB_RE.search(clause, max(0, len(clause) - _OPINION_REACH))
    if verb is None or _is_term(text, raw):
        return None
    found = _subject_before(clause, 0, verb.start())
    return (found, verb.end()) if found is not None else None


def _is_term(text: str, raw: _Raw) -> bool:
    """A word or two in quotation marks, not a sentence: a term ("green"), not a statement."""
    inner = text[raw.start + 1 : raw.end - 1 if raw.closed else raw.end].rstrip()
    return len(inner.split()) <= _TERM_WORDS and not inner.endswith((".", "?", "!", "…"))


def _is_a_person(found: re.Match[str], people: _People, clause_end: int) -> bool:
    """Whether a subject match names a person: he or she, a role ("the mayor"), or a name with
    a title or role, or one the article reads as a person's ("Ines Calloway", then "Calloway")."""
    if found.group("pron") is not None:
        return found.group("pron").lower() in _SINGULAR_PERSONAL_PRONOUNS
    if found.group("desc") is not None:
        return not _is_plural_descriptor(found.group("desc"))
    name = found.group("name")
    trimmed = _trim_name(name) if name is not None else None
    if trimmed is None:
        return False
    titles, _offset, proper = _split_titles(trimmed[1])
    if found.group("pre") or titles:
        return True
    return people.reads_as_person(proper)


# The subject that opens a sentence and the verb after it: "Okafor called on …", "But the
# senior banker was …"
_SENTENCE_SUBJECT_RE = re.compile(
    rf"\s*(?:(?:But|And|Yet|However|Still|Meanwhile),?\s+)?(?:{_SUBJECT}){_AFFILIATION}"
    rf"{_APPOSITION}\s+{_ADVERBS}"
    rf"(?:{_trie_pattern(_VERBISH | _IRREGULAR_PAST)}|[a-z]+ed)(?![\w’'-])"
)


def _sentence_subject(clause: str, participle_at: int) -> re.Match[str] | None:
    """For a participle after a comma ("…, saying: "…"", "…, adding that"), the subject of the
    sentence it hangs on, when the sentence opens with one and a verb."""
    before = clause[:participle_at].rstrip()
    if not before.endswith(",") and not before.endswith((',"', ",”")):
        # (the comma may close a quotation: 'X called it a "disgrace," adding “…”')
        return None
    return _SENTENCE_SUBJECT_RE.match(clause, 0, participle_at)


def _clause_start(text: str, at: int, sentences: list[tuple[int, int]]) -> int:
    """Start of the sentence holding ``at`` (quotations may hold several sentences)."""
    i = bisect.bisect_right(sentences, (at, sys.maxsize)) - 1
    return sentences[i][0] if i >= 0 and sentences[i][0] <= at else at


def _paragraph_end(text: str, at: int) -> int:
    """End of the paragraph holding ``at``, looking no further than a cue could reach."""
    end = min(len(text), at + 300)
    for sep in "\n\r\u2028\u2029":
        found = text.find(sep, at, end)
        if found != -1:
            end = found
    return min(end, at + 300)


@dataclass(frozen=True)
class _Subject:
    kind: str  # "name" | "desc" | "pron"
    words: str
    start: int
    end: int
    pre: str = ""  # words describing a name right before it ("Brookings analyst")
    outer_start: int = -1  # where the subject starts, its describing words included

    @property
    def cue_start(self) -> int:
        return self.outer_start if self.outer_start >= 0 else self.start

    @classmethod
    def of(cls, match: re.Match[str], prefix: str, offset: int = 0) -> _Subject:
        if prefix + "org" in match.re.groupindex and match.group(prefix + "org") is not None:
            return cls._of_organisation(match, prefix, offset)
        for kind in ("name", "desc", "pron"):
            group = prefix + kind
            if match.group(group) is not None:
                start, end = match.span(group)
                if kind == "name":
                    pre = match.group(prefix + "pre") or ""
                    outer = offset + (match.start(prefix + "pre") if pre else start)
                    led = _led_by_a_plural_role(match, prefix) if pre else None
                    if led is not None:
                        (start, end), pre = led, ""
                    trimmed = _trim_name(match.string[start:end])
                    if trimmed is not None:
                        rel, name = trimmed
                        start += rel
                        end = offset + start + len(name)
                        return cls(kind, name, offset + start, end, pre, outer)
                    return cls("none", "", offset + start, offset + end)
                if kind == "desc":
                    institution = _DEFINITE_INSTITUTION_RE.fullmatch(match.string, start, end)
                    if institution is not None:
                        start, end = institution.span("name")
                        return cls("name", institution.group("name"), offset + start, offset + end)
                return cls(kind, match.group(group), offset + start, offset + end)
        raise AssertionError("a subject group always matches")

    @classmethod
    def _of_organisation(cls, match: re.Match[str], prefix: str, offset: int) -> _Subject:
        """A document's owner by name ("the Novo statement": Novo), or an organisation the
        article named before ("org": "company", or "" for any, "the report")."""
        owner = match.group(prefix + "owner")
        trimmed = _trim_name(owner) if owner is not None else None
        if trimmed is not None:
            start = offset + match.start(prefix + "owner") + trimmed[0]
            return cls("name", trimmed[1], start, start + len(trimmed[1]))
        head = (match.group(prefix + "head") or "").lower()
        start, end = match.span(prefix + "org")
        return cls("org", head, offset + start, offset + end)


# "the Norland Association of Harbour Pilots": a descriptor (its last word a plural role) that is
# an institution's whole name, "of" inside it (see _OF_IN_A_NAME)
_DEFINITE_INSTITUTION_RE = re.compile(
    rf"the\s+(?P<name>{_NAME_WORD}(?:[ ]{_NAME_WORD}){{0,6}}"
    rf"{_OF_IN_A_NAME})"
)


# "John Wills of Bankers": a name and a preposition before a capitalised plural person noun
_NAME_THEN_PREPOSITION_RE = re.compile(
    rf"(?P<name>{_NAME})\s+(?:of|at|from|for|with)\s+(?:the\s+)?"
)


def _led_by_a_plural_role(match: re.Match[str], prefix: str) -> tuple[int, int] | None:
    """Where the name is, when the role words a subject match found before it end with a
    capitalised plural person noun that starts an organisation's name ("said John Wills of
    Bankers Trust Co": John Wills; "Traders Bank said": the bank), else None."""
    text = match.string
    pre_start, pre_end = match.span(prefix + "pre")
    name_start, name_end = match.span(prefix + "name")
    last = text[pre_start:pre_end].split()[-1]
    if not (last[:1].isupper() and _is_plural_role(last.lower())):
        return None
    last_start = pre_end - len(last)
    ending = text[name_start:name_end].split()[-1].lower().rstrip(".")
    organisation = ending in _ORGANISATION_WORDS or ending in _NOT_SURNAMES
    capitalised = all(w[:1].isupper() for w in text[pre_start:pre_end].split())
    if last_start == pre_start or (capitalised and organisation):
        # "Traders Bank said", "Metal Traders Australasia Ltd said": one name, when it ends
        # as an organisation's does
        return (pre_start, name_end) if organisation and pre_end + 1 == name_start else None
    person = _NAME_THEN_PREPOSITION_RE.fullmatch(text, pre_start, last_start)
    return person.span("name") if person is not None else None


def _is_plural_role(word: str) -> bool:
    """ "bankers", "traders", "analysts": a person noun of _ROLE_WORDS, plural."""
    return word.endswith("s") and (word in _ROLE_WORDS or word[:-1] in _ROLE_WORDS)


def _apply(raw: _Raw, subject: _Subject, cue: tuple[int, int], people: _People) -> bool:
    if subject.kind == "none":
        return False
    if subject.kind == "org":
        found = people.organisation(subject.start, subject.words)
        if found is None:
            return False  # none named before, or two that fit: no guess
        raw.cue = cue
        raw.take(found)
        return True
    if subject.kind == "desc":
        # "The consultant, Ohio State professor Carl Leier, said": the appositive names them.
        named = _appositive_name(people.text, subject.end, cue[1])
        if named is not None and _ROLE_OF_RE.search(subject.words) is not None:
            # "a spokeswoman for the farm union, the FNSEA, said": the appositive may name what
            # the role is of; only a person's name, standing alone, names the speaker ("the
            # chairman of the committee, Pat Elmer, said")
            whole = _APPOSITIVE_RE.match(people.text, subject.end, cue[1])
            if whole is None or whole.group("words") != named[1] or not _looks_personal(named[1]):
                named = None
        if named is None and cue[1] == subject.end:
            # '"…," said an official with the Ghana Cocoa Board, Kofi Mensah.': after a cue that
            # ends with its descriptor, a person's name standing alone names the speaker
            named = _trailing_name(people.text, subject.end)
            if named is not None:
                cue = (cue[0], named[0] + len(named[1]))
        if named is None and subject.words[:1].islower():
            # 'Jane Doe, an analyst with Merrill Lynch said "…"': the descriptor is in
            # apposition to the name before it, which is the speaker
            named = _leading_name(people.text, subject.start)
        if named is not None:
            subject = _named(subject, named)
    if subject.kind == "name":
        # '"…," Hermann Remsperger, chief economist of Berliner Handels- and Frankfurter Bank
        # (BHF) said.': the name the role is in apposition to speaks, not the role's firm
        if subject.pre:
            of_role = _ROLE_OF_RE.search(subject.pre) is not None
            named = _leading_name(people.text, subject.cue_start) if of_role else None
        else:
            named = _name_before_its_role(people.text, subject.start)
        if named is not None:
            subject = _named(subject, named)
    if (
        subject.kind == "name"
        and _only_role_words(subject.words)
        and people.text[max(0, subject.cue_start - 3) : subject.cue_start].strip()[-1:] != ","
    ):
        # "The Governor of the Bank of England, Robin Leigh-Pemberton, said": a capitalised
        # role is no name; the name in apposition after its affiliation is the speaker (not
        # when the role is itself in apposition: "He Kang, Minister of …, Fisheries, said")
        comma = people.text.find(",", subject.end, cue[1])
        named = _appositive_name(people.text, comma, cue[1]) if comma >= 0 else None
        if named is not None and _looks_personal(named[1]):
            subject = _named(subject, named)
    raw.cue = cue
    if subject.kind == "name" and not subject.pre and _names_a_group(subject.words):
        # "Officials said", "Analysts said": a group, never a person's name;
        # someone unnamed, like "a spokesman said", whom "they" or "the officials" refer to
        raw.take(people.note_unnamed(subject.start, subject.end, subject.words, group=True))
    elif subject.kind == "name":
        printed = _strip_titles(subject.words)
        mention = people.note_speaker(subject.start, subject.end, printed)
        mention.entity.intro |= _key_tokens(subject.pre)
        raw.take(mention)
        raw.speaker = printed  # as the cue prints it
    elif subject.kind == "desc" and _introduces_someone(subject.words):
        # "a spokesman said": someone unnamed, whom "the spokesman" may refer to later
        raw.take(people.note_unnamed(subject.start, subject.end, subject.words))
    else:
        # Antecedents come before the cue and outside this quotation.
        at = min(subject.start, raw.start)
        raw.pending = (subject.kind, subject.words, at, subject.start, subject.end)
    return True


# ", Kofi Mensah." / ", Ama Owusu, adding …": a name alone between a comma and a clause's end
_TRAILING_NAME_RE = re.compile(rf",\s+(?P<name>{_NAME})(?=\s*(?:[,.;:!?]|$))")


def _trailing_name(text: str, after: int) -> tuple[int, str] | None:
    """The person's name in apposition right after ``after``, closing its clause: (start, name),
    or None when it is no person's name ("…, New York Stock Exchange.")."""
    match = _TRAILING_NAME_RE.match(text, after, min(len(text), after + 120))
    return _personal_name(match) if match is not None else None


def _personal_name(match: re.Match[str]) -> tuple[int, str] | None:
    """The person's name a match's "name" group holds, without its titles: (start, name), or
    None when the group starts with a word that is no name (", However Smith") or is no
    person's name ("New York Stock Exchange")."""
    trimmed = _trim_name(match.group("name"))
    if trimmed is None or trimmed[0] != 0:
        return None
    _titles, offset, proper = _split_titles(trimmed[1])
    if not _looks_personal(proper):
        return None
    return match.start("name") + offset, proper


_LEADING_NAME_RE = re.compile(rf"(?P<name>{_NAME}),\s+$")
_NAME_BEFORE_ROLE_RE = re.compile(
    rf"(?P<name>{_NAME}),\s+(?:(?:the|a|an)\s+)?(?:[\w-]+\s+){{0,2}}?(?:\w+-)?{_ROLE_I}\s+"
    rf"(?:of|at|with|for)\s+[^,“”\"«»\n]{{0,80}}$"
)


def _name_before_its_role(text: str, before: int) -> tuple[int, str] | None:
    """The person whose role and affiliation run up to ``before`` ("Jane Doe, an analyst with
    Kidder Peabody and |Co"): (start, name), or None."""
    match = _NAME_BEFORE_ROLE_RE.search(text, max(0, before - 160), before)
    if match is None:
        return None
    return _leading_name(text, match.end("name") + 2)


_NOT_A_NAME_START = _words(
    "like unlike besides beside including as with without for from to in on at by after before "
    "since unless until when while if dear thanks"
)


def _leading_name(text: str, before: int) -> tuple[int, str] | None:
    """The person's name that a comma separates from ``before`` (where a descriptor starts):
    (start, name), or None."""
    lo = max(0, before - 80)
    match = _LEADING_NAME_RE.search(text, lo, before)
    if match is None or match.group("name").split()[0].lower() in _NOT_A_NAME_START:
        return None  # "Like Jane Doe, an analyst …"
    # the name starts its sentence or clause ("After meeting John Smith, the minister …" is not)
    if text[: match.start("name")].rstrip()[-1:] not in ("", ".", "\n", '"', "”", ",", ";"):
        return None
    return _personal_name(match)


def _named(subject: _Subject, named: tuple[int, str]) -> _Subject:
    """``subject`` as the name an appositive gives it, (start, name); the words the cue printed
    stay its words."""
    start, name = named
    return _Subject("name", name, start, start + len(name), subject.words)


# "the head of another foreign bank", "the manager for one of the oil companies": a definite
# descriptor whose role is of someone indefinite describes someone not met before
_OF_SOMEONE_INDEFINITE_RE = re.compile(
    rf"{_ROLE_I}s?\s+(?:for|of|at|with|to)\s+(?:an?|one|another)\s", re.IGNORECASE
)


_ROLE_OF_RE = re.compile(rf"{_ROLE_I}s?\s+(?:for|of|at|with|to|in)\s", re.IGNORECASE)
_RELATIVE_RE = re.compile(r"(?:who|whom|whose|which|that)\s", re.IGNORECASE)


def _only_role_words(name: str) -> bool:
    return all(word.lower() in _ROLE_WORDS for word in name.split())


def _introduces_someone(descriptor: str) -> bool:
    """Whether a descriptor introduces an unnamed speaker rather than referring back to one."""
    return (
        descriptor.split()[0].lower() in _INDEFINITE
        or _OF_SOMEONE_INDEFINITE_RE.search(descriptor) is not None
    )


def _appositive_name(text: str, after: int, limit: int) -> tuple[int, str] | None:
    """The name an appositive right after ``after`` gives (", NAME," before the verb): (start,
    name), or None. The name is the appositive's head: it ends the appositive ("Ohio State
    professor Carl Leier") or its affiliation follows ("Carl Leier of Ohio State"); a name
    inside a clause ("reacting to British press reports") names someone or something else."""
    match = _APPOSITIVE_RE.match(text, after, limit)
    if match is None or _RELATIVE_RE.match(match.group("words")):
        return None  # ", who is opposed to the plan," is a clause about the descriptor
    words_end = match.end("words")
    ending = affiliated = None
    for name in _NAME_RE.finditer(text, match.start("words"), words_end):
        trimmed = _trim_name(name.group())
        if trimmed is None:
            continue
        rel, printed = trimmed
        _titles, offset, proper = _split_titles(printed)
        if not proper[:1].isupper() or proper.split()[-1].lower() in _ROLE_WORDS:
            continue  # "Ohio State University Professor (of Medicine …)" is no name
        found = (name.start() + rel + offset, proper)
        rest = text[name.end() : words_end]
        if not rest.strip():
            before = _word_before(text, name.start())
            if before not in _PREPOSITIONS or _is_role_of(text, name.start()):
                # not a preposition's object ("speaking from Frankfurt"), unless it follows a
                # role ("Professor of Medicine Carl Leier")
                ending = found
        elif affiliated is None and _AFFILIATION_AFTER_RE.match(rest) is not None:
            affiliated = found
    return ending or affiliated


# ---- names
def _trim_name(name: str) -> tuple[int, str] | None:
    """Drop leading non-name capitalised words and a possessive: (offset, name) or None."""
    words = name.split()
    offset = 0
    while words and words[0].lower().rstrip(".") in _CAP_STOP:
        offset = name.index(words[1], offset + len(words[0])) if len(words) > 1 else len(name)
        words = words[1:]
    if not words:
        return None
    core = name[offset:]
    for suffix in ("’s", "'s", "’", "'"):
        if core.endswith(suffix):
            core = core[: -len(suffix)]
            break
    return (offset, core) if core else None


def _strip_titles(name: str) -> str:
    return _split_titles(name)[2]


def _split_titles(name: str) -> tuple[list[str], int, str]:
    """(title words, offset of the name proper, the name proper as printed) — the name keeps
    its own spacing, so it is always a substring of the text."""
    parts = name.split()  # the same words as \S+ below
    if (
        parts
        and parts[0] == name[: len(parts[0])]
        and _TITLES.isdisjoint(w.lower().rstrip(".") for w in parts[:-1])
        and (len(parts) < 3 or parts[0].lower() not in _ROLE_WORDS)
    ):
        return [], 0, name  # no title (most names): nothing to cut
    words = list(_NON_SPACE_RE.finditer(name))
    last_title = -1
    for i, word in enumerate(words[:-1]):
        lower = word.group().lower().rstrip(".")
        # A role word leading a person's name is a title too ("Chief Economist Dana Ruiz"),
        # not one leading an organisation's ("Student Loan Marketing Association") nor the
        # first of two words, which may be a name ("Dean Smith").
        if lower in _TITLES or (
            lower in _ROLE_WORDS
            and last_title == i - 1
            and _looks_personal(name[words[i + 1].start() :])
        ):
            last_title = i
    offset = words[last_title + 1].start() if words else 0
    return [w.group() for w in words[: last_title + 1]], offset, name[offset:]


def _ends_with(printed: str, token: str) -> bool:
    """Whether a person's name as printed ends with the key token ``token`` ("Royce
    Wisenbaker"; not "Fleet", nor "Rhode Island-based Fleet")."""
    words = printed.split()
    return (
        len(words) > 1
        and all(_PLAIN_NAME_WORD_RE.fullmatch(w) for w in words)
        and words[-1].casefold() == token
        and _looks_personal(printed)
    )


_PLAIN_NAME_WORD_RE = re.compile(r"[A-Z][a-zA-Z'’]+|(?:[A-Z]\.)+")  # "O'Neil", "H.W."


def _key_tokens(name: str) -> set[str]:
    return {w.casefold() for w in _WORD_RE.findall(name)}


def _names(text: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
    """``_NAME_RE.finditer(text, lo, hi)``, faster: every name starts with an upper-case letter,
    so only those positions are tried (the regex alone tries every position, ~2.5× slower)."""
    end = lo
    match_name = _NAME_RE.match
    for upper in _UP_RE.finditer(text, lo, hi):
        at = upper.start()
        if at < end:
            continue  # inside the name just found
        found = match_name(text, at, hi)
        if found is not None:
            yield found
            end = found.end()


# "Org's Surname": an owner with a possessive, then one capitalised word that ends the name.
_OWNED_SURNAME_RE = re.compile(r"\S['’]s\s+([A-Z][\w.-]*)$")
# One word after a possessive that is a company's or a paper's name, not a person's surname
# ("Moody's Corp", "Hudson's Bay", "People's Daily").
_NOT_SURNAMES = _words(
    """
    corp corporation inc co cos ltd plc llc ag sa nv group bank bay daily times post journal
    news board office party government ministry agency company holdings trust fund
    """
)

# A month or a day alone is no one ("… in the year to June, the chairman of the board said" is
# not June being the chairman); "May" may be a surname, and stays a name.
_CALENDAR = _words(
    """
    January February March April June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    """
)

_ParsedMention = tuple[int, int, str, set[str], set[str], bool]


@functools.lru_cache(maxsize=16384)
def _parse_mention(matched: str) -> _ParsedMention | None:
    """What a name match says on its own: (leading words trimmed, offset of the name proper,
    the name as printed, its key tokens, its titles as intro words, possessive), or None when
    it is no name. Memoised: the same capitalised words recur within and across articles. The
    sets are shared between calls, so callers never change them."""
    trimmed = _trim_name(matched)
    if trimmed is None:
        return None
    rel, name = trimmed
    titles, offset, printed = _split_titles(name)
    if printed.lower() in _CAP_STOP or printed in _CALENDAR or not _WORD_RE.search(printed):
        return None
    intro = {w.casefold().rstrip(".") for w in titles}
    possessive = name.endswith(("’s", "'s"))
    owned = _OWNED_SURNAME_RE.search(printed)
    if owned is not None and owned.group(1).casefold().rstrip(".") not in _NOT_SURNAMES:
        # "Barclays de Zoete's May", "Capel's Murtha": the surname of someone introduced before
        # ("Barclays de Zoete Wedd analyst Rick May"), the owner being where they work.
        intro = intro | _key_tokens(printed[: owned.start() + 1])
        offset += owned.start(1)
        printed = owned.group(1)
    return rel, rel + offset, printed, _key_tokens(printed), intro, possessive


class _People:
    """Named mentions in the text, grouped into entities, with what marks them as people."""

    def __init__(
        self,
        text: str,
        windows: list[tuple[int, int]] | None = None,
        paragraph_starts: list[int] | None = None,
    ) -> None:
        self.text = text
        self.paragraph_starts = paragraph_starts or [0]
        self.mentions: list[_Mention] = []
        self.starts: list[int] = []  # mention starts, for bisect
        self._by_token: dict[str, list[_Entity]] = {}
        for lo, hi in windows if windows is not None else [(0, len(text))]:
            for match in _names(text, lo, hi):
                self._add_mention(match)

    def _entity_for(self, tokens: set[str]) -> _Entity:
        """The most recently seen entity this name is part of (or extends), else a new one. A
        lone word is first the surname of someone ("Wisenbaker" is Royce Wisenbaker, not the
        Wisenbaker Production Co named since)."""
        best: _Entity | None = None
        best_key = (False, -1)
        for token in tokens:
            for entity in self._by_token.get(token, ()):
                if tokens <= entity.tokens or entity.tokens <= tokens:
                    key = (len(tokens) == 1 and _ends_with(entity.printed, token), entity.last_seen)
                    if best is None or key > best_key:
                        best, best_key = entity, key
        if best is None:
            best = _Entity(set(tokens))
        for token in tokens:
            entities = self._by_token.setdefault(token, [])
            if best not in entities:  # identity: entities compare by identity
                entities.append(best)
        best.tokens |= tokens
        return best

    def _append(self, mention: _Mention) -> None:
        index = bisect.bisect_right(self.starts, mention.start)
        self.starts.insert(index, mention.start)
        self.mentions.insert(index, mention)
        entity = mention.entity
        entity.last_seen = max(entity.last_seen, mention.start)
        entity.mentions.append(mention)
        if not mention.read:
            entity.complete = False
        if len(mention.printed) > len(entity.printed):
            entity.printed = mention.printed

    def _add_mention(self, match: re.Match[str]) -> None:
        parsed = _parse_mention(match.group())
        if parsed is None:
            return
        rel, offset, printed, tokens, intro, possessive = parsed
        if tokens <= _NAME_JOINERS:
            return  # "Of the January total, …": a word that only joins a name is no name
        start = match.start() + offset
        end = start + len(printed)
        entity = self._entity_for(tokens)
        if intro:  # the name came with titles
            entity.person = True
        self._learn(entity, intro)
        mention = _Mention(start, end, printed, entity)
        mention.match_start, mention.match_end, mention.trimmed = match.start(), match.end(), rel
        mention.possessive, mention.read = possessive, False
        self._append(mention)

    @staticmethod
    def _learn(entity: _Entity, intro: set[str]) -> None:
        entity.intro |= intro
        for word in intro:
            if entity.gender is None and word in _FEMALE:
                entity.gender = "f"
            elif entity.gender is None and word in _MALE:
                entity.gender = "m"

    def complete(self, entity: _Entity) -> None:
        """Read every mention of ``entity`` in full (roles around it, whether it is a subject),
        then infer its gender. Done only for the entities a cue's resolution or the output looks
        at: most names of a long article never need it."""
        if entity.complete:
            return
        entity.complete = True
        for mention in list(entity.mentions):
            if not mention.read:
                self._read(mention)
        self._infer_gender(entity)

    def _read(self, mention: _Mention) -> None:
        mention.read = True
        entity, text = mention.entity, self.text
        intro: set[str] = set()
        after = mention.match_end
        affiliation = _AFFILIATION_AFTER_RE.match(text, after)
        if affiliation is not None:  # "David Healy of Drexel Burnham Lambert Inc"
            intro |= _key_tokens(affiliation.group("words"))
            after = affiliation.end()
            if _looks_personal(mention.printed) and _COMMA_THEN_VERB_RE.match(text, after):
                after += 1  # "X of Smith Barney and Co, said": the wire's comma
            if _looks_personal(mention.printed):
                entity.person = True  # news introduces a person so: first, last, where
        name_end = after  # the name and its affiliation act together
        for _ in range(2):  # "Rep. Edward Markey, D-Mass, the chairman of the subcommittee,"
            appositive = _APPOSITIVE_ROLE_RE.match(text, after, after + 160)
            if appositive is None:
                break
            words_after = _role_phrase(appositive.group("words"))
            if words_after & _ROLE_WORDS:
                intro |= words_after
                entity.person = True
                break
            after = appositive.end("words")
        preceding = None
        before = _word_before(text, mention.match_start)
        if mention.trimmed == 0 and before in _ROLE_WORDS:  # cheap test first
            window = max(0, mention.match_start - 80)
            preceding = _PRECEDING_ROLE_RE.search(text, window, mention.match_start)
        if preceding is not None:
            intro |= _key_tokens(preceding.group("words"))
            entity.person = True
        self._learn(entity, intro)
        next_word = _AFTER_NAME_RE.match(text, name_end)
        if text[max(0, mention.match_start - 2) : mention.match_start] == ", ":
            # "The Governor of the Bank of England, Robin Leigh-Pemberton, repeated …": a name in
            # apposition to the role that opens the sentence is its subject
            apposed = _APPOSED_VERB_RE.match(text, mention.match_end)
            role = _ROLE_BEFORE_APPOSITION_RE.search(
                text, max(0, mention.match_start - 80), mention.match_start
            )
            if apposed is not None and role is not None:
                next_word = apposed
                intro |= _key_tokens(role.group("words"))
                entity.person = True
                self._learn(entity, intro)
        # "against LDP members", "Bergstresser of the University of Texas told"
        object_of = (
            before in _PREPOSITIONS
            or (
                before in _DETERMINER_WORDS
                and _word_before(text, _start_of_word_before(text, mention.match_start))
                in _PREPOSITIONS
            )
            or (before in ("and", "&") and self._after_an_object(mention))
        )
        if next_word is not None and not mention.possessive and not object_of:
            verb = next_word.group("verb").lower()
            mention.subject = mention.subject or (
                verb in SPEECH_VERBS
                or verb in _VERBISH
                or verb.endswith("ed")
                or (verb.endswith("s") and not verb.endswith("ss") and len(verb) > 3)
                or (next_word.start("verb") > mention.match_end + 1 and verb in _IRREGULAR_PAST)
            )
            if verb in SPEECH_VERBS and len(mention.printed.split()) > 1:
                entity.person = True

    def _after_an_object(self, mention: _Mention) -> bool:
        """Whether the name before "and" right before ``mention`` is a preposition's object
        ("of Boston University's Energy and Environment Policy Center": one organisation), and
        ``mention`` holds no role or title ("… of Management and Budget Director James Miller"
        names a person)."""
        if any(w.lower().rstrip(".") in _ROLE_OR_TITLE for w in mention.printed.split()):
            return False
        i = bisect.bisect_left(self.starts, mention.start) - 1
        if i < 0:
            return False
        previous = self.mentions[i]
        if previous.match_start < 0:
            return False
        between = self.text[previous.match_end : mention.match_start].split()
        return between in (["and"], ["&"]) and (
            _word_before(self.text, previous.match_start) in _PREPOSITIONS
        )

    def _infer_gender(self, entity: _Entity) -> None:
        """A person's first he/his/she/hers in the sentence after they act, if no one else is
        named in between."""
        if not entity.person:
            return
        for mention in entity.mentions:
            if entity.gender is not None:
                return
            if not mention.subject:
                continue
            i = bisect.bisect_right(self.starts, mention.start)
            stop = self.starts[i] if i < len(self.starts) else len(self.text)
            window_end = min(stop, mention.end + 200)
            sentence_end = self.text.find(". ", mention.end, window_end)
            window_end = sentence_end if sentence_end != -1 else window_end
            pronoun = _GENDER_PRONOUN_RE.search(self.text, mention.end, window_end)
            if pronoun is not None:
                entity.gender = "f" if pronoun.group().lower() in _FEMALE else "m"

    def mark_quoted(self, spans: list[tuple[int, int]]) -> None:
        starts = [s for s, _ in spans]
        for mention in self.mentions:
            i = bisect.bisect_right(starts, mention.start) - 1
            if i >= 0 and mention.start < spans[i][1]:
                mention.quoted = True

    def note_speaker(self, start: int, end: int, printed: str) -> _Mention:
        """A cue names this person: mark it a person and a speaker."""
        i = max(0, bisect.bisect_right(self.starts, start) - 1)
        while i < len(self.mentions) and self.mentions[i].start < end:
            mention = self.mentions[i]
            if mention.start <= start < mention.end or start <= mention.start:
                self.complete(mention.entity)
                mention.speaker = True
                mention.entity.person = True
                if (mention.start, mention.end) != (start, end) and printed in mention.printed:
                    # "… Trade and Industry Hajime Tamura": the cue knows where the name starts
                    mention.start, mention.end, mention.printed = start, end, printed
                    if mention.entity.printed.endswith(printed):
                        mention.entity.printed = printed
                return mention
            i += 1
        entity = self._entity_for(_key_tokens(printed))
        entity.person = True
        mention = _Mention(start, end, printed, entity, speaker=True)
        self._append(mention)
        self.complete(entity)
        return mention

    def first_person_after(self, at: int, reach: int, most: int) -> _Mention | None:
        """The first mention of a person after ``at`` (within ``reach`` characters and the
        ``most`` names after it), inside a quotation or not, or of a name that looks like a
        person's; None when there is none."""
        i = bisect.bisect_left(self.starts, at)
        for mention in self.mentions[i : i + most]:
            if mention.start > at + reach:
                break
            self.complete(mention.entity)
            if mention.entity.person or _looks_personal(mention.entity.printed):
                return mention  # ("Sumner Redstone" names a person, though he never speaks)
        return None

    def organisation(self, at: int, head: str) -> _Mention | None:
        """The latest mention before ``at`` of the one organisation that fits ``head``
        ("company": a name ending in Co, Inc, Group …; "council": a name holding "Council";
        "": any organisation's name), within ``_ORGANISATION_REACH`` characters and the
        ``_ORGANISATION_MENTIONS`` names before; None when none fits or two do."""
        latest: _Mention | None = None
        i = bisect.bisect_left(self.starts, at) - 1
        for mention in self.mentions[max(0, i - _ORGANISATION_MENTIONS + 1) : i + 1][::-1]:
            if mention.start < at - _ORGANISATION_REACH:
                break
            entity = mention.entity
            if mention.quoted or mention.end > at or not entity.named:
                continue
            if not _fits_organisation(head, entity.printed):
                continue
            if latest is not None and latest.entity is not entity:
                return None
            latest = latest or mention
        return latest

    def reads_as_person(self, printed: str) -> bool:
        """Whether the name ``printed`` (as a cue prints it) is a person's: a name of the
        article's that is a person, or whose longest form looks like a person's name ("Calloway"
        after "Ines Calloway"), and no organisation's ("Harlow Industries Inc")."""
        tokens = _key_tokens(printed)
        if not tokens:
            return False
        candidates = [
            entity
            for entity in self._by_token.get(next(iter(tokens)), ())
            if tokens <= entity.tokens
        ]
        if not candidates:
            return _looks_personal(printed)
        entity = max(candidates, key=lambda e: e.last_seen)
        self.complete(entity)
        if _is_organisation(entity.printed):
            return False
        return entity.person or _looks_personal(entity.printed)

    def note_unnamed(self, start: int, end: int, words: str, *, group: bool = False) -> _Mention:
        """A cue with an indefinite descriptor ("a Benetton spokeswoman said"): someone unnamed,
        whom a later "the spokeswoman said" or "she said" refers to. ``group``: the words are a
        capitalised plural ("Officials"), which has no determiner to drop."""
        # (no "a"; one space between words, where a ticker was blanked: "Hitachi Ltd <HIT.T>")
        phrase = " ".join(words.split()[1:] if " " in words and not group else words.split())
        if phrase.lower().startswith("of ") and not group:
            phrase = words  # "one of his closest aides"
        existing = self._by_description(phrase, self._people_before(start), unnamed_only=True)
        another = words.split()[0].lower() == "another"  # "another dealer": not the one before
        if (
            existing is not None
            and not another
            and existing.entity.printed.casefold() == phrase.casefold()
        ):
            entity = existing.entity
        else:
            entity = _Entity(set(), intro=_key_tokens(phrase), person=True, named=False)
            entity.gender = _gender_of(entity.intro)
            entity.group = group
        mention = _Mention(start, end, phrase, entity, subject=True, speaker=True)
        self._append(mention)
        return mention

    def _people_before(self, at: int) -> Iterator[_Mention]:
        """Up to the last ``_LOOKBACK`` usable person mentions before ``at``, latest first.
        Lazily: a pronoun mostly takes the first, and reading (completing) the hundreds before
        it for every pronoun made a long article quadratic up to the bound."""
        found = 0
        i = bisect.bisect_left(self.starts, at) - 1
        stop = max(-1, i - 4 * _LOOKBACK)  # bounded, however few of the names are people
        while i > stop and found < _LOOKBACK:
            mention = self.mentions[i]
            self.complete(mention.entity)
            if mention.end <= at and mention.entity.person and not mention.quoted:
                found += 1
                yield mention
            i -= 1

    def resolve(
        self, kind: str, words: str, at: int, span: tuple[int, int] | None = None
    ) -> _Mention | None:
        """The person a pronoun or descriptor before ``at`` refers to; the words at ``span``
        (the pronoun or descriptor) then mention that person, for the cues after them."""
        found = self._resolve(kind, words, at)
        if (
            found is not None
            and kind == "desc"
            and span is not None
            and _qualifiers_clash(words, found.entity)
        ):
            # "the Hong Kong trader" after "a Japanese trader": someone new, unnamed
            return self.note_unnamed(span[0], span[1], words)
        if found is not None and kind == "desc":
            # "the minister said" about Sheikh Ali: he is a minister (first mention, then role)
            found.entity.intro |= _key_tokens(words) - _DETERMINER_WORDS
        if found is not None and span is not None and _chains(kind, words, found.entity):
            again = _Mention(span[0], span[1], found.printed, found.entity, True, True)
            again.match_start, again.match_end = span
            self._append(again)
        return found

    def _resolve(self, kind: str, words: str, at: int) -> _Mention | None:
        before: Iterable[_Mention] = self._people_before(at)
        if kind == "desc":
            before = list(before)
            named = self._by_description(words, before)
            if named is not None:
                return named
            gender = _gender_of(_key_tokens(words))
        else:
            gender = _gender_of({words.lower()})
        found = self._latest_actor(before, kind, words, gender)
        if kind == "pron" and words.lower() in _SINGULAR_PRONOUNS:
            reach = self._reach_start(at)
            agrees = found is not None and gender is not None and found.entity.gender == gender
            if found is None or (found.start < reach and not agrees):
                # nobody known to speak in the paragraph or the one before: the one person
                # there who acts ("Ines Calloway leads the council."), if there is one
                found = self._lone_person(at, reach, gender) or found
        if found is not None and gender is not None:
            found.entity.gender = gender  # "she said" about Merkel: Merkel is a she
        return found

    @staticmethod
    def _latest_actor(
        before: Iterable[_Mention], kind: str, words: str, gender: str | None
    ) -> _Mention | None:
        """The latest person before who spoke or was the subject of a verb, of the pronoun's
        gender where both are known."""
        for mention in before:
            if not (mention.subject or mention.speaker):
                continue
            if gender is not None and mention.entity.gender not in (None, gender):
                continue
            if kind == "pron" and words.lower() != "they" and _is_group(mention):
                continue  # "the Commerce Department noted …", "Analysts said …": not a "he"
            return mention
        return None

    def _irregular_past_after(self, mention: _Mention) -> bool:
        """Whether an irregular past follows the name right away ("Dean Kleckner made …"; not
        counted as a verb for ``subject``, where a capitalised word may run on into one)."""
        if mention.match_end < 0:
            return False
        word = _LETTERS_RE.match(self.text, mention.match_end + 1)
        return (
            self.text[mention.match_end : mention.match_end + 1] == " "
            and word is not None
            and word.group() in _IRREGULAR_PAST
        )

    def _reach_start(self, at: int) -> int:
        """Where the paragraph before the one holding ``at`` starts (no further than
        ``_LONE_REACH`` characters back)."""
        i = bisect.bisect_right(self.paragraph_starts, at) - 1
        start = self.paragraph_starts[max(0, i - 1)] if i >= 0 else 0
        return max(start, at - _LONE_REACH)

    def _lone_person(self, at: int, reach: int, gender: str | None) -> _Mention | None:
        """The latest acting mention of the only person between ``reach`` and ``at``: someone
        known to be a person, or a name that looks personal and is the subject of a verb ("Ines
        Calloway leads …"). None when two compete, when that person only appears in passing, or
        is of the other gender. Reads at most ``_LONE_MENTIONS`` names."""
        lone: _Entity | None = None
        chosen: _Mention | None = None
        i = bisect.bisect_left(self.starts, at) - 1
        for _ in range(_LONE_MENTIONS):
            if i < 0 or self.mentions[i].start < reach:
                break
            mention = self.mentions[i]
            i -= 1
            if mention.end > at or mention.quoted:
                continue
            self.complete(mention.entity)
            entity = mention.entity
            if _is_group(mention) or (entity.named and _is_organisation(entity.printed)):
                continue  # "Analysts", "OPEC", "Shin-Etsu Chemical Co Ltd": never a "he"
            acts = not mention.possessive and (
                mention.subject or mention.speaker or self._irregular_past_after(mention)
            )
            new = acts and entity.named and _looks_personal(entity.printed)
            if not (entity.person or new):
                continue
            if lone is not None and lone is not entity:
                return None  # two people in reach: no guess
            lone = entity
            # a person named only in passing ("the Pickens rumor", "with Smith") competes, but
            # is not chosen; a known person's name that acts or heads its clause is
            passing = mention.possessive or (
                _word_before(self.text, mention.match_start) in _PASSING_BEFORE
            )
            if chosen is None and (acts or (entity.person and not passing)):
                chosen = mention
        else:
            return None  # more names in reach than are read: too many to be sure of one
        if (
            lone is None
            or chosen is None
            or (gender is not None and lone.gender not in (None, gender))
        ):
            return None
        lone.person = True  # the "she" the article gives her
        return chosen

    def _by_description(
        self, words: str, latest_first: Iterable[_Mention], *, unnamed_only: bool = False
    ) -> _Mention | None:
        described = _key_tokens(words) - {"the", "his", "her", "their"}
        best_score, best = 0, None
        for mention in latest_first:  # the latest mention wins a tie
            if unnamed_only and mention.entity.named:
                continue
            intro = mention.entity.intro
            score = 2 * len((described - _ROLE_WORDS) & intro)
            if described & _ROLE_WORDS & intro:
                score += 2
            elif described & _LEADER_ROLES and intro & _LEADER_ROLES:
                score += 1
            if score > best_score:
                best_score, best = score, mention
        return best


_ROLE_PHRASE_WORDS = 12


def _qualifiers_clash(words: str, entity: _Entity) -> bool:
    """Whether a definite descriptor ("the Hong Kong trader") and an unnamed person ("Japanese
    trader") share their role but not one capitalised word that qualifies it (a place, an
    organisation): two people. With the same qualifier or none ("the trader", "the senior
    trader") they may be one. A named person's words are of too many kinds (where they work,
    where they live) to clash."""
    if entity.named or entity.group:
        return False
    described, own = words.split()[1:], entity.printed.split()
    heads = [w.lower() for w in (described[-1:] + own[-1:])]
    if len(heads) != 2 or heads[0] != heads[1] or heads[0] not in _ROLE_WORDS:
        return False
    qualifiers = _capitalised_qualifiers(described)
    others = _capitalised_qualifiers(own)
    return bool(qualifiers) and bool(others) and qualifiers.isdisjoint(others)


def _capitalised_qualifiers(words: list[str]) -> set[str]:
    return {w.casefold() for w in words[:-1] if w[:1].isupper() and w.lower() not in _ROLE_WORDS}


def _chains(kind: str, words: str, entity: _Entity) -> bool:
    """Whether a resolved cue mentions its person for the cues after it: a singular descriptor,
    "he" or "she" ("they" and "the officials" are as often a group as the one before), resolved
    to someone who looks like a person (a place or a company taken for one should not
    spread)."""
    if kind == "pron" and words.lower() not in _SINGULAR_PRONOUNS:
        return False
    if kind == "desc" and _is_plural_descriptor(words):
        return False
    if not entity.named:
        return True
    return _looks_personal(entity.printed) or bool(entity.intro & _ROLE_WORDS)


_SINGULAR_PRONOUNS = _words("he she он она")


def _plural(noun: str) -> str:
    if noun.endswith("man"):
        return noun[:-3] + "men"  # "spokesmen", "chairmen"
    return noun + ("es" if noun.endswith(("s", "sh", "ch", "x")) else "s")


# "officials", "analysts", "spokesmen", "witnesses": a plural person noun
_PLURAL_ROLES = frozenset(_plural(w) for w in _ROLE_WORDS) | (_ROLE_WORDS & _words("sources"))


def _names_a_group(name: str) -> bool:
    """Whether a capitalised "name" is one plural person noun ("Officials", "Analysts"): a
    group the sentence opens with, no one's name. (Not one of several words, nor after a role
    word: "Metal Traders", "General Partners" are companies.)"""
    return name.lower() in _PLURAL_ROLES


def _is_plural_descriptor(words: str) -> bool:
    """Whether the role a descriptor ends on is plural ("the banking sources", "the officials")."""
    for word in reversed(words.lower().split()):
        if word.endswith("s") and word[:-1] in _ROLE_WORDS:
            return True
        if word in _ROLE_WORDS:
            return False
    return False


def _role_phrase(words: str) -> set[str]:
    """The words of an appositive up to its verb, if it runs into one (", the chairman of the
    committee said at the start of a hearing" → chairman, committee)."""
    out: set[str] = set()
    for n, word in enumerate(_WORD_RE.findall(words)):
        low = word.casefold()
        if n >= _ROLE_PHRASE_WORDS or low in SPEECH_VERBS or low in _VERBISH:
            break
        out.add(low)
    return out


# Last words of an organisation's name: a "he" or "she" never refers to it.
_ORGANISATION_WORDS = _words(
    """
    department ministry agency bank corp corporation inc co cos ltd plc llc company government
    association council committee board union office exchange commission bureau institute
    group reserve fund party court administration authority federation securities motors
    airlines industries systems communications holdings technologies spa gmbh ag nv bv l.p lp
    """
)


def _looks_personal(printed: str) -> bool:
    """A name of two or more words none of which names a role or an institution ("Philip
    Fricke", not "Ohio State University Professor")."""
    words = [w.lower().rstrip(".") for w in printed.split()]
    return len(words) > 1 and not any(
        w in _ROLE_WORDS or w in _ORGANISATION_WORDS or w in _INSTITUTION_WORDS for w in words
    )


_ORGANISATION_REACH = 2500  # characters before "the company said" its name may stand
_ORGANISATION_MENTIONS = 60
# Last words of a company's name ("the company", "the firm")
_COMPANY_ENDINGS = _words(
    """
    co cos corp corporation company inc ltd plc llc group ag sa nv holdings industries motors
    airlines securities
    """
)
# Places and unions of states: never "the bank" or "the union" of a later cue
_NOT_INSTITUTIONS = frozenset({"West Bank", "Soviet Union", "European Union"})


def _fits_organisation(head: str, printed: str) -> bool:
    """Whether the name ``printed`` is of the organisation "the ``head``" refers to."""
    words = printed.split()
    last = words[-1].lower().rstrip(".") if words else ""
    if head in ("company", "firm"):
        return last in _COMPANY_ENDINGS
    if printed in _NOT_INSTITUTIONS:
        return False
    if not head:
        return (
            last in _COMPANY_ENDINGS
            or last in _ORGANISATION_WORDS
            or (not _INSTITUTION_HEADS.isdisjoint(words))
        )
    return head.capitalize() in words


_INSTITUTION_WORDS = _words(
    "university college school state states national international kingdom nations republic"
)


def _is_group(mention: _Mention) -> bool:
    """An organisation or a plural ("Analysts", "Democrats"): never a "he" or a "she"."""
    words = mention.printed.split()
    if not words:
        return False
    last = words[-1].lower().rstrip(".")
    plural = last.endswith("s") and (last in _ROLE_WORDS or last[:-1] in _ROLE_WORDS)
    plural = plural or last in _GROUP_WORDS
    # (the name as printed here, or its longest form: "Midland" of "Midland Bank Plc")
    return plural or (
        mention.entity.named
        and (_is_organisation(mention.printed) or _is_organisation(mention.entity.printed))
    )


_GROUP_WORDS = _words("democrats republicans conservatives liberals members people")


def _is_organisation(printed: str) -> bool:
    words = printed.split()
    if len(words) == 1 and 2 <= len(words[0]) <= 5 and words[0].isupper():
        return True  # "GM", "NAWG": initials
    return bool(words) and words[-1].lower().rstrip(".") in _ORGANISATION_WORDS


def _is_role_of(text: str, at: int) -> bool:
    """Whether the words before ``at`` end with a role and a preposition ("Professor of")."""
    words = text[max(0, at - 40) : at].split()
    return len(words) >= 2 and words[-2].lower().rstrip(",") in _ROLE_WORDS


def _start_of_word_before(text: str, at: int) -> int:
    """Where the word before ``at`` starts ("the" in "of the|University"), after one space."""
    return text.rfind(" ", 0, at - 1) + 1


def _word_before(text: str, at: int) -> str:
    words = text[max(0, at - 30) : at].split()
    return words[-1].lower().rstrip(",") if words else ""


def _gender_of(words: set[str]) -> str | None:
    if words & _FEMALE or words & {"she", "она"}:
        return "f"
    if words & _MALE or words & {"he", "он"}:
        return "m"
    return None


# ---- 4. sharing speakers
def _is_short_phrase(text: str, raw: _Raw) -> bool:
    """At most four words and not a sentence of its own: “historic”, not “We are ready.”"""
    inner = text[raw.start + 1 : raw.end - 1 if raw.closed else raw.end].rstrip()
    sentence = bool(inner) and inner[-1] in ".?!…"
    return len(inner.split()) <= _SHORT_PHRASE_WORDS and not sentence


def _attributed(raw: _Raw) -> bool:
    return raw.speaker is not None or raw.entity is not None


def _inherit_from_statements(raws: list[_Raw], statements: list[_Raw]) -> None:
    """A quotation with no cue of its own inside a sentence of reported speech is the reported
    speaker's words ("Ortner said he thought the dollar was "fairly priced" …")."""
    starts = [st.start for st in statements]
    for raw in raws:
        if raw.entity is not None or raw.cue != (-1, -1):
            continue
        i = bisect.bisect_right(starts, raw.start) - 1
        if i < 0 or raw.end > statements[i].end or statements[i].entity is None:
            continue
        cue_start, cue_end = statements[i].cue
        if cue_end > raw.start and cue_start < raw.end:
            continue  # the cue is inside the quotation: the quotation's own words
        raw.speaker, raw.entity, raw.cue = (
            statements[i].speaker,
            statements[i].entity,
            (cue_start, cue_end),
        )


def _share_within_chains(raws: list[_Raw]) -> None:
    by_chain: dict[int, list[_Raw]] = {}
    for raw in raws:
        by_chain.setdefault(raw.chain, []).append(raw)
    for links in by_chain.values():
        if len(links) < 2:
            continue
        source = next((r for r in links if _attributed(r)), None)
        if source is None:
            continue
        for raw in links:
            if not _attributed(raw) and raw.cue == (-1, -1):
                raw.speaker, raw.entity, raw.cue = source.speaker, source.entity, source.cue


def _continue_within_paragraphs(text: str, raws: list[_Raw]) -> None:
    previous: _Raw | None = None
    for raw in raws:
        if previous is not None and previous.paragraph != raw.paragraph:
            previous = None
        unattributed = raw.cue == (-1, -1) and not _attributed(raw)
        if unattributed and previous is not None and not _is_short_phrase(text, raw):
            raw.speaker, raw.entity = previous.speaker, previous.entity
        if _attributed(raw):
            previous = raw


def _continue_from_context(
    text: str, raws: list[_Raw], statements: list[_Raw], paragraphs: list[tuple[int, int]]
) -> None:
    """A quotation with no cue of its own continues the speech just before it: "…, he warned.
    “The debt problem is not solved.”", or a paragraph of quotation after the paragraph where
    the speaker was last quoted or reported (newswire runs a speaker over several paragraphs)."""
    events = sorted(
        [r for r in raws if _attributed(r)] + [s for s in statements if _attributed(s)],
        key=lambda r: r.start,
    )
    starts = [e.start for e in events]
    for raw in raws:
        if _attributed(raw) or raw.cue != (-1, -1) or _is_short_phrase(text, raw):
            continue
        i = bisect.bisect_left(starts, raw.start) - 1
        if i < 0:
            continue
        before = events[i]  # the latest before it: nothing in its paragraph comes between
        if before.paragraph in (raw.paragraph, raw.paragraph - 1):
            raw.speaker, raw.entity = before.speaker, before.entity


# ---- 5. reported speech
_REPORTED_MIN_WORDS = 4
# Verbs that report speech in a sentence of the reporter's (a stricter set than the cues of
# quotations: "Phillips will emphasize cash flow" reports nothing).
_REPORTING_VERBS = _words(
    """
    said says told tells added adds warned warns stated states noted notes explained explains
    insisted insists argued argues claimed claims confirmed confirms announced announces
    declared declares predicted predicts acknowledged acknowledges admitted admits conceded
    concedes suggested suggests replied replies responded responds complained complains
    contended contends maintained maintains reiterated reiterates stressed stresses asserted
    asserts urged urges promised promises pledged pledges vowed vows denied denies estimated
    estimates forecast forecasts recalled recalls emphasised emphasized observed commented
    """
)
_MODALS = _words("will would to may might can could should must shall not never")


def _reported_speech(
    text: str,
    sentences: list[tuple[int, int]],
    paragraphs: list[tuple[int, int]],
    raws: list[_Raw],
    people: _People,
    all_verbs: list[re.Match[str]],
    role_only: list[tuple[_Raw, str]],
) -> list[_Raw]:
    """Sentences that report what someone said without quoting it: "X told investors that …",
    "…, X said.", "According to X, …". Each is a statement over the whole sentence, with its cue
    and speaker; sentences that are the cue of a direct quotation are not."""
    cues = sorted(r.cue for r in raws if r.cue != (-1, -1))
    cue_starts = [c[0] for c in cues]
    cue_reach = list(itertools.accumulate((c[1] for c in cues), max))  # furthest end so far
    # In text order and none overlapping another: a sentence looks only at the quotations
    # around it (looking at all of them made a long transcript quadratic).
    quoted = [(r.start, r.end) for r in raws]
    quoted_starts = [q[0] for q in quoted]
    out: list[_Raw] = []
    paragraph_starts = [p[0] for p in paragraphs]
    reporting = all_verbs  # already the reporting verbs only
    verb_starts = [v.start() for v in reporting]
    for start, end in sentences:
        sentence = text[start:end]
        first = bisect.bisect_left(verb_starts, start)
        verbs = reporting[first : bisect.bisect_left(verb_starts, end, first)]
        if not verbs and "ccording" not in sentence:
            continue
        around = max(0, bisect.bisect_right(quoted_starts, start) - 1)
        near = quoted[around : bisect.bisect_left(quoted_starts, end, around)]
        inside = sum(max(0, min(e, end) - max(s, start)) for s, e in near)
        if inside * 2 > end - start:
            continue  # mostly direct speech: the quotation itself is the answer
        found = _statement_cue(text, start, end, near, verbs)
        if found is None:
            continue
        subject, cue = found
        before_end = bisect.bisect_left(cue_starts, cue[1])  # the cues starting before it ends
        if before_end and cue_reach[before_end - 1] > cue[0]:
            continue  # the cue of a quotation, not a report
        content = len(_WORD_RE.findall(sentence)) - len(_WORD_RE.findall(text[cue[0] : cue[1]]))
        if content < _REPORTED_MIN_WORDS:
            continue
        paragraph = max(bisect.bisect_right(paragraph_starts, start) - 1, 0)
        raw = _Raw(start, end, True, paragraph, -1)
        if not _apply(raw, subject, cue, people):
            continue
        _resolve_pending(raw, people, role_only)
        if _attributed(raw):
            out.append(raw)
    return out


def _statement_cue(
    text: str,
    start: int,
    end: int,
    quoted: list[tuple[int, int]],
    verbs: list[re.Match[str]],
) -> tuple[_Subject, tuple[int, int]] | None:
    """The subject and cue of a sentence's speech verb, if it has one outside quotation marks."""
    clause = text[start:end]
    according = _ACCORDING_ANYWHERE_RE.search(clause) if "ccording" in clause else None
    if according is not None:
        subject = _Subject.of(according, "", offset=start)
        return subject, (start + according.start(), subject.end)
    for match in verbs:
        at = match.start()
        if match.group().lower() not in _REPORTING_VERBS or any(s <= at < e for s, e in quoted):
            continue
        if _word_before(text, at) in _MODALS:
            continue
        verb = _VERB_RE.match(clause, at - start)
        if verb is None:
            continue
        found = _subject_before(clause, 0, verb.start())
        if found is not None:
            subject = _Subject.of(found, "", offset=start)
            return subject, (subject.cue_start, start + verb.end())
        after = _VERB_FIRST_RE.match(clause, verb.start())
        if after is not None and clause[: verb.start()].rstrip().endswith(","):
            subject = _Subject.of(after, "", offset=start)
            return subject, (at, subject.end)
    return None
