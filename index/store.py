"""The Chroma store: the only module that knows Chroma.

Two collections in one data directory: ``chunks`` (one row per chunk, with its embedding) and
``articles`` (one row per article: its metadata and the original text the offsets point into).
The chunks collection records the embedder and chunking it was built with; opening it with
other settings raises IndexMismatchError.
"""

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .chunking import Chunk
from .documents import Article
from .errors import IndexCorruptedError, IndexMismatchError, IndexMissingError

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
log = logging.getLogger(__name__)

SCHEMA = "2"
CHUNKS = "chunks"
ARTICLES = "articles"
_BATCH = 2000


@dataclass(frozen=True)
class IndexSpec:
    """What the vectors in an index mean; two indexes are compatible iff their specs are equal."""

    model_id: str
    dim: int
    chunking: str

    def as_metadata(self) -> dict:
        return {"schema": SCHEMA, "model_id": self.model_id, "dim": self.dim, "chunking": self.chunking}


@dataclass
class StoredChunk:
    chunk_id: str
    document_id: str
    source: str
    title: str
    text: str
    start: int
    end: int
    ordinal: int
    clean_start: int  # where the chunk starts in its article's clean text
    sentences: list[tuple[int, int, int, int]]  # chunk-relative clean span, original span


@dataclass
class StoredArticle:
    document_id: str
    source: str
    title: str
    file_hash: str
    chunk_count: int
    original: str  # original file text from offset ``base`` on
    base: int
    text: str = ""  # the clean article text (what a reader sees), when fetched with_text
    url: str | None = None
    published: str | None = None
    outlet: str | None = None

    def original_text(self, start: int, end: int) -> str:
        return self.original[start - self.base:end - self.base]


def _client(data_dir: Path, chroma_url: str | None):
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        from urllib.parse import urlparse

        url = urlparse(chroma_url)
        return chromadb.HttpClient(host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https", settings=settings)
    return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)


def _stitch(parts: list[tuple[int, str]]) -> str:
    """An article's clean text from its (overlapping) chunks; the gaps between chunks are line breaks."""
    text = ""
    for start, chunk in sorted(parts):
        if start > len(text):
            text += "\n" * (start - len(text))
        text = text[:start] + chunk if start + len(chunk) > len(text) else text
    return text


