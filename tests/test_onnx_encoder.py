"""Questions on ONNX Runtime: the export of the packaged model, its verification, and every fallback."""

import json
import logging
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from index import onnx_export
from index.documents import load_corpus
from index.embedding import SentenceTransformerEmbedder, default_model_path
from index.onnx_export import ENCODER_FILE, MANIFEST, MIN_COSINE, exportable, threads_from_env

from .conftest import ROOT, SEEDS


def texts_to_check(embedder) -> list[str]:
    articles, _ = load_corpus(SEEDS)
    texts = [a.text[:600] for a in articles] + [a.text for a in articles[:2]]  # the last two exceed 256 wordpieces
    texts += ["Who blocked the Lachin Corridor?", "Ä naïve “quote” — 2,000 troops!", "x"]
    assert max(embedder.count_tokens(texts)) > embedder.max_tokens  # truncation is exercised
    return texts


@pytest.fixture(scope="module")
def export(embedder, tmp_path_factory):
    """The packaged model exported once (data dir, manifest)."""
    data_dir = tmp_path_factory.mktemp("onnx-data")
    manifest = embedder.prepare_onnx(data_dir)
    assert manifest is not None, embedder.onnx_reason
    return data_dir, manifest


def question_embedder(embedder, data_dir) -> SentenceTransformerEmbedder:
    """A fresh embedder attached to ``data_dir``, sharing the loaded torch model (for the fallback)."""
    fresh = SentenceTransformerEmbedder(dtype=embedder.dtype)
    fresh._model = embedder._model
    fresh.attach(data_dir)
    return fresh


@pytest.mark.slow
def test_export_of_the_packaged_model_matches_sentence_transformers(embedder, export):
    data_dir, manifest = export
    directory = embedder.onnx_dir(data_dir)
    assert directory == data_dir / "models" / embedder.fingerprint  # keyed by the model fingerprint
    assert manifest["verified"] and manifest["min_cosine"] >= MIN_COSINE
    assert manifest["model_id"] == embedder.model_id and (directory / ENCODER_FILE).is_file()

    fresh = question_embedder(embedder, data_dir)
    assert fresh.question_engine == "onnx"
    texts = texts_to_check(embedder)
    reference = embedder.torch_model().encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    ours = np.concatenate([fresh.embed(texts[i : i + 8]) for i in range(0, len(texts), 8)])  # question-sized batches
    cosines = (reference.astype(np.float32) * ours).sum(axis=1)
    assert cosines.min() >= (0.995 if embedder.dtype == "bfloat16" else MIN_COSINE), cosines

    before = (directory / ENCODER_FILE).stat().st_mtime_ns
    assert embedder.prepare_onnx(data_dir)["sha256"] == manifest["sha256"]  # again: nothing exported
    assert (directory / ENCODER_FILE).stat().st_mtime_ns == before


@pytest.mark.slow
def test_questions_fall_back_to_sentence_transformers_without_an_export(embedder, tmp_path, caplog):
    fresh = question_embedder(embedder, tmp_path)
    with caplog.at_level(logging.WARNING, logger="index.embedding"):
        vector = fresh.embed(["Who blocked the Lachin Corridor?"])
    assert fresh.question_engine == "sentence-transformers"
    assert "no ONNX export" in fresh.onnx_reason and "no ONNX export" in caplog.text
    reference = embedder.torch_model().encode(["Who blocked the Lachin Corridor?"], normalize_embeddings=True)
    assert float(vector[0] @ reference[0]) >= (0.995 if embedder.dtype == "bfloat16" else 0.999)

    unattached = SentenceTransformerEmbedder(dtype=embedder.dtype)
    unattached._model = embedder._model
    unattached.embed(["x"])
    assert unattached.question_engine == "sentence-transformers" and "no data directory" in unattached.onnx_reason


