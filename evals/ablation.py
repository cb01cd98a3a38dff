"""Ablation: take a case's gold article out of the index; the answer must turn into a refusal."""

import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

from rag import Answer, Assistant, Settings

from .dataset import GoldCase


def ablate(cases: list[GoldCase], corpus: Path, embedder=None) -> list[tuple[GoldCase, Answer]]:
    """For each single-article answerable case, its answer from an index without that article."""
    by_source: dict[str, list[GoldCase]] = defaultdict(list)
    for case in cases:
        if case.answerable and len(case.sources) == 1:
            by_source[case.sources[0]].append(case)
    out = []
    for source, group in sorted(by_source.items()):
        with tempfile.TemporaryDirectory(prefix="rag-ablation-") as tmp:
            reduced = Path(tmp) / "corpus"
            shutil.copytree(corpus, reduced, ignore=shutil.ignore_patterns(Path(source).name))
            assistant = Assistant(Settings(corpus=reduced, data_dir=Path(tmp) / "data"), embedder=embedder)
            assistant.index()
            out += [(case, assistant.ask(case.question, previous=case.previous)) for case in group]
    return out
