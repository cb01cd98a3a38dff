"""The public API and the architecture: one small surface, imports flowing ui -> rag -> index."""

import ast
from pathlib import Path

import pytest

import rag

ROOT = Path(__file__).resolve().parent.parent


def test_public_api_is_pinned():
    assert sorted(rag.__all__) == sorted(
        [
            "Answer",
            "AnswerStream",
            "ArticleInfo",
            "Assistant",
            "Citation",
            "CorpusError",
            "IndexBusyError",
            "IndexCorruptedError",
            "IndexMismatchError",
            "IndexMissingError",
            "IndexReadOnlyError",
            "IndexReport",
            "IndexStatus",
            "IndexUnavailableError",
            "LLMError",
            "ModelError",
            "QuestionError",
            "RagError",
            "Settings",
        ]
    )
    assert issubclass(rag.QuestionError, rag.RagError) and issubclass(rag.IndexMissingError, rag.RagError)
    assert issubclass(rag.LLMError, rag.RagError)


LAYERS = {"index": 0, "rag": 1, "ui": 2, "evals": 2}  # a module may import its own layer and those below
UPWARD_ALLOWED: set[tuple[str, str]] = set()  # (file, package) exceptions: none (ui and evals plug their commands in)


def _upward_imports() -> set[tuple[str, str]]:
    """Every import of a package above the importing module's, lazy ones (inside functions) included."""
    found = set()
    for package, level in LAYERS.items():
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [a.name.split(".")[0] for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module.split(".")[0]]
                else:
                    continue
                for name in names:
                    if name in LAYERS and name != package and LAYERS[name] >= level:
                        found.add((str(path.relative_to(ROOT)), name))
    return found


def test_imports_flow_one_way():
    assert _upward_imports() - UPWARD_ALLOWED == set()


def test_the_ui_and_evals_commands_come_from_entry_points():
    from importlib.metadata import entry_points

    from rag.cli import build_parser

    assert {ep.value for ep in entry_points(group="rag_news.commands")} == {"evals.commands:register", "ui.commands:register"}
    assert {"serve", "eval", "bench", "index", "ask", "status", "check"} <= set(build_parser().commands)


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


def test_a_command_whose_entry_point_is_missing_says_to_reinstall(monkeypatch, capsys):
    import rag.cli

    monkeypatch.setattr(rag.cli, "_plugins", lambda: [])
    assert rag.cli.main(["serve"]) == 2
    assert "pip install -e ." in capsys.readouterr().err


def test_settings_precedence_flags_then_environment_then_dotenv_then_defaults(tmp_path, monkeypatch):
    from rag import Settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(Settings.model_config, "env_file", ".env")  # the tests' isolation turns it off
    (tmp_path / ".env").write_text("RAG_TOP_K=7\nRAG_LLM_MODEL=from-dotenv\nRAG_CHROMA_TIMEOUT=3\n")
    monkeypatch.setenv("RAG_TOP_K", "9")
    monkeypatch.setenv("RAG_LLM_MODEL", "from-env")
    settings = Settings(top_k=11)
    assert settings.top_k == 11  # the flag
    assert settings.llm_model == "from-env"  # the environment over .env
    assert settings.chroma_timeout == 3.0  # .env over the default
    assert Settings().verify == "remove"  # the default
