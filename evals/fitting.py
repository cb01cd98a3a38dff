"""A logistic regression whose coefficients keep the signs their features' meanings give them.

Used by the reader's calibration (evals/calibrate.py) and the support judge's fit
(evals/support_pairs.py): evidence may only raise a score and a penalty only lower it. A feature
fitted the other way (collinear with another, or an artefact of the fitting data) is dropped and the
rest refitted, until every kept coefficient has its sign.
"""

import numpy as np
from scipy.special import expit


class SignedLogistic:
    """``lowering``: the features whose coefficients must be <= 0; every other one must be >= 0."""

    def __init__(self, features: list[str], lowering, *, max_iter: int = 2000, **options) -> None:
        self.features, self.lowering, self.max_iter, self.options = list(features), frozenset(lowering), max_iter, options

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> "SignedLogistic":
        from sklearn.linear_model import LogisticRegression

        sign = np.array([-1.0 if f in self.lowering else 1.0 for f in self.features])
        used = np.ones(len(self.features), dtype=bool)
        while True:
            model = LogisticRegression(max_iter=self.max_iter, **self.options).fit(X[:, used], y, sample_weight=sample_weight)
            coef = np.zeros(len(self.features))
            coef[used] = model.coef_[0]
            wrong = used & (coef * sign < 0)
            if not wrong.any():
                break
            used &= ~wrong
        self.coef_, self.intercept_ = coef[None, :], model.intercept_
        self.dropped = [f for f, u in zip(self.features, used) if not u]
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return X @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = expit(self.decision_function(X))
        return np.stack([1 - p, p], axis=1)
