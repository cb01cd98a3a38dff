"""The support judge: does passage P support sentence S? Pluggable; the default runs offline.

``HeuristicJudge`` (v2, issue 13) scores a pair with a logistic model over positive evidence (the
IDF-weighted share of S's terms found in P, with news synonyms and aliases merged: "Moscow" is
Russia, "died" is "claimed … lives"; shared word pairs; the embedding cosine of S and the best window
of P) and penalties (a name, number or date of S missing from P, away from the words it sits beside,
or spread over several sentences of P; a copied sentence with one name or number edited; a negation
that disagrees; new content words). Penalties are 0 when S has nothing to check, and a sentence with
no content term in P scores 0, so nothing passes on the constant terms: v1 gave an invented claim
0.98 and generic filler 0.87 because an absent name "matched" by default.

The model is fitted on adversarial pairs made from the seeds (evals/support_pairs.py: invented,
generic, swapped, negated, and supported aliases, pronouns, paraphrases), with
`python -m evals.fit_judge --out DIR`, whose judge.json is copied to rag/; `python -m evals.judge_eval`
reports it per class of pair on the held-out part. The answer verifier (rag/verify.py), `rag check`
(``check_lines``) and the eval suite all use it. Any object with ``name``, ``threshold`` and
``support(sentence, passage) -> probability`` can replace it (e.g. an LLM judge).
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Protocol

import numpy as np

from index.analysis import STOPWORDS, words
from index.analysis import _stem as stem
from index.sentences import split_sentences

from .errors import RagError
from .lexicon import MONTH_ABBREVIATIONS, MONTHS, NUMBER_VALUES, WEEKDAYS
from .logistic import LogisticModel, sigmoid
from .places import COUNTRY_OF_ADJECTIVE, COUNTRY_OF_CAPITAL

JUDGE_MODEL = Path(__file__).resolve().parent / "judge.json"
FEATURES = [
    "coverage",
    "novel",
    "novel_max",
    "bigrams",
    "cosine",
    "names_missing",
    "numbers_missing",
    "dates_missing",
    "unanchored",
    "edited",
    "scattered",
    "negation",
]

ANCHOR = 3  # a name, number or date of S is anchored when a term this close to it in S is this close to it in P
_NUMBER_WORDS = NUMBER_VALUES
_NUMBER = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b|\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)
_DATE = re.compile(
    r"\b(" + "|".join([m.lower() for m in MONTHS] + list(MONTH_ABBREVIATIONS) + [d.lower() for d in WEEKDAYS]) + r")\b", re.I
)
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


# a month's abbreviation too: the analyzer reads "Nov." as November only beside its day (index/analysis.py), and
# a capitalised word taken alone has none
_DATE_WORDS = [" ".join(MONTHS), " ".join(WEEKDAYS), " ".join(MONTH_ABBREVIATIONS)]


@dataclass(frozen=True)
class JudgeModel:
    logistic: LogisticModel
    threshold: float

    @classmethod
    def load(cls, path: Path = JUDGE_MODEL) -> "JudgeModel":
        data = json.loads(Path(path).read_text())
        source = f"{path} (refit: python -m evals.fit_judge --out DIR)"
        logistic = LogisticModel.from_json(data, source)
        if list(logistic.features) != FEATURES:
            raise RagError(f"{source} was fitted on the features {list(logistic.features)}, but this version computes {FEATURES}")
        return cls(logistic, data["threshold"])


# Words a news judge may take as the same fact: (canonical, variants). Matching only: nothing here adds a fact.
_SAME = [
    ("armenia", "armania"),
    ("karabakh", "nagorno enclave"),
    ("troop", "troops soldier soldiers servicemen serviceman forces army military"),
    ("die", "died dead death deaths killed kill kills killing lives life fatalities perished"),
    ("send", "sent deployed deploy deploys dispatched deploying sending"),
    ("war", "wars conflict conflicts fighting fought hostilities"),
    ("clash", "clashes firefight shootout confrontation skirmish"),
    ("ceasefire", "truce ceasefires truces"),
    ("block", "blocked blockade blocking blocks"),
    ("concern", "concerns concerned worry worried alarm"),
    ("urge", "urged urges appealed"),
    ("accuse", "accused accuses accusing blamed blame blames blaming"),
    ("stop", "stopped halt halted halts end ended ending"),
    ("recognise", "recognised recognized recognizes recognises"),
    ("withdraw", "withdrawal withdrew pull"),
    ("deny", "denies denied rejected rejects dismissed"),
]
# A capital and an adjective of nationality are the country ("Moscow said", "Russian officials": Russia).
_CANON = COUNTRY_OF_CAPITAL | COUNTRY_OF_ADJECTIVE | {v: canon for canon, variants in _SAME for v in variants.split()}
# Words that state no fact of their own: people "died" is the deaths' fact; "passage" and "evidence" are about the prompt.
_LIGHT = frozenset(
    "people person also passage passages article articles evidence source sources text document supported "
    "mentioned stated".split()
)


def claim_terms(text: str) -> list[str]:
    """Stemmed content terms with the synonyms of ``_SAME`` merged and fact-free words left out."""
    text = re.sub(r"\bcease-fire", "ceasefire", text, flags=re.I)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # "6,500" is one term, "6500"
    out = []
    for w in words(text):
        w = _CANON.get(w, _NUMBER_WORDS.get(w, w))  # "three" and "3" are one term
        if w not in STOPWORDS and w not in _LIGHT:
            out.append(stem(w))
    return out


_DATE_TERMS = set(claim_terms(" ".join(_DATE_WORDS)))


class HeuristicJudge:
    """Hard constraints as penalties (a name, number or date of S missing from P, moved to another fact, or
    spread over several sentences of P; a negation that disagrees) and positive evidence (IDF-weighted
    coverage of S's terms, shared word pairs, embedding cosine) in a logistic model.

    Every constraint feature is 0 when S has nothing to check, and a sentence that shares no content
    term with P scores 0: a sentence never passes on the model's constant terms (issue 13: generic and
    invented sentences with no names or numbers passed every check by default)."""

    name = "heuristic-v2"

    def __init__(
        self, embed: Callable[[list[str]], np.ndarray], idf: Callable[[str], float], model: JudgeModel | None = None
    ) -> None:
        self.embed = embed
        self.idf = idf
        self.model = model
        self.threshold = model.threshold if model else 0.5

    def features(self, sentence: str, passage: str) -> dict[str, float]:
        s_seq, p_seq = claim_terms(sentence), claim_terms(passage)
        s_terms, p_terms = set(s_seq), set(p_seq)
        s_bigrams, p_bigrams = set(zip(s_seq, s_seq[1:])), set(zip(p_seq, p_seq[1:]))
        weights = {t: self.idf(t) for t in s_terms}
        mass = sum(weights.values()) or 1.0
        unmatched = [weights[t] for t in s_terms - p_terms]
        top = self.idf("\x00unseen")  # the IDF of a term absent from the corpus: the most a term can weigh
        spans = split_sentences(passage) or [(0, len(passage))]
        sentence_terms = [claim_terms(passage[a:b]) for a, b in spans]  # P's sentences, term by term
        windows = [passage[a:b] for a, b in spans] + [passage[spans[i][0] : spans[i + 1][1]] for i in range(len(spans) - 1)]
        vectors = self.embed([sentence] + windows)
        cosines = vectors[1:] @ vectors[0]
        best = windows[int(np.argmax(cosines))]
        s_names = set(claim_terms(" ".join(m.group(0) for m in _CAPITALISED.finditer(sentence)))) - _DATE_TERMS
        specific = (
            s_names | set(claim_terms(" ".join(m.group(0) for r in (_NUMBER, _DATE) for m in r.finditer(sentence))))
        ) & s_terms
        spots = [i for i, t in enumerate(s_seq) if t in specific]
        near = {}  # each term of P -> the terms within ANCHOR positions of one of its occurrences
        for j, t in enumerate(p_seq):
            near.setdefault(t, set()).update(p_seq[max(0, j - ANCHOR) : j + ANCHOR + 1])
        # a month or weekday that opens or closes the sentence of P that S restates may close or open S ("In
        # December, X blocked Y" is "X blocked Y in December"): a time adverbial moves within its clause; a date
        # in the middle, or of another sentence, is held to its neighbours, as names and numbers are
        restated = max(sentence_terms, key=lambda seq: len(s_terms & set(seq)))
        movable = _DATE_TERMS & set(restated[:ANCHOR] + restated[-ANCHOR:])
        moved = {i for i in spots if s_seq[i] in movable and (i < ANCHOR or i >= len(s_seq) - ANCHOR)}
        anchored = [
            i
            for i in spots
            if i in moved or (set(s_seq[max(0, i - ANCHOR) : i + ANCHOR + 1]) - {s_seq[i]}) & near.get(s_seq[i], set())
        ]
        matcher = SequenceMatcher(None, s_seq, p_seq, autojunk=False)
        aligned = {i for a, _, n in matcher.get_matching_blocks() for i in range(a, a + n)}  # S's terms in P's order
        replaced = {
            i for tag, a, b, _, _ in matcher.get_opcodes() if tag == "replace" for i in range(a, b)
        }  # where P has another
        copied = [
            i
            for i in spots
            if i in aligned
            or i in moved
            or (i in anchored and i not in replaced)
            or (i and (s_seq[i - 1], s_seq[i]) in p_bigrams)
            or (i + 1 < len(s_seq) and (s_seq[i], s_seq[i + 1]) in p_bigrams)
        ]  # in P's order, moved with a neighbour, or moved beside its neighbours of P without standing for another term
        # ("Russian foreign ministry" for "foreign ministry in Moscow"; "Armenia and Armenia" stands for "Armenia and Azerbaijan")
        found = specific & p_terms
        together = max((len(found & set(seq)) for seq in sentence_terms), default=0)
        return {
            "coverage": sum(weights[t] for t in s_terms & p_terms) / mass,
            "novel": min(1.0, sum(unmatched) / (2 * top)),
            "novel_max": max(unmatched, default=0.0) / top,
            "bigrams": len(s_bigrams & p_bigrams) / len(s_bigrams) if s_bigrams else 0.0,
            "cosine": float(cosines.max()),
            "names_missing": len(s_names - p_terms) / len(s_names) if s_names else 0.0,
            "numbers_missing": float(not numbers(sentence) <= numbers(passage)),
            "dates_missing": float(not dates(sentence) <= dates(passage)),
            "unanchored": 1 - len(anchored) / len(spots) if spots else 0.0,
            # a copied sentence whose name, number or date is not beside its neighbours of P: a swap (issue 13)
            "edited": len(s_bigrams & p_bigrams) / len(s_bigrams) * (1 - len(copied) / len(spots))
            if spots and s_bigrams
            else 0.0,
            "scattered": 1 - together / len(found) if len(found) >= 2 else 0.0,
            "negation": float(bool(_NEGATION.search(sentence)) != bool(_NEGATION.search(best))),
        }

    def probability(self, features: dict[str, float]) -> float:
        if self.model is None:
            raise RuntimeError(
                "The judge has no fitted model: run `python -m evals.fit_judge --out DIR` and copy its judge.json to rag/."
            )
        return sigmoid(self.model.logistic.logit(features))

    def support(self, sentence: str, passage: str) -> float:
        features = self.features(sentence, passage)
        if features["coverage"] == 0.0:  # no content term in common: nothing the constant terms may pass
            return 0.0
        return self.probability(features)


def verdict(judge: SupportJudge, sentence: str, passage: str) -> dict:
    """{"verdict": "supported" | "unsupported", "score": probability}: the judge the LLM path uses, for anyone's sentences."""
    score = float(judge.support(sentence, passage))
    return {"verdict": "supported" if score >= judge.threshold else "unsupported", "score": round(score, 4)}


def check_lines(lines, judge: SupportJudge):
    """Judge JSONL lines of {"sentence": str, "passage": str} (an optional "question" is accepted, and not used:
    the judge checks support, not relevance). Yields (line number, verdict dict or None, error or None);
    blank lines are skipped silently, a bad line yields its reason so a caller can report it and go on."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as err:
            yield number, None, f"not JSON ({err})"
            continue
        if not isinstance(record, dict):
            yield number, None, "not a JSON object"
            continue
        bad = [k for k in ("sentence", "passage") if not isinstance(record.get(k), str) or not record[k].strip()]
        if bad:
            yield number, None, f"needs a non-empty string {' and '.join(repr(k) for k in bad)}"
            continue
        if "question" in record and not isinstance(record["question"], str):
            yield number, None, "'question' must be a string"
            continue
        yield number, verdict(judge, record["sentence"], record["passage"]), None


def for_assistant(assistant) -> "HeuristicJudge":
    """The judge an Assistant verifies LLM answers with (its IDF is the indexed corpus's)."""
    return assistant.judge
