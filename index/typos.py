"""Misspelt question words corrected against the corpus's own terms: "Who develped the theory?" searches
"developed", "Telnet" the corpus's "Telenet", "Erdogan" its "Erdoğan".

A word is corrected only when the corpus does not know its term. A word spelt without the accents of a corpus
term gets its accents ("Jumieges": "Jumièges"). Otherwise it must be no English word (``english``: the
reader's WordPiece vocabulary, whole words only, and their forms: "diagnose" is, as "diagnosed" is), and it becomes the word one edit away whose term the corpus
knows: a letter left out, doubled or swapped with its neighbour, or, less likely, a letter typed for another
(a key beside it, a vowel for a vowel, a letter of the same sound: "repels" is not "rebels"); never the first
letter, which people rarely mistype, nor a name's last (another ending is often another person: "Aliyeva" is
not "Aliyev"). Among several: the likelier typo, an English word, the term most chunks hold, then a letter put in
or moved rather than left out. The new word must be English, a name's (capitalised inside the question:
"Telenet"), or of a long term ("peacekeepers", two wordpieces); "monetizing" is not "moneyizing". Words of
fewer than ``MIN_LETTERS`` letters are left alone (one edit from a short word is often another word: "Iran",
"Iraq"), and so are words with digits and what an apostrophe joins ("D'Olier"); the parts of a hyphenated word,
a word before "'s" and a word in quotes are corrected, as BM25 reads them apart (index/analysis.py ``words``).
"""

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping

from .analysis import STOPWORDS, _stem

MIN_LETTERS = 5
MAX_LETTERS = 30  # longer is no word (and its 60 edits a letter would take a second)
LONG_TERM = 7  # a word may become a non-English word ("peacekeepers" is two wordpieces) whose term is this long
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# a whole word, a part of a hyphenated one ("Nagorno-Karabah"), one before "'s" or "'" ("Azerbaijn's") or in quotes,
# as BM25 reads it (index/analysis.py ``words``); not what an apostrophe joins ("D'Olier": "Oliver" is one letter
# from "Olier")
_WORD = re.compile(rf"(?<!\w)(?<!\w['’])[^\W\d_]{{{MIN_LETTERS},{MAX_LETTERS}}}(?!\w)(?!['’](?!s\b)\w)")


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def respelt(typed: str, searched: str) -> bool:
    """Whether ``searched`` is ``Speller.correct``'s spelling of the word ``typed``: of at least ``MIN_LETTERS``
    letters, the same but for accents ("Herve", "Hervé") or one typo away ("Coridor", "Corridor"); not a follow-up's
    name for a pronoun ("it", "IBM") nor a change of capitals ("what", "What")."""
    a, b = _folded(typed).lower(), _folded(searched).lower()
    if len(typed) < MIN_LETTERS or typed.lower() == searched.lower():
        return False
    return a == b or (a[:1] == b[:1] and any(e == b for e, _ in _edits(a)))


_KEYS = {c: (row, col + row / 2) for row, keys in enumerate(("qwertyuiop", "asdfghjkl", "zxcvbnm")) for col, c in enumerate(keys)}
_VOWELS = set("aeiouy")
_SOUNDS = ({"c", "s"}, {"c", "k"}, {"s", "z"})


def _accents_of(term: str, word: str) -> str:
    """``word`` with the accents of the corpus term it spells without them, letter by letter ("valery" and the
    stem "valéri": "valéry"; "jumieges" and "jumièg": "jumièges")."""
    return "".join(t if i < len(term) and _folded(t) == c else c for i, (c, t) in enumerate(zip(word, term + word[len(term) :])))


def _mistyped(a: str, b: str) -> bool:
    """One letter typed for another: neighbours on the keyboard, two vowels ("seperate"), or one sound
    ("responce"). Others make other words ("repels" is not "rebels")."""
    if a in _VOWELS and b in _VOWELS or {a, b} in _SOUNDS:
        return True
    (r1, c1), (r2, c2) = _KEYS.get(a, (9, 9)), _KEYS.get(b, (-9, -9))
    return (r1 - r2) ** 2 + (c1 - c2) ** 2 < 1.5


