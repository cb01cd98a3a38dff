"""Time to first token and tokens per second of an LLM backend, on the prompts the assistant sends it.

    python -m evals.llm_speed --llm http://127.0.0.1:8080/v1 [--questions 10] [--json FILE]

Each question of the seed gold set that the assistant would answer goes through the same evidence
retrieval and prompt as `rag ask --llm`; the stream is timed from the request to its first piece of
text, and from there to the end. A streamed piece is counted as one token (llama.cpp's server and
Ollama stream one token per event).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from rag import Assistant, Settings

from .dataset import load_cases


def measure(assistant: Assistant, questions: list[str]) -> dict:
    from rag.answer import distinct
    from rag.llm import INJECTION, stream_answer

    llm, backend = assistant.llm()
    rows = []
    for question in questions:
        evidence = assistant.explain(question)
        passages = [c.text for c in distinct(evidence.ranked) if not INJECTION.search(c.text)][:6]
        started = time.perf_counter()
        first, pieces = None, 0
        for _ in stream_answer(llm, question, passages):
            pieces += 1
            if first is None:
                first = time.perf_counter() - started
        total = time.perf_counter() - started
        if first is not None:
            rows.append(
                {
                    "question": question,
                    "first_token_s": first,
                    "tokens": pieces,
                    "total_s": total,
                    "tokens_per_s": (pieces - 1) / (total - first) if pieces > 1 and total > first else None,
                }
            )
    rates = [r["tokens_per_s"] for r in rows if r["tokens_per_s"]]
    return {
        "backend": backend,
        "questions": len(rows),
        "first_token_s_median": statistics.median(r["first_token_s"] for r in rows) if rows else None,
        "tokens_per_s_median": statistics.median(rates) if rates else None,
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llm", required=True, help="an OpenAI-compatible base URL or a .gguf file")
    parser.add_argument("--llm-model", default="local")
    parser.add_argument("--data-dir", type=Path, default=Path(".rag"))
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    assistant = Assistant(Settings(data_dir=args.data_dir, llm=args.llm, llm_model=args.llm_model))
    if not assistant.has_index():
        assistant.index()
    questions = [c.question for c in load_cases() if c.answerable and not c.previous][: args.questions]
    result = measure(assistant, questions)
    print(
        f"{result['backend']}: first token {result['first_token_s_median']:.2f} s (median of {result['questions']}), "
        f"{result['tokens_per_s_median']:.1f} tokens/s"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
