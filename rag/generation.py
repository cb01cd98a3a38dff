"""An LLM's answer, verified: the draft is written from the best passages of the Evidence, then every
sentence is checked against the passage it cites (rag/verify.py, with the support judge of
rag/judge.py). A sentence no passage supports is removed (or flagged, ``verify="flag"``); one that
another passage supports is re-cited to it; a supported one that does not answer is dropped as
off-topic. When nothing survives, the extractive answer is shown instead (``fallback``): verification
never turns an answer into a refusal that the LLM-free path would not give.
"""

from collections.abc import Callable, Generator

from .answer import CORROBORATE_MIN, citation, distinct
from .evidence import Candidate, overlap, with_antecedent
from .finder import Evidence
from .judge import SupportJudge
from .llm import INJECTION, REFUSAL, stream_answer
from .types import Answer, Recited, Removed
from .verify import check, cited_order, final_text, off_topic, recited_records, removed_records

MAX_PASSAGES = 6  # evidence passages given to an LLM


def passages(evidence: Evidence) -> list[Candidate]:
    """What an LLM is given to answer from: the best distinct sentences, none addressed to a model. A sentence
    that opens with "It", "The ministry"… comes with the sentence it leans on, as the extractive answer quotes
    it: the model, and the judge that checks its draft, see what "it" is (unless that sentence is a passage
    of its own already)."""
    chosen: list[Candidate] = []
    for c in distinct(evidence.ranked):
        usable = [p for p in (with_antecedent(c), c) if not INJECTION.search(p.text) and not any(overlap(p, o) for o in chosen)]
        if usable:
            chosen.append(usable[0])
        if len(chosen) == MAX_PASSAGES:
            break
    return chosen


class VerifiedGeneration:
    """Drafts with ``llm`` and verifies with ``judge`` (built on first use: it needs the index's IDF)."""

    def __init__(self, llm, judge: Callable[[], SupportJudge], *, flag: bool = False) -> None:
        self.llm, self._judge, self.flag = llm, judge, flag

    def generate(self, evidence: Evidence, articles: dict, extractive: Callable[[], Answer]) -> Generator[str, None, Answer]:
        """Yields the draft as it is generated; returns the verified Answer (``draft`` holds the text)."""
        chosen = passages(evidence)
        text = ""
        for delta in stream_answer(self.llm, evidence.question, [c.text for c in chosen]):
            text += delta
            yield delta
        answer = self.verify(text, chosen, evidence, articles, extractive)
        return answer.model_copy(update={"draft": text})

    def verify(
        self, draft: str, chosen: list[Candidate], evidence: Evidence, articles: dict, extractive: Callable[[], Answer]
    ) -> Answer:
        """``draft`` was written from ``chosen`` (numbered from 1): each sentence checked against what it cites."""
        checked = (
            [] if REFUSAL.match(draft.strip()) else check(draft, {n: c.text for n, c in enumerate(chosen, 1)}, self._judge())
        )
        # the passages that answer the question: the reader's best, and those it scores as likely as a corroboration
        off_topic(checked, {n for n, c in enumerate(chosen, 1) if n == 1 or c.score >= CORROBORATE_MIN})
        removed = [Removed(**r) for r in removed_records(checked)]
        if not any(c.verdict == "supported" for c in checked):
            # the reader says the evidence answers (there is no generation otherwise): never refuse where the
            # LLM-free path answers; quote the evidence and say that the draft could not be verified
            answer = extractive()
            return answer.model_copy(update={"removed": removed, "fallback": answer.answered})
        order = cited_order(checked, len(chosen), self.flag)
        renumber = {old: n for n, old in enumerate(order, start=1)}
        citations = [citation(renumber[old], chosen[old - 1], articles) for old in order]
        return Answer(
            status="answered",
            answer=final_text(checked, renumber, self.flag),
            citations=citations,
            confidence=evidence.probability,
            question=evidence.question,
            removed=removed,
            recited=[Recited(**r) for r in recited_records(checked)],
        )
