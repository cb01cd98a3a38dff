"""The `rag` command as a user runs it: real processes, from another directory."""

import json
import os
import subprocess
import sys

import pytest

from .conftest import SEEDS

RAG = [sys.executable, "-m", "rag.cli"]


def run(args, cwd, **kw):
    env = {**os.environ, "RAG_DATA_DIR": "", **kw.pop("env", {})}
    env = {k: v for k, v in env.items() if v != ""}
    return subprocess.run(RAG + args, cwd=cwd, capture_output=True, text=True, timeout=300, env=env, **kw)


@pytest.mark.slow
def test_ask_json_from_another_directory_builds_the_missing_index(tmp_path, seed_dir, seeded):
    data = tmp_path / "data"
    result = run(
        ["ask", "--json", "--corpus", str(SEEDS), "--data-dir", str(data), "Who blocked the Lachin Corridor?"], cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "building it" in result.stderr and "5 added" in result.stderr
    answer = json.loads(result.stdout)  # exactly one JSON object on stdout
    assert answer["status"] == "answered"
    assert set(answer) >= {"status", "answer", "citations"}
    for c in answer["citations"]:
        assert set(c) >= {"n", "document_id", "source", "title", "quote", "start", "end"}
        assert (SEEDS / c["source"]).read_text(encoding="utf-8")[c["start"] : c["end"]] == c["quote"]
        assert f"[{c['n']}]" in answer["answer"]
    # the second run reuses the index and says nothing about building
    again = run(["ask", "--json", "--data-dir", str(data), "What is the boiling point of water?"], cwd=tmp_path)
    assert again.returncode == 0 and "building" not in again.stderr
    assert json.loads(again.stdout)["status"] == "not_in_corpus"
    # a misspelt word is searched corrected, and the answer says what was searched
    typo = run(["ask", "--data-dir", str(data), "Who blocked the Lachin Coridor?"], cwd=tmp_path)
    assert typo.stdout.startswith("(Searched with the spelling of the articles: Coridor → Corridor)\n") and "[1]" in typo.stdout
    # naming another corpus is an error that says what to do, not an answer from the seeds
    other = tmp_path / "my-articles"
    other.mkdir()
    wrong = run(
        ["ask", "--json", "--corpus", str(other), "--data-dir", str(data), "Who blocked the Lachin Corridor?"], cwd=tmp_path
    )
    assert wrong.returncode == 1 and json.loads(wrong.stdout)["status"] == "error"
    assert f"holds the articles of {SEEDS.resolve()}, not {other}" in wrong.stderr and "rag index --corpus" in wrong.stderr
    # a corpus that does not exist is said to be missing, not to be indexed
    gone = run(["ask", "--corpus", str(tmp_path / "no-such-dir"), "--data-dir", str(data), "Who blocked it?"], cwd=tmp_path)
    assert gone.returncode == 1 and "no-such-dir does not exist" in gone.stderr and "rag index" not in gone.stderr, gone.stderr


@pytest.mark.slow
def test_ask_over_a_folder_without_articles_says_so_each_time_not_that_the_corpus_does_not_say(tmp_path):
    unread = tmp_path / "unread"
    unread.mkdir()
    (unread / "minutes.docx").write_bytes(b"PK\x03\x04")
    data = tmp_path / "data"
    first = run(["index", "--corpus", str(unread), "--data-dir", str(data)], cwd=tmp_path)
    assert first.returncode == 1 and "minutes.docx: not read" in first.stderr
    asked = run(["ask", "--corpus", str(unread), "--data-dir", str(data), "What was decided?"], cwd=tmp_path)
    assert asked.returncode == 1 and "has no .txt, .md, .html or .jsonl files" in asked.stderr
    assert "does not say" not in asked.stdout
    missing = run(["ask", "--corpus", str(tmp_path / "missing"), "--data-dir", str(tmp_path / "d2"), "What?"], cwd=tmp_path)
    assert missing.returncode == 1 and "does not exist" in missing.stderr and "building it" not in missing.stderr
    # text files that are all skipped (an empty one, an image given a .txt name) are no corpus either
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "empty.txt").write_text("", encoding="utf-8")
    (broken / "notes.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    skipped = run(["index", "--corpus", str(broken), "--data-dir", str(tmp_path / "d3")], cwd=tmp_path)
    assert skipped.returncode == 1 and "has no article that could be indexed:" in skipped.stderr, skipped.stderr
    assert (
        "notes.txt: looks binary (a PNG image, by its first bytes)" in skipped.stderr and "empty.txt: holds no" in skipped.stderr
    )
    asked = run(["ask", "--corpus", str(broken), "--data-dir", str(tmp_path / "d3"), "Who won?"], cwd=tmp_path)
    assert asked.returncode == 1 and "has no article that could be indexed" in asked.stderr and "does not say" not in asked.stdout


@pytest.mark.slow
def test_index_prints_what_changed(tmp_path, corpus):
    data = tmp_path / "data"
    first = run(["index", "--corpus", str(corpus), "--data-dir", str(data)], cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "5 added" in first.stderr
    (corpus / "002_fe384b6641b396f0.txt").unlink()
    second = run(["index", "--corpus", str(corpus), "--data-dir", str(data)], cwd=tmp_path)
    assert "removed 002_fe384b6641b396f0.txt" in second.stderr and "0 chunks embedded" in second.stderr
    status = run(["status", "--data-dir", str(data)], cwd=tmp_path)
    assert "Articles: 4" in status.stdout


@pytest.mark.parametrize("question", ["", "   ", "q" * 100_000])
def test_bad_question_exits_2_with_a_message(tmp_path, question):
    result = run(["ask", "--json", "--data-dir", str(tmp_path / "d"), question], cwd=tmp_path)
    assert result.returncode == 2
    assert "error:" in result.stderr and ("empty" in result.stderr or "limit is" in result.stderr)
    assert json.loads(result.stdout)["status"] == "error"
    assert not (tmp_path / "d").exists()  # nothing was built for a bad question


def test_missing_corpus_is_explained(tmp_path):
    result = run(["index", "--corpus", str(tmp_path / "nope"), "--data-dir", str(tmp_path / "d")], cwd=tmp_path)
    assert result.returncode == 1 and "does not exist" in result.stderr
    assert not (tmp_path / "d").exists()  # refused before anything is created (no store, no ONNX export)


@pytest.mark.slow  # seconds of subprocesses or thousands of rows
def test_help_has_examples(tmp_path):
    for args in (["--help"], ["ask", "--help"], ["index", "--help"], ["serve", "--help"]):
        result = run(args, cwd=tmp_path)
        assert result.returncode == 0 and "example" in result.stdout


@pytest.mark.slow
def test_ask_waits_for_another_process_building_the_first_index(tmp_path):
    """`rag serve` and `rag ask` started together on a fresh machine: the second waits, then answers."""
    import threading
    import time

    from index.build import write_lock

    data = tmp_path / "data"
    data.mkdir()
    released = threading.Event()

    def hold():
        with write_lock(data):  # another indexer, as far as `rag ask` can tell
            time.sleep(4)
        released.set()

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.5)
    out = run(["ask", "--json", "--data-dir", str(data), "--corpus", str(SEEDS), "Who blocked the Lachin Corridor?"], tmp_path)
    holder.join()
    assert released.is_set()
    assert out.returncode == 0, out.stderr
    assert "waiting for it to finish" in out.stderr
    assert json.loads(out.stdout)["status"] == "answered"


@pytest.mark.slow  # a subprocess
def test_serve_on_a_busy_port_says_so_before_indexing(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(["serve", "--port", str(port), "--data-dir", str(tmp_path / "d")], cwd=tmp_path)
    assert result.returncode == 1 and f"Cannot listen on 127.0.0.1:{port}" in result.stderr
    assert f"--port {port + 1}" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "d").exists()  # nothing was built for a server that cannot start


def test_the_terminal_tells_a_question_in_another_language_to_ask_in_english():
    """As the chat UI does (rag/language.py); a question in English is not told."""
    from rag.cli import format_answer
    from rag.types import Answer

    refused = Answer(status="not_in_corpus", answer="The corpus does not say.", question="Кто заблокировал Лачинский коридор?")
    assert format_answer(refused).startswith("(The articles are searched in English")
    assert format_answer(refused.model_copy(update={"question": "Who blocked it?"})) == "The corpus does not say."


def test_the_terminal_names_each_source_by_file_outlet_and_date():
    """As the chat UI's cards and the copied answer do (``Citation.about``): quoted sources and the closest passages."""
    from rag.cli import format_answer
    from rag.types import Answer, Citation

    text = "The bridge will stay closed until April."
    c = Citation(
        n=1, document_id="b", source="bridge.html", title="Bridge shut", quote=text, start=0, end=len(text), text=text,
        outlet="Valley Courier", published="2026-11-23T15:45:00-05:00",
    )  # fmt: skip
    answered = Answer(status="answered", answer=f"{text} [1]", citations=[c], question="Until when is the bridge shut?")
    assert "[1] Bridge shut (bridge.html · Valley Courier · 23 November 2026, characters 0-40)" in format_answer(answered)
    refused = Answer(status="not_in_corpus", answer="The corpus does not say.", related=[c], question="Who built it?")
    assert "- Bridge shut (bridge.html · Valley Courier · 23 November 2026): “The bridge" in format_answer(refused)


def test_the_index_summary_counts_one_article_in_the_singular(capsys):
    from types import SimpleNamespace

    from rag.cli import _print_report

    report = SimpleNamespace(
        skipped=[], added=["port.txt"], updated=[], removed=[], unchanged=[], embedded=2, articles=1, chunks=2, seconds=0.1
    )
    _print_report(report, "corpus")
    err = capsys.readouterr().err
    assert "; 1 article, 2 chunks in the index" in err
    assert "Indexed corpus: files 1 added, 0 updated" in err  # files, not articles: a .jsonl file holds several
