"""The chat UI, driven in a real Chromium against a real `rag serve`, plus its API endpoint."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from evals.dataset import load_cases

from .conftest import ARTIFACTS, SEEDS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory, seeded, seed_dir):
    """`rag serve` in its own process over a copy of the seed index: (url, data dir, log file)."""
    root = tmp_path_factory.mktemp("ui")
    data = root / "data"
    shutil.copytree(seed_dir, data)
    port = _free_port()
    log = open(root / "serve.log", "w")
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "serve", "--port", str(port), "--corpus", str(SEEDS), "--data-dir", str(data)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=root,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"rag serve exited: {(root / 'serve.log').read_text()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        raise RuntimeError("rag serve did not come up in 120 s")
    yield url, data, root / "serve.log"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def server(served):
    return served[0]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(server, wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea", timeout=30_000)
    yield page
    context.close()


DOC_SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def _shot(page, name, docs=False, full_page=False):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
    if docs and os.environ.get(
        "UPDATE_DOC_SCREENSHOTS"
    ):  # a state the documentation shows (docs/screenshots/): refreshed on request
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOC_SHOTS / f"{name}.png"), full_page=full_page)


def _ask(page, question):
    before = page.locator("#chat [data-testid='bot']").count()
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(f"() => document.querySelectorAll(\"#chat [data-testid='bot']\").length > {before}", timeout=30_000)
    return before


def _last_bot(page):
    return page.locator("#chat [data-testid='bot']").last


def _wait_answer(page, timeout=60_000):
    page.wait_for_function(
        """() => { const b = [...document.querySelectorAll("#chat [data-testid='bot']")].pop();
                   return b && !b.innerText.includes('Searching the articles'); }""",
        timeout=timeout,
    )
    page.wait_for_timeout(600)  # the rest of the streamed sentences
    return _last_bot(page)


def test_answer_with_clickable_citation_and_highlighted_source(page):
    _ask(page, "Who blocked the Lachin Corridor?")
    bot = _wait_answer(page)
    assert "environmental activists" in bot.inner_text()
    link = bot.locator("a.cite").first
    assert link.inner_text() == "[1]"
    card = page.locator("#src-0-1")
    assert "environmental activists" in card.locator("mark").first.inner_text()
    assert "000_09181bd4437617d1.txt" in card.inner_text()
    link.click()
    page.wait_for_function("() => document.getElementById('src-0-1').classList.contains('active')", timeout=5000)
    card.locator("summary").click()
    assert card.locator(".article-text mark").is_visible()
    assert "Lachin Corridor" in card.locator(".article-text mark").inner_text()
    _shot(page, "answer-with-sources")


def test_off_corpus_question_is_shown_as_not_in_corpus(page):
    _ask(page, "Who won the 2018 FIFA World Cup?")
    bot = _wait_answer(page)
    assert "The corpus does not say." in bot.inner_text()
    assert bot.locator("a.cite").count() == 0
    assert "Sources" not in page.locator("#sources").inner_text().split("\n")[0]
    _shot(page, "not-in-corpus")


def test_follow_up_question_shows_what_was_searched(page):
    _ask(page, "Who blocked the Lachin Corridor?")
    _wait_answer(page)
    _ask(page, "What does Baku say about it?")
    bot = _wait_answer(page)
    assert "Searched for: “What does Baku say about the Lachin Corridor?”" in bot.inner_text()
    assert "\\" not in bot.inner_text()  # Markdown escapes are rendered, not shown
    _shot(page, "follow-up")


def test_upload_an_article_and_ask_about_it(page, tmp_path):
    article = tmp_path / "quokka.txt"
    article.write_text(
        "Quokka census in Gyumri\n\nThe Gyumri zoo counted 41 quokkas on Tuesday, its director said.\n", encoding="utf-8"
    )
    page.click("#corpus button, #corpus .label-wrap")
    page.set_input_files("#upload input[type=file]", str(article))
    page.wait_for_function("() => document.querySelector('#upload-msg').innerText.includes('Indexed')", timeout=60_000)
    assert "quokka.txt" in page.locator("#articles").inner_text()
    _ask(page, "How many quokkas did the Gyumri zoo count?")
    bot = _wait_answer(page)
    assert "41 quokkas" in bot.inner_text()
    assert "uploads/quokka.txt" in page.locator(".answer-sources.current .source-card").first.inner_text()


def test_html_and_script_in_an_article_are_shown_literally(page, tmp_path):
    article = tmp_path / "inject.txt"
    article.write_text(
        "Pelican report\n\nThe pelican festival drew 900 visitors to Sevan on Friday. Its poster read "
        '<script>window.__pwned = 1</script> and <img src=x onerror="window.__pwned = 2">.\n',
        encoding="utf-8",
    )
    page.click("#corpus button, #corpus .label-wrap")
    page.set_input_files("#upload input[type=file]", str(article))
    page.wait_for_function("() => document.querySelector('#upload-msg').innerText.includes('Indexed')", timeout=60_000)
    _ask(page, "How many visitors did the pelican festival <script>window.__pwned = 3</script> draw to Sevan?")
    bot = _wait_answer(page)
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__pwned") is None  # no script and no onerror handler ran
    assert "900 visitors" in bot.inner_text()
    card = page.locator(".answer-sources.current .source-card").first.inner_text()  # the quote in its surrounding text
    assert "<script>window.__pwned = 1</script>" in card and '<img src=x onerror="window.__pwned = 2">' in card
    assert "<script>window.__pwned = 3</script>" in page.locator("#chat [data-testid='user']").last.inner_text()
    _shot(page, "literal-html")


def test_narrow_screen_layout(browser, server):
    """Between a phone and a desktop (800 px) the sources are stacked below the chat (phones get a drawer)."""
    context = browser.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    page.goto(server, wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea", timeout=30_000)
    page.click("button.example >> nth=0")
    _wait_answer(page)
    chat, sources = page.locator("#chat").bounding_box(), page.locator("#sources").bounding_box()
    assert sources["y"] >= chat["y"] + chat["height"] - 1  # stacked, not squeezed side by side
    _shot(page, "narrow")
    context.close()


def test_api_endpoint_returns_the_structured_answer(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    result = client.predict("Who blocked the Lachin Corridor?", "", api_name="/ask")
    assert result["status"] == "answered"
    c = result["citations"][0]
    assert (SEEDS / c["source"]).read_text(encoding="utf-8")[c["start"] : c["end"]] == c["quote"]
    follow = client.predict("What does Baku say about it?", result["searched"], api_name="/ask")
    assert follow["searched"] == "What does Baku say about the Lachin Corridor?"
    refused = client.predict("", "", api_name="/ask")
    assert refused["status"] == "error" and "empty" in refused["error"]
    assert set(refused) == set(result)  # one shape for answers and errors


def test_ten_concurrent_clients_each_get_their_own_answer(server):
    from gradio_client import Client

    from .test_answers import KNOWN_MISSES

    questions = [q for q in load_cases() if q.answerable and q.id not in KNOWN_MISSES][:10]  # concurrency, not accuracy

    def one(q):
        started = time.perf_counter()
        result = Client(server, verbose=False).predict(q.question, "", api_name="/ask")
        return q, result, time.perf_counter() - started

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(one, questions))
    latencies = sorted(t for _, _, t in results)
    for q, result, _ in results:
        assert result["status"] == "answered", (q.question, result)
        assert result["question"] == q.question
        assert result["citations"][0]["source"] in q.sources
    print(f"10 concurrent clients: p50 {latencies[4]:.2f} s, max {latencies[-1]:.2f} s")


# --- issue 10: every defect a new user hit ------------------------------------------------------------------------


def _texts(page, selector):
    return [t for t in page.locator(selector).all_inner_texts()]


def _status_articles(page):
    page.wait_for_function("() => /\\d+ articles?/.test(document.querySelector('#status')?.innerText || '')", timeout=30_000)
    return int(re.search(r"(\d+) articles?", page.locator("#status").inner_text()).group(1))


def _open_corpus(page):
    if not page.locator("#upload-msg").count():
        page.click("#corpus button, #corpus .label-wrap")
    page.wait_for_selector("#upload-msg", state="attached", timeout=10_000)


def _upload(page, files, expect="Indexed", timeout=90_000):
    _open_corpus(page)
    page.set_input_files("#upload input[type=file]", files)
    page.wait_for_function(
        f"() => (document.querySelector('#upload-msg')?.innerText || '').includes({expect!r})", timeout=timeout
    )


def test_apostrophes_are_shown_as_apostrophes(page):
    """Item 1: the question and the answer are escaped once, so "Azerbaijan's" never shows as "Azerbaijan&#x27;s"."""
    _ask(page, "What did Azerbaijan's army do after the ceasefire?")
    bot = _wait_answer(page)
    user = page.locator("#chat [data-testid='user']").last.inner_text()
    assert "Azerbaijan's army" in user
    for text in [user, bot.inner_text(), page.locator("#sources").inner_text()]:
        assert "&#x27;" not in text and "&amp;" not in text and "&quot;" not in text
    _shot(page, "apostrophe", docs=True)


def test_copy_and_screen_reader_label_are_plain_text(page):
    """Item 4: "Copy" gives the answer then its numbered sources, and the aria-label is the text, never markup."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _ask(page, "How many peacekeepers did Russia deploy in Nagorno-Karabakh?")
    bot = _wait_answer(page)
    user_label = page.locator("#chat [data-testid='user']").last.get_attribute("aria-label")
    bot_label = bot.get_attribute("aria-label")
    assert "Nagorno-Karabakh" in user_label
    for label in (user_label, bot_label):
        assert "<" not in label and "\\" not in label and "href" not in label
    page.locator("#chat button[aria-label='Copy message']").last.click()
    page.wait_for_function("() => window.__copied !== undefined", timeout=5000)
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "<" not in copied and "\\" not in copied and "href" not in copied, copied
    cards = page.locator(".answer-sources.current .source-card")
    assert cards.count() >= 1
    first_file = cards.first.locator(".source-meta").inner_text().split(" · ")[0]
    assert first_file in copied  # the numbered sources follow the answer: title, file, quote
    assert ("Sources:" in copied and "[1] " in copied) or "Related passages" in copied
    assert copied.index(bot.inner_text().split("\n")[-1][:20]) < copied.index(first_file)


