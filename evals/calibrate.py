"""Fit the sentence ranker and the answer/refuse decision on dev splits, through the whole pipeline.

    python -m evals.calibrate --reader build/reader --out build/reader

For every ``dev`` question of the seed gold set, ClapNQ and SQuAD 2.0 (evals/splits.py), the
assistant retrieves and reads as it does for users (Assistant.explain). Fitted, each dataset
weighted equally (logistic regressions):
  * the ranker: does this sentence answer? From the reader's margin alone, or with the lexical
    features (rag/evidence.py ``sentence_features``), whichever puts a gold sentence first more
    often on a dev set left out of the fit (fitted on the other two, in turn: what carries over to
    another kind of text; extra features must earn a point to be kept). 5-fold figures are reported;
  * the decision (at most ``--max-false-refusal`` of any dev set's answerable questions refused):
    is the question answerable? Besides each dev set's own unanswerable questions,
    its answerable ones are asked again of the corpus without their gold article (near misses: the
    rest of the corpus, often the rest of the same page, is still there); with ``--swapped``, also
    asked with one detail that their answer states swapped for one the corpus never mentions.
    From the best sentence's ranker score alone, with its embedding cosine with the question, or with
    all the decision features (rag/evidence.py ``decision_row``), chosen by 5-fold cross-validation (an
    extra feature must earn a point); then the threshold. Both on the mean over the dev sets of the mean
    recall of three classes: answerable questions answered, the set's own unanswerable questions refused,
    its near misses refused (each class weighs the same). A question whose best sentence lacks the form of
    answer it asks for (rag/answer_types.py ``answer_form``: no number for "how many"), or only
    sentences about another year than the question names, is refused whatever its score, as the
    product does; the threshold decides the rest, and the cap bounds
    what the threshold refuses.
Every feature keeps the sign its meaning gives it (``SignedLogistic``): one fitted the other way is
dropped and the rest refitted, so that neither model learns an artefact of one dev set.
Written into ``--out``/reader.json (never into the installed package: copy the directory to
rag/models/reader/ to ship it). Test splits are not read.
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

from rag import Assistant, Settings
from rag.reader import Reader
from rag.settings import DEFAULT_CORPUS

from .benchmarks import BENCHMARKS, gold_cases
from .fitting import SignedLogistic


def _without(corpus: Path, removed: set[str], target: Path) -> Path:
    """A copy of a corpus without some of its articles ("file" or "file.jsonl#line")."""
    import shutil

    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for path in sorted(corpus.iterdir()):
        if path.name in removed:
            continue
        if path.suffix == ".jsonl":
            lines = path.read_text(encoding="utf-8").split("\n")
            kept = [line for n, line in enumerate(lines, start=1) if f"{path.name}#{n}" not in removed]
            (target / path.name).write_text("\n".join(kept), encoding="utf-8")
        elif path.is_file():
            shutil.copy(path, target / path.name)
    return target


def _near_misses(name: str, corpus: Path, cases: list, work: Path) -> list[tuple[Path, list]]:
    """Answerable dev questions asked of the corpus without their gold article: near misses to refuse
    (the rest of the corpus, often the rest of the same page, is still there)."""
    import random

    single = [c for c in cases if c.answerable and len(c.sources) == 1 and not c.previous]
    if name == "seeds":  # five articles: one reduced corpus per gold article
        by_source: dict[str, list] = {}
        for c in single:
            by_source.setdefault(c.sources[0], []).append(c)
        return [
            (_without(corpus, {s}, work / f"without-{i}"), [_unanswerable(c) for c in group])
            for i, (s, group) in enumerate(sorted(by_source.items()))
        ]
    gold = sorted({c.sources[0] for c in single})
    removed = set(random.Random(7).sample(gold, len(gold) // 2))
    chosen = [_unanswerable(c) for c in single if c.sources[0] in removed]
    return [(_without(corpus, removed, work / "without-half"), chosen)]


def _swapped(corpus: Path, cases: list) -> list:
    """Answerable dev questions asked with one detail their answer states (a year, a number, a name)
    swapped for one that occurs nowhere in the corpus (evals/reader_data.py ``swapped_question``):
    near misses of the kind a news archive brings (the 2021 prize for a question about 2022)."""
    from .reader_data import Example, with_swapped_questions

    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(corpus.iterdir()) if p.is_file())
    single = {c.id: c for c in cases if c.answerable and not c.previous}
    examples = [Example(c.question, "", c.quotes, set(range(len(c.quotes))), "dev", "", c.id) for c in single.values()]
    return [
        _unanswerable(single[e.article]).model_copy(update={"question": e.question, "id": e.article + "-swapped", "kind": "near"})
        for e in with_swapped_questions(examples, seed=11, absent_from=text)
    ]


def _unanswerable(case):
    return case.model_copy(update={"answerable": False, "sources": [], "quotes": [], "id": case.id + "-ablated"})


def _dev_sets(work: Path, paraphrased: bool = False) -> dict[str, tuple[Path, list]]:
    from .paraphrase import asked_otherwise
    from .paraphrase import load as load_paraphrases

    sets = {}
    for name in BENCHMARKS:
        corpus = DEFAULT_CORPUS if name == "seeds" else work / name / "corpus"
        sets[name] = (corpus, [c for c in gold_cases(name, corpus, ("dev",)) if c.split == "dev"])
    if paraphrased:  # each dev question also asked in other words (its near miss too, below)
        found = load_paraphrases()
        sets = {name: (corpus, cases + asked_otherwise(cases, found, "-paraphrased")) for name, (corpus, cases) in sets.items()}
    return sets


# The direction each feature may push: evidence that a sentence answers raises the score, question terms
# the evidence lacks lower it. A feature fitted with the other sign (collinear with another, or an
# artefact of one dev set, such as SQuAD's unanswerable questions written from their paragraph's own
# words) is dropped and the rest refitted, so that the model carries over to articles nobody here chose.
LOWERING = frozenset({"missing", "unknown"})


def _model_json(model: SignedLogistic, features: list[str], choice: str, **scores: dict[str, float]) -> dict:
    """A fitted model as reader.json stores it (read back by rag/logistic.py), with how it was chosen."""
    return {
        "features": features,
        "coef": [round(float(c), 5) for c in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 5),
        "choice": choice,
        "dropped_for_their_sign": model.dropped,
        **{name: {k: round(v, 4) for k, v in values.items()} for name, values in scores.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--reader", type=Path, required=True, help="directory of the reader to calibrate (reader.int8.onnx, reader.json)"
    )
    parser.add_argument("--out", type=Path, required=True, help="where to write the calibrated reader (may equal --reader)")
    parser.add_argument("--data-dir", type=Path, default=Path("build/calibrate"), help="indexes of the dev corpora")
    parser.add_argument(
        "--max-false-refusal",
        type=float,
        default=0.25,
        help="the threshold may refuse at most this share of any dev set's answerable questions",
    )
    parser.add_argument(
        "--swapped",
        action="store_true",
        help="also fit on answerable dev questions asked with one stated detail swapped (refused); measured, not shipped",
    )
    parser.add_argument(
        "--paraphrased",
        action="store_true",
        help="also fit on the dev questions asked in other words (evals/paraphrase.py); measured, not shipped",
    )
    parser.add_argument("--reuse", action="store_true", help="refit from the features the last run saved in --data-dir")
    parser.add_argument(
        "--keep-ranker",
        action="store_true",
        help="keep the sentence ranker of --reader's reader.json and refit only the decision (a change to the decision "
        "alone; then the best sentence is always one the run embedded: a refitted ranker may pick one outside the "
        "shortlist, whose cosine reads 0 here and not in the product)",
    )
    args = parser.parse_args(argv)
    from sklearn.model_selection import GroupKFold, StratifiedKFold

    from rag.evidence import decision_facts, decision_row, sentence_features

    from .metrics import balanced_accuracy, quote_matches

    reader = Reader(args.reader)
    questions = []  # per dev question: dataset, answerable, candidate features, candidate labels, question-level features
    runs = []
    saved = args.data_dir / "dev-features.json"
    for name, (corpus, cases) in ({} if args.reuse else _dev_sets(args.data_dir, args.paraphrased)).items():
        asked = cases + (_swapped(corpus, cases) if args.swapped else [])
        runs.append((name, corpus, asked, args.data_dir / name / "index"))
        for i, (reduced, near) in enumerate(_near_misses(name, corpus, cases, args.data_dir / name / "near")):
            runs.append((name, reduced, near, args.data_dir / name / f"near-index-{i}"))
    for name, corpus, cases, index_dir in runs:
        assistant = Assistant(Settings(corpus=corpus, data_dir=index_dir), reader=reader)
        assistant.index(progress=sys.stderr.isatty())
        for case in cases:
            ev = assistant.explain(case.question, previous=case.previous)
            cands = [c for c in ev.ranked if c.reader > -np.inf]
            questions.append(
                {
                    "dataset": name,
                    "id": case.id,
                    "answerable": case.answerable,
                    "features": [sentence_features(c) for c in cands],
                    "facts": [decision_facts(c) for c in cands],
                    "labels": [case.answerable and quote_matches(c.text, case.quotes, case.key) for c in cands],
                    "near": case.id.endswith(("-ablated", "-swapped")),  # asked without its gold article, or a detail swapped
                    "form_missing": [bool(c.missing_form) for c in cands],
                    "about_other": [c.about_other for c in cands],  # another year, office holder or speaker (rag/finder.py)
                    "ranked_last": [c.ranked_last for c in cands],  # that, or no number where one is asked for
                    "unheard": bool(ev.unheard),  # it names what the corpus never mentions: refused (rag/finder.py)
                    "missing": ev.features["missing"],
                    "unknown": ev.features["unknown"],
                }
            )
        print(f"{name}: {len(cases)} dev questions", file=sys.stderr)
    if args.reuse:
        questions = json.loads(saved.read_text())
        if any("ranked_last" not in q or "form_missing" not in q for q in questions):
            raise SystemExit(
                f"{saved} was saved before the rules that rank sentences last (Candidate.ranked_last): run without --reuse"
            )
        if any("near" not in q or any("dense" not in f for f in q["facts"]) for q in questions):
            raise SystemExit(f"{saved} was saved before the decision read the cosine and near misses: run without --reuse")
    else:
        saved.write_text(json.dumps(questions))
    names = sorted({q["dataset"] for q in questions})
    size = {n: sum(q["dataset"] == n for q in questions) for n in names}

    # 1. the ranker, on the candidates of answerable questions whose gold sentence was retrieved
    ranked_qs = [i for i, q in enumerate(questions) if any(q["labels"])]
    sentence_names = list(questions[ranked_qs[0]]["features"][0])

    def cand_matrix(idx, feats):
        return np.array([[f[k] for k in feats] for i in idx for f in questions[i]["features"]])

    def cand_labels(idx):
        return np.array([lab for i in idx for lab in questions[i]["labels"]], dtype=int)

    def cand_weights(idx):
        return np.array(
            [1.0 / size[questions[i]["dataset"]] / len(questions[i]["labels"]) for i in idx for _ in questions[i]["labels"]]
        )

    def fit_ranker(idx, feats):
        return SignedLogistic(feats, LOWERING, C=1.0).fit(
            cand_matrix(idx, feats), cand_labels(idx), sample_weight=cand_weights(idx) * 1000
        )

    def top1(model, idx, feats) -> float:
        per = {n: [] for n in names}
        for i in idx:
            scores = model.decision_function(np.array([[f[k] for k in feats] for f in questions[i]["features"]]))
            per[questions[i]["dataset"]].append(float(questions[i]["labels"][int(np.argmax(scores))]))
        return float(np.mean([np.mean(v) for v in per.values() if v]))

    def cv_top1(feats) -> float:
        groups = np.array(ranked_qs)
        out = []
        for train, test in GroupKFold(5).split(groups, groups=groups):
            out.append(top1(fit_ranker(list(groups[train]), feats), list(groups[test]), feats))
        return float(np.mean(out))

    def other_datasets_top1(feats) -> float:
        """Fitted on two dev sets, accuracy@1 on the third, in turn: what carries over to articles and
        questions of another kind (a user's archive). Lexical features that fit SQuAD's questions, written
        from their paragraph's own words, may not."""
        return float(
            np.mean(
                [
                    top1(fit_ranker([i for i in ranked_qs if questions[i]["dataset"] != held], feats), held_idx, feats)
                    for held in names
                    if (held_idx := [i for i in ranked_qs if questions[i]["dataset"] == held])
                ]
            )
        )

    ranker_options = {"reader only": ["reader"], "reader and lexical features": sentence_names}
    ranker_cv = {k: cv_top1(v) for k, v in ranker_options.items()}
    ranker_scores = {k: other_datasets_top1(v) for k, v in ranker_options.items()}
    for k in ranker_options:
        print(
            f"ranker on {k}: 5-fold mean accuracy@1 {ranker_cv[k]:.4f}, on a dev set left out of the fit {ranker_scores[k]:.4f}"
        )
    # chosen on the left-out dev sets; extra features must earn a point there
    ranker_choice = max(ranker_scores, key=lambda k: ranker_scores[k] - (0.01 if k != "reader only" else 0.0))
    ranker_features = ranker_options[ranker_choice]
    if args.keep_ranker:  # the reader's own ranker, as fitted before: only the decision is refitted
        kept = reader.calibration.ranker
        ranker_choice, ranker_features = "kept from --reader's reader.json", list(kept.features)
        ranker = SignedLogistic(ranker_features, LOWERING)
        ranker.coef_, ranker.intercept_, ranker.dropped = np.array([kept.coef]), np.array([kept.intercept]), []
    else:
        ranker = fit_ranker(ranked_qs, ranker_features)

    # 2. the decision, on every question, from its best sentence under that ranker
    rows = []
    formless = []  # the best sentence lacks the form of answer asked for, or is about another year, or the question names
    # what the corpus never mentions: refused (rag/finder.py)
    for q in questions:
        level = {"missing": q["missing"], "unknown": q["unknown"]}
        if q["features"]:
            logits = ranker.decision_function(np.array([[f[k] for k in ranker_features] for f in q["features"]]))
            # about another year or office holder, or without the form asked for: after the rest (rag/finder.py)
            order = np.lexsort((-logits, np.array(q["ranked_last"], dtype=bool)))
            best = int(order[0])
            second = float(logits[order[1]]) if len(order) > 1 else None
            rows.append(decision_row(float(logits[best]), second, q["facts"][best], level))
            formless.append(q["form_missing"][best] or bool(q["about_other"][best]) or q.get("unheard", False))
        else:
            rows.append(decision_row(None, None, {}, level))
            formless.append(q.get("unheard", False))
    y = np.array([q["answerable"] for q in questions], dtype=int)
    group = np.array([names.index(q["dataset"]) for q in questions])
    weights = np.array([len(y) / len(names) / size[q["dataset"]] for q in questions])

    def matrix(features: list[str]) -> np.ndarray:
        return np.array([[r[k] for k in features] for r in rows], dtype=float)

    left = ~np.array(formless)  # what the threshold decides; the cap bounds what it refuses
    near = np.array([q["near"] for q in questions])  # asked without its gold article, or with a detail swapped

    def mean_recall(p: np.ndarray, t: float) -> float:
        """Mean over the dev sets of the mean recall of three classes, answerable questions answered, the set's
        own unanswerable questions refused and its near misses refused (each class weighs the same: the near
        misses an archive brings are a failure of their own, not a share of the unanswerable ones), or -1
        where some set's false refusals pass the cap."""
        p = np.where(left, p, 0.0)
        worst = max(float((p[(group == i) & (y == 1) & left] < t).mean()) for i in range(len(names)))
        if worst > args.max_false_refusal:
            return -1.0 + (1.0 - worst) / 10  # outside the cap: only the least bad
        per_set = []
        for i in range(len(names)):
            classes = [(group == i) & (y == 1), (group == i) & (y == 0) & ~near, (group == i) & (y == 0) & near]
            recalls = [float(((p[m] >= t) == (k == 0)).mean()) for k, m in enumerate(classes) if m.any()]
            per_set.append(np.mean(recalls))
        return float(np.mean(per_set))

    def fit(features: list[str]):
        return SignedLogistic(features, LOWERING, C=1.0, class_weight="balanced").fit(matrix(features), y, sample_weight=weights)

    def cross_validated(features: list[str]) -> float:
        p = np.zeros(len(y))
        for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(matrix(features), y * 10 + group):
            model = SignedLogistic(features, LOWERING, C=1.0, class_weight="balanced")
            model.fit(matrix(features)[train], y[train], sample_weight=weights[train])
            p[test] = model.predict_proba(matrix(features)[test])[:, 1]
        return max(mean_recall(p, t) for t in np.linspace(0.05, 0.95, 91))

    options = {
        "best sentence only": ["best"],
        "best sentence and its cosine with the question": ["best", "dense"],
        "all decision features": list(rows[0]),
    }
    scores = {k: cross_validated(v) for k, v in options.items()}
    for k, v in scores.items():
        print(f"decision on {k}: 5-fold mean recall of the three classes {v:.4f}")
    chosen = max(scores, key=lambda k: scores[k] - (0.01 if k != "best sentence only" else 0.0))
    features = options[chosen]
    model = fit(features)
    p = model.predict_proba(matrix(features))[:, 1]
    threshold = float(max(np.linspace(0.05, 0.95, 91), key=lambda t: mean_recall(p, t)))
    p = np.where(left, p, 0.0)
    per_dataset = {}
    for i, name in enumerate(names):
        pred, yy = p[group == i] >= threshold, y[group == i]
        per_dataset[name] = {
            "n": int(len(yy)),
            "balanced_accuracy": round(float(balanced_accuracy(pred, yy == 1)), 4),
            "refusal_recall": round(float((~pred[yy == 0]).mean()), 4),
            "false_refusal_rate": round(float((~pred[yy == 1]).mean()), 4),
            "near_misses_refused": round(float((~pred[(yy == 0) & near[group == i]]).mean()), 4)
            if ((yy == 0) & near[group == i]).any()
            else None,
        }
        print(f"{name:8s} {per_dataset[name]}")
    print(
        f"ranker: {ranker_choice} (dropped for their sign: {ranker.dropped or 'none'}); "
        f"decision: {chosen} (dropped: {model.dropped or 'none'}), threshold {threshold:.2f}"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    if args.out.resolve() != args.reader.resolve():
        for f in args.reader.iterdir():
            if f.name in ("reader.int8.onnx", "tokenizer.json", "MODEL_CARD.md"):
                shutil.copy(f, args.out / f.name)
    meta = dict(reader.meta)
    meta["calibration"] = {
        "ranker": _model_json(
            ranker,
            ranker_features,
            ranker_choice,
            cross_validated_accuracy_at_1=ranker_cv,
            accuracy_at_1_on_a_left_out_dev_set=ranker_scores,
        ),
        "decision": _model_json(model, features, chosen, cross_validated_mean_class_recall=scores),
        "threshold": round(threshold, 3),
        "fitted_on": "dev splits of seeds, clapnq and squad2 (evals/splits.py), whole pipeline",
        "dev": per_dataset,
    }
    if args.keep_ranker:
        meta["calibration"]["ranker"] = reader.meta["calibration"]["ranker"]
    (args.out / "reader.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {args.out / 'reader.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
