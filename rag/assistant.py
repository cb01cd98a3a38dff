"""The public entry point: an Assistant indexes a corpus and answers questions with citations.

A thin facade over the components, each in its own module and usable alone:
``LiveIndex`` (rag/live_index.py: the store and the hybrid retriever, kept current across processes)
→ ``EvidenceFinder`` (rag/finder.py: retrieve, read, rank, decide) → ``compose`` (rag/answer.py: the
cited extractive answer, or a refusal) or ``VerifiedGeneration`` (rag/generation.py: an LLM's draft,
checked sentence by sentence). A follow-up is first made standalone (rag/followup.py), the same way
for ``ask``, ``explain`` and the evaluation.
"""

import dataclasses
import threading
import unicodedata
from pathlib import Path

from index.chunking import ChunkingConfig
from index.embedding import Embedder, SentenceTransformerEmbedder
from index.lexical import LexicalIndex
from index.store import IndexSpec, Store, StoredArticle
from index.typos import Speller

from .answer import compose, refuse
from .errors import QuestionError
from .evidence import Candidate
from .finder import Evidence, EvidenceFinder
from .followup import meant, searched_question
from .generation import VerifiedGeneration, passages
from .judge import HeuristicJudge, JudgeModel
from .language import looks_non_english
from .live_index import LiveIndex
from .llm import make_llm, rewrite_followup
from .reader import Reader
from .retrieve import HybridRetriever, Retrieved
from .settings import Settings
from .types import Answer, AnswerStream, ArticleInfo, IndexReport, IndexStatus


