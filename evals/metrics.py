"""Metric functions: pure, small, unit-tested on hand-computed cases (tests/test_metrics.py)."""

import random
import re
import statistics
from collections import Counter
from collections.abc import Callable, Sequence

_TOKEN = re.compile(r"\w+")
_ARTICLES = {"a", "an", "the"}


def hit_at_k(ranked: Sequence[bool], k: int) -> float:
    """1 if any of the first k results is relevant."""
    return float(any(ranked[:k]))


def recall_at_k(ranked_ids: Sequence[str], gold: set[str], k: int) -> float:
    """Share of the gold items found among the first k results."""
    if not gold:
        return 0.0
    return len(set(ranked_ids[:k]) & gold) / len(gold)


def mrr_at_k(ranked: Sequence[bool], k: int) -> float:
    """Reciprocal rank of the first relevant result within the first k (0 if none)."""
    for rank, relevant in enumerate(ranked[:k], start=1):
        if relevant:
            return 1.0 / rank
    return 0.0


def tokens(text: str) -> list[str]:
    """SQuAD-style normalisation: lower case, words only, articles dropped."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in _ARTICLES]


def token_f1(prediction: str, reference: str) -> float:
    pred, ref = tokens(prediction), tokens(reference)
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1 (longest common subsequence of tokens)."""
    pred, ref = tokens(prediction), tokens(reference)
    if not pred or not ref:
        return 0.0
    previous = [0] * (len(ref) + 1)
    for p in pred:
        current = [0]
        for j, r in enumerate(ref, start=1):
            current.append(previous[j - 1] + 1 if p == r else max(previous[j], current[j - 1]))
        previous = current
    lcs = previous[-1]
    if not lcs:
        return 0.0
    precision, recall = lcs / len(pred), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


def best_of(metric: Callable[[str, str], float], prediction: str, references: Sequence[str]) -> float:
    return max((metric(prediction, r) for r in references if r), default=0.0)


def quote_matches(quote: str, gold_quotes: Sequence[str], keys: Sequence[str] = ()) -> bool:
    """The cited passage is (part of) a gold answer passage, or contains a key answer string."""
    norm = " ".join(quote.split()).lower()
    if not norm:
        return False
    for gold in gold_quotes:
        g = " ".join(gold.split()).lower()
        if g and (g in norm or norm in g):
            return True
    return any(" ".join(k.split()).lower() in norm for k in keys if k.strip())


def key_fact_present(answer: str, keys: Sequence[str]) -> float:
    """1 if the answer contains any of the key strings (case-insensitive)."""
    lowered = answer.lower()
    return float(any(k.lower() in lowered for k in keys))


def refusal_scores(refused: Sequence[bool], unanswerable: Sequence[bool]) -> dict[str, float]:
    """Refusal as the positive class: precision, recall, F1; and the false-refusal rate on answerable cases."""
    tp = sum(r and u for r, u in zip(refused, unanswerable))
    fp = sum(r and not u for r, u in zip(refused, unanswerable))
    fn = sum(u and not r for r, u in zip(refused, unanswerable))
    answerable = sum(not u for u in unanswerable)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "refusal_precision": precision,
        "refusal_recall": recall,
        "refusal_f1": f1,
        "false_refusal_rate": fp / answerable if answerable else 0.0,
    }


def balanced_accuracy(predicted: Sequence[bool], actual: Sequence[bool]) -> float:
    positives = [p for p, a in zip(predicted, actual) if a]
    negatives = [p for p, a in zip(predicted, actual) if not a]
    tpr = sum(positives) / len(positives) if positives else 0.0
    tnr = sum(not p for p in negatives) / len(negatives) if negatives else 0.0
    return 0.5 * (tpr + tnr)


def reliability(probabilities: Sequence[float], outcomes: Sequence[bool], bins: int = 10) -> list[dict[str, float]]:
    """Reliability curve: per probability bin, the mean predicted probability and the observed rate."""
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        members = [(p, o) for p, o in zip(probabilities, outcomes) if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        if members:
            out.append(
                {
                    "low": lo,
                    "high": hi,
                    "n": len(members),
                    "predicted": mean([p for p, _ in members]),
                    "observed": mean([float(o) for _, o in members]),
                }
            )
    return out


def expected_calibration_error(probabilities: Sequence[float], outcomes: Sequence[bool], bins: int = 10) -> float:
    """ECE: the bins' |predicted - observed|, weighted by how many predictions fall in each."""
    total = len(probabilities)
    if not total:
        return float("nan")
    return sum(r["n"] / total * abs(r["predicted"] - r["observed"]) for r in reliability(probabilities, outcomes, bins))


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th quantile (0 < q < 1, in whole percents) of timings, interpolated (``statistics.quantiles``)."""
    if len(values) < 2:
        return float(values[0]) if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def bootstrap_ci(
    values: Sequence[float],
    *,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    statistic: Callable[[Sequence[float]], float] = mean,
) -> tuple[float, float]:
    """Percentile bootstrap interval of a statistic of per-case values."""
    if not values:
        return (float("nan"), float("nan"))
    rng = random.Random(seed)
    n = len(values)
    stats = sorted(statistic([values[rng.randrange(n)] for _ in range(n)]) for _ in range(resamples))
    low = stats[int((1 - level) / 2 * resamples)]
    high = stats[min(resamples - 1, int((1 + level) / 2 * resamples) - 1)]
    return (low, high)
