from __future__ import annotations

import pytest

from scriptsensei.extraction.lexicon import DrugLexicon, get_lexicon


@pytest.fixture(scope="session")
def lexicon() -> DrugLexicon:
    return get_lexicon()
