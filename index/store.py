"""The Chroma store: the only module that knows Chroma.

Two collections in one data directory: ``chunks`` (one row per chunk, with its embedding) and
``articles`` (one row per article: its metadata). The original text the offsets point into is a
file beside an embedded index (index/originals.py), and a document of the article's row on a Chroma
server (or in an index written before originals were files).
The chunks collection records the embedder and chunking it was built with; opening it with
other settings raises IndexMismatchError.

Generations (embedded store): the index lives in ``DATA/chroma`` (the first build) or in
``DATA/chroma-<id>`` named by the file ``DATA/CURRENT``. ``rag index --rebuild`` builds a new
generation beside the current one and then replaces ``CURRENT`` atomically, so that readers keep
answering from the old generation until the new one is complete; they switch on their next question
(see ``Store.is_current``). A retired generation is deleted by a later write, once no reader can
still be in the middle of a question on it (``RETIRED_GRACE_S``).

Every Chroma call goes through ``_Guarded``: whatever Chroma, SQLite or the HTTP client raise
becomes one of the project's errors with a message that says what to do (a corrupted database:
rebuild; a read-only directory: make it writable; a server down or hung: check the server).
"""

import functools
import json
import logging
import os
import re
import shutil
import sqlite3
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .articles import Article
from .chunking import Chunk
from .errors import (
    IndexCorruptedError,
    IndexMismatchError,
    IndexMissingError,
    IndexReadOnlyError,
    IndexUnavailableError,
    RagError,
)
from .originals import OriginalFiles

log = logging.getLogger(__name__)

SCHEMA = "2"
CHUNKS = "chunks"
ARTICLES = "articles"
_BATCH = 2000
COPY_GROUP = 512  # chunks per add when an index is copied (see copy_into)
LEGACY = "chroma"  # the generation of a data directory without a CURRENT file
CURRENT = "CURRENT"
RETIRED_GRACE_S = 120.0  # a retired generation is kept this long for questions still running on it
HTTP_TIMEOUT_S = 10.0  # default timeout of every request to a Chroma server
_GENERATION = re.compile(r"chroma(-[0-9a-z]+)?")


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
    file_hash: str | None = None  # of the file version the chunk was cut from (None in indexes written before it was kept)


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
        return self.original[start - self.base : end - self.base]


@dataclass(frozen=True)
class ArticleRow:
    """What an article's row records of its chunks: how many, and the original span they cover."""

    article: Article
    chunk_count: int
    start: int = 0  # original offsets of the first chunk's start and the last chunk's end
    end: int = 0

    @classmethod
    def of(cls, article: Article, chunks: list[Chunk]) -> "ArticleRow":
        return cls(article, len(chunks), chunks[0].start, chunks[-1].end) if chunks else cls(article, 0)


@functools.cache
def _timed_api():
    """chromadb's HTTP API with a timeout on every request (chromadb sets none: a hung server hangs the caller)."""
    from chromadb.api.fastapi import FastAPI

    class TimedFastAPI(FastAPI):
        timeout = HTTP_TIMEOUT_S

        def __init__(self, system) -> None:
            super().__init__(system)
            self._session.timeout = TimedFastAPI.timeout  # before the first request (tenant check)

    return TimedFastAPI


def __getattr__(name: str):
    if name == "TimedFastAPI":  # chromadb's settings name it by its dotted path, index.store.TimedFastAPI
        return _timed_api()
    raise AttributeError(name)


