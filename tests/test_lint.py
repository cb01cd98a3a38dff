"""The code stays as ruff formats and lints it (pyproject.toml [tool.ruff]: line length 130)."""

import subprocess
import sys

from .conftest import ROOT

PACKAGES = ["rag", "index", "ui", "evals", "tests"]


def test_ruff_lints_clean():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", *PACKAGES], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_leaves_the_code_as_it_is():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", *PACKAGES], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
