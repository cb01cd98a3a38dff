"""Retrieve → read → rank → decide: the Evidence for one standalone question.

Hybrid retrieval finds chunks; the trained reader (rag/reader.py) reads them; the calibrated ranker
orders their sentences (rag/evidence.py builds its features); the best few are embedded when needed
(to compare sources); and one calibrated probability, from the best sentence's score and its embedding cosine
with the question, says whether the corpus answers (0 when the best
sentence lacks the form of answer asked for, no number for "how many", or is about another year than the
question names, and when the question names something the corpus never mentions). Composing the answer from
the Evidence (rag/answer.py) or generating one (rag/generation.py) is the caller's next step.
"""

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from index.embedding import Embedder, VectorCache
from index.typos import Speller

from .evidence import (
    Candidate,
    Shortlist,
    analyze,
    candidates,
    decision_features,
    lexical_features,
    never_mentioned,
    read,
    sentence_features,
)
from .live_index import LiveIndex
from .reader import Reader, sigmoid
from .retrieve import Retrieved

log = logging.getLogger(__name__)
SHORTLIST = 8  # the ranker's best sentences, embedded when needed (agreement between sources, "related")


@dataclass
class Evidence:
    """What the answerer saw for one question: its sentences ranked, and the decision's inputs and output."""

    question: str
    question_type: str
    retrieved: list[Retrieved]
    ranked: list[Candidate]
    features: dict[str, float]
    probability: float  # that the corpus answers the question (answered when >= the reader's threshold)
    unheard: tuple[str, ...] = ()  # names the question asks about that the corpus never mentions: it cannot answer


class EvidenceFinder:
    """Finds the Evidence for a question over a LiveIndex with one reader; thread-safe."""

    def __init__(
        self, index: LiveIndex, embedder: Embedder, reader: Reader, speller: Callable[[], Speller] | None = None
    ) -> None:
        """``speller``: the current index's (rag/assistant.py), which tells a name the question may have mistyped."""
        self.index, self.embedder, self.reader, self.speller = index, embedder, reader, speller
        self.sentence_vectors = VectorCache()  # sentences embedded by earlier questions

    def find(self, question: str, k: int, context: str | None = None, meant: str | None = None) -> Evidence:
        """``context``: words a follow-up borrowed from the conversation (rag/followup.py), not asked about;
        ``meant``: a follow-up whose reference could not be put in, with the question it refers to (``followup.meant``):
        how close a sentence is in meaning (the decision, related passages) is judged against it."""
        retriever = self.index.retriever
        query_vector = self.embedder.embed([question])[0]
        retrieved = retriever.retrieve(question, k, query_vector=query_vector)
        q = analyze(question, retriever.lexical, context)
        cands = candidates(retrieved)
        lexical_features(q, cands)
        read(self.reader, question, retrieved, cands)
        calibration = self.reader.calibration
        for c in cands:
            c.logit = calibration.ranker.logit(sentence_features(c)) if c.reader > -math.inf else -math.inf
            c.score = sigmoid(c.logit) if c.reader > -math.inf else 0.0
        # best first; about another year, office holder or speaker than the question names, or without the number it asks
        # for (``Candidate.ranked_last``): after the rest, before what cannot be quoted at all
        ranked = sorted(cands, key=lambda c: (c.logit == -math.inf, c.ranked_last, -c.logit))
        meaning_vector = self.embedder.embed([meant])[0] if meant else query_vector
        Shortlist(ranked[:SHORTLIST], lambda texts: self.sentence_vectors.embed(texts, self.embedder.embed), meaning_vector)
        features = decision_features(q, ranked, retrieved, retriever.lexical)
        # a best sentence without the asked-for form of answer, or about another year, office holder or speaker, never
        # answers
        # answers; nor does any when the question names what the corpus never mentions ("Porto" of articles on Lisbon)
        unheard = never_mentioned(question, retriever.lexical, retrieved, self.speller().near if self.speller else None)
        answers = ranked and not (ranked[0].missing_form or ranked[0].about_other or unheard)
        probability = calibration.answerable(features) if answers else 0.0
        log.debug("question %r features %s p=%.3f", question, features, probability)
        return Evidence(question, q.type, retrieved, ranked, features, probability, unheard)