def test_corpus_status_is_read_on_page_load_and_after_upload(page, browser, server, tmp_path):
    """Item 2: a new visitor after an upload sees the new counts and the new article, not the counts at start."""
    before = _status_articles(page)
    article = tmp_path / "walrus.txt"
    article.write_text("Walrus sighting in Batumi\n\nA walrus was seen on the beach of Batumi on Monday.\n", encoding="utf-8")
    _upload(page, str(article))
    page.wait_for_function(f"() => document.querySelector('#status').innerText.includes('{before + 1} articles')", timeout=10_000)
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    visitor = context.new_page()
    visitor.goto(server, wait_until="domcontentloaded")
    assert _status_articles(visitor) == before + 1
    _open_corpus(visitor)
    assert "walrus.txt" in visitor.locator("#articles").inner_text()
    _shot(visitor, "status-after-upload", docs=True)
    context.close()


def test_status_line_shows_no_server_path_or_model(page, served):
    """Item 12: visitors see the corpus name and counts only."""
    _, data, _ = served
    _status_articles(page)
    status = page.locator("#status").inner_text()
    assert str(data) not in status and "/" not in status
    assert "MiniLM" not in status and "@" not in status and "model" not in status
    assert "seeds" in status and "chunks" in status


def test_empty_question_adds_no_bubble(page):
    """Item 10: pressing Ask with nothing typed does nothing."""
    page.click("#ask")
    page.locator("#question textarea").press("Enter")
    page.wait_for_timeout(1500)
    assert page.locator("#chat [data-testid='user']").count() == 0
    assert page.locator("#chat [data-testid='bot']").count() == 0


