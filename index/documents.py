"""Loading a corpus directory into clean articles that keep offsets into the original files.

Supported: .txt, .md (``index.metadata`` reads their front matter), .html/.htm (``index.html_text``), one article per
file, and .jsonl (``index.jsonl``), one article per line. Each article (``index.articles``) keeps, for every clean
character, the span of original file text it came from (``index.mapped``), so any span of clean text maps back to
``original[start:end]`` exactly. One file that cannot be read or parsed is skipped with its reason; the rest is loaded.
"""

import hashlib
import logging
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from .articles import Article, make_article
from .errors import CorpusError, printable
from .html_text import html_page
from .jsonl import load_jsonl
from .mapped import Mapped
from .markdown import markdown_text
from .metadata import front_matter

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
# Files of a kind that holds articles but is not read: named among the skipped files, so that a user knows what to
# convert. Other kinds (a saved page's images, scripts and style sheets) are passed over in silence.
UNREAD_DOCUMENTS = {
    ".pdf": "a PDF",
    ".doc": "a Word document",
    ".docx": "a Word document",
    ".odt": "an OpenDocument text",
    ".rtf": "a rich-text document",
    ".epub": "an e-book",
    ".pages": "a Pages document",
    ".mht": "a web archive",
    ".mhtml": "a web archive",
    ".json": "a JSON file",
    ".xml": "an XML file",
}
MAX_FILE_BYTES = 20_000_000
CLEANING_VERSION = "6"  # bump when cleaning changes, so that unchanged files are re-indexed (4: YAML front matter;
# 5: JSON-LD, lists of links to other stories, a <title>'s site name, inline Markdown, a dateline after a byline;
# 6: cookie notices, comment counts, a wire slug before the headline, a news API's "[+1834 chars]")


@dataclass
@dataclass
class Skipped:
    """A file (or a source) that was not indexed, and why."""

    source: str
    reason: str


def load_corpus(corpus_dir: Path, extra_roots: dict[str, Path] | None = None) -> tuple[list[Article], list[Skipped]]:
    """All articles of a corpus directory (recursively), and the files that were skipped.

    ``extra_roots`` maps a source prefix to another directory (e.g. "uploads/" to the UI's uploads).
    """
    articles, skipped, _ = scan_corpus(corpus_dir, extra_roots)
    return articles, skipped


def scan_corpus(
    corpus_dir: Path, extra_roots: dict[str, Path] | None = None, known: Callable[[str, str], bool] | None = None
) -> tuple[list[Article], list[Skipped], list[str]]:
    """Like ``load_corpus``, but a file for which ``known(source, file_hash)`` is true is only hashed,
    not parsed: its source is returned in the third list (re-indexing an unchanged corpus reads no article)."""
    articles: list[Article] = []
    skipped: list[Skipped] = []
    unchanged: list[str] = []
    for source, items, reason in iter_corpus(corpus_dir, extra_roots, known):
        if reason is not None:
            skipped.append(Skipped(source, reason))
        elif items is None:
            unchanged.append(source)
        else:
            articles.extend(items)
    return articles, skipped, unchanged


def iter_corpus(
    corpus_dir: Path, extra_roots: dict[str, Path] | None = None, known: Callable[[str, str], bool] | None = None
) -> Iterator[tuple[str, list[Article] | None, str | None]]:
    """File by file: (source, its articles, None), (source, None, None) when ``known(source, file_hash)``
    (only hashed, not parsed), or (source, None, why it was skipped). One file at a time: an indexer
    that consumes it holds one file's articles, not the whole corpus's. A skipped file is only logged at
    debug level: the caller tells the user (``BuildReport.skipped``: `rag index`'s summary, the UI's upload
    message), once."""
    corpus_dir = Path(corpus_dir)
    check_corpus_dir(corpus_dir)
    roots = [("", corpus_dir)] + [(prefix, Path(d)) for prefix, d in (extra_roots or {}).items() if Path(d).is_dir()]
    found, hidden = [], []
    for prefix, root in roots:  # one walk of each tree: a 100k-file corpus is listed once
        shown, hid = corpus_files(root, (*SUFFIXES, *UNREAD_DOCUMENTS))
        found += [(prefix + p.relative_to(root).as_posix(), p) for p in shown]
        hidden += [prefix + p.relative_to(root).as_posix() for p in hid]
    for source in hidden:
        yield source, None, 'is hidden (its name starts with "."): rename it without the dot to index it'
    for source, path in found:
        if path.suffix.lower() in UNREAD_DOCUMENTS:
            yield source, None, _unread(path)
    for source, path in ((s, p) for s, p in found if p.suffix.lower() in SUFFIXES):
        try:
            original = read_text(path)
            digest = file_hash(original)
            if known is not None and known(source, digest):
                yield source, None, None
                continue
            items = parse_file(path, source, original, digest)
        except CorpusError as err:
            log.debug("skipping %s: %s", printable(source), err)
            yield source, None, str(err)
            continue
        except Exception as err:  # noqa: BLE001 (one unparseable file must never stop the run)
            reason = f"could not be parsed ({type(err).__name__}: {err}); fix or remove the file and run `rag index` again"
            log.debug("skipping %s: %s", printable(source), reason)
            yield source, None, reason
            continue
        yield source, items, None


