"""Question and indexing embedding speed: NumPy BERT vs ONNX Runtime fp32/int8 vs sentence-transformers.

    nice -n 10 python -m evals.encoder_bench --out bench-encoder.json            # speed + cosines (~3 min)
    nice -n 10 python -m evals.encoder_bench --out bench-encoder.json --quality  # + retrieval metrics per engine

One run, side by side, on the same texts; the engines take turns within every repeat (round robin),
so a busy machine slows them alike. Workloads: one question; the 8-sentence shortlist a question
embeds; a batch of 64 chunks of ~200 wordpieces (indexing). Each engine at 1 and 2 threads
(ORT intra-op threads; torch.set_num_threads; OpenBLAS threads for NumPy). Cosines are against
sentence-transformers float32 (the vectors the index holds). ``--quality`` runs the seed gold
questions (all splits) and ClapNQ's test split with questions embedded by each engine over one
index built by sentence-transformers, and reports the retrieval and answer metrics side by side.

The NumPy encoder (index/encoder.py) was replaced by ONNX Runtime; for the "before" column its
source is read from git at NUMPY_COMMIT when the module is gone.
"""

import argparse
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rag.settings import DEFAULT_CORPUS

from .metrics import percentile

ROOT = Path(__file__).resolve().parent.parent
NUMPY_COMMIT = "dcc3c20"  # the last commit with index/encoder.py
QUESTION = "How many peacekeepers did Russia deploy to the region?"


