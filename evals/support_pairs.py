"""The judge's labelled calibration set, made from the seed articles, and fitting the judge on it.

    python -m evals.support_pairs            # (re)write evals/data/support_pairs.v1.jsonl
    python -m evals.support_pairs --fit      # fit the judge on its train part, report on its test part

Supported pairs: a sentence with its own passage (the sentence and the next one), verbatim or
trimmed (a leading clause removed), plus hand-written paraphrases. Unsupported pairs: the same
sentence with one fact changed (a number, a name, a date, a place, a negation), or paired with
a passage of another article. The split into train/test is by source sentence, so a sentence
and its perturbations never straddle it.
"""

import argparse
import hashlib
import json
import random
import re
from pathlib import Path

from index.documents import load_corpus
from index.sentences import split_sentences

from .dataset import DATA

PAIRS = DATA / "support_pairs.v1.jsonl"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"

_NAME_SWAPS = {
    "Armenia": "Azerbaijan", "Azerbaijan": "Armenia", "Armenian": "Azerbaijani", "Azerbaijani": "Armenian",
    "Russia": "Turkey", "Russian": "Turkish", "Turkish": "Russian", "Putin": "Erdogan", "Aliyev": "Pashinyan",
    "Pashinyan": "Aliyev", "Pashinian": "Aliyev", "Lavrov": "Blinken", "Zakharova": "Peskov", "Blinken": "Lavrov",
    "Kremlin": "White House", "Bono": "Klaar", "Klaar": "Bono", "Galbur": "Bayramov", "OSCE": "NATO", "CSTO": "NATO",
    "AFP": "Reuters", "TASS": "Reuters", "Mnatsakanyan": "Bayramov",
}
_PLACE_SWAPS = {
    "Baku": "Tbilisi", "Yerevan": "Tbilisi", "Moscow": "Ankara", "Nagorno-Karabakh": "Abkhazia", "Karabakh": "Abkhazia",
    "Stepanakert": "Gyumri", "Parukh": "Shusha", "Farukh": "Shusha", "Munich": "Vienna", "Ukraine": "Georgia",
    "Lachin": "Kelbajar", "South Caucasus": "Balkans",
}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_WORD_NUMBERS = {"two": "four", "three": "seven", "five": "nine", "six": "eight", "seven": "three", "one": "three", "four": "six", "dozens": "hundreds"}

# Hand-written paraphrases: (paraphrase, verbatim substring of a seed sentence it restates)
PARAPHRASES = [
    ("Moscow voiced serious concern about rising tensions in Nagorno-Karabakh.", "Russia on Monday expressed “serious concern” over escalating tensions"),
    ("A group of Azerbaijanis describing themselves as environmentalists blocked the Lachin Corridor.", "In December, Azerbaijanis who called themselves “environmental activists” blocked the Lachin Corridor"),
    ("Armenia says food and medicine are running short in Nagorno-Karabakh because of the blockade.", "Armenia says the blockade has led to shortages of food and medicine in Nagorno-Karabakh"),
    ("Russia deployed 2,000 soldiers to Nagorno-Karabakh in November 2020 as peacekeepers.", "In November 2020, Russia sent 2,000 troops to Nagorno-Karabakh"),
    ("Zakharova urged both sides to show restraint and de-escalate.", "we call on both sides to exercise restraint and take measures to de-escalate the situation"),
    ("Russia said Turkish-made drones had been used against Karabakh troops.", "The statement added that Turkish-made drones were used to strike Karabakh troops"),
    ("The 2020 war cost more than 6,500 lives.", "In 2020, Armenia and Azerbaijan fought a war over the long-contested enclave which claimed more than 6,500 lives."),
    ("Baku's defence ministry rejected Russia's statement as one-sided and untrue.", "The defense ministry in Baku said it “regretted the one-sided statement of Russia’s defense ministry, which does not reflect the truth,”"),
    ("Armenia accused Azerbaijan of cutting off Karabakh's gas on purpose.", "Armania has accused Azerbaijan of deliberately leaving Karabakh’s ethnic-Armenian population without natural gas"),
    ("Russian peacekeepers stopped the clash, according to Moscow.", "\"Through the efforts of Russian peacekeepers, the clash was stopped,\""),
    ("Three Armenian police officers and two Azerbaijani soldiers died in the shootout.", "The ministry confirmed that three Armenian police officers were killed and added that two Azerbaijani troops also died in the shootout."),
    ("The 2020 fighting lasted 44 days.", "During the 44-day conflict"),
    ("Aliyev met Louis Bono, the U.S. adviser for Caucasus negotiations, on Monday.", "Aliyev on Monday met with U.S. Senior Adviser for Caucasus Negotiations Louis Bono"),
    ("Open Caucasus Media said it was the first time Russia had explicitly blamed one side.", "The Open Caucasus Media news outlet noted that the statement marked the “first time Russian authorities have explicitly blamed one side for violating the ceasefire”"),
    ("Russia offered to help the two sides demarcate their borders.", "Russia has offered to help resolve the Armenian-Azerbaijani disputes by working with the two sides to demarcate the borders."),
    ("The conflict goes back to 1988.", "The conflict over the area dates back to 1988"),
    ("Eighteen Armenian and twelve Azerbaijani soldiers have reportedly died since fighting resumed.", "According to reports, 18 Armenian and 12 Azerbaijani soldiers have been killed since the conflict resumed."),
    ("Lavrov criticised attempts to undermine the OSCE Minsk Group.", "The Russian diplomat also spoke out against attempts to undermine the role of the OSCE Minsk Group"),
]


