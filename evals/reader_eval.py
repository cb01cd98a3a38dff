"""The reader alone on held-out paragraphs: does it pick the answering sentence, and know when none does?

    python -m evals.reader_eval                       # the shipped reader, test splits
    python -m evals.reader_eval --reader build/reader --split dev --json out.json

For each question of SQuAD 2.0 and ClapNQ in the split (evals/splits.py), the reader reads the
question's own paragraph (the gold one, or the on-topic one of an unanswerable question):
  accuracy_at_1        the best-scored sentence holds the answer (answerable questions)
  balanced_accuracy    answerable vs unanswerable by the reader alone: answer when the best sentence
                       beats "nothing here answers" (margin > 0); the pipeline's decision adds features
  auc                  of the best margin, answerable vs unanswerable
with 95% bootstrap intervals. The whole pipeline (retrieval, several chunks, the decision) is
measured by `rag eval --dataset squad2|clapnq --split test`.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from rag.reader import Reader, Window

from .metrics import bootstrap_ci
from .reader_data import clapnq, squad


def _ci(values: list, stat) -> tuple[float, float]:
    return bootstrap_ci(values, statistic=stat, seed=1)


def measure(reader: Reader, examples) -> dict:
    from sklearn.metrics import roc_auc_score

    rows = []  # (answerable, correct@1, margin)
    for at in range(0, len(examples), 16):
        batch = examples[at : at + 16]
        readings = reader.read_batch([(e.question, Window(e.title, e.sentences)) for e in batch])
        for e, r in zip(batch, readings):
            best = int(np.argmax(r.margins))
            rows.append((e.answerable, best in e.positives, r.margins[best]))
    answerable = [c for a, c, _ in rows if a]
    pred = [(a, m > 0) for a, _, m in rows]

    def balanced(sample):
        pos = [p for a, p in sample if a]
        neg = [p for a, p in sample if not a]
        return 0.5 * ((sum(pos) / len(pos) if pos else 0) + (sum(not p for p in neg) / len(neg) if neg else 0))

    out = {
        "questions": len(rows),
        "answerable": len(answerable),
        "accuracy_at_1": float(np.mean(answerable)),
        "accuracy_at_1_ci": _ci([float(c) for c in answerable], np.mean),
    }
    if 0 < len(answerable) < len(rows):
        out["balanced_accuracy"] = balanced(pred)
        out["balanced_accuracy_ci"] = _ci(pred, balanced)
        out["auc"] = float(roc_auc_score([a for a, _, _ in rows], [m for _, _, m in rows]))
        out["refusal_recall"] = sum(not p for a, p in pred if not a) / (len(rows) - len(answerable))
        out["false_refusal_rate"] = sum(not p for a, p in pred if a) / len(answerable)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reader", type=Path, default=None, help="reader directory (default: the shipped one)")
    parser.add_argument("--split", default="test", choices=["train", "dev", "test"])
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    reader = Reader(args.reader)
    results = {}
    for name, examples in (("squad2", squad()), ("clapnq", clapnq())):
        chosen = [e for e in examples if e.split == args.split]
        results[name] = measure(reader, chosen)
        r = results[name]
        line = (
            f"{name:7s} {args.split}: {r['questions']} questions, accuracy@1 {r['accuracy_at_1']:.3f} "
            f"[{r['accuracy_at_1_ci'][0]:.3f}, {r['accuracy_at_1_ci'][1]:.3f}]"
        )
        if "balanced_accuracy" in r:
            line += (
                f", balanced accuracy {r['balanced_accuracy']:.3f} [{r['balanced_accuracy_ci'][0]:.3f}, "
                f"{r['balanced_accuracy_ci'][1]:.3f}], AUC {r['auc']:.3f}, refusal recall {r['refusal_recall']:.3f}, "
                f"false refusals {r['false_refusal_rate']:.3f}"
            )
        print(line)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
