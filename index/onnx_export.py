"""The sentence encoder on ONNX Runtime: exported once from sentence-transformers, verified, then torch-free.

Importing sentence-transformers (torch, transformers, scikit-learn) costs seconds before the first
question can be embedded. At index time, where torch is loaded anyway, ``export_encoder`` writes
the configured model as ONNX into ``<data_dir>/models/<fingerprint>/``: the transformer with
sentence-transformers' mean pooling and L2 normalisation inside the graph, so the graph's output
is the sentence vector. The export is checked against sentence-transformers (float32) on a fixed
set of texts (padded batches and single texts, one longer than the model's window, non-ASCII)
and kept only when every cosine is at least ``MIN_COSINE``; the manifest ``encoder.json`` is
written last and records the result. Questions then need only ``tokenizers`` + onnxruntime
(``OnnxEncoder``). ``load_verified`` refuses (``OnnxUnavailable``, with the reason) a missing,
unverified, truncated or altered export: the caller falls back to sentence-transformers.

Supported: models whose modules are Transformer + Pooling (mean tokens) [+ Normalize], the
packaged MiniLM among them; any other model is left to sentence-transformers.
"""

import hashlib
import json
import logging
import os
import time
from pathlib import Path

import numpy as np

from .errors import RagError

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the graph's inputs/outputs or the manifest change: older exports are redone
MODELS_DIR = "models"
ENCODER_FILE = "encoder.onnx"
INT8_FILE = "encoder.int8.onnx"  # int8 dynamic quantisation: measured, not used for questions (see evals/encoder_bench.py)
MANIFEST = "encoder.json"
MIN_COSINE = 0.9999  # every verification text, against sentence-transformers float32
OUTPUT = "sentence_embedding"

# Fixed verification texts: questions, news sentences, a text beyond the 256-wordpiece window
# (truncation), punctuation/non-ASCII, a single character. Batched together they are padded.
VERIFY_TEXTS = [
    "Who blocked the Lachin Corridor?",
    "How many peacekeepers did Russia deploy?",
    "Azerbaijani activists blocked the road, the only route between Armenia and the enclave, for months.",
    "The central bank raised its key interest rate by half a percentage point on Thursday, citing inflation.",
    "Ä naïve “quote” — 2,000 troops! Zürich, São Paulo & Kraków; 3.5% growth in Q2 (est.).",
    "x",
    "Flooding closed schools.",
    " ".join(
        f"Paragraph {i}: the council met again on Tuesday to discuss the budget, the new bridge, "
        "and the water supply, and voted to postpone the decision until the spring."
        for i in range(12)
    ),
]


class OnnxUnavailable(Exception):
    """No usable ONNX export; the message is the reason (logged by the caller, which falls back)."""


def export_dir(data_dir: Path, fingerprint: str) -> Path:
    return Path(data_dir) / MODELS_DIR / fingerprint