@pytest.mark.slow
@pytest.mark.parametrize(
    "damage, reason",
    [
        ("truncate", "bytes"),
        ("overwrite", "altered or corrupted|does not load"),
        ("manifest", "no ONNX export"),
        ("unverified", "failed verification"),
        ("delete", "missing"),
    ],
)
def test_a_damaged_export_is_refused_with_its_reason(embedder, export, tmp_path, damage, reason):
    import re

    data_dir, _ = export
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    directory = embedder.onnx_dir(copy)
    onnx_file, manifest_file = directory / ENCODER_FILE, directory / MANIFEST
    if damage == "truncate":
        onnx_file.write_bytes(onnx_file.read_bytes()[: onnx_file.stat().st_size // 2])
    elif damage == "overwrite":  # same size, weights in the middle replaced
        data = bytearray(onnx_file.read_bytes())
        middle = len(data) // 2
        data[middle : middle + 4_000_000] = np.random.default_rng(0).bytes(4_000_000)
        onnx_file.write_bytes(bytes(data))
    elif damage == "manifest":
        manifest_file.write_text("{not json")
    elif damage == "unverified":
        manifest = json.loads(manifest_file.read_text())
        manifest.update(verified=False, reason="minimum cosine 0.5")
        manifest_file.write_text(json.dumps(manifest))
    elif damage == "delete":
        onnx_file.unlink()

    fresh = question_embedder(embedder, copy)
    question = "How many peacekeepers did Russia deploy?"
    vector = fresh.embed([question])  # still answers, on sentence-transformers
    assert fresh.question_engine == "sentence-transformers"
    assert re.search(reason, fresh.onnx_reason), fresh.onnx_reason
    reference = embedder.torch_model().encode([question], normalize_embeddings=True)
    assert float(vector[0] @ reference[0]) >= 0.999


@pytest.mark.slow
def test_a_failed_verification_is_recorded_and_not_retried(embedder, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(onnx_export, "MIN_COSINE", 1.5)  # no export can pass
    assert embedder.prepare_onnx(tmp_path) is None
    directory = embedder.onnx_dir(tmp_path)
    manifest = json.loads((directory / MANIFEST).read_text())
    assert manifest["verified"] is False and "minimum cosine" in manifest["reason"]
    assert not (directory / ENCODER_FILE).exists()  # an export that failed is not kept

    def never(*args, **kwargs):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_export, "export_encoder", never)
    with caplog.at_level(logging.WARNING, logger="index.embedding"):
        assert embedder.prepare_onnx(tmp_path) is None  # the same versions would fail the same way
    assert "failed before" in caplog.text
    fresh = question_embedder(embedder, tmp_path)
    fresh.embed(["x"])
    assert "failed verification" in fresh.onnx_reason


def test_only_models_with_mean_pooling_are_exported(tmp_path):
    assert exportable(default_model_path()) is None
    model = tmp_path / "model"
    shutil.copytree(default_model_path(), model)
    pooling = model / "1_Pooling" / "config.json"
    pooling.write_text(pooling.read_text().replace('"pooling_mode_cls_token": false', '"pooling_mode_cls_token": true'))
    assert "mean" in exportable(model)
    embedder = SentenceTransformerEmbedder(model)
    assert embedder.prepare_onnx(tmp_path / "data") is None  # refused before torch is loaded
    assert embedder._model is None


@pytest.mark.slow
def test_embedding_questions_never_imports_torch(export):
    data_dir, _ = export
    code = (
        "import sys; from index.embedding import SentenceTransformerEmbedder;"
        "e = SentenceTransformerEmbedder(); e.attach(sys.argv[1]);"
        "q = e.embed(['Who blocked the Lachin Corridor?']);"
        "s = e.embed([f'Sentence number {i} of the shortlist, about the corridor.' for i in range(8)]);"
        "print(e.question_engine, q.shape[0], s.shape[0], 'torch' in sys.modules,"
        " 'sentence_transformers' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(data_dir)], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    assert out == ["onnx", "1", "8", "False", "False", "False"]


@pytest.mark.slow
def test_indexing_a_few_articles_into_a_new_data_dir_meets_no_missing_export(embedder, tmp_path, caplog):
    """The export is made under the write lock, before any chunk is embedded: a small batch of chunks (embedded as
    a question is) finds it, and `rag index` never tells the user to run `rag index` to create it."""
    from index.build import write_lock
    from index.errors import IndexBusyError
    from rag import Assistant, Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "harbor.txt").write_text("Harbor festival\n\nThe harbor festival drew 48,000 visitors on Saturday.\n")
    (corpus / "bridge.txt").write_text("Council vote\n\nThe council voted 7-2 on Tuesday to fund a new bridge.\n")
    data_dir = tmp_path / "data"
    fresh = SentenceTransformerEmbedder(dtype=embedder.dtype)
    fresh._model = embedder._model
    prepare, locked = fresh.prepare_onnx, []

    def prepare_onnx(directory):
        try:
            with write_lock(data_dir):
                locked.append(False)
        except IndexBusyError:
            locked.append(True)  # held by the indexer: another process waits instead of building the index too
        assert fresh.embedded == 0  # nothing embedded yet
        return prepare(directory)

    fresh.prepare_onnx = prepare_onnx
    with caplog.at_level(logging.DEBUG, logger="index.embedding"):
        report = Assistant(Settings(corpus=corpus, data_dir=data_dir), embedder=fresh).index()
    assert report.embedded == 2 and locked == [True]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert fresh.question_engine == "onnx"


@pytest.mark.slow
def test_the_sessions_a_question_runs_let_the_cores_go_between_runs(embedder, export):
    """The question encoder and the reader run one after the other on the same cores: threads that spin
    after one session's run slow the next one (README, "The reader costs time")."""
    from rag.reader import Reader

    data_dir, _ = export
    fresh = question_embedder(embedder, data_dir)
    fresh.embed(["Who blocked the Lachin Corridor?"])
    reader = Reader()
    reader.warm_up()
    encoder_threads = threads_from_env("RAG_ENCODER_THREADS")
    for session, threads in ((fresh._onnx.session, encoder_threads), (reader._session, 1)):
        options = session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
        assert options.intra_op_num_threads == threads
    # the reader's threads read windows side by side, one run each
    assert reader._pool._max_workers == threads_from_env("RAG_READER_THREADS")


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_a_thread_count_that_is_not_one_says_what_to_set(monkeypatch, value):
    """RAG_READER_THREADS=0 ended in a ValueError from the thread pool's depths; now a clear error names the setting."""
    from rag.errors import RagError

    monkeypatch.setenv("RAG_READER_THREADS", value)
    with pytest.raises(RagError, match=f"RAG_READER_THREADS='{re.escape(value)}' is not a number of threads"):
        threads_from_env("RAG_READER_THREADS")
    monkeypatch.setenv("RAG_READER_THREADS", " 3 ")
    assert threads_from_env("RAG_READER_THREADS") == 3
    monkeypatch.delenv("RAG_READER_THREADS")
    assert threads_from_env("RAG_READER_THREADS") == 2
