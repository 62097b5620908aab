"""Printed labels and the fields they introduce.

A label is "strong" when it is distinctive enough to count without a colon ("UHID 123",
"C/O fever"); common words ("Name", "Date", "Review") count as labels only when followed
by a colon or dash, or when they stand alone with their value beside or below them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# field key -> label variants (lower case, as printed without the trailing colon).
# Keys are dotted paths; "age_gender" is split into age and gender; "-" labels end the
# previous value but are not fields of the shape.
LABELS: dict[str, tuple[str, ...]] = {
    "patientDetails.patientName": (
        "patient name", "patient's name", "name of patient", "name of the patient", "pt name",
        "pt. name", "patient", "pt", "name",
    ),
    # OCR often reads the slash of a blurred "Age / Sex" as a bar.
    "age_gender": (
        "age/sex", "age / sex", "age/gender", "age / gender", "age & sex", "sex/age",
        "age|sex", "age | sex", "age|gender", "age | gender",
    ),
    "patientDetails.age": ("age",),
    "patientDetails.gender": ("sex", "gender"),
    "patientDetails.uhid": (
        "uhid no", "uhid", "patient id", "pid", "op no", "opd no", "op number", "ip no", "mrn",
        "mr no", "nhs no", "nhs number", "hospital no", "case no", "reg id", "id no", "id",
    ),
    "patientDetails.date": ("date", "dt", "dated", "visit date", "date of visit"),
    "patientDetails.allergies": (
        "drug allergies", "known allergies", "drug allergy", "allergies", "allergy", "allergic to",
    ),
    "clinicalDetails.chiefComplaints": (
        "chief complaints", "chief complaint", "presenting complaints", "presenting complaint",
        "complaints", "complaint", "c/o", "c/0", "c/0o", "cc", "symptoms",
    ),
    "clinicalDetails.medicalHistory": (
        "past medical history", "medical history", "past history", "history", "h/o", "h/0", "pmh",
    ),
    "clinicalDetails.examination": (
        "on examination", "clinical examination", "general examination", "examination",
        "clinical findings", "findings", "o/e", "0/e", "o/e.", "exam",
    ),
    "clinicalDetails.diagnosis": (
        "provisional diagnosis", "final diagnosis", "diagnosis", "impression", "dx", "diag",
    ),
    "vitals.bloodPressure": ("blood pressure", "b.p.", "b.p", "bp"),
    "vitals.pulse": ("pulse rate", "pulse", "heart rate", "pr", "hr"),
    "vitals.temperature": ("temperature", "temp", "t"),
    "vitals.spO2": ("spo2", "sp02", "spo 2", "o2 sat", "oxygen saturation"),
    "vitals.weight": ("weight", "wt", "body weight"),
    "vitals.height": ("height", "ht"),
    "vitals.bmi": ("bmi",),
    "vitals.others": ("rr", "resp rate", "respiratory rate", "rbs", "grbs", "fbs", "pain score"),
    "advice.lifestyleAdvice": (
        "general advice", "lifestyle advice", "advice", "advise", "adv", "instructions",
    ),
    "advice.investigations": (
        "investigations advised", "tests advised", "investigations", "investigation", "inv",
        "lab tests", "lab", "labs", "tests",
    ),
    "advice.followUpInstructions": (
        "follow up", "follow-up", "followup", "next visit", "next review", "review", "f/u",
        "revisit",
    ),
    "doctorDetails.registrationNo": (
        "registration no", "registration number", "reg. no", "reg no", "regn. no", "regn no",
        "regd. no", "regd no", "mci reg no", "reg",
    ),
    "doctorDetails.specialization": ("specialization", "specialisation", "speciality", "specialty"),
    "clinicDetails.branch": ("branch",),
    "clinicDetails.address": ("address", "addr"),
    "clinicDetails.contactNumbers": (
        "phone", "ph", "tel", "telephone", "mobile", "mob", "mob no", "contact", "contact no", "cell",
    ),
    "clinicDetails.email": ("email", "e-mail", "mail"),
    "clinicDetails.website": ("website", "web"),
    "-": ("department", "dept", "timings", "timing", "signature", "sign", "consultation"),
}  # fmt: skip

STRONG_LABELS = frozenset(
    {
        "uhid", "uhid no", "c/o", "c/0", "c/0o", "h/o", "h/0", "o/e", "0/e", "bp", "b.p.", "spo2", "sp02", "mrn",
        "age/sex", "age / sex", "age/gender", "age / gender", "age|sex", "age | sex",
        "age|gender", "age | gender", "patient name", "chief complaints",
        "provisional diagnosis", "diagnosis", "investigations", "bmi", "f/u", "nhs no",
        "op no", "patient id", "registration no", "reg. no", "regn. no", "reg no", "date",
        "wt", "ht", "dx", "rr", "rbs", "grbs", "pain score", "email", "e-mail",
    }
)  # fmt: skip

_VARIANT_TO_KEY = {variant: key for key, variants in LABELS.items() for variant in variants}
# OCR may drop the space inside a label ("PatientID"), so lookups ignore spaces.
_SQUASHED_TO_KEY = {v.replace(" ", ""): key for v, key in _VARIANT_TO_KEY.items()}
_STRONG_SQUASHED = frozenset(v.replace(" ", "") for v in STRONG_LABELS)
_ALTERNATION = "|".join(
    re.escape(v).replace(r"\ ", r"\s*") for v in sorted(_VARIANT_TO_KEY, key=len, reverse=True)
)
# A label starts a word and is followed by a colon/dash, by spaces, or ends the text.
LABEL_RE = re.compile(
    rf"(?<![\w/])({_ALTERNATION})(?![\w/])\s*(:-|:|-|\u2013|=)?\s*", re.IGNORECASE
)


@dataclass(frozen=True)
class LabelHit:
    key: str  # dotted path, "age_gender", or "-"
    start: int  # where the label starts in the text
    end: int  # where its value starts
    quality: float  # how sure we are this is a label (colon, strength of the word)


def key_of(label: str) -> str:
    return _SQUASHED_TO_KEY["".join(label.lower().split())]


def label_hits(text: str) -> list[LabelHit]:
    """Labels in `text`, in order. Weak words count only with a colon or at the start."""
    hits = []
    for m in LABEL_RE.finditer(text):
        variant = " ".join(m[1].lower().split())
        strong = variant.replace(" ", "") in _STRONG_SQUASHED
        colon = m[2] is not None
        alone = m.end() >= len(text.rstrip())
        if not (colon or strong or (alone and m.start() == 0)):
            continue
        quality = 1.0 if colon else (0.85 if strong else 0.7)
        hits.append(LabelHit(key_of(variant), m.start(), m.end(), quality))
    return hits