def _split(key: str) -> str:
    return "test" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % 10 < 3 else "train"


def _swap_first(sentence: str, table: dict[str, str]) -> str | None:
    for word, other in sorted(table.items(), key=lambda kv: -len(kv[0])):
        m = re.search(rf"\b{re.escape(word)}\b", sentence)
        if m:
            return sentence[:m.start()] + other + sentence[m.end():]
    return None


def _swap_number(sentence: str) -> str | None:
    m = re.search(r"\b\d[\d,]*\b", sentence)
    if m and not re.fullmatch(r"(19|20)\d\d", m.group(0)):
        value = int(m.group(0).replace(",", ""))
        return sentence[:m.start()] + f"{value * 2 + 3:,}" + sentence[m.end():]
    for word, other in _WORD_NUMBERS.items():
        m = re.search(rf"\b{word}\b", sentence)
        if m:
            return sentence[:m.start()] + other + sentence[m.end():]
    return None


def _swap_date(sentence: str) -> str | None:
    for names in (_MONTHS, _DAYS):
        for i, name in enumerate(names):
            m = re.search(rf"\b{name}\b", sentence)
            if m:
                return sentence[:m.start()] + names[(i + 3) % len(names)] + sentence[m.end():]
    m = re.search(r"\b(19|20)\d\d\b", sentence)
    if m:
        return sentence[:m.start()] + str(int(m.group(0)) + 3) + sentence[m.end():]
    return None


def _negate(sentence: str) -> str | None:
    if re.search(r"\bnot\b", sentence):
        return re.sub(r"\bnot\s+", "", sentence, count=1)
    m = re.search(r"\b(is|was|were|are|has|have|had|will|would|can|could)\b", sentence)
    if m:
        return sentence[:m.end()] + " not" + sentence[m.end():]
    m = re.search(r"\b(said|called|accused|urged|expressed|confirmed|met|blocked|sent|deployed|denies|denied)\b", sentence)
    if m:
        base = {"denies": "deny"}.get(m.group(1), m.group(1))
        return sentence[:m.start()] + "did not " + (base[:-1] if base.endswith("ed") and base not in ("accused", "urged") else base) + sentence[m.end():]
    return None


