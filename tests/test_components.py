"""The Assistant's components, each built and run alone (issue 11): LiveIndex → EvidenceFinder →
compose / VerifiedGeneration, the follow-up rewrite, and the AnswerStream that ask_stream returns.
The deterministic hashing embedder keeps these in the fast layer; the real model runs them through
the Assistant in test_answers.py."""

import shutil
import threading
import time

import pytest

from index.chunking import ChunkingConfig
from index.embedding import HashingEmbedder
from index.store import IndexSpec
from rag.answer import compose
from rag.finder import EvidenceFinder
from rag.followup import searched_question
from rag.generation import VerifiedGeneration, passages
from rag.judge import HeuristicJudge, JudgeModel
from rag.live_index import LiveIndex
from rag.reader import Reader
from rag.types import Answer, AnswerStream

from .conftest import SEEDS


def test_an_answer_stream_yields_the_draft_then_gives_the_answer():
    final = Answer(status="answered", answer="Activists blocked it. [1]")

    def steps():
        yield "Activists "
        yield "blocked it. [1]"
        return final

    stream = AnswerStream(steps())
    assert list(stream) == ["Activists ", "blocked it. [1]"]
    assert stream.answer() is final
    assert list(stream) == []  # consumed once
    assert AnswerStream(steps()).answer() is final  # answer() alone runs the steps to the end


def test_the_searched_question_takes_an_llm_rewrite_only_when_it_keeps_the_meaning():
    previous = "When did Nagorno-Karabakh declare independence?"
    opposite = "What caused Nagorno-Karabakh to declare independence?"
    assert searched_question("What did that trigger?", previous, 2000, lambda q, p: opposite)[0] != opposite
    kept = "What did Nagorno-Karabakh's declaration of independence trigger?"
    assert searched_question("What did that trigger?", previous, 2000, lambda q, p: kept) == (kept, None)
    too_long = kept + " " + "x" * 2000
    assert searched_question("What did that trigger?", previous, 2000, lambda q, p: too_long)[0] != too_long
    # no LLM: the rule-based rewrite, with the antecedent it put in as context
    assert searched_question("What did Russia say about it?", "Who blocked the Lachin Corridor?", 2000) == (
        "What did Russia say about the Lachin Corridor?",
        "the Lachin Corridor",
    )


def test_a_long_previous_question_is_cut_rather_than_refusing_a_short_follow_up():
    searched, _ = searched_question("What did Russia say about it?", "word " * 1000 + "Who blocked the Lachin Corridor?", 200)
    assert len(searched) <= 200 and searched.startswith("What did Russia say about")


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> LiveIndex:
    embedder = HashingEmbedder()
    chunking = ChunkingConfig()
    index = LiveIndex(tmp_path_factory.mktemp("live"), IndexSpec(embedder.model_id, embedder.dim, chunking.describe()), embedder)
    report = index.update(SEEDS, chunking)
    assert report.articles == 5 and not report.skipped
    return index


@pytest.mark.slow  # asks a question: loads the ONNX reader
def test_the_components_answer_without_an_assistant(live):
    finder = EvidenceFinder(live, live.embedder, Reader())
    evidence = finder.find("Who blocked the Lachin Corridor?", 5)
    assert evidence.ranked and 0.0 <= evidence.probability <= 1.0
    assert evidence.ranked == sorted(evidence.ranked, key=lambda c: c.logit, reverse=True)
    articles = live.store.get_articles(list({c.document_id for c in evidence.ranked[:10]}))
    answer = compose(evidence.question, evidence.ranked, evidence.probability, finder.reader.calibration.threshold, articles)
    assert answer.answered and "activists" in answer.answer, answer.answer

    # a draft that copies the best passage is kept; an invented one falls back to the extractive answer
    judge = HeuristicJudge(live.embedder.embed, live.retriever.lexical.idf, JudgeModel.load())
    generation = VerifiedGeneration(None, lambda: judge)
    chosen = passages(evidence)
    kept = generation.verify(f"{chosen[0].text} [1]", chosen, evidence, articles, lambda: answer)
    assert kept.answered and not kept.fallback and kept.citations[0].text == chosen[0].text
    invented = generation.verify("The protesters were paid to block the road. [1]", chosen, evidence, articles, lambda: answer)
    assert invented.fallback and invented.answer == answer.answer and [r.reason for r in invented.removed] == ["unsupported"]


