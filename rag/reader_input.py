"""The reader's input: a question and a window of consecutive sentences, as wordpieces.

One place for the layout, shared by training (evals/train_reader.py) and answering
(rag/reader.py), so that what the model sees at question time is what it was trained on:

    [CLS] question [SEP] title : sentence 1 sentence 2 ... [SEP]

Each wordpiece of the second segment carries the index of the sentence it belongs to (-1 for
the title, the question and special tokens), so the model can score every sentence of the
window in one pass. NumPy and ``tokenizers`` only: no torch at question time.
"""

from dataclasses import dataclass

import numpy as np
from tokenizers import Tokenizer

MAX_QUESTION_TOKENS = 48
MAX_TITLE_TOKENS = 24
MAX_SENTENCE_TOKENS = 96
MAX_LENGTH = 320


@dataclass
class Encoded:
    """One window, ready for the model."""

    ids: list[int]
    type_ids: list[int]
    sentence_of: list[int]  # per wordpiece: index of its sentence in the window, or -1
    offsets: list[tuple[int, int]]  # per wordpiece: character span within its sentence ((0, 0) elsewhere)
    kept: int  # how many sentences of the window fit (the first ``kept``)


def load_tokenizer(path: str) -> Tokenizer:
    tokenizer = Tokenizer.from_file(path)
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def encode(tokenizer: Tokenizer, question: str, title: str, sentences: list[str], max_length: int = MAX_LENGTH) -> Encoded:
    """The window's wordpieces; sentences that do not fit after the first are left out (see ``kept``)."""
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    q = tokenizer.encode(question, add_special_tokens=False).ids[:MAX_QUESTION_TOKENS]
    t = tokenizer.encode(f"{title} :", add_special_tokens=False).ids[:MAX_TITLE_TOKENS] if title.strip() else []
    ids = [cls, *q, sep, *t]
    type_ids = [0] * (len(q) + 2) + [1] * len(t)
    sentence_of = [-1] * len(ids)
    offsets = [(0, 0)] * len(ids)
    encodings = tokenizer.encode_batch(sentences, add_special_tokens=False) if sentences else []
    kept = 0
    for i, enc in enumerate(encodings):
        room = max_length - 1 - len(ids)
        pieces = enc.ids[:MAX_SENTENCE_TOKENS]
        if room <= 0 or (kept and len(pieces) > room):
            break
        pieces = pieces[:room]
        ids.extend(pieces)
        type_ids.extend([1] * len(pieces))
        sentence_of.extend([i] * len(pieces))
        offsets.extend(enc.offsets[: len(pieces)])
        kept += 1
    ids.append(sep)
    type_ids.append(1)
    sentence_of.append(-1)
    offsets.append((0, 0))
    return Encoded(ids, type_ids, sentence_of, offsets, kept)


def batch_arrays(encoded: list[Encoded], max_sentences: int | None = None) -> dict[str, np.ndarray]:
    """Padded model inputs for a batch of windows: ids, masks and the sentence-membership matrix."""
    length = max(len(e.ids) for e in encoded)
    sentences = max_sentences or max(max(e.kept, 1) for e in encoded)
    n = len(encoded)
    ids = np.zeros((n, length), dtype=np.int64)
    mask = np.zeros((n, length), dtype=np.int64)
    types = np.zeros((n, length), dtype=np.int64)
    membership = np.zeros((n, sentences, length), dtype=np.float32)
    for row, e in enumerate(encoded):
        ids[row, : len(e.ids)] = e.ids
        mask[row, : len(e.ids)] = 1
        types[row, : len(e.ids)] = e.type_ids
        of = np.asarray(e.sentence_of)
        for s in range(min(e.kept, sentences)):
            members = of == s
            membership[row, s, : len(e.ids)][members] = 1.0 / max(int(members.sum()), 1)
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types, "membership": membership}
