"""Fit the answer/abstain classifier on the labelled seed questions and write rag/abstain.json.

    python -m evals.calibrate [--data-dir DIR]

Features come from Assistant.explain (rag/evidence.py). The model is a logistic regression
with balanced classes, fitted on the "dev" half of evals/data/seeds_gold.v1.jsonl only; the
"test" half and ClapNQ are left for `rag eval`. Leave-one-out accuracy on dev is printed too.
"""

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from rag import Assistant, Settings
from rag.settings import DEFAULT_CORPUS

from .dataset import load_cases

OUT = Path(__file__).resolve().parent.parent / "rag" / "abstain.json"
FEATURES = ["dense", "coverage", "context", "names", "type_ok", "missing", "unknown"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=None, help="index to use (default: a temporary one)")
    parser.add_argument("--C", type=float, default=10.0, help="inverse regularisation strength")
    args = parser.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import LeaveOneOut, cross_val_predict

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="rag-calibrate-"))
    assistant = Assistant(Settings(corpus=DEFAULT_CORPUS, data_dir=data_dir))
    assistant.index()
    questions = [c for c in load_cases() if c.split == "dev"]
    X = np.array([[assistant.explain(q.question, previous=q.previous).features[f] for f in FEATURES] for q in questions])
    y = np.array([q.answerable for q in questions], dtype=int)
    model = LogisticRegression(C=args.C, class_weight="balanced", max_iter=1000)
    held_out = cross_val_predict(model, X, y, cv=LeaveOneOut(), method="predict_proba")[:, 1]
    model.fit(X, y)
    fitted = model.predict_proba(X)[:, 1]
    for name, p in (("leave-one-out", held_out), ("fitted on all", fitted)):
        pred = p >= 0.5
        tpr = pred[y == 1].mean()
        tnr = (~pred[y == 0]).mean()
        print(f"{name:14s} answered {tpr:.1%} of answerable, refused {tnr:.1%} of unanswerable, balanced {0.5 * (tpr + tnr):.1%}")
    for q, p in zip(questions, held_out):
        if (p >= 0.5) != q.answerable:
            print(f"  wrong when held out: {q.id} p={p:.2f} {q.question}")
    OUT.write_text(json.dumps({
        "features": FEATURES, "coef": [round(float(c), 4) for c in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 4), "threshold": 0.5,
        "fitted_on": f"evals/data/seeds_gold.v1.jsonl, split dev ({len(questions)} questions, {int(y.sum())} answerable)",
        "leave_one_out_balanced_accuracy": round(float(0.5 * ((held_out[y == 1] >= 0.5).mean() + (held_out[y == 0] < 0.5).mean())), 4),
    }, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
