"""The named gold sets the eval suite runs: the seed gold set, ClapNQ and SQuAD 2.0."""

from pathlib import Path

from .clapnq import build as build_clapnq
from .dataset import GoldCase, load_cases
from .squad import build as build_squad

BENCHMARKS = ("seeds", "clapnq", "squad2")


def gold_cases(dataset: str, corpus_dir: Path, splits: tuple[str, ...] = ("dev", "test")) -> list[GoldCase]:
    """A named gold set's cases; ClapNQ and SQuAD also write their passages into ``corpus_dir`` (the seeds
    are their own corpus, ``rag.settings.DEFAULT_CORPUS``). ``splits``: SQuAD's articles to read."""
    if dataset == "seeds":
        return load_cases()
    if dataset == "clapnq":
        return build_clapnq(corpus_dir)
    if dataset == "squad2":
        return build_squad(corpus_dir, splits)
    raise ValueError(f"unknown gold set {dataset!r}: one of {', '.join(BENCHMARKS)}")
