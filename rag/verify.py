"""Verification of generated answers: every sentence must be supported by the passages it cites.

A sentence that cites nothing, cites a passage that does not exist, or is not supported by what it
cites (the support judge, rag/judge.py) is removed, or kept and visibly flagged. If nothing
survives, the answer becomes a refusal.
"""

import re
from dataclasses import dataclass

from index.sentences import split_sentences

from .llm import INJECTION

_MARKERS = re.compile(r"\s*(\[\d+\])+")


@dataclass
class Checked:
    text: str  # without markers
    cited: list[int]
    verdict: str  # "supported", "uncited", "dangling", "unsupported"
    probability: float = 0.0


def check(answer: str, passages: dict[int, str], judge) -> list[Checked]:
    out = []
    for a, b in split_sentences(answer):
        raw = answer[a:b]
        cited = [int(n) for n in re.findall(r"\[(\d+)\]", raw)]
        text = _MARKERS.sub("", raw).strip()
        if not re.search(r"\w", text):
            continue
        if not cited:
            out.append(Checked(text, cited, "uncited"))
            continue
        if any(n not in passages for n in cited):
            out.append(Checked(text, cited, "dangling"))
            continue
        evidence = " ".join(passages[n] for n in dict.fromkeys(cited) if not INJECTION.search(passages[n]))
        probability = judge.support(text, evidence) if evidence else 0.0
        out.append(Checked(text, cited, "supported" if probability >= judge.threshold else "unsupported", probability))
    return out