def test_chat_trash_icon_clears_the_sources_too(page):
    """Item 10: the chat's own clear (trash) button also clears the sources panel."""
    page.click("button.example >> nth=0")
    _wait_answer(page)
    assert page.locator(".answer-sources").count() == 1
    page.locator("#chat button[aria-label='Clear']").click()
    page.wait_for_function("() => document.querySelectorAll('.answer-sources').length === 0", timeout=10_000)
    assert "Sources of the answer appear here" in page.locator("#sources").inner_text()
    # and the next question starts a new conversation: its links point at its own (first) sources
    _ask(page, "Who blocked the Lachin Corridor?")
    bot = _wait_answer(page)
    assert all(h.startswith("#src-0-") for h in bot.locator("a.cite").evaluate_all("els => els.map(e => e.getAttribute('href'))"))


def test_one_refusal_wording_in_the_ui_and_the_api(page, server):
    """Item 10: the UI and the API both say "The corpus does not say." """
    from gradio_client import Client

    _ask(page, "Who won the 2018 FIFA World Cup?")
    bot = _wait_answer(page)
    result = Client(server, verbose=False).predict("Who won the 2018 FIFA World Cup?", "", api_name="/ask")
    if result["status"] != "not_in_corpus":
        pytest.skip("this reader model answers an off-corpus question (a smoke-test model?)")
    assert result["answer"] in bot.inner_text()
    assert "Not in the corpus" not in bot.inner_text()


