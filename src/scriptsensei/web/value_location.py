"""Where a value appears on the page, for values whose engine did not say where it read them
(vision LLMs) and for the consensus: the value's words are looked for among the OCR lines
of the same processing run.

Words are compared folded (`normalize_text`: case, punctuation and spacing ignored). An
exact run of words wins; otherwise the closest run of about as many words, when similar
enough (a misread digit or a dropped letter). An OCR line's box is shared among its
characters, as the parser does for the OCR engines' own values, so a value inside a longer
line gets the part of the box its characters take.

A hint says near what the value is expected (where the OCR engine read the same field,
or the medication's drug name): places more than a few lines from it are not the value,
and of the others the nearest wins. With no hint, a value found in several places has no
answer: no box is better than a box on the wrong text. Boxes are in the lines' own units
(pixels of the page as uploaded).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from scriptsensei.extraction.normalize import normalize_text
from scriptsensei.extraction.ocr.lines import OcrLine

MIN_CHARS = 2  # a lone letter or digit is everywhere on a page
FUZZY_MIN_CHARS = 4  # shorter values must match exactly
FUZZY_MIN_SCORE = 80.0  # rapidfuzz ratio, 0..100
EXACT_SCORE = 100.0
ROW_OVERLAP = 0.5  # two lines share a row when they overlap by this share of the shorter
TALL_LINE = 2.0  # a line this many times taller than wide runs down a turned page
ROW_WEIGHT = 4.0  # in distances to a hint, a row apart counts more than a column apart
NEAR_LINES = 3.0  # how far from a hint, in line heights, the value may be

_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Box:
    page: int  # 0-based
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    def overlaps(self, other: Box) -> bool:
        return (
            self.page == other.page
            and min(self.x1, other.x1) > max(self.x0, other.x0)
            and min(self.y1, other.y1) > max(self.y0, other.y0)
        )


@dataclass(frozen=True)
class Found:
    box: Box
    score: float  # 100 for the exact words


@dataclass(frozen=True)
class _Word:
    text: str  # folded
    box: Box


def value_words(value: str | None) -> list[str]:
    """The folded words of a value: `"Tab. Amoxicillin 625mg"` -> tab, amoxicillin, 625mg."""
    return _WORD.findall(normalize_text(value) or "")


def lines_from_raw(raw_output: Any) -> list[OcrLine]:
    """The OCR lines an OCR engine stored with its run (`{"lines": [...]}`); malformed
    entries are skipped, and anything else (an LLM's reply) gives none."""
    entries = raw_output.get("lines") if isinstance(raw_output, Mapping) else None
    if not isinstance(entries, list):
        return []
    lines = []
    for entry in entries:
        line = _line(entry)
        if line is not None:
            lines.append(line)
    return lines


def _line(entry: Any) -> OcrLine | None:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("text"), str):
        return None
    x0, y0, x1, y1 = (_number(entry.get(k)) for k in ("x0", "y0", "x1", "y1"))
    page = entry.get("page", 0)
    if x0 is None or y0 is None or x1 is None or y1 is None or x1 <= x0 or y1 <= y0:
        return None
    if not isinstance(page, int) or isinstance(page, bool):
        return None
    return OcrLine(entry["text"], _number(entry.get("confidence")) or 0.0, page, x0, y0, x1, y1)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def reading_order(lines: Iterable[OcrLine]) -> list[OcrLine]:
    """Page by page, top to bottom; lines side by side in a row (boxes of one line that
    the OCR split, label and value in two columns) left to right."""
    ordered: list[OcrLine] = []
    by_page: dict[int, list[OcrLine]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    for page in sorted(by_page):
        rows: list[list[OcrLine]] = []
        for line in sorted(by_page[page], key=lambda ln: (ln.y0 + ln.y1) / 2):
            if rows and _same_row(rows[-1][-1], line):
                rows[-1].append(line)
            else:
                rows.append([line])
        for row in rows:
            ordered.extend(sorted(row, key=lambda ln: ln.x0))
    return ordered


def _same_row(a: OcrLine, b: OcrLine) -> bool:
    shared = min(a.y1, b.y1) - max(a.y0, b.y0)
    return shared >= ROW_OVERLAP * min(a.y1 - a.y0, b.y1 - b.y0)


def _words_of(line: OcrLine) -> list[_Word]:
    """Each folded word with its share of the line's box (the whole box for a line that
    runs down the page: which end it starts from is not known here)."""
    length = max(len(line.text), 1)
    width, height = line.x1 - line.x0, line.y1 - line.y0
    tall = height > TALL_LINE * width and len(line.text.strip()) > 1
    words = []
    for token in _TOKEN.finditer(line.text):
        if tall:
            box = Box(line.page, line.x0, line.y0, line.x1, line.y1)
        else:
            x0 = line.x0 + width * token.start() / length
            x1 = line.x0 + width * token.end() / length
            box = Box(line.page, x0, line.y0, x1, line.y1)
        words += [_Word(text, box) for text in value_words(token.group())]
    return words


def _union(words: Sequence[_Word]) -> Box:
    return Box(
        words[0].box.page,
        min(w.box.x0 for w in words),
        min(w.box.y0 for w in words),
        max(w.box.x1 for w in words),
        max(w.box.y1 for w in words),
    )


def _distance(box: Box, near: Box) -> float:
    (x, y), (nx, ny) = box.center, near.center
    return ROW_WEIGHT * abs(y - ny) + abs(x - nx)


def _within_reach(box: Box, near: Box) -> bool:
    line_height = max(box.y1 - box.y0, near.y1 - near.y0)
    return box.page == near.page and abs(box.center[1] - near.center[1]) <= NEAR_LINES * line_height


class _PageText:
    """One page's words in reading order, joined by single spaces for searching."""

    def __init__(self, words: list[_Word]) -> None:
        self.words = words
        self.text = " ".join(w.text for w in words)
        self._starts: list[int] = []
        position = 0
        for word in words:
            self._starts.append(position)
            position += len(word.text) + 1
        self._windows: dict[int, list[str]] = {}

    def exact(self, target: str) -> list[Box]:
        """Every place the target's words occur as whole words, in reading order."""
        found, padded, needle = [], f" {self.text} ", f" {target} "
        at = padded.find(needle)
        while at >= 0:
            first = bisect_right(self._starts, at) - 1
            count = target.count(" ") + 1
            found.append(_union(self.words[first : first + count]))
            at = padded.find(needle, at + 1)
        return found

    def closest(self, target: str, count: int) -> tuple[float, list[Box]]:
        """The best ratio of any run of count-1..count+1 words, with every run scoring it."""
        best, boxes = 0.0, []
        for size in range(max(1, count - 1), count + 2):
            runs = self._runs(size)
            if not runs:
                continue
            matches = process.extract(
                target, runs, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_SCORE, limit=None
            )
            for _, score, start in matches:
                box = _union(self.words[start : start + size])
                if score > best:
                    best, boxes = score, [box]
                elif score == best:
                    boxes.append(box)
        return best, boxes

    def _runs(self, size: int) -> list[str]:
        if size not in self._windows:
            texts = [w.text for w in self.words]
            self._windows[size] = [
                " ".join(texts[i : i + size]) for i in range(len(texts) - size + 1)
            ]
        return self._windows[size]


class LineIndex:
    """The words of one OCR engine's lines, ready to be searched for many values."""

    def __init__(self, lines: Sequence[OcrLine]) -> None:
        by_page: dict[int, list[_Word]] = {}
        for line in reading_order(lines):
            by_page.setdefault(line.page, []).extend(_words_of(line))
        self._pages = [_PageText(words) for _, words in sorted(by_page.items()) if words]
        self._cache: dict[str, tuple[float, list[Box]]] = {}

    def find(self, value: str | None, near: Box | None = None) -> Found | None:
        """Where `value` is written, or None: not found, not within reach of the hint, or
        found in several places and no hint to tell them apart."""
        target = " ".join(value_words(value))
        if len(target) < MIN_CHARS:
            return None
        if target not in self._cache:
            self._cache[target] = self._places(target)
        score, boxes = self._cache[target]
        box = _choose(boxes, near)
        return Found(box, score) if box is not None else None

    def _places(self, target: str) -> tuple[float, list[Box]]:
        exact = [box for page in self._pages for box in page.exact(target)]
        if exact or len(target) < FUZZY_MIN_CHARS:
            return EXACT_SCORE, exact
        count = target.count(" ") + 1
        best, boxes = 0.0, []
        for page in self._pages:
            score, found = page.closest(target, count)
            if score > best:
                best, boxes = score, found
            elif score == best:
                boxes += found
        return best, boxes


def _choose(boxes: list[Box], near: Box | None) -> Box | None:
    places: list[Box] = []
    for box in boxes:  # overlapping runs (a word more or less) are one place
        if not any(box.overlaps(kept) for kept in places):
            places.append(box)
    if near is not None:
        places = [box for box in places if _within_reach(box, near)]
        return min(places, key=lambda box: _distance(box, near)) if places else None
    return places[0] if len(places) == 1 else None


def locate(value: str | None, lines: Sequence[OcrLine], near: Box | None = None) -> Box | None:
    """Where `value` appears among `lines`, or None (see `LineIndex.find`)."""
    found = LineIndex(lines).find(value, near)
    return found.box if found else None
