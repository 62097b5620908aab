"""The drug lexicon: exact and tolerant matching, and finding a name inside a line."""

from __future__ import annotations

import pytest

from scriptsensei.extraction.lexicon import (
    DrugLexicon,
    canonical_drug_name,
    find_drug_in_line,
    get_lexicon,
)
from scriptsensei.extraction.lexicon.matching import max_edits


@pytest.fixture(scope="module")
def lexicon() -> DrugLexicon:
    return get_lexicon()


def test_loads_both_sources(lexicon: DrugLexicon) -> None:
    # tens of thousands of names from the NER dictionary plus the bundled Indian list
    assert len(lexicon) > 50_000
    assert lexicon.exact("Dolo") is not None  # only in the Indian list
    assert lexicon.exact("abacavir") is not None  # only in the NER dictionary


def test_loaded_once_per_process() -> None:
    assert get_lexicon() is get_lexicon()


@pytest.mark.parametrize(
    ("brand", "generic"),
    [
        ("Dolo", "paracetamol"), ("Calpol", "paracetamol"), ("Augmentin", "amoxicillin and clavulanate"),
        ("Azithral", "azithromycin"), ("Pantocid", "pantoprazole"), ("Montair LC", "montelukast and levocetirizine"),
        ("Thyronorm", "levothyroxine"), ("Glycomet", "metformin"), ("Liv 52", "liv 52 (herbal)"),
        ("Electral", "oral rehydration salts"), ("Taxim-O", "cefixime"), ("Shelcal", "calcium and vitamin d3"),
    ],
)  # fmt: skip
def test_indian_brands_map_to_generics(lexicon: DrugLexicon, brand: str, generic: str) -> None:
    found = lexicon.match(brand)
    assert found is not None
    assert (found.canonical, found.score, found.is_brand) == (generic, 1.0, True)


def test_us_names_become_international_names(lexicon: DrugLexicon) -> None:
    assert canonical_drug_name("Albuterol") == "salbutamol"
    assert canonical_drug_name("acetaminophen") == "paracetamol"


@pytest.mark.parametrize(
    ("mangled", "generic"),
    [("Amoxicilin", "amoxicillin"), ("Pantopraz0le", "pantoprazole"), ("Azithromycn", "azithromycin"),
     ("Metf0rmin", "metformin"), ("Cetirizme", "cetirizine")],
)  # fmt: skip
def test_ocr_mangled_long_names_match_fuzzily(
    lexicon: DrugLexicon, mangled: str, generic: str
) -> None:
    found = lexicon.match(mangled)
    assert found is not None and found.canonical == generic
    assert 0.7 <= found.score < 1.0


@pytest.mark.parametrize("short", ["Pam", "Dola", "Mux", "Avik"])
def test_short_names_need_an_exact_match(lexicon: DrugLexicon, short: str) -> None:
    assert lexicon.match(short) is None


@pytest.mark.parametrize("word", ["Tablet", "daily", "after", "food", "Patient", "Review", "Fever"])
def test_prescription_words_are_not_drugs(lexicon: DrugLexicon, word: str) -> None:
    assert lexicon.match(word) is None


def test_edit_budget_grows_with_length() -> None:
    assert [max_edits(n) for n in (3, 4, 5, 7, 11)] == [0, 0, 1, 2, 3]


@pytest.mark.parametrize(
    ("line", "written", "generic"),
    [
        ("1. Tab. Dolo 650 mg 1-0-1 x 5 days", "Dolo 650", "paracetamol"),
        ("Cap Amoxicillin 500mg TDS", "Amoxicillin", "amoxicillin"),
        ("Syp. Ascoril LS 10 ml TDS", "Ascoril LS", "ambroxol, levosalbutamol and guaifenesin"),
        ("Tab Amoxicillin + Clavulanic acid 625 mg", "Amoxicillin + Clavulanic acid", "amoxicillin and clavulanate"),
    ],
)  # fmt: skip
def test_find_drug_in_line(lexicon: DrugLexicon, line: str, written: str, generic: str) -> None:
    span = find_drug_in_line(line, lexicon)
    assert span is not None
    assert span.text(line) == written
    assert span.match.canonical == generic


def test_find_drug_in_merged_and_mangled_text(lexicon: DrugLexicon) -> None:
    merged = find_drug_in_line("Tab.Pantoprazole40mg", lexicon)
    assert merged is not None and merged.match.canonical == "pantoprazole"
    mangled = find_drug_in_line("Cap. Amoxici11in 500 mg", lexicon)
    assert mangled is not None and mangled.match.canonical == "amoxicillin"
    assert mangled.text("Cap. Amoxici11in 500 mg") == "Amoxici11in"


def test_no_drug_in_line(lexicon: DrugLexicon) -> None:
    assert find_drug_in_line("Review after 5 days with reports", lexicon) is None
    assert find_drug_in_line("", lexicon) is None


def test_one_letter_suffix_read_as_a_digit(lexicon: DrugLexicon) -> None:
    found = lexicon.exact("Taxim-0")
    assert found is not None and found.canonical == "cefixime"
    assert found.score < 1.0
    assert lexicon.exact("Pan 40") is not None and lexicon.exact("Pan 4O") is None