def test_layout_label_examples_and_new_conversation(page):
    """Item 10: no label floats over the messages; example buttons are equally tall; "New conversation" is no example."""
    page.click("button.example >> nth=1")
    _wait_answer(page)
    area = page.locator("#chat .bubble-wrap, #chat [role='log']").first.bounding_box()
    for label in page.locator("#chat [data-testid='block-label'], #chat label").all():
        if label.is_visible():
            box = label.bounding_box()
            overlaps = not (box["y"] + box["height"] <= area["y"] or box["y"] >= area["y"] + area["height"])
            assert not overlaps, "the chat's label floats over the messages"
    heights = [b.bounding_box()["height"] for b in page.locator("#examples button.example").all()]
    assert max(heights) - min(heights) <= 1, heights
    clear, example = page.locator("#clear"), page.locator("#examples button.example").first
    assert page.locator("#examples #clear").count() == 0
    assert clear.bounding_box()["y"] < page.locator("#chat").bounding_box()["y"]  # a conversation control, above the chat
    style = "el => getComputedStyle(el).backgroundColor + '|' + getComputedStyle(el).borderTopWidth"
    assert clear.evaluate(style) != example.evaluate(style)
    _shot(page, "layout", docs=True)


def test_each_answer_keeps_its_own_sources(page):
    """Item 3: [1] in an earlier answer shows that answer's source 1, not the newest answer's."""
    _ask(page, "How many peacekeepers did Russia deploy in Nagorno-Karabakh?")
    _wait_answer(page)
    first = page.locator("#chat [data-testid='bot']").nth(0)
    _ask(page, "Who blocked the Lachin Corridor?")
    _wait_answer(page)
    first_links = first.locator("a.cite")
    if first_links.count() == 0:
        pytest.skip("the first question was not answered by this reader model")
    link = first_links.last
    target = link.get_attribute("href")[1:]
    assert target.startswith("src-0-")
    link.click()
    page.wait_for_function(f"() => document.getElementById('{target}').classList.contains('active')", timeout=5000)
    assert page.locator(".answer-sources.current").get_attribute("data-answer") == "0"
    card = page.locator(f"#{target}")
    assert card.is_visible()
    assert "How many peacekeepers" in page.locator(".answer-sources.current .sources-question").inner_text()
    page.wait_for_timeout(600)  # the smooth scroll to the card
    _shot(page, "older-answer-citation", docs=True, full_page=True)


def test_a_question_sent_while_the_last_is_answered_is_asked_after_it(page):
    """A question typed and sent while the previous answer was still coming was wiped from the box by that answer's
    updates and never asked (the send was ignored while an answer was pending)."""
    first, second = "Who blocked the Lachin Corridor?", "When did Nagorno-Karabakh declare independence?"
    _ask(page, first)  # returns once "Searching the articles…" is shown
    page.fill("#question textarea", second)
    page.click("#ask")
    page.wait_for_function(
        """() => { const b = [...document.querySelectorAll("#chat [data-testid='bot']")];
                   return b.length == 2 && !b[1].innerText.includes('Searching the articles'); }""",
        timeout=60_000,
    )
    page.wait_for_timeout(600)  # the rest of the streamed sentences
    assert _texts(page, "#chat [data-testid='user']") == [first, second]
    answers = _texts(page, "#chat [data-testid='bot']")
    assert "blocked the Lachin Corridor" in answers[0] and "1991" in answers[1], answers
    assert page.locator("#question textarea").input_value() == ""


