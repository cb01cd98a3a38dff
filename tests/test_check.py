"""`rag check FILE.jsonl` and rag.judge.check_lines: the LLM path's judge for sentences anyone wrote (issue 13, item 9)."""

import json

import pytest

from rag.cli import build_parser, main
from rag.judge import check_lines, for_assistant, verdict

from .conftest import SEEDS

PASSAGE = "In November 2020, Russia sent 2,000 troops to Nagorno-Karabakh to maintain peace in the region."


class HalfJudge:
    name, threshold = "half", 0.5

    def support(self, sentence, passage):
        return 0.9 if sentence.split()[0] in passage else 0.1


def test_check_lines_judges_good_lines_and_reports_bad_ones_by_number():
    lines = [
        json.dumps({"sentence": "Russia sent troops.", "passage": PASSAGE}),
        "",
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"sentence": "Russia sent troops."}),
        json.dumps({"sentence": "  ", "passage": PASSAGE}),
        json.dumps({"sentence": "Turkey sent troops.", "passage": PASSAGE, "question": "Who sent troops?"}),
        json.dumps({"sentence": "Russia sent troops.", "passage": PASSAGE, "question": 3}),
    ]
    out = list(check_lines(lines, HalfJudge()))
    assert [(n, r) for n, r, e in out if e is None] == [
        (1, {"verdict": "supported", "score": 0.9}),
        (7, {"verdict": "unsupported", "score": 0.1}),
    ]
    errors = {n: e for n, r, e in out if e}
    assert sorted(errors) == [3, 4, 5, 6, 8]
    assert "JSON" in errors[3] and "'passage'" in errors[5] and "'sentence'" in errors[6]


def test_help_shows_an_example():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["check"]
    text = sub.format_help()
    assert "rag check claims.jsonl" in text and '"verdict": "supported"' in text


@pytest.mark.slow
def test_rag_check_prints_one_verdict_per_good_line(seeded, seed_dir, tmp_path, capsys):
    """The same judge as the LLM path, through the command line; bad lines on stderr, exit 1."""
    claims = tmp_path / "claims.jsonl"
    claims.write_text(
        "\n".join(
            [
                json.dumps({"sentence": "Russia sent 2,000 troops to Nagorno-Karabakh.", "passage": PASSAGE}),
                json.dumps({"sentence": "Russia sent 9,000 troops to Nagorno-Karabakh.", "passage": PASSAGE}),
                "oops",
                json.dumps(
                    {
                        "sentence": "The situation remains tense and negotiations continue.",
                        "passage": PASSAGE,
                        "question": "What happened?",
                    }
                ),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    code = main(["check", str(claims), "--data-dir", str(seed_dir), "--corpus", str(SEEDS)])
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert code == 1 and [r["line"] for r in rows] == [1, 2, 4]
    assert [r["verdict"] for r in rows] == ["supported", "unsupported", "unsupported"]
    assert all(0.0 <= r["score"] <= 1.0 for r in rows)
    assert f"{claims}:3: skipped: not JSON" in captured.err
    judge = for_assistant(seeded)
    assert rows[0]["score"] == verdict(judge, "Russia sent 2,000 troops to Nagorno-Karabakh.", PASSAGE)["score"]


def test_rag_check_missing_file(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.jsonl"), "--data-dir", str(tmp_path)]) == 1
    assert "No such file" in capsys.readouterr().err
