"""Strengths -> amount(s) and unit: 500mg = 500 mg = 0.5 g -> "500 mg".

Masses are compared in mg, volumes in ml; IU, units and % stay as they are. A strength
"per" something (5 mg/5 ml) keeps its denominator. A different amount or unit is a hard
conflict for the consensus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# unit as written -> (canonical unit, factor to the canonical unit)
_UNITS: dict[str, tuple[str, float]] = {
    "mg": ("mg", 1.0), "mgs": ("mg", 1.0), "milligram": ("mg", 1.0), "milligrams": ("mg", 1.0),
    "g": ("mg", 1000.0), "gm": ("mg", 1000.0), "gms": ("mg", 1000.0), "gram": ("mg", 1000.0),
    "grams": ("mg", 1000.0),
    "mcg": ("mg", 0.001), "µg": ("mg", 0.001), "μg": ("mg", 0.001), "ug": ("mg", 0.001),
    "microgram": ("mg", 0.001), "micrograms": ("mg", 0.001),
    "ml": ("ml", 1.0), "mls": ("ml", 1.0), "l": ("ml", 1000.0), "ltr": ("ml", 1000.0),
    "iu": ("IU", 1.0), "i.u.": ("IU", 1.0), "units": ("units", 1.0), "unit": ("units", 1.0),
    "u": ("units", 1.0), "%": ("%", 1.0), "meq": ("mEq", 1.0), "mmol": ("mmol", 1.0),
    "k": ("IU", 1000.0),  # "Vitamin D3 60K" is 60 000 IU
}  # fmt: skip
_UNIT_RE = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_NUMBER = r"\d+(?:[.,]\d+)*"
_AMOUNTS = rf"({_NUMBER}(?:\s*[/+]\s*{_NUMBER})*)"
STRENGTH_RE = re.compile(
    rf"(?<![\w.]){_AMOUNTS}\s*({_UNIT_RE})(?![a-z])"
    rf"(?:\s*(?:/|per)\s*({_NUMBER})?\s*({_UNIT_RE})(?![a-z]))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Strength:
    amounts: tuple[float, ...]  # several for combinations: 500/125 mg
    unit: str
    per_amount: float | None = None
    per_unit: str | None = None

    def canonical(self) -> str:
        text = "/".join(_fmt(a) for a in self.amounts) + f" {self.unit}"
        if self.per_unit:
            per = f"{_fmt(self.per_amount)} " if self.per_amount not in (None, 1.0) else ""
            text += f"/{per}{self.per_unit}"
        return text


def _fmt(value: float | None) -> str:
    return f"{value:g}" if value is not None else ""


def _number(text: str) -> float:
    # 40,000 is a thousands separator; 2,5 is a decimal comma
    if re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        return float(text.replace(",", ""))
    return float(text.replace(",", "."))


def _scale(value: float, unit: str) -> tuple[float, str]:
    canonical, factor = _UNITS[unit.lower()]
    return round(value * factor, 6), canonical


def parse_strength(text: str | None) -> Strength | None:
    """The first strength in `text`, or None."""
    if not text:
        return None
    m = STRENGTH_RE.search(text.replace("μ", "µ"))
    if not m:
        return None
    scaled = [_scale(_number(a), m[2]) for a in re.split(r"\s*[/+]\s*", m[1])]
    unit = scaled[0][1]
    per_amount = per_unit = None
    if m[4]:
        per_amount, per_unit = _scale(_number(m[3]) if m[3] else 1.0, m[4])
    return Strength(tuple(a for a, _ in scaled), unit, per_amount, per_unit)
