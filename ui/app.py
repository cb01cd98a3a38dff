"""The Gradio chat app over an Assistant: chat with streamed, cited answers; sources in place; corpus panel."""

import logging
import os
import re
import time
from pathlib import Path

from rag import Assistant, RagError
from rag.errors import QuestionError

from . import format as fmt

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm")
MAX_UPLOAD_BYTES = 2_000_000
MAX_UPLOAD_FILES = 20
EXAMPLES = [
    "Who blocked the Lachin Corridor?",
    "How many peacekeepers did Russia deploy in Nagorno-Karabakh?",
    "How did Azerbaijan respond to Russia accusing it of violating the ceasefire?",
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
table.articles {font-size: .85em; width: 100%}
@media (max-width: 900px) { #main-row {flex-direction: column} }
"""

# Clicking a citation marker brings its source card into view and flashes it.
JS = """
() => {
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a.cite');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const card = document.getElementById((link.getAttribute('href') || '').slice(1));
    if (!card) return;
    card.scrollIntoView({behavior: 'smooth', block: 'center'});
    document.querySelectorAll('.source-card.active').forEach((c) => c.classList.remove('active'));
    card.classList.add('active');
  }, true);
}
"""


def safe_upload_name(name: str) -> str:
    """A file name that can only land inside the uploads directory, or a ValueError saying why not."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    if not base or base.startswith("."):
        raise ValueError(f"“{name}” is not a usable file name")
    if not base.lower().endswith(UPLOAD_SUFFIXES):
        raise ValueError(f"“{name}” is not a .txt, .md or .html file")
    return base[:120]


