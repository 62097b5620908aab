"""Field accuracy of the prescription parser on generated samples, per OCR engine.

    .venv/bin/python bench/parser_accuracy.py SAMPLES_DIR --engine tesseract [--cache DIR]
        [--per-sample]

Reads every sample image with the engine's reader (in this process), parses the lines,
and compares each field with the sample's truth after normalisation
(`scriptsensei.extraction.normalize.normalize_value`). A field counts when the truth or
the parser has a value for it (fields both leave empty are not counted). Medications are
paired by normalised drug name; recall = paired / truth medications. OCR lines are cached
as JSON (keyed by engine and image) so the parser can be re-measured without re-reading:
give a new cache directory whenever the reader changes. Results are split into printed
and handwriting pages and by the sample's category (clean, rotated, photo; see
`scriptsensei.evaluation.samples`); `--per-sample` lists each sample's field accuracy.
"""

from __future__ import annotations

import argparse
import importlib
import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from scriptsensei.evaluation.samples import load_samples
from scriptsensei.extraction.fields import MEDICATION_KEYS, flatten, scalar_paths
from scriptsensei.extraction.normalize import normalize_text, normalize_value
from scriptsensei.extraction.ocr.lines import OcrLine, PageGeometry
from scriptsensei.extraction.pages import load_file
from scriptsensei.extraction.parser import parse_prescription

READERS = {
    "tesseract": "scriptsensei.extraction.ocr.tesseract_reader",
    "rapidocr": "scriptsensei.extraction.ocr.rapid_reader",
}


def read_lines(
    image: Path, engine: str, cache: Path | None
) -> tuple[list[OcrLine], list[PageGeometry]]:
    cached = cache / f"{engine}-{image.parent.name}-{image.name}.json" if cache else None
    if cached and cached.exists():
        data = json.loads(cached.read_text())
        return [OcrLine(**d) for d in data["lines"]], [PageGeometry(**p) for p in data["pages"]]
    pages = load_file(image)
    reader = importlib.import_module(READERS[engine])
    lines = [line for page in pages for line in reader.read_page(page)]
    geometry = [PageGeometry(p.index, p.width, p.height) for p in pages]
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(
            json.dumps(
                {"lines": [asdict(x) for x in lines], "pages": [asdict(p) for p in geometry]}
            )
        )
    return lines, geometry


def _meds(flat: dict[str, str | None]) -> list[dict[str, str | None]]:
    meds: dict[int, dict[str, str | None]] = {}
    for path, value in flat.items():
        parts = path.split(".")
        if parts[0] == "medications":
            meds.setdefault(int(parts[1]), {})[parts[2]] = value
    return [meds[i] for i in sorted(meds)]


def _same(path: str, truth: str | None, got: str | None) -> bool:
    return normalize_value(path, truth) == normalize_value(path, got)


def score_sample(
    truth: dict[str, Any],
    fields: dict[str, str | None],
    tally: Counter[str],
    misses: list[str],
    name: str,
) -> None:
    flat_truth = flatten(truth)
    for path in scalar_paths():
        t, g = flat_truth.get(path), fields.get(path)
        if t is None and g is None:
            continue
        ok = _same(path, t, g)
        tally[f"{path}:n"] += 1
        tally[f"{path}:ok"] += ok
        tally["fields:n"] += 1
        tally["fields:ok"] += ok
        if not ok:
            misses.append(f"{name} {path}: truth={t!r} got={g!r}")
    truth_meds, got_meds = _meds(flat_truth), _meds(fields)
    tally["meds:truth"] += len(truth_meds)
    tally["meds:got"] += len(got_meds)
    unused = list(range(len(got_meds)))
    for i, tm in enumerate(truth_meds):
        match = next(
            (
                j
                for j in unused
                if _same("m.0.drugName", tm.get("drugName"), got_meds[j].get("drugName"))
            ),
            None,
        )
        if match is None:
            misses.append(
                f"{name} medications.{i} MISSING truth={tm.get('drugName')!r} got={[m.get('drugName') for m in got_meds]}"
            )
            for key in MEDICATION_KEYS:
                if tm.get(key) is not None:
                    tally["fields:n"] += 1
            continue
        unused.remove(match)
        tally["meds:paired"] += 1
        for key in MEDICATION_KEYS:
            t, g = tm.get(key), got_meds[match].get(key)
            if t is None and g is None:
                continue
            ok = _same(f"m.0.{key}", t, g)
            tally[f"medications.{key}:n"] += 1
            tally[f"medications.{key}:ok"] += ok
            tally["fields:n"] += 1
            tally["fields:ok"] += ok
            if not ok:
                misses.append(f"{name} medications.{i}.{key}: truth={t!r} got={g!r}")
    for j in unused:
        tally["fields:n"] += sum(1 for v in got_meds[j].values() if v is not None)


