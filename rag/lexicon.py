"""The word lists that the heuristics share, in one place: month and weekday names, and number words.

Used by the answer-type features (rag/evidence.py), the support judge's facts (rag/judge.py) and the
adversarial pairs the judge is measured on (evals/support_pairs.py).
"""

from index.dates import MONTH_ABBREVIATIONS, MONTHS  # noqa: F401 (shared: defined where the indexer reads dates)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# A number word and the value the judge compares ("three" and "3" are one fact).
NUMBER_VALUES = {
    **{
        w: str(i)
        for i, w in enumerate(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            "sixteen seventeen eighteen nineteen twenty".split()
        )
    },
    **{"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90"},
    **{"hundred": "100", "thousand": "1000", "dozen": "12"},
}
# Words that make a phrase a count ("hundreds of people", "two million"): an answer of the type "how many".
COUNT_WORDS = tuple(w for w in NUMBER_VALUES if w != "zero") + (
    "hundreds",
    "thousands",
    "million",
    "millions",
    "billion",
    "dozens",
)