def _edits(word: str, keep_last: bool = False):
    """The words one edit from ``word`` that keep its first letter (and with ``keep_last``, its last), each with
    whether it replaces a letter (the least likely typo: a letter left out, doubled or swapped with its
    neighbour is more often one)."""
    end = len(word) - 1 if keep_last else len(word)  # letters before ``end`` may change
    for i in range(1, end + 1):
        if i < end:
            yield word[:i] + word[i + 1 :], False
            for c in _LETTERS:
                if c != word[i] and _mistyped(word[i], c):
                    yield word[:i] + c + word[i + 1 :], True
        if i < end - 1:
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :], False
        for c in _LETTERS:
            yield word[:i] + c + word[i:], False


@functools.lru_cache(maxsize=2)
def _terms_of(english: frozenset[str]) -> frozenset[str]:
    """The terms of the English words: a word with one of them is a form of an English word. Stemming 30k words takes
    tens of milliseconds: done when a question first holds a word neither the corpus nor the vocabulary knows, and
    kept for every speller after (a new one comes with every change of the index)."""
    return frozenset(_stem.__wrapped__(w) for w in english)


class Speller:
    """``df``: the corpus's terms and how many chunks hold each (LexicalIndex.df)."""

    def __init__(self, df: Mapping[str, int], english: Iterable[str]) -> None:
        self.df = df
        self.english = frozenset(english)
        self._accented: dict[str, str] | None = None

    def correct(self, text: str, opens_sentence: bool = True) -> str:
        """``text`` with its misspelt words replaced (capitalised as they were). A capitalised word is a name,
        except the first when ``text`` opens a sentence (a question does; the words a follow-up borrowed do not)."""
        return _WORD.sub(lambda m: self._replace(m, name_at_start=not opens_sentence), text)

    def _replace(self, match: re.Match, name_at_start: bool = False) -> str:
        word = match.group(0)
        better = self.word_for(word.lower(), name=word[0].isupper() and (match.start() > 0 or name_at_start))
        if better is None:
            return word
        if word.isupper():
            return better.upper()
        # the capitals where the typed word has them ("McDonld": "McDonald"); an edit shifts at most one letter
        return "".join(c.upper() if i < len(word) and word[i].isupper() else c for i, c in enumerate(better))

    def word_for(self, word: str, name: bool = False) -> str | None:
        """The corpus's spelling of a lower-case word it does not know, or None (known, English, or none one edit
        away). A ``name`` (capitalised inside the text) may become any term of the corpus ("Telenet") but keeps its
        last letter too ("Aliyeva" is not "Aliyev"); another word becomes an English one or one of a long term:
        "monetizing" is not "moneyizing" ("money"), "peacekepers" is "peacekeepers" ("peacekeep")."""
        term = _stem(word)
        if term in self.df:
            return None
        if accented := self.accented.get(_folded(term)) or self.accented.get(_folded(word)):  # "jumièg", "hervé"
            return _accents_of(accented, word)
        if word in self.english or word in STOPWORDS or term in _terms_of(self.english):  # "melts", "diagnose"
            return None
        scored = {}
        for edit, replaced in _edits(word, keep_last=name):
            t = _stem.__wrapped__(edit)  # hundreds of candidates: not kept in the analyzer's cache
            if t in self.df and t not in STOPWORDS and (name or edit in self.english or len(t) >= LONG_TERM):
                # a likelier typo, an English word, the commoner term; for one term, a letter put in or moved rather
                # than left out ("peacekeeprs" is "peacekeepers", not "peacekeeps")
                rank = (not replaced, edit in self.english, self.df[t], len(edit) >= len(word), -abs(len(edit) - len(word)))
                scored[edit] = max(scored.get(edit, ()), rank)
        return max(scored, key=scored.get) if scored else None

    def near(self, word: str) -> bool:
        """Whether the corpus holds a term one edit from ``word`` (its first letter kept, accents aside): what the
        question may have mistyped, where the speller did not dare to correct it ("Hamaz" for "Hamza": a name keeps its
        last letter; "Rhou" for "Rou": too short), or another form of ("African" for "Africa")."""
        word = _folded(word.lower())
        if len(word) > MAX_LETTERS or not word.isalpha():  # no word (its parts are asked one by one)
            return False
        for edit in (word, *(e for e, _ in _edits(word))):
            term = _stem.__wrapped__(edit)  # hundreds of candidates: not kept in the analyzer's cache
            if term in self.df or term in self.accented:
                return True
        return False

    @property
    def accented(self) -> dict[str, str]:
        """The corpus's terms with accents, by their unaccented spelling (built on first need)."""
        if self._accented is None:
            self._accented = {_folded(t): t for t in self.df if not t.isascii()}
        return self._accented
