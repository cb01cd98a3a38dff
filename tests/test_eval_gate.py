"""The CI gate: the seed evaluation must stay at or above the committed thresholds."""

import json

import pytest

from evals.ablation import ablate
from evals.cli import THRESHOLDS, gate, run
from evals.dataset import SEEDS_GOLD, load_cases
from rag import Settings
from rag.judge import JUDGE_MODEL

from .conftest import SEEDS


@pytest.mark.slow
def test_seed_evaluation_meets_the_committed_thresholds(seeded, tmp_path):
    """On the seed gold set's test split: no fitting (the reader's training or calibration) saw it."""
    payload = run(
        "seeds",
        Settings(corpus=SEEDS, data_dir=tmp_path),
        split="test",
        progress=False,
        assistant=seeded,
        json_path=tmp_path / "m.json",
        report_dir=tmp_path / "report",
    )
    thresholds = json.loads(THRESHOLDS.read_text())["seeds"]
    assert gate(payload, thresholds) == [], payload["table"]
    saved = json.loads((tmp_path / "m.json").read_text())
    assert (
        saved["metrics"]["refusal_f1"]["low"] <= saved["metrics"]["refusal_f1"]["value"] <= saved["metrics"]["refusal_f1"]["high"]
    )
    assert len(saved["cases"]) == len([c for c in load_cases(SEEDS_GOLD) if c.split == "test"])
    assert set(saved["reader"]["confusion"]) == {
        "answered_answerable",
        "refused_answerable",
        "answered_unanswerable",
        "refused_unanswerable",
    }
    assert "The reader's decision" in (tmp_path / "report" / "report.md").read_text()
    report = (tmp_path / "report" / "report.md").read_text()
    assert "## Failing cases" in report and (tmp_path / "report" / "metrics.svg").is_file()


def test_gate_catches_a_drop():
    payload = {"metrics": {"refusal_recall": {"value": 0.5}, "uncited_sentences": {"value": 0.3}}}
    problems = gate(payload, {"min": {"refusal_recall": 0.85}, "max": {"uncited_sentences": 0.02}})
    assert len(problems) == 2 and "refusal_recall" in problems[0] and "uncited_sentences" in problems[1]


@pytest.mark.slow
def test_removing_the_gold_article_turns_answers_into_refusals(embedder):
    results = ablate(load_cases(SEEDS_GOLD), SEEDS, embedder=embedder)
    refused = sum(not answer.answered for _, answer in results)
    assert len(results) >= 40
    assert refused / len(results) >= json.loads(THRESHOLDS.read_text())["ablation"]["min_refusal_rate"]


def test_the_judge_was_fitted_and_measured_on_held_out_pairs():
    judge = json.loads(JUDGE_MODEL.read_text())
    assert judge["test_pairs"] >= 100
    assert judge["test_balanced_accuracy"] >= 0.85
