"""Where in a line of text a drug name is written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scriptsensei.extraction.lexicon.matching import DrugMatch

if TYPE_CHECKING:
    from scriptsensei.extraction.lexicon.matching import DrugLexicon

# Letters and digits are split apart so that merged OCR tokens ("Tab.Dolo650") still
# yield the words "Tab", "Dolo", "650".
_WORD = re.compile(r"[^\W\d_]+|\d+(?:\.\d+)?")
_MAX_WORDS = 4
# For fuzzy matching a word may carry OCR digit confusions (Amoxici11in) or a merged
# strength (Dolo650, dropped below).
_FUZZY_WORD = re.compile(r"[A-Za-z][A-Za-z0-9|]{3,}")
_TRAILING_NUMBER = re.compile(r"\d{2,}$")


@dataclass(frozen=True)
class DrugSpan:
    start: int  # character offsets in the line
    end: int
    match: DrugMatch

    def text(self, line: str) -> str:
        return line[self.start : self.end]


def _candidates(line: str) -> list[tuple[int, int, str]]:
    """Every run of up to _MAX_WORDS words that starts with a letter: (start, end, text)."""
    words = list(_WORD.finditer(line))
    runs = []
    for i, first in enumerate(words):
        if not first[0][0].isalpha():
            continue
        for j in range(min(len(words), i + _MAX_WORDS) - 1, i - 1, -1):
            runs.append((first.start(), words[j].end(), line[first.start() : words[j].end()]))
    return runs


def find_drug_in_line(line: str, lexicon: DrugLexicon | None = None) -> DrugSpan | None:
    """The earliest exact (longest) drug name in `line`, else its best fuzzy single word."""
    if lexicon is None:
        from scriptsensei.extraction.lexicon import get_lexicon

        lexicon = get_lexicon()
    runs = _candidates(line)
    for start, end, text in runs:
        exact = lexicon.exact(text)
        if exact is not None:
            return DrugSpan(start, end, exact)
    best: DrugSpan | None = None
    for word in _FUZZY_WORD.finditer(line):
        text = _TRAILING_NUMBER.sub("", word[0])
        start, end = word.start(), word.start() + len(text)
        fuzzy = lexicon.match(text)
        if fuzzy is not None and (best is None or fuzzy.score > best.match.score):
            best = DrugSpan(start, end, fuzzy)
    return best
