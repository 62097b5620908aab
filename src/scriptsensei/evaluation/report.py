"""The evaluation as a console table, a JSON document and a Markdown report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scriptsensei.evaluation.harness import Evaluation

CATEGORIES = (
    "clean",
    "clean-handwriting",
    "rotated",
    "rotated-handwriting",
    "photo",
    "photo-handwriting",
    "unknown",
)


def as_json(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "dataset": evaluation.dataset,
        "samples": len(evaluation.samples),
        "engines": evaluation.engines,
        "summary": {n: evaluation.tally(n).summary() for n in evaluation.engines},
        "fields": {n: evaluation.tally(n).per_field() for n in evaluation.engines},
        "perSample": evaluation.samples,
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def summary_rows(evaluation: Evaluation) -> list[list[str]]:
    categories = _categories(evaluation)
    header = ["engine", "fields", *categories, "med P", "med R", "s/page", "cost $", "errors"]
    rows = [header]
    for name in evaluation.engines:
        s = evaluation.tally(name).summary()
        rows.append(
            [
                name,
                _pct(s["fieldAccuracy"]),
                *(_pct(s["byCategory"].get(c)) for c in categories),
                _pct(s["medicationPrecision"]),
                _pct(s["medicationRecall"]),
                _num(s["meanSecondsPerPage"]),
                _num(s["costUsd"], 4),
                str(s["errors"]),
            ]
        )
    return rows


def _categories(evaluation: Evaluation) -> list[str]:
    seen = {c for n in evaluation.engines for c in evaluation.tally(n).by_category}
    return [c for c in CATEGORIES if c in seen]


def as_table(evaluation: Evaluation) -> str:
    rows = summary_rows(evaluation)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def as_markdown(evaluation: Evaluation) -> str:
    rows = summary_rows(evaluation)
    out = [
        f"# Evaluation of {evaluation.dataset}",
        "",
        f"{len(evaluation.samples)} samples. Field accuracy is exact agreement after "
        "normalisation over fields where the truth or the engine has a value; "
        "medications are matched by drug name; seconds per page leave out the first "
        "document (worker start-up).",
        "",
        *_md_table(rows),
        "",
        "## Accuracy per field",
        "",
    ]
    fields = sorted({p for n in evaluation.engines for p in evaluation.tally(n).per_field()})
    table = [["field", *evaluation.engines]]
    for path in fields:
        table.append(
            [
                path,
                *(
                    _pct(evaluation.tally(n).per_field().get(path, {}).get("accuracy"))
                    for n in evaluation.engines
                ),
            ]
        )
    out.extend(_md_table(table))
    return "\n".join(out) + "\n"


def _md_table(rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines.extend("| " + " | ".join(row) + " |" for row in rows[1:])
    return lines


def write_reports(evaluation: Evaluation, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path, md_path = directory / "eval.json", directory / "eval.md"
    json_path.write_text(
        json.dumps(as_json(evaluation), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    md_path.write_text(as_markdown(evaluation), encoding="utf-8")
    return json_path, md_path
