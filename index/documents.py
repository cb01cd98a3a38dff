"""Loading a corpus directory into clean articles that keep offsets into the original files.

Supported: .txt, .md, .html/.htm (one article per file) and .jsonl (one article per line, with
"text" and optional "title", "url", "published", "outlet"). Each article's clean text is its
kept blocks joined by newlines; for every clean character we keep the span of original file
text it came from, so any span of clean text maps back to ``original[start:end]`` exactly
(through HTML tags and entities, and JSON string escapes).
"""

import bisect
import hashlib
import html
import json
import logging
import re
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .cleaning import classify_blocks
from .dates import published_date
from .errors import CorpusError

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
MAX_FILE_BYTES = 20_000_000
CLEANING_VERSION = "4"  # bump when cleaning changes, so that unchanged files are re-indexed (4: YAML front matter)


@dataclass
class Article:
    """One article: its clean text and, per clean character, the original span it came from."""

    document_id: str
    source: str  # path of the file within the corpus directory, with "/" separators
    title: str
    text: str
    offsets: "Offsets"
    original: str  # the whole original file, decoded as UTF-8
    file_hash: str
    url: str | None = None
    published: str | None = None
    outlet: str | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original file behind the clean text ``text[start:end]``."""
        return self.offsets.span(start)[0], self.offsets.span(end - 1)[1]


@dataclass
class Skipped:
    source: str
    reason: str


@dataclass
class Offsets:
    """Per clean character, the [start, end) of original text it stands for, kept as runs: in a
    verbatim run character i stands for [o + i, o + i + 1); in a constant run (an entity, an escape,
    an inserted newline) every character stands for the same [start, end). A plain-text file is a few
    runs, not two integers per character (as lists of Python ints, a 19.9 MB file took 2.7 GB)."""

    def __init__(self) -> None:
        self.at = array("q")  # the clean position where each run begins
        self.start = array("q")  # the original start of its first character
        self.end = array("q")  # the constant end, or -1 in a verbatim run
        self.length = 0

    def add(self, count: int, start: int, end: int | None = None) -> None:
        if count <= 0:
            return
        last = len(self.at) - 1
        verbatim_goes_on = (
            end is None and last >= 0 and self.end[last] == -1 and self.start[last] + self.length - self.at[last] == start
        )
        if not verbatim_goes_on:
            self.at.append(self.length)
            self.start.append(start)
            self.end.append(-1 if end is None else end)
        self.length += count

    def span(self, i: int) -> tuple[int, int]:
        """The original [start, end) behind clean character ``i``."""
        run = bisect.bisect_right(self.at, i) - 1
        if self.end[run] == -1:
            at = self.start[run] + i - self.at[run]
            return at, at + 1
        return self.start[run], self.end[run]

    def extend(self, other: "Offsets", a: int, b: int) -> None:
        """Append ``other``'s characters [a, b)."""
        while a < b:
            run = bisect.bisect_right(other.at, a) - 1
            stop = min(b, other.at[run + 1] if run + 1 < len(other.at) else other.length)
            if other.end[run] == -1:
                self.add(stop - a, other.start[run] + a - other.at[run])
            else:
                self.add(stop - a, other.start[run], other.end[run])
            a = stop


@dataclass
class _Mapped:
    """Text (kept as pieces) with the original span behind each character."""

    text: list[str] = field(default_factory=list)  # pieces, joined by ``string()``
    offsets: Offsets = field(default_factory=Offsets)

    def add(self, chars: str, start: int, end: int | None = None) -> None:
        """``chars`` verbatim from ``start`` (``end`` None), or all standing for original [start, end)."""
        if chars:
            self.text.append(chars)
            self.offsets.add(len(chars), start, end)

    def last(self) -> str:
        """The last character so far ("" when empty)."""
        return self.text[-1][-1] if self.text else ""

    def string(self) -> str:
        return "".join(self.text)


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
    files = [(prefix + p.relative_to(root).as_posix(), p) for prefix, root in roots for p in corpus_files(root)]
    for source, path in files:
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


