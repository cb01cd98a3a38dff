"""Verification of LLM drafts (issue 13): markers wherever models put them, re-citation, clean prose.

A stand-in judge keeps these fast: a sentence is supported when every word of 4+ letters is in the
passage. The real judge is measured in tests/test_judge.py and evals/judge_eval.py."""

import re

import pytest

from rag.verify import check, cited_order, final_text, parse, recited_records, removed_records

PASSAGES = {
    1: "In December, Azerbaijanis who called themselves environmental activists blocked the Lachin Corridor, "
    "the only road connecting the region to Armenia.",
    2: "In November 2020, Russia sent 2,000 troops to Nagorno-Karabakh.",
}


class WordJudge:
    name, threshold = "words", 0.5

    def support(self, sentence: str, passage: str) -> float:
        words = {w for w in re.findall(r"[\w,]+", sentence.lower()) if len(w) >= 4}
        return 1.0 if words and words <= set(re.findall(r"[\w,]+", passage.lower())) else 0.0


@pytest.mark.parametrize(
    "draft, cited",
    [
        ("Activists blocked the Lachin Corridor, the only road connecting the region to Armenia. [1]", [[1]]),  # after the stop
        ("Activists blocked the Lachin Corridor, the only road connecting the region to Armenia [1].", [[1]]),  # before it
        ("Activists blocked the Lachin Corridor.[1] Russia sent 2,000 troops. [2]", [[1], [2]]),
        ("Activists blocked the Lachin Corridor [1][2].", [[1, 2]]),  # grouped
        ("Activists blocked the Lachin Corridor [1, 2].", [[1, 2]]),
        ("Activists blocked the Lachin Corridor. [1] [2]", [[1, 2]]),
        ("Activists blocked the Lachin Corridor.\n[1]", [[1]]),  # on a line of its own
        ("Activists blocked the Lachin Corridor. It is the only road to Armenia. [1]", [[1], [1]]),  # end of a paragraph
        ("Activists blocked the Lachin Corridor [1]. It is the only road to Armenia.", [[1], []]),  # not a paragraph marker
    ],
)
def test_a_marker_binds_to_the_sentence_it_closes(draft, cited):
    parsed = parse(draft)
    assert [c for _, c in parsed.sentences] == cited
    assert all("[" not in text and text.strip() for text, _ in parsed.sentences)


def test_issue_13_trailing_marker_no_longer_makes_an_uncited_sentence():
    """Before: "… Armenia. [1]" was read as an uncited sentence and a textless one."""
    checked = check(
        "Azerbaijanis blocked the Lachin Corridor, the only road connecting the region to Armenia. [1]", PASSAGES, WordJudge()
    )
    assert [(c.verdict, c.cited) for c in checked] == [("supported", [1])]


@pytest.mark.parametrize("draft", ["[1] [2]", "[1][2].", " [1, 2] ", "<evidence>[1]</evidence>", "Answer: [2]"])
def test_a_draft_of_markers_only_is_a_recorded_format_failure(draft):
    checked = check(draft, PASSAGES, WordJudge())
    assert [c.verdict for c in checked] == ["format"]
    assert removed_records(checked) == [{"text": draft.strip(), "reason": "format"}]


def test_a_right_fact_with_the_wrong_number_is_recited_and_recorded():
    draft = "Russia sent 2,000 troops to Nagorno-Karabakh [1]. Armenia lost the enclave [2]. Russia sent 2,000 troops [7]."
    checked = check(draft, PASSAGES, WordJudge())
    assert [(c.verdict, c.cited, c.recited_from) for c in checked] == [
        ("supported", [2], [1]),
        ("unsupported", [2], None),
        ("supported", [2], [7]),
    ]
    assert recited_records(checked)[0] == {
        "text": "Russia sent 2,000 troops to Nagorno-Karabakh.",
        "draft_cited": [1],
        "cited": [2],
    }
    assert [r["reason"] for r in removed_records(checked)] == ["unsupported"]
    assert check(draft, PASSAGES, WordJudge(), recite=False)[0].verdict == "unsupported"


def test_uncited_sentences_are_cited_to_the_passage_that_supports_them():
    """A sentence without a marker is cited to the passage that supports it (recorded as re-cited from no
    marker), or stays uncited and is removed; a paragraph whose only markers close it cites them for each of
    its sentences."""
    draft = "Russia sent 2,000 troops to Nagorno-Karabakh. Armenia lost [1]. Baku is lovely [2]. Turkey sent drones."
    checked = check(draft, PASSAGES, WordJudge())
    assert [(c.verdict, c.cited) for c in checked] == [
        ("supported", [2]),
        ("unsupported", [1]),
        ("unsupported", [2]),
        ("uncited", []),
    ]
    assert recited_records(checked)[0] == {
        "text": "Russia sent 2,000 troops to Nagorno-Karabakh.",
        "draft_cited": [],
        "cited": [2],
    }
    assert [c.verdict for c in check(draft, PASSAGES, WordJudge(), recite=False)][0] == "uncited"
    checked = check("Russia sent 2,000 troops to Nagorno-Karabakh. Armenia lost [1].", PASSAGES, WordJudge())
    assert [(c.verdict, c.cited) for c in checked] == [("supported", [2]), ("unsupported", [1])]