def _forget_clients() -> None:
    """Drop Chroma's per-process client cache, so that a path can be opened afresh."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


class Store:
    def __init__(self, client, chunks, articles, spec: IndexSpec, location: str) -> None:
        self._client = client
        self.chunks = chunks
        self.articles = articles
        self.spec = spec
        self.location = location

    @classmethod
    def open(cls, data_dir: Path, spec: IndexSpec, *, create: bool, rebuild: bool = False,
             chroma_url: str | None = None) -> "Store":
        data_dir = Path(data_dir)
        location = chroma_url or str(data_dir)
        if not chroma_url and not create and not (data_dir / "chroma" / "chroma.sqlite3").is_file():
            raise IndexMissingError(f"No index in {data_dir}: run `rag index` first (add --data-dir {data_dir} if it lives there).")
        if rebuild and not chroma_url:
            _forget_clients()
            shutil.rmtree(data_dir / "chroma", ignore_errors=True)  # also recovers a corrupted index
        try:
            client = _client(data_dir, chroma_url)
            names = {c.name if hasattr(c, "name") else c for c in client.list_collections()}
            if rebuild:
                for name in (CHUNKS, ARTICLES):
                    if name in names:
                        client.delete_collection(name)
                names = set()
            if CHUNKS not in names and not create:
                raise IndexMissingError(f"No index in {location}: run `rag index` first.")
            chunks = client.get_or_create_collection(
                CHUNKS, metadata={"hnsw:space": "cosine", **spec.as_metadata()}, embedding_function=None
            )
            articles = client.get_or_create_collection(ARTICLES, metadata={"schema": SCHEMA}, embedding_function=None)
        except IndexMissingError:
            raise
        except Exception as err:
            _forget_clients()
            if chroma_url:
                raise IndexCorruptedError(f"Cannot use the Chroma server at {chroma_url}: {err}. Is `chroma run` up at that address?") from err
            raise IndexCorruptedError(
                f"The index in {data_dir} cannot be opened ({type(err).__name__}: {err}). "
                f"Rebuild it with `rag index --rebuild --data-dir {data_dir}` (your corpus files are not touched)."
            ) from err
        found = chunks.metadata or {}
        wanted = spec.as_metadata()
        diff = [f"{k}: index has {found.get(k)!r}, settings ask for {v!r}" for k, v in wanted.items() if found.get(k) != v]
        if diff:
            raise IndexMismatchError(
                f"The index in {location} was built with other settings ({'; '.join(diff)}). "
                "Rebuild it with `rag index --rebuild`, or use the model and chunking it was built with."
            )
        return cls(client, chunks, articles, spec, location)

    # --- reading -------------------------------------------------------------------------
    def count(self) -> int:
        return self.chunks.count()

    def article_count(self) -> int:
        return self.articles.count()

    def article_rows(self) -> list[StoredArticle]:
        """Every article's metadata (without its texts)."""
        out = []
        for offset in range(0, self.articles.count(), _BATCH):  # pages: one get of 100,000 rows overflows SQLite
            rows = self.articles.get(include=["metadatas"], limit=_BATCH, offset=offset)
            out += [self._article(i, m, None) for i, m in zip(rows["ids"], rows["metadatas"])]
        return out

    def get_articles(self, document_ids: list[str], *, with_text: bool = False) -> dict[str, StoredArticle]:
        """Articles with their original text; ``with_text`` also stitches their clean text from the chunks."""
        if not document_ids:
            return {}
        ids = list(dict.fromkeys(document_ids))
        rows = self.articles.get(ids=ids, include=["metadatas", "documents"])
        out = {i: self._article(i, m, d) for i, m, d in zip(rows["ids"], rows["metadatas"], rows["documents"])}
        if with_text and out:
            chunks = self.chunks.get(where={"document_id": {"$in": list(out)}}, include=["metadatas", "documents"])
            pieces: dict[str, list[tuple[int, str]]] = {}
            for meta, text in zip(chunks["metadatas"], chunks["documents"]):
                pieces.setdefault(meta["document_id"], []).append((int(meta["clean_start"]), text))
            for document_id, parts in pieces.items():
                out[document_id].text = _stitch(parts)
        return out

    @staticmethod
    def _article(document_id: str, meta: dict, original: str | None) -> StoredArticle:
        return StoredArticle(
            document_id=document_id, source=meta["source"], title=meta["title"], file_hash=meta["file_hash"],
            chunk_count=int(meta["chunk_count"]), original=original or "", base=int(meta.get("base", 0)),
            url=meta.get("url"), published=meta.get("published"), outlet=meta.get("outlet"),
        )

    def all_chunk_texts(self) -> tuple[list[str], list[str]]:
        ids: list[str] = []
        texts: list[str] = []
        total = self.chunks.count()
        for offset in range(0, total, _BATCH):
            rows = self.chunks.get(include=["documents"], limit=_BATCH, offset=offset)
            ids.extend(rows["ids"])
            texts.extend(rows["documents"])
        return ids, texts

    def get_chunks(self, chunk_ids: list[str]) -> dict[str, StoredChunk]:
        if not chunk_ids:
            return {}
        rows = self.chunks.get(ids=list(dict.fromkeys(chunk_ids)), include=["metadatas", "documents"])
        return {i: self._chunk(i, m, d) for i, m, d in zip(rows["ids"], rows["metadatas"], rows["documents"])}

    def query(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Chunk ids and cosine similarities of the k nearest chunks (fewer when the index holds fewer)."""
        rows = self.chunks.query(query_embeddings=[vector.tolist()], n_results=k, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(rows["ids"][0], rows["distances"][0])]

    @staticmethod
    def _chunk(chunk_id: str, meta: dict, text: str) -> StoredChunk:
        return StoredChunk(
            chunk_id=chunk_id, document_id=meta["document_id"], source=meta["source"], title=meta["title"],
            text=text, start=int(meta["start"]), end=int(meta["end"]), ordinal=int(meta["ordinal"]),
            clean_start=int(meta["clean_start"]), sentences=[tuple(s) for s in json.loads(meta["sentences"])],
        )

    # --- writing -------------------------------------------------------------------------
    def put_articles(self, items: list[tuple[Article, list[Chunk]]], vectors: np.ndarray) -> None:
        """Write new articles (``vectors``: their chunks' in order): all the chunks first, the articles' rows
        last, so that a reader never uses an article that is only partly written (see ``present_articles``)."""
        self.put_chunks([(article, c) for article, chunks in items for c in chunks], vectors)
        self.put_rows(items)

    def put_rows(self, items: list[tuple[Article, list[Chunk]]]) -> None:
        """The articles' rows: metadata and the original text their offsets point into (written last)."""
        rows = [self._row(article, chunks) for article, chunks in items]
        for a in range(0, len(rows), _BATCH):
            batch = rows[a:a + _BATCH]
            self.articles.upsert(ids=[r[0] for r in batch], embeddings=[[1.0]] * len(batch),
                                 documents=[r[1] for r in batch], metadatas=[r[2] for r in batch])

    def put_chunks(self, chunks: list[tuple[Article, Chunk]], vectors: np.ndarray) -> None:
        for a in range(0, len(chunks), _BATCH):
            batch = chunks[a:a + _BATCH]
            self.chunks.add(
                ids=[c.chunk_id for _, c in batch],
                embeddings=vectors[a:a + _BATCH].tolist(),
                documents=[c.text for _, c in batch],
                metadatas=[
                    {
                        "document_id": c.document_id, "source": article.source, "title": article.title,
                        "start": c.start, "end": c.end, "ordinal": c.ordinal, "clean_start": c.clean_start,
                        "sentences": json.dumps([[s.start, s.end, s.orig_start, s.orig_end] for s in c.sentences]),
                    }
                    for article, c in batch
                ],
            )

    @staticmethod
    def _row(article: Article, chunks: list[Chunk]) -> tuple[str, str, dict]:
        base, stop = (chunks[0].start, chunks[-1].end) if chunks else (0, 0)
        if article.document_id == article.source:  # one article per file: keep the whole file
            base, stop = 0, len(article.original)
        else:  # a line of a JSONL file: keep that line
            base = article.original.rfind("\n", 0, base) + 1
            nl = article.original.find("\n", stop)
            stop = len(article.original) if nl == -1 else nl
        meta = {
            "source": article.source, "title": article.title, "file_hash": article.file_hash,
            "chunk_count": len(chunks), "base": base,
            **{k: v for k, v in (("url", article.url), ("published", article.published), ("outlet", article.outlet)) if v},
        }
        return article.document_id, article.original[base:stop], meta

    def delete_articles(self, document_ids: list[str]) -> None:
        for a in range(0, len(document_ids), _BATCH):
            batch = list(document_ids[a:a + _BATCH])
            self.chunks.delete(where={"document_id": {"$in": batch}})
            self.articles.delete(ids=batch)

    def set_info(self, **info) -> None:
        meta = self.info()
        meta.update(info)
        meta.pop("hnsw:space", None)
        self.chunks.modify(metadata=meta)

    def info(self) -> dict:
        """The chunks collection's metadata as stored now (another process may have changed it)."""
        try:
            return dict(self._client.get_collection(CHUNKS).metadata or {})
        except Exception as err:  # the collection was deleted or rebuilt under us
            raise IndexCorruptedError(f"The index in {self.location} changed while in use ({err}); ask again, or restart.") from err

    def present_articles(self, document_ids: list[str]) -> set[str]:
        """Which of these articles are completely indexed (an article's row is written after all its chunks)."""
        if not document_ids:
            return set()
        return set(self.articles.get(ids=list(dict.fromkeys(document_ids)), include=[])["ids"])