def ceiling(truth: dict[str, Any], lines: list[OcrLine], tally: Counter[str]) -> None:
    """How many true values the OCR text contains at all (fuzzy >= 90), before parsing."""
    text = normalize_text(" ".join(line.text for line in lines)) or ""
    for value in flatten(truth).values():
        folded = normalize_text(value)
        if folded:
            tally["ceiling:n"] += 1
            tally["ceiling:ok"] += fuzz.partial_ratio(folded, text) >= 90


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("samples", type=Path)
    parser.add_argument("--engine", choices=sorted(READERS), default="tesseract")
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--misses", action="store_true", help="list every wrong field")
    parser.add_argument("--per-sample", action="store_true", help="each sample's accuracy")
    args = parser.parse_args()
    tally: Counter[str] = Counter()
    misses: list[str] = []
    samples = load_samples(args.samples)
    groups: set[str] = set()
    for sample in samples:
        image = sample.image
        truth = json.loads(image.with_suffix(".json").read_text())
        lines, pages = read_lines(image, args.engine, args.cache)
        fields = {f.path: f.value for f in parse_prescription(lines, pages)}
        kind = sample.category.removesuffix("-handwriting")
        group = "handwriting" if sample.category.endswith("-handwriting") else "printed"
        sample_tally: Counter[str] = Counter()
        score_sample(truth, fields, sample_tally, misses, image.stem)
        ceiling(truth, lines, sample_tally)
        if args.per_sample:
            ok, n = sample_tally["fields:ok"], max(sample_tally["fields:n"], 1)
            print(f"  {sample.name:14s} {sample.category:22s} {ok / n:6.1%}  ({n})")
        tally.update(sample_tally)
        for prefix in (f"{group}:", f"{kind} {group}:"):
            groups.add(prefix)
            tally.update(
                {
                    f"{prefix}{k}": v
                    for k, v in sample_tally.items()
                    if k.startswith(("fields:", "meds:", "ceiling:"))
                }
            )
    if args.misses:
        print("\n".join(misses))
    print(f"engine={args.engine} samples={len(samples)} dir={args.samples}")
    keys = sorted(
        {k.rsplit(":", 1)[0] for k in tally if k.endswith(":n") and k.count(":") == 1} - {"ceiling"}
    )
    for key in keys:
        n = tally[f"{key}:n"]
        print(f"  {key:42s} {tally[f'{key}:ok'] / n:6.1%}  ({n})")
    for prefix in (*sorted(g for g in groups if " " in g), "printed:", "handwriting:", ""):
        if not tally[f"{prefix}fields:n"]:
            continue
        accuracy = tally[f"{prefix}fields:ok"] / tally[f"{prefix}fields:n"]
        recall = tally[f"{prefix}meds:paired"] / max(tally[f"{prefix}meds:truth"], 1)
        precision = tally[f"{prefix}meds:paired"] / max(tally[f"{prefix}meds:got"], 1)
        label = prefix.rstrip(":") or "all"
        in_text = tally[f"{prefix}ceiling:ok"] / max(tally[f"{prefix}ceiling:n"], 1)
        print(
            f"  {label:22s} field accuracy {accuracy:.1%}  "
            f"medication recall {recall:.1%}  precision {precision:.1%}  "
            f"(true values present in the OCR text: {in_text:.1%})"
        )


if __name__ == "__main__":
    main()
