"""Medication lines in the ways prescribers write them and OCR returns them."""

from __future__ import annotations

import pytest

from scriptsensei.extraction.lexicon import DrugLexicon
from scriptsensei.extraction.ocr.lines import OcrLine
from scriptsensei.extraction.parser.layout import build_rows
from scriptsensei.extraction.parser.medications import find_medications
from scriptsensei.extraction.parser.tokens import repair
from tests.extraction.parser.factories import PAGE, create_line


def _meds(lines: list[OcrLine], lexicon: DrugLexicon) -> list[dict[str, str]]:
    entries = find_medications(build_rows(lines, [PAGE]), lexicon, set())
    return [{k: f.value for k, f in e.fields.items()} for e in entries]


@pytest.mark.parametrize(
    ("merged", "repaired"),
    [
        ("Tab.Dolo650mg", "Tab. Dolo 650mg"),
        ("1-0-1x5days", "1-0-1 x 5 days"),
        ("Cap Amoxicillin 500 mg | TDS | x 7 days", "Cap Amoxicillin 500 mg TDS x 7 days"),
        ("Syp Calpol 250 mg/5 mI 0D", "Syp Calpol 250 mg/5 ml OD"),
    ],
)
def test_merged_ocr_tokens_are_split(merged: str, repaired: str) -> None:
    assert repair(merged) == repaired


def test_merged_one_line_entry(lexicon: DrugLexicon) -> None:
    meds = _meds([create_line("1. Tab.Dolo650mg 1-0-1x5days(after food)", 50, 100)], lexicon)
    assert meds == [
        {
            "formulation": "Tab",
            "drugName": "Dolo",
            "strength": "650mg",
            "frequency": "1-0-1",
            "duration": "5 days",
            "specialInstructions": "after food",
        }
    ]


@pytest.mark.parametrize("separator", ["  ", " - ", "  |  ", "; "])
def test_one_line_entries_with_any_separator(lexicon: DrugLexicon, separator: str) -> None:
    text = separator.join(["2. Cap. Amoxicillin 500 mg", "TDS", "x 7 days", "after meals"])
    meds = _meds([create_line(text, 50, 100)], lexicon)
    assert len(meds) == 1
    assert (meds[0]["drugName"], meds[0]["strength"], meds[0]["frequency"]) == (
        "Amoxicillin", "500 mg", "TDS",
    )  # fmt: skip
    assert (meds[0]["duration"], meds[0]["specialInstructions"]) == ("7 days", "after meals")


@pytest.mark.parametrize("marker", ["1. ", "1) ", "• ", "- ", "* ", ""])
def test_list_markers_are_not_part_of_the_entry(lexicon: DrugLexicon, marker: str) -> None:
    meds = _meds([create_line(f"{marker}Tab Pan 40 mg OD before breakfast", 50, 100)], lexicon)
    assert meds[0]["drugName"] == "Pan"
    assert meds[0]["formulation"] == "Tab"
    assert meds[0]["frequency"] == "OD"
    assert meds[0]["specialInstructions"] == "before breakfast"


def test_two_line_entry_with_dose_line(lexicon: DrugLexicon) -> None:
    lines = [
        create_line("1. Syp. Ascoril LS", 50, 100),
        create_line("10 ml TDS x 5 days", 80, 130),
        create_line("2. TAB Telmisartan 40 mg", 50, 170),
        create_line("1 tablet HS x 2 weeks", 80, 200),
    ]
    meds = _meds(lines, lexicon)
    assert [(m["drugName"], m.get("strength"), m["frequency"], m["duration"]) for m in meds] == [
        ("Ascoril LS", None, "TDS", "5 days"),
        ("Telmisartan", "40 mg", "HS", "2 weeks"),
    ]


def test_misspelt_dose_line_continues_the_entry(lexicon: DrugLexicon) -> None:
    lines = [
        create_line("Amaryl 2 mg tablet", 50, 100),
        create_line("1 tablet Oraj once daily for 10 days", 80, 130),
    ]
    (med,) = _meds(lines, lexicon)
    assert (med["frequency"], med["duration"]) == ("once daily", "10 days")


def test_western_entry_with_route_and_form_after_the_name(lexicon: DrugLexicon) -> None:
    lines = [
        create_line("Azithromycin 500 mg tablet", 50, 100),
        create_line("Take 1 tab by mouth once daily for 3 days, empty stomach", 80, 130),
    ]
    (med,) = _meds(lines, lexicon)
    assert med == {
        "drugName": "Azithromycin",
        "strength": "500 mg",
        "formulation": "tablet",
        "route": "by mouth",
        "frequency": "once daily",
        "duration": "3 days",
        "specialInstructions": "empty stomach",
    }


