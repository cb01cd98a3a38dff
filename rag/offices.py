"""Who holds a country's office: a question asks for one office holder, a sentence may name only others.

"Who is Armenia's foreign minister?" and a sentence that names "Russian Foreign Minister Sergei Lavrov" and
"Moldovan Foreign Minister Andrei Galbur": the sentence shares the question's words (Armenia, foreign,
minister) and names a foreign minister, yet it cannot answer. News writes an office holder with the country
before the title ("Russian Foreign Minister Sergei Lavrov", "Armenia's Foreign Minister Zohrab Mnatsakanyan",
"Kremlin spokesman Dmitry Peskov"), so a sentence in which no name stands beside the asked office's title, other
countries' office holders aside, cannot name its holder ("The defense ministry in Baku said…", "Russia's President
along with the Defence and Foreign Ministries…"). rag/evidence.py ranks such a sentence after the rest and never
answers with it, as a sentence about another year. One with a name beside the title, titled with the asked
country or with none ("Armenian Foreign Minister Ararat Mirzoyan", "President Vladimir Putin", "Mirzoyan, Armenia's
foreign minister"), or that leans on such a sentence ("He met…"), may answer.

Only questions that ask who holds the office ("Who is Armenia's foreign minister?", "Who is the president of
Azerbaijan?", "What is the name of the Armenian prime minister?") are read: in "Whom did Armenia's foreign
minister meet?" the answer is the other person, titled with another country.
"""

import re
from dataclasses import dataclass

from index.analysis import terms

from .places import COUNTRY_OF_ADJECTIVE, country_of

_HEADS = (
    "president|minister|premier|chancellor|king|queen|ambassador|envoy|spokesman|spokeswoman|spokesperson|"
    "leader|secretary|governor|mayor|commander|chief"
)
# The words a title may hold before its head in a sentence ("Deputy Foreign Minister", "Kremlin spokesman"), so
# that "Russia called on the leader" is not read as a Russian leader.
_TITLE_WORDS = (
    "foreign|defen[cs]e|prime|deputy|vice|interior|finance|economy|justice|health|energy|trade|security|"
    "military|army|state|first|top|press|opposition|acting|former"
)
_MODIFIERS = r"(?:[a-z-]+ ){0,2}?"  # in an office named in words: "foreign ", "deputy defense "
_POSSESSIVE = r"(?:['’]s)"
_NOT_THE_OFFICE = frozenset({"the", "a", "an", "its", "new", "current", "former", "acting", "then"})


@dataclass(frozen=True)
class Office:
    """A country's office: ``country`` as places.py names it ("armenia"), the title's ``head`` ("minister") and
    its other words ("foreign"); ``phrase`` as the question wrote it, for a refusal's reason."""

    country: str
    head: str
    words: frozenset[str]
    phrase: str

    def held_by(self, other: "Office") -> bool:
        """The same office: same country and head word ("leader" may be any), and their other words agree where
        both have some ("defense minister" is not "foreign minister"; "Minister" alone may be either)."""
        return (
            self.country == other.country
            and (self.head == other.head or self._leads(other) or other._leads(self))
            and (not self.words or not other.words or bool(self.words & other.words))
        )

    def _leads(self, other: "Office") -> bool:
        """ "Armenian leader Nikol Pashinyan" is its prime minister; a president or a king is a leader too."""
        return self.head == "leader" and (other.head in _HEADS_OF_STATE or "prime" in other.words)


_HEADS_OF_STATE = frozenset({"leader", "president", "premier", "chancellor", "king", "queen"})


def _office(country_word: str, title: str, phrase: str) -> Office | None:
    country = country_of(country_word)
    if not country:
        return None
    *words, head = title.lower().replace("defence", "defense").split()
    head = "spokesperson" if head.startswith("spokes") else head
    return Office(country, head, frozenset(words) - _NOT_THE_OFFICE, phrase)


