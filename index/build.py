"""Idempotent, incremental indexing of a corpus directory into the store.

A file whose content hash is already in the index is not touched (nothing is embedded); a
changed file is re-chunked and its chunks replaced; a file gone from the corpus loses its
chunks. Afterwards the BM25 index is rebuilt if, and only if, the set of chunks changed.
"""

import fcntl
import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .chunking import ChunkingConfig, chunk_article
from .documents import Article, scan_corpus
from .embedding import Embedder
from .errors import CorpusError, IndexBusyError
from .lexical import LexicalIndex
from .store import Store

log = logging.getLogger(__name__)
LEXICAL_DIR = "lexical"
WRITE_GROUP = 512  # chunks embedded, then written to the store together


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)  # sources
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    articles: int = 0
    chunks: int = 0  # in the index afterwards
    embedded: int = 0  # chunks embedded by this run
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@contextmanager
def write_lock(data_dir: Path, wait: float = 0.0):
    """Only one indexer per data directory; a second one waits up to ``wait`` seconds, then is refused."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / ".index.lock", "w") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusyError(
                        f"Another `rag index` is writing {data_dir}; wait for it to finish and run again."
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync_corpus(corpus_dir: Path, store: Store, embedder: Embedder, data_dir: Path,
                chunking: ChunkingConfig = ChunkingConfig(), *, progress: bool = False, lock_wait: float = 0.0,
                extra_roots: dict[str, Path] | None = None) -> BuildReport:
    """Make the index mirror ``corpus_dir`` (and ``extra_roots``); returns what changed."""
    started = time.perf_counter()
    with write_lock(Path(data_dir), lock_wait):
        stored: dict[str, dict[str, str]] = defaultdict(dict)  # source -> {document id: file hash}
        for row in store.article_rows():
            stored[row.source][row.document_id] = row.file_hash
        articles, skipped, unchanged = scan_corpus(
            corpus_dir, extra_roots, known=lambda source, digest: set(stored.get(source, {}).values()) == {digest})
        report = BuildReport(skipped=[(s.source, s.reason) for s in skipped], unchanged=unchanged)
        if not articles and not skipped and not unchanged and not store.count():
            raise CorpusError(
                f"Corpus directory {corpus_dir} has no .txt, .md, .html or .jsonl files: add articles there, "
                "or pass another directory with --corpus."
            )
        _apply(articles, report, store, embedder, chunking, progress, {s.source for s in skipped} | set(unchanged), stored)
        report.chunks = store.count()
        report.articles = store.article_count()
        if report.changed or not lexical_is_current(store, Path(data_dir)):
            refresh_lexical(store, Path(data_dir), force=True)
    report.seconds = time.perf_counter() - started
    return report


def _apply(articles: list[Article], report: BuildReport, store: Store, embedder: Embedder,
           chunking: ChunkingConfig, progress: bool, keep: set[str], stored: dict[str, dict[str, str]]) -> None:
    """Delete what is gone, re-chunk and embed what changed; ``keep``: sources not to delete (unreadable, unchanged)."""
    by_source = defaultdict(list)
    for article in articles:
        by_source[article.source].append(article)

    gone = [s for s in stored if s not in by_source and s not in keep]
    for source in gone:
        store.delete_articles(list(stored[source]))
        report.removed.append(source)

    todo: list[Article] = []
    replaced: set[str] = set()  # document ids whose old chunks must go before the new ones are written
    for source, items in by_source.items():
        old = stored.get(source, {})
        if old and set(old.values()) == {items[0].file_hash} and set(old) == {a.document_id for a in items}:
            report.unchanged.append(source)
            continue
        (report.updated if old else report.added).append(source)
        new_ids = {a.document_id for a in items}
        store.delete_articles([d for d in old if d not in new_ids])
        replaced.update(d for d in old if d in new_ids)
        todo.extend(items)
    if not todo:
        return

    chunked = [(a, chunk_article(a, embedder.count_tokens, chunking)) for a in todo]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=sum(len(c) for _, c in chunked), unit="chunk", desc="Embedding", leave=False)
    # Groups of articles of about WRITE_GROUP chunks: embedded, then written in a few batched store calls
    # (one call per article cost a third of the indexing time). Each group is complete when written, so
    # an interrupted run keeps what it finished and the next run goes on from there.
    group: list[tuple[Article, list]] = []
    size = 0
    for n, item in enumerate(chunked):
        group.append(item)
        size += len(item[1])
        if n == len(chunked) - 1 or size >= WRITE_GROUP:
            texts = [c.embed_text() for _, chunks in group for c in chunks]
            vectors = _embed_all(embedder, texts, bar)
            store.delete_articles([a.document_id for a, _ in group if a.document_id in replaced])
            store.put_articles([(a, chunks) for a, chunks in group], vectors)
            report.embedded += len(texts)
            group, size = [], 0
    if bar:
        bar.close()


def _embed_all(embedder: Embedder, texts: list[str], bar=None, batch: int = 64) -> np.ndarray:
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    # Similar lengths in one batch waste less padding; restore the order afterwards.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for a in range(0, len(order), batch):
        idx = order[a:a + batch]
        out[idx] = embedder.embed([texts[i] for i in idx])
        if bar:
            bar.update(len(idx))
    return out


def lexical_is_current(store: Store, data_dir: Path) -> bool:
    """Whether the BM25 index on disk covers exactly the store's chunks (read without loading it)."""
    wanted = store.info().get("lexical")
    return bool(wanted) and LexicalIndex.saved_fingerprint(Path(data_dir) / LEXICAL_DIR) == wanted


def refresh_lexical(store: Store, data_dir: Path, *, force: bool = False) -> LexicalIndex:
    """The BM25 index matching the store's chunks: loaded from disk, or rebuilt and saved."""
    directory = Path(data_dir) / LEXICAL_DIR
    wanted = store.info().get("lexical")
    if not force and wanted:
        lexical = LexicalIndex.load(directory)
        if lexical is not None and lexical.fingerprint == wanted:
            return lexical
    ids, texts = store.all_chunk_texts()
    lexical = LexicalIndex.build(ids, texts)
    lexical.save(directory)
    if lexical.fingerprint != wanted:
        store.set_info(lexical=lexical.fingerprint)
    return lexical
