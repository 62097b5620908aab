"""Writing a set of synthetic prescriptions to a directory: for each sample the image
(`NAME.png`, `NAME.jpg` or `NAME.pdf`), the truth (`NAME.json`, the `extractedData` shape)
and how it was made (`NAME.meta.json`), plus `manifest.json` listing them all."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from scriptsensei.samples import fonts
from scriptsensei.samples.generator import Sample, SampleOptions, generate_sample, sample_rng

log = structlog.get_logger(__name__)

MANIFEST = "manifest.json"
GENERATOR_VERSION = "1"
_DPI = 200  # the page sizes are A4 at 200 dpi; PDFs keep that physical size


class SampleSetError(ValueError):
    """The request cannot produce a sample set (bad count, share or output directory)."""


@dataclass(frozen=True)
class WrittenSample:
    name: str
    image: str
    truth: str
    meta: str
    layout: str
    degraded: bool
    handwriting: bool
    rotation: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def write_samples(
    out_dir: Path, count: int, seed: int = 0, options: SampleOptions = SampleOptions()
) -> list[WrittenSample]:
    """Generate `count` samples into `out_dir` (created if missing) and write the manifest."""
    _check_request(count, options)
    fonts.check_fonts()
    _prepare_directory(out_dir)
    written = [
        write_sample(out_dir, generate_sample(sample_rng(seed, i), i, options))
        for i in range(count)
    ]
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "count": count,
        "options": dict(options.__dict__),
        "samples": [w.as_dict() for w in written],
    }
    _write_json(out_dir / MANIFEST, manifest)
    log.info(
        "samples.written", out_dir=str(out_dir), count=count, seed=seed, profile=options.profile
    )
    return written


def write_sample(out_dir: Path, sample: Sample) -> WrittenSample:
    image_name = f"{sample.name}.{sample.image_format}"
    _save_image(sample, out_dir / image_name)
    _write_json(out_dir / f"{sample.name}.json", sample.truth)
    _write_json(out_dir / f"{sample.name}.meta.json", {**sample.meta, "image": image_name})
    return WrittenSample(
        name=sample.name,
        image=image_name,
        truth=f"{sample.name}.json",
        meta=f"{sample.name}.meta.json",
        layout=sample.meta["layout"],
        degraded=sample.meta["degraded"],
        handwriting=sample.meta["handwriting"],
        rotation=sample.meta["rotation"],
    )


@dataclass(frozen=True)
class SampleFiles:
    """One sample of a written set, as the evaluation reads it back."""

    name: str
    image: Path
    truth: dict[str, Any]
    meta: dict[str, Any]


def read_samples(out_dir: Path) -> list[SampleFiles]:
    """The samples listed in `out_dir`'s manifest, with their truth and metadata."""
    manifest_path = out_dir / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SampleSetError(f"{out_dir} has no {MANIFEST}: not a generated sample set") from None
    except json.JSONDecodeError as exc:
        raise SampleSetError(f"{manifest_path} is not valid JSON: {exc}") from exc
    return [_read_entry(out_dir, entry) for entry in manifest["samples"]]


def _read_entry(out_dir: Path, entry: dict[str, Any]) -> SampleFiles:
    try:
        truth = json.loads((out_dir / entry["truth"]).read_text(encoding="utf-8"))
        meta = json.loads((out_dir / entry["meta"]).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SampleSetError(f"sample {entry['name']} in {out_dir} cannot be read: {exc}") from exc
    return SampleFiles(entry["name"], out_dir / entry["image"], truth, meta)


def _save_image(sample: Sample, path: Path) -> None:
    if sample.image_format == "pdf":
        # Fixed dates keep the file identical for the same seed.
        stamp = "D:20250101000000Z"
        sample.image.save(path, "PDF", resolution=_DPI, creationDate=stamp, modDate=stamp)
    elif sample.image_format == "jpg":
        # The pixels already carry the JPEG artefacts; a high quality keeps them as they are.
        sample.image.save(path, "JPEG", quality=95)
    else:
        sample.image.save(path, "PNG", compress_level=3)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _check_request(count: int, options: SampleOptions) -> None:
    if count < 1:
        raise SampleSetError(f"count must be at least 1, got {count}")
    for name in ("degraded_share", "pdf_share", "handwriting_share"):
        share = getattr(options, name)
        if not 0.0 <= share <= 1.0:
            raise SampleSetError(f"{name.replace('_', '-')} must be between 0 and 1, got {share}")


def _prepare_directory(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise SampleSetError(f"{out_dir} exists and is not a directory")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise SampleSetError(f"cannot write samples to {out_dir}: {exc.strerror or exc}") from exc
