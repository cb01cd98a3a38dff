"""An article: its clean text, with the original span behind each clean character, and what it says of itself.

Each article's clean text is its kept blocks (``index.cleaning.classify_blocks`` drops navigation, share buttons,
cookie notices…) joined by newlines; any span of it maps back to ``original[start:end]`` exactly.
"""

import re
from dataclasses import dataclass

from .cleaning import classify_blocks
from .mapped import Mapped, Offsets
from .metadata import date_line, title_line


@dataclass
@dataclass
class Article:
    """One article: its clean text and, per clean character, the original span it came from."""

    document_id: str
    source: str  # path of the file within the corpus directory, with "/" separators
    title: str
    text: str
    offsets: Offsets
    original: str  # the whole original file, decoded as UTF-8
    file_hash: str
    url: str | None = None
    published: str | None = None
    outlet: str | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original file behind the clean text ``text[start:end]``."""
        return self.offsets.span(start)[0], self.offsets.span(end - 1)[1]


# Non-breaking and thin spaces become plain spaces in the clean text (one character for one).
_SPACES = str.maketrans({c: " " for c in "\u00a0\u2007\u2009\u202f\u200a\u2002\u2003"})


def make_article(
    mapped: Mapped,
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
    out = Mapped()
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
        first = title_line(clean)
        title = first if len(first) <= 120 else " ".join(first[:120].split()[:-1]) + "…"
    if not meta.get("published"):  # JSONL and HTML give theirs; a text file's comes from a date line
        meta["published"] = date_line(clean)
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