def test_upload_names_are_sanitised_and_temp_files_deleted(page, served):
    """Item 5: odd names are made safe (and the user is told), rejected files leave nothing behind, progress is shown."""
    _, data, log_file = served
    _open_corpus(page)
    page.evaluate("""() => { window.__uploadTexts = [];
        new MutationObserver(() => window.__uploadTexts.push(document.querySelector('#upload-msg').innerText))
          .observe(document.querySelector('#upload-msg'), {childList: true, subtree: true, characterData: true}); }""")
    _upload(
        page,
        [
            {
                "name": "..\\..\\evil2.txt",
                "mimeType": "text/plain",
                "buffer": b"Ibex count\n\nRangers counted 23 ibexes near Meghri.\n",
            },
            {"name": ".bashrc.txt", "mimeType": "text/plain", "buffer": b"Lynx count\n\nRangers counted 4 lynxes near Ijevan.\n"},
            {"name": "big.txt", "mimeType": "text/plain", "buffer": b"a" * 5_000_000},
            {"name": "blob.txt", "mimeType": "text/plain", "buffer": b"\x00\x01binary" * 100},
        ],
    )
    message = page.locator("#upload-msg").inner_text()
    assert "evil2.txt" in message and "was saved as" in message, message
    assert "“.bashrc.txt” was saved as “bashrc.txt”" in message
    assert "big.txt" in message and "blob.txt" in message and "Not added" in message
    assert "“blob.txt” looks binary (it contains NUL bytes)" in message, message  # the indexer's reason, told alike
    assert "Error" not in page.locator("#upload").inner_text()
    assert any("Indexing" in t for t in page.evaluate("() => window.__uploadTexts"))  # progress while indexing
    table = page.locator("#articles").inner_text()
    assert "uploads/evil2.txt" in table and "uploads/bashrc.txt" in table
    leftovers = [
        p.name
        for p in (data / "gradio-tmp").rglob("*")
        if p.is_file() and p.name.endswith(("big.txt", "blob.txt", "evil2.txt", "bashrc.txt"))
    ]
    assert leftovers == []
    assert "InvalidPathError" not in log_file.read_text()
    page.locator("#upload-msg").scroll_into_view_if_needed()
    _shot(page, "upload-renamed", docs=True)


def test_an_upload_with_no_article_text_is_not_added_nor_reported_again(page, served):
    """A file the indexer skips ("holds no article text after cleaning") was reported as "Indexed empty.md: 0 added
    … You can ask about them now", then "Not added", and kept in uploads/: every later upload reported it again."""
    _, data, _ = served
    _upload(
        page, [{"name": "empty.md", "mimeType": "text/markdown", "buffer": b"---\ntitle: Empty\n---\n\n"}], expect="Not added"
    )
    message = page.locator("#upload-msg").inner_text()
    assert "Indexed" not in message and "“empty.md”: holds no article text" in message, message
    _upload(
        page,
        [
            {
                "name": "otters.md",
                "mimeType": "text/markdown",
                "buffer": b"Otters return\n\nOtters were seen in the Debed river.\n",
            }
        ],
    )
    message = page.locator("#upload-msg").inner_text()
    assert "Indexed otters.md" in message and "empty" not in message, message
    assert sorted(p.name for p in (data / "uploads").iterdir() if p.name.endswith(".md")) == ["otters.md"]


def test_full_article_box_scrolls_to_the_passage(page, tmp_path):
    """Item 7: "Open the full article" shows the highlighted passage, even far down a long article."""
    filler = "\n\n".join(
        f"Item {i} of the Vanadzor municipal budget covers routine road repairs and street lighting." for i in range(60)
    )
    article = tmp_path / "meteors.txt"
    article.write_text(
        "Vanadzor budget and the Byurakan meteors\n\n"
        + filler
        + "\n\nThe Byurakan observatory recorded 17 meteors on Sunday night, its director said.\n",
        encoding="utf-8",
    )
    _upload(page, str(article))
    _ask(page, "How many meteors did the Byurakan observatory record on Sunday night?")
    _wait_answer(page)
    cards = page.locator(".answer-sources.current .source-card")
    deep = 0
    for i in range(cards.count()):
        card = cards.nth(i)
        card.locator("summary").click()
        page.wait_for_timeout(300)
        box, mark = card.locator(".article-text"), card.locator(".article-text mark").first
        offset = mark.evaluate("(m) => m.offsetTop - m.closest('.article-text').offsetTop")
        deep += offset > box.evaluate("b => b.clientHeight")
        b, m = box.bounding_box(), mark.bounding_box()
        assert b["y"] <= m["y"] and m["y"] + min(m["height"], 40) <= b["y"] + b["height"], (b, m)
    assert deep, "no card had its passage below the first screen of the full article"
    _shot(page, "full-article-scrolled", docs=True)


def test_errors_from_the_api_have_the_answer_shape(server):
    """Item 13: /ask answers and errors share one typed shape (AskResult)."""
    from gradio_client import Client

    client = Client(server, verbose=False)
    answer = client.predict("Who blocked the Lachin Corridor?", "", api_name="/ask")
    for bad in ("", "x" * 5000):
        error = client.predict(bad, "", api_name="/ask")
        assert set(error) == set(answer)
        assert error["status"] == "error" and error["error"] and error["answer"] == error["error"]
        assert error["citations"] == [] and error["related"] == [] and error["confidence"] == 0.0
    assert answer["error"] == ""


