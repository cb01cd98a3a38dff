"""Generated corpora for the scale benchmark: articles stitched from ClapNQ sentences, plus the seed articles;
and one article just under the 20 MB file limit, indexed in a child process whose memory is measured.

    python -m evals.scale index DATA_DIR CORPUS OUT.json   # the child: index CORPUS with pooled vectors, figures to OUT
"""

import hashlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from index.embedding import HashingEmbedder
from index.sentences import split_sentences
from rag.settings import DEFAULT_CORPUS

from .clapnq import CLAPNQ, FILES

SEEDS = DEFAULT_CORPUS
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
SENTENCES_PER_ARTICLE = 7  # about one 200-wordpiece chunk per article
ARTICLES_PER_FILE = 1000
GENERATED_TITLE = "Generated article "
POOL_CACHE = Path(tempfile.gettempdir()) / "rag-bench-cache"  # the pool's sentence vectors, embedded once


def _pool() -> list[str]:
    """Sentences of the ClapNQ passages (Wikipedia). Not the seeds' own sentences: the seed articles are
    added whole, and distractors quoting them would make hit@5 on the seed questions meaningless."""
    pool = []
    for name in FILES:
        for line in (CLAPNQ / name).read_text(encoding="utf-8").splitlines():
            for passage in json.loads(line)["passages"]:
                pool += [s.strip() for s in passage["sentences"] if len(s.split()) >= 5]
    return list(dict.fromkeys(pool))


def corpus_for(size: str, work: Path) -> Path:
    """A corpus of about SIZES[size] chunks (JSONL files of generated articles), made deterministically."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: use one of {', '.join(SIZES)}")
    directory = work / f"corpus-{size}"
    directory.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS.iterdir():  # the real articles, among the generated ones: the gold questions still apply
        (directory / seed.name).write_bytes(seed.read_bytes())
    rng = random.Random(size)
    pool = _pool()
    articles = SIZES[size]
    for first in range(0, articles, ARTICLES_PER_FILE):
        lines = []
        for number in range(first, min(articles, first + ARTICLES_PER_FILE)):
            sentences = rng.sample(pool, SENTENCES_PER_ARTICLE)
            lines.append(json.dumps({"title": f"{GENERATED_TITLE}{number}", "text": " ".join(sentences)}))
        (directory / f"part-{first // ARTICLES_PER_FILE:04d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


BIG_FILE_BYTES = 19_900_000  # just under index/documents.py MAX_FILE_BYTES


def big_file_for(work: Path) -> Path:
    """A corpus of one generated article of BIG_FILE_BYTES (paragraphs of pool sentences), made deterministically."""
    directory = work / "corpus-20mb"
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random("20mb")
    pool = _pool()
    parts, size = [f"{GENERATED_TITLE}of 20 MB\n"], 0
    while size < BIG_FILE_BYTES:
        paragraph = " ".join(rng.sample(pool, SENTENCES_PER_ARTICLE)) + "\n"
        parts.append(paragraph)
        size += len(paragraph.encode("utf-8"))
    text = "".join(parts).encode("utf-8")[:BIG_FILE_BYTES].decode("utf-8", errors="ignore")
    (directory / "big.txt").write_text(text[: text.rfind("\n") + 1], encoding="utf-8")
    return directory


def index_child(data_dir: Path, corpus: Path, out: Path) -> None:
    """Index ``corpus`` with pooled vectors (their pool cached by the parent), in this process alone, so that the
    parent can read this process's peak memory; the figures go to ``out`` as JSON."""
    from index.embedding import SentenceTransformerEmbedder
    from rag import Assistant, Settings

    embedder = PooledEmbedder(SentenceTransformerEmbedder(), POOL_CACHE, load_model=False)
    started = time.perf_counter()
    report = Assistant(Settings(corpus=corpus, data_dir=data_dir), embedder=embedder).index()
    figures = {"index_s": time.perf_counter() - started, "chunks": report.chunks, "articles": report.articles}
    out.write_text(
        json.dumps({**figures, "embedded_by_the_model": embedder.embedded, "pooled": embedder.pooled, "hashed": embedder.hashed})
    )


class PooledEmbedder:
    """For the scale benchmark only: the real model, except that a generated article's chunk gets the
    normalised mean of its sentences' vectors, each sentence of the pool embedded once by the real
    model and cached on disk. Embedding 100,000 chunks for real takes over an hour on 2 cores; what
    the scale benchmark measures (index size, memory, question latency) does not depend on the exact
    vectors, and questions and their evidence sentences are still embedded by the real model.
    The index records the real model's id, so that `rag ask` in a new process can query it."""

    def __init__(self, real, cache_dir: Path, *, load_model: bool = True) -> None:
        """``load_model`` False: a chunk none of whose sentences is in the pool gets a hashed bag-of-words
        vector instead of the model's (the 20 MB benchmark measures the indexer's memory, not torch's)."""
        self.real = real
        self.hashed_fallback = None if load_model else HashingEmbedder(real.dim)
        self.hashed = 0
        self.model_id, self.dim, self.max_tokens = real.model_id, real.dim, real.max_tokens
        self.cache_dir = cache_dir
        self.embedded = 0
        self.pooled = 0  # chunks given a pooled vector
        self._vectors: dict[str, np.ndarray] | None = None

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self.real.count_tokens(texts)

    def warm_up(self) -> None:
        self.real.warm_up()

    def pool_vectors(self) -> dict[str, np.ndarray]:
        if self._vectors is None:
            pieces = list(dict.fromkeys(s[a:b] for s in _pool() for a, b in split_sentences(s)))
            digest = hashlib.sha256(("\n".join(pieces) + self.model_id).encode()).hexdigest()[:16]
            path = self.cache_dir / f"pool-{digest}.npy"
            if path.is_file():
                vectors = np.load(path)
            else:
                print(
                    f"Embedding the {len(pieces):,} sentences of the generated corpus once (cached in {path})…", file=sys.stderr
                )
                vectors = (
                    self.real.torch_model()
                    .encode(
                        pieces,
                        batch_size=64,
                        normalize_embeddings=True,
                        convert_to_numpy=True,
                        show_progress_bar=sys.stderr.isatty(),
                    )
                    .astype(np.float32)
                )
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                np.save(path, vectors)
            self._vectors = dict(zip(pieces, vectors))
        return self._vectors

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        real = [i for i, t in enumerate(texts) if not t.startswith(GENERATED_TITLE)]  # questions, seed articles
        if real:
            out[real] = self.real.embed([texts[i] for i in real])
            self.embedded += len(real)
        pool = self.pool_vectors() if len(real) < len(texts) else {}
        for row, text in enumerate(texts):
            if not text.startswith(GENERATED_TITLE):
                continue
            body = text.split("\n", 1)[-1]
            found = [pool[p] for p in (body[a:b] for a, b in split_sentences(body)) if p in pool]
            if not found and self.hashed_fallback:  # a memory benchmark must not load the model: a bag of words
                out[row] = self.hashed_fallback.embed([text])[0]
                self.hashed += 1
                continue
            if not found:  # no sentence as split in the pool (two joined into one): the real model
                out[row] = self.real.embed([text])[0]
                self.embedded += 1
                continue
            mean = np.mean(found, axis=0)  # a sentence joined to its neighbour is left out of the mean
            out[row] = mean / max(float(np.linalg.norm(mean)), 1e-12)
            self.pooled += 1
        return out


if __name__ == "__main__":
    if len(sys.argv) < 5 or sys.argv[1] != "index":
        sys.exit(__doc__)
    index_child(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
