"""Drug lexicon: canonical generic names for drug names and brands as written."""

from __future__ import annotations

from functools import cache

from scriptsensei.extraction.lexicon.matching import DrugLexicon, DrugMatch, lexicon_key
from scriptsensei.extraction.lexicon.sources import load_lexicon_data
from scriptsensei.extraction.lexicon.spans import DrugSpan, find_drug_in_line

__all__ = [
    "DrugLexicon",
    "DrugMatch",
    "DrugSpan",
    "canonical_drug_name",
    "find_drug_in_line",
    "get_lexicon",
    "lexicon_key",
]


@cache
def get_lexicon() -> DrugLexicon:
    """The process-wide lexicon, loaded on first use (about a second)."""
    return DrugLexicon(load_lexicon_data())


def canonical_drug_name(text: str) -> str | None:
    """Generic name for a drug name as written, or None when the lexicon does not know it."""
    found = get_lexicon().match(text)
    return found.canonical if found else None
