"""Who said it: "What did Putin say about the blockade?" asks for one speaker's words.

A sentence on the question's topic that does not name the speaker ("In December, Azerbaijanis … blocked the
Lachin Corridor") is about the question and cannot answer it. A question that asks what a named speaker said,
warned, claimed or answered (``asked_speaker``) is answered only by a sentence that names the speaker: in the
sentence, in the sentence it leans on ("He said…", rag/evidence.py), in the sentence before when it reports a
pronoun's words ("“…,” he said.") or ends a quotation, or in its article's title. A country is named by its
capital, its people's adjective or its initials too ("Moscow accused…" for Russia, rag/places.py ``countries_in``).
"""

import re
from dataclasses import dataclass

from .places import CAPITALISED_WORD, countries_in

_SPEECH_VERBS = (
    "say|said|tell|told|warn|warned|claim|claimed|announce|announced|state|stated|respond|responded|react|reacted|"
    "reply|replied|comment|commented|accuse|accused|urge|urged|demand|demanded|promise|promised|pledge|pledged|"
    "deny|denied"
)
_ASKS_WHAT_SAID = re.compile(
    rf"^\W*(?:what|how|why)\s+(?:did|does|do|has|have|had)\s+(?P<speaker>.+?)\s+(?-i:{_SPEECH_VERBS})\b", re.I
)  # the verb in lower case: "What does the Islamic State lack…?" asks no one's words
# words that end a speaker's phrase: "What did Krishnan mean when he said…?" asks what he meant
_NOT_A_SPEAKER = re.compile(r"\b(?:when|if|that|which|who|he|she|they|it|to|mean|meant)\b", re.I)
# capitalised words of a speaker that name no one in particular: titles and institutions ("the Foreign Ministry")
_NOT_A_NAME = frozenset(
    "the a an foreign defense defence interior ministry ministries minister president prime secretary general chief "
    "spokesman spokeswoman spokesperson office department government parliament council committee agency army "
    "forces armed national state federal republic".split()
)
# a sentence that reports a pronoun's words: its speaker is named before it ("“…,” he said.")
_REPORTED = re.compile(
    r"\b(?:he|she|they)\s+(?:said|says|added|told|warned|noted|stressed|claimed|stated|wrote|insisted|argued)\b"
    r"|\b(?:said|says|added)\s+(?:he|she)\b",
    re.I,
)


@dataclass(frozen=True)
class Speaker:
    phrase: str  # as the question names it: "Putin", "EU foreign policy chief Josep Borrell"
    names: frozenset[str]  # its capitalised words that name it: {"Josep", "Borrell"}
    countries: frozenset[str]  # the countries it names, by any of their names: "the US" -> {"america"}

    def named_in(self, text: str) -> bool:
        """Whether the text names the speaker: one of its names, or its country by any of the country's names."""
        return bool(self.names & set(CAPITALISED_WORD.findall(text))) or bool(
            self.countries and self.countries & countries_in(text)
        )


def asked_speaker(question: str) -> Speaker | None:
    """The named speaker whose words the question asks for ("What did Putin say…?", "How did Azerbaijan respond…?"),
    else None (also when no word of the speaker is a name: "What did the protesters say?")."""
    m = _ASKS_WHAT_SAID.match(question)
    if not m:
        return None
    phrase = m["speaker"].strip()
    if _NOT_A_SPEAKER.search(phrase):
        return None
    names = frozenset(w for w in CAPITALISED_WORD.findall(phrase) if w.lower() not in _NOT_A_NAME)
    return Speaker(phrase, names, frozenset(countries_in(phrase))) if names else None


def speaker_named_before(text: str) -> bool:
    """Whether the sentence's speaker is named in the sentence before: it reports a pronoun's words ("“…,” he
    said."), or it ends a quotation that opened before it ("…they were not designed, so to speak.”")."""
    return bool(_REPORTED.search(text)) or text.count("”") > text.count("“")


def other_speaker(speaker: Speaker | None, text: str, around: str = "") -> str:
    """The asked speaker's phrase ("Putin") when neither the sentence nor ``around`` (the sentences and title that
    name who speaks in it) names the speaker, else ""."""
    if speaker is None or speaker.named_in(text + " " + around):
        return ""
    return speaker.phrase