# An office named in words: "Armenia's foreign minister", "the Armenian prime minister", "the president of Azerbaijan",
# "the spokeswoman of the Russian Foreign Ministry".
_NAMED = re.compile(
    rf"\b(?P<c1>[A-Z][a-z]+){_POSSESSIVE} (?P<t1>(?i:{_MODIFIERS}(?:{_HEADS})))\b"
    rf"|\bthe (?P<c2>[A-Z][a-z]+) (?P<t2>(?i:{_MODIFIERS}(?:{_HEADS})))\b"
    rf"|\b(?P<t3>(?i:{_MODIFIERS}(?:{_HEADS}))) of (?:the )?(?P<c3>[A-Z][a-z]+)\b(?: [A-Z][a-z]+)*"
)
# A person titled with a country's office: "Russian Foreign Minister Sergei Lavrov", "Kremlin spokesman Dmitry Peskov".
_TITLED = re.compile(rf"\b(?P<c>[A-Z][a-z]+){_POSSESSIVE}? (?P<t>(?i:(?:(?:{_TITLE_WORDS}) ){{0,3}}(?:{_HEADS}))) [A-Z][a-z]+")
# The question asks who holds it: "Who is …?", "Who was the …?", "What is the name of …?"
_ASKS_WHO = re.compile(
    r"^\s*(?:who|what)(?:['’]s|\s+(?:is|was|are|were))\s+(?:the\s+)?(?:name\s+of\s+(?:the\s+)?)?"
    r"(?P<office>.+?)\s*(?:\s(?:in\s+\d{4}|now|today|currently))?\s*\??\s*$",
    re.I,
)


def _named(text: str) -> list[Office]:
    found = []
    for m in _NAMED.finditer(text):
        n = next(i for i in "123" if m[f"c{i}"])
        if office := _office(m[f"c{n}"], m[f"t{n}"], m.group(0)):
            found.append(office)
    return found


def asked_office(question: str) -> Office | None:
    """The office whose holder the question asks for ("Who is Armenia's foreign minister?"), else None."""
    m = _ASKS_WHO.match(question)
    if not m:
        return None
    rest = m["office"]  # "Armenia's foreign minister", "president of Azerbaijan", "Armenian prime minister"
    whole = [o for o in _named("the " + rest) if o.phrase.removeprefix("the ").lower() == rest.lower()]
    return whole[0] if whole else None


def other_holder(office: Office | None, text: str, leaned_on: str = "") -> str:
    """The asked office's phrase ("Armenia's foreign minister") when the sentence cannot name its holder: no name
    stands beside the office's title but those of other countries' offices ("Russian Foreign Minister Sergei
    Lavrov"), as in "The defense ministry in Baku said…" for Azerbaijan's defense minister; else "". The sentence
    it leans on ("He met…") counts as its own."""
    if office is None:
        return ""
    both = text + " " + leaned_on
    if any(office.held_by(o) for _, o in _titled(both)):
        return ""
    for span, _ in reversed(_titled(both)):  # other countries' office holders: not the one asked for
        both = both[: span[0]] + both[span[1] :]
    return "" if _names_a_holder(office.head, both) else office.phrase


def _titled(text: str) -> list[tuple[tuple[int, int], Office]]:
    return [(m.span(), o) for m in _TITLED.finditer(text) if (o := _office(m["c"], m["t"], m.group(0)))]


def _names_a_holder(head: str, text: str) -> bool:
    """A name beside the title: "Defense Minister Zakir Hasanov", "Hasanov, Azerbaijan's defense minister"; not
    "the defense ministry", "the two countries' defense ministers" nor "the Russian minister" (a country's word)."""
    head = "spokes(?:man|woman|person)" if head == "spokesperson" else head
    title = rf"(?i:{head}|leader)" if head in _HEADS_OF_STATE else rf"(?i:{head})"
    name = r"(?!(?:The|A|An|In|On|At|But|And)\b)(?P<name>[A-Z][a-z]+)"
    found = [
        *re.finditer(rf"\b{title}s? {name}", text),
        *re.finditer(rf"\b{name},? (?:(?:the|a|an|[A-Z][a-z]+['’]s|[a-z-]+) ){{0,3}}{title}\b", text),
    ]
    return any(not country_of(m["name"]) for m in found)


_BEFORE_A_NAME = re.compile(r"\b([A-Z][a-z]+) (?=[A-Z][a-z])")


def countries_of_offices(text: str) -> set[str]:
    """The countries whose people's adjective stands before a capitalised word: "Azerbaijani President Ilham Aliyev"
    is Azerbaijan's president, "the Armenian Defense Ministry" Armenia's, as a question names them (the terms a
    sentence holds, rag/evidence.py)."""
    return set(terms(" ".join(c for m in _BEFORE_A_NAME.finditer(text) if (c := COUNTRY_OF_ADJECTIVE.get(m[1].lower())))))
