"""RapidOCR never downloads: the wheel's models are used by path, and it runs offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scriptsensei.extraction.ocr.rapid_models import MODEL_FILES, missing_models, model_paths
from tests.extraction.ocr.drawn import draw_page

NO_NETWORK = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network is blocked in this test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.getaddrinfo = refuse
socket.create_connection = refuse
from pathlib import Path
from PIL import Image
from scriptsensei.extraction.pages import encode_page
from scriptsensei.extraction.ocr import rapid_reader
lines = rapid_reader.read_page(encode_page(0, Image.open(sys.argv[1])))
print(len(lines), any("Paracetamol" in line.text for line in lines))
"""


def test_models_are_the_files_shipped_in_the_wheel() -> None:
    paths = model_paths()
    assert set(paths) == set(MODEL_FILES)
    for path in paths.values():
        assert path.is_file()
        assert "site-packages" in path.parts and "rapidocr" in path.parts


def test_missing_model_files_are_reported(tmp_path: Path) -> None:
    reason = missing_models({"Det": tmp_path / "det.onnx"})
    assert reason is not None and "det.onnx" in reason


def test_reads_a_page_with_the_network_blocked(tmp_path: Path) -> None:
    image = tmp_path / "page.png"
    draw_page().save(image)
    done = subprocess.run(
        [sys.executable, "-c", NO_NETWORK, str(image)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    count, found = done.stdout.split()
    assert int(count) >= 10 and found == "True"
