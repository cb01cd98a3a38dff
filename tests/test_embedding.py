"""The packaged model: offline, the right shape, and bfloat16 vectors that match float32."""

import numpy as np
import pytest

from index.documents import load_corpus
from index.embedding import SentenceTransformerEmbedder, cpu_has_bf16
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
