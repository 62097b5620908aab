"""Drugs that synthetic prescriptions draw from: Indian brands and generics with the
strengths they are really sold in, and the ways each form is dosed.

A strength of None means the product is prescribed by name alone (`Tab. Becosules`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Drug:
    name: str
    form: str  # key of FORMS
    strengths: tuple[str | None, ...]


@dataclass(frozen=True)
class Form:
    """How one dosage form is written and taken."""

    printed: tuple[str, ...]  # abbreviations and words a prescriber writes before the name
    doses: tuple[str, ...]  # amount per intake, printed but not a field of the shape
    western: str  # the word a Western note puts after the strength
    routes: tuple[str, ...]
    frequencies: tuple[str, ...]
    instructions: tuple[str, ...]


_ORAL_FREQUENCIES = (
    "OD", "BD", "TDS", "QID", "HS", "SOS", "1-0-1", "1-1-1", "1-0-0", "0-0-1", "1-1-0",
    "0-1-0", "1-0-1", "BD", "TDS",
)  # fmt: skip
_ORAL_INSTRUCTIONS = (
    "after food", "before food", "after meals", "before breakfast", "empty stomach",
    "at bedtime", "with water", "after breakfast", "with milk", "after dinner",
)  # fmt: skip

FORMS: dict[str, Form] = {
    "tablet": Form(
        ("Tab.", "Tab", "TAB"), ("1 tab", "1 tablet"), "tablet", ("Oral", "PO", "by mouth"),
        _ORAL_FREQUENCIES, _ORAL_INSTRUCTIONS,
    ),
    "capsule": Form(
        ("Cap.", "Cap", "CAP"), ("1 cap", "1 capsule"), "capsule", ("Oral", "PO", "by mouth"),
        _ORAL_FREQUENCIES, _ORAL_INSTRUCTIONS,
    ),
    "syrup": Form(
        ("Syp.", "Syp", "Syr."), ("5 ml", "10 ml", "2.5 ml"), "syrup", ("Oral", "PO"),
        ("TDS", "BD", "SOS", "QID", "HS", "1-1-1", "1-0-1"),
        ("after food", "before food", "shake well before use", "at bedtime"),
    ),
    "injection": Form(
        ("Inj.", "Inj", "INJ"), ("1 vial", "1 amp"), "injection", ("IV", "IM", "SC"),
        ("STAT", "OD", "BD", "TDS", "SOS"),
        ("slow IV", "after test dose", "in 100 ml NS", "deep IM"),
    ),
    "ointment": Form(
        ("Oint.", "Oint", "Cream", "Gel"), ("thin layer",), "ointment", ("Topical", "Local application", "L/A"),
        ("BD", "TDS", "OD", "HS", "twice daily"),
        ("apply on affected area", "apply thin layer", "external use only", "massage gently"),
    ),
    "drops": Form(
        ("Drops", "E/D", "Eye drops"), ("1 drop", "2 drops"), "drops", ("Eye", "both eyes", "Ear"),
        ("QID", "TDS", "BD", "every 4 hours", "1-1-1-1"),
        ("in both eyes", "in affected eye", "in right ear", "shake well before use"),
    ),
    "inhaler": Form(
        ("Inhaler", "MDI", "Rotacap"), ("2 puffs", "1 puff"), "inhaler", ("Inhalation", "Inhaled"),
        ("BD", "SOS", "OD", "PRN", "TDS"),
        ("rinse mouth after use", "with spacer", "when breathless"),
    ),
    "sachet": Form(
        ("Sachet", "Sach.", "Pwd."), ("1 sachet",), "sachet", ("Oral", "PO"),
        ("OD", "BD", "once a week", "SOS"),
        ("in 1 glass of water", "mix in 200 ml water", "after each loose stool", "with milk"),
    ),
}  # fmt: skip

# Western notes spell the schedule out in words.
WESTERN_FREQUENCIES = (
    "once daily", "twice daily", "three times daily", "four times a day", "at bedtime",
    "every 8 hours", "every 12 hours", "as needed", "every morning", "twice a day",
)  # fmt: skip

DURATIONS = (
    "3 days", "5 days", "7 days", "10 days", "14 days", "15 days", "1 week", "2 weeks",
    "1 month", "3 months", "5 days", "5 days", "7 days", "30 days",
)  # fmt: skip

DRUGS: tuple[Drug, ...] = (
    Drug("Dolo", "tablet", ("650 mg",)),
    Drug("Crocin", "tablet", ("500 mg", "650 mg")),
    Drug("Calpol", "tablet", ("500 mg", "650 mg")),
    Drug("Paracetamol", "tablet", ("500 mg", "650 mg")),
    Drug("Azithromycin", "tablet", ("250 mg", "500 mg")),
    Drug("Azithral", "tablet", ("500 mg",)),
    Drug("Azee", "tablet", ("500 mg",)),
    Drug("Pantoprazole", "tablet", ("40 mg",)),
    Drug("Pantocid", "tablet", ("40 mg",)),
    Drug("Pan", "tablet", ("40 mg",)),
    Drug("Amoxicillin + Clavulanic acid", "tablet", ("625 mg",)),
    Drug("Augmentin", "tablet", ("625 mg",)),
    Drug("Moxikind-CV", "tablet", ("625 mg",)),
    Drug("Amoxicillin", "capsule", ("250 mg", "500 mg")),
    Drug("Mox", "capsule", ("500 mg",)),
    Drug("Cetirizine", "tablet", ("10 mg",)),
    Drug("Okacet", "tablet", ("10 mg",)),
    Drug("Levocetirizine", "tablet", ("5 mg",)),
    Drug("Montair LC", "tablet", (None,)),
    Drug("Metformin", "tablet", ("500 mg", "850 mg", "1000 mg")),
    Drug("Glycomet", "tablet", ("500 mg", "1 g")),
    Drug("Glimepiride", "tablet", ("1 mg", "2 mg")),
    Drug("Amaryl", "tablet", ("1 mg", "2 mg")),
    Drug("Amlodipine", "tablet", ("5 mg", "10 mg")),
    Drug("Amlong", "tablet", ("5 mg",)),
    Drug("Telmisartan", "tablet", ("40 mg", "80 mg")),
    Drug("Telma", "tablet", ("40 mg",)),
    Drug("Atorvastatin", "tablet", ("10 mg", "20 mg", "40 mg")),
    Drug("Atorva", "tablet", ("10 mg", "20 mg")),
    Drug("Rosuvastatin", "tablet", ("10 mg", "20 mg")),
    Drug("Losartan", "tablet", ("25 mg", "50 mg")),
    Drug("Metoprolol", "tablet", ("25 mg", "50 mg")),
    Drug("Omeprazole", "capsule", ("20 mg",)),
    Drug("Omez", "capsule", ("20 mg",)),
    Drug("Rabeprazole", "tablet", ("20 mg",)),
    Drug("Razo", "tablet", ("20 mg",)),
    Drug("Esomeprazole", "tablet", ("40 mg",)),
    Drug("Ondansetron", "tablet", ("4 mg", "8 mg")),
    Drug("Emeset", "tablet", ("4 mg",)),
    Drug("Domperidone", "tablet", ("10 mg",)),
    Drug("Ibuprofen", "tablet", ("200 mg", "400 mg")),
    Drug("Brufen", "tablet", ("400 mg",)),
    Drug("Diclofenac", "tablet", ("50 mg",)),
    Drug("Voveran", "tablet", ("50 mg",)),
    Drug("Combiflam", "tablet", (None,)),
    Drug("Zerodol-P", "tablet", (None,)),
    Drug("Ciprofloxacin", "tablet", ("250 mg", "500 mg")),
    Drug("Ciplox", "tablet", ("500 mg",)),
    Drug("Ofloxacin", "tablet", ("200 mg",)),
    Drug("Levofloxacin", "tablet", ("500 mg", "750 mg")),
    Drug("Doxycycline", "capsule", ("100 mg",)),
    Drug("Cefixime", "tablet", ("200 mg",)),
    Drug("Taxim-O", "tablet", ("200 mg",)),
    Drug("Cefuroxime", "tablet", ("250 mg", "500 mg")),
    Drug("Metronidazole", "tablet", ("400 mg",)),
    Drug("Flagyl", "tablet", ("400 mg",)),
    Drug("Nitrofurantoin", "capsule", ("100 mg",)),
    Drug("Shelcal", "tablet", ("500 mg",)),
    Drug("Becosules", "capsule", (None,)),
    Drug("Neurobion Forte", "tablet", (None,)),
    Drug("Cholecalciferol", "capsule", ("60000 IU",)),
    Drug("Folic acid", "tablet", ("5 mg",)),
    Drug("Limcee", "tablet", ("500 mg",)),
    Drug("Levothyroxine", "tablet", ("25 mcg", "50 mcg", "100 mcg")),
    Drug("Thyronorm", "tablet", ("50 mcg", "75 mcg")),
    Drug("Prednisolone", "tablet", ("5 mg", "10 mg", "20 mg")),
    Drug("Wysolone", "tablet", ("10 mg",)),
    Drug("Sertraline", "tablet", ("50 mg",)),
    Drug("Lisinopril", "tablet", ("5 mg", "10 mg")),
    Drug("Clopidogrel", "tablet", ("75 mg",)),
    Drug("Aspirin", "tablet", ("75 mg", "150 mg")),
    Drug("Ecosprin", "tablet", ("75 mg",)),
    Drug("Ascoril LS", "syrup", (None,)),
    Drug("Benadryl", "syrup", (None,)),
    Drug("Grilinctus", "syrup", (None,)),
    Drug("Amoxicillin", "syrup", ("125 mg/5 ml", "250 mg/5 ml")),
    Drug("Paracetamol", "syrup", ("120 mg/5 ml", "250 mg/5 ml")),
    Drug("Calpol", "syrup", ("250 mg/5 ml",)),
    Drug("Cetirizine", "syrup", ("5 mg/5 ml",)),
    Drug("Duphalac", "syrup", (None,)),
    Drug("Ceftriaxone", "injection", ("1 g", "500 mg")),
    Drug("Pantoprazole", "injection", ("40 mg",)),
    Drug("Ondansetron", "injection", ("4 mg",)),
    Drug("Diclofenac", "injection", ("75 mg",)),
    Drug("Tetanus toxoid", "injection", ("0.5 ml",)),
    Drug("Mupirocin", "ointment", ("2%",)),
    Drug("T-Bact", "ointment", ("2%",)),
    Drug("Betamethasone", "ointment", ("0.1%",)),
    Drug("Clotrimazole", "ointment", ("1%",)),
    Drug("Candid", "ointment", ("1%",)),
    Drug("Soframycin", "ointment", (None,)),
    Drug("Volini", "ointment", (None,)),
    Drug("Moxifloxacin", "drops", ("0.5%",)),
    Drug("Ciplox", "drops", ("0.3%",)),
    Drug("Tobramycin", "drops", ("0.3%",)),
    Drug("Salbutamol", "inhaler", ("100 mcg",)),
    Drug("Asthalin", "inhaler", ("100 mcg",)),
    Drug("Budecort", "inhaler", ("200 mcg",)),
    Drug("ORS", "sachet", (None,)),
    Drug("Electral", "sachet", (None,)),
    Drug("Racecadotril", "sachet", ("10 mg", "30 mg")),
)
