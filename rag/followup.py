"""Follow-up questions -> standalone questions, without an LLM.

"What did Russia say about it?" after "Who blocked the Lachin Corridor?" becomes "What did
Russia say about the Lachin Corridor?". The method: find a word that really refers back (a
pronoun, "there", a demonstrative standing alone, or an elliptical "What about X?"), then pick
its antecedent among the noun phrases of the previous standalone question: its subject phrase
("the spokeswoman of the Russian Foreign Ministry" in "Who is the spokeswoman of …?", "Armenia
and Azerbaijan" in "When did Armenia and Azerbaijan sign …?") or one of its names. The
antecedent must agree with the pronoun (a person for he/she, plural for they, a place for
there). When that leaves no antecedent, or several equally good ones, the question is searched
as asked: a wrong rewrite is worse than none, since the user sees what was searched.
"""

import re
from collections.abc import Callable

from index.analysis import terms

from .errors import QuestionError

_WORD = r"(?:[A-Z][\w’'.-]*\w|[A-Z]{2,})"
_NAME = re.compile(rf"\b(?:the\s+)?{_WORD}(?:\s+(?:of\s+the\s+|of\s+|for\s+the\s+)?{_WORD})*")
_ELLIPSIS = re.compile(r"^\s*(?:and\s+|what\s+about\s+|how\s+about\s+|and\s+what\s+about\s+)(?P<x>.+?)\s*\??\s*$", re.I)
_PRONOUN = re.compile(r"\b(it|its|they|them|their|this|that|these|those|there|he|him|his|she|her)\b", re.I)
_AUX = r"(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could|should)"
_SUBJECT_BEFORE = re.compile(rf"\b{_AUX}\s+$", re.I)
_COPULA_Q = re.compile(r"^(?:who|what)\s+(?:is|was|are|were)\s+(?P<np>(?:the\s+|a\s+|an\s+)?[A-Z].*?)\s*\??$", re.I)
_AUX_Q = re.compile(rf"^(?:(?:when|where|why|how|what|which|whom|who)\s+(?:[\w,-]+\s+){{0,2}})?{_AUX}\s+(?P<rest>.+)$", re.I)
_QUESTION_START = {
    "who",
    "what",
    "when",
    "where",
    "why",
    "how",
    "which",
    "whom",
    "whose",
    "did",
    "does",
    "do",
    "is",
    "was",
    "are",
    "were",
    "can",
}
_POSSESSIVE = {"its", "their", "his", "her"}
_PLURAL = {"they", "them", "their", "these", "those"}
_PERSONAL = {"he", "him", "his", "she", "her"}
_DEMONSTRATIVE = {"this", "that", "these", "those"}
_NEXT_IS_VERB = re.compile(rf"^\s*(?:{_AUX}|'s|’s|means?|meant|happened|led|caused)\b|^\s*[?.!,]?\s*$", re.I)
_PERSON_NOUN = re.compile(
    r"\b(?:spokes(?:wo)?man|spokesperson|minister|president|prime minister|representative|leader|envoy|"
    r"ambassador|secretary|chief|official|commander|director|mayor|premier)\b",
    re.I,
)
_NATIONALITY = re.compile(r"(?:ian|ese|ish|i)$")  # Russian, Azerbaijani; not Azerbaijan or Pashinyan


def name_phrases(text: str) -> list[str]:
    """Capitalised name phrases, skipping a question word at the start."""
    found = []
    for m in _NAME.finditer(text):
        phrase = m.group(0)
        first = phrase.split()[0].lower()
        if m.start() == 0 and first in _QUESTION_START:
            rest = phrase.split(None, 1)
            if len(rest) < 2:
                continue
            phrase = rest[1]
        found.append(re.sub(r"[’']s$", "", phrase.strip()))  # "Russia's defense ministry" names Russia
    return found


def subject_phrase(question: str) -> tuple[str | None, bool]:
    """The previous question's subject phrase, and whether it names a person ("Who is X?").

    "Who is X?" / "What is X?" -> X; "When did X <verb> …?" -> X, where X is a run of names joined
    by "and"/"of", with up to two lowercase nouns after a possessive ("Russia's defense ministry")
    or one plural noun after a nationality ("Azerbaijani troops"). A question whose subject is its wh-word
    ("Who blocked …?") has none."""
    question = question.strip()
    copula = _COPULA_Q.match(question)
    if copula:
        return copula.group("np").rstrip("?. "), question.lower().startswith("who")
    aux = _AUX_Q.match(question)
    if not aux:
        return None, False
    words, taken, lowercase_left, plural_only = aux.group("rest").rstrip("?. ").split(), [], 0, False
    for word in words:
        bare = word.strip(",;:")
        if bare in ("the", "The") and not taken or (taken and bare in ("and", "of", "for", "the")):
            taken.append(bare)
        elif bare[:1].isupper():
            taken.append(bare)
            possessive = bool(re.search(r"[’']s$", bare))
            lowercase_left, plural_only = (2, False) if possessive else (1, True) if _NATIONALITY.search(bare) else (0, False)
        elif lowercase_left and bare.isalpha() and (not plural_only or bare.endswith("s")):
            taken.append(bare)
            lowercase_left -= 1
        else:
            break
    while taken and taken[-1] in ("and", "of", "for", "the"):
        taken.pop()
    if not any(w[:1].isupper() for w in taken):
        return None, False
    return " ".join(taken), False


