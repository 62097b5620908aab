"""Slightly skewed photos: the boxes of one printed row drift up or down across the page,
so a table cell on the right can overlap the next row more than its own. The drift is
measured from boxes side by side on one row and sheared out before rows are grouped."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations
from statistics import median
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scriptsensei.extraction.parser.layout import Segment

# Below this drift (height per page width, about a quarter of a degree) rows are left alone.
MIN_SLOPE = 0.004
MIN_PAIRS = 3
# The pairs must agree: a photo taken at an angle (perspective) drifts differently across
# the page, and one shear for all of it would make things worse.
MAX_SPREAD = 0.35  # median absolute deviation of the pairs' drifts / their median


def _center_x(segment: Segment) -> float:
    return (segment.x0 + segment.x1) / 2


def row_slope(segments: list[Segment]) -> float:
    """Median drift of pairs of boxes that sit side by side, apart, on about one row (0 when
    too few pairs or when they disagree)."""
    slopes = []
    for a, b in combinations(segments, 2):
        left, right = (a, b) if a.x0 <= b.x0 else (b, a)
        if right.x0 - left.x1 < 0.02:
            continue
        rise = right.center_y - left.center_y
        if abs(rise) < min(left.height, right.height) * 0.9:
            slopes.append(rise / (_center_x(right) - _center_x(left)))
    if len(slopes) < MIN_PAIRS:
        return 0.0
    middle = median(slopes)
    spread = median(abs(x - middle) for x in slopes)
    return middle if spread <= MAX_SPREAD * abs(middle) else 0.0


def deskew(segments: list[Segment]) -> list[Segment]:
    slope = row_slope(segments)
    if abs(slope) < MIN_SLOPE:
        return segments
    return [_sheared(s, slope) for s in segments]


def _sheared(segment: Segment, slope: float) -> Segment:
    shift = slope * (_center_x(segment) - 0.5)
    return replace(segment, y0=segment.y0 - shift, y1=segment.y1 - shift, shear=slope)