def test_table_rows_with_empty_cells(lexicon: DrugLexicon) -> None:
    lines = [
        create_line("# Medicine Route Frequency Duration Instructions", 50, 100),
        create_line("1 Inj Pantoprazole 40 mg IM STAT 2 weeks after test dose", 50, 140),
        create_line("2 Sachet ORS PO BD - -", 50, 180),
        create_line("3 Gel Clotrimazole 1% Local OD 1 week apply on affected area", 50, 220),
    ]
    rows = build_rows(lines, [PAGE])
    meds = [{k: f.value for k, f in e.fields.items()} for e in find_medications(rows, lexicon, {0})]
    assert [m["drugName"] for m in meds] == ["Pantoprazole", "ORS", "Clotrimazole"]
    assert [m.get("route") for m in meds] == ["IM", "PO", "Local"]
    assert [m.get("frequency") for m in meds] == ["STAT", "BD", "OD"]
    assert [m.get("duration") for m in meds] == ["2 weeks", None, "1 week"]
    assert meds[0]["specialInstructions"] == "after test dose"
    assert "specialInstructions" not in meds[1]


def test_table_cells_as_separate_boxes(lexicon: DrugLexicon) -> None:
    cells = [
        ("1", 50),
        ("Tab. Dolo 650 mg", 90),
        ("PO", 400),
        ("1-0-1", 500),
        ("5 days", 620),
        ("after food", 760),
    ]
    (med,) = _meds([create_line(t, x, 100) for t, x in cells], lexicon)
    assert (med["drugName"], med["route"], med["frequency"], med["duration"]) == (
        "Dolo",
        "PO",
        "1-0-1",
        "5 days",
    )
    assert med["specialInstructions"] == "after food"


def test_ocr_mangled_drug_name_is_given_in_lexicon_spelling(lexicon: DrugLexicon) -> None:
    (med,) = _meds([create_line("Tab. Metoprolo! 50 mg Oral 1-0-0 1 week", 50, 100)], lexicon)
    assert med["drugName"] == "Metoprolol"
    (exact,) = _meds([create_line("Tab. Metoprolol 50 mg 1-0-0", 50, 100)], lexicon)
    assert exact["drugName"] == "Metoprolol"


def test_unknown_drug_after_a_form_is_still_a_medication(lexicon: DrugLexicon) -> None:
    (med,) = _meds([create_line("Tab. Qwertazolex 20 mg BD x 5 days", 50, 100)], lexicon)
    assert (med["drugName"], med["strength"], med["frequency"]) == ("Qwertazolex", "20 mg", "BD")


def test_unknown_drug_confidence_is_lower_than_a_known_one(lexicon: DrugLexicon) -> None:
    rows = build_rows(
        [
            create_line("Tab. Qwertazolex 20 mg BD", 50, 100),
            create_line("Tab. Pantoprazole 40 mg BD", 50, 160),
        ],
        [PAGE],
    )
    unknown, known = find_medications(rows, lexicon, set())
    assert unknown.fields["drugName"].confidence < known.fields["drugName"].confidence


@pytest.mark.parametrize(
    "text",
    [
        "Allergies: Penicillin",
        "Review after 5 days",
        "Advice: Drink plenty of fluids",
        "1 tab OD x 5 days",
        "Please bring this prescription on your next visit.",
        "~ N~/ /\\fX/",
    ],
)
def test_lines_that_are_not_medications(lexicon: DrugLexicon, text: str) -> None:
    assert _meds([create_line(text, 50, 100)], lexicon) == []


def test_known_drug_without_form_needs_a_strength_or_schedule(lexicon: DrugLexicon) -> None:
    assert _meds([create_line("Paracetamol", 50, 100)], lexicon) == []
    assert len(_meds([create_line("Paracetamol 500 mg SOS", 50, 100)], lexicon)) == 1


def test_medication_boxes_point_at_their_words(lexicon: DrugLexicon) -> None:
    rows = build_rows([create_line("Tab. Dolo 650 mg BD", 100, 200)], [PAGE])
    (entry,) = find_medications(rows, lexicon, set())
    drug, frequency = entry.fields["drugName"], entry.fields["frequency"]
    assert drug.bbox is not None and frequency.bbox is not None
    assert drug.bbox.x1 <= frequency.bbox.x0
    assert drug.bbox.y0 == pytest.approx(200 / 1400, abs=1e-3)
