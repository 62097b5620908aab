"""Loading a sample directory: pairs of page and truth, categories, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from scriptsensei.evaluation.samples import SampleSetError, load_samples


def _write(directory: Path, name: str, meta: dict[str, object] | None = None) -> None:
    Image.new("RGB", (50, 50), "white").save(directory / f"{name}.png")
    (directory / f"{name}.json").write_text(json.dumps({"vitals": {"pulse": "72"}}))
    if meta is not None:
        (directory / f"{name}.meta.json").write_text(json.dumps(meta))


def test_pairs_are_loaded_in_name_order_with_categories(tmp_path: Path) -> None:
    _write(tmp_path, "b", {"degraded": True, "rotation": 90})
    _write(tmp_path, "a", {"degraded": False, "rotation": 180})
    _write(tmp_path, "c", {"degraded": False, "rotation": 0, "handwriting": True})
    _write(tmp_path, "d", {"degraded": False, "rotation": 0, "handwriting": False})
    _write(tmp_path, "e")
    _write(tmp_path, "f", {"degraded": True, "handwriting": True})
    (tmp_path / "orphan.png").write_bytes(b"")  # no truth: not a sample
    samples = load_samples(tmp_path)
    assert [(s.name, s.category) for s in samples] == [
        ("a", "rotated"),
        ("b", "photo"),
        ("c", "clean-handwriting"),
        ("d", "clean"),
        ("e", "unknown"),
        ("f", "photo-handwriting"),
    ]
    assert samples[0].truth["vitals.pulse"] == "72"
    assert len(load_samples(tmp_path, limit=2)) == 2


def test_clean_pages_only_turned_are_rotated_not_photos(tmp_path: Path) -> None:
    # What `generate-samples --profile rotated` writes: the turn is the only degradation.
    turned = [{"name": "rotate", "degrees": 270}]
    photo = [{"name": "skew", "degrees": 2.1}, *turned, {"name": "jpeg", "quality": 60}]
    _write(tmp_path, "a", {"degraded": True, "degradations": turned, "rotation": 270})
    _write(
        tmp_path,
        "b",
        {"degraded": True, "degradations": turned, "rotation": 270, "handwriting": True},
    )
    _write(tmp_path, "c", {"degraded": True, "degradations": photo, "rotation": 270})
    _write(
        tmp_path,
        "d",
        {"degraded": True, "degradations": photo[:1], "rotation": 0, "handwriting": True},
    )
    _write(tmp_path, "e", {"degraded": False, "degradations": [], "rotation": 0})
    assert [(s.name, s.category) for s in load_samples(tmp_path)] == [
        ("a", "rotated"),
        ("b", "rotated-handwriting"),
        ("c", "photo"),
        ("d", "photo-handwriting"),
        ("e", "clean"),
    ]


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(SampleSetError, match="not a directory"):
        load_samples(tmp_path / "missing")


def test_no_samples(tmp_path: Path) -> None:
    with pytest.raises(SampleSetError, match="no samples"):
        load_samples(tmp_path)


def test_unreadable_truth(tmp_path: Path) -> None:
    _write(tmp_path, "a")
    (tmp_path / "a.json").write_text("{not json")
    with pytest.raises(SampleSetError, match=r"unreadable truth a\.json"):
        load_samples(tmp_path)


def test_truth_must_be_an_object(tmp_path: Path) -> None:
    _write(tmp_path, "a")
    (tmp_path / "a.json").write_text("[1, 2]")
    with pytest.raises(SampleSetError, match="not an extractedData object"):
        load_samples(tmp_path)