class _GatedEmbedder(HashingEmbedder):
    """Holds the embedding of any text about zebras until released: an indexing run caught mid-way."""

    def __init__(self) -> None:
        super().__init__()
        self.entered, self.release = threading.Event(), threading.Event()

    def embed(self, texts):
        if any("zebra" in t.lower() for t in texts):
            self.entered.set()
            assert self.release.wait(60)
        return super().embed(texts)


def _seeds_and_a_zebra_article(tmp_path):
    """The seeds indexed with a gated embedder, and an article about zebras added to the corpus (not indexed yet)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    embedder, chunking = _GatedEmbedder(), ChunkingConfig()
    live = LiveIndex(tmp_path / "data", IndexSpec(embedder.model_id, embedder.dim, chunking.describe()), embedder)
    live.update(corpus, chunking)
    (corpus / "zebras.txt").write_text("Zebra census\nRangers counted 312 zebras in the park on Tuesday.\n", encoding="utf-8")
    return corpus, embedder, chunking, live


def test_questions_go_on_while_this_process_indexes_and_two_updates_wait_their_turn(tmp_path):
    corpus, embedder, chunking, live = _seeds_and_a_zebra_article(tmp_path)
    reports = []
    runs = [threading.Thread(target=lambda: reports.append(live.update(corpus, chunking))) for _ in range(2)]
    runs[0].start()
    assert embedder.entered.wait(60)  # the first update is embedding the new article, and holds on
    runs[1].start()  # a second update (another upload) waits for the first, rather than failing
    started = time.monotonic()
    found = live.retriever.retrieve("Who blocked the Lachin Corridor?", 3)  # builds the retriever: needs the swap lock
    waited = time.monotonic() - started
    assert found and waited < 10 and runs[0].is_alive()
    embedder.release.set()
    for run in runs:
        run.join(60)
    assert sorted(len(r.added) for r in reports) == [0, 1]  # both ran, one after the other
    assert any("zebras" in r.chunk.text for r in live.retriever.retrieve("How many zebras did rangers count?", 3))


def test_a_bm25_index_built_while_this_process_indexed_is_not_kept_after_it(tmp_path, monkeypatch):
    """A question read the chunks for its BM25 index while an upload was indexed, and finished after: the
    question asked again once indexing is done (the UI does so) must find the upload by its words."""
    import rag.live_index as live_index

    corpus, embedder, chunking, live = _seeds_and_a_zebra_article(tmp_path)
    built, finish = threading.Event(), threading.Event()
    real = live_index.refresh_lexical

    def held(*args, **kwargs):  # the real BM25 build, then held until the update is done
        lexical = real(*args, **kwargs)
        if not finish.is_set():
            built.set()
            assert finish.wait(60)
        return lexical

    monkeypatch.setattr(live_index, "refresh_lexical", held)
    update = threading.Thread(target=live.update, args=(corpus, chunking))
    update.start()
    assert embedder.entered.wait(60)  # the update is embedding the zebras
    question = threading.Thread(target=lambda: live.retriever)
    question.start()
    assert built.wait(60)  # the question's BM25 index is built from the chunks as they were: no zebras
    embedder.release.set()
    update.join(60)
    assert not update.is_alive()
    finish.set()
    question.join(60)
    assert not question.is_alive()
    hits = live.retriever.lexical.search("How many zebras did rangers count?", 3)
    assert hits and "zebras" in live.store.get_chunks([hits[0][0]])[hits[0][0]].text
