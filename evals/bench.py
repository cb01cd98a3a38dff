"""`rag bench`: the pipeline against plain llama-index and the model's own ceiling, in one run.

Everything is measured in this one process (or in child processes it starts) on the same corpus,
so the ratios compare like with like on a shared, noisy machine. Figures are medians/p95 over
repetitions; the JSON keeps every figure.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rag import Assistant, RagError, Settings
from rag.settings import DEFAULT_CORPUS

from .dataset import SEEDS_GOLD, load_cases
from .metrics import percentile

SEEDS = DEFAULT_CORPUS


def _questions(n: int) -> list:
    cases = [c for c in load_cases(SEEDS_GOLD)]
    return [cases[i % len(cases)] for i in range(max(n, len(cases)))]


def bench_ours(corpus: Path, work: Path, questions: list, embedder=None) -> tuple[dict, Assistant]:
    assistant = Assistant(Settings(corpus=corpus, data_dir=work / "ours"), embedder=embedder)
    # indexing embeds with sentence-transformers: loaded before the clock starts (not warm_up(), which would
    # look for the question encoder's ONNX export before it is made, and warn that questions fall back)
    model = assistant.embedder.torch_model()
    import chromadb  # noqa: F401  (importing it, 1.5 s, is a per-process cost, not indexing throughput)

    started = time.perf_counter()  # the question encoder's ONNX export: once per model and data dir, timed on its own
    assistant.embedder.prepare_onnx(assistant.data_dir)
    export_s = time.perf_counter() - started
    assistant.embedder.warm_up()  # the question encoder, now verified
    started = time.perf_counter()
    report = assistant.index()
    index_s = time.perf_counter() - started
    reindex = _time_reindex(assistant)
    # the ceiling: the raw model's encode on the very same chunk texts, same batch size and dtype
    store = assistant.store
    rows = store.chunks.get(include=["documents", "metadatas"])
    texts = [f"{m['title']}\n{d}" for d, m in zip(rows["documents"], rows["metadatas"])]
    ceiling_s = _raw_encode_s(model, texts, assistant.embedder.batch_size)
    figures = {
        "chunks": report.chunks,
        "index_s": index_s,
        "index_chunks_per_s": report.embedded / index_s,
        "onnx_export_s": export_s,
        "ceiling_s": ceiling_s,
        "ceiling_chunks_per_s": len(texts) / ceiling_s,
        "reindex_unchanged_s_median": statistics.median(reindex),
        "data_dir": str(work / "ours"),
    }
    return figures, assistant


def _raw_encode_s(model, texts: list[str], batch_size: int) -> float:
    """Seconds the raw sentence-transformers model takes to encode these chunk texts (the ceiling
    indexing is compared with), shortest first in groups of 64, as indexing batches them."""
    texts = sorted(texts, key=len)
    started = time.perf_counter()
    for a in range(0, len(texts), 64):
        model.encode(texts[a : a + 64], batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
    return time.perf_counter() - started


def _time_reindex(assistant: Assistant, repeats: int = 3) -> list[float]:
    """Seconds of each re-index of the unchanged corpus (it must embed and change nothing)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        again = assistant.index()
        times.append(time.perf_counter() - started)
        assert again.embedded == 0 and not again.changed
    return times


