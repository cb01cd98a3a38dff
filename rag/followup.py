"""Follow-up questions -> standalone questions, without an LLM.

"What did Russia say about it?" after "Who blocked the Lachin Corridor?" becomes "What did
Russia say about the Lachin Corridor?". The method: find the referring word (a pronoun, "there",
or an elliptical "What about X?"), pick its antecedent among the named phrases of the previous
standalone question (capitalised spans, e.g. "the Lachin Corridor", "Nikol Pashinyan") that the
new question does not already name: the first one when the pronoun is a subject, the last one
when it is an object. No antecedent, no rewrite: the question is searched as asked.
"""

import re

_NAME = re.compile(r"\b(?:the\s+)?(?:[A-Z][\w’'.-]*[\w]|[A-Z]{2,})(?:\s+(?:of\s+the\s+|of\s+|for\s+the\s+)?(?:[A-Z][\w’'.-]*[\w]|[A-Z]{2,}))*")
_ELLIPSIS = re.compile(r"^\s*(?:and\s+|what\s+about\s+|how\s+about\s+|and\s+what\s+about\s+)(?P<x>.+?)\s*\??\s*$", re.I)
_PRONOUN = re.compile(r"\b(it|its|they|them|their|this|that|these|those|there|he|him|his|she|her)\b", re.I)
_SUBJECT_BEFORE = re.compile(r"\b(did|does|do|is|was|were|are|has|have|had|will|would|can|could|should)\s+$", re.I)
_QUESTION_START = {"who", "what", "when", "where", "why", "how", "which", "whom", "whose", "did", "does", "do", "is", "was", "are", "were", "can"}
_POSSESSIVE = {"its", "their", "his", "her"}
_PLURAL = {"they", "them", "their", "these", "those"}


def names(text: str) -> list[str]:
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


def _bare(phrase: str) -> str:
    return re.sub(r"^the\s+", "", phrase, flags=re.I).lower()


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
    already = {_bare(n) for n in names(question)}
    candidates = [n for n in names(previous) if _bare(n) not in already and not any(_bare(n) in a or a in _bare(n) for a in already)]

    ellipsis = _ELLIPSIS.match(question)
    if ellipsis and not _PRONOUN.search(ellipsis.group("x")):
        new = ellipsis.group("x")
        prior = names(previous)
        if prior:  # "What about Azerbaijan?": the same question about another name
            target = prior[0] if len(prior) == 1 else next((p for p in prior if _same_kind(p, new)), prior[0])
            return previous.replace(target, new, 1), None
        return f"{previous.rstrip('?')} ({new})?", None

    match = _PRONOUN.search(question)
    if not match or not candidates:
        return question, None
    word = match.group(1)
    subject = match.start() == 0 or bool(_SUBJECT_BEFORE.search(question[:match.start()]))
    antecedent = candidates[0] if subject else candidates[-1]
    if word.lower() in _PLURAL and len(candidates) >= 2:
        antecedent = f"{candidates[0]} and {candidates[1]}"
    if word.lower() == "there":
        replacement = f"in {antecedent}"
    elif word.lower() in _POSSESSIVE and not (word.lower() == "her" and not subject and _object_her(question, match.end())):
        replacement = f"{antecedent}’s"
    else:
        replacement = antecedent
    if match.start() == 0:
        replacement = replacement[0].upper() + replacement[1:]
    return question[:match.start()] + replacement + question[match.end():], antecedent


def _object_her(question: str, end: int) -> bool:
    """'her' as an object ("asked her") rather than a possessive ("her office")."""
    rest = question[end:].strip()
    return not rest or rest[0] in "?.!,"


def _same_kind(a: str, b: str) -> bool:
    """Two names of the same shape (both one word, or both several)."""
    return (len(_bare(a).split()) > 1) == (len(_bare(b).split()) > 1)