def check_corpus_dir(corpus_dir: Path) -> None:
    """A CorpusError that says what to pass instead, unless ``corpus_dir`` is a directory (the indexer checks
    before it takes the write lock or creates anything)."""
    corpus_dir = Path(corpus_dir)
    if corpus_dir.is_file():
        raise CorpusError(
            f"--corpus {printable(str(corpus_dir))} is a file, not a directory: pass the directory that holds your "
            f"articles (e.g. --corpus {printable(str(corpus_dir.parent))})."
        )
    if not corpus_dir.is_dir():
        raise CorpusError(f"Corpus directory {corpus_dir} does not exist: pass an existing directory with --corpus.")


def corpus_files(corpus_dir: Path, suffixes: Collection[str] = SUFFIXES) -> tuple[list[Path], list[Path]]:
    """The files under ``corpus_dir`` with one of ``suffixes`` (any case), and apart from them the hidden ones
    (".draft.txt": skipped, and told). Those in hidden folders (".git", an editor's ".obsidian") are left out, and so
    are the "._name.txt" files a Mac writes beside a copied file (its metadata, not an article)."""
    shown, hidden = [], []
    for p in corpus_dir.rglob("*"):
        if p.suffix.lower() not in suffixes or not p.is_file():
            continue
        *folders, name = p.relative_to(corpus_dir).parts
        if not any(part.startswith(".") for part in folders) and not name.startswith("._"):  # "._x.txt": a Mac's metadata
            (hidden if name.startswith(".") else shown).append(p)
    return sorted(shown), sorted(hidden)


def _unread(path: Path) -> str:
    kind = UNREAD_DOCUMENTS[path.suffix.lower()]
    if path.suffix.lower() == ".json":
        how = 'put one article per line, {"text": ..., "title": ...}, in a .jsonl file'
    elif path.suffix.lower() in (".mht", ".mhtml"):
        how = "save the page as HTML (.html) instead"
    else:
        how = "save or export its text as .txt (or .md, .html)"
    return f"is {kind}: only .txt, .md, .html and .jsonl files are read; {how}"


# What a binary file is, by its first bytes: a file of another kind given an article's name ("notes.txt").
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive, or a Word, OpenDocument or e-book file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Word or Excel file"),
    (b"RIFF", "a sound or video file"),
    (b"\x7fELF", "a program"),
)


def binary_kind(data: bytes) -> str | None:
    """Why a file's bytes are no text article, or None: what its first bytes say it is ("a PNG image, by its first
    bytes"), or that it holds NUL bytes. The indexer and the UI's upload check both ask."""
    if kind := next((k for magic, k in _MAGIC if data.startswith(magic)), None):
        return f"{kind}, by its first bytes"
    return "it contains NUL bytes" if b"\x00" in data[:8192] else None


def read_text(path: Path) -> str:
    """A file's text as UTF-8, or a CorpusError that says why it cannot be used."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CorpusError(f"{size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit per file; split it")
        data = path.read_bytes()
    except OSError as err:
        raise CorpusError(f"cannot be read ({err.strerror})") from err
    if why := binary_kind(data):
        raise CorpusError(
            f"looks binary ({why}): only text articles can be indexed; remove it, or save the article's text as .txt"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CorpusError(f"is not valid UTF-8 (byte {err.start}); re-save it as UTF-8") from err
    return text


def file_hash(original: str) -> str:
    return hashlib.sha256((CLEANING_VERSION + "\0" + original).encode("utf-8")).hexdigest()[:32]


def load_file(path: Path, source: str) -> list[Article]:
    original = read_text(path)
    return parse_file(path, source, original, file_hash(original))


def parse_file(path: Path, source: str, original: str, digest: str) -> list[Article]:
    """The articles of one file's text (one, or one per line of a .jsonl file)."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return load_jsonl(original, source, digest)
    if suffix in (".html", ".htm"):
        page = html_page(original)
        article = make_article(page.visible, original, source, source, digest, **page.meta)
        if page.json_ld_body is not None and _words(article) < len(page.json_ld_body.string().split()) / 2:
            # the page shows less than half the article its JSON-LD holds (a page that a script fills in)
            article = make_article(page.json_ld_body, original, source, source, digest, **page.meta) or article
    else:
        body, meta = front_matter(original)
        if suffix == ".md":
            mapped = markdown_text(original, body)
        else:
            mapped = Mapped()
            mapped.add(original[body:], body)
        article = make_article(mapped, original, source, source, digest, markdown=suffix == ".md", **meta)
    if article is None:
        raise CorpusError("holds no article text after cleaning")
    return [article]


def _words(article: Article | None) -> int:
    return len(article.text.split()) if article else 0