def time_questions(assistant: Assistant, baseline, questions: list) -> tuple[dict, dict]:
    """Question latency of ours and of the baseline's retriever, in alternating passes over all the questions
    (ours, baseline, ours, baseline: drift of a shared machine hits both; whole passes, because the two
    engines' thread pools slow each other when interleaved call by call); then ours again with no sentence
    vector cached (as in a new process)."""
    retriever = assistant.retriever
    for case in questions[:5]:  # warm caches and lazy imports
        assistant.ask(case.question)
        if baseline is not None:
            baseline.retrieve(case.question)
    from rag.reader import Window

    retrieval, total, uncached, base, reading = [], [], [], [], []
    for _ in range(2):
        for case in questions:
            started = time.perf_counter()
            retrieved = retriever.retrieve(case.question, assistant.settings.top_k)
            retrieval.append(time.perf_counter() - started)
            windows = [Window(r.chunk.title, [r.chunk.text[s[0] : s[1]] for s in r.chunk.sentences]) for r in retrieved]
            started = time.perf_counter()
            assistant.reader.read(case.question, windows)  # the trained reader's share of a question
            reading.append(time.perf_counter() - started)
            started = time.perf_counter()
            assistant.ask(case.question)
            total.append(time.perf_counter() - started)
        for case in questions if baseline is not None else []:
            started = time.perf_counter()
            baseline.retrieve(case.question)
            base.append(time.perf_counter() - started)
    for case in questions:
        assistant.sentence_vectors.clear()
        started = time.perf_counter()
        assistant.ask(case.question)
        uncached.append(time.perf_counter() - started)
    hits = answerable = 0
    for case in {c.id: c for c in questions if c.answerable}.values():
        answerable += 1
        hits += any(r.chunk.source in case.sources for r in retriever.retrieve(case.question, 5))
    compose = [max(0.0, t - r) for t, r in zip(total, retrieval)]
    ours = {
        "retrieval_ms_p50": 1000 * percentile(retrieval, 0.5),
        "retrieval_ms_p95": 1000 * percentile(retrieval, 0.95),
        "answer_ms_p50": 1000 * percentile(compose, 0.5),
        "answer_ms_p95": 1000 * percentile(compose, 0.95),
        "reader_ms_p50": 1000 * percentile(reading, 0.5),
        "reader_ms_p95": 1000 * percentile(reading, 0.95),
        "total_ms_p50": 1000 * percentile(total, 0.5),
        "total_ms_p95": 1000 * percentile(total, 0.95),
        "total_uncached_ms_p50": 1000 * percentile(uncached, 0.5),
        "total_uncached_ms_p95": 1000 * percentile(uncached, 0.95),
        "questions": len(questions),
        "hit@5": hits / answerable if answerable else None,
    }
    theirs = {"retrieval_ms_p50": 1000 * percentile(base, 0.5), "retrieval_ms_p95": 1000 * percentile(base, 0.95)} if base else {}
    return ours, theirs


def _require_baseline() -> None:
    """The baseline's packages are the ``bench`` extra: say how to get them before any work starts."""
    import importlib.util

    def absent(module: str) -> bool:
        try:
            return importlib.util.find_spec(module) is None
        except ModuleNotFoundError:  # a parent package is missing
            return True

    missing = [m for m in ("llama_index.vector_stores.chroma", "llama_index.embeddings.huggingface") if absent(m)]
    if missing:
        raise RagError(
            f"The llama-index baseline needs {', '.join(missing)}: install the bench extra "
            "(pip install -e '.[bench]'), or run `rag bench --skip-baseline`."
        )


