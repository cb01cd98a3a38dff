"""The labelled questions over the seed corpus (evals/data/questions.jsonl) and their schema."""

import json
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, model_validator

QUESTIONS = Path(str(resources.files("evals").joinpath("data/questions.jsonl")))


class LabelledQuestion(BaseModel):
    id: str
    question: str
    answerable: bool
    kind: Literal["fact", "multi", "paraphrase", "framing", "near", "off"]
    sources: list[str] = []  # gold articles (file names in the corpus)
    quotes: list[str] = []  # verbatim substrings of a gold article that answer the question
    answer: str = ""  # short reference answer

    @model_validator(mode="after")
    def _gold_when_answerable(self) -> "LabelledQuestion":
        if self.answerable and not (self.sources and self.quotes and self.answer):
            raise ValueError(f"{self.id}: an answerable question needs sources, quotes and an answer")
        return self


def load_questions(path: Path = QUESTIONS) -> list[LabelledQuestion]:
    return [LabelledQuestion(**json.loads(line)) for line in Path(path).read_text().splitlines() if line.strip()]
