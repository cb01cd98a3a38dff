"""The support judge: does passage P support sentence S? Pluggable; the default runs offline.

``HeuristicJudge`` combines hard constraints (every number, date and name of S is in P, and
negation agrees) with soft evidence (IDF-weighted term overlap, shared word pairs, which catch
swapped roles, and whether each name, number and date of S sits beside the same word in P,
which catches a name or a year moved to another fact of the same passage; and the embedding cosine of S and the best window of P) in a logistic model fitted on labelled pairs (evals/data/support_pairs.v1.jsonl,
made by evals/support_pairs.py; fit with `python -m evals.support_pairs --fit`, which writes
rag/judge.json). The answer verifier (rag/verify.py) and the eval suite both use it. Any object with
``name`` and ``support(sentence, passage) -> probability`` can replace it (e.g. an LLM judge).
"""

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from index.analysis import terms, words
from index.sentences import split_sentences

JUDGE_MODEL = Path(__file__).resolve().parent / "judge.json"
FEATURES = ["overlap", "bigrams", "anchored", "cosine", "numbers", "dates", "names", "negation"]

_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
                      "ninety": "90", "hundred": "100", "thousand": "1000", "dozen": "12"})
_NUMBER = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b|\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)
_DATE = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
                   r"jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|monday|tuesday|wednesday|thursday|friday|"
                   r"saturday|sunday)\b", re.I)
_NEGATION = re.compile(r"\b(not|no|never|none|nor|without|cannot)\b|n[’']t\b", re.I)
_CAPITALISED = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w’'-]*[a-z]\b")


class SupportJudge(Protocol):
    name: str
    threshold: float

    def support(self, sentence: str, passage: str) -> float:
        """Probability that the passage supports the sentence."""


def numbers(text: str) -> set[str]:
    out = set()
    for m in _NUMBER.finditer(text):
        token = m.group(0).lower()
        out.add(_NUMBER_WORDS.get(token, token.replace(",", "").rstrip(".")))
    return out


def dates(text: str) -> set[str]:
    return {m.group(0).lower()[:3] for m in _DATE.finditer(text)}


def names(text: str) -> set[str]:
    return {t for m in _CAPITALISED.finditer(text) for t in terms(m.group(0))} - set(terms(" ".join(_DATE_WORDS)))


_DATE_WORDS = ["January February March April May June July August September October November December",
               "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"]


@dataclass(frozen=True)
class JudgeModel:
    coef: list[float]
    intercept: float
    threshold: float

    @classmethod
    def load(cls, path: Path = JUDGE_MODEL) -> "JudgeModel":
        data = json.loads(Path(path).read_text())
        return cls(data["coef"], data["intercept"], data["threshold"])


class HeuristicJudge:
    name = "heuristic-v1"

    def __init__(self, embed: Callable[[list[str]], np.ndarray], idf: Callable[[str], float], model: JudgeModel | None = None) -> None:
        self.embed = embed
        self.idf = idf
        self.model = model
        self.threshold = model.threshold if model else 0.5

    def features(self, sentence: str, passage: str) -> dict[str, float]:
        s_seq, p_seq = terms(sentence), terms(passage)
        s_terms, p_terms = set(s_seq), set(p_seq)
        s_bigrams = set(zip(s_seq, s_seq[1:]))
        mass = sum(self.idf(t) for t in s_terms) or 1.0
        overlap = sum(self.idf(t) for t in s_terms if t in p_terms) / mass
        spans = split_sentences(passage) or [(0, len(passage))]
        windows = [passage[a:b] for a, b in spans] + [passage[spans[i][0]:spans[i + 1][1]] for i in range(len(spans) - 1)]
        vectors = self.embed([sentence] + windows)
        cosines = vectors[1:] @ vectors[0]
        best = windows[int(np.argmax(cosines))]
        s_names = names(sentence)
        p_words = set(words(passage)) | p_terms
        p_bigrams = set(zip(p_seq, p_seq[1:]))
        specific = s_names | set(terms(" ".join(numbers(sentence) | dates(sentence))))
        spots = [i for i, t in enumerate(s_seq) if t in specific]
        anchored = [i for i in spots if (i and (s_seq[i - 1], s_seq[i]) in p_bigrams)
                    or (i + 1 < len(s_seq) and (s_seq[i], s_seq[i + 1]) in p_bigrams)]
        return {
            "overlap": overlap,
            "bigrams": len(s_bigrams & p_bigrams) / len(s_bigrams) if s_bigrams else 1.0,
            "anchored": len(anchored) / len(spots) if spots else 1.0,
            "cosine": float(cosines.max()),
            "numbers": float(numbers(sentence) <= numbers(passage)),
            "dates": float(dates(sentence) <= dates(passage)),
            "names": sum(1 for n in s_names if n in p_words) / len(s_names) if s_names else 1.0,
            "negation": float(bool(_NEGATION.search(sentence)) == bool(_NEGATION.search(best))),
        }

    def probability(self, features: dict[str, float]) -> float:
        if self.model is None:
            raise RuntimeError("The judge has no fitted model: run `python -m evals.support_pairs --fit`.")
        z = self.model.intercept + sum(c * features[f] for f, c in zip(FEATURES, self.model.coef))
        return 1.0 / (1.0 + math.exp(-z))

    def support(self, sentence: str, passage: str) -> float:
        return self.probability(self.features(sentence, passage))