def bench_llamaindex(corpus: Path, work: Path, questions: list, model_path: Path):
    """The baseline a user would write with llama-index defaults over the same model and corpus."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    embed = HuggingFaceEmbedding(model_name=str(model_path), device="cpu")
    embed.get_text_embedding("warm up")

    def build(name: str):
        client = chromadb.PersistentClient(path=str(work / name), settings=ChromaSettings(anonymized_telemetry=False))
        collection = client.get_or_create_collection("baseline", metadata={"hnsw:space": "cosine"})
        storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
        documents = SimpleDirectoryReader(str(corpus), recursive=True).load_data()
        started = time.perf_counter()
        index = VectorStoreIndex.from_documents(
            documents, storage_context=storage, embed_model=embed, transformations=[SentenceSplitter()]
        )
        return index, time.perf_counter() - started, collection.count()

    index, index_s, nodes = build("llamaindex")
    _, reindex_s, _ = build("llamaindex-again")  # its defaults have no change detection: a re-run redoes everything
    retriever = index.as_retriever(similarity_top_k=5)
    hits = answerable = 0
    for case in {c.id: c for c in questions if c.answerable}.values():
        answerable += 1
        hits += any(Path(n.node.metadata.get("file_path", "")).name in case.sources for n in retriever.retrieve(case.question))
    figures = {
        "chunks": nodes,
        "index_s": index_s,
        "index_chunks_per_s": nodes / index_s,
        "reindex_unchanged_s": reindex_s,
        "hit@5": hits / answerable if answerable else None,
    }
    return figures, retriever


def bench_processes(corpus: Path, data_dir: Path, work: Path, repeats: int = 5, index_rss: bool = True) -> dict:
    rag = [sys.executable, "-m", "rag.cli"]
    cold = []
    for _ in range(repeats):
        started = time.perf_counter()
        done = subprocess.run(
            rag + ["ask", "--json", "--corpus", str(corpus), "--data-dir", str(data_dir), "Who blocked the Lachin Corridor?"],
            capture_output=True,
            text=True,
            check=True,
        )
        cold.append(time.perf_counter() - started)
        json.loads(done.stdout)  # one JSON object, as promised
    rss = (
        {"peak_rss_index_mb": _peak_rss(rag + ["index", "--corpus", str(corpus), "--data-dir", str(work / "rss-index")])}
        if index_rss
        else {}
    )
    serve_rss = _peak_rss(
        [
            sys.executable,
            "-c",
            (
                "import sys; from rag import Assistant, Settings; from evals.dataset import load_cases;"
                f"a = Assistant(Settings(corpus=r'{corpus}', data_dir=r'{data_dir}')); a.warm_up();"
                "[a.ask(c.question) for c in load_cases()]"
            ),
        ]
    )
    return {"cold_ask_s_median": statistics.median(cold), "cold_ask_s_all": cold, **rss, "peak_rss_serve_mb": serve_rss}


def _peak_rss(args: list[str]) -> float:
    """Peak resident memory (MB) of a child process: its VmHWM, polled until it exits. (Not ru_maxrss:
    Linux carries that across exec, so a child would report the benchmark's own peak.)"""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.05)
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed with status {proc.returncode}")
    return round(peak / 1024, 1)


def _disk_by_part(data_dir: Path) -> dict[str, int]:
    """Bytes per top-level part of a data directory (chroma, lexical, originals, models…; a generation's suffix dropped)."""
    disk: dict[str, int] = {}
    for f in data_dir.rglob("*"):
        if f.is_file():
            part = f.relative_to(data_dir).parts[0].split("-")[0]
            disk[part] = disk.get(part, 0) + f.stat().st_size
    return disk


SCALE_SIZES = ("10k", "100k")  # generated corpora with pooled chunk vectors (evals/scale.py): no model throughput there


def bench_scale(size: str, work: Path, questions: list, real_vectors: bool = False) -> dict:
    """Index size, memory, re-index and question latency at 10k or 100k chunks (seed articles among them).
    ``real_vectors``: every chunk embedded by the real model (the throughput a user sees, against the
    raw model's encode on a sample of the same chunks), instead of pooled sentence vectors."""
    import resource

    from index.embedding import SentenceTransformerEmbedder

    from .scale import POOL_CACHE, PooledEmbedder, corpus_for

    corpus = corpus_for(size, work)
    real = SentenceTransformerEmbedder()
    if real_vectors:
        real.warm_up()
        model = real.torch_model()  # loaded before the clock starts, as in bench_ours
        embedder = real
    else:
        embedder = PooledEmbedder(real, POOL_CACHE)
        embedder.pool_vectors()  # embedded once and cached: not part of the indexing time
    assistant = Assistant(Settings(corpus=corpus, data_dir=work / "scale"), embedder=embedder)
    started = time.perf_counter()
    report = assistant.index(progress=sys.stderr.isatty())
    index_s = time.perf_counter() - started
    index_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "vectors": "real" if real_vectors else "pooled",
        "index_chunks_per_s": report.embedded / index_s,
        "peak_rss_indexing_mb": round(index_rss, 1),
    }
    if real_vectors:  # the ceiling: the raw model on 1,024 of the same chunk texts, same batch size
        rows = assistant.store.chunks.get(include=["documents", "metadatas"], limit=1024)
        texts = [f"{m['title']}\n{d}" for d, m in zip(rows["documents"], rows["metadatas"])]
        figures["ceiling_chunks_per_s"] = len(texts) / _raw_encode_s(model, texts, real.batch_size)
    reindex = _time_reindex(assistant)
    disk = _disk_by_part(work / "scale")
    questions_figures, _ = time_questions(assistant, None, questions)
    processes = bench_processes(corpus, work / "scale", work, repeats=3, index_rss=False)
    return {
        "chunks": report.chunks,
        "articles": report.articles,
        "index_s": index_s,
        "chunks_embedded_for_real": report.embedded if real_vectors else embedder.embedded,
        "chunks_pooled": 0 if real_vectors else embedder.pooled,
        **figures,
        "reindex_unchanged_s_median": statistics.median(reindex),
        "index_disk_mb": round(sum(disk.values()) / 1e6, 1),
        "index_disk_mb_by_part": {k: round(v / 1e6, 1) for k, v in sorted(disk.items())},
        **questions_figures,
        "peak_rss_bench_process_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **processes,
    }


