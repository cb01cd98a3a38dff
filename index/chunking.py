"""Sentence-aware chunking: article -> chunks that fit the embedder's window, with offsets.

Pure functions. A chunk is a run of whole sentences whose wordpiece count (title prefix
included) stays within the budget; consecutive chunks share ``overlap`` sentences. A single
sentence longer than the budget is cut at word boundaries, so no chunk is ever truncated by
the embedder.
"""

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .articles import Article
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
    return list(iter_chunks(article, count_tokens, config))


def iter_chunks(article: Article, count_tokens: TokenCounter, config: ChunkingConfig = ChunkingConfig()) -> Iterator[Chunk]:
    """The article's chunks, one at a time: an indexer writes them in groups and never holds every chunk
    of a long article (a 20 MB file is some 20,000 chunks)."""
    title = _fit_title(article.title, count_tokens, config.title_tokens)
    pieces, sizes = _pieces(article, count_tokens, config.max_tokens)
    i = ordinal = 0
    while i < len(pieces):
        j, total = i, 0
        while j < len(pieces) and (j == i or total + sizes[j] + 1 <= config.max_tokens):
            total += sizes[j] + 1
            j += 1
        yield _make_chunk(article, title, pieces[i:j], ordinal)
        ordinal += 1
        if j >= len(pieces):
            break
        i = max(i + 1, j - config.overlap)


def stored_embed_text(title: str, text: str, count_tokens: TokenCounter, config: ChunkingConfig) -> str:
    """A stored chunk's ``Chunk.embed_text`` again, from its article's title and its text."""
    return f"{_fit_title(title, count_tokens, config.title_tokens)}\n{text}"


def _fit_title(title: str, count_tokens: TokenCounter, budget: int) -> str:
    words = title.split()
    while words and count_tokens([" ".join(words)])[0] > budget:
        words = words[: max(1, int(len(words) * 0.8))] if len(words) > 1 else []
    return " ".join(words)


COUNT_BATCH = 256  # texts per call of the token counter: a tokenizer's batch of a whole 20 MB file takes gigabytes


def _sizes(text: str, spans: list[tuple[int, int]], count_tokens: TokenCounter) -> list[int]:
    sizes: list[int] = []
    for a in range(0, len(spans), COUNT_BATCH):
        sizes += count_tokens([text[s:e] for s, e in spans[a : a + COUNT_BATCH]])
    return sizes


def _pieces(article: Article, count_tokens: TokenCounter, max_tokens: int) -> tuple[list[tuple[int, int]], list[int]]:
    """Sentence spans, with sentences over the budget cut into word windows that fit; and their token counts."""
    spans = split_sentences(article.text)
    out: list[tuple[int, int]] = []
    out_sizes: list[int] = []
    for (a, b), size in zip(spans, _sizes(article.text, spans, count_tokens)):
        if size <= max_tokens:
            out.append((a, b))
            out_sizes.append(size)
            continue
        words = [(a + m.start(), a + m.end()) for m in re.finditer(r"\S+", article.text[a:b])]
        step = max(1, int(len(words) * max_tokens / size * 0.9))
        k = 0
        while k < len(words):
            n = min(step, len(words) - k)
            while True:
                piece = count_tokens([article.text[words[k][0] : words[k + n - 1][1]]])[0]
                if n == 1 or piece <= max_tokens:
                    break
                n = max(1, int(n * 0.8))
            out.append((words[k][0], words[k + n - 1][1]))
            out_sizes.append(piece)
            k += n
    return out, out_sizes


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
