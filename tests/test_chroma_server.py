"""Server mode: index, ask and eval through a real `chroma run` started by the test."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from index.embedding import HashingEmbedder
from rag import Assistant, IndexMismatchError, Settings

from .conftest import SEEDS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("chroma run exited") from None
            time.sleep(0.3)
    else:
        raise RuntimeError("chroma run did not answer its heartbeat in 60 s")
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.slow
def test_two_app_processes_share_one_index_on_a_chroma_server(chroma_url, tmp_path, embedder):
    writer = Assistant(Settings(corpus=SEEDS, data_dir=tmp_path / "app1", chroma_url=chroma_url), embedder=embedder)
    report = writer.index()
    assert len(report.added) == 5
    # another app with its own (empty) data dir: it finds the index on the server and rebuilds BM25 from it
    reader = Assistant(Settings(corpus=SEEDS, data_dir=tmp_path / "app2", chroma_url=chroma_url), embedder=embedder)
    answer = reader.ask("Who blocked the Lachin Corridor?")
    assert answer.answered and answer.citations[0].source == "000_09181bd4437617d1.txt"
    assert (SEEDS / answer.citations[0].source).read_text(encoding="utf-8")[
        answer.citations[0].start : answer.citations[0].end
    ] == answer.citations[0].quote
    assert reader.status().chunks == report.chunks
    assert not reader.ask("Who won the 2018 FIFA World Cup?").answered
    again = writer.index()
    assert again.embedded == 0 and len(again.unchanged) == 5


@pytest.mark.slow
def test_server_index_with_another_model_is_refused(chroma_url, tmp_path, embedder):
    Assistant(Settings(corpus=SEEDS, data_dir=tmp_path / "w", chroma_url=chroma_url), embedder=embedder).index()
    other = Assistant(Settings(corpus=SEEDS, data_dir=tmp_path / "x", chroma_url=chroma_url), embedder=HashingEmbedder())
    with pytest.raises(IndexMismatchError, match="rebuild"):
        other.ask("Who blocked the Lachin Corridor?")


def test_cli_with_chroma_url_that_is_down_says_so(tmp_path):
    port = _free_port()
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", "status", "--data-dir", str(tmp_path), "--chroma-url", f"http://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert f"http://127.0.0.1:{port}" in result.stderr and "chroma run" in result.stderr
