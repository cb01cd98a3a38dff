"""llama-index adapters: this project's grounded retrieval and cited answers inside llama-index pipelines.

    from rag import Assistant
    from rag.llamaindex import GroundedRetriever, GroundedQueryEngine, NotInCorpus

    assistant = Assistant()                        # an index built with `rag index`
    nodes = GroundedRetriever(assistant, k=5).retrieve("Who blocked the Lachin Corridor?")
    nodes[0].node.metadata["start"], nodes[0].node.metadata["end"]   # exact offsets in the original file
    response = GroundedQueryEngine(assistant).query("Who blocked the Lachin Corridor?")
    str(response), response.source_nodes          # the cited answer, one node per citation [n]
    isinstance(response, NotInCorpus)             # the corpus does not answer: a typed refusal

Both are llama-index's own types (``BaseRetriever``, ``CustomQueryEngine``, ``Response``), so they
compose with its retrievers, postprocessors and evaluators. Every node's metadata carries the
document id, the file (``source``), the title and the character span [start, end) of the passage in
the original file.
"""

from typing import Any

from llama_index.core.base.response.schema import Response
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from .assistant import Assistant
from .types import Answer, Citation

_NOT_EMBEDDED = ["document_id", "source", "start", "end", "n", "url", "published", "chunk_id"]


class NotInCorpus(Response):
    """The articles do not answer: ``response`` is the refusal; ``source_nodes`` are the closest
    passages, which do not answer (``metadata["related"]`` is True on each)."""


def _node(text: str, score: float, **metadata) -> NodeWithScore:
    node = TextNode(
        text=text,
        id_=f"{metadata['document_id']}:{metadata['start']}-{metadata['end']}",
        metadata={k: v for k, v in metadata.items() if v is not None},
        excluded_embed_metadata_keys=_NOT_EMBEDDED,
        excluded_llm_metadata_keys=_NOT_EMBEDDED,
    )
    return NodeWithScore(node=node, score=score)


def citation_node(c: Citation, related: bool = False) -> NodeWithScore:
    """One cited (or related) passage: its clean text, and where it stands in the original file."""
    return _node(
        c.text,
        c.score,
        document_id=c.document_id,
        source=c.source,
        title=c.title,
        start=c.start,
        end=c.end,
        n=None if related else c.n,
        url=c.url,
        published=c.published,
        related=related or None,
    )


class GroundedRetriever(BaseRetriever):
    """The project's hybrid retrieval (Chroma + BM25, fused) as a llama-index retriever."""

    def __init__(self, assistant: Assistant, k: int | None = None, **kwargs: Any) -> None:
        self.assistant, self.k = assistant, k
        super().__init__(**kwargs)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [
            _node(
                r.chunk.text,
                r.score,
                document_id=r.chunk.document_id,
                source=r.chunk.source,
                title=r.chunk.title,
                start=r.chunk.start,
                end=r.chunk.end,
                chunk_id=r.chunk.chunk_id,
            )
            for r in self.assistant.retrieve(query_bundle.query_str, self.k)
        ]


class GroundedQueryEngine(CustomQueryEngine):
    """Cited answers (or a typed refusal, ``NotInCorpus``) as llama-index ``Response`` objects;
    ``metadata["answer"]`` holds the full ``rag.Answer``."""

    assistant: Any

    def custom_query(self, query_str: str) -> Response:
        answer: Answer = self.assistant.ask(query_str)
        metadata = {"answer": answer, "status": answer.status, "confidence": answer.confidence}
        if not answer.answered:
            return NotInCorpus(answer.answer, [citation_node(c, related=True) for c in answer.related], metadata)
        return Response(answer.answer, [citation_node(c) for c in answer.citations], metadata)
