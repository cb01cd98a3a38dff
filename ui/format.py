"""Answer -> what the chat and the sources panel show. Pure functions, all text escaped once.

Article text and questions are data, never markup: everything that comes from a user or an
article is escaped exactly once, where it becomes HTML (``esc``) or Markdown (``esc_md``).
Each answer of a conversation has a number ``k`` (its position among the assistant's messages):
its [n] links point at ``#src-k-n``, the cards of *its own* sources, so an older answer's
citation never lands on a newer answer's card.
"""

import html
import re

from rag.answer import CLOSEST_PASSAGE, CLOSEST_PASSAGES, NOT_IN_CORPUS
from rag.language import ENGLISH_ONLY_NOTE, looks_non_english
from rag.types import Answer, ArticleInfo, Citation, shown

CONTEXT_CHARS = 350
MAX_KEPT_ANSWERS = 30  # the sources of this many latest answers stay reachable from their [n]
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_MARKER = re.compile(r"\[(\d+)\]")
REFUSAL_DETAIL = "No passage of the indexed articles answers this question clearly enough to quote"
RELATED_NOTE = " — the closest passages are shown under <em>Related</em>; none of them is a confirmed answer."


def esc(text: str) -> str:
    """Text inside HTML (element content or a quoted attribute)."""
    return html.escape(text, quote=True)