def _bare(phrase: str) -> str:
    return re.sub(r"^the\s+", "", phrase, flags=re.I).lower()


def _plural(phrase: str) -> bool:
    return " and " in phrase or (phrase.split()[-1].islower() and phrase.endswith("s") and not phrase.endswith("ss"))


def _person(phrase: str, who: bool) -> bool:
    """He/she can mean this phrase: asked "Who is …?", a person's title, or a bare name (not "the …")."""
    return who or bool(_PERSON_NOUN.search(phrase)) or not (phrase.lower().startswith("the ") or _plural(phrase))


def _referring(question: str) -> re.Match | None:
    """The first word that refers back: never "that" as a conjunction ("the accusation that …"), a
    determiner ("that village") or an existential "there" ("Were there …?")."""
    for match in _PRONOUN.finditer(question):
        word, before, after = match.group(1).lower(), question[: match.start()], question[match.end() :]
        if word in _DEMONSTRATIVE and not (_SUBJECT_BEFORE.search(before) or _NEXT_IS_VERB.match(after)):
            continue
        if word == "there" and (
            re.match(r"\s*(?:is|are|was|were|be|been|have|has)\b", after, re.I)
            or re.search(r"\b(?:is|are|was|were)\s+$", before, re.I)
        ):
            continue
        return match
    return None


MEANT_PREVIOUS_CHARS = 300  # of a long previous question, its end: the follow-up must stay inside the encoder's window


def meant(question: str, searched: str, previous: str | None) -> str | None:
    """A follow-up whose reference could not be put in ("What did that trigger?": "that" is an event, not a
    name), with the previous question it refers to: what the question means, for judging how close a
    sentence is to it in meaning. None when the searched question stands alone."""
    if not previous or " ".join(question.split()) != searched or _referring(question) is None:
        return None
    return f"{_tail(' '.join(_clean(previous).split()), MEANT_PREVIOUS_CHARS)} {searched}"


def _clean(previous: str) -> str:
    """Lone surrogates replaced: they never reach the tokenizer."""
    return previous.encode("utf-8", "replace").decode("utf-8")


def _tail(text: str, room: int) -> str:
    """The end of a text in at most ``room`` characters, from a word's start ("" when there is no room)."""
    return text if len(text) <= room else (text[-room:].split(None, 1)[-1] if room else "")


def standalone(question: str, previous: str | None) -> str:
    """The question rewritten to stand alone, given the previous standalone question."""
    return resolve(question, previous)[0]


def resolve(question: str, previous: str | None) -> tuple[str, str | None]:
    """The standalone question, and the antecedent put in for a pronoun (None when nothing was).

    The antecedent is context, not what is asked: in "What does Baku say about the Lachin Corridor?"
    the answer is what Baku says; it need not name the corridor again (see rag/evidence.py)."""
    question = " ".join(question.split())
    if not previous:
        return question, None
    previous = " ".join(previous.split())

    ellipsis = _ELLIPSIS.match(question)
    if ellipsis and not _PRONOUN.search(ellipsis.group("x")):
        new = ellipsis.group("x")
        prior = name_phrases(previous)
        if prior:  # "What about Azerbaijan?": the same question about another name
            target = prior[0] if len(prior) == 1 else next((p for p in prior if _same_kind(p, new)), prior[0])
            return previous.replace(target, new, 1), None
        return f"{previous.rstrip('?')} ({new})?", None

    match = _referring(question)
    if not match:
        return question, None
    antecedent = _antecedent(question, match, previous)
    if antecedent is None:  # unsure: searched as asked
        return question, None
    word = match.group(1).lower()
    subject = match.start() == 0 or bool(_SUBJECT_BEFORE.search(question[: match.start()]))
    if word == "there":
        replacement = f"in {antecedent}"
    elif word in _POSSESSIVE and not (word == "her" and not subject and _object_her(question, match.end())):
        replacement = f"{antecedent}’s"
    else:
        replacement = antecedent
    if match.start() == 0:
        replacement = replacement[0].upper() + replacement[1:]
    return question[: match.start()] + replacement + question[match.end() :], antecedent


