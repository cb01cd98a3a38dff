"""How soon a running server answers from articles that another process re-indexed (issue 9, item 2).

    python -m evals.freshness --articles 300 --out build/freshness-300.json
    python -m evals.freshness --articles 10000 --work build/fresh10k --out build/freshness-10k.json

Builds a corpus of generated town articles (each with one fact: how many crates of apples its
growers harvested), starts a question-answering process on it, changes the fact in 10 articles,
re-indexes them with `Assistant.index()` in another process, then asks one of their questions over
and over and prints the seconds until its answer quotes the new number (questions check for another
process's changes every 2 s), then whether all 10 answers do. Vectors come from the deterministic
hashing embedder: what is measured (one process seeing another's writes) does not
depend on the model, and 10k articles index in minutes rather than an hour.
"""

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_CROPS = (
    "pears plums quinces cherries walnuts hazelnuts apricots peaches figs grapes medlars damsons "
    "rhubarb hops barley oats rye flax lavender saffron honey cider perry vinegar jam chutney"
).split()
_HEADS = ("Ash Birch Cedar Dale Elm Fern Glen Holm Ivy Juniper Kel Lark Mor Nor Oak Pen Quarr Ros Sal Tam").split()
_MIDS = (
    "",
    "en",
    "ing",
    "ar",
    "ol",
    "ber",
    "ley",
    "ham",
    "wyn",
    "ast",
    "ow",
    "ril",
    "ston",
    "mar",
    "ick",
    "ford",
    "ton",
    "ly",
    "and",
    "ay",
)
_TAILS = (
    "vale ford wick moor stead bury combe field haven thorpe ridge brook cliff mere wood gate hurst ley "
    "ton by holt marsh well worth stow"
).split()


def towns(count: int) -> list[str]:
    """``count`` distinct town names (up to 10,000), the same every time."""
    names = [f"{h}{m}{t}" for t in _TAILS for m in _MIDS for h in _HEADS]
    if count > len(names):
        raise ValueError(f"at most {len(names):,} towns")
    return names[:count]


def town_article(town: str, crates: int) -> str:
    """One town's harvest; its other crops make the articles' vectors differ beyond the town's name
    (near-identical vectors make an approximate nearest-neighbour graph miss some of them)."""
    rng = random.Random(town)
    crops = ", ".join(rng.sample(_CROPS, 8))
    return (
        f"Harvest news from {town}\n\nThe orchards of {town} had a mild spring this year, good for {crops}. "
        f"Growers in {town} harvested {crates:,} crates of apples in September. "
        f"The cooperative of {town} plans to open a press for {rng.choice(_CROPS)} next year.\n"
    )


def question(town: str) -> str:
    return f"How many crates of apples did growers in {town} harvest?"


SERVER = """
import json, sys, time
from index.embedding import HashingEmbedder
from rag import Assistant, Settings
assistant = Assistant(Settings(corpus=sys.argv[1], data_dir=sys.argv[2]), embedder=HashingEmbedder())
assistant.warm_up()
print("ready", flush=True)
for line in sys.stdin:
    started = time.perf_counter()
    answer = assistant.ask(line.strip())
    print(json.dumps({"answer": answer.answer, "seconds": time.perf_counter() - started}), flush=True)
"""
INDEX = (
    "import sys; from index.embedding import HashingEmbedder; from rag import Assistant, Settings; "
    "Assistant(Settings(corpus=sys.argv[1], data_dir=sys.argv[2]), embedder=HashingEmbedder()).index()"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals.freshness", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=300, help="corpus size (default 300, at most 10,000)")
    parser.add_argument("--work", type=Path, default=None, help="where the corpus and index go (reused if built)")
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    parser.add_argument("--timeout", type=float, default=120.0, help="give up after this many seconds")
    args = parser.parse_args(argv)
    work = args.work or Path("build") / f"freshness-{args.articles}"
    corpus, data = work / "corpus", work / "data"
    names = towns(args.articles)
    changed = names[:: max(1, len(names) // 10)][:10]
    corpus.mkdir(parents=True, exist_ok=True)
    for i, town in enumerate(names):
        (corpus / f"{town}.txt").write_text(town_article(town, 1000 + i), encoding="utf-8")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", INDEX, str(corpus), str(data)], cwd=ROOT, check=True)
    print(f"indexed {len(names):,} articles in {time.perf_counter() - started:.0f} s", flush=True)
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(corpus), str(data)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout.readline().strip() == "ready"

        def ask(town: str) -> dict:
            server.stdin.write(question(town) + "\n")
            server.stdin.flush()
            return json.loads(server.stdout.readline())

        ask(changed[0])
        stamp = int(time.time()) % 100_000  # new numbers on every run, so a reused corpus changes too
        new = {town: 10_000 + stamp * 10 + n for n, town in enumerate(changed)}
        for town, crates in new.items():
            (corpus / f"{town}.txt").write_text(town_article(town, crates), encoding="utf-8")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", INDEX, str(corpus), str(data)], cwd=ROOT, check=True)
        reindexed = time.perf_counter()
        print(f"another process re-indexed {len(changed)} articles in {reindexed - started:.1f} s", flush=True)
        seen, latencies = None, []
        while time.perf_counter() - reindexed < args.timeout:  # one changed article's question, until answered anew
            answer = ask(changed[0])
            latencies.append(answer["seconds"])
            if f"{new[changed[0]]:,} crates" in answer["answer"]:
                seen = time.perf_counter() - reindexed
                break
        answers = [ask(town) for town in changed]
        latencies += [a["seconds"] for a in answers]
        right = sum(f"{new[town]:,} crates" in a["answer"] for town, a in zip(changed, answers))
        figures = {
            "articles": len(names),
            "changed": len(changed),
            "seconds_until_seen": seen,
            "right_after": f"{right}/{len(changed)}",
            "question_s_max": max(latencies),
            "question_s_median": sorted(latencies)[len(latencies) // 2],
            "questions_asked": len(latencies),
        }
    finally:
        server.stdin.close()
        server.wait(60)
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if seen is not None and right == len(changed) else 1


if __name__ == "__main__":
    sys.exit(main())
