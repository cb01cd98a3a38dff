"""The public entry point: an Assistant indexes a corpus and answers questions with citations."""

import logging
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from index.build import BuildReport, check_corpus_dir, rebuild_corpus, refresh_lexical, sync_corpus
from index.chunking import ChunkingConfig
from index.embedding import Embedder, SentenceTransformerEmbedder, VectorCache
from index.errors import IndexMissingError
from index.lexical import LexicalIndex
from index.store import IndexSpec, Store, written_here

from .answer import CORROBORATE_MIN, citation, compose, distinct, refuse
from .judge import HeuristicJudge, JudgeModel
from .llm import INJECTION, REFUSAL, make_llm, rewrite_followup, stream_answer
from .verify import check, cited_order, final_text, off_topic, recited_records, removed_records
from .errors import QuestionError, RagError
from .followup import keeps_meaning, resolve
from .evidence import (Candidate, analyze, candidates, decision_features, lexical_features, read, score_candidates,
                       sentence_features)
from .reader import sigmoid
from .reader import Reader
from .retrieve import HybridRetriever, Retrieved
from .settings import Settings
from .types import Answer, IndexStatus, Recited, Removed

log = logging.getLogger(__name__)
UPLOADS_PREFIX = "uploads/"
MAX_PASSAGES = 6  # evidence passages given to an LLM
SHORTLIST = 8  # the reader's best sentences embedded per question (agreement between sources, "related")
FRESHNESS_CHECK_S = 2.0  # how often a question checks whether another process changed the index


