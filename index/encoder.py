"""A BERT sentence encoder in NumPy: the same weights and maths as sentence-transformers, without torch.

Importing sentence-transformers (torch, transformers, scikit-learn) costs about 5 s before the
first question can be embedded; this module needs NumPy, ``tokenizers`` and ``safetensors``
only (about 0.2 s), so `rag ask` as a new process answers in about 2 s. It covers the models
the project ships and most local ones: a BERT encoder (``model_type: bert``, absolute
positions, GELU) followed by mean pooling and, optionally, normalisation. ``supports(path)``
says whether a model directory is one of those; anything else goes through sentence-transformers.

Vectors match sentence-transformers' float32 ones to cosine 0.99999 (tests/test_embedding.py).
"""

import json
from pathlib import Path

import numpy as np

_SQRT_HALF = np.float32(0.7071067811865476)


def supports(path: Path) -> bool:
    """A local model this encoder reproduces exactly: BERT + mean pooling (+ normalize), safetensors weights."""
    try:
        config = json.loads((path / "config.json").read_text())
        modules = json.loads((path / "modules.json").read_text())
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    return (
        config.get("model_type") == "bert" and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and kinds in (["Transformer", "Pooling", "Normalize"], ["Transformer", "Pooling"])
        and pooling.get("pooling_mode_mean_tokens") is True
        and not any(pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens"))
        and (path / "model.safetensors").is_file() and (path / "tokenizer.json").is_file()
    )


class NumpyBertEncoder:
    """Mean-pooled, L2-normalised BERT sentence embeddings computed with NumPy (float32)."""

    def __init__(self, path: Path, max_tokens: int) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((path / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_tokens = min(max_tokens, int(config["max_position_embeddings"]))
        weights = load_file(str(path / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        self.w = {k[len(prefix):]: np.ascontiguousarray(v, dtype=np.float32) for k, v in weights.items() if k.startswith(prefix)}
        # pre-transposed projections: x @ W.T becomes x @ Wt, with Q, K and V in one matrix
        for i in range(self.layers):
            a = f"encoder.layer.{i}."
            self.w[a + "qkv.t"] = np.ascontiguousarray(np.concatenate(
                [self.w[a + f"attention.self.{n}.weight"] for n in ("query", "key", "value")]).T)
            self.w[a + "qkv.b"] = np.concatenate([self.w[a + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
            for name in ("attention.output.dense", "intermediate.dense", "output.dense"):
                self.w[a + name + ".t"] = np.ascontiguousarray(self.w[a + name + ".weight"].T)
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.no_padding()

    def encode(self, texts: list[str], batch_size: int = 4) -> np.ndarray:
        """Vectors of ``texts``; small batches of similar length (4, measured: padding costs more than batching saves)."""
        encodings = self.tokenizer.encode_batch(texts)
        out = np.zeros((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))  # little padding per batch
        for a in range(0, len(order), batch_size):
            idx = order[a:a + batch_size]
            out[idx] = self._batch([encodings[i] for i in idx])
        return out

    def _batch(self, encodings) -> np.ndarray:
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.int64)
        types = np.zeros_like(ids)
        mask = np.zeros((len(encodings), length), dtype=np.float32)
        for row, e in enumerate(encodings):
            ids[row, :len(e.ids)] = e.ids
            types[row, :len(e.ids)] = e.type_ids
            mask[row, :len(e.ids)] = 1.0
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][types])
        x = self._norm(x, "embeddings.LayerNorm")
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]  # padding gets no attention
        for i in range(self.layers):
            x = self._layer(x, bias, f"encoder.layer.{i}.")
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def _layer(self, x: np.ndarray, bias: np.ndarray, a: str) -> np.ndarray:
        w = self.w
        batch, length, hidden = x.shape
        size = hidden // self.heads
        x = x.reshape(batch * length, hidden)  # 2-D products: one BLAS call each
        qkv = x @ w[a + "qkv.t"] + w[a + "qkv.b"]
        # 3, batch, heads, length, size; contiguous, or NumPy's stacked matmul leaves BLAS for a slow loop
        qkv = np.ascontiguousarray(qkv.reshape(batch, length, 3, self.heads, size).transpose(2, 0, 3, 1, 4))
        keys_t = np.ascontiguousarray(qkv[1].transpose(0, 1, 3, 2))
        scores = (qkv[0] @ keys_t) * np.float32(1.0 / np.sqrt(size)) + bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
        x = self._norm(x + context @ w[a + "attention.output.dense.t"] + w[a + "attention.output.dense.bias"], a + "attention.output.LayerNorm")
        h = x @ w[a + "intermediate.dense.t"] + w[a + "intermediate.dense.bias"]
        gate = _erf(h * _SQRT_HALF)  # exact GELU, as BERT uses: h * (1 + erf(h / sqrt 2)) / 2
        gate += 1.0
        gate *= 0.5
        h *= gate
        x = self._norm(x + h @ w[a + "output.dense.t"] + w[a + "output.dense.bias"], a + "output.LayerNorm")
        return x.reshape(batch, length, hidden)

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        centred = x - mean
        var = (centred * centred).mean(axis=-1, keepdims=True)
        return centred / np.sqrt(var + np.float32(self.eps)) * self.w[name + ".weight"] + self.w[name + ".bias"]


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to within 1.5e-7 (Abramowitz & Stegun 7.1.26), in float32 and in place; NumPy has none."""
    z = np.abs(x)
    t = 1.0 + np.float32(0.3275911) * z
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429) + np.float32(-1.453152027)
    for c in (1.421413741, -0.284496736, 0.254829592):
        poly *= t
        poly += np.float32(c)
    poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z
    np.subtract(1.0, poly, out=poly)
    return np.copysign(poly, x, out=poly)
