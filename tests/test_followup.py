"""Follow-up questions are rewritten into standalone ones from the previous question."""

import pytest

from rag.followup import standalone


@pytest.mark.parametrize("previous, question, expected", [
    ("Who blocked the Lachin Corridor?", "What did Russia say about it?", "What did Russia say about the Lachin Corridor?"),
    ("When did Russia send 2,000 troops to Nagorno-Karabakh?", "How many did it send?", "How many did Russia send?"),
    ("How many soldiers did Armenia lose?", "What about Azerbaijan?", "How many soldiers did Azerbaijan lose?"),
    ("Who controls Nagorno-Karabakh?", "What happened there?", "What happened in Nagorno-Karabakh?"),
    ("What did the Russian Foreign Ministry say?", "Who is its spokeswoman?", "Who is the Russian Foreign Ministry’s spokeswoman?"),
    ("Who is Louis Bono?", "When did he meet Aliyev?", "When did Louis Bono meet Aliyev?"),
    ("When did Armenia and Azerbaijan sign the ceasefire?", "What did they agree?", "What did Armenia and Azerbaijan agree?"),
    ("What did Russia's defense ministry accuse Azerbaijan of?", "What did they say about drones?", "What did Russia and Azerbaijan say about drones?"),
])
def test_follow_ups_are_resolved(previous, question, expected):
    assert standalone(question, previous) == expected


@pytest.mark.parametrize("previous, question", [
    (None, "What did Russia say about it?"),  # no conversation yet
    ("What did Russia say?", "Who blocked the Lachin Corridor?"),  # not a follow-up
    ("what happened next", "What did it cost?"),  # no name to refer to
])
def test_questions_without_a_referent_are_kept(previous, question):
    assert standalone(question, previous) == question


def test_the_borrowed_antecedent_is_reported_so_it_weighs_less():
    from rag.followup import resolve

    assert resolve("What did Russia say about it?", "Who blocked the Lachin Corridor?") == (
        "What did Russia say about the Lachin Corridor?", "the Lachin Corridor")
    assert resolve("What about Azerbaijan?", "What did Armenia say?") == ("What did Azerbaijan say?", None)
    assert resolve("Who blocked the Lachin Corridor?", None) == ("Who blocked the Lachin Corridor?", None)


def test_borrowed_terms_count_less_in_the_evidence_features(seeded):
    from rag.evidence import CONTEXT_WEIGHT, analyze

    lexical = seeded._ensure_retriever().lexical
    plain = analyze("What did Russia say about the Lachin Corridor?", lexical)
    follow = analyze("What did Russia say about the Lachin Corridor?", lexical, "the Lachin Corridor")
    assert follow.weights["lachin"] == CONTEXT_WEIGHT * plain.weights["lachin"]
    assert follow.weights["russia"] == plain.weights["russia"] and "lachin" not in follow.names
