"""Free text and contact details folded so that spelling noise does not count as a difference."""

from __future__ import annotations

import re

# Titles before a name: one reading may print "Mrs." or "Shri" and another leave it out.
_TITLES = re.compile(
    r"^\s*(?:(?:dr|doctor|prof|mr|mrs|ms|miss|shri|sri|smt|master|baby)\b\.?\s*)+",
    re.IGNORECASE,
)


def normalize_text(text: str | None) -> str | None:
    """Casefold, drop punctuation, collapse whitespace: "Fever, Cough." == "fever cough"."""
    if text is None:
        return None
    # a multiplication sign is how some OCR reads the "x" of "Fever x 3 days"
    words = re.findall(r"[^\W_]+(?:[./][^\W_]+)*", text.casefold().replace("\u00d7", "x"))
    return " ".join(words) or None


def normalize_person_name(text: str | None) -> str | None:
    if not text:
        return None
    return normalize_text(_TITLES.sub("", text))


def normalize_identifier(text: str | None) -> str | None:
    """UHIDs and registration numbers: letters and digits only, upper case."""
    if not text:
        return None
    return re.sub(r"[^0-9A-Za-z]", "", text).upper() or None


def phone_numbers(text: str | None) -> list[str]:
    """Each phone number's digits; Indian numbers lose the +91 / 0 trunk prefix."""
    if not text:
        return []
    numbers = []
    for raw in re.findall(r"\+?\d[\d\s\-().]{5,}\d", text):
        digits = re.sub(r"\D", "", raw)
        if len(digits) > 10 and digits.startswith(("91", "0")):
            digits = digits[-10:]
        numbers.append(digits)
    return numbers


def normalize_phones(text: str | None) -> str | None:
    numbers = sorted(set(phone_numbers(text)))
    return ", ".join(numbers) or normalize_text(text)


def normalize_email(text: str | None) -> str | None:
    if not text:
        return None
    m = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)
    return m[0].lower() if m else normalize_text(text)


def normalize_website(text: str | None) -> str | None:
    if not text:
        return None
    low = text.strip().lower()
    low = re.sub(r"^(https?://)?(www\.)?", "", low)
    return low.rstrip("/. ") or None
