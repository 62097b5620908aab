"""Writing sample sets: files, manifest, PDFs, and clear errors for bad requests."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from scriptsensei.samples import (
    SampleOptions,
    SampleSetError,
    generate_sample,
    read_samples,
    sample_rng,
    write_samples,
)


def test_writes_image_truth_meta_and_manifest(tmp_path: Path) -> None:
    written = write_samples(
        tmp_path, 3, seed=5, options=SampleOptions(profile="clean", pdf_share=0.0)
    )
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [s["name"] for s in manifest["samples"]] == [w.name for w in written]
    assert manifest["seed"] == 5 and manifest["count"] == 3
    for entry in manifest["samples"]:
        with Image.open(tmp_path / entry["image"]) as image:
            assert image.format == "PNG"
        truth = json.loads((tmp_path / entry["truth"]).read_text())
        meta = json.loads((tmp_path / entry["meta"]).read_text())
        index = meta["index"]
        assert (
            truth
            == generate_sample(
                sample_rng(5, index), index, SampleOptions(profile="clean", pdf_share=0.0)
            ).truth
        )
        assert meta["image"] == entry["image"]


def test_same_seed_writes_identical_files(tmp_path: Path) -> None:
    options = SampleOptions(profile="mixed", pdf_share=0.5)
    write_samples(tmp_path / "a", 4, seed=1, options=options)
    write_samples(tmp_path / "b", 4, seed=1, options=options)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_pdf_samples_are_valid_one_page_pdfs(tmp_path: Path) -> None:
    written = write_samples(
        tmp_path, 2, seed=3, options=SampleOptions(profile="clean", pdf_share=1.0)
    )
    for sample in written:
        assert sample.image.endswith(".pdf")
        document = pdfium.PdfDocument(tmp_path / sample.image)
        try:
            assert len(document) == 1
            width, height = document[0].get_size()
            assert height > width > 0  # a portrait page
            bitmap = document[0].render(scale=0.5).to_pil()
            assert bitmap.getextrema() != ((255, 255), (255, 255), (255, 255))  # not blank
        finally:
            document.close()


def test_photos_are_written_as_jpeg(tmp_path: Path) -> None:
    written = write_samples(
        tmp_path, 2, seed=3, options=SampleOptions(profile="photo", pdf_share=0.0)
    )
    for sample in written:
        assert sample.degraded
        with Image.open(tmp_path / sample.image) as image:
            assert image.format == "JPEG"


def test_count_below_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SampleSetError, match="count must be at least 1"):
        write_samples(tmp_path, 0)
    assert list(tmp_path.iterdir()) == []


def test_share_outside_zero_to_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SampleSetError, match="pdf-share must be between 0 and 1"):
        write_samples(tmp_path, 1, options=SampleOptions(pdf_share=1.5))


def test_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    with pytest.raises(SampleSetError, match="exists and is not a directory"):
        write_samples(target, 1)


def test_output_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(SampleSetError, match="cannot write samples to"):
        write_samples(tmp_path / "file" / "out", 1)


def test_read_samples_gives_back_what_was_written(tmp_path: Path) -> None:
    options = SampleOptions(profile="mixed", pdf_share=0.3)
    written = write_samples(tmp_path, 4, seed=6, options=options)
    read = read_samples(tmp_path)
    assert [s.name for s in read] == [w.name for w in written]
    for sample in read:
        assert sample.image.is_file()
        assert sample.meta["name"] == sample.name
        index = sample.meta["index"]
        assert sample.truth == generate_sample(sample_rng(6, index), index, options).truth


def test_reading_a_directory_without_manifest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SampleSetError, match=r"no manifest\.json"):
        read_samples(tmp_path)


def test_reading_a_broken_manifest_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(SampleSetError, match="not valid JSON"):
        read_samples(tmp_path)


def test_reading_a_set_with_a_missing_truth_is_a_clear_error(tmp_path: Path) -> None:
    write_samples(tmp_path, 1, seed=6, options=SampleOptions(profile="clean"))
    (tmp_path / "rx-00000.json").unlink()
    with pytest.raises(SampleSetError, match=r"rx-00000 .* cannot be read"):
        read_samples(tmp_path)
