"""Pages photographed or scanned turned by a quarter or half turn.

OCR engines read such pages upright but report boxes on the page as given, so on a page
turned by 90 degrees a line of text is a tall, narrow box. The parser groups rows in the
reading frame (text running left to right, lines top to bottom) and maps boxes back to
the page for output.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

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


# Boxes whose edges are this close (fraction of the page) are aligned with each other.
ALIGNED = 0.004
# How many more left- than right-aligned pairs make a reading frame certain.
DECISIVE = 4


def _left_alignment(boxes: Sequence[Box], turn: int) -> int:
    """Pairs of lines sharing a left edge minus pairs sharing a right edge.

    Printed text hangs from a left margin (labels, list items, paragraphs), so in the right
    frame left edges line up; seen upside down, those same edges are right edges.
    """
    frames = [to_reading(b, turn) for b in boxes]
    left = right = 0
    for a, b in combinations(frames, 2):
        left += abs(a[0] - b[0]) < ALIGNED
        right += abs(a[2] - b[2]) < ALIGNED
    return left - right


def detect_turn(boxes: Sequence[Box], texts: Sequence[str]) -> int:
    """The turn of a page's text from its line boxes.

    Tall boxes mean a quarter turn; which way (and whether a page of wide boxes is upside
    down) is told by the margin the lines hang from. The engines' reading order is not
    used: an engine that misjudged the orientation returns its lines in reverse.
    """
    worded = [b for b, t in zip(boxes, texts, strict=True) if len(t.strip()) >= 4]
    if len(worded) < 3:
        return 0
    tall = sum(1 for b in worded if (b[3] - b[1]) > (b[2] - b[0]))
    upright, turned = (90, 270) if tall > len(worded) / 2 else (0, 180)
    score = _left_alignment(worded, upright)
    return turned if score <= -DECISIVE else upright
