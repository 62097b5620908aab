"""Phone numbers, e-mail addresses and websites anywhere on the page."""

from __future__ import annotations

import re
from collections.abc import Sequence

from scriptsensei.extraction.parser.found import Found, found_in
from scriptsensei.extraction.parser.layout import Row

# +91 98765 43210, 98765-43210, 080-2345 6789, (217) 555-1234, +44 1865 123456
PHONE_RE = re.compile(
    r"(?<![\w/\-.])(?:\+\d{1,3}[\s\-]?)?(?:\(\d{2,5}\)\s?)?\d[\d\s\-]{6,14}\d(?![\w/\-])"
)
EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
WEBSITE_RE = re.compile(
    r"(?<![@\w.])(?:https?://)?(?:www\.[\w\-]+(?:\.[\w\-]+)+|[\w\-]+\.(?:com|in|co\.in|org|co\.uk|net|health)\b)(?:/[\w\-./]*)?",
    re.IGNORECASE,
)
_DATE_LIKE = re.compile(r"^\d{1,4}[\-/. ]\d{1,2}[\-/. ]\d{2,4}$")


def _is_phone(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    return 10 <= len(digits) <= 13 and not _DATE_LIKE.match(text.strip())


def plus_country_code(phone: str) -> str:
    """OCR reads the "+" of "+91" as a 4: "491 79317 32948" has one digit too many."""
    digits = re.sub(r"\D", "", phone)
    if phone.startswith("491") and len(digits) == 13:
        return "+" + phone[1:]
    return phone


def phones_in(text: str) -> list[re.Match[str]]:
    return [m for m in PHONE_RE.finditer(text) if _is_phone(m[0])]


def find_phones(rows: Sequence[Row], skip: set[int]) -> Found | None:
    """Every number in the first segment that has one, as written (", " between)."""
    for index, row in enumerate(rows):
        if index in skip:
            continue
        for segment in row.segments:
            matches = phones_in(segment.text)
            if matches:
                value = ", ".join(plus_country_code(m[0].strip()) for m in matches)
                return found_in(segment, matches[0].start(), matches[-1].end(), 0.9, value)
    return None


def _first_match(rows: Sequence[Row], pattern: re.Pattern[str], quality: float) -> Found | None:
    for row in rows:
        for segment in row.segments:
            m = pattern.search(segment.text)
            if m:
                return found_in(segment, m.start(), m.end(), quality, m[0].rstrip("."))
    return None


def find_email(rows: Sequence[Row]) -> Found | None:
    return _first_match(rows, EMAIL_RE, 0.95)


def find_website(rows: Sequence[Row]) -> Found | None:
    return _first_match(rows, WEBSITE_RE, 0.9)
