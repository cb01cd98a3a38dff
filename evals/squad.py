"""SQuAD 2.0 (the two public parts in ../shared/benchmarks/squad2) as a whole-pipeline benchmark.

Each paragraph of the chosen articles becomes one JSONL article (title: the Wikipedia article's),
and each question a gold case: answerable ones cite their paragraph and the sentence that holds
the answer; unanswerable ones (a third, written to look answerable) must be refused. The split of
each case is its article's (evals/reader_data.py): the reader was fitted on "train", its
calibration on "dev"; "test" articles were seen by no fitting.
"""

import json
import os
from pathlib import Path

from index.sentences import split_sentences

from .dataset import GoldCase
from .splits import squad_split

SQUAD_FILES = ("train-first10-v2.0.json", "dev-half-v2.0.json")


def shared_dir() -> Path:
    """../shared beside the project (or RAG_SHARED_DIR)."""
    env = os.environ.get("RAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def build(corpus_dir: Path, splits: tuple[str, ...] = ("dev", "test"), root: Path | None = None) -> list[GoldCase]:
    """Write the paragraphs of the articles in ``splits`` to ``corpus_dir/paragraphs.jsonl``; return the cases."""
    root = root or shared_dir() / "benchmarks" / "squad2"
    lines: list[str] = []
    cases: list[GoldCase] = []
    for name in SQUAD_FILES:
        for article in json.loads((root / name).read_text(encoding="utf-8"))["data"]:
            split = squad_split(article["title"])
            if split not in splits:
                continue
            title = article["title"].replace("_", " ")
            for p in article["paragraphs"]:
                lines.append(json.dumps({"title": title, "text": p["context"], "outlet": "Wikipedia (SQuAD 2.0)"}))
                doc = f"paragraphs.jsonl#{len(lines)}"
                spans = split_sentences(p["context"])
                for qa in p["qas"]:
                    if qa.get("is_impossible"):
                        cases.append(
                            GoldCase(id=qa["id"], question=qa["question"].strip(), answerable=False, kind="squad2", split=split)
                        )
                        continue
                    quotes, keys = [], []
                    for ans in qa["answers"]:
                        a0, a1 = ans["answer_start"], ans["answer_start"] + len(ans["text"])
                        quotes += [p["context"][s0:s1] for s0, s1 in spans if s0 < a1 and a0 < s1]
                        keys.append(ans["text"])
                    if not quotes:
                        continue
                    cases.append(
                        GoldCase(
                            id=qa["id"],
                            question=qa["question"].strip(),
                            answerable=True,
                            kind="squad2",
                            split=split,
                            sources=[doc],
                            quotes=list(dict.fromkeys(quotes)),
                            answer=keys[0],
                            references=keys[1:],
                            key=list(dict.fromkeys(keys)),
                        )
                    )
    corpus_dir.mkdir(parents=True, exist_ok=True)
    target = corpus_dir / "paragraphs.jsonl"
    content = "\n".join(lines) + "\n"
    if not target.is_file() or target.read_text(encoding="utf-8") != content:
        target.write_text(content, encoding="utf-8")
    return cases
