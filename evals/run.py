"""Run a gold dataset through the assistant: retrieval, grounding, answer and refusal metrics."""

import re
from dataclasses import dataclass, field

from rag import Answer, Assistant
from rag.judge import SupportJudge

from . import metrics as m
from .dataset import GoldCase

KS = (1, 3, 5, 10)
_SEGMENT = re.compile(r"(.*?)((?:\[\d+\])+)", re.S)
_ATTRIBUTION = re.compile(r"^(The sources differ\.\s*)?(According to .{1,160}?:\s)")


@dataclass
class Statement:
    """One answer sentence with what it cites and what the judge said."""

    text: str
    cited: list[int]
    supported: bool = False  # by all its citations together
    needed: dict[int, bool] = field(default_factory=dict)  # per citation: ALCE "not irrelevant"
    missing: list[int] = field(default_factory=list)  # markers with no citation behind them


@dataclass
class CaseResult:
    case: GoldCase
    answer: Answer
    searched: str
    article_hits: list[bool]
    passage_hits: list[bool]
    retrieved_sources: list[str]
    quotes_found_at: list[int | None]  # per gold quote: first rank (1-based) of a chunk containing it
    statements: list[Statement]
    scores: dict[str, float]

    @property
    def refused(self) -> bool:
        return not self.answer.answered

    @property
    def failed(self) -> list[str]:
        """Why this case counts as a failure (empty when it passes)."""
        why = []
        if self.case.answerable and self.refused:
            why.append("refused an answerable question")
        if not self.case.answerable and not self.refused:
            why.append("answered an unanswerable question")
        if self.case.answerable and not self.refused:
            if not self.scores.get("answer_article_correct"):
                why.append("first citation is not from a gold article")
            if any(not s.supported for s in self.statements):
                why.append("a sentence is not supported by its citations (judge)")
        return why


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def statements(answer: Answer) -> list[Statement]:
    """Answer sentences with their markers; text after the last marker is a sentence citing nothing."""
    out, end = [], 0
    for match in _SEGMENT.finditer(answer.answer):
        text = _ATTRIBUTION.sub("", match.group(1).strip())
        out.append(Statement(text=text, cited=[int(n) for n in re.findall(r"\d+", match.group(2))]))
        end = match.end()
    rest = answer.answer[end:].strip()
    if rest:
        out.append(Statement(text=rest, cited=[]))
    return out


def judge_statements(answer: Answer, judge: SupportJudge) -> list[Statement]:
    passages = {c.n: c.text for c in answer.citations}
    result = statements(answer)
    for s in result:
        s.missing = [n for n in s.cited if n not in passages]
        cited = [n for n in s.cited if n in passages]
        if not cited:
            continue
        together = judge.support(s.text, " ".join(passages[n] for n in cited)) >= judge.threshold
        s.supported = together
        for n in cited:
            alone = judge.support(s.text, passages[n]) >= judge.threshold
            others = [o for o in cited if o != n]
            without = bool(others) and judge.support(s.text, " ".join(passages[o] for o in others)) >= judge.threshold
            s.needed[n] = alone or not without  # ALCE: irrelevant iff it neither supports alone nor is needed
    return result


def evaluate_case(assistant: Assistant, case: GoldCase, judge: SupportJudge, k: int | None = None) -> CaseResult:
    if assistant.settings.llm is None:  # one reading serves both the answer and the reader's metrics
        evidence = assistant.explain(case.question, k=k, previous=case.previous)
        answer = assistant.answer(evidence).model_copy(update={"question": case.question})
        top = evidence.ranked[0].text if evidence.ranked else ""
    else:
        answer = assistant.ask(case.question, k=k, previous=case.previous)
        top = answer.citations[0].text if answer.citations else ""
    # retrieval is measured for the question the assistant searched (a follow-up as it was rewritten)
    searched = answer.searched or case.question
    retrieved = assistant.retrieve(searched, max(KS))
    gold = set(case.sources)
    quotes = [_norm(q) for q in case.quotes]
    article_hits = [r.chunk.source in gold or r.chunk.document_id in gold for r in retrieved]
    texts = [_norm(r.chunk.text) for r in retrieved]
    passage_hits = [any(q in t for q in quotes) for t in texts]
    found_at = [next((i + 1 for i, t in enumerate(texts) if q in t), None) for q in quotes]
    judged = judge_statements(answer, judge) if answer.answered else []
    scores: dict[str, float] = {}
    if case.answerable:
        for kk in KS:
            scores[f"article_hit@{kk}"] = m.hit_at_k(article_hits, kk)
            scores[f"article_mrr@{kk}"] = m.mrr_at_k(article_hits, kk)
            seen = {x for r in retrieved[:kk] for x in (r.chunk.source, r.chunk.document_id)}
            scores[f"article_recall@{kk}"] = len(gold & seen) / len(gold)
            scores[f"passage_hit@{kk}"] = m.hit_at_k(passage_hits, kk)
            scores[f"passage_mrr@{kk}"] = m.mrr_at_k(passage_hits, kk)
            scores[f"passage_recall@{kk}"] = sum(1 for r in found_at if r is not None and r <= kk) / len(quotes)
        references = [case.answer] + case.references
        text = " ".join(s.text for s in statements(answer)) if answer.answered else ""
        scores["token_f1"] = m.best_of(m.token_f1, text, references)
        scores["rouge_l"] = m.best_of(m.rouge_l, text, references)
        if case.key:
            scores["key_fact"] = m.key_fact_present(text, case.key)
        if answer.answered:
            first = answer.citations[0]
            scores["answer_article_correct"] = float(first.source in gold or first.document_id in gold)
        scores["answer_sentence_correct"] = float(
            answer.answered and m.quote_matches(answer.citations[0].text, case.quotes, case.key)
        )
        scores["reader_accuracy@1"] = float(m.quote_matches(top, case.quotes, case.key))
    if judged:
        scores["citation_recall"] = m.mean([float(s.supported) for s in judged if s.cited])
        needed = [v for s in judged for v in s.needed.values()]
        scores["citation_precision"] = m.mean([float(v) for v in needed]) if needed else 0.0
        scores["uncited_sentences"] = m.mean([float(not s.cited) for s in judged])
        scores["dangling_citations"] = m.mean([float(bool(s.missing)) for s in judged])
    return CaseResult(
        case, answer, searched, article_hits, passage_hits, [r.chunk.source for r in retrieved], found_at, judged, scores
    )


