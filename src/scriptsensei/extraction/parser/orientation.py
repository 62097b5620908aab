"""Pages photographed or scanned turned by a quarter or half turn.

OCR engines read such pages upright but report boxes on the page as given, so on a page
turned by 90 degrees a line of text is a tall, narrow box. The parser groups rows in the
reading frame (text running left to right, lines top to bottom) and maps boxes back to
the page for output. Which of the turns is right is told by the engine's own reading
order: in the right frame, successive lines mostly go down the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the page
TURNS = (0, 90, 180, 270)


def to_reading(box: Box, turn: int) -> Box:
    """Page fractions -> reading-frame fractions for a page whose text is turned `turn`."""
    x0, y0, x1, y1 = box
    if turn == 90:  # text runs bottom to top
        return 1 - y1, x0, 1 - y0, x1
    if turn == 180:
        return 1 - x1, 1 - y1, 1 - x0, 1 - y0
    if turn == 270:  # text runs top to bottom
        return y0, 1 - x1, y1, 1 - x0
    return box


def to_page(box: Box, turn: int) -> Box:
    """Reading-frame fractions -> page fractions (the inverse of `to_reading`)."""
    x0, y0, x1, y1 = box
    if turn == 90:
        return y0, 1 - x1, y1, 1 - x0
    if turn == 180:
        return 1 - x1, 1 - y1, 1 - x0, 1 - y0
    if turn == 270:
        return 1 - y1, x0, 1 - y0, x1
    return box


def _order_agreement(boxes: Sequence[Box], turn: int) -> float:
    """Share of successive lines (in the engine's order) that go down or along a row."""
    frames = [to_reading(b, turn) for b in boxes]
    agree = 0
    for a, b in pairwise(frames):
        height = max(a[3] - a[1], 1e-6)
        down = (b[1] + b[3]) / 2 - (a[1] + a[3]) / 2
        agree += down > height * 0.5 or (abs(down) <= height * 0.5 and b[0] > a[0])
    return agree / max(len(frames) - 1, 1)


def detect_turn(boxes: Sequence[Box], texts: Sequence[str]) -> int:
    """The turn of a page's text from its line boxes (in the engine's reading order)."""
    worded = [b for b, t in zip(boxes, texts, strict=True) if len(t.strip()) >= 4]
    if len(worded) < 3:
        return 0
    tall = sum(1 for b in worded if (b[3] - b[1]) > (b[2] - b[0]))
    candidates = (90, 270) if tall > len(worded) / 2 else (0, 180)
    scores = {turn: _order_agreement(worded, turn) for turn in candidates}
    best = max(candidates, key=lambda turn: scores[turn])
    # upright unless the other reading is clearly better
    return best if scores[best] > scores[candidates[0]] + 0.1 else candidates[0]
