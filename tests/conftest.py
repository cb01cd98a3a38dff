"""Shared fixtures: no network, the real model loaded once, a seed index built once."""

import os
import shutil
import socket
from pathlib import Path

import pytest

from index.embedding import HashingEmbedder, SentenceTransformerEmbedder
from rag import Assistant, Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ARTIFACTS = ROOT / "test-artifacts"


# Fixtures that load a model, build an index with one, or start a server or a browser: a test that
# uses any of them (directly or through another fixture) is ``slow``, so that `pytest -m "not slow"`
# is a fast unit layer that loads no model.
HEAVY_FIXTURES = frozenset(
    {
        "embedder",
        "seeded",
        "judge",
        "server",
        "llm_assistant",
        "export",
        "reader",
        "news",
        "contested",
        "served",
        "page",
        "browser",
        "chroma_url",
        "wheel",
    }
)


def pytest_collection_modifyitems(items):
    for item in items:
        if HEAVY_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def isolated_settings():
    """Tests (and the session's shared fixtures, built first) see the defaults, not the developer's
    RAG_* variables or a .env file in the working directory (RAG_SHARED_DIR, where ../shared is, is
    kept: it locates data and changes no behaviour)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("RAG_") and name != "RAG_SHARED_DIR":
                patch.delenv(name)
        patch.setitem(Settings.model_config, "env_file", None)
        yield


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Tests may talk to loopback (servers they start) and nothing else."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if self.family == socket.AF_UNIX or host in ("127.0.0.1", "::1", "localhost"):
            return real_connect(self, address)
        raise RuntimeError(f"test tried to reach the network: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    model = SentenceTransformerEmbedder()
    model.warm_up()
    return model


@pytest.fixture
def hashing() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def seed_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("seed-index")


@pytest.fixture(scope="session")
def seeded(embedder, seed_dir) -> Assistant:
    """An assistant over the seed corpus with the real model (indexed once per session)."""
    assistant = Assistant(Settings(corpus=SEEDS, data_dir=seed_dir), embedder=embedder)
    assistant.index()
    return assistant


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A fresh, writable copy of the seed corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    return target
