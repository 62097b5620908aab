"""An engine that answers at once, to measure what the queue costs by itself.

Lives in bench/ only: it is never registered in the app.
"""

from __future__ import annotations

from collections.abc import Sequence

from scriptsensei.extraction.engine import (
    Availability,
    EngineKind,
    EngineResult,
    ExtractionSettings,
    FieldValue,
    PageImage,
)

# A typical prescription: a dozen scalar fields and two medications.
VALUES: dict[str, str] = {
    "patientDetails.patientName": "Ravi Kumar",
    "patientDetails.age": "45 yrs",
    "patientDetails.gender": "M",
    "patientDetails.date": "12/03/2024",
    "clinicalDetails.diagnosis": "Acute pharyngitis",
    "vitals.bloodPressure": "130/80",
    "vitals.pulse": "82",
    "doctorDetails.doctorName": "Dr. A. Sharma",
    "clinicDetails.clinicName": "Sunrise Clinic",
    "medications.0.drugName": "Amoxicillin",
    "medications.0.strength": "500 mg",
    "medications.0.frequency": "TDS",
    "medications.0.duration": "5 days",
    "medications.1.drugName": "Paracetamol",
    "medications.1.strength": "650 mg",
    "medications.1.frequency": "SOS",
}


class ZeroLatencyEngine:
    version = "zero-1"
    accepts = frozenset({"image/png", "image/jpeg"})

    def __init__(self, name: str, kind: EngineKind) -> None:
        self.name = name
        self.kind: EngineKind = kind

    def availability(self) -> Availability:
        return Availability(True)

    async def extract(
        self, pages: Sequence[PageImage], settings: ExtractionSettings
    ) -> EngineResult:
        fields = [FieldValue(path, value, 0.9, page=0) for path, value in VALUES.items()]
        return EngineResult(self.name, self.version, fields, {"zero": True}, duration_ms=0.0)