def test_question_in_another_language_says_articles_are_english(page):
    """Item 14: a Russian question is told that the articles are searched in English."""
    _ask(page, "Кто заблокировал Лачинский коридор?")
    bot = _wait_answer(page)
    assert "searched in English" in bot.inner_text()
    _shot(page, "non-english-question", docs=True)
    _ask(page, "Who blocked the Lachin Corridor?")
    assert "searched in English" not in _wait_answer(page).inner_text()


# --- issue 10, items 6, 9, 11, 15 and issue 9, items 6 and 9 ------------------------------------------------------


def test_question_asked_while_an_upload_is_indexed_waits_for_it(page, tmp_path):
    """Item 6: asked while its article is being indexed, a question is told so and answered once indexing is done."""
    filler = "\n\n".join(
        f"Paragraph {i} of the Armavir annual report lists routine repairs to fences, paths and the "
        f"visitor centre number {i}, with costs in drams."
        for i in range(1500)
    )
    article = tmp_path / "flamingos.txt"
    article.write_text(
        "Armavir reserve annual report\n\n"
        + filler
        + "\n\nThe Armavir reserve counted 312 flamingos on Wednesday, its warden said.\n",
        encoding="utf-8",
    )
    _open_corpus(page)
    page.set_input_files("#upload input[type=file]", str(article))
    page.wait_for_function("() => (document.querySelector('#upload-msg')?.innerText || '').includes('Indexing')", timeout=30_000)
    page.evaluate("""() => { window.__botTexts = [];
        new MutationObserver(() => { const b = [...document.querySelectorAll("#chat [data-testid='bot']")].pop();
                                     if (b) window.__botTexts.push(b.innerText); })
          .observe(document.querySelector('#chat'), {childList: true, subtree: true, characterData: true}); }""")
    _ask(page, "How many flamingos did the Armavir reserve count on Wednesday?")
    assert "Indexed" not in page.locator("#upload-msg").inner_text(), "indexing ended before the question: no test"
    page.wait_for_function("() => document.querySelector('#upload-msg').innerText.includes('Indexed')", timeout=120_000)
    bot = _wait_answer(page, timeout=120_000)
    page.wait_for_function(
        "() => /312 flamingos|does not say|ask again/.test([...document.querySelectorAll(\"#chat [data-testid='bot']\")].pop().innerText)",
        timeout=60_000,
    )
    seen = page.evaluate("() => window.__botTexts")
    # the article's chunks are searchable as soon as they are written, a little before indexing ends
    # (its BM25 index and the question encoder's check come last): then the first answer is already right
    first = next((t for t in seen if t and "Searching" not in t), "")
    assert "“flamingos.txt” is being indexed" in first or "312 flamingos" in first, seen[-3:]
    assert not any("does not say" in t for t in seen), seen[-3:]
    assert "312 flamingos" in bot.inner_text()
    assert "does not say" not in bot.inner_text()


def test_mobile_question_stays_in_view_and_sources_are_one_tap_away(browser, server):
    """Item 11: at 390x844, after an answer the question is still on screen, and the sources open with one tap."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server, wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea", timeout=30_000)
    _ask(page, "How many peacekeepers did Russia deploy in Nagorno-Karabakh?")
    _wait_answer(page)
    _ask(page, "Who blocked the Lachin Corridor?")
    bot = _wait_answer(page)
    page.wait_for_timeout(500)

    def on_screen(locator):
        box = locator.bounding_box()
        chat = page.locator("#chat").bounding_box()
        return box and 0 <= box["y"] and box["y"] + 20 <= 844 and chat["y"] - 1 <= box["y"] <= chat["y"] + chat["height"]

    question = page.locator("#chat [data-testid='user']").last
    assert "Lachin" in question.inner_text()
    assert on_screen(question), (question.bounding_box(), page.locator("#chat").bounding_box())
    assert on_screen(bot)  # the answer's start, below its question
    tab = page.locator("#sources-tab")
    assert tab.is_visible() and tab.bounding_box()["y"] + tab.bounding_box()["height"] <= 844
    assert "Sources (" in tab.inner_text()
    assert not page.locator(".answer-sources.current .source-card").first.is_visible()  # no sources 1,000 px down
    _shot(page, "mobile-answer", docs=True)
    tab.tap()
    card = page.locator(".answer-sources.current .source-card").first
    page.wait_for_timeout(400)  # the drawer slides in
    box = card.bounding_box()
    assert card.is_visible() and 0 <= box["y"] < 844, box
    assert "environmental activists" in card.inner_text()
    _shot(page, "mobile-sources-drawer", docs=True)
    page.locator("#sources-tab").tap()
    page.wait_for_timeout(400)
    assert not card.is_visible() or card.bounding_box()["y"] >= 844
    bot.locator("a.cite").first.tap()  # a citation opens the drawer at its card
    page.wait_for_timeout(600)
    assert page.locator(".source-card.active").bounding_box()["y"] < 844
    context.close()


class _Row:
    def __init__(self, i):
        self.title, self.source, self.chunk_count = (
            f"Harvest report {i} from Gavar orchard {i % 97}",
            f"gen/{i:06d}.txt",
            1 + i % 3,
        )


class _StubAssistant:
    """The article panel's view of an assistant with 100,000 articles (nothing else is asked of it here)."""

    def __init__(self, rows, data_dir):
        from rag import Settings

        self.rows, self.data_dir, self.uploads_dir = rows, data_dir, data_dir / "uploads"
        self.settings = Settings(corpus=data_dir / "generated", data_dir=data_dir)

    def status(self):
        from rag.types import IndexStatus

        return IndexStatus(location="", corpus="generated", model_id="stub", articles=len(self.rows), chunks=2 * len(self.rows))

    def articles(self):
        return self.rows


