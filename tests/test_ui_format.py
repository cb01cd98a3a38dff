"""Pure formatting of the chat UI (ui/format.py): escaping once, plain-text copies, status line, language hint."""

import pytest

from rag.types import SHOWN_CHARS, Answer, ArticleInfo, Citation
from ui import format as fmt


def _citation(n=1, text="Armenia's parliament voted <b>yes</b>.", source="a_b.txt"):
    return Citation(
        n=n,
        document_id=f"d{n}",
        source=source,
        title="Vote in Yerevan",
        quote=text,
        start=0,
        end=len(text),
        text=text,
        text_start=0,
        text_end=len(text),
    )


def _answer(**kw):
    c = _citation()
    return Answer(status="answered", answer=f"{c.text} [1]", citations=[c], question="Q", searched="Q", **kw)


def test_apostrophes_are_escaped_once():  # item 1
    assert fmt.esc_md("Azerbaijan's") == "Azerbaijan's"
    assert fmt.esc_md("<b>&") == "&lt;b&gt;&amp;"
    assert "&#x27;" not in fmt.answer_parts(_answer())[-1]
    assert "&#x27;" not in "".join(fmt.answer_parts(_answer()))


def test_copy_text_is_plain():  # item 4
    text = fmt.copy_text(_answer())
    assert text.startswith("Armenia's parliament voted <b>yes</b>. [1]")
    assert "Sources:\n[1] Vote in Yerevan (a_b.txt)\n    “Armenia's parliament voted <b>yes</b>.”" in text
    assert "href" not in text and "\\" not in text


def test_citation_links_point_at_their_own_answer():  # item 3
    html = fmt.answer_parts(_answer(), k=3)[-1]
    assert 'href="#src-3-1"' in html
    assert 'id="src-3-1"' in fmt.sources_html(_answer(), {}, k=3)


def test_refusal_wording_is_the_apis():  # item 10
    from rag.answer import NOT_IN_CORPUS

    assert NOT_IN_CORPUS == "The corpus does not say."
    refusal = Answer(status="not_in_corpus", answer=NOT_IN_CORPUS)
    assert NOT_IN_CORPUS in fmt.answer_parts(refusal)[0]
    assert "Not in the corpus" not in fmt.answer_parts(refusal)[0]


def test_a_refusal_says_what_the_closest_passages_lack():
    from rag.answer import NOT_IN_CORPUS

    refusal = Answer(status="not_in_corpus", answer=NOT_IN_CORPUS, reason="The passages that come closest give no number")
    assert "The passages that come closest give no number" in fmt.answer_parts(refusal)[0]
    related = refusal.model_copy(update={"related": [_citation(1)]})
    assert "give no number — they are shown under <em>Related</em>." in fmt.answer_parts(related)[0]
    assert fmt.plain_answer(refusal) == "The corpus does not say. The passages that come closest give no number."
    one = related.model_copy(update={"reason": "The passage that comes closest does not say what Putin said"})
    assert "said — it is shown under <em>Related</em>." in fmt.answer_parts(one)[0]  # not "the passage … — they are"
    plain = Answer(status="not_in_corpus", answer=NOT_IN_CORPUS)
    assert fmt.plain_answer(plain) == f"{NOT_IN_CORPUS} {fmt.REFUSAL_DETAIL}."
    # a reason about the question, not the passages: the passages shown are only the closest
    unheard = related.model_copy(update={"reason": "The indexed articles never mention “Porto”"})
    assert "never mention “Porto”" + fmt.RELATED_NOTE in fmt.answer_parts(unheard)[0]


def test_related_badge_is_a_word_and_repeats_are_dropped():  # item 10
    a, b = _citation(1), _citation(2)
    b.document_id = a.document_id
    refusal = Answer(status="not_in_corpus", answer="The corpus does not say.", related=[a, b])
    html = fmt.sources_html(refusal, {})
    assert "Related</span>" in html and "•" not in html
    assert html.count('class="source-card"') == 1


def test_status_line_has_no_path_or_model():  # item 12
    line = fmt.status_line("/srv/secret/data/seeds", 9, 30)
    assert line == "**seeds** · 9 articles · 30 chunks"
    assert "/srv" not in fmt.status_line("C:\\srv\\news", 1, 1)


def test_non_english_questions_are_recognised():  # item 14
    assert fmt.looks_non_english("Кто заблокировал Лачинский коридор?")
    assert fmt.looks_non_english("¿Quién bloqueó el corredor de Lachin?")
    assert fmt.looks_non_english("Qui a bloqué le corridor de Latchine et pourquoi ?")
    assert not fmt.looks_non_english("Who blocked the Lachin Corridor?")
    assert not fmt.looks_non_english("What did Nikol Pashinyan say in Yerevan?")
    assert "searched in English" in fmt.language_note("Кто заблокировал Лачинский коридор?")


def test_only_http_urls_become_links():  # issue 9 item 9: a JSONL url "javascript:…" ran in the app's origin
    for url in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,<script>1</script>",
        "vbscript:x",
        "//evil.example",
    ):
        c = _citation()
        c.url = url
        html = fmt.sources_html(Answer(status="answered", answer="x [1]", citations=[c]), {})
        assert 'href="' + fmt.esc(url) not in html and "original</a>" not in html, url
    c = _citation()
    c.url = "https://news.example/a?b=1&c=2"
    html = fmt.sources_html(Answer(status="answered", answer="x [1]", citations=[c]), {})
    assert 'href="https://news.example/a?b=1&amp;c=2"' in html