def printable(name: str) -> str:
    """A file name as it can be shown in a terminal: control characters escaped."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in name)


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


def read_text(path: Path) -> str:
    """A file's text as UTF-8, or a CorpusError that says why it cannot be used."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CorpusError(f"{size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit per file; split it")
        data = path.read_bytes()
    except OSError as err:
        raise CorpusError(f"cannot be read ({err.strerror})") from err
    if b"\x00" in data[:8192]:
        raise CorpusError("looks binary (it contains NUL bytes); only text articles can be indexed")
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
        return _load_jsonl(original, source, digest)
    if suffix in (".html", ".htm"):
        mapped, meta = _html_text(original)
        article = _article(mapped, original, source, source, digest, **meta)
    else:
        body, meta = front_matter(original)
        mapped = _Mapped()
        mapped.add(original[body:], body)
        article = _article(mapped, original, source, source, digest, markdown=suffix == ".md", **meta)
    if article is None:
        raise CorpusError("holds no article text after cleaning")
    return [article]


# A block of "key: value" lines between two "---" lines at the top of a file (YAML front matter, as Markdown sites and
# note apps write it): metadata, not article text.
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<block>(?:.*\r?\n){0,60}?)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")
# What an article says of itself, under the names that front matter and JSONL exports give it (lower case), first
# found first: "publishedAt" and a "source" object's "name" as news APIs write them.
_META_KEYS = {
    "title": ("title", "headline"),
    "published": tuple(
        "published date pubdate publishdate publish_date published_at publishedat date_publish datepublished created".split()
    ),
    "url": ("url", "link", "canonical", "canonical_url", "permalink", "source_url", "source", "site"),
    "outlet": ("outlet", "publisher", "publication", "site", "site_name", "source"),
}
_TEXT_KEYS = ("text", "body", "content", "article", "maintext")  # a JSONL article's text, first found first
_LINK = re.compile(r"https?://\S+$")  # "source:" and "site:" may be an address (a web clipper's) or an outlet
_FITS = {  # a value of the field's kind
    "title": lambda v: True,
    "published": lambda v: published_date(v) is not None,
    "url": lambda v: bool(_LINK.match(v)),
    "outlet": lambda v: not _LINK.match(v),
}
_FRONT_LINE = re.compile(r"\s*(#|$|[\w.-]+\s*:|-\s)")  # a comment, a blank, a key or a list item
_KEY_VALUE = re.compile(r"([\w.-]+)\s*:\s*(.+?)\s*$")


def front_matter(original: str) -> tuple[int, dict[str, str]]:
    """Where the article's text starts after a YAML front matter block, and the block's title, publication date, url
    and outlet (only plain one-line values; a date only when it reads as one); (0, {}) without a block."""
    m = _FRONT_MATTER.match(original)
    if not m or not all(_FRONT_LINE.match(line) for line in m["block"].splitlines()):
        return 0, {}  # a thematic break ("---") above ordinary text is not front matter
    values = {}
    for line in m["block"].splitlines():
        if kv := _KEY_VALUE.match(line):
            value = kv[2]
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            if value and value[0] not in "[{|>&*!":  # a plain one-line value, not a YAML list, map or block
                values.setdefault(kv[1].lower(), value)
    return m.end(), _metadata(values)


def _metadata(values: dict[str, str]) -> dict[str, str]:
    """The title, publication date, url and outlet among an article's named values (lower-case names): for each, the
    first of its names (``_META_KEYS``) whose value is of its kind."""
    meta = {}
    for field_name, keys in _META_KEYS.items():
        if value := next((v for k in keys if (v := values.get(k, "").strip()) and _FITS[field_name](v)), None):
            meta[field_name] = value
    return meta