def esc_md(text: str) -> str:
    """Text shown literally inside rendered Markdown (HTML and Markdown syntax both inert).

    HTML-escaped once (``<``, ``>``, ``&`` only: quotes are plain text in Markdown), then the Markdown
    specials are backslash-escaped; the entities made by the first step contain none of them, so
    nothing is escaped twice (an apostrophe stays an apostrophe).
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))


def answer_parts(answer: Answer, k: int = 0) -> list[str]:
    """The chat message of answer ``k``, as growing prefixes (for streaming sentence by sentence)."""
    if not answer.answered:
        tail = "."
        if answer.related:
            tail = RELATED_NOTE
            if answer.reason.startswith((CLOSEST_PASSAGES, CLOSEST_PASSAGE)):  # said of the passages shown
                shown = "they are" if answer.reason.startswith(CLOSEST_PASSAGES) else "it is"  # all, or the closest
                tail = f" — {shown} shown under <em>Related</em>."
        return [f'<div class="nic"><strong>{esc(NOT_IN_CORPUS)}</strong> {esc(answer.reason or REFUSAL_DETAIL)}{tail}</div>']
    pieces = re.split(r"(?<=\])\s+(?=[^\[])", answer.answer)
    out, text = [], ""
    for piece in pieces:
        text += (" " if text else "") + _with_links(piece, k)
        out.append(text)
    return out


def _with_links(piece: str, k: int = 0) -> str:
    escaped = esc_md(piece)
    # the markers were escaped to \[n\]; turn them into links to this answer's source cards
    return re.sub(r"\\\[(\d+)\\\]", lambda m: f'<a class="cite" href="#src-{k}-{m.group(1)}">[{m.group(1)}]</a>', escaped)


def plain_answer(answer: Answer) -> str:
    """The answer as plain text (what a screen reader or the clipboard gets): no markup, no escapes."""
    if not answer.answered:
        return f"{NOT_IN_CORPUS} {answer.reason or REFUSAL_DETAIL}."
    return answer.answer


def copy_text(answer: Answer) -> str:
    """What "copy" puts on the clipboard: the answer, then the numbered sources (title, file, quote)."""
    lines = [plain_answer(answer)]
    cards = answer.citations if answer.answered else answer.related
    if cards:
        lines += ["", "Sources:" if answer.answered else "Related passages (none of them clearly answers the question):"]
        for c in cards:
            lines.append(f"[{c.n}] {c.title} ({c.about()})")
            lines.append(f"    “{c.text}”")
    return "\n".join(lines)


def language_note(question: str) -> str:
    return f'<div class="lang-note">{esc(ENGLISH_ONLY_NOTE)}</div>' if looks_non_english(question) else ""


def searched_note(answer: Answer) -> str:
    note = answer.searched_note()
    return f'<div class="searched">{esc(note)}</div>' if note else ""


def backend_note(answer: Answer) -> str:
    """Which backend answered; for an LLM, what verification removed."""
    if answer.backend == "extractive":
        return ""
    removed = len(answer.removed)
    if answer.fallback:
        return (
            f'<div class="backend">The answer {esc(answer.backend)} wrote could not be verified against the '
            f"articles; these are the sentences of the articles that answer.</div>"
        )
    detail = (
        f"; verification removed {removed} unsupported sentence{'s' if removed != 1 else ''}"
        if removed
        else "; every sentence verified"
    )
    return f'<div class="backend">Written by {esc(answer.backend)}{detail}.</div>'


EMPTY_SOURCES = '<div class="sources-empty">Sources of the answer appear here.</div>'


def sources_html(answer: Answer | None, articles: dict[str, ArticleInfo | None], k: int = 0, question: str = "") -> str:
    """The sources of answer ``k``: cards with the quote highlighted in its surrounding article text.

    Wrapped in one ``.answer-sources`` group per answer; the group carries the answer's plain-text
    copy (``data-copy``) that the chat's copy button puts on the clipboard.
    """
    if answer is None:
        return EMPTY_SOURCES
    cards = answer.citations if answer.answered else _distinct_related(answer.related)
    asked = _for_question(question)
    if not cards:
        body = '<div class="sources-empty">No passage of the corpus comes close to this question.</div>'
    else:
        head = "Sources" if answer.answered else "Related passages (none of them clearly answers the question)"
        body = f"<h3>{head}</h3>" + "".join(
            _card(c, articles.get(c.document_id), related=not answer.answered, k=k) for c in cards
        )
    if cards:  # the heading first, then which question these sources are for
        head_end = body.index("</h3>") + len("</h3>")
        body = body[:head_end] + asked + body[head_end:]
    else:
        body = asked + body
    return f'<div class="answer-sources sources" data-answer="{k}" data-copy="{esc(copy_text(answer))}">{body}</div>'


def _for_question(question: str) -> str:
    """Which question the sources are for, its start only when it is long (the chat shows it whole)."""
    if not question:
        return ""
    return f'<div class="sources-question">For: “{esc(shown(question))}”</div>'


def message_sources_html(text: str, k: int, question: str = "") -> str:
    """The (empty) sources group of a message that is not an answer (an error), so that numbering stays aligned."""
    asked = _for_question(question)
    return (
        f'<div class="answer-sources sources" data-answer="{k}" data-copy="{esc(text)}">{asked}'
        '<div class="sources-empty">No sources: the question was not answered.</div></div>'
    )


def sources_panel(groups: list[str]) -> str:
    """Every answer's sources group; the newest is shown (a click on an older [n] shows that answer's)."""
    if not groups:
        return EMPTY_SOURCES
    *older, newest = groups[-MAX_KEPT_ANSWERS:]
    return "".join(older) + newest.replace('class="answer-sources sources"', 'class="answer-sources sources current"', 1)


def _distinct_related(related: list[Citation]) -> list[Citation]:
    """Related passages whose shown article text does not repeat a card already shown."""
    kept: list[Citation] = []
    for c in related:
        if any(k.document_id == c.document_id and abs(k.text_start - c.text_start) < 2 * CONTEXT_CHARS for k in kept):
            continue
        kept.append(c)
    return kept


def _card(c: Citation, article: ArticleInfo | None, related: bool, k: int = 0) -> str:
    text = (article.text if article else "") or c.text
    start, end = (c.text_start, c.text_end) if text[c.text_start : c.text_end] == c.text else (0, 0)
    if end:
        before = text[max(0, start - CONTEXT_CHARS) : start]
        after = text[end : end + CONTEXT_CHARS]
        if start > CONTEXT_CHARS:  # start and stop at whole words
            before = before.split(" ", 1)[-1]
        if end + CONTEXT_CHARS < len(text):
            after = after.rsplit(" ", 1)[0]
        context = (
            ("…" if start > CONTEXT_CHARS else "")
            + _paragraphs(esc(before))
            + f"<mark>{esc(c.text)}</mark>"
            + _paragraphs(esc(after))
            + ("…" if end + CONTEXT_CHARS < len(text) else "")
        )
        full = _paragraphs(esc(text[:start])) + f"<mark>{esc(c.text)}</mark>" + _paragraphs(esc(text[end:]))
    else:
        context = full = f"<mark>{esc(c.text)}</mark>"
    meta = esc(c.about())
    if safe_url(c.url):
        meta += f' · <a href="{esc(c.url)}" target="_blank" rel="noopener noreferrer">original</a>'
    badge = '<span class="badge related">Related</span>' if related else f'<span class="badge">[{c.n}]</span>'
    return (
        f'<div class="source-card" id="src-{k}-{c.n}" data-n="{c.n}">'
        f'<div class="source-title">{badge} {esc(c.title)}</div>'
        f'<div class="source-meta">{meta} · characters {c.start}–{c.end}</div>'
        f'<div class="source-context">{context}</div>'
        f'<details class="full-article"><summary>Open the full article</summary><div class="article-text">{full}</div></details>'
        "</div>"
    )


def _paragraphs(escaped: str) -> str:
    return escaped.replace("\n", "<br>")


def safe_url(url: str | None) -> bool:
    """Only http(s) URLs become links: a JSONL ``url`` such as "javascript:…" would run in the app's origin."""
    return bool(url) and re.match(r"https?://[^\s]", url.strip(), re.I) is not None and not re.search(r"[\x00-\x1f]", url)


