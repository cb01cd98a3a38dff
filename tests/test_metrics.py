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
