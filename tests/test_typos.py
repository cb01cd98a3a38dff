"""Misspelt question words corrected against the corpus's terms (index/typos.py): unit tests, no model loaded."""

import pytest

from index.lexical import LexicalIndex
from index.typos import Speller
from rag.reader import Reader

TEXTS = [
    "Telenet was founded by Larry Roberts. It developed packet switching for ARPANET.",
    "President Recep Tayyip Erdoğan met the envoy. Robert of Jumièges was made archbishop.",
    "Peacekeepers guard the Lachin corridor. Iraq signed the treaty. Money was raised.",
    "The tension in the strings of a pendulum.",
    "Turkish drones flew over Oliver Street.",
    "Rebels attacked the city. Its dominance ended when the rebels began to dominate the hills.",
]


@pytest.fixture(scope="module")
def speller() -> Speller:
    lexical = LexicalIndex.build([str(i) for i in range(len(TEXTS))], TEXTS)
    return Speller(lexical.df, Reader().words)  # the reader's vocabulary only: no model is loaded


def test_a_misspelt_word_becomes_the_corpus_word_one_edit_away(speller):
    assert speller.correct("Who develped packet switching?") == "Who developed packet switching?"
    assert speller.correct("How strong is the tesion in the strings?") == "How strong is the tension in the strings?"
    assert speller.correct("Where do peacekepers stand?") == "Where do peacekeepers stand?"  # a long term, two wordpieces
    # a letter left out is a likelier typo than one replaced ("dominate" is one letter replaced)
    assert speller.correct("When did its dominace end?") == "When did its dominance end?"


def test_a_name_keeps_its_capitals_and_may_become_a_name_of_the_corpus(speller):
    assert speller.correct("Who founded Telnet?") == "Who founded Telenet?"
    assert speller.correct("When did ARPNET start?") == "When did ARPANET start?"


def test_a_name_spelt_without_its_accents_becomes_the_corpus_spelling(speller):
    assert speller.correct("Whom did Erdogan meet?") == "Whom did Erdoğan meet?"
    assert speller.correct("Who made Robert of Jumieges archbishop?") == "Who made Robert of Jumièges archbishop?"


@pytest.mark.parametrize(
    "question",
    [
        "What did Iran sign?",  # short: one edit from Iraq, and another country
        "Who guards the Lachin korridor?",  # the first letter is never changed
        "Did they aim at monetizing it?",  # "moneyizing" is one edit away and no English word
        "What did the envoy say in 2021?",  # known words and numbers
        "Which country signed the treaty?",  # English words the corpus does not hold
        "Where is D'Olier Street?",  # a part of a word joined by an apostrophe ("Oliver" is one letter away)
        "Were the drones Turkis-made?",  # or by a hyphen
        "What repels atoms?",  # no English word, yet "rebels" is no typo of it: b is not typed for p
    ],
)
def test_known_english_short_and_unmatched_words_are_left_alone(speller, question):
    assert speller.correct(question) == question
