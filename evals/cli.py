"""`rag eval`: run a gold dataset and print, save and gate its metrics."""

import json
import sys
from pathlib import Path

from rag import Assistant, Settings
from rag.judge import JUDGE_MODEL
from rag.settings import DEFAULT_CORPUS

from .benchmarks import BENCHMARKS, gold_cases
from .dataset import load_cases
from .report import table, to_json, write_json, write_report
from .run import evaluate_case, reader_summary, summarize, verification_summary

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.json"


def run(
    dataset: str,
    settings: Settings,
    *,
    split: str = "all",
    json_path: Path | None = None,
    report_dir: Path | None = None,
    progress: bool = True,
    limit: int | None = None,
    assistant: Assistant | None = None,
    ablation: bool = False,
    paraphrased: bool = False,
) -> dict:
    """Evaluate one dataset; returns the JSON payload (metrics with intervals, and every case)."""
    if dataset == "seeds":
        corpus = settings.corpus if settings.corpus.name == "seeds" else DEFAULT_CORPUS
        data_dir = settings.data_dir / "eval-seeds"
        cases = gold_cases(dataset, corpus)
    elif dataset in BENCHMARKS:
        data_dir = settings.data_dir / f"eval-{dataset}"
        corpus = data_dir / "corpus"
        cases = gold_cases(dataset, corpus)
    else:
        cases = load_cases(Path(dataset))
        corpus, data_dir = settings.corpus, settings.data_dir / f"eval-{Path(dataset).stem}"
    if split != "all":
        cases = [c for c in cases if c.split == split]
    if paraphrased:  # the same questions in other words (evals/paraphrase.py): those that have a usable paraphrase
        from .paraphrase import asked_otherwise, load

        cases = asked_otherwise(cases, load())
    cases = cases[:limit] if limit else cases
    if assistant is None:
        assistant = Assistant(settings.model_copy(update={"corpus": corpus, "data_dir": data_dir}))
        report = assistant.index(progress=progress)
        if report.embedded:
            print(f"Indexed {report.articles} articles into {data_dir} ({report.embedded} chunks embedded).", file=sys.stderr)
    judge = assistant.judge
    iterator = cases
    if progress:
        from tqdm import tqdm

        iterator = tqdm(cases, desc=f"Evaluating {dataset}", unit="case", file=sys.stderr)
    results = [evaluate_case(assistant, case, judge) for case in iterator]
    summary = summarize(results)
    judge_info = json.loads(JUDGE_MODEL.read_text())
    extra = {
        "split": split,
        "cases": len(results),
        "answerable": sum(c.answerable for c in cases),
        "judge": judge.name,
        "judge_test_balanced_accuracy": judge_info.get("test_balanced_accuracy"),
        "model": assistant.spec.model_id,
        "reader": reader_summary(results),
    }
    if settings.llm:
        extra["backend"] = results[0].answer.backend if results else settings.llm
        extra["verification"] = verification_summary(results)
    if ablation and dataset == "seeds":
        from .ablation import ablate

        ablated = ablate(cases, corpus, embedder=assistant.embedder)
        refused = [c.id for c, a in ablated if not a.answered]
        extra["ablation_refusal_rate"] = round(len(refused) / len(ablated), 4) if ablated else None
        extra["ablation_still_answered"] = ", ".join(c.id for c, a in ablated if a.answered)
    payload = to_json(dataset, summary, results, extra)
    if json_path:
        write_json(json_path, payload)
    if report_dir:
        payload["report"] = str(write_report(report_dir, dataset, summary, results, extra))
    payload["table"] = table(summary)
    return payload


def gate(payload: dict, thresholds: dict) -> list[str]:
    """Metrics below their committed floor (or above their ceiling), as messages."""
    problems = []
    metrics = payload["metrics"]
    for name, floor in thresholds.get("min", {}).items():
        if name not in metrics or metrics[name]["value"] < floor:
            problems.append(f"{name} = {metrics.get(name, {}).get('value', float('nan')):.3f} is below its floor {floor}")
    for name, ceiling in thresholds.get("max", {}).items():
        if name not in metrics or metrics[name]["value"] > ceiling:
            problems.append(f"{name} = {metrics.get(name, {}).get('value', float('nan')):.3f} is above its ceiling {ceiling}")
    return problems


def main(args, settings: Settings) -> int:
    payload = run(
        args.dataset,
        settings,
        split=args.split,
        json_path=args.json_out,
        report_dir=args.report,
        progress=sys.stderr.isatty(),
        limit=args.limit,
        ablation=args.ablation,
        paraphrased=args.paraphrased,
    )
    print(payload["table"])
    confusion = payload["reader"]["confusion"]
    print("reader decision:", ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in confusion.items()))
    if payload.get("verification"):
        print(
            "verification (LLM drafts before it):",
            ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in payload["verification"].items()),
        )
    if payload.get("ablation_refusal_rate") is not None:
        print(
            f"ablation: refused {payload['ablation_refusal_rate']:.1%} of single-article questions once their article was removed"
        )
    if args.json_out:
        print(f"\nAll figures: {args.json_out}")
    if args.report:
        print(f"Report: {payload['report']}")
    if args.gate:
        thresholds = json.loads(THRESHOLDS.read_text()).get(args.dataset, {})
        problems = gate(payload, thresholds)
        for p in problems:
            print(f"GATE: {p}", file=sys.stderr)
        return 1 if problems else 0
    return 0
