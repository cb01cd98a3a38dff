"""A Markdown file's text without its inline syntax: emphasis markers (``**14:05 GMT**``), a link's address
(``[the report](https://…)`` reads "the report"), an image, a footnote mark and code ticks. What is kept maps to its
characters in the file (``index.mapped``), so a quote still points at the file's own text. Heading, quote and list
markers at the start of a line are left to ``index.articles`` (they are syntax there too)."""

import re

from .mapped import Mapped

# Each pattern's named groups "keep" are text; the rest of the match is syntax, dropped.
_INLINE = re.compile(
    r"!\[[^\]\n]*\]\([^)\n]*\)"  # an image: nothing of it is text
    r"|\[(?P<link>[^\]\n]+)\](?:\([^)\n]*\)|\[[^\]\n]*\])"  # [text](address) or [text][reference]
    r"|\[\^[^\]\n]+\]"  # a footnote mark [^1]
    r"|(?P<strong>\*\*|__)(?=\S)(?P<bold>[^\n]+?)(?<=\S)(?P=strong)"  # **bold**, __bold__
    r"|(?<![\w*\\])\*(?=[^\s*])(?P<star>[^*\n]+?)(?<=[^\s*])\*(?![\w*])"  # *italic*
    r"|(?<![\w\\])_(?=[^\s_])(?P<under>[^_\n]+?)(?<=[^\s_])_(?!\w)"  # _italic_ (not snake_case)
    r"|(?<!`)`(?=[^`\s])(?P<code>[^`\n]+?)`(?!`)"  # `code`
)


def markdown_text(original: str, start: int = 0) -> Mapped:
    """``original[start:]`` without inline Markdown syntax; nested emphasis inside a link or bold is read too."""
    out = Mapped()
    _add(out, original, start, len(original))
    return out


def _add(out: Mapped, text: str, start: int, end: int) -> None:
    at = start
    for m in _INLINE.finditer(text, start, end):
        out.add(text[at : m.start()], at)
        inner = next((g for g in ("link", "bold", "star", "under", "code") if m.group(g) is not None), None)
        if inner is not None:
            _add(out, text, m.start(inner), m.end(inner))
        at = m.end()
    out.add(text[at:end], at)
