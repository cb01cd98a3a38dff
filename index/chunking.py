"""Sentence-aware chunking: article -> chunks that fit the embedder's window, with offsets.

Pure functions. A chunk is a run of whole sentences whose wordpiece count (title prefix
included) stays within the budget; consecutive chunks share ``overlap`` sentences. A single
sentence longer than the budget is cut at word boundaries, so no chunk is ever truncated by
the embedder.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from .documents import Article
from .sentences import split_sentences

TokenCounter = Callable[[list[str]], list[int]]


@dataclass(frozen=True)
class ChunkingConfig:
    max_tokens: int = 200  # of chunk text; the title prefix has its own budget below
    title_tokens: int = 40
    overlap: int = 1  # sentences shared by consecutive chunks

    def describe(self) -> str:
        return f"sentences/{self.max_tokens}tok/title{self.title_tokens}/overlap{self.overlap}"


@dataclass(frozen=True)
class Sentence:
    start: int  # clean-text offsets within the article
    end: int
    orig_start: int  # original-file offsets
    orig_end: int


@dataclass
class Chunk:
    chunk_id: str
    document_id: str
    ordinal: int
    text: str
    title: str
    clean_start: int
    start: int  # original-file offsets of the whole chunk
    end: int
    sentences: list[Sentence]

    def embed_text(self) -> str:
        return f"{self.title}\n{self.text}"


def chunk_article(article: Article, count_tokens: TokenCounter, config: ChunkingConfig = ChunkingConfig()) -> list[Chunk]:
    title = _fit_title(article.title, count_tokens, config.title_tokens)
    pieces = _pieces(article, count_tokens, config.max_tokens)
    if not pieces:
        return []
    texts = [article.text[a:b] for a, b in pieces]
    sizes = count_tokens(texts)
    chunks: list[Chunk] = []
    i = 0
    while i < len(pieces):
        j, total = i, 0
        while j < len(pieces) and (j == i or total + sizes[j] + 1 <= config.max_tokens):
            total += sizes[j] + 1
            j += 1
        chunks.append(_make_chunk(article, title, pieces[i:j], len(chunks)))
        if j >= len(pieces):
            break
        i = max(i + 1, j - config.overlap)
    return chunks


def _fit_title(title: str, count_tokens: TokenCounter, budget: int) -> str:
    words = title.split()
    while words and count_tokens([" ".join(words)])[0] > budget:
        words = words[: max(1, int(len(words) * 0.8))] if len(words) > 1 else []
    return " ".join(words)


def _pieces(article: Article, count_tokens: TokenCounter, max_tokens: int) -> list[tuple[int, int]]:
    """Sentence spans, with sentences over the budget cut into word windows that fit."""
    spans = split_sentences(article.text)
    sizes = count_tokens([article.text[a:b] for a, b in spans]) if spans else []
    out: list[tuple[int, int]] = []
    for (a, b), size in zip(spans, sizes):
        if size <= max_tokens:
            out.append((a, b))
            continue
        words = [(a + m.start(), a + m.end()) for m in re.finditer(r"\S+", article.text[a:b])]
        step = max(1, int(len(words) * max_tokens / size * 0.9))
        k = 0
        while k < len(words):
            n = min(step, len(words) - k)
            while n > 1 and count_tokens([article.text[words[k][0] : words[k + n - 1][1]]])[0] > max_tokens:
                n = max(1, int(n * 0.8))
            out.append((words[k][0], words[k + n - 1][1]))
            k += n
    return out


def _make_chunk(article: Article, title: str, pieces: list[tuple[int, int]], ordinal: int) -> Chunk:
    a, b = pieces[0][0], pieces[-1][1]
    start, end = article.original_span(a, b)
    sentences = []
    for sa, sb in pieces:
        oa, ob = article.original_span(sa, sb)
        sentences.append(Sentence(sa - a, sb - a, oa, ob))
    text = article.text[a:b]
    digest = hashlib.sha256(f"{article.document_id}\0{article.file_hash}\0{a}\0{text}".encode()).hexdigest()[:24]
    return Chunk(
        chunk_id=digest,
        document_id=article.document_id,
        ordinal=ordinal,
        text=text,
        title=title,
        clean_start=a,
        start=start,
        end=end,
        sentences=sentences,
    )
