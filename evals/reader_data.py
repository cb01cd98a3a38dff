"""Labelled data for the reader: (question, paragraph split into sentences, which sentences answer).

Sources (see rag/models/reader/MODEL_CARD.md for licences):
  squad2   ../shared/benchmarks/squad2 (two public parts of SQuAD 2.0, CC BY-SA 4.0): a sentence
           that holds an answer span is positive; every other sentence of the paragraph is a negative,
           and every sentence of an unanswerable question's paragraph too (near misses on purpose).
  clapnq   evals/data/clapnq (Apache-2.0 / CC BY-SA 3.0): the annotators' selected sentences are
           positive; unanswerable questions come with an on-topic passage that does not answer.
  seeds    the seed gold set's ``dev`` split (answerable cases): sentences holding a gold quote.

Splits are by article (title), never by question (evals/splits.py), so that no paragraph is on
both sides; of the seed gold set only ``dev`` cases are used, all for training (its test split
stays unseen).
Paragraphs are split into sentences with the same splitter that indexing uses.
"""

import dataclasses
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from index.sentences import split_sentences
from rag.settings import DEFAULT_CORPUS

from .clapnq import CLAPNQ, FILES
from .dataset import SEEDS_GOLD, load_cases
from .splits import clapnq_split, squad_split
from .squad import SQUAD_FILES, shared_dir


@dataclass
class Example:
    question: str
    title: str
    sentences: list[str]
    positives: set[int]  # indices of sentences that answer
    split: str  # train | dev | test
    dataset: str  # squad2 | clapnq | seeds
    article: str
    span: tuple[int, int, int] | None = None  # (sentence, char start, char end) of a short answer
    others: list[list[str]] = field(default_factory=list)  # other paragraphs of the same article (negatives)
    near: list[str] = field(default_factory=list)  # the most similar paragraph of another article (a near miss)

    @property
    def answerable(self) -> bool:
        return bool(self.positives)


def squad(root: Path | None = None) -> list[Example]:
    root = root or shared_dir() / "benchmarks" / "squad2"
    out: list[Example] = []
    for name in SQUAD_FILES:
        data = json.loads((root / name).read_text(encoding="utf-8"))["data"]
        for article in data:
            title = article["title"].replace("_", " ")
            split = squad_split(article["title"])
            paragraphs = []
            for p in article["paragraphs"]:
                spans = split_sentences(p["context"])
                paragraphs.append((p, spans, [p["context"][a:b] for a, b in spans]))
            for index, (p, spans, texts) in enumerate(paragraphs):
                others = [t for j, (_, _, t) in enumerate(paragraphs) if j != index]
                for qa in p["qas"]:
                    positives: set[int] = set()
                    span = None
                    for ans in [] if qa.get("is_impossible") else qa["answers"]:
                        a0, a1 = ans["answer_start"], ans["answer_start"] + len(ans["text"])
                        for i, (s0, s1) in enumerate(spans):
                            if s0 < a1 and a0 < s1:
                                positives.add(i)
                                if span is None and s0 <= a0 and a1 <= s1:
                                    span = (i, a0 - s0, a1 - s0)
                    if not qa.get("is_impossible") and not positives:
                        continue  # an answer outside every sentence (whitespace): unusable
                    out.append(
                        Example(qa["question"].strip(), title, texts, positives, split, "squad2", article["title"], span, others)
                    )
    return out


