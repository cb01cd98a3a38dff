"""Errors raised by the project, one tree with one base.

    RagError                      base: catch this to handle anything the project raises
    ├── CorpusError               the corpus directory is missing, empty or holds nothing readable
    ├── IndexMissingError         no index in the data directory yet (run `rag index`)
    ├── IndexMismatchError        the index was built with another model or chunking (rebuild it)
    ├── IndexCorruptedError       the data directory exists but cannot be opened as an index
    ├── IndexBusyError            another process is writing the same index
    ├── IndexReadOnlyError        the data directory cannot be written (make it writable)
    ├── IndexUnavailableError     the Chroma server is down or does not answer in time
    ├── ModelError                the embedding model cannot be loaded from its local path
    └── QuestionError             the question is empty or too long (defined in rag.errors)

Every message says what to do next; ``printable`` shows a file's name in one safely.
"""


class RagError(Exception):
    """Base class of every error the project raises on purpose."""


class CorpusError(RagError):
    pass


class IndexMissingError(RagError):
    pass


class IndexMismatchError(RagError):
    pass


class IndexCorruptedError(RagError):
    pass


class IndexBusyError(RagError):
    pass


class ModelError(RagError):
    pass


class IndexReadOnlyError(RagError):
    """The data directory (or the index in it) cannot be written: Chroma needs write access even to read."""


class IndexUnavailableError(RagError):
    """The Chroma server cannot be reached, or did not answer in time."""


def printable(name: str) -> str:
    """A file name as it can be shown in a terminal: control characters escaped."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in name)
