"""Articles' original texts as files beside an embedded index, one per article version.

The original text is what the stored offsets point into: quotes and the article panel are cut from
it. It used to be a Chroma document, where Chroma keeps every document four times (the row, an index
on metadata strings, and a full-text table and its index that this project never queries): for a
20 MB file, hundreds of megabytes of disk and of memory while writing. Here it is written once, as
UTF-8, under a name made from the article's id and file hash, so that a question reading an older
version of a row never gets a newer text. A Chroma server keeps originals as documents (several
clients with their own data directories share the server, not this directory).

Written before the article's row and removed after it (see index/store.py), so that a row always has
its original; a file whose row is gone is removed by the next write of that article, or with the
generation it belongs to.
"""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path


class OriginalFiles:
    """``DIR/<hash of the document id>/<file hash>.txt``."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _dir(self, document_id: str) -> Path:
        return self.directory / hashlib.sha256(document_id.encode("utf-8")).hexdigest()[:32]

    def path(self, document_id: str, file_hash: str) -> Path:
        return self._dir(document_id) / f"{file_hash}.txt"

    def write(self, document_id: str, file_hash: str, text: str) -> None:
        """Atomically (a reader sees the whole text or no file), replacing any other version of the article."""
        folder = self._dir(document_id)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            if old.name != f"{file_hash}.txt":
                old.unlink(missing_ok=True)
        handle, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(text)
            os.replace(tmp, self.path(document_id, file_hash))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, document_id: str, file_hash: str) -> str | None:
        """The text, or None when it is not there."""
        try:
            return self.path(document_id, file_hash).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def remove(self, document_ids: list[str]) -> None:
        for document_id in document_ids:
            shutil.rmtree(self._dir(document_id), ignore_errors=True)
