"""A plain (non-editable) install: the wheel carries the seeds, the reader, the judge and every eval
data file, and answers a seed question from a virtualenv that cannot see this checkout."""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile

import pytest

from .conftest import ROOT

SOURCES = ("pyproject.toml", "README.md", "rag", "index", "ui", "evals", "seeds")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The project's wheel, built from a copy of its sources (an in-tree build would leave build/ behind)."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(path, src / name)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(src)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (built,) = out.glob("rag_news-*.whl")
    return built


def test_the_wheel_holds_every_file_a_plain_install_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    seeds = sorted(p.name for p in (ROOT / "seeds").iterdir())
    assert {f"rag_news_seeds/{name}" for name in seeds} <= names
    expected = [
        "rag/judge.json",
        "rag/models/reader/reader.int8.onnx",
        "rag/models/reader/reader.json",
        "rag/models/reader/tokenizer.json",
        "evals/thresholds.json",
    ]
    expected += [str(p.relative_to(ROOT)) for p in (ROOT / "evals" / "data").rglob("*") if p.is_file()]
    assert [name for name in expected if name not in names] == []
    assert not [n for n in names if n.startswith("tests/") or "__pycache__" in n]


@pytest.mark.slow
def test_a_plain_install_answers_a_seed_question_from_anywhere(wheel, tmp_path):
    """Installed into a fresh virtualenv (its dependencies taken from this one's site-packages, whose
    editable path hooks are not processed there), run from a directory outside the checkout."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    with open(os.path.join(purelib, "_dependencies.pth"), "w") as f:  # a path line only: no .pth file in it is run
        f.write(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )

    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_") and k != "PYTHONPATH"}
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import rag, rag_news_seeds, evals.cli as c; from rag.settings import DEFAULT_CORPUS;"
            "print(rag.__file__); print(DEFAULT_CORPUS); print(c.THRESHOLDS.is_file())",
        ],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert all(w.startswith(str(venv)) for w in where[:2]), where  # not this checkout
    assert where[2] == "True"

    rag = venv / "bin" / "rag"
    assert re.search(
        r"\bserve\b", subprocess.run([str(rag), "--help"], cwd=tmp_path, env=env, capture_output=True, text=True).stdout
    )
    result = subprocess.run(
        [
            str(rag),
            "ask",
            "--json",
            "--data-dir",
            str(tmp_path / "data"),
            "How many peacekeepers did Russia deploy to Nagorno-Karabakh?",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "answered" and "2,000" in answer["answer"], answer
    assert {c["source"] for c in answer["citations"]} <= {p.name for p in (ROOT / "seeds").iterdir()}


def test_the_readme_installs_the_torch_that_pyproject_pins():
    """The README's commands install torch first from PyTorch's CPU index (a plain `torch==X` resolves
    to the CUDA build on Linux); that pin must be the one pyproject.toml declares."""
    pins = [d for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"] if d.startswith("torch")]
    readme = (ROOT / "README.md").read_text()
    first, second = re.findall(r"```bash\n(.+?)\n```", readme, re.S)[:2]
    for command in (first, second):
        assert f"install --retries 1 {pins[0]} --extra-index-url https://download.pytorch.org/whl/cpu" in command
    assert second in (ROOT / ".ci" / "run").read_text()
