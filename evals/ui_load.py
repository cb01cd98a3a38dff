"""Measure the chat UI as users see it: time to first text and to the full answer in a real browser,
and N concurrent API clients (latency percentiles, errors). Needs a running `rag serve`.

    python -m evals.ui_load --url http://127.0.0.1:7860/ [--clients 10] [--json FILE]
"""

import argparse
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from .dataset import load_cases
from .metrics import percentile

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def browser_timings(url: str, questions: list[str]) -> list[dict]:
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector("#question textarea")
        for n, question in enumerate(questions, start=1):
            page.fill("#question textarea", question)
            started = time.perf_counter()
            page.click("#ask")
            page.wait_for_function(f"() => document.querySelectorAll(\"#chat [data-testid='bot']\").length >= {n}")
            first = time.perf_counter() - started  # the placeholder ("Searching the articles…")
            page.wait_for_function(f"""() => {{ const b = document.querySelectorAll("#chat [data-testid='bot']")[{n - 1}];
                return b && !b.innerText.includes('Searching the articles'); }}""")
            answer_first = time.perf_counter() - started  # the first sentence of the answer
            page.wait_for_function("() => !document.querySelector('#ask').disabled && !document.querySelector('.generating')")
            page.wait_for_function(
                f"""() => {{ const b = document.querySelectorAll("#chat [data-testid='bot']")[{n - 1}];
                const t = b.innerText; window.__last = window.__last || {{}}; const same = window.__last[{n}] === t;
                window.__last[{n}] = t; return same; }}""",
                polling=300,
            )
            out.append(
                {
                    "question": question,
                    "first_visible_s": first,
                    "first_answer_text_s": answer_first,
                    "full_answer_s": time.perf_counter() - started - 0.3,
                }
            )
        browser.close()
    return out


def concurrent_clients(url: str, clients: int) -> dict:
    from gradio_client import Client

    cases = [c for c in load_cases() if c.answerable][:clients]
    connected = [Client(url, verbose=False) for _ in cases]

    def one(pair):
        client, case = pair
        started = time.perf_counter()
        try:
            result = client.predict(case.question, "", api_name="/ask")
            ok = (
                result["status"] == "answered"
                and result["question"] == case.question
                and result["citations"][0]["source"] in case.sources
            )
            return time.perf_counter() - started, ok, None
        except Exception as err:  # counted and reported, not raised
            return time.perf_counter() - started, False, repr(err)

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one, zip(connected, cases)))
    latencies = sorted(r[0] for r in results)
    return {
        "clients": clients,
        "p50_s": percentile(latencies, 0.5),
        "p95_s": percentile(latencies, 0.95),
        "max_s": latencies[-1],
        "errors": sum(1 for r in results if r[2]),
        "wrong_answers": sum(1 for r in results if not r[1] and not r[2]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    questions = [
        "Who blocked the Lachin Corridor?",
        "How many peacekeepers did Russia deploy in Nagorno-Karabakh?",
        "What did Armenia warn of after gas supplies to Karabakh were cut off?",
        "When did the fighting of 2020 end?",
        "How did Azerbaijan respond to Russia accusing it of violating the ceasefire?",
    ]
    timings = browser_timings(args.url, questions)
    result = {
        "browser": timings,
        "first_visible_s_median": statistics.median(t["first_visible_s"] for t in timings),
        "first_answer_text_s_median": statistics.median(t["first_answer_text_s"] for t in timings),
        "full_answer_s_median": statistics.median(t["full_answer_s"] for t in timings),
        "concurrent": [concurrent_clients(args.url, args.clients) for _ in range(3)],
    }
    print(json.dumps({k: v for k, v in result.items() if k != "browser"}, indent=1))
    if args.json:
        open(args.json, "w").write(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