class Assistant:
    """Answers questions over one index. Cheap to construct; the model loads on first use.

    >>> assistant = Assistant(Settings(data_dir=".rag"))
    >>> assistant.index()            # idempotent: only changed files are embedded
    >>> assistant.ask("Who blocked the Lachin Corridor?").answer
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        chunking: ChunkingConfig = ChunkingConfig(),
        reader: Reader | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.embedder = embedder or SentenceTransformerEmbedder(self.settings.model_path)
        if hasattr(self.embedder, "attach"):  # where its verified ONNX export lives (questions then need no torch)
            self.embedder.attach(self.data_dir)
        self.chunking = chunking
        self.reader = reader or Reader()
        self.spec = IndexSpec(self.embedder.model_id, self.embedder.dim, chunking.describe())
        self.live = LiveIndex(
            self.data_dir, self.spec, self.embedder, chroma_url=self.settings.chroma_url, timeout=self.settings.chroma_timeout
        )
        self.finder = EvidenceFinder(self.live, self.embedder, self.reader, lambda: self.speller)
        self._lazy_lock = threading.Lock()  # the LLM client, the judge, the speller: built once, independent of indexing
        self._llm = None
        self._speller = None
        self._judge: tuple[str, HeuristicJudge] | None = None  # (the BM25 fingerprint its IDF is from, the judge)

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    @property
    def uploads_dir(self) -> Path:
        """Articles added through the UI; indexed with the corpus, under the source prefix "uploads/"."""
        return self.live.uploads_dir

    @property
    def sentence_vectors(self):
        """Sentences embedded by earlier questions (a cache; ``clear()`` it to time uncached questions)."""
        return self.finder.sentence_vectors

    # --- indexing ----------------------------------------------------------------------
    def index(self, corpus: Path | None = None, *, rebuild: bool = False, progress: bool = False) -> IndexReport:
        """Make the index mirror the corpus directory (only changed files are embedded).

        ``rebuild``: build the index afresh, under the write lock and beside the current one, which
        questions keep using until the new one is complete (a refused or failed rebuild deletes nothing)."""
        report = self.live.update(Path(corpus or self.settings.corpus), self.chunking, rebuild=rebuild, progress=progress)
        return IndexReport(**dataclasses.asdict(report), changed=report.changed)

    def has_index(self) -> bool:
        return self.live.exists()

    def status(self) -> IndexStatus:
        store = self.store
        return IndexStatus(
            location=store.location,
            corpus=str(store.info().get("corpus", "")),
            model_id=self.spec.model_id,
            articles=len(store.article_rows()),
            chunks=store.count(),
        )

    def warm_up(self) -> None:
        """Load the model and the indexes now rather than on the first question."""
        self.live.retriever  # noqa: B018 (opens the store, loads BM25)
        if hasattr(self.embedder, "warm_up"):
            self.embedder.warm_up()
        self.reader.warm_up()

    # --- the components' current state (what evals, the judge and adapters use) ---------------
    @property
    def store(self) -> Store:
        """The index's store, reopened when another process published a new one."""
        return self.live.store

    @property
    def retriever(self) -> HybridRetriever:
        """Hybrid retrieval over the current index, its BM25 part kept in step with the chunks."""
        return self.live.retriever

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index (its IDF weights are the judge's and the evidence features')."""
        return self.live.retriever.lexical

    @property
    def judge(self) -> HeuristicJudge:
        """The support judge that verifies LLM sentences (and `rag check`), on the current index's IDF."""
        lexical = self.lexical
        with self._lazy_lock:
            if self._judge is None or self._judge[0] != lexical.fingerprint:
                self._judge = (lexical.fingerprint, HeuristicJudge(self.embedder.embed, lexical.idf, JudgeModel.load()))
            return self._judge[1]

    @property
    def speller(self) -> Speller:
        """Corrects a question's misspelt words to the current index's terms (index/typos.py)."""
        lexical = self.lexical
        with self._lazy_lock:
            if self._speller is None or self._speller[0] != lexical.fingerprint:
                self._speller = (lexical.fingerprint, Speller(lexical.df, self.reader.words))
            return self._speller[1]

    def llm(self):
        """The configured LLM client and its backend name (``settings.llm``), built on first use."""
        with self._lazy_lock:
            if self._llm is None:
                key = self.settings.llm_api_key
                self._llm = make_llm(self.settings.llm, self.settings.llm_model, key.get_secret_value() if key else None)
            return self._llm

    # --- asking --------------------------------------------------------------------------
    def check_question(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise QuestionError(
                'The question is empty: type a question about the articles, e.g. "Who blocked the Lachin Corridor?"'
            )
        try:
            question.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: invalid UTF-8 in argv or stdin, or a broken "\ud800" escape
            raise QuestionError(
                "The question contains bytes that are not valid UTF-8 text (check the terminal's encoding, "
                "or retype the question)."
            ) from None
        question = " ".join(unicodedata.normalize("NFC", question).split())  # "é" as one character, as articles are
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
        return self.ask_stream(question, k, previous).answer()

    def ask_stream(self, question: str, k: int | None = None, previous: str | None = None) -> AnswerStream:
        """Like ``ask``; iterate the result for an LLM's text as it is generated, then call ``answer()``.
        A question that cannot be asked raises QuestionError here, before anything is searched (and a missing
        index IndexMissingError: its words are read to correct the question's spelling)."""
        asked, searched, context, meaning = self._searched(question, previous)
        return AnswerStream(self._answer_steps(asked, searched, context, k, meaning))

    def _searched(self, question: str, previous: str | None) -> tuple[str, str, str | None, str | None]:
        """The question as asked, as searched, the words it borrowed and, for a follow-up whose reference could
        not be put in, what it means with the previous question (rag/followup.py ``meant``); each checked. Searched
        and meant with misspelt words corrected ("develped": "developed"; index/typos.py), which the answer shows."""
        asked = self.check_question(question)
        searched, context = self.standalone(asked, previous)
        searched = self.check_question(searched)
        meaning = meant(asked, searched, previous)
        return (
            asked,
            self._spelled(searched),
            context and self._spelled(context, opens_sentence=False),
            meaning and self._spelled(meaning),
        )

    def _spelled(self, text: str, opens_sentence: bool = True) -> str:
        """``text`` with its misspelt words corrected (index/typos.py), unless that would take it past the question
        length limit, or it is not English (rag/language.py: "corredor" is not a misspelt "corridor")."""
        if looks_non_english(text):
            return text
        corrected = self.speller.correct(text, opens_sentence)
        return corrected if len(corrected) <= max(self.settings.max_question_chars, len(text)) else text

    def _answer_steps(self, asked: str, searched: str, context: str | None, k: int | None, meaning: str | None = None):
        evidence = self.finder.find(searched, k or self.settings.top_k, context, meaning)
        update = {"question": asked, "searched": searched}
        if self.settings.llm is None:
            return self.answer(evidence).model_copy(update=update)
        llm, backend = self.llm()
        update["backend"] = backend
        if evidence.probability < self.reader.calibration.threshold:  # the evidence does not answer: no generation
            articles = self._articles_of(evidence)
            return refuse(searched, evidence.ranked, evidence.probability, articles, evidence.unheard).model_copy(update=update)
        answer = yield from self._generation(llm).generate(evidence, self._articles_of(evidence), lambda: self.answer(evidence))
        return answer.model_copy(update=update)

    def _generation(self, llm) -> VerifiedGeneration:
        return VerifiedGeneration(llm, lambda: self.judge, flag=self.settings.verify == "flag")

    def answer(self, evidence: Evidence) -> Answer:
        """The extractive answer to what ``explain`` found: cited sentences, or a refusal."""
        articles = self._articles_of(evidence)
        # a sentence whose article was re-indexed since it was read would be quoted at the wrong offsets: skip it
        ranked = [
            c
            for c in evidence.ranked
            if c.retrieved.chunk.file_hash is None
            or (c.document_id in articles and articles[c.document_id].file_hash == c.retrieved.chunk.file_hash)
        ]
        answer = compose(
            evidence.question, ranked, evidence.probability, self.reader.calibration.threshold, articles, evidence.unheard
        )
        return answer.model_copy(update={"searched": evidence.question})

    def _articles_of(self, evidence: Evidence) -> dict:
        ids = list(dict.fromkeys(c.document_id for c in evidence.ranked[:10]))
        return self.store.get_articles(ids)

    def passages(self, evidence: Evidence) -> list[Candidate]:
        """What an LLM is given to answer from: the best distinct sentences, none addressed to a model."""
        return passages(evidence)

    def verify(self, draft: str, evidence: Evidence) -> Answer:
        """A draft written from ``passages(evidence)`` (numbered from 1), checked sentence by sentence."""
        generation = self._generation(None)
        return generation.verify(draft, passages(evidence), evidence, self._articles_of(evidence), lambda: self.answer(evidence))

    def standalone(self, question: str, previous: str | None) -> tuple[str, str | None]:
        """The question to search and the words a follow-up borrowed (rag/followup.py); with an LLM
        configured, its rewrite where it keeps the question's meaning."""
        rewrite = None
        if previous and self.settings.llm is not None:
            llm, _ = self.llm()
            rewrite = lambda q, p: rewrite_followup(llm, q, p)  # noqa: E731
        return searched_question(question, previous, self.settings.max_question_chars, rewrite)

    def article(self, document_id: str) -> ArticleInfo | None:
        """One indexed article with its clean text (for showing a citation in place), or None."""
        stored = self.store.get_articles([document_id], with_text=True).get(document_id)
        return _info(stored) if stored else None

    def articles(self) -> list[ArticleInfo]:
        """Every indexed article (metadata only), sorted by source."""
        return [_info(a) for a in sorted(self.store.article_rows(), key=lambda a: a.source)]

    def retrieve(self, question: str, k: int | None = None) -> list[Retrieved]:
        """The chunks hybrid retrieval finds for a question (dense + BM25, fused), best first; misspelt words
        are searched corrected, as ``ask`` searches them."""
        return self.retriever.retrieve(self._spelled(self.check_question(question)), k or self.settings.top_k)

    def explain(self, question: str, k: int | None = None, previous: str | None = None) -> Evidence:
        """What the answerer saw: the ranked sentences and the features of its decision, for the same
        standalone question that ``ask`` searches (a follow-up rewritten the same way)."""
        _, searched, context, meaning = self._searched(question, previous)
        return self.finder.find(searched, k or self.settings.top_k, context, meaning)


def _info(stored: StoredArticle) -> ArticleInfo:
    return ArticleInfo.model_construct(  # from the store's own rows: already valid, and the UI lists 100k of them
        document_id=stored.document_id,
        source=stored.source,
        title=stored.title,
        chunk_count=stored.chunk_count,
        text=stored.text,
        url=stored.url,
        published=stored.published,
        outlet=stored.outlet,
    )
