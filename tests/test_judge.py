"""The support judge on the held-out half of its calibration pairs, and on obvious cases."""

import json

import pytest

from rag.judge import HeuristicJudge, JudgeModel
from evals.metrics import balanced_accuracy
from evals.support_pairs import PAIRS


@pytest.fixture(scope="module")
def judge(seeded):
    return HeuristicJudge(seeded.embedder.embed, seeded._ensure_retriever().lexical.idf, JudgeModel.load())


@pytest.mark.slow
def test_balanced_accuracy_on_held_out_pairs(judge):
    pairs = [json.loads(line) for line in PAIRS.read_text().splitlines() if line.strip()]
    test = [p for p in pairs if p["split"] == "test"]
    predicted = [judge.support(p["sentence"], p["passage"]) >= judge.threshold for p in test]
    assert balanced_accuracy(predicted, [p["supported"] for p in test]) >= 0.85


@pytest.mark.slow
@pytest.mark.parametrize("sentence, supported", [
    ("In November 2020, Russia sent 2,000 troops to Nagorno-Karabakh.", True),
    ("In November 2020, Russia sent 5,000 troops to Nagorno-Karabakh.", False),
    ("In November 2020, Turkey sent 2,000 troops to Nagorno-Karabakh.", False),
    ("In March 2021, Russia sent 2,000 troops to Nagorno-Karabakh.", False),
    ("Russia deployed 2,000 soldiers to keep the peace in Karabakh in November 2020.", True),
])
def test_obvious_cases(judge, sentence, supported):
    passage = ("In November 2020, Russia sent 2,000 troops to Nagorno-Karabakh to maintain peace in the region as part "
               "of a ceasefire agreement signed by Armenia and Azerbaijan.")
    assert (judge.support(sentence, passage) >= judge.threshold) == supported