def clapnq() -> list[Example]:
    out: list[Example] = []
    for name, answerable in FILES.items():
        for line in (CLAPNQ / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            passage = record["passages"][0]
            text = passage["text"]
            spans = split_sentences(text)
            positives: set[int] = set()
            if answerable:
                for selected in {s for o in record["output"] for s in o.get("selected_sentences", [])}:
                    at = text.find(selected.strip())
                    if at < 0:
                        continue
                    for i, (s0, s1) in enumerate(spans):
                        if s0 < at + len(selected.strip()) and at < s1:
                            positives.add(i)
                if not positives:
                    continue
            question = record["input"].strip()
            question = question[0].upper() + question[1:] + ("" if question.endswith("?") else "?")
            out.append(
                Example(
                    question,
                    passage["title"],
                    [text[a:b] for a, b in spans],
                    positives,
                    clapnq_split(passage["title"]),
                    "clapnq",
                    passage["title"],
                )
            )
    return out


def seeds(corpus: Path | None = None) -> list[Example]:
    """Answerable dev cases of the seed gold set, on their gold articles."""
    from index.documents import load_file  # noqa: PLC0415 (the loader is only needed here)

    corpus = corpus or DEFAULT_CORPUS
    out: list[Example] = []
    for case in load_cases(SEEDS_GOLD):
        if case.split != "dev" or not case.answerable or case.previous:
            continue
        for source in case.sources:
            path = corpus / source
            if not path.is_file():
                continue
            for article in load_file(path, source):
                spans = split_sentences(article.text)
                texts = [article.text[a:b] for a, b in spans]
                positives = {i for i, t in enumerate(texts) if any(q in t or t in q for q in case.quotes)}
                if not positives:
                    continue
                # a window of the article around the answer, like a retrieved chunk
                first = max(0, min(positives) - 3)
                last = min(len(texts), max(positives) + 4)
                out.append(
                    Example(
                        case.question, article.title, texts[first:last], {i - first for i in positives}, "train", "seeds", source
                    )
                )
    return out


def add_near_misses(examples: list[Example]) -> None:
    """Give every example ``near``: the paragraph of another article of its split that is most similar
    to its question (TF-IDF cosine), the way retrieval would bring an on-topic article that does not
    answer. Trained on as "nothing here answers" and measured on dev as near-miss refusal."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415

    for split in {e.split for e in examples}:
        chosen = [e for e in examples if e.split == split]
        pool: dict[tuple[str, str], list[str]] = {}
        for e in chosen:
            for sentences in (e.sentences, *e.others):
                if sentences:
                    pool.setdefault((e.article, sentences[0]), sentences)
        keys = list(pool)
        if len(keys) < 2:
            continue
        vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
        paragraphs = vectorizer.fit_transform(" ".join(pool[k]) for k in keys)
        articles = [k[0] for k in keys]
        for at in range(0, len(chosen), 512):
            batch = chosen[at : at + 512]
            scores = (vectorizer.transform([e.question for e in batch]) @ paragraphs.T).toarray()
            for row, e in enumerate(batch):
                order = scores[row].argsort()[::-1]
                best = next((j for j in order if articles[j] != e.article), None)
                if best is not None:
                    e.near = pool[keys[best]]


# A question's checkable details: a year, another number, or a capitalised name (not its first word).
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_COUNT = re.compile(r"\b\d[\d,]*\b")
_NAME = re.compile(r"(?<!^)(?<![.?!] )\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*\b")


def name_pool(examples: list[Example]) -> list[str]:
    """Capitalised names asked about in the examples' questions: what a swapped question may ask about instead."""
    return sorted({m.group(0) for e in examples for m in _NAME.finditer(e.question)})


def swapped_question(example: Example, names: list[str], rng: random.Random, absent_from: str | None = None) -> str | None:
    """The question with one detail that its answering sentence states (a year, a number, a name)
    replaced by one its paragraph never mentions: "When did Chopin leave Warsaw?" -> "When did Liszt
    leave Warsaw?". The answering sentence now speaks of something else, so nothing in the
    paragraph answers: the near miss a news archive brings (the 2021 prize for a question about
    2022). ``absent_from``: text the new detail must not occur in (default: the paragraph; a whole
    corpus makes the question unanswerable there). None when the question holds no such detail."""
    if not example.positives:
        return None
    answer = " ".join(example.sentences[i] for i in sorted(example.positives))
    paragraph = " ".join(example.sentences) if absent_from is None else absent_from
    q = example.question
    found = [("year", m) for m in _YEAR.finditer(q)]
    found += [("count", m) for m in _COUNT.finditer(q) if not _YEAR.fullmatch(m.group(0))]
    found += [("name", m) for m in _NAME.finditer(q)]
    found = [(kind, m) for kind, m in found if m.group(0) in answer]
    if not found:
        return None
    kind, m = rng.choice(found)
    for _ in range(20):
        if kind == "year":
            other = str(int(m.group(0)) + rng.choice([-1, 1]) * rng.randint(1, 12))
        elif kind == "count":
            value = int(m.group(0).replace(",", ""))
            other = f"{max(2, value + rng.choice([-1, 1]) * rng.randint(1, max(2, value // 2))):,}"
        else:
            other = rng.choice(names)
        if other != m.group(0) and other not in paragraph and other.lower() not in q.lower():
            return q[: m.start()] + other + q[m.end() :]
    return None


def with_swapped_questions(examples: list[Example], seed: int = 5, absent_from: str | None = None) -> list[Example]:
    """Copies of the examples that have a detail to swap, asked with it swapped (``swapped_question``;
    names from the examples' own questions): unanswerable near misses, in the examples' order."""
    names, rng = name_pool(examples), random.Random(seed)
    swapped = [(e, swapped_question(e, names, rng, absent_from)) for e in examples]
    return [dataclasses.replace(e, question=q) for e, q in swapped if q]


def load_all() -> list[Example]:
    examples = squad() + clapnq() + seeds()
    add_near_misses(examples)
    return examples


if __name__ == "__main__":
    from collections import Counter

    examples = load_all()
    counts = Counter((e.dataset, e.split, e.answerable) for e in examples)
    for key in sorted(counts):
        print(*key, counts[key])
