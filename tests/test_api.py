"""The public API and the architecture: one small surface, imports flowing ui -> rag -> index."""

import ast
from pathlib import Path

import pytest

import rag

ROOT = Path(__file__).resolve().parent.parent


def test_public_api_is_pinned():
    assert sorted(rag.__all__) == sorted([
        "Answer", "Assistant", "Citation", "CorpusError", "IndexBusyError", "IndexCorruptedError", "IndexMismatchError",
        "IndexMissingError", "IndexReadOnlyError", "IndexStatus", "IndexUnavailableError", "ModelError", "QuestionError",
        "RagError", "Settings",
    ])
    assert issubclass(rag.QuestionError, rag.RagError) and issubclass(rag.IndexMissingError, rag.RagError)


def _top_level_imports(package: str) -> set[str]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:  # module level only: lazy imports inside functions are allowed
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_imports_flow_one_way():
    assert not _top_level_imports("index") & {"rag", "ui", "evals"}
    assert not _top_level_imports("rag") & {"ui", "evals"}
    assert not _top_level_imports("ui") & {"evals"}


def test_the_seeds_are_the_shared_corpus_byte_for_byte():
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("no ../shared/seeds beside this clone to compare with")
    ours = sorted(p.name for p in (ROOT / "seeds").iterdir())
    assert ours == sorted(p.name for p in shared.iterdir())
    for name in ours:
        assert (ROOT / "seeds" / name).read_bytes() == (shared / name).read_bytes()


def test_the_llm_api_key_is_never_shown(monkeypatch):
    from rag import Settings

    monkeypatch.setenv("RAG_LLM_API_KEY", "sk-secret-123")
    settings = Settings()
    assert settings.llm_api_key.get_secret_value() == "sk-secret-123"
    assert "sk-secret-123" not in repr(settings) and "sk-secret-123" not in str(settings.model_dump())
