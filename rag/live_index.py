"""The index as questions see it: the store, reopened when another process publishes a new one, and
the hybrid retriever, its BM25 part kept in step with chunks that any process (re)indexed.

Locking: one short lock guards the swap of the store and the retriever. It is never held while
embedding or while rebuilding the BM25 index, so questions go on while this process indexes; and
only an indexer persists anything (a process that only answers writes nothing to the data dir).
"""

import threading
import time
from pathlib import Path

from index.build import BuildReport, rebuild_corpus, refresh_lexical, sync_corpus
from index.chunking import ChunkingConfig
from index.documents import check_corpus_dir
from index.embedding import Embedder
from index.errors import IndexMissingError
from index.lexical import LexicalIndex
from index.store import IndexSpec, Store, written_here

from .retrieve import HybridRetriever

UPLOADS_PREFIX = "uploads/"
FRESHNESS_CHECK_S = 2.0  # how often a question checks whether another process changed the index


class LiveIndex:
    """One data directory's index: ``store`` and ``retriever`` for questions, ``update`` for the indexer."""

    def __init__(
        self, data_dir: Path, spec: IndexSpec, embedder: Embedder, *, chroma_url: str | None = None, timeout: float = 10.0
    ) -> None:
        self.data_dir, self.spec, self.embedder = data_dir, spec, embedder
        self.chroma_url, self.timeout = chroma_url, timeout
        self._lock = threading.Lock()  # the store and retriever: swapped under it, never held while embedding
        self._indexing = threading.Lock()  # one update at a time in this process (two uploads wait, not fail)
        self._store: Store | None = None
        self._retriever: HybridRetriever | None = None
        self._checked = 0.0
        self._built_for: str | None = None  # the store's lexical fingerprint when the retriever was built

    @property
    def uploads_dir(self) -> Path:
        """Articles added through the UI; indexed with the corpus, under the source prefix "uploads/"."""
        return self.data_dir / "uploads"

    def update(self, corpus_dir: Path, chunking: ChunkingConfig, *, rebuild: bool = False, progress: bool = False) -> BuildReport:
        """Make the index mirror ``corpus_dir`` (and the uploads); see ``Assistant.index``."""
        check_corpus_dir(corpus_dir)  # before anything is created
        info = {"corpus": str(corpus_dir.resolve())}
        extra = {UPLOADS_PREFIX: self.uploads_dir}
        with self._indexing:
            # built outside the swap lock: questions go on with the current store meanwhile (other
            # processes' indexers are kept out by the data dir's write lock, this one's by _indexing)
            if rebuild:
                store, report = rebuild_corpus(
                    corpus_dir,
                    self.data_dir,
                    self.spec,
                    self.embedder,
                    chunking,
                    progress=progress,
                    extra_roots=extra,
                    chroma_url=self.chroma_url,
                    timeout=self.timeout,
                    info=info,
                )
            else:
                store = Store.open(self.data_dir, self.spec, create=True, chroma_url=self.chroma_url, timeout=self.timeout)
                report = sync_corpus(
                    corpus_dir, store, self.embedder, self.data_dir, chunking, progress=progress, extra_roots=extra
                )
                if not store.is_current():  # an interrupted run's index was written afresh (index/build.py)
                    store = Store.open(self.data_dir, self.spec, create=False, chroma_url=self.chroma_url, timeout=self.timeout)
                store.set_info(**info)
            with self._lock:
                self._store = store
                self._retriever = None  # the BM25 index changed with the chunks (and a retriever being built is stale)
            return report

    def exists(self) -> bool:
        try:
            self.store  # noqa: B018 (opens it, or raises IndexMissingError)
            return True
        except IndexMissingError:
            return False

    @property
    def store(self) -> Store:
        """The current store, reopened when another process published a rebuilt index."""
        store = self._store
        if store is not None and store.is_current():  # no lock: questions go on while this process indexes
            return store
        with self._lock:
            if self._store is None or not self._store.is_current():
                self._store = Store.open(self.data_dir, self.spec, create=False, chroma_url=self.chroma_url, timeout=self.timeout)
                self._retriever = None  # its BM25 index and dense store belong to the old index
            return self._store

    @property
    def retriever(self) -> HybridRetriever:
        """Hybrid retrieval, its BM25 index rebuilt when the chunks changed (checked every few seconds)."""
        store = self.store
        retriever, now = self._retriever, time.monotonic()
        if retriever is not None and now - self._checked < FRESHNESS_CHECK_S:
            return retriever
        self._checked = now
        wanted = store.info().get("lexical")
        if retriever is not None and wanted in (retriever.lexical.fingerprint, self._built_for):
            return retriever  # unchanged (an index without a saved BM25 copy is not rebuilt every check)
        # changed by another process (not by an update() of this one): this process's copy of the vector index is stale
        external = retriever is not None and not written_here(wanted)
        # outside the lock: questions go on meanwhile; only the indexer writes the saved copy
        lexical: LexicalIndex = refresh_lexical(store, self.data_dir, persist=False)
        with self._lock:
            stale = self._store is not store  # this process indexed meanwhile: ``lexical`` may lack what it added
            if not stale:
                if external and self._retriever is retriever:  # reopen it, under the lock: no write of ours in between
                    self._store = self._store.reopened()
                    self._retriever = None
                if self._retriever is None or self._retriever.lexical.fingerprint != lexical.fingerprint:
                    self._retriever = HybridRetriever(self._store, self.embedder, lexical)
                self._built_for = wanted
                return self._retriever
        # built across an update (a question asked while an upload was indexed, answered again once it is done,
        # must see the upload): build it again from the updated store
        return self.retriever