def _article(
    mapped: _Mapped,
    original: str,
    document_id: str,
    source: str,
    digest: str,
    *,
    title: str | None = None,
    markdown: bool = False,
    **meta,
) -> Article | None:
    text = mapped.string()
    blocks: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\n]+", text):
        a, b = m.start(), m.end()
        if markdown:  # heading, quote and list markers are syntax, not text
            a += len(re.match(r"\s*(#{1,6}\s+|>\s*|[-*+]\s+)?", text[a:b]).group(0))
        while a < b and (text[a].isspace() or text[a] == "\ufeff"):
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b and not (markdown and re.fullmatch(r"!\[.*\]\(.*\)|[-*_]{3,}", text[a:b])):
            blocks.append((a, b))
    reasons = classify_blocks([text[a:b] for a, b in blocks])
    out = _Mapped()
    for (a, b), reason in zip(blocks, reasons):
        if reason:  # junk: navigation, share buttons, cookie notices… (``classify_blocks``)
            continue
        if out.text:
            joint = mapped.offsets.span(a - 1)[1] if a else 0
            out.add("\n", joint, joint)
        out.text.append(text[a:b])
        out.offsets.extend(mapped.offsets, a, b)
    clean = out.string().translate(_SPACES)
    if not clean.strip():
        return None
    if not title:
        first = _title_line(clean)
        title = first if len(first) <= 120 else " ".join(first[:120].split()[:-1]) + "…"
    if not meta.get("published"):  # JSONL and HTML give theirs; a text file's comes from a date line
        meta["published"] = _date_line(clean)
    return Article(
        document_id=document_id,
        source=source,
        title=title.strip(),
        text=clean,
        offsets=out.offsets,
        original=original,
        file_hash=digest,
        **meta,
    )


_BYLINE = re.compile(
    r"^\s*(?i:by|written by|reporting by)\s+(?!(?:The|A|An|Any|All|Its|Our|Their)\b)[A-Z][\w.'’-]*"
    r"(\s+(?:and\s+)?[A-Z][\w.'’-]*){0,4}\s*(,.*)?$"
)
_TRAIL = re.compile(r"\s*[|›»]\s*|\s+>\s+")  # "World | Science", "Home > News", "Headline | Outlet"
_TITLE_LABEL = re.compile(r"^\s*(title|headline)\s*:\s*", re.IGNORECASE)
_DATE_LINE = re.compile(
    r"^\s*(?:(?:published|posted|updated|last updated)\b\s*:?|date\s*:|dateline\s*:)\s*(?:on\s+)?(.{4,60}?)\s*$", re.IGNORECASE
)
_SITE_META = frozenset({"og:site_name", "application-name", "publisher", "dc.publisher"})
_SITE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ")  # "Headline | Outlet", as <title>s write it
_PUBLISHED_META = frozenset(
    "article:published_time og:published_time datepublished pubdate publishdate publish-date publication_date "
    "date dc.date dc.date.issued parsely-pub-date sailthru.date".split()
)


def _dateline(line: str) -> str | None:
    """The date of a "Published: 2026-04-02" or "Updated 10:42 AM EST, Thu March 5, 2026" line, as written
    (only when it holds a whole date: "Updated Covid boosters approved for 2026" is a headline)."""
    m = _DATE_LINE.match(line)
    return m.group(1) if m and published_date(m.group(1)) else None


def _date_line(clean: str) -> str | None:
    """A text file's publication date: the first dateline among its first six lines."""
    return next((d for line in clean.split("\n")[:6] if (d := _dateline(line))), None)


def _headline(line: str) -> str | None:
    """The line as a headline, or None for a byline, a dateline or a section trail ("World | Science"); a
    headline with its site's name after a bar ("Rover lost contact | Science News") loses the name."""
    if _BYLINE.match(line) or _dateline(line):
        return None
    parts = [p for p in _TRAIL.split(line) if p.strip()]
    if len(parts) > 1:
        longest = max(parts, key=lambda p: len(p.split()))
        return longest if len(longest.split()) >= 3 else None
    return line


def _title_line(clean: str) -> str:
    """A text file's title: its first line (among the first six; else the first line) that reads as a
    headline (``_headline``), without a "Title:" label."""
    lines = clean.split("\n")
    chosen = next((h for line in lines[:6] if (h := _headline(_TITLE_LABEL.sub("", line)))), lines[0])
    return chosen.strip() or lines[0]


