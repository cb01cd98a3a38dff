"""The chat UI, driven in a real Chromium against a real `rag serve`, plus its API endpoint."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
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
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, seeded, seed_dir):
    """`rag serve` in its own process over a copy of the seed index."""
    root = tmp_path_factory.mktemp("ui")
    data = root / "data"
    shutil.copytree(seed_dir, data)
    port = _free_port()
    log = open(root / "serve.log", "w")
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "serve", "--port", str(port), "--corpus", str(SEEDS),
                             "--data-dir", str(data)], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
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
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


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


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def _ask(page, question):
    before = page.locator("#chat .message-row, #chat [data-testid='bot']").count()
    page.fill("#question textarea", question)
    page.click("#ask")
    return before


def _last_bot(page):
    return page.locator("#chat [data-testid='bot']").last


def _wait_answer(page, timeout=60_000):
    page.wait_for_function(
        """() => { const b = [...document.querySelectorAll("#chat [data-testid='bot']")].pop();
                   return b && !b.innerText.includes('Searching the articles'); }""", timeout=timeout)
    page.wait_for_timeout(600)  # the rest of the streamed sentences
    return _last_bot(page)


def test_answer_with_clickable_citation_and_highlighted_source(page):
    _ask(page, "Who blocked the Lachin Corridor?")
    bot = _wait_answer(page)
    assert "environmental activists" in bot.inner_text()
    link = bot.locator("a.cite").first
    assert link.inner_text() == "[1]"
    card = page.locator("#src-1")
    assert "environmental activists" in card.locator("mark").first.inner_text()
    assert "000_09181bd4437617d1.txt" in card.inner_text()
    link.click()
    page.wait_for_function("() => document.getElementById('src-1').classList.contains('active')", timeout=5000)
    card.locator("summary").click()
    assert card.locator(".article-text mark").is_visible()
    assert "Lachin Corridor" in card.locator(".article-text mark").inner_text()
    _shot(page, "answer-with-sources")


def test_off_corpus_question_is_shown_as_not_in_corpus(page):
    _ask(page, "Who won the 2018 FIFA World Cup?")
    bot = _wait_answer(page)
    assert "Not in the corpus" in bot.inner_text()
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
    article.write_text("Quokka census in Gyumri\n\nThe Gyumri zoo counted 41 quokkas on Tuesday, its director said.\n", encoding="utf-8")
    page.click("#corpus button, #corpus .label-wrap")
    page.set_input_files("#upload input[type=file]", str(article))
    page.wait_for_function("() => document.querySelector('#upload-msg').innerText.includes('Indexed')", timeout=60_000)
    assert "quokka.txt" in page.locator("#articles").inner_text()
    _ask(page, "How many quokkas did the Gyumri zoo count?")
    bot = _wait_answer(page)
    assert "41 quokkas" in bot.inner_text()
    assert "uploads/quokka.txt" in page.locator("#src-1").inner_text()


def test_html_and_script_in_an_article_are_shown_literally(page, tmp_path):
    article = tmp_path / "inject.txt"
    article.write_text(
        "Pelican report\n\nThe pelican festival <script>window.__pwned = 1</script> drew <img src=x onerror=\"window.__pwned = 2\"> "
        "900 visitors to Sevan on Friday.\n", encoding="utf-8")
    page.click("#corpus button, #corpus .label-wrap")
    page.set_input_files("#upload input[type=file]", str(article))
    page.wait_for_function("() => document.querySelector('#upload-msg').innerText.includes('Indexed')", timeout=60_000)
    _ask(page, "How many visitors did the pelican festival <script>window.__pwned = 3</script> draw to Sevan?")
    bot = _wait_answer(page)
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__pwned") is None  # no script and no onerror handler ran
    assert "<script>window.__pwned = 1</script>" in bot.inner_text()
    assert '<img src=x onerror="window.__pwned = 2">' in page.locator("#src-1 mark").first.inner_text()
    assert "<script>window.__pwned = 3</script>" in page.locator("#chat [data-testid='user']").last.inner_text()
    _shot(page, "literal-html")


def test_narrow_screen_layout(browser, server):
    context = browser.new_context(viewport={"width": 420, "height": 900})
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
    assert (SEEDS / c["source"]).read_text(encoding="utf-8")[c["start"]:c["end"]] == c["quote"]
    follow = client.predict("What does Baku say about it?", result["searched"], api_name="/ask")
    assert follow["searched"] == "What does Baku say about the Lachin Corridor?"
    refused = client.predict("", "", api_name="/ask")
    assert refused["status"] == "error" and "empty" in refused["error"]


def test_ten_concurrent_clients_each_get_their_own_answer(server):
    from gradio_client import Client

    questions = [q for q in load_cases() if q.answerable][:10]

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