def test_upload_names_keep_their_checked_extension():  # issue 9 item 9
    from ui.uploads import safe_upload_name

    assert safe_upload_name("L" * 140 + ".txt") == "L" * 116 + ".txt"
    assert safe_upload_name("N" * 114 + ".jsonl.txt") == "N" * 114 + ".j.txt"
    assert len(safe_upload_name("x" * 300 + ".html")) == 120
    for bad in ("N" * 116 + ".txt.exe", "M" * 200 + ".txtx", "T" * 200):
        with pytest.raises(ValueError):
            safe_upload_name(bad)


def test_repeated_upload_names_keep_both(tmp_path):  # issue 9 item 9
    from ui.uploads import free_upload_name

    (tmp_path / "a.txt").write_bytes(b"one")
    assert free_upload_name(tmp_path, "a.txt", b"one") == ("a.txt", True)  # the same text: nothing new to add
    assert free_upload_name(tmp_path, "a.txt", b"two") == ("a (2).txt", False)
    (tmp_path / "a (2).txt").write_bytes(b"two")
    assert free_upload_name(tmp_path, "a.txt", b"three") == ("a (3).txt", False)
    assert free_upload_name(tmp_path, "b.txt", b"two") == ("b.txt", False)


def test_article_list_is_paged_and_searched():  # issue 10 item 15
    rows = [
        ArticleInfo(document_id=str(i), title=f"Report {i} <b>", source=f"gen/{i:06d}.txt", chunk_count=1) for i in range(100_000)
    ]
    html, page = fmt.articles_page(rows, "", 1)
    assert page == 1 and html.count("<tr>") == 51 and "1–50 of 100,000 articles · page 1 of 2,000" in html
    assert len(html) < 10_000 and "&lt;b&gt;" in html
    html, page = fmt.articles_page(rows, "", 5000)
    assert page == 2000 and "99,951–100,000 of 100,000" in html
    html, page = fmt.articles_page(rows, "gen/04242", 1)
    assert "of 10 articles matching “gen/04242”" in html and html.count("<tr>") == 11
    html, page = fmt.articles_page(rows, "no such article", 3)
    assert page == 1 and "No article matches" in html
    assert "No articles indexed" in fmt.articles_page([], "", 1)[0]


def test_indexing_notes_name_the_files():  # issue 10 item 6
    assert "“a.txt” is being indexed" in fmt.indexing_note(["a.txt"])
    assert "“a.txt” and “b&lt;.txt” are being indexed" in fmt.indexing_note(["a.txt", "b<.txt"])
    assert fmt.still_indexing_text(["a.txt"]).endswith("ask again in a minute.")


def test_the_sources_panel_repeats_a_long_question_by_its_start():
    """A question pasted at length is shown whole in the chat; the sources panel's "For: …" line repeats its start."""
    long = "Why " + "very " * 100 + "long?"
    refused = Answer(status="not_in_corpus", answer="The corpus does not say.")
    for html in (fmt.sources_html(refused, {}, question=long), fmt.message_sources_html("Too long.", 0, question=long)):
        line = html.split('<div class="sources-question">')[1].split("</div>")[0]
        assert line.startswith("For: “Why very") and line.endswith("…”") and len(line) < SHOWN_CHARS + 12, line
    short = fmt.sources_html(refused, {}, question="Who blocked the road?")
    assert "For: “Who blocked the road?”" in short


@pytest.mark.parametrize(
    "asked, searched, note",
    [
        ("Who blocked the Lachin Coridor?", "Who blocked the Lachin Corridor?", "spelling of the articles: Coridor → Corridor"),
        ("When did Herve and Mongke meet?", "When did Hervé and Möngke meet?", "Herve → Hervé, Mongke → Möngke"),
        ("What did he say?", "What did Putin say?", "Searched for: “What did Putin say?”"),  # a follow-up, not a typo
        ("What did it announce?", "What did IBM announce?", "Searched for: “What did IBM announce?”"),
        ("what did they say", "What did they say", "Searched for: “What did they say”"),  # capitals are no spelling
        ("Who blocked it?", "Who blocked it?", ""),
    ],
)
def test_the_answer_says_which_words_were_searched_spelt_otherwise(asked, searched, note):
    shown = fmt.searched_note(_answer().model_copy(update={"question": asked, "searched": searched}))
    assert (note in shown) if note else shown == ""


def test_a_long_searched_question_is_shown_by_its_start():
    searched = "Why " + "very " * 300 + "long?"
    shown = fmt.searched_note(_answer().model_copy(update={"question": "Why that?", "searched": searched}))
    assert "Searched for: “Why very" in shown and "…”" in shown and len(shown) < SHOWN_CHARS + 60


def test_a_sources_publication_date_reads_as_a_date():
    """A web page's metadata gives "2026-11-23T15:45:00-05:00" (seen on a new user's upload): the card says
    "23 November 2026"; a dateline that does not read as a date is shown as written."""
    c = _citation().model_copy(update={"outlet": "The Valley Courier", "published": "2026-11-23T15:45:00-05:00"})
    html = fmt.sources_html(_answer().model_copy(update={"citations": [c]}), {})
    assert "a_b.txt · The Valley Courier · 23 November 2026 ·" in html and "T15:45" not in html
    assert "[1] Vote in Yerevan (a_b.txt · The Valley Courier · 23 November 2026)" in fmt.copy_text(
        _answer().model_copy(update={"citations": [c]})
    )
    assert c.model_copy(update={"published": "Spring 2026"}).about() == "a_b.txt · The Valley Courier · Spring 2026"
