"""The one loader of fitted logistic models: named features, their coefficients and an intercept.

The reader's ranker and decision (reader.json, fitted by evals/calibrate.py) and the support judge
(judge.json, fitted by evals/support_pairs.py) are both read through ``LogisticModel.from_json``,
which checks that every coefficient has its feature's name; ``logit`` matches values to weights by
name, so a model fitted on other features than this version computes is refused with a message.
"""

import math
from dataclasses import dataclass

from .errors import RagError


@dataclass(frozen=True)
class LogisticModel:
    """Log-odds = intercept + sum of coefficient x feature value, over named features."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    source: str = "the model"  # for messages: the file and how to refit it

    @classmethod
    def from_json(cls, data: dict, source: str) -> "LogisticModel":
        features, coef = tuple(data["features"]), tuple(float(c) for c in data["coef"])
        if len(features) != len(coef):
            raise RagError(f"{source}: {len(features)} features but {len(coef)} coefficients")
        return cls(features, coef, float(data["intercept"]), source)

    def logit(self, values: dict[str, float]) -> float:
        missing = [f for f in self.features if f not in values]
        if missing:
            raise RagError(f"{self.source} names features {missing} that this version does not compute")
        return self.intercept + sum(c * values[f] for f, c in zip(self.features, self.coef))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))