def bench_big_file(work: Path) -> dict:
    """One article of 19.9 MB (the file limit is 20 MB) indexed by a child process: its peak memory (VmHWM),
    time and the index on disk. Chunk vectors are pooled (evals/scale.py: 20,000 chunks through the real
    model take about 25 minutes here), so the figures are the pipeline's own: parsing, chunking with the
    real tokenizer, writing, BM25."""
    from index.embedding import SentenceTransformerEmbedder

    from .scale import POOL_CACHE, PooledEmbedder, big_file_for

    corpus = big_file_for(work)
    PooledEmbedder(SentenceTransformerEmbedder(), POOL_CACHE).pool_vectors()  # embedded once, before the child starts
    data_dir, out = work / "big", work / "big.json"
    peak = _peak_rss([sys.executable, "-m", "evals.scale", "index", str(data_dir), str(corpus), str(out)])
    figures = json.loads(out.read_text())
    disk = _disk_by_part(data_dir)
    return {
        "file_mb": round((corpus / "big.txt").stat().st_size / 1e6, 1),
        **figures,
        "peak_rss_indexing_mb": peak,
        "index_disk_mb": round(sum(disk.values()) / 1e6, 1),
        "index_disk_mb_by_part": {k: round(v / 1e6, 1) for k, v in sorted(disk.items())},
    }


def big_file_table(result: dict) -> str:
    b = result["big_file"]
    rows = [
        ("file (MB)", f"{b['file_mb']:.1f}"),
        ("chunks", f"{b['chunks']:,}"),
        ("indexing, pooled vectors (s)", f"{b['index_s']:.0f}"),
        ("  chunks pooled / hashed", f"{b['pooled']:,} / {b.get('hashed', 0):,}"),
        ("peak RSS of `rag index`'s work (MB)", f"{b['peak_rss_indexing_mb']:.0f}"),
        ("index on disk (MB)", f"{b['index_disk_mb']:.0f}"),
        *((f"  {part}", f"{mb:.1f}") for part, mb in b["index_disk_mb_by_part"].items()),
    ]
    width = max(len(r[0]) for r in rows)
    return "\n".join(["one 20 MB article"] + [f"{a:{width}s}  {v:>10s}" for a, v in rows])