def test_article_panel_pages_and_searches_100k_articles(browser, tmp_path):
    """Item 15: 100,000 articles are shown 50 at a time, with next/previous pages and a search, not as one table."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from ui.app import build_app, launch

    app = build_app(_StubAssistant([_Row(i) for i in range(100_000)], tmp_path))
    port = _free_port()
    launch(app, port=port, prevent_thread_lock=True)
    try:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
        page.wait_for_selector("#question textarea", timeout=30_000)
        _open_corpus(page)
        page.wait_for_function("() => document.querySelectorAll('#articles tbody tr').length > 0", timeout=30_000)
        assert page.locator("#articles tbody tr").count() == 50
        assert "1–50 of 100,000 articles" in page.locator("#articles").inner_text()
        assert len(page.locator("#articles").inner_html()) < 20_000
        page.click("#articles-next")
        page.wait_for_function(
            "() => document.querySelector('#articles').innerText.includes('51–100 of 100,000')", timeout=10_000
        )
        assert "gen/000050.txt" in page.locator("#articles").inner_text()
        page.fill("#article-search input, #article-search textarea", "gen/099999")
        page.wait_for_function(
            "() => document.querySelector('#articles').innerText.includes('1–1 of 1 articles')", timeout=10_000
        )
        assert page.locator("#articles tbody tr").count() == 1
        page.fill("#article-search input, #article-search textarea", "orchard 13")
        page.wait_for_function(
            "() => document.querySelector('#articles').innerText.includes('articles matching “orchard 13”')", timeout=10_000
        )
        page.click("#articles-prev")  # already on the first page: stays there
        page.wait_for_timeout(500)
        assert "page 1 of" in page.locator("#articles").inner_text()
        rows = page.locator("#articles tbody tr").all_inner_texts()
        assert rows and all("orchard" in t and "13" in t for t in rows), rows  # every word of the search, anywhere
        page.locator("#corpus").evaluate("el => el.scrollIntoView({block: 'start'})")
        _shot(page, "article-panel-paged", docs=True)
        context.close()
    finally:
        app.close()


def test_every_example_is_answered_correctly(seeded):
    """Item 9: each example button shown to users is answered, first, with the fact it asks for."""
    from ui.app import EXAMPLES

    facts = {
        "Who blocked the Lachin Corridor?": "environmental activists",
        "How many peacekeepers did Russia deploy in Nagorno-Karabakh?": "2,000 peacekeepers",
        "What did Baku say about Russia's accusation?": "regretted the one-sided statement",
        "When did the fighting of 2020 end?": "Nov. 10, 2020",
    }
    assert set(EXAMPLES) == set(facts), "a new example needs its expected fact here"
    for question in EXAMPLES:
        answer = seeded.ask(question)
        assert answer.answered, question
        assert facts[question] in answer.citations[0].quote, (question, answer.answer)


def test_the_seed_examples_are_offered_over_the_seeds_only(seeded, tmp_path):
    """Over a user's own articles, "Who blocked the Lachin Corridor?" under the chat would ask about articles that are
    not there: no examples are shown then."""
    from rag import Assistant, Settings
    from ui.app import EXAMPLES, examples_for

    assert examples_for(seeded) == EXAMPLES
    (tmp_path / "mine").mkdir()
    mine = Assistant(Settings(corpus=tmp_path / "mine", data_dir=tmp_path / "data"), embedder=seeded.embedder)
    assert examples_for(mine) == []


def _post_upload(url, files, chunked=False, declared=None):
    """POST files to Gradio's raw upload route: (status, body); status 0 if the server hung up while we were sending.

    ``declared``: announce this Content-Length but send only the first 64 KB (the refusal must come from
    the headers alone, before the body is read)."""
    import http.client
    import uuid
    from urllib.parse import urlparse

    boundary = uuid.uuid4().hex
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: text/plain\r\n\r\n".encode()
        + data
        + b"\r\n"
        for name, data in files
    )
    body += f"--{boundary}--\r\n".encode()
    where = urlparse(url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
    conn.putrequest("POST", "/gradio_api/upload")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    if chunked:
        conn.putheader("Transfer-Encoding", "chunked")
    else:
        conn.putheader("Content-Length", str(declared or len(body)))
    conn.endheaders()
    try:
        if chunked:
            conn.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        else:
            conn.send(body[:65536] if declared else body)
        response = conn.getresponse()
        return response.status, response.read()
    except (ConnectionError, http.client.HTTPException):
        return 0, b""
    finally:
        conn.close()


def test_raw_upload_route_caps_requests_and_leaves_no_files(served):
    """Issue 9 item 6: 100 x 1 MB in one request, a 39 MB file or a request of unknown size is refused, and no file stays."""
    url, data, _ = served
    temp = data / "gradio-tmp"

    def files_in_temp():
        return sorted(p for p in temp.rglob("*") if p.is_file()) if temp.exists() else []

    before = files_in_temp()
    many = [(f"many{i}.txt", b"m" * 1_000_000) for i in range(100)]
    assert _post_upload(url, many, declared=100 * 1_000_200)[0] == 413  # refused on its headers
    assert _post_upload(url, many)[0] in (413, 0)  # sent anyway: refused (or hung up on) unread
    assert _post_upload(url, [("huge.txt", b"h" * 39_000_000)])[0] in (413, 0)  # one file over Gradio's per-file cap
    assert _post_upload(url, [("chunked.txt", b"c" * 1000)], chunked=True)[0] == 411
    time.sleep(1)
    assert files_in_temp() == before
    status, body = _post_upload(url, [("fine.txt", b"A small article.\n")])  # a normal upload still works
    assert status == 200 and b"fine.txt" in body
    for path in files_in_temp():
        if path.name == "fine.txt":
            path.unlink()  # (an upload that no event handled is deleted by Gradio's delete_cache after 5 minutes)


def test_long_and_repeated_upload_names(page, served):
    """Issue 9 item 9: a long name keeps its (checked) extension and is indexed; the same name twice keeps both."""
    _, data, _ = served
    long_txt, tricky = "L" * 140 + ".txt", "N" * 114 + ".jsonl.txt"
    _upload(
        page,
        [
            {"name": long_txt, "mimeType": "text/plain", "buffer": b"Heron count\n\nRangers counted 37 herons near Sevan.\n"},
            {"name": tricky, "mimeType": "text/plain", "buffer": b"Stork count\n\nRangers counted 12 storks near Armash.\n"},
        ],
    )
    saved = sorted(p.name for p in (data / "uploads").iterdir() if p.name.startswith(("LLLL", "NNNN")))
    assert saved == sorted(["L" * 116 + ".txt", "N" * 114 + ".j.txt"]), saved
    table = page.locator("#articles")
    page.fill("#article-search input, #article-search textarea", "LLLLLLLL")
    page.wait_for_function("() => document.querySelector('#articles').innerText.includes('.txt')", timeout=10_000)
    assert "L" * 116 + ".txt" in table.inner_text()
    page.fill("#article-search input, #article-search textarea", "")
    for count, expect in (
        ("Rangers counted 8 cranes near Vardenis.", "Indexed cranes.txt"),
        ("Rangers counted 9 cranes near Vardenis, a second count.", "Indexed cranes (2).txt"),
    ):
        _upload(
            page,
            [{"name": "cranes.txt", "mimeType": "text/plain", "buffer": f"Crane count\n\n{count}\n".encode()}],
            expect=expect,
        )
    message = page.locator("#upload-msg").inner_text()
    assert "“cranes (2).txt”" in message and "both are kept" in message, message
    assert (data / "uploads" / "cranes.txt").read_text().endswith("8 cranes near Vardenis.\n")
    assert "second count" in (data / "uploads" / "cranes (2).txt").read_text()