ARTICLES_PER_PAGE = 50


def articles_page(rows: list[ArticleInfo], query: str = "", page: int = 1, per_page: int = ARTICLES_PER_PAGE) -> tuple[str, int]:
    """One page of the article list (searched by title or file name), and the page shown (clamped).

    At 100k articles the panel stays one small table: the rows are filtered and cut here, on the
    server, and the browser gets ``per_page`` of them with a "1–50 of 100,000" line."""
    words = query.lower().split()
    if words:
        rows = [r for r in rows if all(w in f"{r.title} {r.source}".lower() for w in words)]
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(1, int(page)), pages)
    if not rows:
        return (f"<p>No article matches “{esc(query)}”.</p>" if words else "<p>No articles indexed.</p>"), 1
    first = (page - 1) * per_page
    shown = rows[first : first + per_page]
    lines = "".join(
        f"<tr><td>{esc(r.title)}</td><td><code>{esc(r.source)}</code></td><td>{r.chunk_count}</td></tr>" for r in shown
    )
    matching = f" matching “{esc(query)}”" if words else ""
    count = (
        f'<div class="articles-count">{first + 1:,}–{first + len(shown):,} of {len(rows):,} articles{matching}'
        f" · page {page:,} of {pages:,}</div>"
    )
    return (
        count + '<div class="articles-scroll"><table class="articles"><thead><tr><th>Title</th><th>Source</th>'
        f"<th>Chunks</th></tr></thead><tbody>{lines}</tbody></table></div>"
    ), page


def indexing_note(names: list[str]) -> str:
    """Shown instead of a refusal while uploads are indexed: the answer may be in them."""
    return (
        f'<div class="nic">{esc(_listed(names))} {"is" if len(names) == 1 else "are"} being indexed: '
        "the answer follows as soon as that is done…</div>"
    )


def still_indexing_text(names: list[str]) -> str:
    return f"{_listed(names)} {'is' if len(names) == 1 else 'are'} still being indexed: ask again in a minute."


def _listed(names: list[str]) -> str:
    quoted = [f"“{n}”" for n in names[:3]] + ([f"{len(names) - 3} more"] if len(names) > 3 else [])
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def status_line(corpus: str, articles: int, chunks: int) -> str:
    """The corpus status every visitor sees: its name and counts only (no server path, no model hash)."""
    name = re.split(r"[\\/]", corpus.rstrip("\\/"))[-1] if corpus else ""
    counts = f"{articles:,} article{'s' if articles != 1 else ''} · {chunks:,} chunk{'s' if chunks != 1 else ''}"
    return f"**{esc_md(name)}** · {counts}" if name else f"**{counts}**"