def numpy_encoder_class():
    """NumpyBertEncoder from the tree, else from git history (None if neither)."""
    try:
        from index.encoder import NumpyBertEncoder  # type: ignore

        return NumpyBertEncoder
    except ImportError:
        pass
    try:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{NUMPY_COMMIT}:index/encoder.py"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "numpy_encoder_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("numpy_encoder_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.NumpyBertEncoder


def workloads(tokenizer) -> dict[str, list[str]]:
    from index.documents import load_corpus

    articles, _ = load_corpus(DEFAULT_CORPUS)
    sentences = [s for a in articles for s in re.split(r"(?<=[.!?])\s+", a.text) if 12 <= len(s.split()) <= 40]
    chunks = []
    for article in articles:  # consecutive windows of 200 wordpieces, cut at token offsets
        enc = tokenizer.encode(article.text, add_special_tokens=False)
        for at in range(0, len(enc.offsets) - 100, 200):
            window = enc.offsets[at : at + 200]
            chunks.append(article.text[window[0][0] : window[-1][1]])
    base = list(chunks)
    while len(chunks) < 64:  # the seeds are small: vary the repeats so no two texts are equal
        chunks.append(f"Update {len(chunks)}: " + base[len(chunks) % len(base)])
    return {"question": [QUESTION], "shortlist8": sentences[:8], "index64": chunks[:64]}


def timed(fn, repeats: int) -> list[float]:
    return [fn() for _ in range(repeats)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--repeats", type=int, default=30, help="timed repeats per question workload (index64: a fifth)")
    parser.add_argument("--quality", action="store_true", help="also run retrieval/answer metrics per question engine")
    parser.add_argument("--datasets", default="seeds", help="with --quality: seeds, clapnq or seeds,clapnq")
    parser.add_argument("--skip-speed", action="store_true", help="with --quality: the metrics only")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import torch
    from threadpoolctl import threadpool_limits

    from index.embedding import SentenceTransformerEmbedder
    from index.onnx_export import OnnxEncoder, cosines, export_encoder

    if args.skip_speed:
        result = {"quality": quality(args.datasets.split(","))}
        args.out.write_text(json.dumps(result, indent=1))
        print_report(result)
        return 0
    base = SentenceTransformerEmbedder(dtype="float32", engine="torch")
    st = base.torch_model()
    work = workloads(base.tokenizer)
    tokens = {k: base.count_tokens(v) for k, v in work.items()}
    tmp = Path(tempfile.mkdtemp(prefix="encoder-bench-"))
    manifest = export_encoder(st, base.model_path, tmp, base.max_tokens, model_id=base.model_id, quantize=True)
    result: dict = {
        "machine": {"cpus": os.cpu_count(), "load_avg": os.getloadavg()},
        "export": {k: manifest[k] for k in ("min_cosine", "export_s", "seconds", "bytes")},
        "int8_export": {k: v for k, v in manifest["int8"].items() if k != "probe"},
        "workloads": {
            k: {"texts": len(v), "wordpieces_mean": round(statistics.mean(tokens[k]), 1), "wordpieces_max": max(tokens[k])}
            for k, v in work.items()
        },
    }

    engines = {}
    numpy_cls = numpy_encoder_class()
    for threads in (1, 2):
        if numpy_cls is not None:
            enc = numpy_cls(base.model_path, base.max_tokens)

            def run_numpy(texts, enc=enc, threads=threads):
                with threadpool_limits(threads):
                    return enc.encode(texts)

            engines[f"numpy/{threads}t"] = run_numpy
        for name, file in (("onnx-fp32", tmp / "encoder.onnx"), ("onnx-int8", tmp / "encoder.int8.onnx")):
            enc = OnnxEncoder(file, base.model_path / "tokenizer.json", base.max_tokens, threads=threads)
            engines[f"{name}/{threads}t"] = lambda texts, enc=enc: enc.encode(texts)

        def run_st(texts, threads=threads):
            torch.set_num_threads(threads)
            return st.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)

        engines[f"sentence-transformers/{threads}t"] = run_st

    torch.set_num_threads(2)
    reference = {
        k: st.encode(v, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        for k, v in work.items()
    }
    table: dict = {}
    for workload, texts in work.items():
        repeats = max(3, args.repeats // 5) if workload == "index64" else args.repeats
        for fn in engines.values():  # warm: first-call allocations are not timed
            fn(texts)
        samples: dict[str, list[float]] = {name: [] for name in engines}
        for _ in range(repeats):  # round robin
            for name, fn in engines.items():
                started = time.perf_counter()
                fn(texts)
                samples[name].append(1000 * (time.perf_counter() - started))
        for name, fn in engines.items():
            vectors = np.asarray(fn(texts), dtype=np.float32)
            xs = sorted(samples[name])
            table.setdefault(workload, {})[name] = {
                "p50_ms": round(percentile(xs, 0.5), 2),
                "p95_ms": round(percentile(xs, 0.95), 2),
                "min_cosine_vs_st": round(float(cosines(reference[workload], vectors).min()), 7),
                "texts_per_s": round(len(texts) / (statistics.median(xs) / 1000), 1),
            }
    result["latency"] = table
    result["cold_first_question"] = cold_starts(tmp)
    if args.quality:
        result["quality"] = quality(args.datasets.split(","))
    args.out.write_text(json.dumps(result, indent=1))
    print_report(result)
    print(f"\nwrote {args.out}")
    return 0


COLD = """
import sys, time, json
t0 = time.perf_counter()
from pathlib import Path
from index.embedding import SentenceTransformerEmbedder
e = SentenceTransformerEmbedder(dtype="float32", engine=sys.argv[1])
if sys.argv[1] != "torch":
    e._onnx_dirs.append(Path(sys.argv[2]))  # the export directory itself
v = e.embed([sys.argv[3]])
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")]  # ru_maxrss survives exec: the parent's
print(json.dumps({"engine": e.question_engine, "first_question_s": round(time.perf_counter() - t0, 3),
                  "torch_imported": "torch" in sys.modules,
                  "max_rss_mb": round(int(hwm[0].split()[1]) / 1024) if hwm else None}))
"""


def cold_starts(export: Path) -> dict:
    """A new process: import, load and embed one question, per engine (the fallback's cost)."""
    out = {}
    for engine in ("onnx", "int8", "torch"):
        runs = []
        for _ in range(3):
            done = subprocess.run(
                [sys.executable, "-c", COLD, engine, str(export), QUESTION],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            if done.returncode:
                runs.append({"error": done.stderr[-500:]})
                break
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        ok = [r for r in runs if "error" not in r]
        out[engine] = {
            **(ok[-1] if ok else runs[-1]),
            "first_question_s": round(statistics.median(r["first_question_s"] for r in ok), 3) if ok else None,
        }
    return out


def quality(datasets: list[str]) -> dict:
    """Retrieval and answer metrics with the question embedded by each engine, over one index."""
    from evals.cli import run
    from index.embedding import SentenceTransformerEmbedder
    from rag import Assistant, Settings

    keys = (
        "article_hit@1",
        "article_hit@5",
        "passage_hit@1",
        "passage_hit@5",
        "article_mrr@10",
        "answered_correctly",
        "answer_sentence_correct",
        "refusal_accuracy",
        "answerable_ece",
    )
    out: dict = {}
    for dataset, split in [(d, "all" if d == "seeds" else "test") for d in datasets]:
        data_dir = Path(tempfile.mkdtemp(prefix=f"encoder-quality-{dataset}-"))
        indexer = SentenceTransformerEmbedder(dtype="float32", engine="torch")
        for engine in ("torch", "onnx", "int8"):
            embedder = indexer if engine == "torch" else SentenceTransformerEmbedder(dtype="float32", engine=engine)
            if engine != "torch":
                embedder._model = indexer.torch_model()  # the same loaded model exports; no second copy
            sub = "eval-seeds" if dataset == "seeds" else "eval-clapnq"
            settings = Settings(data_dir=data_dir)
            assistant = None
            if engine != "torch":
                embedder.prepare_onnx(data_dir / sub)
                corpus = DEFAULT_CORPUS if dataset == "seeds" else data_dir / sub / "corpus"
                assistant = Assistant(
                    settings.model_copy(update={"corpus": corpus, "data_dir": data_dir / sub}), embedder=embedder
                )
            else:
                _patch_default_embedder(indexer)
            started = time.perf_counter()
            payload = run(dataset, settings, split=split, progress=False, assistant=assistant)
            metrics = payload["metrics"]
            row = {
                "question_engine": embedder.question_engine,
                "seconds": round(time.perf_counter() - started, 1),
                "cases": len(payload["cases"]),
            }
            row.update({k: round(float(metrics[k]["value"]), 4) for k in keys if k in metrics})
            row["answers"] = [(c["id"], c["status"], [x["source"] for x in c["citations"]][:1]) for c in payload["cases"]]
            out.setdefault(f"{dataset}/{split}", {})[engine] = row
            print(dataset, engine, {k: v for k, v in row.items() if k != "answers"}, file=sys.stderr)
    return out


def _patch_default_embedder(embedder) -> None:
    """evals.cli.run builds its own Assistant: give it this embedder (it indexes with sentence-transformers)."""
    import evals.cli as cli
    from rag import Assistant

    class WithEmbedder(Assistant):
        def __init__(self, settings=None, **kw):
            super().__init__(settings, embedder=embedder, **kw)

    cli.Assistant = WithEmbedder


def print_report(result: dict) -> None:
    if "export" in result:
        print_speed(result)
    for name, rows in result.get("quality", {}).items():
        print(f"\nquality {name} (questions embedded by each engine; one index, built by sentence-transformers):")
        for engine, r in rows.items():
            print(f"  {engine:6} " + ", ".join(f"{k} {v}" for k, v in r.items() if k != "answers"))
            if engine != "torch":
                differ = [a[0] for a, b in zip(r["answers"], rows["torch"]["answers"]) if a != b]
                print(f"         answers differing from torch (status or first source): {len(differ)} {differ[:10]}")


def print_speed(result: dict) -> None:
    print(
        f"export: min cosine {result['export']['min_cosine']:.8f} vs sentence-transformers, "
        f"{result['export']['seconds']} s with verification and int8; int8 min cosine {result['int8_export'].get('min_cosine')}"
    )
    for workload, rows in result["latency"].items():
        w = result["workloads"][workload]
        print(f"\n{workload}: {w['texts']} texts, {w['wordpieces_mean']} wordpieces on average")
        print(f"  {'engine':30} {'p50 ms':>9} {'p95 ms':>9} {'texts/s':>9} {'min cos':>11}")
        for name, r in rows.items():
            print(f"  {name:30} {r['p50_ms']:9.1f} {r['p95_ms']:9.1f} {r['texts_per_s']:9.1f} {r['min_cosine_vs_st']:11.7f}")
    print("\ncold process, import + load + one question:")
    for engine, r in result["cold_first_question"].items():
        print(
            f"  {engine:8} {r.get('first_question_s')} s, torch imported: {r.get('torch_imported')}, "
            f"max RSS {r.get('max_rss_mb')} MB, engine used: {r.get('engine')}"
        )


if __name__ == "__main__":
    sys.exit(main())
