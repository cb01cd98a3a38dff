"""The support judge on the test part of its adversarial pairs (issue 13), per class of pair.

    python -m evals.judge_eval                      # print the figures
    python -m evals.judge_eval --json out.json --split train

For each class of pair it reports how often the judge passes it (says "supported") and the
balanced accuracy of that class against all supported test pairs: (TNR of the class + TPR of
the supported) / 2 for an adversarial class. Targets: invented, generic and swapped claims pass
at most 5%; supported paraphrases, aliases and pronouns are kept at least 90%.
The pairs come from evals/support_pairs.py; the judge is the one the product uses (rag/judge.json).
"""

import argparse
import json
import tempfile
from pathlib import Path

from rag.settings import DEFAULT_CORPUS

from .support_pairs import PAIRS, make_pairs

SEEDS = DEFAULT_CORPUS
# Classes of pairs (issue 13's wording) and the kinds evals/support_pairs.py makes for each.
CLASSES = {
    "invented": ["invented", "topical"],
    "generic": ["generic"],
    "swapped": ["number", "name", "date", "place"],
    "negation": ["negation"],
    "unrelated": ["unrelated"],
    "supported verbatim": ["verbatim", "trimmed"],
    "supported paraphrase/alias/pronoun": ["paraphrase", "alias", "pronoun"],
}
TARGETS = {
    "invented": ("max_pass", 0.05),
    "generic": ("max_pass", 0.05),
    "swapped": ("max_pass", 0.05),
    "supported paraphrase/alias/pronoun": ("min_pass", 0.90),
}


def seed_judge(model=None):
    """The product's judge over an index of the seeds (its IDF comes from the indexed corpus, as in `rag ask`)."""
    from index.embedding import VectorCache
    from rag import Assistant, Settings
    from rag.judge import HeuristicJudge, JudgeModel

    assistant = Assistant(Settings(corpus=SEEDS, data_dir=Path(tempfile.mkdtemp(prefix="rag-judge-"))))
    assistant.index()
    cache = VectorCache()  # pairs share passages and windows: embed each text once
    return HeuristicJudge(
        lambda texts: cache.embed(texts, assistant.embedder.embed),
        assistant.lexical.idf,
        model if model is not None else JudgeModel.load(),
    )


def evaluate(scores: list[float], pairs: list[dict], threshold: float) -> dict:
    """Pass rates per kind and per class, balanced accuracy per adversarial class, and the overall figures."""
    passed = [s >= threshold for s in scores]
    supported = [ok for ok, p in zip(passed, pairs) if p["supported"]]
    tpr = sum(supported) / len(supported) if supported else 0.0
    kinds = {}
    for kind in sorted({p["kind"] for p in pairs}):
        got = [ok for ok, p in zip(passed, pairs) if p["kind"] == kind]
        kinds[kind] = {"pairs": len(got), "pass_rate": round(sum(got) / len(got), 4)}
    classes = {}
    for name, members in CLASSES.items():
        got = [ok for ok, p in zip(passed, pairs) if p["kind"] in members]
        if not got:
            continue
        rate = sum(got) / len(got)
        row = {"pairs": len(got), "pass_rate": round(rate, 4)}
        is_supported = name.startswith("supported")
        row["balanced_accuracy"] = round(rate if is_supported else 0.5 * ((1 - rate) + tpr), 4)
        if name in TARGETS:
            how, bound = TARGETS[name]
            row["target"] = f"{'<=' if how == 'max_pass' else '>='} {bound:.0%} pass"
            row["met"] = rate <= bound if how == "max_pass" else rate >= bound
        classes[name] = row
    negatives = [not ok for ok, p in zip(passed, pairs) if not p["supported"]]
    tnr = sum(negatives) / len(negatives) if negatives else 0.0
    return {
        "pairs": len(pairs),
        "threshold": threshold,
        "supported_kept": round(tpr, 4),
        "unsupported_rejected": round(tnr, 4),
        "balanced_accuracy": round(0.5 * (tpr + tnr), 4),
        "classes": classes,
        "kinds": kinds,
    }


def table(report: dict) -> str:
    lines = [
        f"{'class':38} {'pairs':>5} {'pass':>7} {'bal.acc':>8}  target",
    ]
    for name, row in report["classes"].items():
        target = f"{row.get('target', '')} {'met' if row.get('met') else 'MISSED' if 'met' in row else ''}".strip()
        lines.append(f"{name:38} {row['pairs']:5d} {row['pass_rate']:7.1%} {row['balanced_accuracy']:8.3f}  {target}")
    lines.append(
        f"overall: {report['pairs']} pairs, supported kept {report['supported_kept']:.1%}, unsupported rejected "
        f"{report['unsupported_rejected']:.1%}, balanced accuracy {report['balanced_accuracy']:.3f} (threshold {report['threshold']})"
    )
    lines.append("by kind: " + ", ".join(f"{k} {v['pass_rate']:.0%} of {v['pairs']}" for k, v in report["kinds"].items()))
    return "\n".join(lines)


def load_pairs() -> list[dict]:
    """The shipped pairs (evals/data), or the same made afresh when the file is missing."""
    return [json.loads(line) for line in PAIRS.read_text().splitlines() if line.strip()] if PAIRS.exists() else make_pairs()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--split", default="test", choices=["test", "train", "all"], help="which part of the pairs (default: test)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    all_pairs = load_pairs()
    pairs = [p for p in all_pairs if args.split == "all" or p["split"] == args.split]
    judge = seed_judge()
    scores = [judge.support(p["sentence"], p["passage"]) for p in pairs]
    report = {
        "judge": judge.name,
        "split": args.split,
        "pairs_file": PAIRS.name,
        **evaluate(scores, pairs, judge.threshold),
        "cases": [
            {**{k: p[k] for k in ("kind", "sentence", "supported")}, "passage": p["passage"][:200], "score": round(s, 4)}
            for p, s in zip(pairs, scores)
        ],
    }
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
        print(f"\nAll figures and cases: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
