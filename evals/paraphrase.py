"""Gold questions asked in other words: the same information, other verbs, nouns and structure.

The gold questions of the seeds, ClapNQ and SQuAD were written by people who had the answering
passage before them, mostly in its words; a user (or a benchmark nobody here wrote) asks in their
own. A ranker and decision fitted only on the first reward word overlap. These paraphrases, written
once by a local LLM, let the calibration (``python -m evals.calibrate --paraphrased``) fit on both,
and ``rag eval --paraphrased`` measure the second on the test splits, which no fitting saw.

    python -m llama_cpp.server --model models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf --port 8088 --n_threads 2 &
    python -m evals.paraphrase --llm http://127.0.0.1:8088/v1 --out evals/data/paraphrased_questions.v1.jsonl

(the model: README, "How to reproduce the LLM benchmark"). With ``--train N``, N of the reader's training
questions instead (a fixed sample; ``evals/data/paraphrased_train_questions.v1.jsonl``), for training a
reader on questions in other words than their paragraph's. The file is resumable: questions already in
it are skipped. Its lines are {"id", "dataset", "split", "question", "paraphrase"}; a paraphrase that
drops or adds a number or a name, or that is not a question, is not used (``usable``).
"""

import argparse
import hashlib
import json
import random
import re
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .benchmarks import gold_cases
from .dataset import DATA, GoldCase

PARAPHRASES = DATA / "paraphrased_questions.v1.jsonl"
TRAIN_PARAPHRASES = DATA / "paraphrased_train_questions.v1.jsonl"  # the reader's training questions (--train)
PROMPT = (
    "Rewrite the question below the way a different person would ask it: keep exactly the information it asks for "
    "and every name, number and date in it, but change the wording where you can (other verbs and nouns, "
    "synonyms, another sentence structure). Add nothing that the question does not say. Reply with the rewritten "
    "question only.\n\nQuestion: {q}"
)
# every dev question of the three sets, and the test splits to report on (SQuAD's: a fixed sample)
DEFAULT_SETS = "seeds:dev,clapnq:dev,squad2:dev,seeds:test,clapnq:test,squad2:test:600"

_NUMBER = re.compile(r"\d[\d,.]*")
_CAPITALISED = re.compile(r"(?<!^)\b[A-Z][\w'’-]*")


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z0-9]+", text.lower())}


def usable(question: str, paraphrase: str) -> bool:
    """Keeps the question's numbers, adds none, and adds no name the question does not have ("by Taylor
    Swift", "between Armenia and Azerbaijan": an LLM's knowledge, not the asker's); a question, one line."""
    p = paraphrase.strip()
    if not p.endswith("?") or "\n" in p or len(p) > 3 * len(question) + 40 or p.lower() == question.strip().lower():
        return False
    if set(_NUMBER.findall(question)) != set(_NUMBER.findall(p)):
        return False
    known = _stems(question)
    added = [re.sub(r"['’]s$", "", m.group(0)) for m in _CAPITALISED.finditer(p)]
    return all(w.lower()[:5] in known for name in added for w in re.findall(r"[A-Za-z0-9]+", name))


def load(path: Path = PARAPHRASES, key: str = "id") -> dict[str, str]:
    """Case id (or, ``key="question"``, the question itself: the training rewrites) -> its usable paraphrase."""
    if not path.exists():
        how = "--train N" if path == TRAIN_PARAPHRASES else f"--out {path}"
        raise FileNotFoundError(f"{path} is missing: write it with `python -m evals.paraphrase --llm URL {how}`")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r[key]: r["paraphrase"] for r in rows if usable(r["question"], r["paraphrase"])}


def asked_otherwise(cases: list[GoldCase], paraphrases: dict[str, str], suffix: str = "") -> list[GoldCase]:
    """The cases that have a usable paraphrase, asked with it (ids get ``suffix``); follow-ups are left out."""
    return [
        c.model_copy(update={"question": paraphrases[c.id], "id": c.id + suffix})
        for c in cases
        if c.id in paraphrases and not c.previous
    ]


def _cases(name: str, split: str, work: Path) -> list[GoldCase]:
    return [c for c in gold_cases(name, work / name, (split,)) if c.split == split and not c.previous]


def _train_questions(n: int) -> list[tuple[str, str, str]]:
    """A fixed sample of the reader's training questions (SQuAD's and ClapNQ's train splits, evals/splits.py):
    (id, question, dataset), the id a hash of the dataset and the question (a question asked of two paragraphs
    is one)."""
    from .reader_data import clapnq, squad

    asked = dict.fromkeys((e.dataset, e.question) for e in squad() + clapnq() if e.split == "train")
    chosen = random.Random(3).sample(list(asked), min(n, len(asked)))
    return [(f"{d}-" + hashlib.sha1(q.encode()).hexdigest()[:12], q, d) for d, q in chosen]


def _ask(url: str, question: str) -> str:
    body = {"messages": [{"role": "user", "content": PROMPT.format(q=question)}], "temperature": 0.4, "seed": 5, "max_tokens": 60}
    request = urllib.request.Request(
        url.rstrip("/") + "/chat/completions", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    text = json.loads(urllib.request.urlopen(request, timeout=120).read())["choices"][0]["message"]["content"].strip()
    text = text.split("\n")[0].strip().strip('"').strip()
    return text[9:].strip() if text.lower().startswith("question:") else text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llm", required=True, help="an OpenAI-compatible server's base URL (…/v1)")
    parser.add_argument(
        "--out", type=Path, help=f"the JSONL file to write (default: {PARAPHRASES.name}, with --train {TRAIN_PARAPHRASES.name})"
    )
    parser.add_argument(
        "--sets", default=DEFAULT_SETS, help=f"dataset:split[:sample] items, comma-separated (default: {DEFAULT_SETS})"
    )
    parser.add_argument(
        "--train",
        type=int,
        metavar="N",
        help=f"instead: rewrite N of the reader's training questions (a fixed sample), into {TRAIN_PARAPHRASES.name} "
        "unless --out says otherwise; for training a reader on questions in other words",
    )
    args = parser.parse_args(argv)
    args.out = args.out or (TRAIN_PARAPHRASES if args.train else PARAPHRASES)
    done = set()
    if args.out.exists():
        done = {json.loads(line)["id"] for line in args.out.read_text(encoding="utf-8").splitlines() if line.strip()}
    work = Path(tempfile.mkdtemp(prefix="rag-paraphrase-"))
    with args.out.open("a", encoding="utf-8") as out:
        if args.train:
            groups = [("train", _train_questions(args.train))]
        else:
            groups = []
            for item in args.sets.split(","):
                name, split, *sample = item.split(":")
                cases = _cases(name, split, work)
                if sample:
                    cases = random.Random(3).sample(cases, min(int(sample[0]), len(cases)))
                groups.append((split, [(c.id, c.question, name) for c in cases]))
        for split, questions in groups:
            todo = [q for q in questions if q[0] not in done]
            started = time.monotonic()
            for i, (case_id, question, name) in enumerate(todo, start=1):
                record = {"id": case_id, "dataset": name, "split": split, "question": question}
                record["paraphrase"] = _ask(args.llm, question)
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                out.flush()
                if i % 50 == 0 or i == len(todo):
                    print(f"{split}: {i} of {len(todo)} ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
