"""The trained reader: which sentence of a passage answers the question, and whether any does.

A MiniLM cross-encoder fine-tuned here (evals/train_reader.py; data, splits and metrics in
rag/models/reader/MODEL_CARD.md), run with ONNX Runtime (int8): no torch at question time. It reads
the question with a window of consecutive sentences (rag/reader_input.py) and gives, per sentence,
the log-odds that this sentence answers rather than nothing in the window (``margin``), and a
short answer span inside the best sentence. ``probability`` maps the best margin of a question to
the probability that the corpus answers it, with a logistic calibration fitted on dev splits
(evals/calibrate.py) and stored in reader.json beside the model.

The reader is independent of the index: changing it never forces a re-index.
"""

import functools
import json
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from index.onnx_export import session_options, threads_from_env

from .errors import RagError
from .logistic import LogisticModel, sigmoid
from .reader_input import Encoded, batch_arrays, encode, load_tokenizer

READER_DIR = Path(str(resources.files("rag").joinpath("models", "reader")))
MODEL_FILE = "reader.int8.onnx"


@dataclass
class Window:
    """Consecutive sentences of one article (a retrieved chunk, or part of one)."""

    title: str
    sentences: list[str]


@dataclass
class Reading:
    """The reader's view of one window."""

    margins: list[float]  # per sentence: log-odds that it answers, against "nothing here answers"
    spans: list[tuple[int, int] | None]  # per sentence: the short answer's character span in it, if any


@dataclass(frozen=True)
class Calibration:
    """Fitted on dev splits (evals/calibrate.py):
    ``ranker``: a sentence's log-odds of answering, from the reader's margin and lexical features
    (rag/evidence.py ``sentence_features``); it ranks the sentences;
    ``decision``: the question's probability of being answerable, from ``decision_features``,
    answered when at least ``threshold``."""

    ranker: LogisticModel = LogisticModel(("reader",), (1.0,), 0.0)
    decision: LogisticModel = LogisticModel(("best",), (1.0,), 0.0)
    threshold: float = 0.5

    @classmethod
    def from_json(cls, data: dict) -> "Calibration":
        if not data:
            return cls()
        source = "reader.json (recalibrate: python -m evals.calibrate --reader DIR --out DIR)"
        return cls(
            LogisticModel.from_json(data["ranker"], source),
            LogisticModel.from_json(data["decision"], source),
            float(data["threshold"]),
        )

    def answerable(self, features: dict[str, float]) -> float:
        """That the corpus answers the question, from its decision features."""
        return sigmoid(self.decision.logit(features))


class Reader:
    """Load once (``warm_up``), then ``read`` windows; thread-safe."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory or os.environ.get("RAG_READER_DIR") or READER_DIR)
        self._session = None
        self._pool: ThreadPoolExecutor | None = None  # runs the windows of a question side by side
        self._lock = threading.Lock()
        self._meta: dict | None = None

    @property
    def meta(self) -> dict:
        """reader.json: training metadata and the calibration (read on first use, so that indexing needs no reader)."""
        if self._meta is None:
            meta_path = self.directory / "reader.json"
            if not (self.directory / MODEL_FILE).is_file() or not meta_path.is_file():
                raise RagError(
                    f"The reader model is missing from {self.directory}: reinstall the package, "
                    "or train one with `python -m evals.train_reader --out DIR` and set RAG_READER_DIR=DIR."
                )
            self._meta = json.loads(meta_path.read_text())
        return self._meta

    @functools.cached_property
    def calibration(self) -> Calibration:
        """The fitted ranker, decision and threshold (parsed once: every question reads them)."""
        return Calibration.from_json(self.meta.get("calibration", {}))

    @functools.cached_property
    def tokenizer(self):
        """Its WordPiece tokenizer (loaded once: it encodes every window, and its vocabulary is ``words``)."""
        return load_tokenizer(str(self.directory / "tokenizer.json"))

    @functools.cached_property
    def words(self) -> frozenset[str]:
        """The whole words of its WordPiece vocabulary (English words and common names): a question word among
        them is not misspelt (index/typos.py)."""
        return frozenset(w for w in self.tokenizer.get_vocab() if w.isalpha())

    @property
    def max_length(self) -> int:
        return int(self.meta.get("max_length", 320))

    def warm_up(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is None:
                self.meta  # noqa: B018 (a clear error when the model is missing)
                import onnxruntime as ort  # noqa: PLC0415 (a second or so: only when first needed)

                # one thread per run, and ``threads`` windows read side by side: a window of ~200 wordpieces is too small
                # for two threads to share one run well (README, "The reader costs time")
                threads = threads_from_env("RAG_READER_THREADS")
                self.tokenizer  # noqa: B018 (loaded with the session, before the first question times anything)
                self._pool = ThreadPoolExecutor(threads, thread_name_prefix="reader")
                self._session = ort.InferenceSession(
                    str(self.directory / MODEL_FILE), session_options(1), providers=["CPUExecutionProvider"]
                )

    def encode(self, question: str, window: Window) -> Encoded:
        self.warm_up()
        return encode(self.tokenizer, question, window.title, window.sentences, self.max_length)

    def read(self, question: str, windows: list[Window]) -> list[Reading]:
        """One reading per window (sentences that did not fit get margin -inf)."""
        return self.read_batch([(question, w) for w in windows])

    def read_batch(self, pairs: list[tuple[str, Window]]) -> list[Reading]:
        """Like ``read``, with a question per window."""
        if not pairs:
            return []
        self.warm_up()
        encoded = [self.encode(q, w) for q, w in pairs]
        # Each window is one run, unpadded, so that its reading never depends on the windows read with it (int8
        # activations are scaled per run); the longest first, so that the side-by-side runs end together.
        order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i].ids))
        outputs = self._pool.map(lambda i: self._session.run(None, batch_arrays([encoded[i]])), order)
        readings: list[Reading | None] = [None] * len(pairs)
        for i, (sentence_logits, null_logit, start, end) in zip(order, outputs):
            readings[i] = _reading(
                encoded[i], len(pairs[i][1].sentences), sentence_logits[0], float(null_logit[0]), start[0], end[0]
            )
        return readings  # type: ignore[return-value]


def _reading(enc: Encoded, count: int, logits: np.ndarray, null: float, start: np.ndarray, end: np.ndarray) -> Reading:
    margins, spans = [], []
    of = np.asarray(enc.sentence_of)
    for s in range(count):
        if s >= enc.kept:
            margins.append(-math.inf)
            spans.append(None)
            continue
        margins.append(float(logits[s] - null))
        positions = np.flatnonzero(of == s)
        spans.append(_best_span(positions, start, end, enc.offsets))
    return Reading(margins, spans)


MAX_SPAN_TOKENS = 12


def _best_span(positions: np.ndarray, start: np.ndarray, end: np.ndarray, offsets) -> tuple[int, int] | None:
    """The highest-scoring start <= end within one sentence, as a character span of that sentence."""
    if positions.size == 0:
        return None
    scores = start[positions][:, None] + end[positions][None, :]  # [i, j]: the span from wordpiece i to wordpiece j
    reach = np.arange(len(positions))[None, :] - np.arange(len(positions))[:, None]  # j - i
    scores = np.where((reach >= 0) & (reach < MAX_SPAN_TOKENS), scores, -np.inf)
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
    a, b = offsets[positions[i]][0], offsets[positions[j]][1]
    return (a, b) if b > a else None
