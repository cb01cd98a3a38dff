"""The Gradio chat app over an Assistant: chat with streamed, cited answers; sources in place; corpus panel."""

import logging
import os
import time
from pathlib import Path

from index.documents import binary_kind
from rag import Assistant, RagError
from rag.errors import QuestionError
from rag.settings import DEFAULT_CORPUS
from rag.types import AskResult

from . import format as fmt
from .uploads import (
    MAX_NAME_CHARS,
    MAX_RAW_FILE_BYTES,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_FILES,
    TEMP_FILE_MAX_AGE_S,
    UPLOAD_SUFFIXES,
    Indexing,
    UploadLimit,
    forget_upload,
    free_upload_name,
    safe_upload_name,
)

log = logging.getLogger(__name__)

INDEXING_WAIT_S = 120  # a question asked while an upload is indexed waits this long for it, then says to ask again
# Each is answered from the seed corpus with the fact named in tests/test_ui.py::test_every_example_is_answered_correctly.
EXAMPLES = [
    "Who blocked the Lachin Corridor?",
    "How many peacekeepers did Russia deploy in Nagorno-Karabakh?",
    "What did Baku say about Russia's accusation?",
    "When did the fighting of 2020 end?",
]
STREAM_PAUSE = 0.04  # seconds between streamed sentences: readable, and visibly progressive

CSS = """
.gradio-container {max-width: 1400px !important}
#status {font-size: 0.85em; opacity: 0.8}
.nic {border-left: 4px solid #d97706; background: rgba(217,119,6,0.08); padding: 8px 12px; border-radius: 4px}
.searched, .backend {font-size: 0.85em; opacity: 0.75; margin-bottom: 4px}
.draft {opacity: 0.6; font-style: italic}
a.cite {font-weight: 600; text-decoration: none; cursor: pointer; padding: 0 1px}
.sources h3 {margin: 0 0 8px 0}
.source-card {border: 1px solid rgba(128,128,128,0.3); border-radius: 8px; padding: 10px 12px; margin-bottom: 10px; transition: box-shadow .3s}
.source-card.active {box-shadow: 0 0 0 3px #2563eb}
.source-title {font-weight: 600}
.badge {display: inline-block; min-width: 1.8em; text-align: center; background: #2563eb; color: white; border-radius: 4px; font-size: .85em}
.source-meta {font-size: .8em; opacity: .7; margin: 2px 0 6px}
.source-context, .article-text {font-size: .92em; line-height: 1.45}
.source-context mark, .article-text mark {background: #fde047; color: black; padding: 0 2px}
.article-text {max-height: 420px; overflow-y: auto; margin-top: 6px}
table.articles {font-size: .85em; width: 100%; table-layout: fixed}
table.articles th:nth-child(1) {width: 52%} table.articles th:nth-child(2) {width: 34%}
table.articles td {overflow-wrap: anywhere; vertical-align: top}
.answer-sources {display: none}
.answer-sources.current {display: block}
.sources-question {font-size: .85em; opacity: .75; margin-bottom: 6px; overflow-wrap: anywhere}
.badge.related {background: transparent; color: inherit; border: 1px solid rgba(128,128,128,0.6); padding: 0 6px; font-weight: 500}
.lang-note {border-left: 4px solid #2563eb; background: rgba(37,99,235,0.08); padding: 6px 12px; border-radius: 4px; margin-bottom: 6px}
#examples {display: grid !important; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); align-items: stretch; gap: 8px}
#examples > button.example {height: 100%; min-width: 0; margin: 0}
#chat-head {align-items: center; justify-content: flex-end}
.visually-hidden {position: absolute !important; width: 1px !important; height: 1px !important; overflow: hidden !important;
                   clip: rect(0 0 0 0) !important; white-space: nowrap !important}
#clear {flex: 0 0 auto !important; min-width: 0 !important; width: auto !important; background: transparent; border: none; box-shadow: none;
        text-decoration: underline; color: var(--body-text-color-subdued)}
@media (max-width: 900px) { #main-row {flex-direction: column} }
.articles-count {font-size: .85em; opacity: .75; margin: 4px 0}
.articles-scroll {max-height: 420px; overflow-y: auto}
#article-pager {justify-content: flex-start; gap: 8px}
#sources-tab {display: none}
/* Narrow screens: the sources are a drawer one tap away (the "Sources" tab), not 1,000 px below the examples,
   and the chat is short enough that the question and the answer's start stay in view together. */
@media (max-width: 700px) {
  #chat {height: min(520px, calc(100vh - 330px)) !important; min-height: 300px}
  #sources {position: fixed !important; left: 0; right: 0; bottom: 0; z-index: 1000; height: 78vh; overflow-y: auto;
            margin: 0 !important; padding: 12px 14px 64px; border-radius: 12px 12px 0 0; box-shadow: 0 -4px 24px rgba(0,0,0,.25);
            background: var(--background-fill-primary); transform: translateY(105%); transition: transform .25s; visibility: hidden}
  #main-row.sources-open #sources {transform: none; visibility: visible}
  #sources-tab {display: block; position: fixed; right: 12px; bottom: 12px; z-index: 1001; padding: 10px 16px; border-radius: 999px;
                border: none; background: #2563eb; color: white; font-weight: 600; box-shadow: 0 2px 10px rgba(0,0,0,.3)}
}
"""

