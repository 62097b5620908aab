"""A directory of evaluation samples: NAME.png/.jpg/.pdf beside its truth NAME.json.

An optional NAME.meta.json (written by `generate-samples`) says how the page was made,
so results can be split into clean printed pages, handwriting, turned pages and photos.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scriptsensei.extraction.fields import flatten
from scriptsensei.extraction.pages import SUPPORTED_SUFFIXES

ROTATE_STEP = "rotate"  # the name `generate-samples` gives a quarter turn in `degradations`


class SampleSetError(ValueError):
    """The directory is not a usable sample set; the message says why."""


@dataclass(frozen=True)
class Sample:
    name: str
    image: Path
    truth: dict[str, str | None]  # flattened `extractedData`
    # clean, rotated (a clean page turned by quarter turns) or photo (which may be turned
    # too); with -handwriting for handwriting-like fonts
    category: str


def load_samples(directory: Path, limit: int | None = None) -> list[Sample]:
    if not directory.is_dir():
        raise SampleSetError(f"not a directory: {directory}")
    samples = [_sample(image) for image in _images(directory)]
    if not samples:
        raise SampleSetError(
            f"no samples in {directory}: expected NAME.png/.jpg/.pdf beside NAME.json"
        )
    return samples[:limit] if limit else samples


def _images(directory: Path) -> list[Path]:
    return sorted(
        path
        for path in directory.iterdir()
        if path.suffix.lower() in SUPPORTED_SUFFIXES and path.with_suffix(".json").is_file()
    )


def _sample(image: Path) -> Sample:
    truth_path = image.with_suffix(".json")
    try:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SampleSetError(f"unreadable truth {truth_path.name}: {exc}") from exc
    if not isinstance(truth, dict):
        raise SampleSetError(f"truth {truth_path.name} is not an extractedData object")
    return Sample(image.stem, image, flatten(truth), _category(image))


def _category(image: Path) -> str:
    meta_path = image.with_name(f"{image.stem}.meta.json")
    if not meta_path.is_file():
        return "unknown"
    meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
    kind = "photo" if _photographed(meta) else "rotated" if meta.get("rotation") else "clean"
    return f"{kind}-handwriting" if meta.get("handwriting") else kind


def _photographed(meta: dict[str, Any]) -> bool:
    """Degraded by more than quarter turns: a clean page that was only turned is no photo."""
    if not meta.get("degraded"):
        return False
    steps = meta.get("degradations")
    if not isinstance(steps, list):  # older metadata: every degraded page was a photo
        return True
    return any(not isinstance(s, dict) or s.get("name") != ROTATE_STEP for s in steps)
