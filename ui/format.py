"""Answer -> what the chat and the sources panel show. Pure functions, all text escaped.

Article text and questions are data, never markup: everything that comes from a user or an
article goes through ``esc`` (HTML-escaped, and Markdown-escaped where Markdown is rendered).
"""

import html
import re

from rag.types import Answer, Citation

CONTEXT_CHARS = 350
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_MARKER = re.compile(r"\[(\d+)\]")


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def esc_md(text: str) -> str:
    """Text shown literally inside rendered Markdown (HTML and Markdown syntax both inert)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", esc(text))


def answer_parts(answer: Answer) -> list[str]:
    """The chat message of an answer, as growing prefixes (for streaming sentence by sentence)."""
    if not answer.answered:
        body = (
            '<div class="nic"><strong>Not in the corpus.</strong> The indexed articles do not answer this question'
            + (" — the closest passages are shown under <em>Related</em>, they are not an answer." if answer.related else ".")
            + "</div>"
        )
        return [body]
    pieces = re.split(r"(?<=\])\s+(?=[^\[])", answer.answer)
    out, text = [], ""
    for piece in pieces:
        text += (" " if text else "") + _with_links(piece)
        out.append(text)
    return out


def _with_links(piece: str) -> str:
    escaped = esc_md(piece)
    # the markers were escaped to \[n\]; turn them into links to the source cards
    return re.sub(r"\\\[(\d+)\\\]", lambda m: f'<a class="cite" href="#src-{m.group(1)}">[{m.group(1)}]</a>', escaped)


def searched_note(answer: Answer) -> str:
    if answer.searched and answer.searched != answer.question:
        return f'<div class="searched">Searched for: “{esc(answer.searched)}”</div>'
    return ""


def backend_note(answer: Answer) -> str:
    """Which backend answered; for an LLM, what verification removed."""
    if answer.backend == "extractive":
        return ""
    removed = len(answer.removed)
    detail = f"; verification removed {removed} unsupported sentence{'s' if removed != 1 else ''}" if removed else "; every sentence verified"
    return f'<div class="backend">Written by {esc(answer.backend)}{detail}.</div>'


def sources_html(answer: Answer | None, articles: dict) -> str:
    """Source cards: the quote highlighted in its surrounding article text; the full article on demand."""
    if answer is None:
        return '<div class="sources-empty">Sources of the answer appear here.</div>'
    cards = answer.citations if answer.answered else answer.related
    if not cards:
        return '<div class="sources-empty">No passage of the corpus comes close to this question.</div>'
    head = "Sources" if answer.answered else "Related passages (they do not answer the question)"
    body = "".join(_card(c, articles.get(c.document_id), related=not answer.answered) for c in cards)
    return f'<div class="sources"><h3>{head}</h3>{body}</div>'


def _card(c: Citation, article, related: bool) -> str:
    text = getattr(article, "text", "") or c.text
    start, end = (c.text_start, c.text_end) if text[c.text_start:c.text_end] == c.text else (0, 0)
    if end:
        before = text[max(0, start - CONTEXT_CHARS):start]
        after = text[end:end + CONTEXT_CHARS]
        if start > CONTEXT_CHARS:  # start and stop at whole words
            before = before.split(" ", 1)[-1]
        if end + CONTEXT_CHARS < len(text):
            after = after.rsplit(" ", 1)[0]
        context = (
            ("…" if start > CONTEXT_CHARS else "") + _paragraphs(esc(before)) + f"<mark>{esc(c.text)}</mark>"
            + _paragraphs(esc(after)) + ("…" if end + CONTEXT_CHARS < len(text) else "")
        )
        full = _paragraphs(esc(text[:start])) + f"<mark>{esc(c.text)}</mark>" + _paragraphs(esc(text[end:]))
    else:
        context = full = f"<mark>{esc(c.text)}</mark>"
    meta = " · ".join(esc(x) for x in (c.source, c.outlet, c.published) if x)
    if c.url:
        meta += f' · <a href="{esc(c.url)}" target="_blank" rel="noopener noreferrer">original</a>'
    label = "•" if related else f"[{c.n}]"
    return (
        f'<div class="source-card" id="src-{c.n}" data-n="{c.n}">'
        f'<div class="source-title"><span class="badge">{label}</span> {esc(c.title)}</div>'
        f'<div class="source-meta">{meta} · characters {c.start}–{c.end}</div>'
        f'<div class="source-context">{context}</div>'
        f'<details class="full-article"><summary>Open the full article</summary><div class="article-text">{full}</div></details>'
        "</div>"
    )


def _paragraphs(escaped: str) -> str:
    return escaped.replace("\n", "<br>")


def articles_html(rows) -> str:
    if not rows:
        return "<p>No articles indexed.</p>"
    lines = "".join(
        f"<tr><td>{esc(r.title)}</td><td><code>{esc(r.source)}</code></td><td>{r.chunk_count}</td></tr>" for r in rows
    )
    return f'<table class="articles"><thead><tr><th>Title</th><th>Source</th><th>Chunks</th></tr></thead><tbody>{lines}</tbody></table>'