def _client(path: Path | None, chroma_url: str | None, timeout: float = HTTP_TIMEOUT_S):
    import chromadb
    from chromadb.config import Settings

    if chroma_url:
        import httpx

        url = urllib.parse.urlparse(chroma_url)
        # a stopped server accepts the connection and never answers: probe it with a timeout first
        try:
            urllib.request.urlopen(chroma_url.rstrip("/") + "/api/v2/heartbeat", timeout=timeout).read()
        except Exception as err:  # noqa: BLE001 (translated by the caller)
            raise httpx.ConnectError(f"no heartbeat in {timeout:g} s ({err})") from err
        _timed_api().timeout = timeout
        settings = Settings(anonymized_telemetry=False, allow_reset=False, chroma_api_impl="index.store.TimedFastAPI")
        client = chromadb.HttpClient(host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https", settings=settings)
        client._server._session.timeout = timeout
        return client
    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def _forget_client(path: Path) -> None:
    """Drop Chroma's cached system for this one path (other stores open in this process are untouched)."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(path), None)
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)


# Fingerprints of the chunk sets this process wrote: Chroma clients of one process share one in-memory
# vector index per path, so a change made here is seen by every store object here, with no reopening.
_WRITTEN_HERE: set[str] = set()


def written_here(fingerprint: str | None) -> bool:
    """Whether this process wrote the index state with this BM25 fingerprint (see ``Store.reopened``)."""
    return fingerprint in _WRITTEN_HERE


def current_generation(data_dir: Path) -> str:
    """The name of the directory in ``data_dir`` that holds the current index."""
    try:
        name = (Path(data_dir) / CURRENT).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return LEGACY
    except (OSError, UnicodeDecodeError) as err:
        raise IndexCorruptedError(
            f"{Path(data_dir) / CURRENT} cannot be read ({err}). "
            f"Rebuild the index with `rag index --rebuild --data-dir {data_dir}`."
        ) from err
    if not _GENERATION.fullmatch(name):
        raise IndexCorruptedError(
            f"{Path(data_dir) / CURRENT} names no index ({name[:40]!r}). "
            f"Rebuild it with `rag index --rebuild --data-dir {data_dir}`."
        )
    return name


BESIDE = ("lexical", "originals")  # what belongs to a generation and lives beside it in the data directory


def _beside(prefix: str, generation: str) -> str:
    """``lexical`` beside ``chroma``, ``lexical-<id>`` beside ``chroma-<id>``."""
    return prefix + generation[len(LEGACY) :]


def _corrupted(data_dir: Path, detail: str) -> IndexCorruptedError:
    detail = " ".join(detail.split())
    return IndexCorruptedError(
        f"The index in {data_dir} is corrupted ({detail}). "
        f"Rebuild it with `rag index --rebuild --data-dir {data_dir}` (your corpus files are not touched)."
    )


def _read_only(data_dir: Path, detail: str) -> IndexReadOnlyError:
    return IndexReadOnlyError(
        f"The data directory {data_dir} is read-only ({detail}); Chroma must be able to write its files even to "
        f"answer. Make it writable (e.g. `chmod -R u+w {data_dir}`, or run as its owner), or copy it somewhere writable "
        "and pass that with --data-dir. The index itself is not damaged: do not rebuild it."
    )


def _check_writable(data_dir: Path, path: Path) -> None:
    for target in (data_dir, path, path / "chroma.sqlite3"):
        if target.exists() and not os.access(target, os.W_OK):
            raise _read_only(data_dir, f"{target} cannot be written")


def check_integrity(db: Path, data_dir: Path) -> None:
    """SQLite's quick_check of chroma.sqlite3: garbage inside the file is found here, not by a later question."""

    def quick_check(mode: str) -> list:
        con = sqlite3.connect(f"file:{urllib.parse.quote(str(db))}?mode={mode}", uri=True, timeout=10)
        try:
            return con.execute("PRAGMA quick_check(1)").fetchall()
        finally:
            con.close()

    try:
        try:
            rows = quick_check("ro")
        except sqlite3.OperationalError as err:
            if "readonly" not in str(err) or not os.access(db, os.W_OK):
                raise
            rows = quick_check("rw")  # a writer killed mid-transaction left a hot journal: rolling it back writes
    except sqlite3.OperationalError as err:
        if "locked" in str(err) or "busy" in str(err):
            return  # a writer holds it for longer than 10 s: it is in use, not known to be broken
        raise _corrupted(data_dir, f"{db.name}: {err}") from err
    except sqlite3.DatabaseError as err:
        raise _corrupted(data_dir, f"{db.name}: {err}") from err
    if rows != [("ok",)]:
        raise _corrupted(data_dir, f"{db.name}: integrity check says {rows[0][0] if rows else 'nothing'}")


_PROGRAMMING = (TypeError, AttributeError, NameError, KeyError, IndexError, AssertionError)


class _Where:
    def __init__(self, data_dir: Path, location: str, chroma_url: str | None, timeout: float) -> None:
        self.data_dir, self.location, self.chroma_url, self.timeout = data_dir, location, chroma_url, timeout

    def translate(self, err: Exception) -> RagError:
        import httpx

        detail = f"{type(err).__name__}: {err}"
        low = str(err).lower()
        if isinstance(err, httpx.TimeoutException):
            return IndexUnavailableError(
                f"The Chroma server at {self.chroma_url} did not answer within {self.timeout:g} s ({detail}). "
                "Is it running and responsive (not stopped or overloaded)? Ask again once it is."
            )
        if isinstance(err, httpx.HTTPError) or (self.chroma_url and isinstance(err, OSError)):
            return IndexUnavailableError(
                f"Cannot use the Chroma server at {self.chroma_url} ({detail}). Is `chroma run` up at that address?"
            )
        if "readonly" in low or "read-only" in low or isinstance(err, PermissionError):
            return _read_only(self.data_dir, detail)
        if "malformed" in low or "not a database" in low or "corrupt" in low:
            return _corrupted(self.data_dir, detail)
        if "does not exist" in low or "missing metadata segment" in low:
            return IndexCorruptedError(f"The index in {self.location} changed while in use ({detail}); ask again, or restart.")
        return IndexCorruptedError(
            f"The index in {self.location} failed ({detail}). If this happens again, rebuild it with "
            f"`rag index --rebuild --data-dir {self.data_dir}` (your corpus files are not touched)."
        )


class _Guarded:
    """A Chroma client or collection whose failures are raised as the project's errors (see _Where)."""

    def __init__(self, target, where: _Where) -> None:
        self._target = target
        self._where = where

    def __getattr__(self, name: str):
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            try:
                return attr(*args, **kwargs)
            except (RagError, *_PROGRAMMING):
                raise
            except Exception as err:  # noqa: BLE001 (translated into a message that says what to do)
                raise self._where.translate(err) from err

        return call


def _stitch(parts: list[tuple[int, str]]) -> str:
    """An article's clean text from its (overlapping) chunks; the gaps between chunks are line breaks."""
    text = ""
    for start, chunk in sorted(parts):
        if start > len(text):
            text += "\n" * (start - len(text))
        text = text[:start] + chunk if start + len(chunk) > len(text) else text
    return text


class Store:
    def __init__(
        self,
        client,
        chunks,
        articles,
        spec: IndexSpec,
        location: str,
        *,
        data_dir: Path | None = None,
        generation: str | None = None,
    ) -> None:
        self._client = client
        self.chunks = chunks
        self.articles = articles
        self.spec = spec
        self.location = location
        self.data_dir = data_dir
        self.generation = generation  # None on a Chroma server

    @classmethod
    def open(
        cls,
        data_dir: Path,
        spec: IndexSpec,
        *,
        create: bool,
        rebuild: bool = False,
        chroma_url: str | None = None,
        generation: str | None = None,
        timeout: float = HTTP_TIMEOUT_S,
    ) -> "Store":
        """The current index. ``rebuild`` (Chroma server only; the caller holds the write lock) empties it
        first; an embedded index is rebuilt beside the current one (``Store.new_generation``)."""
        data_dir = Path(data_dir)
        if rebuild and not chroma_url:
            raise ValueError("an embedded index is rebuilt beside the current one: use Store.new_generation")
        path = None
        if not chroma_url:
            generation = generation or current_generation(data_dir)
            path = data_dir / generation
            if not create and not (path / "chroma.sqlite3").is_file():
                raise IndexMissingError(
                    f"No index in {data_dir}: run `rag index` first (add --data-dir {data_dir} if it lives there)."
                )
            _check_writable(data_dir, path)
            if (path / "chroma.sqlite3").is_file():
                check_integrity(path / "chroma.sqlite3", data_dir)
        location = chroma_url or str(data_dir)
        where = _Where(data_dir, location, chroma_url, timeout)
        try:
            client = _Guarded(_client(path, chroma_url, timeout), where)
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
            if path is not None:
                _forget_client(path)
            if isinstance(err, (IndexReadOnlyError, IndexUnavailableError)):
                raise
            if isinstance(err, RagError) and isinstance(err.__cause__, Exception):
                err = err.__cause__
            if chroma_url:
                raise IndexUnavailableError(
                    f"Cannot use the Chroma server at {chroma_url}: {err}. Is `chroma run` up at that address?"
                ) from err
            if isinstance(err, PermissionError) or "readonly" in str(err).lower():
                raise _read_only(data_dir, f"{type(err).__name__}: {err}") from err
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
        return cls(
            _Guarded(client, where),
            _Guarded(chunks, where),
            _Guarded(articles, where),
            spec,
            location,
            data_dir=data_dir,
            generation=generation,
        )

    # --- generations (embedded store) ------------------------------------------------------
    @classmethod
    def new_generation(cls, data_dir: Path, spec: IndexSpec) -> "Store":
        """An empty index beside the current one (the caller holds the write lock); ``publish`` makes it current."""
        data_dir = Path(data_dir)
        _check_writable(data_dir, data_dir / current_generation(data_dir) if (data_dir / CURRENT).exists() else data_dir)
        name = f"{LEGACY}-{time.time_ns():x}"
        return cls.open(data_dir, spec, create=True, generation=name)

    @property
    def lexical_name(self) -> str:
        """The BM25 directory that belongs to this index (beside it in the data directory)."""
        return _beside("lexical", self.generation or LEGACY)

    @functools.cached_property
    def originals(self) -> OriginalFiles | None:
        """The articles' original texts (embedded index); None on a Chroma server, where they are documents."""
        return OriginalFiles(self.data_dir / _beside("originals", self.generation)) if self.generation else None

    def is_current(self) -> bool:
        """False once another process published a rebuilt index: then open the store afresh."""
        if self.generation is None:
            return True
        try:
            return current_generation(self.data_dir) == self.generation
        except RagError:
            return True  # keep answering from what is open; the next open says what is wrong

    def publish(self) -> str | None:
        """Make this generation the current one (atomically); returns the generation it replaced."""
        data_dir = self.data_dir
        old = current_generation(data_dir)
        if old == self.generation:
            return None
        tmp = data_dir / (CURRENT + ".tmp")
        with open(tmp, "w", encoding="ascii") as handle:
            handle.write(self.generation + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        (data_dir / f"retired-{old}").touch()  # before the swap: a crash in between leaves it retired, not lost
        os.replace(tmp, data_dir / CURRENT)
        return old

    def reopened(self) -> "Store":
        """This index opened afresh. An embedded Chroma client keeps its own in-memory copy of the vector
        index, which never sees chunks that another process wrote or deleted (its counts and rows do):
        a long-running reader reopens after another process changed the index. A server needs nothing."""
        if self.generation is None:
            return self
        _forget_client(self.data_dir / self.generation)
        return Store.open(self.data_dir, self.spec, create=False, generation=self.generation)

    def discard(self) -> None:
        """Delete this (unpublished) generation: a rebuild that failed."""
        if self.generation and self.generation != current_generation(self.data_dir):
            _forget_client(self.data_dir / self.generation)
            shutil.rmtree(self.data_dir / self.generation, ignore_errors=True)
            for prefix in BESIDE:
                shutil.rmtree(self.data_dir / _beside(prefix, self.generation), ignore_errors=True)

    @staticmethod
    def remove_retired(data_dir: Path, grace: float = RETIRED_GRACE_S) -> list[str]:
        """Delete retired generations older than ``grace`` seconds, and unfinished rebuilds (the caller holds the
        write lock, so a generation that is neither current nor retired is a rebuild that crashed)."""
        data_dir = Path(data_dir)
        current = current_generation(data_dir)
        removed = []
        now = time.time()
        for path in data_dir.glob(f"{LEGACY}*"):
            name = path.name
            if name == current or not _GENERATION.fullmatch(name) or not path.is_dir():
                continue
            marker = data_dir / f"retired-{name}"
            if marker.exists() and now - marker.stat().st_mtime < grace:
                continue
            _forget_client(path)
            shutil.rmtree(path, ignore_errors=True)
            for prefix in BESIDE:
                shutil.rmtree(data_dir / _beside(prefix, name), ignore_errors=True)
            marker.unlink(missing_ok=True)
            removed.append(name)
        return removed

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
        if self.originals is not None:
            self._read_originals(out)
        if with_text and out:
            chunks = self.chunks.get(where={"document_id": {"$in": list(out)}}, include=["metadatas", "documents"])
            pieces: dict[str, list[tuple[int, str]]] = {}
            for meta, text in zip(chunks["metadatas"], chunks["documents"]):
                pieces.setdefault(meta["document_id"], []).append((int(meta["clean_start"]), text))
            for document_id, parts in pieces.items():
                out[document_id].text = _stitch(parts)
        return out

    def _read_originals(self, articles: dict[str, StoredArticle]) -> None:
        """Each article's original from its file. One whose file is gone was deleted or replaced by an indexer after
        its row was read: it is left out, as if its row had been read a moment later. A row still there without
        its file is damage."""
        gone = []
        for article in articles.values():
            if not article.original:
                text = self.originals.read(article.document_id, article.file_hash)
                if text is None:
                    gone.append(article)
                else:
                    article.original = text
        if not gone:
            return
        now = self.articles.get(ids=[a.document_id for a in gone], include=["metadatas"])
        hashes = {i: m["file_hash"] for i, m in zip(now["ids"], now["metadatas"])}
        for article in gone:
            if hashes.get(article.document_id) == article.file_hash:
                raise IndexCorruptedError(
                    f"The original text of {article.source} is missing from {self.originals.directory}. "
                    f"Run `rag index --rebuild --data-dir {self.data_dir}` (your corpus files are not touched)."
                )
            del articles[article.document_id]

    @staticmethod
    def _article(document_id: str, meta: dict, original: str | None) -> StoredArticle:
        return StoredArticle(
            document_id=document_id,
            source=meta["source"],
            title=meta["title"],
            file_hash=meta["file_hash"],
            chunk_count=int(meta["chunk_count"]),
            original=original or "",
            base=int(meta.get("base", 0)),
            url=meta.get("url"),
            published=meta.get("published"),
            outlet=meta.get("outlet"),
        )

    def all_chunk_texts(self) -> tuple[list[str], list[str]]:
        ids: list[str] = []
        texts: list[str] = []
        for page_ids, page_texts in self.chunk_text_pages():
            ids += page_ids
            texts += page_texts
        return ids, texts

    def chunk_text_pages(self) -> Iterator[tuple[list[str], list[str]]]:
        """Every chunk's id and text, a page at a time (a caller that keeps less than the texts holds one page)."""
        for offset in range(0, self.chunks.count(), _BATCH):
            rows = self.chunks.get(include=["documents"], limit=_BATCH, offset=offset)
            yield rows["ids"], rows["documents"]

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
            chunk_id=chunk_id,
            document_id=meta["document_id"],
            source=meta["source"],
            title=meta["title"],
            text=text,
            start=int(meta["start"]),
            end=int(meta["end"]),
            ordinal=int(meta["ordinal"]),
            clean_start=int(meta["clean_start"]),
            sentences=[tuple(s) for s in json.loads(meta["sentences"])],
            file_hash=meta.get("file_hash"),
        )

    # --- writing -------------------------------------------------------------------------
    def put_articles(self, items: list[tuple[Article, list[Chunk]]], vectors: np.ndarray) -> None:
        """Write new articles (``vectors``: their chunks' in order): all the chunks first, the articles' rows
        last, so that a reader never uses an article that is only partly written (see ``present_articles``)."""
        self.put_chunks([(article, c) for article, chunks in items for c in chunks], vectors)
        self.put_rows([ArticleRow.of(article, chunks) for article, chunks in items])

    def put_rows(self, rows: list[ArticleRow]) -> None:
        """The articles' rows (written after all their chunks), and the original text their offsets point into
        (before the row: a file beside an embedded index, the row's document on a server)."""
        for a in range(0, len(rows), _BATCH):
            batch = [self._row(r) for r in rows[a : a + _BATCH]]
            if self.originals is not None:
                for document_id, original, meta in batch:
                    self.originals.write(document_id, meta["file_hash"], original)
            self.articles.upsert(
                ids=[r[0] for r in batch],
                embeddings=[[1.0]] * len(batch),
                documents=["" if self.originals is not None else r[1] for r in batch],
                metadatas=[r[2] for r in batch],
            )

    def put_chunks(self, chunks: list[tuple[Article, Chunk]], vectors: np.ndarray) -> None:
        for a in range(0, len(chunks), _BATCH):
            batch = chunks[a : a + _BATCH]
            self.chunks.add(
                ids=[c.chunk_id for _, c in batch],
                embeddings=vectors[a : a + _BATCH].tolist(),
                documents=[c.text for _, c in batch],
                metadatas=[
                    {
                        "document_id": c.document_id,
                        "source": article.source,
                        "title": article.title,
                        "file_hash": article.file_hash,
                        "start": c.start,
                        "end": c.end,
                        "ordinal": c.ordinal,
                        "clean_start": c.clean_start,
                        "sentences": json.dumps([[s.start, s.end, s.orig_start, s.orig_end] for s in c.sentences]),
                    }
                    for article, c in batch
                ],
            )

    @staticmethod
    def _row(row: ArticleRow) -> tuple[str, str, dict]:
        article, base, stop = row.article, row.start, row.end
        if article.document_id == article.source:  # one article per file: keep the whole file
            base, stop = 0, len(article.original)
        else:  # a line of a JSONL file: keep that line
            base = article.original.rfind("\n", 0, base) + 1
            nl = article.original.find("\n", stop)
            stop = len(article.original) if nl == -1 else nl
        meta = {
            "source": article.source,
            "title": article.title,
            "file_hash": article.file_hash,
            "chunk_count": row.chunk_count,
            "base": base,
            **{k: v for k, v in (("url", article.url), ("published", article.published), ("outlet", article.outlet)) if v},
        }
        return article.document_id, article.original[base:stop], meta

    def delete_articles(self, document_ids: list[str]) -> None:
        for a in range(0, len(document_ids), _BATCH):
            batch = list(document_ids[a : a + _BATCH])
            self.chunks.delete(where={"document_id": {"$in": batch}})
            self.articles.delete(ids=batch)
            if self.originals is not None:
                self.originals.remove(batch)

    def set_info(self, **info) -> None:
        if info.get("lexical"):
            _WRITTEN_HERE.add(info["lexical"])
        meta = self.info()
        meta.update(info)
        meta.pop("hnsw:space", None)
        self.chunks.modify(metadata=meta)

    def info(self) -> dict:
        """The chunks collection's metadata as stored now (another process may have changed it)."""
        try:
            return dict(self._client.get_collection(CHUNKS).metadata or {})
        except (IndexUnavailableError, IndexReadOnlyError):
            raise
        except Exception as err:  # the collection was deleted or rebuilt under us
            raise IndexCorruptedError(
                f"The index in {self.location} changed while in use ({err}); ask again, or restart."
            ) from err

    def chunk_owners(self) -> dict[str, tuple[str, str | None]]:
        """Every chunk's (document id, file hash it was cut from; None for chunks written before it was kept)."""
        out: dict[str, tuple[str, str | None]] = {}
        for offset in range(0, self.chunks.count(), _BATCH):
            rows = self.chunks.get(include=["metadatas"], limit=_BATCH, offset=offset)
            for chunk_id, meta in zip(rows["ids"], rows["metadatas"]):
                out[chunk_id] = (meta["document_id"], meta.get("file_hash"))
        return out

    def copy_into(self, target: "Store", embed) -> int:
        """Write every chunk and article row of this index into ``target``, an empty generation: a vector index
        built by inserts alone. Chroma's vector index keeps what an interrupted run and the repair's deletes
        leave in it: chunks whose vector cannot be read back ("Error finding id"), and live chunks that a
        search no longer reaches. A chunk whose vector cannot be read is embedded again (``embed``: the
        chunks' (title, text) -> their vectors). Returns how many were."""
        embedded = 0
        for offset in range(0, self.chunks.count(), _BATCH):
            rows = self.chunks.get(include=["metadatas", "documents"], limit=_BATCH, offset=offset)
            vectors = self.vectors(rows["ids"])
            lost = [n for n, chunk_id in enumerate(rows["ids"]) if chunk_id not in vectors]
            if lost:
                for n, vector in zip(lost, embed([(rows["metadatas"][n]["title"], rows["documents"][n]) for n in lost])):
                    vectors[rows["ids"][n]] = np.asarray(vector, dtype=np.float32)
                embedded += len(lost)
            for a in range(0, len(rows["ids"]), COPY_GROUP):
                ids = rows["ids"][a : a + COPY_GROUP]
                target.chunks.add(
                    ids=ids,
                    embeddings=[vectors[i] for i in ids],
                    documents=rows["documents"][a : a + COPY_GROUP],
                    metadatas=rows["metadatas"][a : a + COPY_GROUP],
                )
        for offset in range(0, self.articles.count(), _BATCH):
            rows = self.articles.get(include=["metadatas", "documents"], limit=_BATCH, offset=offset)
            target.articles.add(
                ids=rows["ids"], embeddings=[[1.0]] * len(rows["ids"]), documents=rows["documents"], metadatas=rows["metadatas"]
            )
        if self.originals is not None and self.originals.directory.is_dir() and target.originals is not None:
            shutil.copytree(self.originals.directory, target.originals.directory, dirs_exist_ok=True)
        target.set_info(**{k: v for k, v in self.info().items() if k not in self.spec.as_metadata()})
        return embedded

    def vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks, by id; one Chroma cannot read back is left out (a page that
        fails is read in halves, down to one chunk)."""
        try:
            rows = self.chunks.get(ids=chunk_ids, include=["embeddings"])
        except IndexCorruptedError:
            if len(chunk_ids) == 1:
                return {}
            half = len(chunk_ids) // 2
            return {**self.vectors(chunk_ids[:half]), **self.vectors(chunk_ids[half:])}
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(rows["ids"], rows["embeddings"])}

    def delete_chunks(self, chunk_ids: list[str]) -> None:
        for a in range(0, len(chunk_ids), _BATCH):
            self.chunks.delete(ids=list(chunk_ids[a : a + _BATCH]))

    def present_articles(self, document_ids: list[str]) -> set[str]:
        """Which of these articles are completely indexed (an article's row is written after all its chunks)."""
        if not document_ids:
            return set()
        return set(self.articles.get(ids=list(dict.fromkeys(document_ids)), include=[])["ids"])
