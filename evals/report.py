"""Eval output: a terminal table, a JSON of every figure, and a Markdown report with a chart."""

import html
import json
from pathlib import Path

from .run import CaseResult

HEADLINE = [
    "answered_correctly",
    "answer_sentence_correct",
    "reader_accuracy@1",
    "answerable_ece",
    "article_hit@1",
    "article_hit@5",
    "article_mrr@10",
    "passage_hit@1",
    "passage_hit@5",
    "passage_mrr@10",
    "passage_recall@5",
    "citation_recall",
    "citation_precision",
    "uncited_sentences",
    "dangling_citations",
    "token_f1",
    "rouge_l",
    "key_fact",
    "refusal_precision",
    "refusal_recall",
    "refusal_f1",
    "false_refusal_rate",
]


def table(summary: dict) -> str:
    rows = [f"{'metric':24s} {'value':>7s}  95% interval       n"]
    for name in HEADLINE:
        if name in summary:
            s = summary[name]
            rows.append(f"{name:24s} {s['value']:7.3f}  [{s['low']:.3f}, {s['high']:.3f}]  {s['n']:4d}")
    return "\n".join(rows)


def _verification(answer) -> dict:
    """An LLM answer's draft and what verification did to it (nothing for the extractive answerer): the
    draft → final pairs a reader of the report can judge."""
    if not answer.draft:
        return {}
    return {
        "draft": answer.draft,
        "removed": [r.model_dump() for r in answer.removed],
        "recited": [r.model_dump() for r in answer.recited],
        "fallback": answer.fallback,
    }


def to_json(dataset: str, summary: dict, results: list[CaseResult], extra: dict) -> dict:
    return {
        "dataset": dataset,
        **extra,
        "metrics": summary,
        "cases": [
            {
                "id": r.case.id,
                "question": r.case.question,
                "searched": r.searched,
                "answerable": r.case.answerable,
                "status": r.answer.status,
                "answer": r.answer.answer,
                "confidence": round(r.answer.confidence, 4),
                "scores": r.scores,
                "failed": r.failed,
                "citations": [
                    {"n": c.n, "source": c.source, "document_id": c.document_id, "quote": c.quote} for c in r.answer.citations
                ],
                **_verification(r.answer),
            }
            for r in results
        ],
    }


def _chart(summary: dict) -> str:
    """Horizontal bars with 95% interval whiskers, as SVG (no plotting library needed)."""
    names = [n for n in HEADLINE if n in summary]
    width, row, left = 640, 22, 190
    height = row * len(names) + 30
    scale = width - left - 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">'
    ]
    for i, name in enumerate(names):
        s = summary[name]
        y = 10 + i * row
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{html.escape(name)}</text>')
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{max(0.0, s["value"]) * scale:.1f}" height="{row - 8}" fill="#60a5fa"/>'
        )
        parts.append(
            f'<line x1="{left + s["low"] * scale:.1f}" x2="{left + s["high"] * scale:.1f}" y1="{y + row / 2}" y2="{y + row / 2}" stroke="#1e3a8a" stroke-width="2"/>'
        )
        parts.append(f'<text x="{left + s["value"] * scale + 4:.1f}" y="{y + 13}" fill="#111">{s["value"]:.2f}</text>')
    parts.append(f'<line x1="{left}" x2="{left}" y1="5" y2="{height - 15}" stroke="#999"/>')
    parts.append("</svg>")
    return "".join(parts)


def write_report(directory: Path, dataset: str, summary: dict, results: list[CaseResult], extra: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "metrics.svg").write_text(_chart(summary), encoding="utf-8")
    lines = [f"# Evaluation: {dataset}", ""]
    for key, value in extra.items():
        if key != "reader":
            lines.append(f"- {key}: {value}")
    reader = extra.get("reader")
    if reader:
        c = reader["confusion"]
        lines += [
            "",
            "## The reader's decision",
            "",
            "| | answerable | unanswerable |",
            "|---|---|---|",
            f"| answered | {c['answered_answerable']} | {c['answered_unanswerable']} |",
            f"| refused | {c['refused_answerable']} | {c['refused_unanswerable']} |",
            "",
            "Reliability (probability that the corpus answers, by bin):",
            "",
            "| bin | n | predicted | observed |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {b['low']:.1f}-{b['high']:.1f} | {b['n']} | {b['predicted']:.3f} | {b['observed']:.3f} |"
            for b in reader["reliability"]
        ]
    lines += [
        "",
        "![metrics with 95% bootstrap intervals](metrics.svg)",
        "",
        "| metric | value | 95% interval | n |",
        "|---|---|---|---|",
    ]
    for name in HEADLINE:
        if name in summary:
            s = summary[name]
            lines.append(f"| {name} | {s['value']:.3f} | [{s['low']:.3f}, {s['high']:.3f}] | {s['n']} |")
    failures = [r for r in results if r.failed]
    lines += ["", f"## Failing cases ({len(failures)} of {len(results)})", ""]
    for r in failures:
        lines.append(f"### {r.case.id}: {_md(r.case.question)}")
        if r.searched != r.case.question:
            lines.append(f"- searched: {_md(r.searched)}")
        lines.append(f"- why: {'; '.join(r.failed)}")
        lines.append(
            f"- expected: {'not in the corpus' if not r.case.answerable else _md(r.case.answer)} (gold: {', '.join(r.case.sources) or '-'})"
        )
        lines.append(f"- answer ({r.answer.status}, confidence {r.answer.confidence:.2f}): {_md(r.answer.answer)}")
        for c in r.answer.citations:
            lines.append(f"  - [{c.n}] {c.source}: “{_md(c.quote)}”")
        for s in r.statements:
            verdict = "supported" if s.supported else "NOT supported"
            lines.append(f"  - judge: {verdict} by {s.cited}: “{_md(s.text[:200])}”")
        if r.case.answerable:
            ranks = ", ".join("not in top 10" if f is None else f"rank {f}" for f in r.quotes_found_at)
            lines.append(
                f"  - gold quote retrieved at: {ranks}; retrieved articles: {', '.join(dict.fromkeys(r.retrieved_sources))}"
            )
        lines.append("")
    path = directory / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _md(text: str) -> str:
    return html.escape(" ".join(text.split())).replace("|", "\\|")


def write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
