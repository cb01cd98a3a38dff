"""Errors of the question-answering layer; the whole tree is drawn in index/errors.py."""

from index.errors import (  # noqa: F401  (re-exported: the public place to import errors from)
    CorpusError,
    IndexBusyError,
    IndexCorruptedError,
    IndexMismatchError,
    IndexMissingError,
    IndexReadOnlyError,
    IndexUnavailableError,
    ModelError,
    RagError,
)


class QuestionError(RagError, ValueError):
    """The question cannot be asked as given (empty, or too long)."""


class LLMError(RagError):
    """The optional LLM backend is missing, misconfigured, or failed while answering."""
