"""Metric functions on cases computed by hand."""

import math

import pytest

from evals import metrics as m


def test_ranking_metrics():
    ranked = [False, False, True, False, True]
    assert m.hit_at_k(ranked, 1) == 0.0 and m.hit_at_k(ranked, 3) == 1.0
    assert m.mrr_at_k(ranked, 10) == pytest.approx(1 / 3)
    assert m.mrr_at_k(ranked, 2) == 0.0
    assert m.recall_at_k(["a", "b", "c", "d"], {"b", "d", "z"}, 3) == pytest.approx(1 / 3)
    assert m.recall_at_k(["a", "b", "c", "d"], {"b", "d", "z"}, 4) == pytest.approx(2 / 3)


def test_token_f1_and_rouge_l():
    # prediction: [cat, sat, on, mat] (articles dropped); reference: [cat, sat]
    assert m.token_f1("The cat sat on the mat", "a cat sat") == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    assert m.token_f1("", "") == 1.0 and m.token_f1("x", "") == 0.0
    # LCS of [y, x, z] and [x, y, z] is 2: P = R = 2/3
    assert m.rouge_l("y x z", "x y z") == pytest.approx(2 / 3)
    assert m.best_of(m.token_f1, "cat", ["dog", "cat"]) == 1.0


def test_refusal_scores():
    refused = [True, True, False, False, True]
    unanswerable = [True, False, True, False, True]
    s = m.refusal_scores(refused, unanswerable)
    assert s["refusal_precision"] == pytest.approx(2 / 3)
    assert s["refusal_recall"] == pytest.approx(2 / 3)
    assert s["refusal_f1"] == pytest.approx(2 / 3)
    assert s["false_refusal_rate"] == pytest.approx(1 / 2)


def test_balanced_accuracy_and_key_fact():
    assert m.balanced_accuracy([True, False, False, False], [True, True, False, False]) == pytest.approx(0.75)
    assert m.key_fact_present("About 2,000 troops", ["2,000"]) == 1.0
    assert m.key_fact_present("About two thousand", ["2,000"]) == 0.0


def test_bootstrap_interval_brackets_the_mean():
    values = [1.0] * 70 + [0.0] * 30
    low, high = m.bootstrap_ci(values)
    assert low < 0.7 < high and 0.55 < low and high < 0.85
    assert m.bootstrap_ci([1.0] * 10) == (1.0, 1.0)
    assert all(math.isnan(x) for x in m.bootstrap_ci([]))


def test_a_feature_fitted_against_its_meaning_is_dropped_and_the_rest_refitted():
    """evals/calibrate.py: "missing" question terms may only lower the score."""
    import numpy as np

    from evals.calibrate import LOWERING
    from evals.fitting import SignedLogistic

    rng = np.random.default_rng(0)
    evidence = rng.normal(size=400)
    y = (evidence + rng.normal(scale=0.5, size=400) > 0).astype(int)
    missing = evidence + rng.normal(scale=0.3, size=400)  # correlated with the answer: a dev-set artefact
    model = SignedLogistic(["best", "missing"], LOWERING).fit(np.stack([evidence, missing], axis=1), y)
    assert model.dropped == ["missing"] and model.coef_[0][1] == 0.0 and model.coef_[0][0] > 0
    p = model.predict_proba(np.array([[2.0, 0.0], [-2.0, 0.0]]))[:, 1]
    assert p[0] > 0.9 > 0.1 > p[1]


def test_an_llm_answer_in_the_eval_json_carries_its_draft_and_what_verification_did():
    """So that draft -> final pairs can be judged from `rag eval --llm --json-out` (issue 13)."""
    from evals.dataset import GoldCase
    from evals.report import to_json
    from evals.run import CaseResult
    from rag.types import Answer, Removed

    case = GoldCase(id="x", question="Who blocked it?", answerable=False, kind="off")
    llm = Answer(
        status="answered",
        answer="Activists blocked the road. [1]",
        draft="Activists blocked the road [1]. They were paid [2].",
        removed=[Removed(text="They were paid", reason="unsupported")],
        backend="qwen",
    )
    extractive = Answer(status="not_in_corpus", answer="The corpus does not say.")
    rows = [CaseResult(case, a, case.question, [], [], [], [], [], {}) for a in (llm, extractive)]
    cases = to_json("seeds", {}, rows, {})["cases"]
    assert cases[0]["draft"] == llm.draft
    assert cases[0]["removed"] == [{"text": "They were paid", "reason": "unsupported"}]
    assert cases[0]["recited"] == [] and cases[0]["fallback"] is False
    assert "draft" not in cases[1]  # the extractive answerer has no draft


def test_a_paraphrase_that_changes_what_is_asked_is_not_used():
    from evals.dataset import load_cases
    from evals.paraphrase import asked_otherwise, load, usable

    asked = "How many lives did the 2020 war over Nagorno-Karabakh claim?"
    assert usable(asked, "How many people were killed in the 2020 war over Nagorno-Karabakh?")
    assert not usable(asked, "How many lives did the war over Nagorno-Karabakh claim?")  # the year dropped
    # a name the asker never gave: the LLM's knowledge, not the question
    assert not usable(asked, "How many lives were lost in the 2020 war between Armenia and Azerbaijan over Nagorno-Karabakh?")
    assert not usable("who sings nice for what", 'Who sings "Nice for What" by Drake?')
    assert usable("What is the distance between the two capitals?", "How far apart are the two capitals?")
    assert usable(
        "How long is the border between Armenia and Azerbaijan?", "What is the length of Azerbaijan's border with Armenia?"
    )
    assert not usable(asked, asked) and not usable(asked, "The 2020 war claimed 6,500 lives.")
    # the shipped file: every case it names asked with its paraphrase, keeping its gold
    cases = [c for c in load_cases() if c.split == "dev"]
    found = load()
    other = asked_otherwise(cases, found, "-p")
    assert len(other) >= 0.7 * len([c for c in cases if not c.previous])
    by_id = {c.id: c for c in cases}
    for case in other:
        original = by_id[case.id.removesuffix("-p")]
        assert case.question == found[original.id] != original.question
        assert (case.answerable, case.sources, case.quotes) == (original.answerable, original.sources, original.quotes)