def _load_jsonl(original: str, source: str, digest: str) -> list[Article]:
    articles = []
    offset = 0
    # Lines end at "\n" only: U+2028 and other Unicode line breaks are legal inside JSON strings.
    for number, line in enumerate(original.split("\n"), start=1):
        line_start, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            text_key = next((k for a in _TEXT_KEYS for k in record if k.lower() == a and isinstance(record[k], str)), None)
            if text_key is None:
                fields = ", ".join(f'"{k}"' for k in list(record)[:8]) or "none"
                raise ValueError(f'no string field "text" (or "body", "content"); its fields: {fields}')
            value_start, value_end = _json_string_span(line, text_key)
            mapped = _decode_json_string(line, value_start, value_end, line_start)
            values = {k.lower(): _plain(v.get("name") if isinstance(v, dict) else v) for k, v in record.items() if k != text_key}
            article = _article(mapped, original, f"{source}#{number}", source, digest, **_metadata(values))
        except Exception as err:  # noqa: BLE001 (one bad line is skipped with its reason, the rest indexed)
            log.warning("%s line %d skipped: %s", printable(source), number, err)
            continue
        if article is not None:
            articles.append(article)
    if not articles:
        raise CorpusError(
            'holds no line with a JSON object that has a non-empty "text" field (or "body", "content"): one article per '
            'line, {"text": ..., "title": ..., "url": ..., "published": ..., "outlet": ...}'
        )
    return articles