DRAFTS = [
    "<evidence>\nAnswer: Russia sent 2,000 troops to Nagorno-Karabakh, according to article [2].",
    "Russia sent 2,000 troops to Nagorno-Karabakh according to article. [2]",
    "According to passage [2], Russia sent 2,000 troops to Nagorno-Karabakh.",
    "Passage [2] says that Russia sent 2,000 troops to Nagorno-Karabakh.",
    "Russia sent 2,000 troops to Nagorno-Karabakh (see passage [2]).",
    "Question: How many troops?\nFinal answer: Russia sent 2,000 troops to Nagorno-Karabakh [2]. This is supported by passage. [2]",
    "<|im_start|>assistant\nRussia sent 2,000 troops to Nagorno-Karabakh [2]<|im_end|>",
    "Russia sent 2,000 troops to Nagorno-Karabakh. [2]\n\nSources: [2]",
    # seen from Qwen2.5-Coder-1.5B: "the articles" alone went, "…, according to one of. [1]" was left
    "Russia sent 2,000 troops to Nagorno-Karabakh, according to one of the articles [2].",
    "Russia sent 2,000 troops to Nagorno-Karabakh, as reported in both of the provided passages [2].",
]


@pytest.mark.parametrize("draft", DRAFTS)
def test_final_answer_is_prose_with_markers(draft):
    """No scaffolding, no dangling attribution ("according to article. [1]"), no orphan marker."""
    checked = check(draft, PASSAGES, WordJudge())
    text = final_text(checked, {2: 1})
    assert text == "Russia sent 2,000 troops to Nagorno-Karabakh. [1]"


def test_no_scaffolding_or_orphan_markers_in_any_output():
    """Over every draft above and a few hostile ones: what a user would see."""
    hostile = [
        "[1]",
        "Answer:",
        "<evidence>[1] [2]</evidence>",
        "Russia sent 2,000 troops [2]. [1] [2] [3]",
        "Activists blocked the Lachin Corridor [1]. According to the article [2], [2].",
    ]
    for draft in DRAFTS + hostile:
        checked = check(draft, PASSAGES, WordJudge())
        text = final_text(checked, {1: 1, 2: 2})
        assert not re.search(r"</?\w+>|<\||\b(answer|question|sources?)\s*:|according to (the )?(article|passage)", text, re.I), (
            text
        )
        for sentence in re.split(r"(?<=\])\s+", text) if text else []:
            assert re.fullmatch(r"[A-Z].*\w.*[.!?”\"]? (\[\d\])+", sentence), sentence  # text, then its markers


def test_flag_mode_keeps_and_marks_unverified_sentences():
    checked = check("Russia sent 2,000 troops to Nagorno-Karabakh [2]. Armenia lost the enclave [2].", PASSAGES, WordJudge())
    assert final_text(checked, {2: 1}, flag=True) == (
        "Russia sent 2,000 troops to Nagorno-Karabakh. [1] Armenia lost the enclave. (unverified) [1]"
    )


def test_citations_are_renumbered_in_order_of_first_use():
    passages = {**PASSAGES, 3: "Armenia lost the enclave."}
    checked = check(
        "Armenia lost the enclave [3]. Russia sent 2,000 troops to Nagorno-Karabakh [1][2]. Baku is lovely [9].",
        passages,
        WordJudge(),
    )
    order = cited_order(checked, len(passages))
    assert order == [3, 2]  # [1] does not support the second sentence and is dropped from it; [9] does not exist
    renumber = {old: n for n, old in enumerate(order, start=1)}
    assert final_text(checked, renumber) == "Armenia lost the enclave. [1] Russia sent 2,000 troops to Nagorno-Karabakh. [2]"


# --- through the assistant, on the seed index (the real model and reader) -----------------------------------
def test_an_unverifiable_draft_falls_back_to_the_quoted_answer(seeded):
    """Issue 13, item 5: nothing of the draft survives, but the evidence answers: never a refusal."""
    evidence = seeded.explain("Who blocked the Lachin Corridor?")
    extractive = seeded.answer(evidence)
    assert extractive.answered
    for draft in ("[1] [2]", "Not in corpus.", "The moon is made of cheese. [1]"):
        answer = seeded.verify(draft, evidence)
        assert answer.answered and answer.fallback, draft
        assert [c.quote for c in answer.citations] == [c.quote for c in extractive.citations]
    assert [r.reason for r in seeded.verify("[1] [2]", evidence).removed] == ["format"]


def test_a_true_sentence_that_does_not_answer_is_dropped_as_off_topic(seeded):
    """Issue 13, item 4: supported by a passage the reader scores as not answering the question."""
    evidence = seeded.explain("Who blocked the Lachin Corridor?")
    passages = seeded.passages(evidence)
    low = [n for n, c in enumerate(passages, 1) if n > 1 and c.score < 0.2]
    assert low, [c.score for c in passages]
    off = passages[low[0] - 1].text
    answer = seeded.verify(f"{passages[0].text} [1] {off} [{low[0]}]", evidence)
    assert answer.answered and not answer.fallback
    assert [r.reason for r in answer.removed] == ["off-topic"] and answer.removed[0].text.strip() in off
    assert off not in answer.answer and len(answer.citations) == 1


def test_a_passage_that_leans_on_the_sentence_before_comes_with_it(seeded):
    """ "The ministry confirmed that three Armenian police officers were killed" names the ministry in the
    sentence before: the LLM and the judge get both, as the extractive answer quotes them, so a draft that
    names the ministry is supported (before: removed as unsupported, 'Russian Defense' in no passage)."""
    evidence = seeded.explain("How many Armenian police officers were killed in the shootout?")
    passages = seeded.passages(evidence)
    n = next(i for i, c in enumerate(passages, 1) if "The ministry confirmed" in c.text)
    assert passages[n - 1].text.startswith("The Russian Defense Ministry said on Monday")
    answer = seeded.verify(
        f"The Russian Defense Ministry confirmed that three Armenian police officers were killed. [{n}]", evidence
    )
    assert answer.answered and not answer.fallback and not answer.removed
    assert answer.citations[0].quote.startswith("The Russian Defense Ministry said on Monday")
    assert "The ministry confirmed" in answer.citations[0].quote
