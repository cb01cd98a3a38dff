"""Pure formatting of the chat UI (ui/format.py): escaping once, plain-text copies, status line, language hint."""

from rag.types import Answer, Citation
from ui import format as fmt


def _citation(n=1, text="Armenia's parliament voted <b>yes</b>.", source="a_b.txt"):
    return Citation(n=n, document_id=f"d{n}", source=source, title="Vote in Yerevan", quote=text, start=0, end=len(text),
                    text=text, text_start=0, text_end=len(text))


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
