"""`rag eval` and `rag bench`: registered in the `rag_news.commands` entry-point group (pyproject.toml),
so that the core CLI (rag/cli.py) never imports the evaluation code. Their modules are imported only
when the command runs."""

import argparse
from pathlib import Path


def register(sub, common) -> None:
    p = sub.add_parser(
        "eval",
        help="measure retrieval, grounding and refusals on a gold dataset",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  rag eval                                  the seed gold set\n  rag eval --dataset clapnq --split test    ClapNQ's test half (597 passages indexed)\n  rag eval --dataset squad2 --split test    SQuAD 2.0 test articles (no fitting saw them)\n  rag eval --json-out m.json --gate         fail (exit 1) below the committed thresholds\n  rag eval --split test --paraphrased       the same questions in other words (an LLM's rewrites)\n",
    )
    common(p)
    p.add_argument(
        "--dataset",
        default="seeds",
        help="seeds, clapnq, squad2, or a JSONL file of gold cases (see evals/dataset.py) over --corpus",
    )
    p.add_argument(
        "--split",
        default="all",
        choices=["all", "train", "dev", "test"],
        help="train (fitted the reader), dev (its calibration), test (no fitting saw it), or all",
    )
    p.add_argument(
        "--json-out", type=Path, default=None, metavar="FILE", help="write every metric (with 95%% intervals) and case here"
    )
    p.add_argument(
        "--report", type=Path, default=None, metavar="DIR", help="write a Markdown report with a chart and every failing case"
    )
    p.add_argument("--limit", type=int, default=None, help="only the first N cases (a quick look)")
    p.add_argument(
        "--ablation", action="store_true", help="seeds: also remove each gold article and check that its questions are refused"
    )
    p.add_argument("--gate", action="store_true", help="exit 1 if a metric is below its threshold in evals/thresholds.json")
    p.add_argument(
        "--paraphrased",
        action="store_true",
        help="ask each question in other words (an LLM's paraphrase, evals/data/paraphrased_questions.v1.jsonl)",
    )
    p.set_defaults(handler=eval_command)

    p = sub.add_parser(
        "bench",
        help="speed, memory and retrieval quality against plain llama-index and the raw model",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n  rag bench                        the seeds: a few minutes\n"
            "  rag bench --size 1k              ~1,000 generated chunks: throughput against llama-index and the raw model\n"
            "  rag bench --size 100k --json-out bench-100k.json\n"
            "                                   100,000 chunks: index size, memory, re-index and question latency\n"
            "                                   (chunk vectors pooled from cached sentence vectors: see evals/scale.py)\n"
            "  rag bench --size 10k --real-vectors --json-out bench-10k.json\n"
            "                                   10,000 chunks embedded for real: indexing time, chunks/s against the raw model\n"
            "  rag bench --size 20mb            one 19.9 MB article: peak memory, time and disk of indexing it (4-6 minutes)\n"
        ),
    )
    p.add_argument(
        "--size",
        default="seeds",
        choices=["seeds", "1k", "10k", "100k", "20mb"],
        help="corpus: the seeds, a generated one of about N chunks, or one generated article of 19.9 MB",
    )
    p.add_argument("--questions", type=int, default=60, help="questions timed (at least 50)")
    common(p)
    p.add_argument("--json-out", type=Path, default=None, metavar="FILE", help="write every figure here")
    p.add_argument("--skip-baseline", action="store_true", help="do not build the llama-index baseline")
    p.add_argument(
        "--real-vectors",
        action="store_true",
        help="with --size 10k or 100k: embed every chunk with the real model instead of pooling (10k: about 10 minutes)",
    )
    p.set_defaults(handler=bench_command)


def eval_command(args, settings) -> int:
    from .cli import main

    return main(args, settings)


def bench_command(args, settings) -> int:
    from .bench import run, table

    result = run(
        args.size,
        questions=max(50, args.questions),
        json_path=args.json_out,
        skip_baseline=args.skip_baseline,
        real_vectors=args.real_vectors,
        work_root=settings.data_dir if hasattr(args, "data_dir") else None,
    )
    print(table(result))
    if args.json_out:
        print(f"\nAll figures: {args.json_out}")
    return 0
