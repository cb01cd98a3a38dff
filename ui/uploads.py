"""Uploads through the chat UI: safe names that never replace an earlier file, the caps on Gradio's
raw upload route, its temporary copies deleted, and which uploads are being indexed right now."""

import re
import threading
from contextlib import contextmanager
from pathlib import Path

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm")
MAX_UPLOAD_BYTES = 2_000_000
MAX_UPLOAD_FILES = 20
MAX_NAME_CHARS = 120
# Gradio's raw upload route (/gradio_api/upload) writes files to gradio-tmp before any event sees them:
# one file larger than this, or one request larger than all allowed files together, is refused unread.
MAX_RAW_FILE_BYTES = 5 * MAX_UPLOAD_BYTES  # a bit over the limit still reaches `upload`, which says why it is refused
MAX_UPLOAD_REQUEST_BYTES = MAX_UPLOAD_FILES * MAX_UPLOAD_BYTES + 1_000_000
TEMP_FILE_MAX_AGE_S = 300  # raw uploads that no event handled (posted straight to the route) are deleted after this


def safe_upload_name(name: str) -> str:
    """A file name that can only land inside the uploads directory, or a ValueError saying why not.

    A long name is shortened in its stem, so that its extension (the last one: "x.jsonl.txt" is a
    .txt) survives and is checked on the name actually saved; an extension-less file would be
    stored and never indexed."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    if not base or base.startswith("."):
        raise ValueError(f"“{name}” is not a usable file name")
    if len(base) > MAX_NAME_CHARS:
        stem, dot, suffix = base.rpartition(".")
        suffix = dot + suffix if stem and len(suffix) < 10 else ""
        base = (base[: len(base) - len(suffix)] if suffix else base)[: MAX_NAME_CHARS - len(suffix)].rstrip(" .") + suffix
    if not base.lower().endswith(UPLOAD_SUFFIXES) or base.startswith("."):
        raise ValueError(f"“{name}” is not a .txt, .md or .html file")
    return base


def free_upload_name(target: Path, name: str, data: bytes) -> tuple[str, bool]:
    """Where an upload goes without replacing an earlier one: ``name``, or "name (2).txt", "name (3).txt", …

    Returns the name and whether the same bytes are already there under it (then nothing is written:
    uploading one file twice does not index it twice)."""
    stem, dot, suffix = name.rpartition(".")
    for n in range(1, 1000):
        candidate = name if n == 1 else f"{stem[: MAX_NAME_CHARS - len(suffix) - 8]} ({n}){dot}{suffix}"
        path = target / candidate
        if not path.exists():
            return candidate, False
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return candidate, True
    raise ValueError(f"“{name}” was uploaded too many times")


class Indexing:
    """The uploads being indexed right now (by any visitor).

    A question asked meanwhile may be about them: rather than "the corpus does not say", it is told
    which files are being indexed and answered again once they are done."""

    def __init__(self) -> None:
        self._names: list[str] = []
        self._done = threading.Condition()

    @contextmanager
    def running(self, names: list[str]):
        with self._done:
            self._names += names
        try:
            yield
        finally:
            with self._done:
                for name in names:
                    self._names.remove(name)
                self._done.notify_all()

    def names(self) -> list[str]:
        with self._done:
            return list(self._names)

    def wait(self, timeout: float) -> bool:
        """True once nothing is being indexed; False if that took longer than ``timeout`` seconds."""
        with self._done:
            return self._done.wait_for(lambda: not self._names, timeout)


class UploadLimit:
    """ASGI middleware: a request to Gradio's raw upload route must say its size, and stay under the cap.

    Gradio writes every file of such a request to gradio-tmp before any event handler runs (100 x
    1 MB in one request went through). Refused here, before a byte of the body is read, nothing is
    written. Per file, Gradio's own ``max_file_size`` applies (it deletes the partial file)."""

    def __init__(self, app, limit: int = MAX_UPLOAD_REQUEST_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].rstrip("/").endswith("/upload"):
            length = dict(scope["headers"]).get(b"content-length")
            if length is None or not length.isdigit() or int(length) > self.limit:
                status, text = (
                    (411, "An upload must give its Content-Length.")
                    if length is None
                    else (
                        413,
                        f"An upload request may carry at most {self.limit / 1e6:.0f} MB "
                        f"({MAX_UPLOAD_FILES} files of {MAX_UPLOAD_BYTES / 1e6:.0f} MB).",
                    )
                )
                await send(
                    {
                        "type": "http.response.start",
                        "status": status,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")],
                    }
                )
                await send({"type": "http.response.body", "body": text.encode()})
                return
        await self.app(scope, receive, send)


def forget_upload(path: Path, temp_root: Path | None) -> None:
    """Delete Gradio's temporary copy of an uploaded file (and its now empty folder), kept or not."""
    try:
        path.unlink(missing_ok=True)
        if temp_root is not None and path.parent != temp_root and path.parent.parent == temp_root:
            path.parent.rmdir()  # only if empty
    except OSError:
        pass
