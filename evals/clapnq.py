"""ClapNQ dev as a benchmark: its 597 passages become a corpus, its 600 questions gold cases."""

import hashlib
import json
from pathlib import Path

from .dataset import DATA, GoldCase
from .splits import clapnq_split

CLAPNQ = DATA / "clapnq"
FILES = {"clapnq_dev_answerable.jsonl": True, "clapnq_dev_unanswerable.jsonl": False}


def _passage_id(title: str, text: str) -> str:
    return hashlib.sha1((title + "\n" + text).encode()).hexdigest()[:16]


def build(corpus_dir: Path) -> list[GoldCase]:
    """Write the passages to ``corpus_dir/passages.jsonl`` and return the cases (gold = document ids)."""
    records = []
    for name, answerable in FILES.items():
        for line in (CLAPNQ / name).read_text(encoding="utf-8").splitlines():
            records.append((json.loads(line), answerable))
    line_of: dict[str, int] = {}
    lines = []
    for record, _ in records:
        for passage in record["passages"]:
            pid = _passage_id(passage["title"], passage["text"])
            if pid not in line_of:
                lines.append(json.dumps({"title": passage["title"], "text": passage["text"], "outlet": "Wikipedia (ClapNQ)"}))
                line_of[pid] = len(lines)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    target = corpus_dir / "passages.jsonl"
    content = "\n".join(lines) + "\n"
    if not target.is_file() or target.read_text(encoding="utf-8") != content:
        target.write_text(content, encoding="utf-8")
    cases = []
    for record, answerable in records:
        passage = record["passages"][0]
        doc = f"passages.jsonl#{line_of[_passage_id(passage['title'], passage['text'])]}"
        answers = [o["answer"] for o in record["output"] if o.get("answer")]
        if answerable:
            quotes = list(dict.fromkeys(s for o in record["output"] for s in o.get("selected_sentences", []))) or [
                passage["sentences"][0]
            ]
            cases.append(
                GoldCase(
                    id=record["id"],
                    question=record["input"],
                    answerable=True,
                    kind="clapnq",
                    split=clapnq_split(passage["title"]),
                    sources=[doc],
                    quotes=quotes,
                    answer=answers[0],
                    references=answers[1:],
                )
            )
        else:
            cases.append(
                GoldCase(
                    id=record["id"],
                    question=record["input"],
                    answerable=False,
                    kind="clapnq",
                    split=clapnq_split(passage["title"]),
                )
            )
    return cases
