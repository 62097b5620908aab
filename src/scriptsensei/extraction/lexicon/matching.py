"""Tolerant drug-name matching against the lexicon.

OCR mangles names ("Amoxici11in", "Pantocid" -> "Pantoc1d"), so matching allows a few
edits, but few enough that short names (Pan, Mox, Avil) must match exactly: one edit
turns a 3-letter brand into a different word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from scriptsensei.extraction.lexicon.sources import LexiconData
from scriptsensei.extraction.lexicon.stopwords import NOT_DRUGS

_KEY_CLEAN = re.compile(r"[^a-z0-9 +/&]")
_OCR_DIGITS = str.maketrans({"0": "o", "1": "l", "5": "s", "8": "b", "|": "l"})


_CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class DrugMatch:
    canonical: str  # generic name, lower case
    matched_text: str  # the lexicon variant that matched
    score: float  # 1.0 exact; lower for fuzzy matches
    is_brand: bool = False


def lexicon_key(text: str) -> str:
    """Lower-case, punctuation-free form used for lookups."""
    # "Taxim-O", "Taxim O" and "TAXIM.O" are one name
    return " ".join(_KEY_CLEAN.sub(" ", text.lower()).split())


def max_edits(length: int) -> int:
    if length <= 4:
        return 0
    if length <= 6:
        return 1
    return 2 if length <= 10 else 3


class DrugLexicon:
    def __init__(self, data: LexiconData) -> None:
        self._map = {lexicon_key(k): v for k, v in data.variant_to_canonical.items()}
        self._brands = frozenset(lexicon_key(b) for b in data.brands)
        # Fuzzy candidates are bucketed by length and by first and second letter: an OCR
        # error rarely hits both, and searching one bucket is ~20x faster than all names.
        self._buckets: dict[tuple[int, int, str], list[str]] = defaultdict(list)
        for variant in self._map:
            if " " not in variant and variant.isalpha() and variant not in NOT_DRUGS:
                self._buckets[(len(variant), 0, variant[0])].append(variant)
                self._buckets[(len(variant), 1, variant[1])].append(variant)
        self._fuzzy_cache: dict[tuple[str, str], DrugMatch | None] = {}

    def __len__(self) -> int:
        return len(self._map)

    def exact(self, text: str) -> DrugMatch | None:
        key = lexicon_key(text)
        if not key or key in NOT_DRUGS:
            return None
        if key in self._map:
            return DrugMatch(self._map[key], key, 1.0, key in self._brands)
        # a one-letter suffix read as a digit: "Taxim-0" is Taxim-O
        suffixed = " ".join(w.translate(_OCR_DIGITS) if len(w) == 1 else w for w in key.split())
        if suffixed != key and suffixed in self._map:
            return DrugMatch(self._map[suffixed], suffixed, 0.95, suffixed in self._brands)
        return None

    def match(self, text: str) -> DrugMatch | None:
        """Exact match first, then a fuzzy match within the length-dependent edit budget."""
        found = self.exact(text)
        if found is not None:
            return found
        key = lexicon_key(text)
        if " " in key or key in NOT_DRUGS:
            return None
        return self._fuzzy(key, key) or self._fuzzy(key.translate(_OCR_DIGITS), key)

    def _fuzzy(self, key: str, written: str) -> DrugMatch | None:
        if (key, written) not in self._fuzzy_cache:
            if len(self._fuzzy_cache) > _CACHE_LIMIT:  # a long-running worker stays bounded
                self._fuzzy_cache.clear()
            self._fuzzy_cache[(key, written)] = self._search(key, written)
        return self._fuzzy_cache[(key, written)]

    def _choices(self, key: str, budget: int) -> set[str]:
        choices: set[str] = set()
        for n in range(len(key) - budget, len(key) + budget + 1):
            choices.update(self._buckets.get((n, 0, key[0]), ()))
            choices.update(self._buckets.get((n, 1, key[1]), ()))
        return choices

    def _search(self, key: str, written: str) -> DrugMatch | None:
        budget = max_edits(len(key))
        if budget == 0 or not key.isalpha():
            return None
        choices = sorted(self._choices(key, budget))
        best = process.extractOne(key, choices, scorer=Levenshtein.distance, score_cutoff=budget)
        if best is None:
            return None
        variant = best[0]
        # scored against what was written, so a digit read for a letter still costs
        score = 1.0 - Levenshtein.distance(written, variant) / max(len(written), len(variant))
        return DrugMatch(self._map[variant], variant, round(score, 3), variant in self._brands)
