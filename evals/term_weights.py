"""Build the judge's background term weights (rag/judge_terms.json): how common a word is in English.

    python -m evals.term_weights --out build/judge      # writes build/judge/judge_terms.json; copy it to rag/

The support judge (rag/judge.py) weighs each term of a claim by how much fact it carries. The
indexed corpus's IDF alone cannot tell that: over the five seed articles "went", "asked" and
"cost" are as rare as "Lachin", so a paraphrase that says "asked" where the article says "urged"
lost as much as a claim with an invented name (issue 13: supported paraphrases kept 0.80). This
counts, for every term as the judge analyses it (``claim_terms``), the paragraphs that hold it in
public encyclopedic text: the SQuAD 2.0 parts and the ClapNQ passages in ../shared and evals/data
(CC BY-SA 4.0 / Apache-2.0), their ``train`` and ``dev`` articles only (evals/splits.py), so
that no test article is read. Terms in fewer than ``--min-df`` paragraphs are left out: the judge
gives a term it does not find the full weight.
"""

import argparse
import json
from collections import Counter
from pathlib import Path

from rag.judge import TERMS, claim_terms

from .clapnq import CLAPNQ, FILES
from .reader_data import SQUAD_FILES, shared_dir
from .splits import clapnq_split, squad_split


def paragraphs(root: Path | None = None) -> list[str]:
    """The distinct SQuAD paragraphs and ClapNQ passages of train and dev articles."""
    root = root or shared_dir() / "benchmarks" / "squad2"
    seen: dict[str, None] = {}
    for name in SQUAD_FILES:
        for article in json.loads((root / name).read_text(encoding="utf-8"))["data"]:
            if squad_split(article["title"]) != "test":
                seen.update((p["context"], None) for p in article["paragraphs"])
    for name in FILES:
        for line in (CLAPNQ / name).read_text(encoding="utf-8").splitlines():
            passage = json.loads(line)["passages"][0]
            if clapnq_split(passage["title"]) != "test":
                seen[passage["text"]] = None
    return list(seen)


def build(texts: list[str], min_df: int) -> dict:
    df = Counter(t for text in texts for t in set(claim_terms(text)))
    return {
        "about": "paragraphs of SQuAD 2.0 (CC BY-SA 4.0) and ClapNQ (Apache-2.0) train/dev articles holding each "
        "judge term (rag/judge.py claim_terms); built by python -m evals.term_weights",
        "paragraphs": len(texts),
        "min_df": min_df,
        "df": dict(sorted((t, n) for t, n in df.items() if n >= min_df)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help=f"directory to write {TERMS.name} into")
    parser.add_argument("--min-df", type=int, default=3, help="leave out terms in fewer paragraphs (default: 3)")
    args = parser.parse_args(argv)
    texts = paragraphs()
    table = build(texts, args.min_df)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / TERMS.name
    path.write_text(json.dumps(table, separators=(",", ":")) + "\n")
    print(
        f"{len(texts)} paragraphs, {len(table['df'])} terms in at least {args.min_df}: wrote {path} ({path.stat().st_size:,} bytes)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
