"""BM25 over chunk texts, persisted beside the index and keyed by the set of chunks it covers."""

import hashlib
import json
import logging
import math
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from .analysis import ANALYZER_VERSION, terms


def _bm25s():
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import
    return bm25s


def fingerprint(chunk_ids: list[str]) -> str:
    """The chunks a BM25 index covers, and the analyzer that cut their terms (``v4:…``, ``ANALYZER_VERSION``): an index saved by
    another analyzer version (or before versions were recorded) is rebuilt from the store's chunk texts."""
    digest = hashlib.sha256()
    for chunk_id in sorted(chunk_ids):
        digest.update(chunk_id.encode())
    return f"v{ANALYZER_VERSION}:{digest.hexdigest()[:20]}"


def current_analyzer(fingerprint_text: str | None) -> bool:
    """Whether a saved fingerprint was cut by this analyzer version."""
    return bool(fingerprint_text) and fingerprint_text.startswith(f"v{ANALYZER_VERSION}:")


class LexicalIndex:
    """BM25 (bm25s) over chunk texts, plus document frequencies for IDF-weighted features."""

    def __init__(self, ids: list[str], model, df: dict[str, int]) -> None:
        self.ids = ids
        self._model = model
        self.df = df
        self.n = len(ids)
        self.fingerprint = fingerprint(ids)

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> "LexicalIndex":
        return cls.from_terms(ids, [cls.chunk_terms(t) for t in texts])

    @staticmethod
    def chunk_terms(text: str) -> list[str]:
        """A chunk's terms as BM25 indexes them (an empty chunk gets a placeholder)."""
        return terms(text) or ["\u2205"]

    @classmethod
    def from_terms(cls, ids: list[str], tokens: list[list[str]]) -> "LexicalIndex":
        """From each chunk's ``terms``: an indexer reads the texts a page at a time and keeps only these."""
        model = _bm25s().BM25()
        if tokens:
            model.index(tokens, show_progress=False)
        df = Counter(term for doc in tokens for term in set(doc))
        return cls(list(ids), model if tokens else None, dict(df))

    def idf(self, term: str) -> float:
        """Smoothed IDF; a term absent from the corpus gets the highest value."""
        return math.log(1 + (self.n + 1) / (self.df.get(term, 0) + 0.5))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        if self._model is None or not self.n:
            return []
        vocab = self._model.vocab_dict
        query_terms = [t for t in terms(query) if t in vocab]
        if not query_terms:
            return []
        docs, scores = self._model.retrieve([query_terms], k=min(k, self.n), show_progress=False, n_threads=1)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def save(self, directory: Path) -> None:
        """Written beside ``directory`` under a name of its own, then renamed into place. Only the
        indexer saves, under the write lock: what a killed one left is removed first."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        for stale in directory.parent.glob(directory.name + ".tmp*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=directory.name + ".tmp-", dir=directory.parent))
        if self._model is not None:
            self._model.save(str(tmp), show_progress=False)
        (tmp / "ids.json").write_text(json.dumps(self.ids))
        (tmp / "df.json").write_text(json.dumps(self.df))
        (tmp / "fingerprint.txt").write_text(self.fingerprint)
        shutil.rmtree(directory, ignore_errors=True)
        tmp.rename(directory)

    @staticmethod
    def saved_fingerprint(directory: Path) -> str | None:
        try:
            return (directory / "fingerprint.txt").read_text().strip()
        except OSError:
            return None

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex | None":
        """The saved index, or None when there is none, it cannot be read, or another analyzer version cut its
        terms (then rebuild)."""
        try:
            ids = json.loads((directory / "ids.json").read_text())
            if cls.saved_fingerprint(directory) != fingerprint(ids):
                return None
            df = json.loads((directory / "df.json").read_text())
            model = None
            if ids:
                model = _bm25s().BM25.load(str(directory), mmap=False, show_progress=False, verbosity=0)
            return cls(ids, model, df)
        except (OSError, ValueError, KeyError):
            return None
