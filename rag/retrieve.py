"""Hybrid retrieval: dense (Chroma) + BM25, fused by reciprocal rank."""

import logging
from dataclasses import dataclass

import numpy as np

from index.embedding import Embedder
from index.lexical import LexicalIndex
from index.store import Store, StoredChunk

log = logging.getLogger(__name__)

RRF_K = 60  # the usual constant of reciprocal rank fusion (Cormack et al. 2009)


@dataclass
class Retrieved:
    chunk: StoredChunk
    score: float  # fused
    dense: float  # cosine similarity, 0 when not among the dense candidates
    bm25: float
    rank: int


class HybridRetriever:
    def __init__(self, store: Store, embedder: Embedder, lexical: LexicalIndex, candidates: int = 30) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.candidates = candidates

    def retrieve(self, question: str, k: int, query_vector: np.ndarray | None = None) -> list[Retrieved]:
        if query_vector is None:
            query_vector = self.embedder.embed([question])[0]
        n = max(self.candidates, k)
        lexical = self.lexical.search(question, n)
        dense = self._with_missed(self.store.query(query_vector, n), lexical, query_vector, n)
        fused: dict[str, float] = {}
        for ranking in (dense, lexical):
            for rank, (chunk_id, _) in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        ranked = sorted(fused, key=fused.get, reverse=True)
        rows = self.store.get_chunks(ranked[: k + 5])
        # while another process (re)indexes: chunks already deleted are gone from ``rows``, and chunks
        # of an article whose row is not written yet (it is written last) are not used: no half article
        complete = self.store.present_articles([r.document_id for r in rows.values()])
        top = [c for c in ranked[: k + 5] if c in rows and rows[c].document_id in complete][:k]
        dense_scores, bm25_scores = dict(dense), dict(lexical)
        return [
            Retrieved(rows[c], fused[c], dense_scores.get(c, 0.0), bm25_scores.get(c, 0.0), rank) for rank, c in enumerate(top)
        ]

    def _with_missed(
        self, dense: list[tuple[str, float]], lexical: list[tuple[str, float]], query_vector: np.ndarray, n: int
    ) -> list[tuple[str, float]]:
        """The dense candidates with the nearest chunks Chroma's search missed put back.

        Chroma's vector search is approximate (HNSW): among many near-duplicate chunks (a long report of
        similar paragraphs) it can miss the nearest chunk, the one that answers (README, "How it works").
        A BM25 candidate closer to the question than the last dense candidate is such a miss (an exact
        search would have returned it): its cosine is computed from its stored vector and it takes its place.
        """
        listed = {c for c, _ in dense}
        unlisted = [c for c, _ in lexical if c not in listed]
        if not unlisted:
            return dense
        floor = dense[-1][1] if len(dense) >= n else -np.inf
        query = query_vector / (np.linalg.norm(query_vector) or 1.0)
        missed = []
        for chunk_id, vector in self.store.vectors(unlisted).items():
            cosine = float(vector @ query / (np.linalg.norm(vector) or 1.0))
            if cosine > floor:
                missed.append((chunk_id, cosine))
        if missed:
            log.debug("vector search missed %d of the %d nearest chunks; put back", len(missed), n)
        return sorted(dense + missed, key=lambda hit: hit[1], reverse=True)[:n]
