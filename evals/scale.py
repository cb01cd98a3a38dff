"""Generated corpora for the scale benchmark: articles stitched from ClapNQ and seed sentences."""

import json
import random
from pathlib import Path

from index.documents import load_corpus
from index.sentences import split_sentences

from .clapnq import CLAPNQ, FILES

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
SENTENCES_PER_ARTICLE = 7  # about one 200-wordpiece chunk per article
ARTICLES_PER_FILE = 1000


def _pool() -> list[str]:
    pool = []
    for name in FILES:
        for line in (CLAPNQ / name).read_text(encoding="utf-8").splitlines():
            for passage in json.loads(line)["passages"]:
                pool += [s.strip() for s in passage["sentences"] if len(s.split()) >= 5]
    seeds, _ = load_corpus(Path(__file__).resolve().parent.parent / "seeds")
    for article in seeds:
        pool += [article.text[a:b] for a, b in split_sentences(article.text)]
    return list(dict.fromkeys(pool))


def corpus_for(size: str, work: Path) -> Path:
    """A corpus of about SIZES[size] chunks (JSONL files of generated articles), made deterministically."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: use one of {', '.join(SIZES)}")
    directory = work / f"corpus-{size}"
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(size)
    pool = _pool()
    articles = SIZES[size]
    for first in range(0, articles, ARTICLES_PER_FILE):
        lines = []
        for number in range(first, min(articles, first + ARTICLES_PER_FILE)):
            sentences = rng.sample(pool, SENTENCES_PER_ARTICLE)
            lines.append(json.dumps({"title": f"Generated article {number}", "text": " ".join(sentences)}))
        (directory / f"part-{first // ARTICLES_PER_FILE:04d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory
