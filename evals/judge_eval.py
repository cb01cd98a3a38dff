"""The support judge on the test part of its adversarial pairs (issue 13), per class of pair, and on
sentences real LLM drafts wrote.

    python -m evals.judge_eval                      # print the figures
    python -m evals.judge_eval --json out.json --split train
    python -m evals.judge_eval --drafts             # the hand-labelled sentences of real drafts

For each class of pair it reports how often the judge passes it (says "supported") and the
balanced accuracy of that class against all supported test pairs: (TNR of the class + TPR of
the supported) / 2 for an adversarial class. Targets: invented, generic and swapped claims pass
at most 5%; supported paraphrases, aliases and pronouns are kept at least 90%.
The pairs come from evals/support_pairs.py; the judge is the one the product uses (rag/judge.json).

The pairs are edits of copied sentences; real drafts err in their own words (who did what, a fact
added from the model's memory). evals/data/draft_pairs.v1.jsonl holds the sentences of the drafts
Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) wrote for the seed and ClapNQ dev questions and the first 120
ClapNQ train-split questions (`rag eval --llm --json-out`), each with the evidence passages that
verification judges it against (as `Assistant.passages` gives them now: a passage that opens with "It"
carries the sentence before it, which the model did not always see), labelled by hand: supported or not
by one of them (a few that need two passages, or that are undecidable, are left out). A sentence
passes when some passage supports it, as verification re-cites (rag/verify.py); each dataset's judge
takes its IDF from that dataset's index, as in `rag ask`. Fitting never saw these sentences; the
`dev` part (seed and ClapNQ dev questions) was read while the judge and verification were changed,
the `test` part (80 sentences drafted for ClapNQ train-split questions) only after.
"""

import argparse
import json
import tempfile
from pathlib import Path

from rag.settings import DEFAULT_CORPUS

from .dataset import DATA
from .support_pairs import PAIRS, make_pairs

SEEDS = DEFAULT_CORPUS
DRAFTS = DATA / "draft_pairs.v1.jsonl"
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


def seed_judge(model=None, corpus: Path = SEEDS):
    """The product's judge over an index of the seeds, or of ``corpus`` (its IDF comes from the indexed
    corpus, as in `rag ask`)."""
    from index.embedding import VectorCache
    from rag import Assistant, Settings
    from rag.judge import HeuristicJudge, JudgeModel

    assistant = Assistant(Settings(corpus=corpus, data_dir=Path(tempfile.mkdtemp(prefix="rag-judge-"))))
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


def dataset_judge(dataset: str):
    """The judge over the index of the corpus a draft was written from."""
    if dataset == "seeds":
        return seed_judge()
    if dataset == "clapnq":
        from .clapnq import build

        corpus = Path(tempfile.mkdtemp(prefix="rag-clapnq-"))
        build(corpus)
        return seed_judge(corpus=corpus)
    raise ValueError(f"no corpus for the drafts of {dataset!r}")


def load_drafts() -> list[dict]:
    return [json.loads(line) for line in DRAFTS.read_text().splitlines() if line.strip()]


def judge_drafts(rows: list[dict], judges: dict) -> dict:
    """Per dataset: supported sentences kept and unsupported ones rejected, each sentence scored against its
    best passage (verification re-cites a sentence to the passage that supports it)."""
    report = {}
    for part in dict.fromkeys((r["split"], r["dataset"]) for r in rows):
        split, dataset = part
        judge = judges[dataset]
        cases = []
        for r in (r for r in rows if (r["split"], r["dataset"]) == part):
            score = max(judge.support(r["sentence"], p["text"]) for p in r["passages"])
            cases.append({**{k: r[k] for k in ("case", "sentence", "label", "note")}, "score": round(score, 4)})
        kept = [c["score"] >= judge.threshold for c in cases if c["label"] == "supported"]
        rejected = [c["score"] < judge.threshold for c in cases if c["label"] == "unsupported"]
        report[f"{dataset} ({split})"] = {
            "supported": len(kept),
            "supported_kept": sum(kept),
            "unsupported": len(rejected),
            "unsupported_rejected": sum(rejected),
            "threshold": judge.threshold,
            "cases": cases,
        }
    return report


def drafts_table(report: dict) -> str:
    lines = []
    for dataset, row in report.items():
        lines.append(
            f"{dataset}: supported kept {row['supported_kept']} of {row['supported']}, "
            f"unsupported rejected {row['unsupported_rejected']} of {row['unsupported']} (threshold {row['threshold']})"
        )
        for c in row["cases"]:
            if (c["score"] >= row["threshold"]) != (c["label"] == "supported"):
                lines.append(f"  {c['label']:11s} scored {c['score']:.3f}: {c['sentence'][:90]}  ({c['note']})")
    return "\n".join(lines)


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
    parser.add_argument(
        "--drafts", action="store_true", help="the hand-labelled sentences of real LLM drafts instead of the pairs"
    )
    args = parser.parse_args(argv)
    if args.drafts:
        rows = load_drafts()
        report = judge_drafts(rows, {d: dataset_judge(d) for d in dict.fromkeys(r["dataset"] for r in rows)})
        print(drafts_table(report))
        if args.json:
            args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
        return 0
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