def _plain(value: object) -> str:
    """A metadata value as text (a number becomes its digits, null nothing); lone surrogates become U+FFFD."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return _LONE_SURROGATE.sub("\ufffd", text)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_string_span(line: str, key: str) -> tuple[int, int]:
    """The raw span (inside the quotes) of a top-level string value of a JSON object line."""
    decoder = json.JSONDecoder()
    i = line.index("{") + 1
    while True:
        i = _skip_ws(line, i)
        if line[i] == "}":
            raise ValueError(f'no "{key}" field')
        name, i = json.decoder.scanstring(line, i + 1)
        i = _skip_ws(line, _skip_ws(line, i) + 1)  # past ':'
        value_start = i
        _, i = decoder.raw_decode(line, i)
        if name == key and line[value_start] == '"':
            return value_start + 1, i - 1
        i = _skip_ws(line, i)
        if line[i] == ",":
            i += 1


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in " \t\r\n":
        i += 1
    return i


# Non-breaking and thin spaces become plain spaces in the clean text (one character for one).
_SPACES = str.maketrans({c: " " for c in "\u00a0\u2007\u2009\u202f\u200a\u2002\u2003"})

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _decode_json_string(line: str, start: int, end: int, base: int) -> _Mapped:
    out = _Mapped()
    i = start
    while i < end:
        escape = line.find("\\", i, end)
        if escape != i:  # a run of verbatim characters up to the next escape
            stop = end if escape == -1 else escape
            out.add(line[i:stop], base + i)
            i = stop
            continue
        kind = line[i + 1]
        if kind == "u":
            code = int(line[i + 2 : i + 6], 16)
            width = 6
            if 0xD800 <= code < 0xDC00 and line[i + 6 : i + 8] == "\\u":
                low = int(line[i + 8 : i + 12], 16)
                if 0xDC00 <= low < 0xE000:  # a valid pair; anything else leaves a lone surrogate
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    width = 12
            if 0xD800 <= code < 0xE000:  # a lone surrogate cannot be stored as UTF-8: one character for one
                code = 0xFFFD
            out.add(chr(code), base + i, base + i + width)
            i += width
        else:
            out.add(_ESCAPES[kind], base + i, base + i + 2)
            i += 2
    return out


_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "tr",
    "td",
    "th",
    "article",
    "section",
    "blockquote",
    "pre",
    "hr",
    "main",
    "table",
    "dd",
    "dt",
    "title",
}
_SKIP_TAGS = {
    "script",
    "style",
    "noscript",
    "nav",
    "footer",
    "header",
    "aside",
    "form",
    "button",
    "figure",
    "figcaption",
    "svg",
    "iframe",
    "select",
    "template",
    "head",
}


_ASIDE_TAGS = ("nav", "aside", "footer")  # their <time>s date other pages


class _HTMLText(HTMLParser):
    """Visible article text of an HTML page, with per-character original offsets."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.out = _Mapped()
        self.skip_depth = 0
        self.title: str | None = None
        self._in_title = False
        self._in_h1 = False
        self._h1: list[str] = []
        self.published: str | None = None  # from <meta property="article:published_time" …>, else the first <time datetime>
        self.site: str | None = None  # <meta property="og:site_name" …>: the outlet
        self.url: str | None = None  # <link rel="canonical" …>, else <meta property="og:url" …>
        self._time: str | None = None
        self._aside = 0  # depth inside _ASIDE_TAGS

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _newline(self) -> None:
        if self.out.text and self.out.last() != "\n":
            pos = self._pos()
            self.out.add("\n", pos, pos)

    def handle_starttag(self, tag, attrs):
        self._about_page(tag, attrs)
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        if tag in _ASIDE_TAGS:
            self._aside += 1
        if tag == "title" and self.title is None:
            self._in_title = True
        if tag == "h1":
            self._in_h1 = True
        if tag in _BLOCK_TAGS:
            self._newline()

    def handle_startendtag(self, tag, attrs):
        self._about_page(tag, attrs)
        if tag in _BLOCK_TAGS:
            self._newline()

    def _about_page(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """What a tag says of the page: its publication date, outlet or address."""
        values = {k.lower(): (v or "").strip() for k, v in attrs}
        if tag == "link" and "canonical" in values.get("rel", "").lower().split() and _LINK.match(values.get("href", "")):
            self.url = values["href"]
        if tag == "meta":
            key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
            content = " ".join(html.unescape(values.get("content", "")).split())
            if key in _PUBLISHED_META and self.published is None and published_date(content):
                self.published = content
            elif key in _SITE_META and self.site is None and content and not _LINK.match(content):
                self.site = content
            elif key == "og:url" and self.url is None and _LINK.match(content):
                self.url = content
        elif tag == "time" and self._time is None and not self._aside and published_date(values.get("datetime")):
            self._time = values["datetime"]

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS and self.skip_depth:
            self.skip_depth -= 1
        if tag in _ASIDE_TAGS and self._aside:
            self._aside -= 1
        if tag == "title":
            self._in_title = False
        if tag == "h1":
            self._in_h1 = False
        if tag in _BLOCK_TAGS:
            self._newline()

    def _text(self, chars: str, start: int, end: int | None) -> None:
        if self._in_title:
            self.title = (self.title or "") + chars
            return
        if self.skip_depth:
            return
        if self._in_h1:
            self._h1.append(chars)
        if end is None:
            for i, ch in enumerate(chars):
                self._char(" " if ch.isspace() else ch, start + i, start + i + 1)
        else:
            for ch in chars:
                self._char(ch, start, end)

    def _char(self, ch: str, start: int, end: int) -> None:
        if ch == " " and (not self.out.text or self.out.last() in " \n"):
            return  # collapse runs of whitespace, as a browser does
        self.out.add(ch, start, end)

    def handle_data(self, data):
        self._text(data, self._pos(), None)

    def handle_entityref(self, name):
        self._reference(self._pos(), 1 + len(name))  # "&" name [";"]

    def handle_charref(self, name):
        self._reference(self._pos(), 2 + len(name))  # "&#" name [";"]

    def _reference(self, start: int, length: int) -> None:
        """A character or entity reference; its end comes from the reference itself (the ";" is optional)."""
        end = start + length
        if self.source.startswith(";", end):
            end += 1
        text = html.unescape(self.source[start:end])
        self._text(_LONE_SURROGATE.sub("\ufffd", text), start, end)


def _html_text(original: str) -> tuple[_Mapped, dict[str, str | None]]:
    """The page's visible text, and what the page says of itself, if anything: its title, publication date, outlet
    and address."""
    parser = _HTMLText(original)
    parser.feed(original)
    parser.close()
    title, outlet = _page_title(
        html.unescape(" ".join((parser.title or "").split())), html.unescape(" ".join("".join(parser._h1).split()))
    )
    meta = {"title": title, "published": parser.published or parser._time, "url": parser.url, "outlet": parser.site or outlet}
    return parser.out, meta


def _page_title(title: str, h1: str) -> tuple[str | None, str | None]:
    """The article's title, and the site's name where the page's <title> adds it to the headline: "Cracks close the
    bridge | The Valley Courier" over a page whose <h1> is "Cracks close the bridge". Without a <title>, the <h1>."""
    if not title:
        return h1 or None, None
    for separator in _SITE_SEPARATORS:
        head, found, site = title.rpartition(separator)
        if found and _same_words(head, h1) and 0 < len(site.split()) <= 6:
            return head.strip(), site.strip()
    return title, None


def _same_words(a: str, b: str) -> bool:
    return bool(b) and a.casefold().split() == b.casefold().split()
