"""Idempotent, incremental indexing of a corpus directory into the store.

A file whose content hash is already in the index is not touched (nothing is embedded); a
changed file is re-chunked and its chunks replaced; a file gone from the corpus loses its
chunks. Afterwards the BM25 index is rebuilt if, and only if, the set of chunks changed.

A run interrupted at any point (kill -9) leaves a state the next run repairs: chunks whose article
has no row, or a row with another file hash, are orphans and are deleted; an article missing some of
its chunks is indexed again (``_repair``). An embedded index is then written afresh into a new
generation (``_rewrite``): after a kill, Chroma's vector index can hold chunks whose vectors it cannot
read back, or that no search reaches, which no repair in place can mend. A run knows that the one
before it was interrupted from the file ``UNFINISHED``, written before and removed after each run.
``rebuild_corpus`` takes the write lock before anything is touched and builds the new index beside
the current one (see index/store.py, generations).
"""

import errno
import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from .articles import Article
from .chunking import Chunk, ChunkingConfig, iter_chunks, stored_embed_text
from .documents import UNREAD_DOCUMENTS, check_corpus_dir, iter_corpus
from .embedding import Embedder
from .errors import CorpusError, IndexBusyError, IndexReadOnlyError, printable
from .lexical import LexicalIndex, current_analyzer
from .store import HTTP_TIMEOUT_S, ArticleRow, IndexSpec, Store

log = logging.getLogger(__name__)
LEXICAL_DIR = "lexical"
UNFINISHED = ".index-unfinished"  # in the data directory while a run writes the current index in place
WRITE_GROUP = 512  # chunks embedded, then written to the store together


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)  # sources
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source, an earlier source with the same text)
    repaired: list[str] = field(default_factory=list)  # sources indexed again: an earlier run was interrupted
    orphans: int = 0  # chunks of no (current) article, deleted by this run
    rewritten: bool = False  # an earlier run was interrupted: the index was written afresh (``_rewrite``)
    reembedded: int = 0  # of which chunks whose vectors Chroma could no longer read
    articles: int = 0
    chunks: int = 0  # in the index afterwards
    embedded: int = 0  # chunks embedded by this run
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.repaired or self.orphans or self.rewritten)


@contextmanager
def write_lock(data_dir: Path, wait: float = 0.0):
    """Only one indexer per data directory; a second one waits up to ``wait`` seconds, then is refused.
    (``filelock``: an OS lock on ``.index.lock``, released by the OS when its process dies.)"""
    lock = FileLock(data_dir / ".index.lock", timeout=wait)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire(poll_interval=0.2)
    except Timeout:
        raise IndexBusyError(f"Another `rag index` is writing {data_dir}; wait for it to finish and run again.") from None
    except OSError as err:
        if isinstance(err, PermissionError) or err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise IndexReadOnlyError(
                f"The data directory {data_dir} is read-only ({err.strerror}): `rag index` cannot write there. "
                "Make it writable, or pass another --data-dir. The index in it is not damaged."
            ) from err
        raise
    try:
        yield
    finally:
        lock.release()


def sync_corpus(
    corpus_dir: Path,
    store: Store,
    embedder: Embedder,
    data_dir: Path,
    chunking: ChunkingConfig = ChunkingConfig(),
    *,
    progress: bool = False,
    lock_wait: float = 0.0,
    extra_roots: dict[str, Path] | None = None,
) -> BuildReport:
    """Make the index mirror ``corpus_dir`` (and ``extra_roots``); returns what changed."""
    started = time.perf_counter()
    check_corpus_dir(corpus_dir)
    data_dir = Path(data_dir)
    embedded = store.generation is not None  # a Chroma server has no generations: it is repaired in place
    unfinished = data_dir / UNFINISHED
    with write_lock(data_dir, lock_wait):
        interrupted = embedded and unfinished.exists()
        if embedded:
            Store.remove_retired(data_dir)
            unfinished.touch()
        report = _sync(corpus_dir, store, embedder, data_dir, chunking, progress, extra_roots)
        if interrupted:
            report.reembedded = _rewrite(store, embedder, data_dir, chunking)
            report.rewritten = True
        unfinished.unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    return report