def build_app(assistant: Assistant):
    import gradio as gr

    def status_text() -> str:
        try:
            s = assistant.status()
            return f"**{s.articles} articles · {s.chunks} chunks** · model `{s.model_id}` · index `{s.location}`"
        except RagError as err:
            return f"Index not available: {fmt.esc(str(err))}"

    def articles_table() -> str:
        try:
            return fmt.articles_html(assistant.articles())
        except RagError as err:
            return f"<p>{fmt.esc(str(err))}</p>"

    def respond(message: str, history: list, previous: str | None):
        history = list(history or [])
        shown = fmt.esc_md(message or "")
        history.append({"role": "user", "content": shown})
        history.append({"role": "assistant", "content": "<em>Searching the articles…</em>"})
        yield history, "", previous, gr.update()
        try:
            answer, draft = None, ""
            for item in assistant.ask_stream(message, previous=previous):
                if isinstance(item, str):  # an LLM's draft, shown as it is generated, then verified
                    draft += item
                    history[-1] = {"role": "assistant", "content": f'<div class="draft">{fmt.esc(draft)}</div>'}
                    yield history, "", previous, gr.update()
                else:
                    answer = item
        except QuestionError as err:
            history[-1] = {"role": "assistant", "content": f'<div class="nic">{fmt.esc(str(err))}</div>'}
            yield history, "", previous, gr.update()
            return
        except RagError as err:
            log.warning("answer failed: %s", err)
            history[-1] = {"role": "assistant", "content": f'<div class="nic">{fmt.esc(str(err))}</div>'}
            yield history, "", previous, gr.update()
            return
        cited = {c.document_id for c in answer.citations + answer.related}
        articles = {d: assistant.article(d) for d in cited}
        note = fmt.searched_note(answer) + fmt.backend_note(answer)
        sources = fmt.sources_html(answer, articles)
        for i, part in enumerate(fmt.answer_parts(answer)):
            # a blank line after the notes (HTML blocks) so that the answer is still read as Markdown
            history[-1] = {"role": "assistant", "content": (note + "\n\n" if note else "") + part}
            yield history, "", answer.searched, sources if i == 0 else gr.update()
            time.sleep(STREAM_PAUSE)

    def upload(files):
        if not files:
            return "Choose .txt, .md or .html files first.", articles_table(), status_text()
        files = files if isinstance(files, list) else [files]
        if len(files) > MAX_UPLOAD_FILES:
            return f"At most {MAX_UPLOAD_FILES} files at a time; {len(files)} were given.", articles_table(), status_text()
        saved, problems = [], []
        target = assistant.uploads_dir
        target.mkdir(parents=True, exist_ok=True)
        for f in files:
            path = Path(f if isinstance(f, str) else f.name)
            original = getattr(f, "orig_name", None) or path.name
            try:
                name = safe_upload_name(original)
                size = path.stat().st_size
                if size > MAX_UPLOAD_BYTES:
                    raise ValueError(f"“{original}” is {size / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} MB")
                data = path.read_bytes()
                if b"\x00" in data[:8192]:
                    raise ValueError(f"“{original}” looks binary; upload text articles")
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError:
                    raise ValueError(f"“{original}” is not UTF-8 text; re-save it as UTF-8") from None
                destination = (target / name).resolve()
                if destination.parent != target.resolve():
                    raise ValueError(f"“{original}” would be written outside the corpus")
                tmp = destination.with_name("." + destination.name + ".part")
                tmp.write_bytes(data)
                os.replace(tmp, destination)
                saved.append(name)
            except (ValueError, OSError) as err:
                problems.append(str(err))
        message = ""
        if saved:
            try:
                report = assistant.index()
                message = (f"Indexed {', '.join(saved)}: {len(report.added)} added, {len(report.updated)} updated, "
                           f"{report.embedded} chunks embedded. You can ask about them now.")
                problems += [f"{s}: {r}" for s, r in report.skipped if s.startswith("uploads/")]
            except RagError as err:
                problems.append(str(err))
        if problems:
            message += ("\n\n" if message else "") + "Not added: " + "; ".join(problems)
        return message, articles_table(), status_text()

    def api_ask(question: str, previous: str = "") -> dict:
        """Answer a question from the corpus. Returns the structured answer: status, answer, citations, related, searched."""
        try:
            return assistant.ask(question, previous=previous or None).model_dump()
        except RagError as err:
            return {"status": "error", "error": str(err), "answer": "", "citations": [], "related": []}

    with gr.Blocks(title="Ask the articles", analytics_enabled=False) as app:
        gr.Markdown("## Ask the articles\nAnswers quote the articles; every sentence links to its source. If the articles do not say, you are told so.")
        status = gr.Markdown(status_text(), elem_id="status")
        previous = gr.State(None)
        with gr.Row(elem_id="main-row"):
            with gr.Column(scale=3, min_width=320):
                chatbot = gr.Chatbot(label="Conversation", height=520, elem_id="chat", buttons=["copy"], sanitize_html=True,
                                     placeholder="Ask a question about the indexed news articles.")
                with gr.Row():
                    box = gr.Textbox(show_label=False, placeholder="Ask about the articles…", scale=5, elem_id="question",
                                     max_lines=4, autofocus=True)
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                with gr.Row(elem_id="examples"):
                    example_buttons = [gr.Button(q, size="sm", elem_classes=["example"]) for q in EXAMPLES]
                clear = gr.Button("New conversation", size="sm", elem_id="clear")
            with gr.Column(scale=2, min_width=320):
                sources = gr.HTML(fmt.sources_html(None, {}), elem_id="sources")
                with gr.Accordion("Articles in the corpus", open=False, elem_id="corpus"):
                    table = gr.HTML(articles_table(), elem_id="articles")
                    files = gr.File(label="Add articles (.txt, .md, .html; up to 2 MB each)", file_count="multiple",
                                    file_types=list(UPLOAD_SUFFIXES), elem_id="upload")
                    upload_msg = gr.Markdown(elem_id="upload-msg")

        outputs = [chatbot, box, previous, sources]
        box.submit(respond, [box, chatbot, previous], outputs, api_visibility="private")
        send.click(respond, [box, chatbot, previous], outputs, api_visibility="private")
        for button, question in zip(example_buttons, EXAMPLES):
            button.click(lambda h, p, q=question: (yield from respond(q, h, p)), [chatbot, previous], outputs, api_visibility="private")
        clear.click(lambda: ([], "", None, fmt.sources_html(None, {})), None, outputs, api_visibility="private")
        files.upload(upload, files, [upload_msg, table, status], api_visibility="private")
        gr.api(api_ask, api_name="ask")
    return app


def serve(assistant: Assistant, host: str = "127.0.0.1", port: int = 7860, concurrency: int = 4) -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("GRADIO_TEMP_DIR", str(assistant.data_dir / "gradio-tmp"))
    import gradio as gr

    assistant.warm_up()
    app = build_app(assistant)
    app.queue(default_concurrency_limit=concurrency, max_size=100)
    print(f"Chat UI: http://{host}:{port}  (Ctrl-C to stop)", flush=True)
    app.launch(server_name=host, server_port=port, share=False, css=CSS, js=JS, theme=gr.themes.Soft(),
               footer_links=["api"], show_error=False, quiet=True, max_file_size=MAX_UPLOAD_BYTES * MAX_UPLOAD_FILES)
