"""Gold datasets: the schema of a case, and loading the seed gold set or any JSONL file of cases
(the named sets, ClapNQ and SQuAD included: evals/benchmarks.py).

The seed gold set is versioned by file name (``seeds_gold.v1.jsonl``); a change of meaning gets
a new version so that figures stay comparable. Each line is one ``GoldCase``.
"""

import json
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, model_validator

DATA = Path(str(resources.files("evals").joinpath("data")))
SEEDS_GOLD = DATA / "seeds_gold.v1.jsonl"


class GoldCase(BaseModel):
    id: str
    question: str
    answerable: bool
    kind: Literal["fact", "multi", "paraphrase", "framing", "followup", "near", "off", "clapnq", "squad2"]
    split: Literal["train", "dev", "test"] = "test"  # train: fits the reader; dev: its calibration; test: no fitting
    previous: str | None = None  # for a follow-up: the question asked before it
    sources: list[str] = []  # gold articles (sources in the corpus)
    quotes: list[str] = []  # verbatim substrings of a gold article that answer the question
    answer: str = ""  # short reference answer
    references: list[str] = []  # further reference answers (ClapNQ has several)
    key: list[str] = []  # the key fact: the answer is right on it if it contains any of these

    @model_validator(mode="after")
    def _gold_when_answerable(self) -> "GoldCase":
        if self.answerable and not (self.sources and self.quotes and self.answer):
            raise ValueError(f"{self.id}: an answerable case needs sources, quotes and a reference answer")
        if not self.answerable and (self.sources or self.quotes):
            raise ValueError(f"{self.id}: an unanswerable case has no gold sources or quotes")
        return self


def load_cases(path: Path = SEEDS_GOLD) -> list[GoldCase]:
    cases = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                cases.append(GoldCase(**json.loads(line)))
            except (ValueError, TypeError) as err:
                raise ValueError(f"{path} line {number}: {err}") from err
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: duplicate case ids")
    return cases