def _rewrite(store: Store, embedder: Embedder, data_dir: Path, chunking: ChunkingConfig) -> int:
    """The index written afresh into a new generation, published when complete (the caller holds the write lock;
    the caller's ``store`` is then retired: open the current one). Vectors are copied, not computed, except those
    Chroma cannot read back. Returns how many chunks were embedded again."""
    log.info("the last run on %s was interrupted: writing the index afresh", data_dir)
    target = Store.new_generation(data_dir, store.spec)
    try:
        reembedded = store.copy_into(
            target,
            lambda chunks: _embed_all(embedder, [stored_embed_text(t, x, embedder.count_tokens, chunking) for t, x in chunks]),
        )
        refresh_lexical(target, data_dir, force=True)
    except BaseException:
        target.discard()
        raise
    target.publish()
    return reembedded


def rebuild_corpus(
    corpus_dir: Path,
    data_dir: Path,
    spec: IndexSpec,
    embedder: Embedder,
    chunking: ChunkingConfig = ChunkingConfig(),
    *,
    progress: bool = False,
    lock_wait: float = 0.0,
    extra_roots: dict[str, Path] | None = None,
    chroma_url: str | None = None,
    timeout: float = HTTP_TIMEOUT_S,
    info: dict | None = None,
) -> tuple[Store, BuildReport]:
    """Build the index afresh. Under the write lock, before anything is deleted (a refused rebuild changes
    nothing). Embedded: the new index is built beside the current one, which readers keep using until
    the new one is complete and published; a failed rebuild leaves the current one as it was."""
    started = time.perf_counter()
    data_dir = Path(data_dir)
    check_corpus_dir(corpus_dir)
    with write_lock(data_dir, lock_wait):
        if chroma_url:  # one server, no generations: emptied under the lock, then filled
            store = Store.open(data_dir, spec, create=True, rebuild=True, chroma_url=chroma_url, timeout=timeout)
            report = _sync(corpus_dir, store, embedder, data_dir, chunking, progress, extra_roots)
            if info:
                store.set_info(**info)
        else:
            Store.remove_retired(data_dir)
            store = Store.new_generation(data_dir, spec)
            try:
                report = _sync(corpus_dir, store, embedder, data_dir, chunking, progress, extra_roots)
                if info:
                    store.set_info(**info)
            except BaseException:
                store.discard()
                raise
            store.publish()
            (data_dir / UNFINISHED).unlink(missing_ok=True)  # an interrupted run's index is replaced: nothing to rewrite
    report.seconds = time.perf_counter() - started
    return store, report


def _sync(
    corpus_dir: Path,
    store: Store,
    embedder: Embedder,
    data_dir: Path,
    chunking: ChunkingConfig,
    progress: bool,
    extra_roots: dict[str, Path] | None,
) -> BuildReport:
    stored: dict[str, dict[str, str]] = defaultdict(dict)  # source -> {document id: file hash}
    rows = store.article_rows()
    for row in rows:
        stored[row.source][row.document_id] = row.file_hash
    repaired, orphans = _repair(store, rows, stored)
    prepare = getattr(embedder, "prepare_onnx", None)
    if prepare is not None:
        # the question encoder's ONNX export (index/onnx_export.py), made and verified once, before any chunk is
        # embedded: a small batch of chunks embeds with it as a question does (no torch for a one-article upload),
        # and under the write lock, so that another process waits for this index instead of building its own
        prepare(data_dir)
    scan = iter_corpus(corpus_dir, extra_roots, known=lambda source, digest: set(stored.get(source, {}).values()) == {digest})
    report = BuildReport(orphans=orphans)
    had_chunks = store.count()
    seen = _apply(scan, report, store, embedder, chunking, progress, stored)
    if not had_chunks and not store.count():  # a first build that indexed nothing would refuse every question
        raise _nothing_indexed(corpus_dir, report.skipped, seen)
    report.repaired = sorted(s for s in repaired if s in report.added)
    report.added = [s for s in report.added if s not in repaired]
    report.chunks = store.count()
    report.articles = store.article_count()
    if report.changed or not lexical_is_current(store, data_dir):
        refresh_lexical(store, data_dir, force=True)
    return report


