"""What one synthetic prescription says, every value already in the form it is printed in.

Layouts decide which of these values reach the page; only those become the truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from scriptsensei.samples import clinical, people
from scriptsensei.samples.drugs import DRUGS, DURATIONS, FORMS, WESTERN_FREQUENCIES

Convention = Literal["indian", "western"]

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class MedicationLine:
    drug: str
    form: str  # as printed before the name ("Tab.") or after the strength ("tablet")
    strength: str | None
    route: str | None
    dose: str  # amount per intake: printed in some styles, not a field of the shape
    frequency: str
    duration: str | None
    instructions: str | None

    @property
    def formulation(self) -> str:
        """The form as a value: the printed word without its abbreviation dot."""
        return self.form.rstrip(".")


@dataclass(frozen=True)
class Prescription:
    convention: Convention
    patient_name: str
    patient_title: str  # `Mrs. ` printed before the name but not part of it; may be empty
    age: str
    gender: str
    uhid_label: str
    uhid: str | None
    date: str
    allergies: str | None
    complaints: str | None
    history: str | None
    examination: str | None
    diagnosis: str | None
    vitals: dict[str, str]  # vitals key of the shape -> printed value
    medications: tuple[MedicationLine, ...]
    lifestyle: str | None
    investigations: str | None
    follow_up: str | None
    doctor_name: str
    qualifications: str
    specialization: str | None
    registration_label: str
    registration: str | None
    clinic_name: str
    hospital_name: str | None
    branch: str | None
    address: str
    phone: str
    email: str | None
    website: str | None
    department: str = field(default="OPD")


def compose(rng: random.Random, convention: Convention) -> Prescription:
    """A random but coherent prescription in the given convention."""
    western = convention == "western"
    clinic, domain = _practice(rng, western)
    female = rng.random() < 0.5
    return Prescription(
        convention=convention,
        patient_name=_patient_name(rng, western, female),
        patient_title=_patient_title(rng, western, female),
        age=_age(rng, western),
        gender=rng.choice(("Female", "F") if female else ("Male", "M")),
        uhid_label=rng.choice(("MRN", "NHS No.") if western else ("UHID", "OP No.", "Patient ID")),
        uhid=_maybe(rng, 0.75, _uhid(rng)),
        date=format_date(rng, _visit_date(rng)),
        allergies=_maybe(rng, 0.5, rng.choice(clinical.ALLERGIES)),
        complaints=_maybe(rng, 0.7, _joined(rng, clinical.COMPLAINTS, 1, 3)),
        history=_maybe(rng, 0.4, rng.choice(clinical.HISTORY)),
        examination=_maybe(rng, 0.5, _joined(rng, clinical.EXAMINATION, 1, 2)),
        diagnosis=_maybe(rng, 0.75, rng.choice(clinical.DIAGNOSES)),
        vitals=_vitals(rng) if rng.random() < 0.65 else {},
        medications=tuple(_medication(rng, western) for _ in range(rng.randint(1, 6))),
        lifestyle=_maybe(rng, 0.5, _joined(rng, clinical.LIFESTYLE_ADVICE, 1, 2)),
        investigations=_maybe(rng, 0.45, _joined(rng, clinical.INVESTIGATIONS, 1, 3)),
        follow_up=_maybe(rng, 0.6, rng.choice(clinical.FOLLOW_UP)),
        doctor_name="Dr. "
        + rng.choice(people.DOCTORS_WESTERN if western else people.DOCTORS_INDIAN),
        qualifications=rng.choice(
            people.QUALIFICATIONS_WESTERN if western else people.QUALIFICATIONS_INDIAN
        ),
        specialization=_maybe(rng, 0.8, rng.choice(people.SPECIALIZATIONS)),
        registration_label=rng.choice(("Reg. No.", "Reg No:", "Regn. No.", "Registration No.")),
        registration=_maybe(rng, 0.85, _registration(rng, western)),
        clinic_name=clinic,
        hospital_name=rng.choice(people.HOSPITAL_NAMES),
        branch=_maybe(rng, 0.6, rng.choice(people.BRANCHES)),
        address=_address(rng, western),
        phone=_phones(rng, western),
        email=_maybe(
            rng, 0.6, f"{rng.choice(('info', 'contact', 'care', 'appointments'))}@{domain}"
        ),
        website=_maybe(rng, 0.5, f"www.{domain}"),
        department=rng.choice(people.DEPARTMENTS),
    )


def _maybe(rng: random.Random, share: float, value: str) -> str | None:
    return value if rng.random() < share else None


def _joined(rng: random.Random, pool: tuple[str, ...], low: int, high: int) -> str:
    return ", ".join(rng.sample(pool, rng.randint(low, high)))


def _patient_name(rng: random.Random, western: bool, female: bool) -> str:
    if western:
        return rng.choice(people.WESTERN_FEMALE if female else people.WESTERN_MALE)
    return rng.choice(people.INDIAN_FEMALE if female else people.INDIAN_MALE)


def _patient_title(rng: random.Random, western: bool, female: bool) -> str:
    if western or rng.random() > 0.25:
        return ""
    return rng.choice(("Mrs. ", "Ms. ") if female else ("Mr. ", "Shri "))


def _age(rng: random.Random, western: bool) -> str:
    years = rng.choice((rng.randint(1, 12), rng.randint(18, 85), rng.randint(18, 85)))
    units = ("", " years", " yrs") if western else (" Y", " yrs", " years", "", " Yrs")
    return f"{years}{rng.choice(units)}"


def _uhid(rng: random.Random) -> str:
    n = rng.randint(1000, 999999)
    return rng.choice(
        (f"UH{n:08d}", f"OP-2025-{n:06d}", f"{n:07d}", f"PID/24/{n:05d}", f"MR{n:06d}")
    )


def _visit_date(rng: random.Random) -> date:
    return date(2024, 1, 1) + timedelta(days=rng.randint(0, 700))


def format_date(rng: random.Random, day: date) -> str:
    """A date the way clinics print them; never the ambiguous month-first form."""
    month = _MONTHS[day.month - 1]
    return rng.choice(
        (
            f"{day.day:02d}/{day.month:02d}/{day.year}",
            f"{day.day:02d}-{day.month:02d}-{day.year}",
            f"{day.day:02d}.{day.month:02d}.{day.year}",
            f"{day.day:02d}-{month[:3]}-{day.year}",
            f"{day.day} {month[:3]} {day.year}",
            f"{month} {day.day}, {day.year}",
            f"{day.day} {month} {day.year}",
            day.isoformat(),
            f"{day.day}/{day.month}/{day.year % 100:02d}",
        )
    )


def _vitals(rng: random.Random) -> dict[str, str]:
    systolic, diastolic = rng.randint(100, 160), rng.randint(60, 100)
    weight, height = rng.randint(12, 95), rng.randint(95, 185)
    candidates = {
        "bloodPressure": f"{systolic}/{diastolic}" + rng.choice((" mmHg", "", " mm Hg")),
        "pulse": f"{rng.randint(60, 110)}" + rng.choice(("/min", " bpm", "/min", "")),
        "temperature": rng.choice(
            (f"{rng.randint(970, 1030) / 10}°F", f"{rng.randint(970, 1030) / 10} F",
             f"{rng.randint(360, 392) / 10}°C")
        ),
        "spO2": f"{rng.randint(92, 100)}" + rng.choice(("%", " %")),
        "weight": f"{weight} kg",
        "height": f"{height} cm",
        "bmi": f"{weight / (height / 100) ** 2:.1f}",
        "others": rng.choice(clinical.VITALS_OTHERS),
    }  # fmt: skip
    keys = [k for k in candidates if rng.random() < 0.7 and k not in ("bmi", "others")]
    if "weight" in keys and "height" in keys and rng.random() < 0.5:
        keys.append("bmi")
    if rng.random() < 0.2:
        keys.append("others")
    return {k: candidates[k] for k in keys or ["bloodPressure"]}


def _medication(rng: random.Random, western: bool) -> MedicationLine:
    drug = rng.choice(DRUGS)
    form = FORMS[drug.form]
    oral = "Oral" in form.routes
    return MedicationLine(
        drug=drug.name,
        form=form.western if western else rng.choice(form.printed),
        strength=_strength(rng, rng.choice(drug.strengths)),
        route=rng.choice(("by mouth", "orally")) if western and oral else rng.choice(form.routes),
        dose=rng.choice(form.doses),
        frequency=rng.choice(WESTERN_FREQUENCIES if western else form.frequencies),
        duration=_maybe(rng, 0.85, rng.choice(DURATIONS)),
        instructions=_maybe(rng, 0.6, rng.choice(form.instructions)),
    )


def _strength(rng: random.Random, strength: str | None) -> str | None:
    """Prescribers often run the number into its unit: `650mg`."""
    if strength and rng.random() < 0.25:
        return strength.replace(" ", "")
    return strength


def _registration(rng: random.Random, western: bool) -> str:
    n = rng.randint(10000, 99999)
    if western:
        return rng.choice((f"GMC {rng.randint(1000000, 7999999)}", f"NPI {n}{n}"))
    council = rng.choice(("KMC", "MMC", "TNMC", "DMC", "APMC", "WBMC"))
    return rng.choice(
        (f"{council} {n}", f"{council}/{n}", f"MCI-{rng.randint(1995, 2020)}-{n}", f"{n}")
    )


def _practice(rng: random.Random, western: bool) -> tuple[str, str]:
    name = rng.choice(people.GP_PRACTICES if western else people.CLINIC_NAMES)
    words = [w for w in ("".join(c for c in w if c.isalnum()) for w in name.lower().split()) if w]
    slug = words[0] + "".join(w for w in words[1:] if len(words[0]) + len(w) < 18)
    return name, slug + rng.choice((".co.uk", ".com") if western else (".in", ".com", ".co.in"))


def _address(rng: random.Random, western: bool) -> str:
    street, city, code = rng.choice(
        people.WESTERN_ADDRESSES if western else people.INDIAN_ADDRESSES
    )
    return f"{street}, {city} {code}" if western else f"{street}, {city} - {code}"


def _phones(rng: random.Random, western: bool) -> str:
    if western:
        return rng.choice(
            (f"+44 1865 {rng.randint(100000, 999999)}", f"(217) 555-{rng.randint(1000, 9999)}")
        )
    mobile = f"{rng.randint(70000, 99999)} {rng.randint(10000, 99999)}"
    landline = f"0{rng.randint(20, 99)}-{rng.randint(2000, 4999)} {rng.randint(1000, 9999)}"
    return rng.choice((f"+91 {mobile}", mobile, landline, f"{landline}, {mobile}", f"+91-{mobile}"))
