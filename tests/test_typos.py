"""Misspelt question words corrected against the corpus's terms (index/typos.py): unit tests, no model loaded."""

import pytest

from index.lexical import LexicalIndex
from index.typos import Speller
from rag import Assistant, Settings
from rag.reader import Reader

TEXTS = [
    "Telenet was founded by Larry Roberts. It developed packet switching for ARPANET.",
    "President Recep Tayyip Erdoğan met the envoy. Robert of Jumièges was made archbishop.",
    "Peacekeepers guard the Lachin corridor. Iraq signed the treaty. Money was raised.",
    "The tension in the strings of a pendulum.",
    "The envoy flew in from Zürich. McDonald opened a restaurant. Turkish drones flew over Oliver Street near Nagorno-Karabakh. Azerbaijan and President Aliyev replied.",
    "Rebels attacked the city. Its dominance ended when the rebels began to dominate the hills.",
    "The diagnosis came late. Paul Valéry wrote about the ceasefire. The plan worked.",
    "The plane landed.",
    "The plane took off.",
]


@pytest.fixture(scope="module")
def speller() -> Speller:
    lexical = LexicalIndex.build([str(i) for i in range(len(TEXTS))], TEXTS)
    return Speller(lexical.df, Reader().words)  # the reader's vocabulary only: no model is loaded


def test_a_misspelt_word_becomes_the_corpus_word_one_edit_away(speller):
    assert speller.correct("Who develped packet switching?") == "Who developed packet switching?"
    assert speller.correct("How strong is the tesion in the strings?") == "How strong is the tension in the strings?"
    assert speller.correct("Where do peacekepers stand?") == "Where do peacekeepers stand?"  # a long term, two wordpieces
    assert speller.correct("Where do peacekeeprs stand?") == "Where do peacekeepers stand?"  # not "peacekeeps", same term
    # a letter typed twice or too many is a likelier typo than one replaced: "plan", though w is beside e ("plane",
    # which more chunks hold)
    assert speller.correct("Did the planw work?") == "Did the plan work?"
    assert speller.correct("Is the 'ceasfire' holding?") == "Is the 'ceasefire' holding?"  # in quotes
    assert speller.correct("Who is the rebls' leader?") == "Who is the rebels' leader?"  # before a plural's apostrophe


def test_a_name_keeps_its_capitals_and_may_become_a_name_of_the_corpus(speller):
    assert speller.correct("Who founded Telnet?") == "Who founded Telenet?"
    assert speller.correct("When did ARPNET start?") == "When did ARPANET start?"
    assert speller.correct("Where did McDonld open?") == "Where did McDonald open?"
    # "lachin" is no English word and a short term: only a name may become it, not a lower-case word or a first word
    assert speller.correct("Who guards the Lachn corridor?") == "Who guards the Lachin corridor?"
    assert speller.correct("who guards the lachn corridor?") == "who guards the lachn corridor?"
    assert speller.correct("Lachn is guarded by whom?") == "Lachn is guarded by whom?"
    # the words a follow-up borrowed do not open a sentence: their first word may be a name
    assert speller.correct("Lachn corridor", opens_sentence=False) == "Lachin corridor"


def test_a_part_of_a_hyphenated_word_and_a_possessive_are_corrected_as_search_reads_them(speller):
    assert speller.correct("Who lives in Nagorno-Karabah?") == "Who lives in Nagorno-Karabakh?"
    assert speller.correct("How big is Azerbaijn's army?") == "How big is Azerbaijan's army?"


def test_a_name_keeps_its_last_letter(speller):
    """Another ending is often another person: "Aliyeva" is not the corpus's "Aliyev"."""
    assert speller.correct("What did Aliyeva say?") == "What did Aliyeva say?"


def test_a_name_spelt_without_its_accents_becomes_the_corpus_spelling(speller):
    assert speller.correct("Whom did Erdogan meet?") == "Whom did Erdoğan meet?"
    assert speller.correct("Where is Zurich?") == "Where is Zürich?"  # an English word too (the reader's vocabulary)
    assert speller.correct("What did Paul Valery write?") == "What did Paul Valéry write?"  # not its stem, "Valéri"
    assert speller.correct("Who made Robert of Jumieges archbishop?") == "Who made Robert of Jumièges archbishop?"


@pytest.mark.parametrize(
    "question",
    [
        "What did Iarq sign?",  # short: "Iraq" with two letters swapped, but one edit from a short word is often another ("Iran")
        "Who guards the Lachin korridor?",  # the first letter is never changed
        "Did they aim at monetizing it?",  # "moneyizing" is one edit away and no English word
        "What did the envoy say in 2021?",  # known words and numbers
        "Which country signed the treaty?",  # English words the corpus does not hold
        "Where is D'Olier Street?",  # a part of a word joined by an apostrophe ("Oliver" is one letter away)
        "What repels atoms?",
        "Who can diagnose it?",  # a form of an English word ("diagnosed"), not a typo of "diagnosis"  # no English word, yet "rebels" is no typo of it: b is not typed for p
    ],
)
def test_known_english_short_and_unmatched_words_are_left_alone(speller, question):
    assert speller.correct(question) == question


def test_the_assistant_searches_with_the_current_index_spelling(tmp_path, hashing):
    """The speller reads the index the assistant searches (rebuilt when it changes), and retrieval searches the
    corrected question: the same chunks and scores as the question spelt right (the test embedder hashes words)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Blockade\n\nAzerbaijanis blocked the Lachin corridor in December.\n", encoding="utf-8")
    (corpus / "b.txt").write_text("Weather\n\nIt rained in the capital for a week.\n", encoding="utf-8")
    assistant = Assistant(Settings(corpus=corpus, data_dir=tmp_path / "data"), embedder=hashing)
    assistant.index()

    def hits(question):
        return [(r.chunk.chunk_id, round(r.score, 6), round(r.dense, 6)) for r in assistant.retrieve(question)]

    assert hits("Who blocked the Lachin Coridor?") == hits("Who blocked the Lachin Corridor?")
    # a question in another language is searched as asked ("corredor" is no misspelt "corridor"; rag/language.py)
    spanish = "¿Quién bloqueó el corredor de Lachin?"
    assert hits(spanish) == [
        (r.chunk.chunk_id, round(r.score, 6), round(r.dense, 6)) for r in assistant.retriever.retrieve(spanish, 5)
    ]
    # an accent typed as its own character ("u" + U+0308) is read as the one character articles use ("ü")
    assert assistant.check_question("Who blocked the Lachin corridor in Zu\u0308rich?").endswith("in Zürich?")
    assert assistant.speller.correct("Where is the Zangezr corridor?") == "Where is the Zangezr corridor?"  # unknown yet
    (corpus / "c.txt").write_text("Route\n\nBaku wants the Zangezur corridor opened.\n", encoding="utf-8")
    assistant.index()
    assert assistant.speller.correct("Where is the Zangezr corridor?") == "Where is the Zangezur corridor?"


def test_near_tells_a_word_one_edit_from_a_corpus_term_and_gives_up_on_what_is_no_word():
    from index.typos import Speller

    speller = Speller({"hamza": 2, "africa": 1, "saarbrücken": 1}, [])  # terms, as the index stems them
    assert speller.near("Hamaz") and speller.near("African") and speller.near("Saarbucken")  # accents aside
    assert not speller.near("Manchester")
    assert not speller.near("Q" * 2000) and not speller.near("Nassau-Saarbucken")  # too long, or no single word
