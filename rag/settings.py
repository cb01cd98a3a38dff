"""One settings object. Precedence: explicit arguments (CLI flags) > RAG_* environment > .env > defaults."""

import importlib.util
import types
import typing
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _packaged_seeds() -> Path:
    """The default corpus: the repository's ``seeds/``, installed as the data-only package
    ``rag_news_seeds`` (pyproject.toml), so that editable and plain installs both find it."""
    spec = importlib.util.find_spec("rag_news_seeds")
    if spec is None or not spec.submodule_search_locations:
        return Path(__file__).resolve().parent.parent / "seeds"  # a source checkout that was never installed
    return Path(next(iter(spec.submodule_search_locations)))


DEFAULT_CORPUS = _packaged_seeds()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore")

    corpus: Path = Field(DEFAULT_CORPUS, description="Directory of .txt/.md/.html/.jsonl articles to index")
    data_dir: Path = Field(Path(".rag"), description="Where the index lives")
    model_path: Path | None = Field(
        None, description="Local sentence-transformers model directory, instead of the packaged all-MiniLM-L6-v2"
    )
    chroma_url: str | None = Field(None, description="Use a Chroma server (http://host:port) instead of the embedded store")
    chroma_timeout: float = Field(
        10.0, gt=0, description="Seconds to wait for each answer of a Chroma server (a hung server fails the question)"
    )
    top_k: int = Field(5, ge=1, le=50, description="Chunks retrieved per question")
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted, in characters")
    llm: str | None = Field(
        None, description="Optional LLM: an OpenAI-compatible base URL (http://127.0.0.1:11434/v1) or a .gguf file"
    )
    llm_model: str = Field("local", description="Model name to ask the LLM server for (e.g. llama3.2 for Ollama)")
    llm_api_key: SecretStr | None = Field(None, description="API key of the LLM server, if it wants one (never printed)")
    verify: Literal["remove", "flag"] = Field(
        "remove", description="Generated sentences that fail verification: remove or flag them"
    )

    @field_validator("corpus", "data_dir", "model_path", mode="after")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser().resolve() if value is not None else None


def flag_type(annotation) -> tuple[type, list | None]:
    """(argparse type, choices) for a Settings field's annotation: ``Path | None`` is Path, a Literal its values."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if typing.get_origin(annotation) is Literal:
        return str, list(typing.get_args(annotation))
    return (annotation if annotation in (Path, int, float) else str), None
