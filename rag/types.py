"""The project's public data types (pydantic): what `ask` returns and the CLI prints as JSON."""

from collections.abc import Generator, Iterator
from typing import Literal

from pydantic import BaseModel, Field

from index.dates import shown_date
from index.typos import respelt


class Citation(BaseModel):
    """One cited passage: ``quote`` is exactly ``original_file_text[start:end]``."""

    n: int = Field(description="The marker number: [n] in the answer text")
    document_id: str
    source: str = Field(description="File name within the corpus directory")
    title: str
    quote: str = Field(description="The original file's text [start:end], as read with UTF-8")
    start: int
    end: int
    text: str = Field(description="The passage as clean text (equals quote for plain-text files)")
    text_start: int = Field(0, description="Where the passage starts in the article's clean text")
    text_end: int = Field(0, description="Where it ends in the article's clean text")
    score: float = 0.0
    short_answer: str | None = Field(None, description="The reader's short answer inside the passage (e.g. a name), if any")
    url: str | None = None
    published: str | None = None
    outlet: str | None = None

    def about(self) -> str:
        """Where it is from, as every list of sources says it: "feed.jsonl · Valley Courier · 23 November 2026"."""
        return " · ".join(x for x in (self.source, self.outlet, shown_date(self.published)) if x)


class Removed(BaseModel):
    """A generated sentence that verification removed (or flagged), and why."""

    text: str
    # format: a draft with no text (markers only); off-topic: supported, but only by passages that do not answer
    reason: Literal["uncited", "dangling", "unsupported", "format", "off-topic"]


class Recited(BaseModel):
    """A generated sentence kept under another passage than the one its draft cited (draft numbering)."""

    text: str
    draft_cited: list[int]
    cited: list[int]


SHOWN_CHARS = 200  # of a question pasted at length, what a note about it repeats


def shown(question: str) -> str:
    """A question as a note repeats it: its first ``SHOWN_CHARS`` characters when it is longer."""
    return question if len(question) <= SHOWN_CHARS else question[:SHOWN_CHARS].rstrip() + "…"


_EDGE = "\"“”‘’'()[]{},.;:!?"  # punctuation around a word


class Answer(BaseModel):
    status: Literal["answered", "not_in_corpus"]
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    related: list[Citation] = Field(
        default_factory=list, description="When not answered: the closest passages, which do not answer the question"
    )
    question: str = Field("", description="The question as asked")
    searched: str = Field(
        "",
        description="The standalone question that was searched (a follow-up rewritten with the conversation, misspelt words "
        "corrected to the corpus's)",
    )
    confidence: float = Field(0.0, description="Estimated probability that the corpus answers the question")
    backend: str = Field("extractive", description="What wrote the answer: the extractive answerer or the named LLM")
    removed: list[Removed] = Field(default_factory=list, description="Generated sentences that failed verification")
    draft: str = Field("", description="The LLM's text before verification (empty for the extractive answerer)")
    recited: list[Recited] = Field(
        default_factory=list, description="Generated sentences re-cited to the passage that supports them"
    )
    fallback: bool = Field(False, description="The LLM's draft could not be verified: this is the extractive answer instead")
    reason: str = Field(
        "", description="When not answered for a reason worth telling: e.g. the passages that come closest give no number"
    )

    @property
    def answered(self) -> bool:
        return self.status == "answered"

    def searched_note(self) -> str:
        """What the user is told was searched, when not the question as asked: the corrected words when only
        their spelling changed ("Coridor → Corridor"; index/typos.py), else the question searched (a follow-up made to stand
        alone), its first 200 characters when it is long. "" when it is the question as asked."""
        if not self.searched or self.searched == self.question:
            return ""
        typed, searched = self.question.split(), self.searched.split()
        changed = [(a.strip(_EDGE), b.strip(_EDGE)) for a, b in zip(typed, searched) if a != b]
        if len(typed) == len(searched) and all(respelt(a, b) for a, b in changed):
            return "Searched with the spelling of the articles: " + ", ".join(f"{a} → {b}" for a, b in changed)
        return f"Searched for: “{shown(self.searched)}”"


class IndexReport(BaseModel):
    """What one indexing run did (``Assistant.index``): sources by outcome, and the index afterwards."""

    added: list[str] = Field(default_factory=list, description="Sources indexed for the first time")
    updated: list[str] = Field(default_factory=list, description="Sources whose file changed, indexed again")
    removed: list[str] = Field(default_factory=list, description="Sources no longer in the corpus, removed from the index")
    unchanged: list[str] = Field(default_factory=list)
    skipped: list[tuple[str, str]] = Field(default_factory=list, description="(source, reason): not indexed, the rest was")
    duplicates: list[tuple[str, str]] = Field(
        default_factory=list, description="(source, earlier source): the same text in two files, both indexed"
    )
    repaired: list[str] = Field(default_factory=list, description="Sources indexed again: an earlier run was interrupted")
    orphans: int = Field(0, description="Chunks of no current article, deleted by this run")
    rewritten: bool = Field(False, description="An earlier run was interrupted: the index was written afresh")
    reembedded: int = Field(0, description="Chunks embedded again in that rewrite: Chroma could not read their vectors")
    articles: int = Field(0, description="Articles in the index afterwards")
    chunks: int = Field(0, description="Chunks in the index afterwards")
    embedded: int = Field(0, description="Chunks embedded by this run")
    seconds: float = 0.0
    changed: bool = Field(False, description="Whether the index changed")


class ArticleInfo(BaseModel):
    """One indexed article (``Assistant.article`` / ``articles``); ``text`` only from ``article``."""

    document_id: str
    source: str = Field(description='File name within the corpus directory (uploads: "uploads/<name>")')
    title: str
    chunk_count: int
    text: str = Field("", description="The clean article text that citations' text_start/text_end point into")
    url: str | None = None
    published: str | None = None
    outlet: str | None = None


class IndexStatus(BaseModel):
    location: str
    corpus: str
    model_id: str
    articles: int
    chunks: int


class AskResult(Answer):
    """What the chat UI's `/ask` API returns, for an answer and for an error alike (one shape, one type).

    ``status`` is "answered", "not_in_corpus" or "error"; for an error, ``error`` says what was wrong
    (``answer`` repeats it), and every other field has its answer's default (no citations, confidence 0).
    """

    status: Literal["answered", "not_in_corpus", "error"]
    error: str = Field("", description='Why the question could not be answered (status "error" only)')


class AnswerStream:
    """What ``Assistant.ask_stream`` returns (a Response object, as in simonw/llm): iterating it yields
    the LLM's text as it is generated (nothing for the extractive answerer); ``answer()`` waits for
    the rest and returns the verified Answer.

    >>> stream = assistant.ask_stream("Who blocked the Lachin Corridor?")
    >>> for text in stream: print(text, end="")
    >>> stream.answer().citations
    """

    def __init__(self, steps: Generator[str, None, Answer]) -> None:
        self._steps = steps
        self._answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        while self._answer is None:
            try:
                yield next(self._steps)
            except StopIteration as done:
                self._answer = done.value

    def answer(self) -> Answer:
        for _ in self:
            pass
        return self._answer  # type: ignore[return-value] (set when the steps end)