class Assistant:
    """Answers questions over one index. Cheap to construct; the model loads on first use.

    >>> assistant = Assistant(Settings(data_dir=".rag"))
    >>> assistant.index()            # idempotent: only changed files are embedded
    >>> assistant.ask("Who blocked the Lachin Corridor?").answer
    """

    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None,
                 chunking: ChunkingConfig = ChunkingConfig(), reader: Reader | None = None) -> None:
        self.settings = settings or Settings()
        self.embedder = embedder or SentenceTransformerEmbedder(self.settings.model_path)
        if hasattr(self.embedder, "attach"):  # where its verified ONNX export lives (questions then need no torch)
            self.embedder.attach(self.data_dir)
        self.chunking = chunking
        self.reader = reader or Reader()
        self.spec = IndexSpec(self.embedder.model_id, self.embedder.dim, chunking.describe())
        self._lock = threading.Lock()  # the store and retriever: swapped under it, never held while embedding
        self._lazy_lock = threading.Lock()  # the LLM client and the judge: built once, independent of indexing
        self._store: Store | None = None
        self._retriever: HybridRetriever | None = None
        self._llm = None
        self._judge: HeuristicJudge | None = None
        self._checked = 0.0
        self._built_for: str | None = None  # the store's lexical fingerprint when the retriever was built
        self.sentence_vectors = VectorCache()  # sentences embedded by earlier questions

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    @property
    def uploads_dir(self) -> Path:
        """Articles added through the UI; indexed with the corpus, under the source prefix "uploads/"."""
        return self.data_dir / "uploads"

    # --- indexing ----------------------------------------------------------------------
    def index(self, corpus: Path | None = None, *, rebuild: bool = False, progress: bool = False) -> BuildReport:
        """Make the index mirror the corpus directory (only changed files are embedded).

        ``rebuild``: build the index afresh, under the write lock and beside the current one, which
        questions keep using until the new one is complete (a refused or failed rebuild deletes nothing)."""
        corpus_dir = Path(corpus or self.settings.corpus)
        check_corpus_dir(corpus_dir)  # before anything is created
        info = {"corpus": str(corpus_dir.resolve())}
        with self._lock:
            if rebuild:
                store, report = rebuild_corpus(
                    corpus_dir, self.data_dir, self.spec, self.embedder, self.chunking, progress=progress,
                    extra_roots={UPLOADS_PREFIX: self.uploads_dir}, chroma_url=self.settings.chroma_url,
                    timeout=self.settings.chroma_timeout, info=info)
            else:
                store = Store.open(self.data_dir, self.spec, create=True, chroma_url=self.settings.chroma_url,
                                   timeout=self.settings.chroma_timeout)
                report = sync_corpus(corpus_dir, store, self.embedder, self.data_dir,
                                     self.chunking, progress=progress, extra_roots={UPLOADS_PREFIX: self.uploads_dir})
                store.set_info(**info)
            self._store = store
            self._retriever = None  # the BM25 index changed with the chunks
            self._judge = None
        if hasattr(self.embedder, "prepare_onnx"):  # export and verify the question encoder once (torch is loaded now anyway)
            self.embedder.prepare_onnx(self.data_dir)
        return report

    def has_index(self) -> bool:
        try:
            self._ensure_store()
            return True
        except IndexMissingError:
            return False

    def status(self) -> IndexStatus:
        store = self._ensure_store()
        return IndexStatus(
            location=store.location, corpus=str(store.info().get("corpus", "")), model_id=self.spec.model_id,
            articles=len(store.article_rows()), chunks=store.count(),
        )

    def warm_up(self) -> None:
        """Load the model and the indexes now rather than on the first question."""
        self._ensure_retriever()
        if hasattr(self.embedder, "warm_up"):
            self.embedder.warm_up()
        self.reader.warm_up()

    def _ensure_store(self) -> Store:
        store = self._store
        if store is not None and store.is_current():  # no lock: questions go on while this process indexes
            return store
        with self._lock:  # none yet, or another process published a rebuilt index: open the current one
            if self._store is None or not self._store.is_current():
                self._store = Store.open(self.data_dir, self.spec, create=False, chroma_url=self.settings.chroma_url,
                                         timeout=self.settings.chroma_timeout)
                self._retriever = None  # its BM25 index and dense store belong to the old index
                self._judge = None
            return self._store

    def _ensure_retriever(self) -> HybridRetriever:
        """The retriever, its BM25 index kept in step with chunks that another process (re)indexed."""
        store = self._ensure_store()
        retriever, now = self._retriever, time.monotonic()
        if retriever is not None and now - self._checked < FRESHNESS_CHECK_S:
            return retriever
        self._checked = now
        wanted = store.info().get("lexical")
        if retriever is not None and wanted in (retriever.lexical.fingerprint, self._built_for):
            return retriever  # unchanged (an index without a saved BM25 copy is not rebuilt every check)
        # changed by another process (not by an index() of this one): this process's copy of the vector index is stale
        external = retriever is not None and not written_here(wanted)
        # outside the lock: questions go on meanwhile; only the indexer writes the saved copy
        lexical: LexicalIndex = refresh_lexical(store, self.data_dir, persist=False)
        with self._lock:
            if external and self._retriever is retriever:  # reopen it, under the lock: no write of ours in between
                self._store = self._store.reopened()
                self._retriever = None
            if self._retriever is None or self._retriever.lexical.fingerprint != lexical.fingerprint:
                self._retriever = HybridRetriever(self._store, self.embedder, lexical)
                self._judge = None
            self._built_for = wanted
            return self._retriever

    # --- public accessors (what evals, the judge and adapters use; the _ensure_ methods stay private) ---
    @property
    def store(self) -> Store:
        """The index's store, reopened when another process published a new one."""
        return self._ensure_store()

    @property
    def retriever(self) -> HybridRetriever:
        """Hybrid retrieval over the current index, its BM25 part kept in step with the chunks."""
        return self._ensure_retriever()

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index (its IDF weights are the judge's and the evidence features')."""
        return self._ensure_retriever().lexical

    @property
    def judge(self) -> HeuristicJudge:
        """The support judge that verifies LLM sentences (and `rag check`)."""
        return self._ensure_judge()

    def llm(self):
        """The configured LLM client and its backend name (``settings.llm``)."""
        return self._ensure_llm()

    # --- asking --------------------------------------------------------------------------
    def check_question(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("The question is empty: type a question about the articles, e.g. \"Who blocked the Lachin Corridor?\"")
        try:
            question.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: invalid UTF-8 in argv or stdin, or a broken "\ud800" escape
            raise QuestionError(
                "The question contains bytes that are not valid UTF-8 text (check the terminal's encoding, "
                "or retype the question)."
            ) from None
        question = " ".join(question.split())
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionError(
                f"The question is {len(question):,} characters long; the limit is {limit:,}. "
                "Ask one shorter question (paste a key sentence, not a whole article)."
            )
        return question

    def ask(self, question: str, k: int | None = None, previous: str | None = None) -> Answer:
        """Answer from the corpus with citations, or status "not_in_corpus".

        ``previous`` is the previous standalone question of a conversation: a follow-up such as
        "What did Russia say about it?" is rewritten with it before searching (see ``searched``).
        """
        for item in self.ask_stream(question, k, previous):
            if isinstance(item, Answer):
                return item
        raise RagError("The answer stream ended without an answer; this is a bug, please report it.")

    def ask_stream(self, question: str, k: int | None = None, previous: str | None = None) -> Iterator[str | Answer]:
        """Like ``ask``, but yields the LLM's text as it is generated (str), then the verified Answer."""
        asked = self.check_question(question)
        searched, context = self._standalone(asked, previous)
        evidence = self._evidence(searched, k, context)
        update = {"question": asked, "searched": searched}
        if self.settings.llm is None:
            yield self.answer(evidence).model_copy(update=update)
            return
        articles = self._articles_of(evidence)
        llm, backend = self._ensure_llm()
        update["backend"] = backend
        if evidence.probability < self.reader.calibration.threshold:  # the evidence does not answer: no generation
            yield refuse(searched, evidence.ranked, evidence.probability, articles).model_copy(update=update)
            return
        candidates = self.passages(evidence)
        text = ""
        for delta in stream_answer(llm, searched, [c.text for c in candidates]):
            text += delta
            yield delta
        answer = self._verified(text, candidates, evidence, articles)
        yield answer.model_copy(update={**update, "draft": text})

    def answer(self, evidence: "Evidence") -> Answer:
        """The extractive answer to what ``explain`` found: cited sentences, or a refusal."""
        articles = self._articles_of(evidence)
        # a sentence whose article was re-indexed since it was read would be quoted at the wrong offsets: skip it
        ranked = [c for c in evidence.ranked if c.retrieved.chunk.file_hash is None
                  or (c.document_id in articles and articles[c.document_id].file_hash == c.retrieved.chunk.file_hash)]
        answer = compose(evidence.question, ranked, evidence.probability, self.reader.calibration.threshold, articles)
        return answer.model_copy(update={"searched": evidence.question})

    def _articles_of(self, evidence: "Evidence") -> dict:
        ids = list(dict.fromkeys(c.document_id for c in evidence.ranked[:10]))
        return self._ensure_retriever().store.get_articles(ids)

    def passages(self, evidence: "Evidence") -> list[Candidate]:
        """What an LLM is given to answer from: the best distinct sentences, none addressed to a model."""
        return [c for c in distinct(evidence.ranked) if not INJECTION.search(c.text)][:MAX_PASSAGES]

    def verify(self, draft: str, evidence: "Evidence") -> Answer:
        """A draft written from ``passages(evidence)`` (numbered from 1), checked sentence by sentence."""
        return self._verified(draft, self.passages(evidence), evidence, self._articles_of(evidence))

    def _verified(self, text: str, candidates: list[Candidate], evidence: "Evidence", articles) -> Answer:
        checked = [] if REFUSAL.match(text.strip()) else check(text, {n: c.text for n, c in enumerate(candidates, 1)}, self._ensure_judge())
        # the passages that answer the question: the reader's best, and those it scores as likely as a corroboration
        off_topic(checked, {n for n, c in enumerate(candidates, 1) if n == 1 or c.score >= CORROBORATE_MIN})
        flag = self.settings.verify == "flag"
        removed = [Removed(**r) for r in removed_records(checked)]
        if not any(c.verdict == "supported" for c in checked):
            # the reader says the evidence answers (there is no generation otherwise): never refuse where the
            # LLM-free path answers; quote the evidence and say that the draft could not be verified
            answer = self.answer(evidence)
            return answer.model_copy(update={"removed": removed, "fallback": answer.answered})
        order = cited_order(checked, len(candidates), flag)
        renumber = {old: n for n, old in enumerate(order, start=1)}
        citations = [citation(renumber[old], candidates[old - 1], articles) for old in order]
        return Answer(status="answered", answer=final_text(checked, renumber, flag), citations=citations,
                      confidence=evidence.probability, question=evidence.question, removed=removed,
                      recited=[Recited(**r) for r in recited_records(checked)])

    def _standalone(self, question: str, previous: str | None) -> tuple[str, str | None]:
        """The question to search, and the words a follow-up borrowed from the conversation (if known).

        A follow-up is judged by its own length: a long ``previous`` is cut to its end (and then not
        used at all) rather than refuse a short question as too long."""
        if previous is not None and not isinstance(previous, str):
            raise QuestionError("The previous question must be text (or omitted).")
        if previous:
            previous = previous.encode("utf-8", "replace").decode("utf-8")  # lone surrogates: never to the tokenizer
        limit = self.settings.max_question_chars
        if previous and self.settings.llm is not None:
            llm, _ = self._ensure_llm()
            rewritten = rewrite_followup(llm, question, previous[-limit:])
            if rewritten and len(" ".join(rewritten.split())) <= limit and keeps_meaning(question, previous, rewritten):
                return rewritten, None
        searched, context = resolve(question, previous)
        if len(" ".join(searched.split())) > limit and previous:
            room = max(0, limit - len(question) - 10)
            tail = previous[-room:].split(None, 1)[-1] if room else ""
            searched, context = resolve(question, tail) if tail else (question, None)
            if len(" ".join(searched.split())) > limit:
                searched, context = question, None
        return searched, context

    def _ensure_llm(self):
        with self._lazy_lock:
            if self._llm is None:
                key = self.settings.llm_api_key
                self._llm = make_llm(self.settings.llm, self.settings.llm_model, key.get_secret_value() if key else None)
            return self._llm

    def _ensure_judge(self) -> HeuristicJudge:
        retriever = self._ensure_retriever()
        with self._lazy_lock:
            if self._judge is None:
                self._judge = HeuristicJudge(self.embedder.embed, retriever.lexical.idf, JudgeModel.load())
            return self._judge

    def article(self, document_id: str):
        """One indexed article with its clean text (for showing a citation in place)."""
        return self._ensure_store().get_articles([document_id], with_text=True).get(document_id)

    def articles(self):
        """Every indexed article (metadata only), sorted by source."""
        return sorted(self._ensure_store().article_rows(), key=lambda a: a.source)

    def retrieve(self, question: str, k: int | None = None) -> list[Retrieved]:
        """The chunks hybrid retrieval finds for a question (dense + BM25, fused), best first."""
        return self._ensure_retriever().retrieve(self.check_question(question), k or self.settings.top_k)

    def explain(self, question: str, k: int | None = None, previous: str | None = None) -> "Evidence":
        """What the answerer saw: the ranked sentences and the features of its decision, for the same
        standalone question that ``ask`` searches (a follow-up rewritten the same way)."""
        searched, context = self._standalone(self.check_question(question), previous)
        return self._evidence(searched, k, context)

    def _evidence(self, question: str, k: int | None, context: str | None = None) -> "Evidence":
        question = self.check_question(question)
        retriever = self._ensure_retriever()
        query_vector = self.embedder.embed([question])[0]
        retrieved = retriever.retrieve(question, k or self.settings.top_k, query_vector=query_vector)
        q = analyze(question, retriever.lexical, context)
        cands = candidates(retrieved)
        lexical_features(q, cands)
        read(self.reader, question, retrieved, cands)
        calibration = self.reader.calibration
        for c in cands:
            c.logit = calibration.ranker.logit(sentence_features(c)) if c.reader > -math.inf else -math.inf
            c.score = sigmoid(c.logit) if c.reader > -math.inf else 0.0
        ranked = sorted(cands, key=lambda c: c.logit, reverse=True)
        top = ranked[:SHORTLIST]
        if top:
            score_candidates(q, top, self.sentence_vectors.embed([c.text for c in top], self.embedder.embed), query_vector)
        features = decision_features(q, ranked, retrieved, retriever.lexical)
        probability = calibration.answerable(features) if ranked else 0.0
        log.debug("question %r features %s p=%.3f", question, features, probability)
        return Evidence(question, q.type, retrieved, ranked, features, probability)


@dataclass
class Evidence:
    question: str
    question_type: str
    retrieved: list[Retrieved]
    ranked: list[Candidate]
    features: dict[str, float]
    probability: float
