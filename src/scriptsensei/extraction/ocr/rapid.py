"""The `rapidocr` engine: RapidOCR 3 on onnxruntime with the models shipped in its wheel."""

from __future__ import annotations

import importlib.util

from scriptsensei.extraction.ocr.local_engine import LocalOcrEngine
from scriptsensei.extraction.ocr.rapid_models import missing_models, model_paths


class RapidOCREngine(LocalOcrEngine):
    name = "rapidocr"
    reader_module = "scriptsensei.extraction.ocr.rapid_reader"

    def missing(self) -> str | None:
        for package in ("rapidocr", "onnxruntime"):
            if importlib.util.find_spec(package) is None:
                return f"the Python package '{package}' is not installed"
        return missing_models(model_paths())