def scale_table(result: dict) -> str:
    s = result["scale"]
    rows = [
        ("chunks (articles)", f"{s['chunks']:,} ({s['articles']:,})"),
        ("index on disk (MB)", f"{s['index_disk_mb']:.0f}"),
        (f"indexing, {s.get('vectors', 'pooled')} vectors (s)", f"{s['index_s']:.0f}"),
        (
            "  chunks/s (raw model on the same chunks)",
            f"{s['index_chunks_per_s']:.1f} ({s['ceiling_chunks_per_s']:.1f})"
            if "ceiling_chunks_per_s" in s
            else f"{s.get('index_chunks_per_s', 0):.1f}",
        ),
        ("  peak RSS while indexing (MB)", f"{s.get('peak_rss_indexing_mb', 0):.0f}"),
        ("re-index unchanged (s, median of 3)", f"{s['reindex_unchanged_s_median']:.2f}"),
        ("question p50 / p95 (ms)", f"{s['total_ms_p50']:.0f} / {s['total_ms_p95']:.0f}"),
        ("  of which the reader (ms)", f"{s['reader_ms_p50']:.0f} / {s['reader_ms_p95']:.0f}"),
        ("  no sentence cached (ms)", f"{s['total_uncached_ms_p50']:.0f} / {s['total_uncached_ms_p95']:.0f}"),
        ("hit@5, seed gold questions among distractors", f"{s['hit@5']:.3f}"),
        ("cold `rag ask` (s, median)", f"{s['cold_ask_s_median']:.2f}"),
        ("peak RSS serving (MB)", f"{s['peak_rss_serve_mb']:.0f}"),
    ]
    width = max(len(r[0]) for r in rows)
    return "\n".join([f"scale: {result['size']} (generated articles + the seeds)"] + [f"{a:{width}s}  {b:>14s}" for a, b in rows])


