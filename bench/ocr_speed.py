"""Seconds per page of each local OCR engine on one core (OCR and parsing, models warm).

    .venv/bin/python bench/ocr_speed.py SAMPLES_DIR [--limit 20] [--engine tesseract]

Runs in this process with native thread pools limited to one thread, so the figures are
per core whatever else the machine is doing; CPU seconds are reported beside wall-clock
seconds because a shared machine stretches the latter.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # before Tesseract is loaded
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import importlib
import statistics
import time
from pathlib import Path

from scriptsensei.evaluation.samples import load_samples
from scriptsensei.extraction.engine import PageImage
from scriptsensei.extraction.ocr.lines import PageGeometry
from scriptsensei.extraction.pages import load_file
from scriptsensei.extraction.parser import parse_prescription

READERS = {
    "tesseract": "scriptsensei.extraction.ocr.tesseract_reader",
    "rapidocr": "scriptsensei.extraction.ocr.rapid_reader",
}


def measure(reader: str, pages: list[PageImage]) -> tuple[list[float], list[float]]:
    read_page = importlib.import_module(reader).read_page
    parse_prescription(read_page(pages[0]), [PageGeometry(0, pages[0].width, pages[0].height)])
    walls, cpus = [], []
    for page in pages:
        wall, cpu = time.perf_counter(), time.process_time()
        lines = read_page(page)
        parse_prescription(lines, [PageGeometry(page.index, page.width, page.height)])
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def describe(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return (
        f"mean {statistics.mean(values):.2f}  median {statistics.median(values):.2f}  p90 {p90:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", type=Path)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--engine", action="append", choices=sorted(READERS))
    args = parser.parse_args()
    samples = load_samples(args.samples, args.limit)
    pages = [page for sample in samples for page in load_file(sample.image)]
    print(f"{len(pages)} pages from {len(samples)} samples in {args.samples}, one core")
    for name in args.engine or sorted(READERS):
        walls, cpus = measure(READERS[name], pages)
        print(f"{name:10s} CPU s/page: {describe(cpus)}   wall s/page: {describe(walls)}")


if __name__ == "__main__":
    main()
