"""Where the RapidOCR models shipped in the rapidocr wheel are.

RapidOCR downloads a model whenever it is not given a path; the engine always passes
these paths, so no download can be attempted. Located without importing rapidocr, so
checking availability does not load onnxruntime into the web process.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

MODEL_FILES = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
}


def model_dir() -> Path | None:
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def model_paths() -> dict[str, Path]:
    """Stage (Det, Cls, Rec) -> model file; raises LookupError when rapidocr is absent."""
    directory = model_dir()
    if directory is None:
        raise LookupError("the Python package 'rapidocr' is not installed")
    return {stage: directory / name for stage, name in MODEL_FILES.items()}


def missing_models(paths: dict[str, Path]) -> str | None:
    absent = [str(path) for path in paths.values() if not path.is_file()]
    if absent:
        return f"RapidOCR model files missing: {', '.join(absent)} (reinstall 'rapidocr')"
    return None
