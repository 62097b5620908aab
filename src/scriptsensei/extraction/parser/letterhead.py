"""Unlabelled facts of the letterhead and signature: doctor, specialisation, clinic or
hospital name, address. Found by their wording wherever they are on the page."""

from __future__ import annotations

import re
from collections.abc import Sequence

from scriptsensei.extraction.parser.found import Found, found_in
from scriptsensei.extraction.parser.labels import label_hits
from scriptsensei.extraction.parser.layout import Row, Segment

DOCTOR_RE = re.compile(r"\b(?:Dr|DR|Doctor)\.?\s*(?:[A-Z][A-Za-z]*\.?\s*){1,4}(?<![\s.])\.?")
_SPECIALITY_RE = re.compile(
    r"\b(physician|paediatrician|pediatrician|surgeon|cardiologist|dermatologist|"
    r"gyn(?:a)?ecologist|pulmonologist|practitioner|internal medicine|diabetologist|"
    r"orthopa?edic|neurologist|psychiatrist|oncologist|nephrologist|gastroenterologist|"
    r"ophthalmologist|endocrinologist|urologist|radiologist|obstetrician|consultant)\b",
    re.IGNORECASE,
)
_DEGREE_RE = re.compile(r"\b(MBBS|MD|MS|DNB|DCH|DGO|MRCGP|FRCS|MRCP|DM|MCh|FRACGP|MB ChB)\b")
_HOSPITAL_WORDS = re.compile(r"\b(hospitals?|institute|infirmary|medical college)\b", re.IGNORECASE)
_CLINIC_WORDS = re.compile(
    r"\b(clinic|polyclinic|centre|center|practice|surgery|nursing home|dispensary|"
    r"health ?care|medicare|diagnostics)\b",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'.]*|&|of|and|the|St\.?)$")
_ADDRESS_RE = re.compile(
    r"\b(\d{6}|road|rd\.?|street|st\.|nagar|lane|marg|sector|cross|layout|colony|complex|"
    r"plot|civil lines|avenue|square|bus stand|main|floor|near|opp\.?|[A-Z]{1,2}\d{1,2}\s?\d[A-Z]{2}|"
    r"[A-Z]{2} \d{5})\b",
    re.IGNORECASE,
)
_CONTACT_RE = re.compile(r"@|www\.|\bph\b|phone|mob|tel\b|\+\d", re.IGNORECASE)


def _segments(rows: Sequence[Row], skip: set[int]) -> list[Segment]:
    return [s for i, row in enumerate(rows) if i not in skip for s in row.segments]


def find_doctor(rows: Sequence[Row], skip: set[int]) -> Found | None:
    for segment in _segments(rows, skip):
        m = DOCTOR_RE.search(segment.text)
        if m and len(m[0]) > 5:
            return found_in(segment, m.start(), m.end(), 0.9, m[0].strip(" ,"))
    return None


def find_specialization(rows: Sequence[Row], skip: set[int]) -> Found | None:
    for segment in _segments(rows, skip):
        text = segment.text
        if DOCTOR_RE.search(text) or _DEGREE_RE.search(text) or label_hits(text):
            continue
        if _SPECIALITY_RE.search(text) and len(text) < 60:
            return found_in(segment, 0, len(text), 0.75, text.strip(" ,|"))
    return None


def _name_around(text: str, keyword: re.Match[str]) -> tuple[int, int] | None:
    """The run of capitalised words (and '&', 'of') that contains the keyword."""
    words = list(re.finditer(r"\S+", text))
    at = next((i for i, w in enumerate(words) if w.start() <= keyword.start() < w.end()), None)
    if at is None:
        return None
    lo = at
    while lo > 0 and _NAME_WORD.match(words[lo - 1][0].strip(",")) and "," not in words[lo - 1][0]:
        lo -= 1
    hi = at
    while hi + 1 < len(words) and _NAME_WORD.match(words[hi + 1][0].rstrip(",")):
        if words[hi][0].endswith(","):
            break
        hi += 1
    return words[lo].start(), words[hi].end()


def find_practice_names(rows: Sequence[Row], skip: set[int]) -> dict[str, Found]:
    """clinicName / hospitalName by their wording; a hospital word wins over a clinic word."""
    found: dict[str, Found] = {}
    for segment in _segments(rows, skip):
        if label_hits(segment.text) or DOCTOR_RE.search(segment.text):
            continue
        for key, pattern in (("hospitalName", _HOSPITAL_WORDS), ("clinicName", _CLINIC_WORDS)):
            m = pattern.search(segment.text)
            span = _name_around(segment.text, m) if m else None
            if span and key not in found and span[1] - span[0] > len(m[0] if m else ""):
                found[key] = found_in(
                    segment, span[0], span[1], 0.8, segment.text[span[0] : span[1]].strip(" ,")
                )
                break
    return found


def find_address(rows: Sequence[Row], skip: set[int]) -> Found | None:
    for segment in _segments(rows, skip):
        text = segment.text
        if _CONTACT_RE.search(text) or label_hits(text) or DOCTOR_RE.search(text):
            continue
        if len(_ADDRESS_RE.findall(text)) >= 1 and "," in text and len(text) > 12:
            return found_in(segment, 0, len(text), 0.7, text.strip(" ,|"))
    return None
