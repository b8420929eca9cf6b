"""One analyzer for passages and questions: normalise, fold, split, drop stopwords, stem.

Both the index build and every question go through :class:`Analyzer`, so a term in a question
matches the same term in a passage however either was typed (curly or straight apostrophes,
accents, case, possessives, hyphens).

Decisions (tests pin them; bump :data:`ANALYZER_VERSION` when any of them changes):

* Words are runs of letters/digits (Python's ``\\w`` minus ``_``) plus combining marks, joined by
  inner hyphens or apostrophes. Offsets always point into the text as given.
* Unicode NFKC, then casefold. Combining marks are folded away on Latin letters only
  (``café`` → ``cafe``, ``Łukašenka`` → ``lukasenka``); Cyrillic keeps its letters (``й`` stays
  ``й``) except ``ё`` → ``е``, as Russian search usually does.
* Possessives are dropped: ``Lukashenko’s`` and ``Lukashenko's`` → ``lukashenko``. Other
  apostrophes are removed (``O’Brien`` → ``obrien``, ``don't`` → ``dont``, a stopword).
* Hyphenated words (and "AT&T", "S&P": an ampersand between letters joins like a hyphen) give
  each part, then — when every part is alphabetic — the joined form too:
  ``re-election`` → ``re``, ``elect``, ``reelect``, so a question typed ``reelection`` still finds
  it. The parts come first, so proximity between neighbouring words is kept.
* Numbers are one token: ``2023``; ``3.5`` stays ``3.5``; thousands separators are dropped
  (``2,000`` → ``2000``). Numbers are never stemmed or stopped.
* Dotted initialisms are one token without dots: ``U.S.`` → ``us``, ``p.m.`` → ``pm``; they skip
  the stop list (``a.m.`` is not the verb "am"), except ``e.g.`` and ``i.e.``. "us" itself is not a
  stopword, so ``U.S.`` and ``US`` meet.
* Stopwords: the usual English and Russian function words, including the question words
  who/what/when/where/which/how/why and do/does/did (the answer module reads the question words
  itself). Content verbs such as "said" and "tell" are ordinary terms.
* Stemming: Snowball via PyStemmer. The script of each word picks the stemmer and stop list:
  Cyrillic words get Russian, Latin words English, other scripts are kept unstemmed. So a Russian
  name inside an English article is stemmed the same way as in a Russian question, and the
  ``language`` argument (``"en"``, ``"ru"``, or anything else) can never make a passage and a
  question disagree. It is accepted for the API and validated loosely: unknown codes are fine.

Speed: the hot path is ``str.split`` plus a C-level ``map`` over a bounded memo from each
whitespace-separated chunk to its analysed terms, so each distinct spelling is analysed once per
process (about 57k passages/s of 120-word Wikipedia prose on one core, 80k of news prose; run
``python -m index.analyze FILE`` to measure). ``token_spans`` uses one compiled regex pass.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from typing import Generic, TypeVar

import Stemmer


def _words(text: str) -> frozenset[str]:
    """A word list written as whitespace-separated text (easier to read and edit)."""
    return frozenset(text.split())


ANALYZER_VERSION = 5

# Inner joiners: hyphen-minus, hyphen, non-breaking hyphen, en dash (used for "Belarus–China"),
# and the ampersand of "AT&T" and "S&P" (parts, then the joined "att": "at" alone is a stopword).
_HYPHENS = "\\-\u2010\u2011\u2013&"
# Apostrophes as typed in the wild: straight, right single quote, modifier letter, left quote,
# backtick, prime.
_APOSTROPHES = "'\u2019\u02bc\u2018`\u2032"
# Invisible characters that belong inside a word: soft hyphen (&shy; in scraped HTML) and the
# zero-width (non-)joiners. Dropped during normalisation.
_INVISIBLE = "\u00ad\u200c\u200d"
# Combining marks that may follow a letter inside a word (decomposed accents), and the above.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f" + _INVISIBLE
)

_WORD_CHAR = r"[^\W_]"
# A dotted initialism (U.S., p.m., e.g.) first; otherwise a word: letters/digits/marks joined by
# inner hyphens or apostrophes, or by '.'/',' between digits (3.5, 2,000).
_TOKEN_RE = re.compile(
    rf"(?:[^\W\d_]\.){{2,}}"
    rf"|{_WORD_CHAR}(?:{_WORD_CHAR}|[{_MARKS}]|[{_HYPHENS}{_APOSTROPHES}](?={_WORD_CHAR})"
    rf"|(?<=\d)[.,](?=\d))*"
)
_HYPHEN_SPLIT_RE = re.compile(f"[{_HYPHENS}]")
_SUBWORD_RE = re.compile(r"[^\W_]+(?:[.,][^\W_]+)*")
_INITIALISM_RE = re.compile(r"(?:[^\W\d_]\.){2,}")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_APOSTROPHE_TABLE = str.maketrans(
    {**dict.fromkeys(_APOSTROPHES, "'"), **dict.fromkeys(_INVISIBLE, None)}
)

# Latin letters that Unicode does not decompose into base + mark (index/corpus.py's slugs use
# the same table).
LATIN_SPECIALS: dict[str, str] = {
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ħ": "h",
    "ı": "i",
    "ŀ": "l",
    "ŧ": "t",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
    "ƒ": "f",
}
_LATIN_SPECIALS = str.maketrans(LATIN_SPECIALS)
_CYRILLIC_RE = re.compile("[\u0400-\u052f]")
_LATIN_LETTER_RE = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")

# Entries per memo; a million-passage build sees a few hundred thousand distinct chunks.
_MEMO_LIMIT = 500_000

_ENGLISH_STOPWORDS = _words(
    """
    a about above after again against all am an and any are aren arent as at be because been
    before being below between both but by can cannot cant could couldn couldnt did didn didnt
    do does doesn doesnt doing don dont down during each either few for from further had hadn
    hadnt has hasn hasnt have haven havent having he hed hell hes her here heres hers herself
    him himself his how hows i id ill im ive if in into is isn isnt it its itself just let lets
    me more most mustn mustnt my myself no nor not of off on once only or other ought our ours
    ourselves out over own same shan shant she shed shell shes should shouldn shouldnt so some
    such than that thats the their theirs them themselves then there theres these they theyd
    theyll theyre theyve this those through to too under until up very was wasn wasnt we wed
    well were weve weren werent what whats when whens where wheres which while who whos whom
    why whys will with won wont would wouldn wouldnt you youd youll youre youve your yours
    yourself yourselves also eg ie etc
    """
)
# Dotted initialisms skip the stop list (U.S. is not the pronoun), except these.
_INITIALISM_STOPWORDS = frozenset({"eg", "ie"})
# Russian function words (pronouns, prepositions, conjunctions, particles, auxiliaries), written
# with е for ё to match the folded text.
_RUSSIAN_STOPWORDS = _words(
    """
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее
    мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть
    был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть
    надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда
    кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас
    были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот
    через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед
    иногда лучше чуть том нельзя такой им более всегда конечно всю между это эта эти этих
    которые который которая которое которых также свой своей своих свои при же ли бы
    """
)


def detect_language(text: str) -> str:
    """``"ru"`` when the letters are mostly Cyrillic, else ``"en"``."""
    cyrillic = len(_CYRILLIC_RE.findall(text))
    if not cyrillic:
        return "en"
    latin = len(_LATIN_LETTER_RE.findall(text))
    return "ru" if cyrillic > latin else "en"


def _is_latin(ch: str) -> bool:
    code = ord(ch)
    return (
        code < 0x250
        or 0x1E00 <= code <= 0x1EFF
        or 0x2C60 <= code <= 0x2C7F
        or 0xA720 <= code <= 0xA7FF
        or 0xAB30 <= code <= 0xAB6F
    )


def _fold(word: str) -> str:
    """Drop combining marks that sit on Latin letters; keep every other script intact."""
    if word.isascii():
        return word
    out: list[str] = []
    latin_base = False
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch):
            if not latin_base:
                out.append(ch)
            continue
        latin_base = _is_latin(ch)
        out.append(ch)
    folded = unicodedata.normalize("NFC", "".join(out)).translate(_LATIN_SPECIALS)
    return folded.replace("ё", "е")


def _normalise(raw: str) -> str:
    """NFKC + casefold + apostrophes unified + possessive dropped + Latin diacritics folded."""
    text = unicodedata.normalize("NFKC", raw).casefold()
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHE_TABLE)
    if text.endswith("'s"):
        text = text[:-2]
    return _fold(text.replace("'", ""))


_Value = TypeVar("_Value")


class _Memo(dict[str, _Value], Generic[_Value]):
    """Raw text → analysis; analyses on a miss and forgets everything when full.

    ``dict`` operations are atomic under the GIL, so threads may share it: the worst case is
    two threads analysing the same word and storing the same answer.
    """

    __slots__ = ("_analyse",)

    def __init__(self, analyse: Callable[[str], _Value]) -> None:
        super().__init__()
        self._analyse = analyse

    def __missing__(self, key: str) -> _Value:
        value = self._analyse(key)
        if len(self) >= _MEMO_LIMIT:
            self.clear()
        self[key] = value
        return value


class Analyzer:
    """Turns text into index terms. Instances are cheap to share and safe across threads."""

    def __init__(self, *, stem: bool = True, stopwords: bool = True) -> None:
        self._stem = stem
        self._stopwords = stopwords
        # PyStemmer objects are not thread-safe; each thread gets its own pair.
        self._local = threading.local()
        # word (one regex match) → ((term, start, end), ...) relative to the word
        self._word_memo = _Memo(self._analyse_word)
        # whitespace-separated chunk ("China,", "“Expanding") → "term term ": the hot path
        self._chunk_memo = _Memo(self._analyse_chunk)

    # ---- identity (the manifest stores the fingerprint; EngineConfig compares analyzers)
    @property
    def fingerprint(self) -> str:
        return (
            f"newsbot-analyzer-v{ANALYZER_VERSION}"
            f";stem={int(self._stem)};stop={int(self._stopwords)}"
            f";snowball={Stemmer.version()};unicode={unicodedata.unidata_version}"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Analyzer) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __repr__(self) -> str:
        return f"Analyzer(stem={self._stem}, stopwords={self._stopwords})"

    def __reduce__(self) -> tuple[object, tuple[bool, bool]]:
        # Pickles (e.g. into a spawned build process) as its options; memos start empty there.
        return (_rebuild, (self._stem, self._stopwords))

    # ---- public API
    def tokens(self, text: str, language: str = "en") -> list[str]:
        """Index terms of ``text`` in order. ``language`` is a hint only (see module doc)."""
        # Words never contain whitespace, so analysing each str.split() chunk (memoised) gives
        # exactly what one regex pass over the whole text would, several times faster. Each memo
        # value is its terms, each followed by a space ("" for a stopword), so one C-level join
        # and split assemble the list; measurably faster than chaining tuples.
        return "".join(map(self._chunk_memo.__getitem__, text.split())).split()

    def token_spans(self, text: str, language: str = "en") -> list[tuple[str, int, int]]:
        """``(term, start, end)`` with offsets into ``text``; same terms, same order as tokens()."""
        memo = self._word_memo
        out: list[tuple[str, int, int]] = []
        for match in _TOKEN_RE.finditer(text):
            start = match.start()
            for term, rel_start, rel_end in memo[match.group()]:
                out.append((term, start + rel_start, start + rel_end))
        return out

    def query_tokens(self, text: str) -> list[str]:
        return self.tokens(text, detect_language(text))

    # ---- the slow path: one raw word, analysed once per process
    def _stemmers(self) -> tuple[Stemmer.Stemmer, Stemmer.Stemmer]:
        pair = getattr(self._local, "stemmers", None)
        if pair is None:
            pair = (Stemmer.Stemmer("english"), Stemmer.Stemmer("russian"))
            for stemmer in pair:
                stemmer.maxCacheSize = 0  # the analyzer's own memo already caches
            self._local.stemmers = pair
        return pair

    def _analyse_chunk(self, chunk: str) -> str:
        """A whitespace-free chunk → its terms, each followed by one space."""
        if chunk.isalpha() and chunk.isascii():  # the common case: a plain English word
            word = chunk.lower()
            if self._stopwords and word in _ENGLISH_STOPWORDS:
                return ""
            return f"{self._stem_term(word)} "
        memo = self._word_memo
        return "".join(f"{term} " for word in _TOKEN_RE.findall(chunk) for term, _, _ in memo[word])

    def _analyse_word(self, raw: str) -> tuple[tuple[str, int, int], ...]:
        if _INITIALISM_RE.fullmatch(raw):
            letters = _normalise(raw.replace(".", ""))
            if not letters or (self._stopwords and letters in _INITIALISM_STOPWORDS):
                return ()
            return ((self._stem_term(letters), 0, len(raw)),)
        out: list[tuple[str, int, int]] = []
        joined: list[str] = []
        alphabetic = True
        pos = 0
        for part in _HYPHEN_SPLIT_RE.split(raw):
            start, end = pos, pos + len(part)
            pos = end + 1
            norm = _normalise(part)
            joined.append(norm)
            alphabetic = alphabetic and norm.isalpha()
            # NFKC may turn one raw word into several (½ → 1⁄2); each piece is its own term.
            for piece in _SUBWORD_RE.findall(norm):
                term = self._term(piece)
                if term is not None:
                    out.append((term, start, end))
        if len(joined) > 1 and alphabetic:
            term = self._term("".join(joined))
            if term is not None:
                out.append((term, 0, len(raw)))
        return tuple(out)

    def _term(self, word: str) -> str | None:
        """A normalised word → its index term, or None for a stopword."""
        if _NUMBER_RE.fullmatch(word):
            return word.replace(",", "")
        word = word.replace(".", "").replace(",", "")
        if not word:
            return None
        if self._stopwords and (word in _ENGLISH_STOPWORDS or word in _RUSSIAN_STOPWORDS):
            return None
        return self._stem_term(word)

    def _stem_term(self, word: str) -> str:
        if not self._stem:
            return word
        word = _DEMONYMS.get(word, word)
        english, russian = self._stemmers()
        if _CYRILLIC_RE.search(word):
            return russian.stemWord(word)
        if word.isascii() or _LATIN_LETTER_RE.search(word):
            return english.stemWord(word)
        return word


# News writes "Chinese officials" and "China’s initiative" about the same thing, and Snowball
# stems the adjective and the country apart. With stemming on, a country's adjective (and its
# people, in the plural: "Israelis") is indexed as the country: a closed list of the countries
# and blocs news names most. Adjectives that are also common words ("English", "Jordan" the name)
# are left out.
_DEMONYMS = {
    "chinese": "china",
    "belarusian": "belarus",
    "belarussian": "belarus",
    "russian": "russia",
    "ukrainian": "ukraine",
    "polish": "poland",
    "lithuanian": "lithuania",
    "latvian": "latvia",
    "estonian": "estonia",
    "american": "america",
    "british": "britain",
    "french": "france",
    "german": "germany",
    "italian": "italy",
    "spanish": "spain",
    "japanese": "japan",
    "korean": "korea",
    "indian": "india",
    "iranian": "iran",
    "turkish": "turkey",
    "kazakh": "kazakhstan",
    "european": "europe",
    "soviet": "ussr",
    # the Americas
    "canadian": "canada",
    "mexican": "mexico",
    "brazilian": "brazil",
    "argentine": "argentina",
    "argentinian": "argentina",
    "chilean": "chile",
    "peruvian": "peru",
    "colombian": "colombia",
    "venezuelan": "venezuela",
    "ecuadorean": "ecuador",
    "ecuadorian": "ecuador",
    "bolivian": "bolivia",
    "cuban": "cuba",
    # Europe
    "irish": "ireland",
    "scottish": "scotland",
    "dutch": "netherlands",
    "belgian": "belgium",
    "swiss": "switzerland",
    "austrian": "austria",
    "swedish": "sweden",
    "norwegian": "norway",
    "danish": "denmark",
    "finnish": "finland",
    "portuguese": "portugal",
    "greek": "greece",
    "hungarian": "hungary",
    "romanian": "romania",
    "bulgarian": "bulgaria",
    "czech": "czechia",
    "slovak": "slovakia",
    "yugoslav": "yugoslavia",
    "serbian": "serbia",
    "croatian": "croatia",
    # Asia and Oceania
    "australian": "australia",
    "indonesian": "indonesia",
    "malaysian": "malaysia",
    "philippine": "philippines",
    "filipino": "philippines",
    "thai": "thailand",
    "vietnamese": "vietnam",
    "taiwanese": "taiwan",
    "singaporean": "singapore",
    "pakistani": "pakistan",
    "bangladeshi": "bangladesh",
    "afghan": "afghanistan",
    "asian": "asia",
    # the Middle East and Africa
    "israeli": "israel",
    "palestinian": "palestine",
    "egyptian": "egypt",
    "iraqi": "iraq",
    "kuwaiti": "kuwait",
    "syrian": "syria",
    "lebanese": "lebanon",
    "jordanian": "jordan",
    "qatari": "qatar",
    "emirati": "emirates",
    "libyan": "libya",
    "algerian": "algeria",
    "moroccan": "morocco",
    "nigerian": "nigeria",
    "kenyan": "kenya",
    "ethiopian": "ethiopia",
    "ghanaian": "ghana",
    "ugandan": "uganda",
    "tanzanian": "tanzania",
    "zambian": "zambia",
    "zimbabwean": "zimbabwe",
    "sudanese": "sudan",
    "african": "africa",
    "китайский": "китай",
    "белорусский": "беларусь",
    "российский": "россия",
    "украинский": "украина",
}
# "Israelis", "Kenyans": the people of a country (the words in -ese and -sh have no plural).
_DEMONYMS |= {
    f"{adjective}s": country
    for adjective, country in _DEMONYMS.items()
    if adjective.isascii() and not adjective.endswith(("ese", "sh", "ss", "ch"))
}


def _rebuild(stem: bool, stopwords: bool) -> Analyzer:
    return Analyzer(stem=stem, stopwords=stopwords)


def _throughput(path: str, words_per_passage: int = 120, rounds: int = 5) -> None:
    """Print tokens() throughput on ``words_per_passage``-word windows of a text file."""
    import time
    from pathlib import Path

    words = Path(path).read_text(encoding="utf-8").split()
    step = words_per_passage
    passages = [" ".join(words[i : i + step]) for i in range(0, len(words) - step + 1, step)]
    analyzer = Analyzer()
    started = time.perf_counter()
    for passage in passages:
        analyzer.tokens(passage)
    cold = len(passages) / (time.perf_counter() - started)
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        for passage in passages:
            analyzer.tokens(passage)
        best = max(best, len(passages) / (time.perf_counter() - started))
    print(
        f"{len(passages)} passages of {step} words: first pass {cold:,.0f}/s, "
        f"memo warm {best:,.0f}/s (best of {rounds})"
    )


if __name__ == "__main__":  # python -m index.analyze FILE: the throughput check, not a test
    import sys

    _throughput(sys.argv[1])
