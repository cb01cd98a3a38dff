"""The default answerer: evidence sentences -> a short answer in which every sentence is cited.

No LLM: the answer is made of the best supporting sentences, quoted whole. Several articles
that agree are merged on one sentence ([1][2]); articles that give different answers are
attributed ("According to ..."). Whether to answer at all is decided by a small logistic
model over the evidence features, fitted on labelled questions (evals/calibrate.py writes
rag/abstain.json).
"""

import json
import math
from dataclasses import dataclass
from importlib import resources

from index.store import StoredArticle

from .evidence import Candidate
from .types import Answer, Citation

NOT_IN_CORPUS = "The corpus does not say."
MAX_SENTENCES = 3
SCORE_MARGIN = 0.08  # a further sentence must score within this of the best one
RELATED_DENSE, RELATED_COVERAGE = 0.35, 0.34  # below both, a passage is not even "related"
CORROBORATE_MARGIN = 0.2  # a sentence stating the same fact may score lower and still be cited
AGREE_COSINE = 0.72  # two sentences from different articles this close state the same thing


@dataclass(frozen=True)
class AbstainModel:
    features: list[str]
    coef: list[float]
    intercept: float
    threshold: float

    @classmethod
    def load(cls) -> "AbstainModel":
        data = json.loads(resources.files("rag").joinpath("abstain.json").read_text())
        return cls(data["features"], data["coef"], data["intercept"], data["threshold"])

    def probability(self, features: dict[str, float]) -> float:
        z = self.intercept + sum(c * features[f] for f, c in zip(self.features, self.coef))
        return 1.0 / (1.0 + math.exp(-z))


def compose(question: str, ranked: list[Candidate], probability: float, threshold: float,
            articles: dict[str, StoredArticle]) -> Answer:
    if not ranked or probability < threshold:
        return refuse(question, ranked, probability, articles)

    best = ranked[0]
    groups: list[list[Candidate]] = [[best]]  # each group: one stated sentence + corroborating ones
    for c in ranked[1:]:
        if c.score < best.score - CORROBORATE_MARGIN:
            break
        if best.type_ok and not c.type_ok:
            continue
        twin = next((g for g in groups if _same_fact(g[0], c)), None)
        if twin is not None:
            if c.document_id not in {x.document_id for x in twin}:
                twin.append(c)  # another article says the same: cite it on the same sentence
            continue
        if len(groups) < MAX_SENTENCES and c.score >= best.score - SCORE_MARGIN:
            groups.append([c])

    attribute = len({g[0].document_id for g in groups}) > 1 and _disagree(groups)
    citations: list[Citation] = []
    parts: list[str] = []
    for group in groups:
        markers = []
        for c in group:
            citations.append(citation(len(citations) + 1, c, articles))
            markers.append(f"[{len(citations)}]")
        text = group[0].text
        if attribute:
            text = f"According to {_short_title(articles, group[0])}: {text}"
        parts.append(f"{text} {''.join(markers)}")
    answer = " ".join(parts)
    if attribute:
        answer = "The sources differ. " + answer
    return Answer(status="answered", answer=answer, citations=citations, question=question, confidence=probability)


def refuse(question: str, ranked: list[Candidate], probability: float, articles: dict[str, StoredArticle]) -> Answer:
    """A refusal, with the closest passages as "related" when any is close at all."""
    close = [c for c in distinct(ranked) if c.dense >= RELATED_DENSE or c.coverage >= RELATED_COVERAGE]
    related = [citation(n, c, articles) for n, c in enumerate(close[:3], start=1)]
    return Answer(status="not_in_corpus", answer=NOT_IN_CORPUS, related=related, question=question, confidence=probability)


def _same_fact(a: Candidate, b: Candidate) -> bool:
    """The same sentence, a near-paraphrase, or the same typed answer (e.g. the same number)."""
    return _similar(a, b) or bool(a.fillers and a.fillers & b.fillers)


def _similar(a: Candidate, b: Candidate) -> bool:
    if a.document_id == b.document_id and a.orig_start == b.orig_start:
        return True
    if a.vector is None or b.vector is None:
        return False
    return float(a.vector @ b.vector) >= AGREE_COSINE


def _disagree(groups: list[list[Candidate]]) -> bool:
    """Stated sentences from different articles with typed answers that do not overlap."""
    stated = [g[0] for g in groups if g[0].fillers]
    for i, a in enumerate(stated):
        for b in stated[i + 1:]:
            if a.document_id != b.document_id and not (a.fillers & b.fillers):
                return True
    return False


def distinct(ranked: list[Candidate]) -> list[Candidate]:
    out: list[Candidate] = []
    for c in ranked:
        if not any(_similar(c, o) for o in out):
            out.append(c)
    return out


def _short_title(articles: dict[str, StoredArticle], c: Candidate) -> str:
    article = articles.get(c.document_id)
    if article and article.outlet:
        return article.outlet
    title = article.title if article else c.retrieved.chunk.title
    words = title.split()
    return "“" + (" ".join(words[:9]) + ("…" if len(words) > 9 else "")) + "”"


def citation(n: int, c: Candidate, articles: dict[str, StoredArticle]) -> Citation:
    chunk = c.retrieved.chunk
    article = articles.get(chunk.document_id)
    quote = article.original_text(c.orig_start, c.orig_end) if article else c.text
    text_start = chunk.clean_start + chunk.sentences[c.index][0]
    return Citation(
        n=n, document_id=chunk.document_id, source=chunk.source, title=article.title if article else chunk.title,
        quote=quote, start=c.orig_start, end=c.orig_end, text=c.text, score=round(c.score, 4),
        text_start=text_start, text_end=text_start + len(c.text),
        url=article.url if article else None, published=article.published if article else None,
        outlet=article.outlet if article else None,
    )