def exportable(model_path: Path) -> str | None:
    """None when the model is Transformer + mean Pooling [+ Normalize]; else why it is not exported."""
    try:
        modules = json.loads((model_path / "modules.json").read_text())
        pooling = json.loads((model_path / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError) as err:
        return f"no sentence-transformers modules.json/1_Pooling config ({err})"
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    if kinds not in (["Transformer", "Pooling", "Normalize"], ["Transformer", "Pooling"]):
        return f"modules {kinds} are not Transformer + Pooling [+ Normalize]"
    if pooling.get("pooling_mode_mean_tokens") is not True or any(
        pooling.get(k)
        for k in (
            "pooling_mode_cls_token",
            "pooling_mode_max_tokens",
            "pooling_mode_mean_sqrt_len_tokens",
            "pooling_mode_weightedmean_tokens",
            "pooling_mode_lasttoken",
        )
    ):
        return "pooling is not mean-of-tokens only"
    if not (model_path / "tokenizer.json").is_file():
        return "no tokenizer.json (the fast tokenizer is needed without transformers)"
    return None


def versions() -> dict:
    import onnxruntime

    out = {"onnxruntime": onnxruntime.__version__}
    try:
        import torch

        out["torch"] = torch.__version__.split("+")[0]
    except ImportError:  # pragma: no cover
        pass
    return out


def threads_from_env(name: str, default: int = 2) -> int:
    """A number of threads set in the environment (``RAG_ENCODER_THREADS``, ``RAG_READER_THREADS``): a whole number,
    1 or more."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise RagError(f"{name}={value!r} is not a number of threads: set it to a whole number, 1 or more (default {default}).")
    return int(value)


def session_options(threads: int):
    """Options for a session that answers questions: ``threads`` threads that sleep between runs.

    A question runs the question encoder, then the reader (rag/reader.py), then perhaps the encoder again
    (the shortlist). By default ONNX Runtime's threads spin for a while after a run, waiting for the next:
    on two cores the encoder's spinning threads took the cores from the reader that ran next. Without
    spinning, paired in one process over 60 seed questions, a warm question took 57 ms p50 against 85.
    """
    import onnxruntime as ort  # noqa: PLC0415 (a second or so: only when a session is made)

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


class OnnxEncoder:
    """Mean-pooled, L2-normalised sentence vectors from an exported graph (onnxruntime, no torch)."""

    def __init__(self, onnx_path: Path, tokenizer_path: Path, max_tokens: int, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        # two threads: a question's steps run one after another, so each may use both cores (the reader reads two
        # windows side by side, one thread each)
        # (the 8-sentence shortlist, paired in one process: 157 ms p50 on one thread, 91 ms on two)
        options = session_options(threads if threads else threads_from_env("RAG_ENCODER_THREADS"))
        self.path = Path(onnx_path)
        self.session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.dim = int(self.session.get_outputs()[0].shape[-1])
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.enable_truncation(max_tokens)  # counts the special tokens, as sentence-transformers does
        self.tokenizer.no_padding()

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        """Vectors of ``texts``, in batches of similar length (little padding)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for at in range(0, len(order), batch_size):
            idx = order[at : at + batch_size]
            out[idx] = self._batch([encodings[i] for i in idx])
        return out

    def _batch(self, encodings) -> np.ndarray:
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.int64)
        types = np.zeros_like(ids)
        mask = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            types[row, : len(e.ids)] = e.type_ids
            mask[row, : len(e.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return self.session.run([OUTPUT], {k: v for k, v in feed.items() if k in self.inputs})[0]


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return (a.astype(np.float64) * b.astype(np.float64)).sum(axis=1)


def _graph_module(st_model):
    """The transformer + mean pooling + normalisation of a SentenceTransformer, as one torch module."""
    import torch

    transformer = st_model[0].auto_model
    normalize = len(st_model) > 2

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            states = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(states.dtype)  # sentence-transformers' Pooling (mean tokens)
            pooled = (states * weights).sum(1) / torch.clamp(weights.sum(1), min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1) if normalize else pooled

    return Encoder().eval()


def _set_attention(transformer, implementation: str) -> None:
    if hasattr(transformer, "set_attn_implementation"):
        transformer.set_attn_implementation(implementation)
    else:  # pragma: no cover - older transformers
        transformer.config._attn_implementation = implementation


def export_encoder(
    st_model, model_path: Path, out_dir: Path, max_tokens: int, *, model_id: str = "", quantize: bool = True
) -> dict:
    """Export, verify against ``st_model`` (float32) and write the manifest; returns it.

    Raises ``OnnxUnavailable`` when the model is not exportable or the export does not match (a
    manifest with ``verified: false`` and the reason is left, so the next run does not retry with
    the same versions)."""
    import torch

    started = time.perf_counter()
    model_path, out_dir = Path(model_path), Path(out_dir)
    reason = exportable(model_path)
    if reason:
        raise OnnxUnavailable(f"{model_path.name} is not exported to ONNX: {reason}")
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / MANIFEST
    manifest_path.unlink(missing_ok=True)  # an export under way is never taken for a verified one
    tmp = out_dir / f".{ENCODER_FILE}.{os.getpid()}.tmp"
    module = _graph_module(st_model)
    transformer = st_model[0].auto_model
    attention = getattr(transformer.config, "_attn_implementation", None)
    dummy = torch.tensor([[101, 2040, 3261, 102], [101, 102, 0, 0]], dtype=torch.long)  # padded: the mask is traced
    mask = (dummy != 0).long()
    axes = {0: "batch", 1: "tokens"}
    try:
        import warnings

        # eager attention while tracing: the SDPA path may drop an all-ones mask and bake that in
        _set_attention(transformer, "eager")
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module,
                (dummy, mask, torch.zeros_like(dummy)),
                str(tmp),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=[OUTPUT],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, OUTPUT: {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        onnx_path = out_dir / ENCODER_FILE
        os.replace(tmp, onnx_path)
    except Exception as err:
        tmp.unlink(missing_ok=True)
        raise OnnxUnavailable(f"torch.onnx.export failed: {type(err).__name__}: {err}") from err
    finally:
        if attention:
            _set_attention(transformer, attention)  # the caller's model indexes as before
    exported_s = time.perf_counter() - started

    reference = st_model.encode(VERIFY_TEXTS, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False).astype(
        np.float32
    )
    encoder = OnnxEncoder(onnx_path, model_path / "tokenizer.json", max_tokens, threads=2)
    batched = encoder.encode(VERIFY_TEXTS, batch_size=len(VERIFY_TEXTS))  # one padded batch
    single = np.concatenate([encoder.encode([t]) for t in VERIFY_TEXTS])  # no padding
    min_cosine = float(min(cosines(reference, batched).min(), cosines(reference, single).min()))
    manifest = {
        "format": FORMAT,
        "model_id": model_id,
        "model": model_path.name,
        "max_tokens": max_tokens,
        "file": ENCODER_FILE,
        "bytes": onnx_path.stat().st_size,
        "sha256": _digest(onnx_path),
        "min_cosine": min_cosine,
        "verified": min_cosine >= MIN_COSINE,
        "texts": len(VERIFY_TEXTS),
        "probe": {"text": VERIFY_TEXTS[0], "vector": [float(x) for x in reference[0]]},
        "export_s": round(exported_s, 2),
        "versions": versions(),
    }
    if not manifest["verified"]:
        manifest["reason"] = f"minimum cosine {min_cosine:.6f} against sentence-transformers < {MIN_COSINE}"
        onnx_path.unlink(missing_ok=True)
    elif quantize:
        manifest["int8"] = _quantize(onnx_path, out_dir / INT8_FILE, model_path, max_tokens, reference)
    manifest["seconds"] = round(time.perf_counter() - started, 2)
    _write_json(manifest_path, manifest)
    if not manifest["verified"]:
        raise OnnxUnavailable(manifest["reason"])
    return manifest


def _quantize(fp32: Path, out: Path, model_path: Path, max_tokens: int, reference: np.ndarray) -> dict:
    """int8 dynamic quantisation (weights int8, activations quantised on the fly); its cosine is recorded."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
        os.replace(tmp, out)
        encoder = OnnxEncoder(out, model_path / "tokenizer.json", max_tokens, threads=2)
        # activations are quantised per batch: a text's vector depends on the texts padded with it
        batched = encoder.encode(VERIFY_TEXTS, batch_size=len(VERIFY_TEXTS))
        single = np.concatenate([encoder.encode([t]) for t in VERIFY_TEXTS])
        return {
            "file": out.name,
            "bytes": out.stat().st_size,
            "sha256": _digest(out),
            "min_cosine": float(min(cosines(reference, batched).min(), cosines(reference, single).min())),
            "min_cosine_single": float(cosines(reference, single).min()),
            "probe": [float(x) for x in single[0]],
        }
    except Exception as err:  # measured only: its failure never blocks the fp32 export
        log.warning("int8 quantisation of the encoder failed: %s", err)
        return {"error": f"{type(err).__name__}: {err}"}


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def read_manifest(directory: Path) -> dict | None:
    try:
        return json.loads((Path(directory) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def load_verified(
    directory: Path, model_path: Path, max_tokens: int, *, int8: bool = False, threads: int | None = None
) -> OnnxEncoder:
    """The verified export in ``directory``, checked again cheaply: manifest, file size, and the probe
    text's vector (cosine >= MIN_COSINE against the recorded one, a few ms). Raises OnnxUnavailable."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    if manifest is None:
        raise OnnxUnavailable(f"no ONNX export in {directory} (run `rag index` to create it)")
    if manifest.get("format") != FORMAT:
        raise OnnxUnavailable(f"the ONNX export in {directory} has format {manifest.get('format')}, not {FORMAT}")
    if not manifest.get("verified"):
        raise OnnxUnavailable(f"the ONNX export in {directory} failed verification: {manifest.get('reason', '?')}")
    if int(manifest.get("max_tokens", -1)) != max_tokens:
        raise OnnxUnavailable(
            f"the ONNX export in {directory} was verified for {manifest.get('max_tokens')} tokens, not {max_tokens}"
        )
    entry = manifest.get("int8", {}) if int8 else manifest
    if not entry.get("file"):
        raise OnnxUnavailable(f"no int8 export in {directory}: {entry.get('error', 'not made')}")
    path = directory / entry["file"]
    try:
        size = path.stat().st_size
    except OSError:
        raise OnnxUnavailable(f"{path} is missing") from None
    if size != entry["bytes"]:
        raise OnnxUnavailable(f"{path} has {size} bytes, the verified export had {entry['bytes']}")
    try:
        encoder = OnnxEncoder(path, model_path / "tokenizer.json", max_tokens, threads=threads)
        probe = encoder.encode([manifest["probe"]["text"]])
    except Exception as err:
        raise OnnxUnavailable(f"{path} does not load or run: {type(err).__name__}: {err}") from err
    expected = np.asarray(entry["probe"] if int8 else manifest["probe"]["vector"], dtype=np.float32)[None]
    got = float(cosines(expected, probe)[0])
    if not got >= MIN_COSINE:  # also catches NaN
        raise OnnxUnavailable(f"{path} gives another vector than the verified export (cosine {got:.6f}): altered or corrupted")
    return encoder