def _nothing_indexed(corpus_dir: Path, skipped: list[tuple[str, str]], seen: set[str]) -> CorpusError:
    """Why a first build indexed no article, and what to do: the folder holds no article files (the documents of
    other kinds it holds named), or every file was skipped (each with its reason)."""
    unread = [source for source, _ in skipped if Path(source).suffix.lower() in UNREAD_DOCUMENTS]
    if len(seen) == len(unread):
        named = ", ".join(unread[:3]) + (f" and {len(unread) - 3} more" if len(unread) > 3 else "")
        also = f" ({named}: not read; save their text as .txt, .md or .html)" if unread else ""
        return CorpusError(
            f"Corpus directory {corpus_dir} has no .txt, .md, .html or .jsonl files{also}: add articles there, "
            "or pass another directory with --corpus."
        )
    named = "".join(f"\n  {printable(source)}: {reason}" for source, reason in skipped[:5])
    more = f"\n  and {len(skipped) - 5} more" if len(skipped) > 5 else ""
    return CorpusError(
        f"Corpus directory {corpus_dir} has no article that could be indexed:{named}{more}\n"
        "Fix those files or add articles there, or pass another directory with --corpus."
    )


def _repair(store: Store, rows, stored: dict[str, dict[str, str]]) -> tuple[set[str], int]:
    """After an interrupted run: delete orphaned chunks (no article row, or cut from another version of the
    file than the row's), and forget articles that miss chunks, so that their files are indexed again.
    Checked in full only when the chunk count differs from the rows' sum (one count otherwise)."""
    if store.count() == sum(r.chunk_count for r in rows):
        return set(), 0
    hashes = {r.document_id: r.file_hash for r in rows}
    counts: dict[str, int] = defaultdict(int)
    orphans = []
    for chunk_id, (document_id, file_hash) in store.chunk_owners().items():
        if document_id not in hashes or (file_hash is not None and file_hash != hashes[document_id]):
            orphans.append(chunk_id)
        else:
            counts[document_id] += 1
    store.delete_chunks(orphans)
    incomplete = {r.source for r in rows if counts[r.document_id] != r.chunk_count}
    for source in incomplete:  # every article of the file: it is parsed again as a whole
        store.delete_articles(list(stored.pop(source)))
    if orphans or incomplete:
        log.warning("repaired the index: %d orphaned chunks deleted, %d files to index again", len(orphans), len(incomplete))
    return incomplete, len(orphans)


def _apply(
    scan,
    report: BuildReport,
    store: Store,
    embedder: Embedder,
    chunking: ChunkingConfig,
    progress: bool,
    stored: dict[str, dict[str, str]],
) -> set[str]:
    """Re-chunk and embed what changed, file by file as ``scan`` (documents.iter_corpus) reads them, then delete
    the sources that are gone; returns every source seen (a skipped or unchanged one is never deleted).

    Memory is bounded by one file's articles plus one group of about WRITE_GROUP chunks (``_Writer``): a run
    never holds every changed article, nor every chunk of a long one, until its end."""
    seen: set[str] = set()
    first_of: dict[str, tuple[str, bool]] = {}  # a file's hash -> the first source seen with it, and whether it was parsed
    writer = _Writer(store, embedder, report)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit="file", desc="Indexing", leave=False)
    for source, items, reason in scan:
        seen.add(source)
        if bar:
            bar.update(1)
        if reason is not None:
            report.skipped.append((source, reason))
            continue
        old = stored.get(source, {})
        digest = items[0].file_hash if items else next(iter(old.values()), "")
        if digest in first_of and (items is not None or first_of[digest][1]):  # told when either is new or changed
            report.duplicates.append((source, first_of[digest][0]))
        first_of.setdefault(digest, (source, items is not None))  # parsed: new or changed (unchanged are only hashed)
        if items is None or (old and set(old.values()) == {items[0].file_hash} and set(old) == {a.document_id for a in items}):
            report.unchanged.append(source)
            continue
        (report.updated if old else report.added).append(source)
        new_ids = {a.document_id for a in items}
        store.delete_articles([d for d in old if d not in new_ids])
        writer.replaced.update(d for d in old if d in new_ids)
        for article in items:
            writer.add(article, iter_chunks(article, embedder.count_tokens, chunking))
    writer.flush()
    if bar:
        bar.close()
    for source in [s for s in stored if s not in seen]:
        store.delete_articles(list(stored[source]))
        report.removed.append(source)
    return seen