# In the browser: [n] shows *that answer's* source n; "Copy" copies plain text (answer + numbered sources);
# screen readers get each message's plain text; "Open the full article" scrolls to the quote; uploaded
# file names are made safe before Gradio's upload sees them (and the originals are reported).
JS = r"""
() => {
  const showCard = (card) => {
    const group = card.closest('.answer-sources');
    if (group && !group.classList.contains('current')) {
      document.querySelectorAll('.answer-sources.current').forEach((g) => g.classList.remove('current'));
      group.classList.add('current');
    }
    card.scrollIntoView({behavior: 'smooth', block: 'center'});
    document.querySelectorAll('.source-card.active').forEach((c) => c.classList.remove('active'));
    card.classList.add('active');
  };
  const messages = () => [...document.querySelectorAll("#chat [data-testid='bot'], #chat [data-testid='user']")];
  const plainText = (message) => {
    if (message.getAttribute('data-testid') !== 'bot') return message.innerText.trim();
    const k = [...document.querySelectorAll("#chat [data-testid='bot']")].indexOf(message);
    const group = document.querySelector(`.answer-sources[data-answer="${k}"]`);
    return (group && group.dataset.copy) || message.innerText.trim();
  };
  const copy = async (text) => {
    window.__copied = text;
    try { await navigator.clipboard.writeText(text); return; } catch (e) { /* fall back below */ }
    const area = document.createElement('textarea');
    area.value = text; area.style.position = 'fixed'; area.style.left = '-9999px';
    document.body.appendChild(area); area.select();
    try { document.execCommand('copy'); } finally { area.remove(); }
  };
  // Narrow screens: a "Sources" tab opens the sources as a drawer over the chat (CSS shows it under 700 px).
  const tab = document.createElement('button');
  tab.id = 'sources-tab';
  tab.type = 'button';
  const row = () => document.getElementById('main-row') || document.body;  // the CSS is scoped to the app's container
  const drawer = (open) => {
    if (!tab.isConnected) row().appendChild(tab);
    row().classList.toggle('sources-open', open);
    tab.setAttribute('aria-expanded', String(open));
    updateTab();
  };
  const updateTab = () => {
    if (!tab.isConnected && document.getElementById('main-row')) row().appendChild(tab);
    const open = row().classList.contains('sources-open');
    const n = document.querySelectorAll('.answer-sources.current .source-card').length;
    const text = open ? 'Close sources' : (n ? `Sources (${n})` : 'Sources');
    if (tab.textContent !== text) tab.textContent = text;
  };
  tab.addEventListener('click', () => drawer(!row().classList.contains('sources-open')));
  const narrow = () => window.matchMedia('(max-width: 700px)').matches;
  // After a question is sent, it stays at the top of the chat while its answer streams in below it.
  let users = 0;
  const keepQuestionInView = () => {
    const asked = document.querySelectorAll("#chat [data-testid='user']");
    if (asked.length === users) return;
    users = asked.length;
    if (!users) return;
    const question = asked[asked.length - 1];
    const box = question.closest('.bubble-wrap') || question.closest('[role="log"]');
    const pin = () => {
      if (box) box.scrollTop += question.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
      const top = question.getBoundingClientRect().top;
      if (top < 0 || top > window.innerHeight - 120) window.scrollBy(0, top - 80);
    };
    pin();
    setTimeout(pin, 150);  // once more, after Gradio has laid out the placeholder answer
  };
  document.addEventListener('click', (event) => {
    const target = event.target;
    if (!target.closest) return;
    const link = target.closest('a.cite');
    if (link) {
      event.preventDefault();
      event.stopPropagation();
      const card = document.getElementById((link.getAttribute('href') || '').slice(1));
      if (card) {
        if (narrow()) drawer(true);
        showCard(card);
      }
      return;
    }
    const button = target.closest('#chat button');
    if (button && /^copy message/i.test(button.getAttribute('aria-label') || '')) {
      const message = messages().filter((m) => m.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING).pop();
      if (!message) return;
      event.preventDefault();
      event.stopPropagation();
      copy(plainText(message));
    }
  }, true);
  const label = () => {
    for (const m of messages()) {
      const who = m.getAttribute('data-testid') === 'bot' ? 'Assistant' : 'You';
      const text = `${who}: ${m.innerText.trim()}`;
      if (m.getAttribute('aria-label') !== text) m.setAttribute('aria-label', text);
    }
  };
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; label(); updateTab(); keepQuestionInView(); });
  }).observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['aria-label']});
  document.addEventListener('toggle', (event) => {
    const details = event.target;
    if (!details.matches || !details.matches('details.full-article') || !details.open) return;
    const box = details.querySelector('.article-text');
    const mark = box && box.querySelector('mark');
    if (!mark) return;
    box.scrollTop += mark.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 3;
  }, true);
  const cleanName = (name) => {
    const base = name.split(/[\\/]/).pop().replace(/[^\w.\- ]/g, '_').replace(/^[ .]+|[ .]+$/g, '');
    return base || 'upload.txt';
  };
  const renamedFiles = (files) => {
    const renamed = [], transfer = new DataTransfer();
    for (const f of files) {
      const clean = cleanName(f.name);
      if (clean !== f.name) renamed.push(`${f.name}\t${clean}`);
      transfer.items.add(clean === f.name ? f : new File([f], clean, {type: f.type, lastModified: f.lastModified}));
    }
    return {renamed, files: transfer.files};
  };
  const report = (renamed) => {
    const box = document.querySelector('#upload-renames textarea, #upload-renames input');
    if (!box) return;
    box.value = renamed.join('\n');
    box.dispatchEvent(new Event('input', {bubbles: true}));
  };
  document.addEventListener('change', (event) => {
    const input = event.target;
    if (!input.matches || !input.matches('#upload input[type=file]') || !input.files) return;
    const {renamed, files} = renamedFiles(input.files);
    report(renamed);
    if (renamed.length) input.files = files;
  }, true);
  document.addEventListener('drop', (event) => {
    const zone = event.target.closest && event.target.closest('#upload');
    const input = zone && zone.querySelector('input[type=file]');
    if (!input || !event.dataTransfer || !event.dataTransfer.files.length) return;
    const {renamed, files} = renamedFiles(event.dataTransfer.files);
    report(renamed);
    if (!renamed.length) return;
    event.preventDefault();
    event.stopPropagation();
    input.files = files;
    input.dispatchEvent(new Event('change', {bubbles: true}));
  }, true);
}
"""