def bench_chroma_server(corpus: Path, work: Path, questions: list) -> dict:
    """The same question latency with the chunks on a real `chroma run` server (the scale-out path)."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).parent / "chroma"
    server = subprocess.Popen(
        [str(exe), "run", "--path", str(work / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        url = f"http://127.0.0.1:{port}"
        assistant = Assistant(Settings(corpus=corpus, data_dir=work / "via-server", chroma_url=url))
        assistant.index()
        figures, _ = time_questions(assistant, None, questions)
        return {"chroma_url": url, **figures}
    finally:
        server.terminate()
        server.wait(10)


def run(
    size: str = "seeds",
    questions: int = 60,
    json_path: Path | None = None,
    skip_baseline: bool = False,
    real_vectors: bool = False,
    work_root: Path | None = None,
) -> dict:
    from index.embedding import default_model_path

    from .scale import corpus_for

    if work_root is not None:  # `rag bench --data-dir DIR`: its indexes go there, not in the system's temp dir
        Path(work_root).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="rag-bench-", dir=work_root))
    if size == "20mb" or size in SCALE_SIZES:
        result = {"size": size, "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
        if size == "20mb":
            result["big_file"] = bench_big_file(work)
        else:
            result["scale"] = bench_scale(size, work, _questions(questions), real_vectors=real_vectors)
        if json_path:
            Path(json_path).write_text(json.dumps(result, indent=1) + "\n")
        return result
    if not skip_baseline:
        _require_baseline()  # before any work starts
    corpus = SEEDS if size == "seeds" else corpus_for(size, work)
    cases = _questions(questions)
    result = {"size": size, "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "corpus": str(corpus)}
    result["ours"], assistant = bench_ours(corpus, work, cases)
    baseline = None
    if not skip_baseline:
        result["llamaindex"], baseline = bench_llamaindex(corpus, work, cases, default_model_path())
    ours, theirs = time_questions(assistant, baseline, cases)
    result["ours"].update(ours)
    if baseline is not None:
        result["llamaindex"].update(theirs)
    result["processes"] = bench_processes(corpus, Path(result["ours"]["data_dir"]), work)
    if size == "seeds":
        result["chroma_server"] = bench_chroma_server(corpus, work, cases)
    ours, base = result["ours"], result.get("llamaindex")
    ratios = {
        "index_vs_ceiling": ours["index_chunks_per_s"] / ours["ceiling_chunks_per_s"],
    }
    if base:
        ratios.update(
            {
                "index_throughput_vs_llamaindex": ours["index_chunks_per_s"] / base["index_chunks_per_s"],
                "reindex_llamaindex_over_ours": base["reindex_unchanged_s"] / ours["reindex_unchanged_s_median"],
                "retrieval_p50_llamaindex_over_ours": base["retrieval_ms_p50"] / ours["retrieval_ms_p50"],
                "retrieval_p95_llamaindex_over_ours": base["retrieval_ms_p95"] / ours["retrieval_ms_p95"],
            }
        )
    result["ratios"] = ratios
    if json_path:
        Path(json_path).write_text(json.dumps(result, indent=1) + "\n")
    return result


def table(result: dict) -> str:
    if "scale" in result:
        return scale_table(result)
    if "big_file" in result:
        return big_file_table(result)
    o, b, p = result["ours"], result.get("llamaindex", {}), result["processes"]

    def f(v, fmt="{:.1f}"):
        return "-" if v is None else fmt.format(v)

    rows = [
        ("chunks", f(o["chunks"], "{}"), f(b.get("chunks"), "{}"), "-"),
        ("index throughput (chunks/s)", f(o["index_chunks_per_s"]), f(b.get("index_chunks_per_s")), f(o["ceiling_chunks_per_s"])),
        ("  question encoder's ONNX export, once (s)", f(o.get("onnx_export_s")), "-", "-"),
        ("re-index unchanged (s)", f(o["reindex_unchanged_s_median"], "{:.3f}"), f(b.get("reindex_unchanged_s"), "{:.3f}"), "-"),
        (
            "retrieval p50 / p95 (ms)",
            f"{o['retrieval_ms_p50']:.1f} / {o['retrieval_ms_p95']:.1f}",
            f"{b['retrieval_ms_p50']:.1f} / {b['retrieval_ms_p95']:.1f}" if b else "-",
            "-",
        ),
        ("answer composition p50 / p95 (ms)", f"{o['answer_ms_p50']:.1f} / {o['answer_ms_p95']:.1f}", "(none)", "-"),
        ("  of which the reader p50 / p95 (ms)", f"{o['reader_ms_p50']:.1f} / {o['reader_ms_p95']:.1f}", "(none)", "-"),
        ("question total p50 / p95 (ms)", f"{o['total_ms_p50']:.1f} / {o['total_ms_p95']:.1f}", "-", "-"),
        ("  same, no sentence cached (ms)", f"{o['total_uncached_ms_p50']:.1f} / {o['total_uncached_ms_p95']:.1f}", "-", "-"),
        ("hit@5 (gold questions)", f(o["hit@5"], "{:.3f}"), f(b.get("hit@5"), "{:.3f}"), "-"),
        *(
            [
                (
                    "via a Chroma server: retrieval p50 / p95 (ms)",
                    f"{result['chroma_server']['retrieval_ms_p50']:.1f} / {result['chroma_server']['retrieval_ms_p95']:.1f}",
                    "-",
                    "-",
                ),
                (
                    "via a Chroma server: question p50 / p95 (ms)",
                    f"{result['chroma_server']['total_ms_p50']:.1f} / {result['chroma_server']['total_ms_p95']:.1f}",
                    "-",
                    "-",
                ),
            ]
            if "chroma_server" in result
            else []
        ),
        ("cold `rag ask` (s, median)", f(p["cold_ask_s_median"], "{:.2f}"), "-", "-"),
        ("peak RSS index / serve (MB)", f"{p['peak_rss_index_mb']:.0f} / {p['peak_rss_serve_mb']:.0f}", "-", "-"),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{'':{width}s}  {'ours':>18s}  {'llama-index':>18s}  {'raw model':>10s}"]
    lines += [f"{a:{width}s}  {b_:>18s}  {c:>18s}  {d:>10s}" for a, b_, c, d in rows]
    lines.append("")
    lines += [f"ratio {k}: {v:.2f}" for k, v in result["ratios"].items()]
    return "\n".join(lines)
