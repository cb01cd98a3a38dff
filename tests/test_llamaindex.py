"""The llama-index adapters, driven through llama-index's own API over the seed index (real model, real Chroma)."""

from llama_index.core.base.response.schema import Response
from llama_index.core.schema import NodeWithScore

from rag.llamaindex import GroundedQueryEngine, GroundedRetriever, NotInCorpus

from .conftest import SEEDS


def _original(source: str) -> str:
    return (SEEDS / source).read_bytes().decode("utf-8")


def test_retriever_returns_nodes_with_exact_offsets(seeded):
    nodes = GroundedRetriever(seeded, k=4).retrieve("Who blocked the Lachin Corridor?")
    assert len(nodes) == 4 and all(isinstance(n, NodeWithScore) for n in nodes)
    assert [n.score for n in nodes] == sorted((n.score for n in nodes), reverse=True)
    assert any("Lachin" in n.node.get_content() for n in nodes)
    for n in nodes:
        meta = n.node.metadata
        assert {"document_id", "source", "title", "start", "end"} <= set(meta)
        quote = _original(meta["source"])[meta["start"] : meta["end"]]
        assert " ".join(quote.split()) == " ".join(n.node.get_content().split())  # the same words (clean text)


def test_query_engine_gives_the_cited_answer_and_its_sources(seeded):
    response = GroundedQueryEngine(assistant=seeded).query("How many peacekeepers did Russia deploy in Nagorno-Karabakh?")
    assert isinstance(response, Response) and not isinstance(response, NotInCorpus)
    assert "2,000" in str(response) and "[1]" in str(response)
    assert response.metadata["status"] == "answered" and response.source_nodes
    first = response.source_nodes[0].node
    assert first.metadata["n"] == 1
    assert (
        _original(first.metadata["source"])[first.metadata["start"] : first.metadata["end"]]
        == response.metadata["answer"].citations[0].quote
    )


def test_query_engine_refuses_with_a_typed_result(seeded):
    response = GroundedQueryEngine(assistant=seeded).query("What is the population of Lake Sevan's pelican colony?")
    assert isinstance(response, NotInCorpus)
    assert str(response) == "The corpus does not say." and response.metadata["status"] == "not_in_corpus"
    assert all(n.node.metadata["related"] for n in response.source_nodes)