def _antecedent(question: str, match: re.Match, previous: str) -> str | None:
    """The one phrase of ``previous`` the referring word can mean, or None when there is not exactly one."""
    word, start = match.group(1).lower(), match.start()
    if word in _DEMONSTRATIVE:  # "What did that trigger?": an event, not a noun phrase of the question
        return None
    if re.match(r"\s+\w+(?:ed|en)\b", question[match.end() :]) and re.search(
        r"\b(?:is|are|was|were)\s+$", question[:start], re.I
    ):
        return None  # "were they used": the thing used is the previous *answer*, which is not known here
    already = {_bare(n) for n in name_phrases(question)}
    subject, who = subject_phrase(previous)
    actor = subject is not None and not _COPULA_Q.match(previous)  # someone who did something, not "What is X?"
    if subject and any(_bare(subject) == a or a in _bare(subject) for a in already):
        subject = None
    objects = [
        n
        for n in name_phrases(previous)
        if not (subject and (_bare(n) in _bare(subject)))
        and not any(_bare(n) == a or _bare(n) in a or a in _bare(n) for a in already)
    ]
    if word in _PERSONAL:
        options = [subject] if subject and _person(subject, who) else [n for n in objects if _person(n, False)]
        return options[0] if len(options) == 1 else None
    if word in _PLURAL:
        options = [p for p in ([subject] if subject else []) + objects if _plural(p)]
        return options[0] if len(options) == 1 else None
    if word == "there":
        places = [n for n in objects if re.search(rf"\b(?:in|to|from|near|at|into|over|controls?)\s+{re.escape(n)}", previous)]
        options = places or ([] if subject else objects)
        return options[-1] if options else None
    singular = [p for p in ([subject] if subject else []) + objects if not _plural(p) and not (p == subject and who)]
    is_subject = start == 0 or bool(_SUBJECT_BEFORE.search(question[:start]))
    if subject in singular and (is_subject or word == "its" or len(singular) == 1):
        return subject
    if actor and not is_subject:  # "What did Armenia say about it?" after "… did Russia deploy …": "it" is the deed
        return None
    options = [p for p in singular if p != subject]
    return options[0] if len(options) == 1 else None


def _object_her(question: str, end: int) -> bool:
    """'her' as an object ("asked her") rather than a possessive ("her office")."""
    rest = question[end:].strip()
    return not rest or rest[0] in "?.!,"


def _same_kind(a: str, b: str) -> bool:
    """Two names of the same shape (both one word, or both several)."""
    return (len(_bare(a).split()) > 1) == (len(_bare(b).split()) > 1)


def keeps_meaning(question: str, previous: str, rewritten: str) -> bool:
    """Whether an LLM's rewrite of a follow-up keeps the new question's intent (every content word of
    it but the referring ones) and, when the rule-based method finds what it refers to, that
    antecedent. Otherwise the rule-based rewrite is used (issue 13: "What did that trigger?" after
    "When did Nagorno-Karabakh declare independence?" came back as "What caused Nagorno-Karabakh to
    declare independence?", the opposite question)."""
    have = set(terms(rewritten))
    asked = set(terms(_PRONOUN.sub(" ", question)))
    if not asked <= have:
        return False
    _, antecedent = resolve(question, previous)
    return antecedent is None or set(terms(antecedent)) <= have


def searched_question(
    question: str, previous: str | None, limit: int, rewrite: Callable[[str, str], str | None] | None = None
) -> tuple[str, str | None]:
    """The question to search, and the words a follow-up borrowed from the conversation (if known).

    ``rewrite(question, previous)``: an LLM's rewrite, used only when it fits ``limit`` and
    ``keeps_meaning``; otherwise the rule-based ``resolve``. A follow-up is judged by its own length:
    a long ``previous`` is cut to its end (and then not used at all) rather than refuse a short
    question as too long."""
    if previous is not None and not isinstance(previous, str):
        raise QuestionError("The previous question must be text (or omitted).")
    if previous:
        previous = _clean(previous)
    if previous and rewrite is not None:
        rewritten = rewrite(question, previous[-limit:])
        if rewritten and len(" ".join(rewritten.split())) <= limit and keeps_meaning(question, previous, rewritten):
            return rewritten, None
    searched, context = resolve(question, previous)
    if len(" ".join(searched.split())) > limit and previous:
        tail = _tail(previous, max(0, limit - len(question) - 10))
        searched, context = resolve(question, tail) if tail else (question, None)
        if len(" ".join(searched.split())) > limit:
            searched, context = question, None
    return searched, context
