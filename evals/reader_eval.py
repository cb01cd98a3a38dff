"""The reader alone on held-out paragraphs: does it pick the answering sentence, and know when none does?

    python -m evals.reader_eval                       # the shipped reader, test splits
    python -m evals.reader_eval --reader build/reader --split dev --json out.json

For each question of SQuAD 2.0 and ClapNQ in the split (evals/splits.py), the reader reads the
question's own paragraph (the gold one, or the on-topic one of an unanswerable question):
  accuracy_at_1        the best-scored sentence holds the answer (answerable questions)
  balanced_accuracy    answerable vs unanswerable by the reader alone: answer when the best sentence
                       beats "nothing here answers" (margin > 0); the pipeline's decision adds features
  auc                  of the best margin, answerable vs unanswerable
  swapped_refused      answerable questions asked again with one detail that their answer states (a
                       year, a number, a name) swapped for one the paragraph never mentions
                       (evals/reader_data.py ``swapped_question``): the share the reader refuses
                       (margin <= 0), and the AUC of originals against them
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
from .reader_data import clapnq, squad, with_swapped_questions


def _ci(values: list, stat) -> tuple[float, float]:
    return bootstrap_ci(values, statistic=stat, seed=1)


def _best_margins(reader: Reader, examples) -> list[tuple[int, float]]:
    """Per example: (index of its best sentence, that sentence's margin)."""
    out = []
    for at in range(0, len(examples), 16):
        batch = examples[at : at + 16]
        for r in reader.read_batch([(e.question, Window(e.title, e.sentences)) for e in batch]):
            best = int(np.argmax(r.margins))
            out.append((best, r.margins[best]))
    return out


def measure(reader: Reader, examples) -> dict:
    from sklearn.metrics import roc_auc_score

    rows = [(e.answerable, best in e.positives, m) for e, (best, m) in zip(examples, _best_margins(reader, examples))]
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
    swapped = with_swapped_questions(examples)
    if swapped:
        swapped_margins = [m for _, m in _best_margins(reader, swapped)]
        refused = [float(m <= 0) for m in swapped_margins]
        margins = [m for a, _, m in rows if a]
        out["swapped"] = len(swapped)
        out["swapped_refused"] = float(np.mean(refused))
        out["swapped_refused_ci"] = _ci(refused, np.mean)
        out["swapped_auc"] = float(roc_auc_score([1] * len(margins) + [0] * len(swapped_margins), margins + swapped_margins))
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
        if "swapped" in r:
            line += (
                f"; {r['swapped']} with a detail swapped: refused {r['swapped_refused']:.3f} "
                f"[{r['swapped_refused_ci'][0]:.3f}, {r['swapped_refused_ci'][1]:.3f}], AUC {r['swapped_auc']:.3f}"
            )
        print(line)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