def summarize(results: list[CaseResult], *, resamples: int = 1000) -> dict[str, dict[str, float]]:
    """Every metric's mean and 95% bootstrap interval, with the number of cases behind it."""
    per_metric: dict[str, list[float]] = {}
    for r in results:
        for name, value in r.scores.items():
            per_metric.setdefault(name, []).append(value)
    refused = [r.refused for r in results]
    unanswerable = [not r.case.answerable for r in results]
    per_metric["answered_correctly"] = [
        float(
            (r.case.answerable and not r.refused and r.scores.get("answer_article_correct", 0) == 1)
            or (not r.case.answerable and r.refused)
        )
        for r in results
    ]
    out = {}
    for name, values in sorted(per_metric.items()):
        low, high = m.bootstrap_ci(values, resamples=resamples)
        out[name] = {"value": m.mean(values), "low": low, "high": high, "n": len(values)}
    # refusal and calibration metrics are not per-case means: bootstrap them over resampled cases
    import random

    rng = random.Random(1)
    confidence = [(r.answer.confidence, r.case.answerable) for r in results]
    ece = m.expected_calibration_error([c for c, _ in confidence], [a for _, a in confidence])
    draws = []
    for _ in range(resamples):
        draw = [confidence[rng.randrange(len(confidence))] for _ in confidence]
        draws.append(m.expected_calibration_error([c for c, _ in draw], [a for _, a in draw]))
    draws.sort()
    if confidence:
        out["answerable_ece"] = {
            "value": ece,
            "low": draws[int(0.025 * resamples)],
            "high": draws[int(0.975 * resamples) - 1],
            "n": len(confidence),
        }
    pairs = list(zip(refused, unanswerable))
    point = m.refusal_scores(refused, unanswerable)
    samples = {k: [] for k in point}
    for _ in range(resamples):
        draw = [pairs[rng.randrange(len(pairs))] for _ in pairs]
        for k, v in m.refusal_scores([d[0] for d in draw], [d[1] for d in draw]).items():
            samples[k].append(v)
    for k, v in point.items():
        s = sorted(samples[k])
        out[k] = {"value": v, "low": s[int(0.025 * resamples)], "high": s[int(0.975 * resamples) - 1], "n": len(pairs)}
    return out


def reader_summary(results: list[CaseResult]) -> dict:
    """The reader's decision: a confusion table and the reliability curve of its answerable probability."""
    table = {"answered_answerable": 0, "refused_answerable": 0, "answered_unanswerable": 0, "refused_unanswerable": 0}
    for r in results:
        key = ("refused" if r.refused else "answered") + ("_answerable" if r.case.answerable else "_unanswerable")
        table[key] += 1
    curve = m.reliability([r.answer.confidence for r in results], [r.case.answerable for r in results])
    return {
        "confusion": table,
        "reliability": [{k: round(v, 4) if isinstance(v, float) else v for k, v in b.items()} for b in curve],
    }


def verification_summary(results: list[CaseResult]) -> dict[str, float]:
    """For an LLM backend: grounding of the drafts before verification, and what verification removed."""
    from index.sentences import split_sentences
    from rag.llm import REFUSAL

    drafts = [r for r in results if r.answer.backend != "extractive"]
    if not drafts:
        return {}
    sentences = sum(len(split_sentences(r.answer.draft)) for r in drafts if not REFUSAL.match(r.answer.draft.strip()))
    removed = [x for r in drafts for x in r.answer.removed]
    reasons = {reason: sum(1 for x in removed if x.reason == reason) for reason in ("uncited", "dangling", "unsupported")}
    generated = [r for r in drafts if r.answer.draft.strip()]
    unanswerable = [r for r in generated if not r.case.answerable]
    return {
        "draft_answers": len(generated),
        "draft_sentences": sentences,
        "removed_sentences": len(removed),
        **{f"removed_{k}": v for k, v in reasons.items()},
        "draft_supported_share": (sentences - len(removed)) / sentences if sentences else 0.0,
        "draft_uncited_share": reasons["uncited"] / sentences if sentences else 0.0,
        "draft_refusal_rate_unanswerable": (
            sum(bool(REFUSAL.match(r.answer.draft.strip())) for r in unanswerable) / len(unanswerable) if unanswerable else None
        ),
        "answers_turned_into_refusals": sum(1 for r in generated if not r.answer.answered and r.answer.removed),
    }
