"""Drug names -> the lexicon's generic name ("Dolo 650" -> "paracetamol")."""

from __future__ import annotations

import re

from scriptsensei.extraction.normalize.clinical import FORMULATIONS
from scriptsensei.extraction.normalize.text import normalize_text

_LEADING_FORM = re.compile(r"^\s*([a-z/]+)(?:\.\s*|\s+)", re.IGNORECASE)


def _without_formulation(text: str) -> str:
    m = _LEADING_FORM.match(text)
    if m and m[1].lower() in FORMULATIONS and len(text) > m.end():
        return text[m.end() :]
    return text


def normalize_drug_name(text: str | None) -> str | None:
    """The generic name when the lexicon knows the drug, else the folded name as written."""
    if not text or not text.strip():
        return None
    from scriptsensei.extraction.lexicon import find_drug_in_line, get_lexicon

    lexicon = get_lexicon()
    for name in (text, _without_formulation(text)):
        whole = lexicon.match(name)
        if whole is not None:
            return whole.canonical
    name = _without_formulation(text)
    span = find_drug_in_line(name, lexicon)
    return span.match.canonical if span else normalize_text(name)
