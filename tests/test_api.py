"""The public API and the architecture: one small surface, imports flowing ui -> rag -> index."""

import ast
import os
import subprocess
import sys
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


def test_every_setting_is_a_flag_of_every_command_with_its_description():
    """The flags are generated from Settings (one list of options, one help text), after any command."""
    from rag import Settings
    from rag.cli import NOT_FLAGS, build_parser

    parser = build_parser()
    for command, sub in parser.commands.items():
        flags = {a.dest: a for a in sub._actions}
        for name, field in Settings.model_fields.items():
            if name in NOT_FLAGS:
                assert name not in flags  # the API key: environment or .env only, never argv
                continue
            assert name in flags, (command, name)
            assert field.description in flags[name].help and f"$RAG_{name.upper()}" in flags[name].help
    args = parser.parse_args(["bench", "--data-dir", "/tmp/x", "--size", "1k"])
    assert str(args.data_dir) == "/tmp/x"
    assert parser.parse_args(["ask", "-k", "8", "q"]).top_k == 8
    assert parser.parse_args(["ask", "--verify", "flag", "q"]).verify == "flag"


def test_a_setting_out_of_range_names_its_flag(capsys):
    import rag.cli

    assert rag.cli.main(["ask", "--top-k", "0", "Who blocked the Lachin Corridor?"]) == 2
    assert "--top-k: Input should be greater than or equal to 1" in capsys.readouterr().err


def test_importing_the_packages_changes_no_environment_variable():
    code = (
        "import os; before = dict(os.environ); import rag, rag.cli, index.embedding, index.store, ui.app, evals.cli;"
        "print(sorted(set(os.environ.items()) ^ set(before.items())))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "TOKENIZERS_", "ANONYMIZED_"))}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
