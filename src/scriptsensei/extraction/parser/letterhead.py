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
    """The doctor's name; a box holding nothing but the name (the signature block) is the
    surest reading, since a letterhead line may run the name into the practice's."""
    candidates: list[tuple[bool, Found]] = []
    for segment in _segments(rows, skip):
        m = DOCTOR_RE.search(segment.text)
        if m and len(m[0]) > 5:
            end = _practice_start(segment.text, m.start(), m.end())
            value = segment.text[m.start() : end].strip(" ,")
            alone = segment.text.strip(" ,") == value
            candidates.append((alone, found_in(segment, m.start(), end, 0.9, value)))
    if not candidates:
        return None
    return next((f for alone, f in candidates if alone), candidates[0][1])


def _practice_start(text: str, start: int, end: int) -> int:
    """Where a practice name begins inside a doctor's name run ("Dr. A Rao LifeLine Clinic"),
    as happens when OCR joins two header columns into one line."""
    for pattern in (_HOSPITAL_WORDS, _CLINIC_WORDS):
        m = pattern.search(text, start, len(text))
        span = _name_around(text, m) if m else None
        if span and start < span[0] < end:
            return _split_names(text, span[0], m.start() if m else end)
    return end


def _split_names(text: str, first: int, keyword: int) -> int:
    """Capitalised words run from the doctor's name into the practice's: the doctor gets
    the initials and up to two names, the practice keeps at least one word before its
    keyword ("Dr. R. Balaji | Wellness Point Clinic")."""
    words = list(re.finditer(r"\S+", text[:keyword]))
    names = [w for w in words if w.start() >= first]
    initials = 0
    while initials < len(names) and re.fullmatch(r"[A-Z]\.", names[initials][0]):
        initials += 1
    taken = initials + min(2, max(len(names) - initials - 1, 0))
    return names[taken - 1].end() if taken else first


def _before_labels(text: str) -> str:
    hits = label_hits(text)
    return text[: hits[0].start] if hits else text


def find_specialization(rows: Sequence[Row], skip: set[int]) -> Found | None:
    for segment in _segments(rows, skip):
        text = _before_labels(segment.text).strip(" ,|")
        if not text or DOCTOR_RE.search(text) or _DEGREE_RE.search(text):
            continue
        if _SPECIALITY_RE.search(text) and len(text) < 60:
            return found_in(segment, 0, len(text), 0.75, text)
    return None


def _name_around(text: str, keyword: re.Match[str]) -> tuple[int, int] | None:
    """The run of capitalised words (and '&', 'of') that contains the keyword."""
    words = list(re.finditer(r"\S+", text))
    at = next((i for i, w in enumerate(words) if w.start() <= keyword.start() < w.end()), None)
    if at is None:
        return None
    lo = at
    while lo > 0 and _NAME_WORD.match(words[lo - 1][0].strip(",")) and "," not in words[lo - 1][0]:
        if words[lo - 1][0].rstrip(".").lower() in ("dr", "doctor"):
            break
        lo -= 1
    hi = at
    while hi + 1 < len(words) and _NAME_WORD.match(words[hi + 1][0].rstrip(",")):
        if words[hi][0].endswith(","):
            break
        hi += 1
    return words[lo].start(), words[hi].end()


def find_practice_names(
    rows: Sequence[Row], skip: set[int], doctor: str | None = None
) -> dict[str, Found]:
    """clinicName / hospitalName by their wording; a hospital word wins over a clinic word.
    The doctor's name is blanked first where OCR ran it into the practice's."""
    found: dict[str, Found] = {}
    for segment in _segments(rows, skip):
        text = _before_labels(segment.text)
        if doctor and doctor in text:
            text = text.replace(doctor, " " * len(doctor), 1)
        for key, pattern in (("hospitalName", _HOSPITAL_WORDS), ("clinicName", _CLINIC_WORDS)):
            m = next((x for x in pattern.finditer(text) if x[0][0].isupper()), None)
            span = _name_around(text, m) if m else None
            if span and key not in found and span[1] - span[0] > len(m[0] if m else ""):
                found[key] = found_in(
                    segment, span[0], span[1], 0.8, segment.text[span[0] : span[1]].strip(" ,")
                )
                break
    return found


def find_address(rows: Sequence[Row], skip: set[int]) -> Found | None:
    for segment in _segments(rows, skip):
        text = _before_labels(segment.text)
        if _CONTACT_RE.search(text) or DOCTOR_RE.search(text):
            continue
        lead = _QUALIFICATIONS_LEAD.match(text)
        start = lead.end() if lead else 0
        value = text[start:].strip(" ,|")
        if _ADDRESS_RE.search(value) and "," in value and len(value) > 12:
            return found_in(segment, start, len(text), 0.7, value)
    return None


# "MBBS, MD (Cardiology) 14/2, Civil Lines": qualifications printed left of an address
_QUALIFICATIONS_LEAD = re.compile(
    r"^\s*(?:(?:MBBS|MD|MS|DNB|DCH|DGO|MRCGP|FRCS|MRCP|DM|MCh|FRACGP|MB ChB|DO)\b"
    r"(?:\s*\([^)]*\))?[\s,]*)+"
)
_BRANCH_RE = re.compile(
    r"(?:\b([A-Z][\w]*(?:\s+[A-Z][\w]*){0,2})\s+Branch\b)|(?:\bBranch\s*[:\-]\s*([A-Z][\w ]+))"
)
_REGISTRATION_RE = re.compile(
    r"\b((?:GMC|NPI|MCI|KMC|MMC|TNMC|DMC|APMC|WBMC|[A-Z]{2,4}MC)[\s/\-]*(?:\d{4}[\s/\-]*)?\d{4,})\b"
)


def find_branch(rows: Sequence[Row], skip: set[int]) -> Found | None:
    for segment in _segments(rows, skip):
        m = _BRANCH_RE.search(segment.text)
        if m:
            group = 1 if m[1] else 2
            return found_in(segment, m.start(group), m.end(group), 0.75, m[group].strip())
    return None


def find_registration(rows: Sequence[Row], skip: set[int]) -> Found | None:
    """A council registration printed without a label ("GMC 3943400")."""
    for segment in _segments(rows, skip):
        m = _REGISTRATION_RE.search(segment.text)
        if m:
            return found_in(segment, m.start(1), m.end(1), 0.7, m[1])
    return None