def make_pairs() -> list[dict]:
    articles, _ = load_corpus(SEEDS)
    rng = random.Random(0)
    pairs: list[dict] = []
    sentences = []
    for article in articles:
        spans = split_sentences(article.text)
        for i, (a, b) in enumerate(spans):
            sentence = article.text[a:b]
            if len(sentence.split()) < 6:
                continue
            passage = article.text[a:spans[i + 1][1]] if i + 1 < len(spans) else article.text[spans[max(0, i - 1)][0]:b]
            sentences.append((article.source, sentence, passage))
    for source, sentence, passage in sentences:
        split = _split(sentence)

        def add(s: str | None, label: bool, kind: str, p: str = passage) -> None:
            if s and (s != sentence or kind == "verbatim"):
                pairs.append({"sentence": s, "passage": p, "supported": label, "kind": kind, "source": source, "split": split})

        add(sentence, True, "verbatim")
        if "," in sentence:
            head, tail = sentence.split(",", 1)
            if len(tail.split()) >= 6 and len(head.split()) <= 8:
                add(tail.strip()[0].upper() + tail.strip()[1:], True, "trimmed")
        add(_swap_number(sentence), False, "number")
        add(_swap_first(sentence, _NAME_SWAPS), False, "name")
        add(_swap_date(sentence), False, "date")
        add(_swap_first(sentence, _PLACE_SWAPS), False, "place")
        add(_negate(sentence), False, "negation")
        others = [p for s, _, p in sentences if s != source]
        pairs.append({"sentence": sentence, "passage": rng.choice(others), "supported": False, "kind": "unrelated",
                      "source": source, "split": split})
    for paraphrase, original in PARAPHRASES:
        match = next(((s, p) for src, s, p in sentences if original in s or original in p), None)
        if match is None:
            raise ValueError(f"paraphrase source not found: {original}")
        pairs.append({"sentence": paraphrase, "passage": match[1], "supported": True, "kind": "paraphrase", "source": "",
                      "split": _split(match[0])})
    return pairs


def fit(pairs: list[dict]) -> dict:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from rag import Assistant, Settings

    from rag.judge import FEATURES, HeuristicJudge, JUDGE_MODEL
    from .metrics import balanced_accuracy

    import tempfile
    assistant = Assistant(Settings(corpus=SEEDS, data_dir=Path(tempfile.mkdtemp(prefix="rag-judge-"))))
    assistant.index()
    lexical = assistant._ensure_retriever().lexical
    judge = HeuristicJudge(assistant.embedder.embed, lexical.idf)
    X = np.array([[judge.features(p["sentence"], p["passage"])[f] for f in FEATURES] for p in pairs])
    y = np.array([p["supported"] for p in pairs], dtype=int)
    train = np.array([p["split"] == "train" for p in pairs])
    model = LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000).fit(X[train], y[train])
    prob = model.predict_proba(X)[:, 1]
    test = ~train
    pred = prob >= 0.5
    report = {
        "judge": judge.name, "features": FEATURES, "coef": [round(float(c), 4) for c in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 4), "threshold": 0.5,
        "fitted_on": f"{PAIRS.name} train ({int(train.sum())} pairs)",
        "test_pairs": int(test.sum()),
        "test_balanced_accuracy": round(balanced_accuracy(pred[test].tolist(), y[test].astype(bool).tolist()), 4),
        "test_confusion": {
            "supported_judged_supported": int((pred & (y == 1) & test).sum()),
            "supported_judged_unsupported": int((~pred & (y == 1) & test).sum()),
            "unsupported_judged_supported": int((pred & (y == 0) & test).sum()),
            "unsupported_judged_unsupported": int((~pred & (y == 0) & test).sum()),
        },
        "test_accuracy_by_kind": {},
    }
    kinds = sorted({p["kind"] for p in pairs})
    for kind in kinds:
        idx = [i for i, p in enumerate(pairs) if p["kind"] == kind and test[i]]
        if idx:
            report["test_accuracy_by_kind"][kind] = round(float(np.mean([pred[i] == y[i] for i in idx])), 4)
    JUDGE_MODEL.write_text(json.dumps(report, indent=1) + "\n")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fit", action="store_true", help="fit the judge on the pairs and write evals/judge.json")
    args = parser.parse_args()
    pairs = make_pairs()
    PAIRS.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs))
    from collections import Counter
    print(f"wrote {PAIRS}: {len(pairs)} pairs", dict(Counter(p["kind"] for p in pairs)))
    if args.fit:
        report = fit(pairs)
        print(json.dumps({k: v for k, v in report.items() if k.startswith("test")}, indent=1))


if __name__ == "__main__":
    main()
