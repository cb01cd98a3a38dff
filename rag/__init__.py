"""Grounded, cited answers over a corpus of news articles.

from rag import Assistant, Settings
assistant = Assistant(Settings(corpus="seeds", data_dir=".rag"))
assistant.index()
answer = assistant.ask("Who blocked the Lachin Corridor?")
print(answer.status, answer.answer, [c.quote for c in answer.citations])
"""

from .assistant import Assistant
from .errors import (
    CorpusError,
    IndexBusyError,
    IndexCorruptedError,
    IndexMismatchError,
    IndexMissingError,
    IndexReadOnlyError,
    IndexUnavailableError,
    LLMError,
    ModelError,
    QuestionError,
    RagError,
)
from .settings import Settings
from .types import Answer, AnswerStream, ArticleInfo, Citation, IndexReport, IndexStatus

__all__ = [
    "Answer",
    "AnswerStream",
    "ArticleInfo",
    "Assistant",
    "Citation",
    "CorpusError",
    "IndexBusyError",
    "IndexCorruptedError",
    "IndexMismatchError",
    "IndexMissingError",
    "IndexReadOnlyError",
    "IndexReport",
    "IndexStatus",
    "IndexUnavailableError",
    "LLMError",
    "ModelError",
    "QuestionError",
    "RagError",
    "Settings",
]
