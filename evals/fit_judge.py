"""Fit the support judge (rag/judge.json) on the fit part of its adversarial pairs.

    python -m evals.fit_judge --out build/judge      # writes build/judge/judge.json; copy it to rag/ to ship it

The pairs are evals/support_pairs.py's (evals/data/support_pairs.v2.jsonl, or made afresh when that
file is missing); the per-class report on the test part is evals/judge_eval.py's. Every feature keeps
its sign (evals/fitting.py): evidence may only raise the score and a penalty only lower it.
"""

import argparse
import json
from pathlib import Path

import numpy as np

from rag.judge import FEATURES, JUDGE_MODEL, JudgeModel
from rag.logistic import LogisticModel

from .fitting import SignedLogistic
from .judge_eval import CLASSES, evaluate, load_pairs, seed_judge
from .support_pairs import PAIRS

EVIDENCE = {"coverage", "bigrams", "cosine"}  # the judge's features that speak for support; the rest are penalties


def fit(pairs: list[dict], out: Path) -> dict:
    """Fit the judge's logistic model on the fit part, pick its threshold there, report the test part per class.

    The threshold is the lowest at which no adversarial class of the fit part (invented, generic,
    swapped) passes more than 3%: issue 13 asks for at most 5% on the test part, and a lenient
    judge is the failure that shows wrong answers to users; a strict one only refuses."""

    judge = seed_judge(JudgeModel(LogisticModel(tuple(FEATURES), (0.0,) * len(FEATURES), 0.0), 0.5))  # features only
    rows = [judge.features(p["sentence"], p["passage"]) for p in pairs]
    X = np.array([[r[f] for f in FEATURES] for r in rows])
    gate = np.array([r["coverage"] > 0 for r in rows])  # the judge's own rule: no shared term, no support
    y = np.array([p["supported"] for p in pairs], dtype=int)
    train = np.array([p["split"] == "train" for p in pairs])
    # evidence may only raise the score and a penalty only lower it: a feature fitted with the other sign
    # (collinear with coverage, as v1's bigram weight of -5.03 was) is dropped and the rest refitted
    penalties = [f for f in FEATURES if f not in EVIDENCE]
    model = SignedLogistic(FEATURES, penalties, max_iter=5000, C=10.0, class_weight="balanced").fit(
        X[train & gate], y[train & gate]
    )
    coef = model.coef_[0]
    prob = np.where(gate, model.predict_proba(X)[:, 1], 0.0)
    threshold = 0.5
    for t in np.arange(0.5, 0.99, 0.01):
        threshold = round(float(t), 2)
        if all(
            np.mean(prob[train & np.array([p["kind"] in CLASSES[c] for p in pairs])] >= t) <= 0.03
            for c in ("invented", "generic", "swapped")
        ):
            break
    test = [i for i in range(len(pairs)) if not train[i]]
    report = evaluate([float(prob[i]) for i in test], [pairs[i] for i in test], threshold)
    model_json = {
        "judge": judge.name,
        "features": FEATURES,
        "coef": [round(float(c), 4) for c in coef],
        "intercept": round(float(model.intercept_[0]), 4),
        "threshold": threshold,
        "fitted_on": f"{PAIRS.name} train ({int(train.sum())} pairs)",
        "test_pairs": len(test),
        "test_balanced_accuracy": report["balanced_accuracy"],
        "test_classes": {k: {m: v[m] for m in ("pairs", "pass_rate", "balanced_accuracy")} for k, v in report["classes"].items()},
    }
    (out / JUDGE_MODEL.name).write_text(json.dumps(model_json, indent=1) + "\n")
    return model_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="directory to write judge.json into")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    report = fit(load_pairs(), args.out)
    print(f"wrote {args.out / JUDGE_MODEL.name}")
    print(json.dumps({k: v for k, v in report.items() if k.startswith("test")}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
