"""The packaged model: offline, the right shape; bfloat16 vectors that match float32 (ONNX: test_onnx_encoder.py)."""

import subprocess
import sys

import numpy as np
import pytest

from index.documents import load_corpus
from index.embedding import SentenceTransformerEmbedder, VectorCache, cpu_has_bf16
from index.errors import ModelError

from .conftest import SEEDS


@pytest.mark.slow
def test_packaged_model_embeds_offline(embedder):
    vectors = embedder.embed(["Who blocked the Lachin Corridor?", "Azerbaijani activists blocked the road."])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert embedder.model_id.startswith("all-MiniLM-L6-v2@")


@pytest.mark.slow
@pytest.mark.skipif(not cpu_has_bf16(), reason="this CPU has no native bfloat16")
def test_bfloat16_vectors_match_float32():
    articles, _ = load_corpus(SEEDS)
    texts = [article.text[:800] for article in articles] + ["How many peacekeepers did Russia deploy?"]
    fp32 = SentenceTransformerEmbedder(dtype="float32").embed(texts)
    bf16 = SentenceTransformerEmbedder(dtype="bfloat16").embed(texts)
    cosines = (fp32 * bf16).sum(axis=1)
    assert cosines.min() >= 0.995, cosines


def test_a_directory_that_is_not_a_model_is_refused(tmp_path):
    with pytest.raises(ModelError, match="not a local sentence-transformers model"):
        SentenceTransformerEmbedder(tmp_path)
    with pytest.raises(ModelError, match="dtype"):
        SentenceTransformerEmbedder(dtype="float8")
    with pytest.raises(ModelError, match="question engine"):
        SentenceTransformerEmbedder(engine="numpy")


def test_answering_a_question_never_imports_torch(seed_dir, seeded):
    assert seeded.embedder.prepare_onnx(seed_dir)  # what indexing does (a no-op once exported)
    code = (
        "import sys; from rag import Assistant, Settings;"
        f"a = Assistant(Settings(corpus=r'{SEEDS}', data_dir=r'{seed_dir}'));"
        f"a.embedder.attach(r'{seed_dir}');"  # what Assistant.__init__ does (idempotent)
        "answer = a.ask('Who blocked the Lachin Corridor?');"
        "print(answer.status, a.embedder.question_engine, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["answered", "onnx", "False", "False"]


def test_vector_cache_embeds_each_text_once_and_evicts_the_oldest():
    calls = []

    def embed(texts):
        calls.append(list(texts))
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    cache = VectorCache(max_items=2)
    first = cache.embed(["aa", "b", "aa"], embed)
    assert calls == [["aa", "b"]] and first[:, 0].tolist() == [2, 1, 2]
    cache.embed(["b"], embed)  # cached: no call; "b" is now the most recently used
    assert len(calls) == 1 and cache.hits == 2
    cache.embed(["ccc"], embed)  # evicts "aa", the least recently used
    cache.embed(["aa", "b"], embed)
    assert calls[-1] == ["aa"]
