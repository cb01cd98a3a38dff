"""Time to first visible answer text in Chromium, median of 10 questions (issue 10's closing figure).

Needs a running `rag serve`; reuses evals.ui_load's browser driver (one page, questions asked in turn).

    python -m evals.ui_first_answer --url http://127.0.0.1:7860/ [--questions 10]
"""

import argparse
import json
import statistics

from .dataset import load_cases
from .ui_load import browser_timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--questions", type=int, default=10)
    args = parser.parse_args()
    questions = [c.question for c in load_cases() if c.answerable and not c.previous][: args.questions]
    timings = browser_timings(args.url, questions)
    print(
        json.dumps(
            {
                "questions": len(timings),
                "first_visible_s_median": round(statistics.median(t["first_visible_s"] for t in timings), 3),
                "first_answer_text_s_median": round(statistics.median(t["first_answer_text_s"] for t in timings), 3),
                "first_answer_text_s_max": round(max(t["first_answer_text_s"] for t in timings), 3),
                "full_answer_s_median": round(statistics.median(t["full_answer_s"] for t in timings), 3),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