def examples_for(assistant: Assistant) -> list[str]:
    """The example questions under the chat: the seed corpus's when its articles are there (they ask about them), none
    over a user's own articles."""
    corpus = Path(assistant.settings.corpus or "")
    seeds = {p.name for p in DEFAULT_CORPUS.glob("*.txt")}
    return EXAMPLES if seeds and all((corpus / name).is_file() for name in seeds) else []


def build_app(assistant: Assistant):
    import gradio as gr

    indexing = Indexing()

    def status_text() -> str:
        try:
            s = assistant.status()
            return fmt.status_line(Path(s.corpus).name if s.corpus else "", s.articles, s.chunks)
        except RagError as err:
            log.warning("status unavailable: %s", err)
            return "The index is not available yet: the server's operator has to build it (`rag index`)."

    def articles_table(query: str = "", page: int = 1) -> tuple[str, int]:
        """One page of the (searched) article list, and the page number actually shown."""
        try:
            return fmt.articles_page(assistant.articles(), query or "", page or 1)
        except RagError as err:
            log.warning("article list unavailable: %s", err)
            return "<p>The list of articles is not available.</p>", 1

    def corpus_view(query: str = "", page: int = 1):
        """Read on every page load (and after every upload): never the counts of when the server started."""
        return status_text(), *articles_table(query, page)

    def respond(message: str, history: list, previous: str | None, groups: list | None):
        history, groups = list(history or []), list(groups or [])
        if not (message or "").strip():  # nothing asked: no empty bubble
            yield history, "", previous, gr.update(), groups
            return
        k = len(groups)  # this answer's number: its [n] links point at its own cards
        history.append({"role": "user", "content": fmt.esc_md(message)})
        history.append({"role": "assistant", "content": "<em>Searching the articles…</em>"})
        # the box is cleared once, here: later updates leave it alone, so the next question being typed meanwhile stays
        yield history, "", previous, gr.update(), groups
        hint = fmt.language_note(message)

        def failed(text: str):
            history[-1] = {"role": "assistant", "content": hint + f'<div class="nic">{fmt.esc(text)}</div>'}
            groups.append(fmt.message_sources_html(text, k, message))
            return history, gr.update(), previous, fmt.sources_panel(groups), groups

        for attempt in (1, 2):
            try:
                stream, draft = assistant.ask_stream(message, previous=previous), ""
                for text in stream:  # an LLM's draft, shown as it is generated, then verified
                    draft += text
                    history[-1] = {"role": "assistant", "content": f'<div class="draft">{fmt.esc(draft)}</div>'}
                    yield history, gr.update(), previous, gr.update(), groups
                answer = stream.answer()
            except QuestionError as err:
                yield failed(str(err))
                return
            except RagError as err:
                log.warning("answer failed: %s", err)
                yield failed(str(err))
                return
            pending = indexing.names()
            if answer.answered or not pending or attempt == 2:
                break
            # not in the corpus *yet*, perhaps: an upload is being indexed; answer again once it is done
            history[-1] = {"role": "assistant", "content": hint + fmt.indexing_note(pending)}
            yield history, gr.update(), previous, gr.update(), groups
            if not indexing.wait(INDEXING_WAIT_S):
                yield failed(fmt.still_indexing_text(indexing.names() or pending))
                return
        cited = {c.document_id for c in answer.citations + answer.related}
        articles = {d: assistant.article(d) for d in cited}
        note = hint + fmt.searched_note(answer) + fmt.backend_note(answer)
        groups.append(fmt.sources_html(answer, articles, k, message))
        sources = fmt.sources_panel(groups)
        for i, part in enumerate(fmt.answer_parts(answer, k)):
            # a blank line after the notes (HTML blocks) so that the answer is still read as Markdown
            history[-1] = {"role": "assistant", "content": (note + "\n\n" if note else "") + part}
            yield history, gr.update(), answer.searched, sources if i == 0 else gr.update(), groups
            time.sleep(STREAM_PAUSE)

    def upload(files, renames: str = "", query: str = ""):
        """Save, check and index uploaded files; progress first, then what was done (and what was not)."""
        if not files:
            yield "Choose .txt, .md or .html files first.", *corpus_view(query), gr.update()
            return
        files = files if isinstance(files, list) else [files]
        temp_root = Path(os.environ["GRADIO_TEMP_DIR"]).resolve() if os.environ.get("GRADIO_TEMP_DIR") else None
        paths = [Path(f if isinstance(f, str) else f.name) for f in files]
        originals = dict(line.split("\t", 1) for line in (renames or "").splitlines() if "\t" in line)
        originals = {clean: original for original, clean in originals.items()}
        try:
            if len(files) > MAX_UPLOAD_FILES:
                yield f"At most {MAX_UPLOAD_FILES} files at a time; {len(files)} were given.", *corpus_view(query), None
                return
            saved, notes, problems = [], [], []
            target = assistant.uploads_dir
            target.mkdir(parents=True, exist_ok=True)
            for f, path in zip(files, paths):
                given = getattr(f, "orig_name", None) or path.name
                original = originals.get(given, given)
                try:
                    name = safe_upload_name(original)
                    size = path.stat().st_size
                    if size > MAX_UPLOAD_BYTES:
                        raise ValueError(f"“{original}” is {size / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} MB")
                    data = path.read_bytes()
                    if why := binary_kind(data):
                        raise ValueError(f"“{original}” looks binary ({why}); upload text articles")
                    try:
                        data.decode("utf-8")
                    except UnicodeDecodeError:
                        raise ValueError(f"“{original}” is not UTF-8 text; re-save it as UTF-8") from None
                    clean = name
                    name, present = free_upload_name(target, name, data)
                    destination = (target / name).resolve()
                    if destination.parent != target.resolve():
                        raise ValueError(f"“{original}” would be written outside the corpus")
                    if present:
                        notes.append(f"“{original}” is already in the corpus as “{name}” (the same text); nothing was added.")
                        continue
                    tmp = destination.with_name("." + destination.name + ".part")
                    tmp.write_bytes(data)
                    os.replace(tmp, destination)
                    saved.append(name)
                    if clean != original:
                        notes.append(
                            f"“{original}” was saved as “{clean}” (folder names, leading dots, unusual characters "
                            f"and over {MAX_NAME_CHARS} characters are not kept in file names)."
                        )
                    if name != clean:
                        notes.append(f"An earlier upload is called “{clean}”: this one was saved as “{name}”, and both are kept.")
                except (ValueError, OSError) as err:
                    problems.append(str(err))
            message = ""
            if saved:
                # registered before the message shows: a question asked as soon as it reads "Indexing" waits for them
                with indexing.running(saved):
                    yield (
                        f"Indexing {', '.join(saved)}… (the articles can be asked about when this is done)",
                        gr.update(),
                        gr.update(),
                        gr.update(),
                        gr.update(),
                    )
                    try:
                        report = assistant.index()
                        # an upload the indexer skips (no article text in it) is not kept: it would be skipped, and
                        # reported, again at every later upload
                        skipped = dict(report.skipped)
                        rejected = [n for n in saved if f"uploads/{n}" in skipped]
                        for n in rejected:
                            (target / n).unlink(missing_ok=True)
                            problems.append(f"“{n}”: {skipped[f'uploads/{n}']}")
                        indexed = [n for n in saved if n not in rejected]
                        if indexed:
                            message = (
                                f"Indexed {', '.join(indexed)}: {len(report.added)} added, {len(report.updated)} "
                                f"updated, {report.embedded} chunk{'s' if report.embedded != 1 else ''} embedded. You can ask about "
                                f"{'them' if len(indexed) > 1 else 'it'} now."
                            )
                    except RagError as err:
                        problems.append(str(err))
            if notes:
                message += ("\n\n" if message else "") + " ".join(notes)
            if problems:
                message += ("\n\n" if message else "") + "Not added: " + "; ".join(problems)
            # the file list is emptied: its temporary copies are deleted, and the message says what became of each
            yield fmt.esc_md(message), *corpus_view(query), None
        finally:
            for path in paths:  # Gradio's temporary copies: the kept files were copied, the others are rejected
                forget_upload(path, temp_root)

    def api_ask(question: str, previous: str = "") -> dict:
        """Answer a question from the corpus.

        Always returns one shape (AskResult): status ("answered", "not_in_corpus" or "error"), answer,
        citations, related, question, searched, confidence, backend, removed, draft, and error
        (why the question could not be answered; empty unless status is "error").
        """
        try:
            answer = assistant.ask(question, previous=previous or None)
            return AskResult(**answer.model_dump()).model_dump()
        except RagError as err:
            text = str(err)
            return AskResult(
                status="error", answer=text, error=text, question=question if isinstance(question, str) else "", searched=""
            ).model_dump()

    # delete_cache: files posted to Gradio's upload route that no event ever handled are deleted too
    with gr.Blocks(title="Ask the articles", analytics_enabled=False, delete_cache=(60, TEMP_FILE_MAX_AGE_S)) as app:
        gr.Markdown(
            "## Ask the articles\nAnswers quote the articles; every sentence links to its source. If the articles do not say, you are told so."
        )
        status = gr.Markdown("Reading the corpus…", elem_id="status")
        previous = gr.State(None)
        groups = gr.State([])
        with gr.Row(elem_id="main-row"):
            with gr.Column(scale=3, min_width=320):
                with gr.Row(elem_id="chat-head"):
                    clear = gr.Button("↺ New conversation", size="sm", variant="secondary", elem_id="clear", scale=0)
                # autoscroll off: the page's script keeps the question in view instead of scrolling it away
                chatbot = gr.Chatbot(
                    label="Conversation",
                    show_label=False,
                    height=520,
                    elem_id="chat",
                    buttons=["copy"],
                    autoscroll=False,
                    sanitize_html=True,
                    placeholder="Ask a question about the indexed news articles.",
                )
                with gr.Row():
                    box = gr.Textbox(
                        show_label=False,
                        placeholder="Ask about the articles…",
                        scale=5,
                        elem_id="question",
                        max_lines=4,
                        autofocus=True,
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                examples = examples_for(assistant)
                with gr.Row(elem_id="examples", equal_height=True, visible=bool(examples)):
                    example_buttons = [gr.Button(q, size="sm", elem_classes=["example"]) for q in examples]
            with gr.Column(scale=2, min_width=320):
                sources = gr.HTML(fmt.sources_html(None, {}), elem_id="sources")
                with gr.Accordion("Articles in the corpus", open=False, elem_id="corpus"):
                    # one page at a time, searched on the server: 100k articles never become one giant table
                    search = gr.Textbox(
                        show_label=False,
                        placeholder="Search titles and file names…",
                        elem_id="article-search",
                        max_lines=1,
                        container=False,
                    )
                    table = gr.HTML("", elem_id="articles")
                    article_page = gr.State(1)
                    with gr.Row(elem_id="article-pager"):
                        prev_page = gr.Button("‹ Previous", size="sm", elem_id="articles-prev", scale=0)
                        next_page = gr.Button("Next ›", size="sm", elem_id="articles-next", scale=0)
                    files = gr.File(
                        label="Add articles (.txt, .md, .html; up to 2 MB each)",
                        file_count="multiple",
                        file_types=list(UPLOAD_SUFFIXES),
                        elem_id="upload",
                    )
                    renames = gr.Textbox(
                        elem_id="upload-renames",
                        show_label=False,
                        container=False,
                        elem_classes=["visually-hidden"],
                        interactive=True,
                    )
                    upload_msg = gr.Markdown(elem_id="upload-msg")

        outputs = [chatbot, box, previous, sources, groups]
        # Enter and the button are one event: a question sent while the last answer is still coming is asked after it
        # ("always_last"), on the conversation as it then stands (two events at once would each write their own)
        gr.on(
            [box.submit, send.click],
            respond,
            [box, chatbot, previous, groups],
            outputs,
            trigger_mode="always_last",
            api_visibility="private",
        )
        for button, question in zip(example_buttons, examples):
            button.click(
                lambda h, p, g, q=question: (yield from respond(q, h, p, g)),
                [chatbot, previous, groups],
                outputs,
                api_visibility="private",
            )
        clear.click(lambda: ([], "", None, fmt.sources_panel([]), []), None, outputs, api_visibility="private")
        chatbot.clear(lambda: (None, fmt.sources_panel([]), []), None, [previous, sources, groups], api_visibility="private")
        files.upload(upload, [files, renames, search], [upload_msg, status, table, article_page, files], api_visibility="private")
        app.load(corpus_view, None, [status, table, article_page], api_visibility="private")
        search.change(lambda q: articles_table(q, 1), search, [table, article_page], api_visibility="private")
        prev_page.click(
            lambda q, p: articles_table(q, p - 1), [search, article_page], [table, article_page], api_visibility="private"
        )
        next_page.click(
            lambda q, p: articles_table(q, p + 1), [search, article_page], [table, article_page], api_visibility="private"
        )
        gr.api(api_ask, api_name="ask")
    return app


def serve(assistant: Assistant, host: str = "127.0.0.1", port: int = 7860, concurrency: int = 4) -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("GRADIO_TEMP_DIR", str(assistant.data_dir / "gradio-tmp"))
    assistant.warm_up()
    app = build_app(assistant)
    print(f"Chat UI: http://{host}:{port}  (Ctrl-C to stop)", flush=True)
    launch(app, host, port, concurrency)


def launch(app, host: str = "127.0.0.1", port: int = 7860, concurrency: int = 4, **extra):
    """Start the app as `rag serve` does (tests start a stub assistant's app the same way)."""
    import gradio as gr
    from starlette.middleware import Middleware

    app.queue(default_concurrency_limit=concurrency, max_size=100)
    return app.launch(
        server_name=host,
        server_port=port,
        share=False,
        css=CSS,
        js=JS,
        theme=gr.themes.Soft(),
        footer_links=["api"],
        show_error=False,
        quiet=True,
        max_file_size=MAX_RAW_FILE_BYTES,
        app_kwargs={"middleware": [Middleware(UploadLimit)]},
        **extra,
    )
