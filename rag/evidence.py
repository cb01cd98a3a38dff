"""Sentence-level evidence: which sentences of the retrieved chunks answer the question, and how well.

Features per sentence (all cheap, no model beyond the embedder):
  dense     cosine of question and sentence embeddings
  coverage  IDF-weighted share of the question's content terms found in the sentence
  context   the same share over the sentence, its neighbours and the title (a name may sit one sentence earlier)
  names     share of the question's capitalised names found in that window
  type_ok   the sentence holds a filler of the expected answer type (a number for "how many",
            a date for "when", a name for "who") that is not already in the question
"""

import math
import re
from dataclasses import dataclass, field

import numpy as np

from index.analysis import STOPWORDS, terms, words
from index.lexical import LexicalIndex

from .retrieve import Retrieved

# Words that shape a question without naming what it is about.
_QUESTION_NOISE = frozenset(terms(
    "happen happened describe description role react reaction respond response kind type name "
    "called call mean meaning explain reason according article report reported news corpus many much "
    "long often first"
))

_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds "
    "thousand thousands million millions billion dozen dozens"
).split()
_NUMBER = re.compile(r"\b(\d[\d,.]*|" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_MONTHS = "january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec"
_DATE = re.compile(
    r"\b(" + "|".join(_MONTHS.split()) + r")\b\.?|\b(1[5-9]\d\d|20\d\d)s?\b|\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"\b(yesterday|today|last (year|month|week|fall|spring|summer|winter)|earlier this (week|month|year))\b",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"\b(\d[\d,.]*|" + "|".join(_NUMBER_WORDS) + r"|several|few)[- ](day|week|month|year|hour|minute|decade)s?\b",
    re.IGNORECASE,
)
_LENGTH = re.compile(
    r"\b(\d[\d,.]*|" + "|".join(_NUMBER_WORDS) + r")[- ]?(km|kilometres?|kilometers?|miles?|metres?|meters?|feet|foot)\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*[a-zA-Z]\b|\b[A-Z]{2,}\b")

_QUESTION_TYPES = [
    ("length", re.compile(r"\bhow (long|wide|far|high|tall) (is|are)\b|\bwhat is the (length|distance|width)\b", re.I)),
    ("duration", re.compile(r"^\s*(for )?how long\b", re.I)),
    ("number", re.compile(r"^\s*how (many|much)\b|\b(what|which) (is|was|were|are) the (number|population|size|length|area|price|cost|death toll|gdp|height|age|percentage|share|amount)\b|\bhow many\b|\bhow much\b", re.I)),
    ("date", re.compile(r"^\s*when\b|\b(what|which) (year|date|day|month|time)\b|\bin (what|which) year\b|\bsince when\b", re.I)),
    ("entity", re.compile(r"^\s*(who|whom|whose|where)\b|\b(with whom|to whom|by whom)\b|\bwhich (\w+ )?(person|official|minister|leader|outlet|organi[sz]ation|group|country|countries|alliance|village|city|town|agency|newspaper|president|general|commander|party)\b|\bwhat is the name\b", re.I)),
]


def question_type(question: str) -> str:
    for name, pattern in _QUESTION_TYPES:
        if pattern.search(question):
            return name
    return "any"


@dataclass
class Question:
    text: str
    type: str
    terms: list[str]  # distinct content terms, question noise removed
    weights: dict[str, float]  # IDF per term
    lowered_words: set[str]
    names: list[str]  # stemmed terms of the question's capitalised words (names, places, organisations)

    @property
    def mass(self) -> float:
        return sum(self.weights.values()) or 1.0


CONTEXT_WEIGHT = 0.25  # weight of the terms a follow-up borrowed from the previous question


def analyze(question: str, lexical: LexicalIndex, context: str | None = None) -> Question:
    """``context``: words of the question that came from the conversation (a follow-up's antecedent):
    they count less, since the sentence that answers may leave them to its neighbours."""
    content = [t for t in dict.fromkeys(terms(question)) if t not in _QUESTION_NOISE]
    capitalised = [m.group(0) for m in _CAPITALISED.finditer(question) if m.start() > 0]
    names = [t for t in dict.fromkeys(terms(" ".join(capitalised))) if t in content]
    borrowed = set(terms(context)) if context else set()
    return Question(
        text=question, type=question_type(question), terms=content,
        weights={t: lexical.idf(t) * (CONTEXT_WEIGHT if t in borrowed else 1.0) for t in content},
        lowered_words=set(words(question)), names=[t for t in names if t not in borrowed],
    )


@dataclass
class Candidate:
    """One sentence of a retrieved chunk, with its features."""

    retrieved: Retrieved
    index: int  # sentence index within the chunk
    text: str
    orig_start: int
    orig_end: int
    terms: set[str]
    dense: float = 0.0
    coverage: float = 0.0
    context: float = 0.0
    names: float = 0.0
    type_ok: float = 0.0
    fillers: set[str] = field(default_factory=set)
    score: float = 0.0
    vector: np.ndarray | None = None

    @property
    def document_id(self) -> str:
        return self.retrieved.chunk.document_id


def candidates(retrieved: list[Retrieved]) -> list[Candidate]:
    """Distinct sentences of the retrieved chunks (overlapping chunks share sentences)."""
    seen: set[tuple[str, int]] = set()
    out = []
    for r in retrieved:
        for i, (cs, ce, os_, oe) in enumerate(r.chunk.sentences):
            key = (r.chunk.document_id, os_)
            if key in seen:
                continue
            seen.add(key)
            text = r.chunk.text[cs:ce]
            out.append(Candidate(r, i, text, os_, oe, set(terms(text))))
    return out


def fillers(text: str, qtype: str, question_words: set[str]) -> set[str]:
    """Answer-type fillers in a sentence that the question does not already contain."""
    if qtype == "number":
        found = {m.group(0).lower().rstrip(".,") for m in _NUMBER.finditer(text)}
        found -= {m.group(0).lower() for m in _DATE.finditer(text) if m.group(2)}  # years are dates, not counts
    elif qtype == "date":
        found = {m.group(0).lower().rstrip(".") for m in _DATE.finditer(text)}
    elif qtype == "duration":
        found = {m.group(0).lower() for m in _DURATION.finditer(text)}
    elif qtype == "length":
        found = {m.group(0).lower() for m in _LENGTH.finditer(text)}
    elif qtype == "entity":
        found = {m.group(0).lower() for m in _CAPITALISED.finditer(text) if m.start() > 0 or " " not in text[:1]}
    else:
        return set()
    return {f for f in found if not set(words(f)) <= question_words}


def lexical_features(question: Question, cands: list[Candidate]) -> None:
    """The features that need no embedding (cheap), in place."""
    for c in cands:
        c.coverage = _covered(question, c.terms)
        window = c.terms | _window_terms(c)
        c.context = _covered(question, window)
        c.names = sum(1 for t in question.names if t in window) / len(question.names) if question.names else 1.0
        c.fillers = fillers(c.text, question.type, question.lowered_words)
        c.type_ok = 1.0 if question.type == "any" or c.fillers else 0.0


TOP_CHUNK_BONUS = 0.3


def shortlist(cands: list[Candidate], size: int) -> list[Candidate]:
    """The candidates worth embedding (embedding sentences is the costly step of a question): the best
    ``size`` by their lexical features, with a head start for the sentences of the best chunk (one of
    them may answer in other words)."""
    if len(cands) <= size:
        return cands
    return sorted(cands, key=lambda c: 0.5 * c.coverage + 0.2 * c.context + 0.2 * c.type_ok + 0.1 / (1 + c.retrieved.rank)
                  + (TOP_CHUNK_BONUS if c.retrieved.rank == 0 else 0.0), reverse=True)[:size]


def score_candidates(question: Question, cands: list[Candidate], sentence_vectors: np.ndarray, query_vector: np.ndarray) -> None:
    """Add the embedding similarity to candidates that have their lexical features, and rank-score them."""
    dense = sentence_vectors @ query_vector
    for c, d, vector in zip(cands, dense, sentence_vectors):
        c.dense = float(d)
        c.vector = vector
        c.score = 0.4 * c.dense + 0.3 * c.coverage + 0.1 * c.context + 0.1 * c.names + 0.1 * c.type_ok


def _window_terms(c: Candidate) -> set[str]:
    """Terms of the sentences just before and after a candidate, and of its article's title."""
    chunk = c.retrieved.chunk
    around = [chunk.text[s[0]:s[1]] for s in chunk.sentences[max(0, c.index - 1):c.index + 2]]
    return set(terms(chunk.title + " " + " ".join(around)))


def _covered(question: Question, present: set[str]) -> float:
    if not question.terms:
        return 0.0
    return sum(w for t, w in question.weights.items() if t in present) / question.mass


def missing_mass(question: Question, retrieved: list[Retrieved]) -> float:
    """Share of the question's IDF mass found in no retrieved chunk at all."""
    present: set[str] = set()
    for r in retrieved:
        present |= set(terms(r.chunk.title + " " + r.chunk.text))
    return 1.0 - _covered(question, present) if question.terms else 1.0


def unknown_terms(question: Question, lexical: LexicalIndex) -> list[str]:
    return [t for t in question.terms if lexical.df.get(t, 0) == 0]


def decision_features(question: Question, best: Candidate | None, retrieved: list[Retrieved], lexical: LexicalIndex) -> dict[str, float]:
    """The features the answer/abstain classifier sees (see rag/abstain.json)."""
    if best is None:
        return {"dense": 0.0, "coverage": 0.0, "context": 0.0, "names": 0.0, "type_ok": 0.0, "missing": 1.0, "unknown": 1.0}
    unknown = unknown_terms(question, lexical)
    return {
        "dense": best.dense,
        "coverage": best.coverage,
        "context": best.context,
        "names": best.names,
        "type_ok": best.type_ok,
        "missing": missing_mass(question, retrieved),
        "unknown": sum(question.weights[t] for t in unknown) / question.mass if question.terms else 1.0,
    }


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