class _Writer:
    """Chunks embedded and written in groups of about WRITE_GROUP (one call per article cost a third of the
    indexing time); an article's row after its last chunk. Each group is complete when written, so an
    interrupted run keeps what it finished, and the next run goes on from there (an article without its
    row is found by ``_repair``). An article's old version is deleted with the group that writes its first new
    chunks: while a large file is re-indexed, the rest of its articles stay answerable."""

    def __init__(self, store: Store, embedder: Embedder, report: BuildReport) -> None:
        self.store, self.embedder, self.report = store, embedder, report
        self.replaced: set[str] = set()  # document ids whose old version is still in the store
        self.chunks: list[tuple[Article, Chunk]] = []  # embedded and written by the next flush
        self.rows: list[ArticleRow] = []  # articles whose last chunk is written by the next flush, or was
        self.stale: list[str] = []  # old versions deleted by the next flush, before its chunks are written

    def add(self, article: Article, chunks: Iterator[Chunk]) -> None:
        if article.document_id in self.replaced:
            self.replaced.discard(article.document_id)
            self.stale.append(article.document_id)
        row = ArticleRow(article, 0)
        for chunk in chunks:
            row = ArticleRow(article, row.chunk_count + 1, row.start if row.chunk_count else chunk.start, chunk.end)
            self.chunks.append((article, chunk))
            if len(self.chunks) >= WRITE_GROUP:
                self.flush()
        self.rows.append(row)
        if not self.chunks:  # all its chunks are written: do not hold the article until the next group
            self.flush()

    def flush(self) -> None:
        vectors = _embed_all(self.embedder, [c.embed_text() for _, c in self.chunks])  # first: old versions go briefly
        self.store.delete_articles(self.stale)
        self.store.put_chunks(self.chunks, vectors)
        self.store.put_rows(self.rows)
        self.report.embedded += len(self.chunks)
        self.stale, self.chunks, self.rows = [], [], []


def _embed_all(embedder: Embedder, texts: list[str], bar=None, batch: int = 64) -> np.ndarray:
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    # Similar lengths in one batch waste less padding; restore the order afterwards.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for a in range(0, len(order), batch):
        idx = order[a : a + batch]
        out[idx] = embedder.embed([texts[i] for i in idx])
        if bar:
            bar.update(len(idx))
    return out


def lexical_is_current(store: Store, data_dir: Path) -> bool:
    """Whether the BM25 index on disk covers exactly the store's chunks (read without loading it)."""
    wanted = store.info().get("lexical")
    return current_analyzer(wanted) and LexicalIndex.saved_fingerprint(lexical_dir(store, data_dir)) == wanted


def lexical_dir(store: Store, data_dir: Path) -> Path:
    """Where the BM25 index of this store lives (one per generation of an embedded index)."""
    return Path(data_dir) / getattr(store, "lexical_name", LEXICAL_DIR)


def refresh_lexical(store: Store, data_dir: Path, *, force: bool = False, persist: bool = True) -> LexicalIndex:
    """The BM25 index matching the store's chunks: loaded from disk, or rebuilt (and saved, with its
    fingerprint recorded in the store, when ``persist``: the indexer, under the write lock; a process
    that only answers questions builds its copy in memory and writes nothing)."""
    directory = lexical_dir(store, data_dir)
    wanted = store.info().get("lexical")
    if not force and wanted:
        lexical = LexicalIndex.load(directory)
        if lexical is not None and lexical.fingerprint == wanted:
            return lexical
    ids: list[str] = []
    tokens: list[list[str]] = []
    for page_ids, texts in store.chunk_text_pages():
        ids += page_ids
        tokens += [LexicalIndex.chunk_terms(t) for t in texts]
    lexical = LexicalIndex.from_terms(ids, tokens)
    if not persist:
        return lexical
    lexical.save(directory)
    if lexical.fingerprint != wanted:
        store.set_info(lexical=lexical.fingerprint)
    return lexical
