"""A prescription drawn with a known text, and phone-photo style degradations of it."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from scriptsensei.extraction.engine import PageImage
from scriptsensei.extraction.pages import encode_page

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

LINES = (
    "City Care Clinic",
    "12 MG Road, Bengaluru  Ph: 080-2345 6789",
    "Dr. Asha Rao, MBBS MD   Reg No: KMC 45678",
    "Patient Name: Ravi Kumar      Age: 45 Y    Gender: Male",
    "UHID: CC-20231   Date: 12/03/2024",
    "C/O: Fever and cough for 3 days",
    "Diagnosis: Acute bronchitis",
    "BP: 130/80 mmHg   Pulse: 88 bpm",
    "1. Tab. Paracetamol 500 mg  1-0-1  x 5 days  after food",
    "2. Cap. Amoxicillin 500 mg  TDS  x 7 days",
    "3. Syp. Ambroxol 10 ml  BD  x 5 days",
    "Advice: Drink plenty of fluids, rest",
    "Follow up after 1 week",
)


def draw_page(lines: tuple[str, ...] = LINES, width: int = 1240, height: int = 1754) -> Image.Image:
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    y = 90
    for number, text in enumerate(lines):
        font = ImageFont.truetype(BOLD if number == 0 else FONT, 44 if number == 0 else 30)
        draw.text((90, y), text, font=font, fill="black")
        y += 72
    return image


def photo_of(image: Image.Image, seed: int = 7) -> Image.Image:
    """A few degrees of rotation, 0.6x scale, uneven light, blur, noise and JPEG."""
    rng = np.random.default_rng(seed)
    gray = np.asarray(image.convert("L"), dtype=np.float64)
    h, w = gray.shape
    light = np.linspace(0.55, 1.0, w)[None, :] * np.linspace(0.8, 1.0, h)[:, None]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), 4, 0.6)
    photo = cv2.warpAffine(gray * light, turn, (w, h), borderValue=200)
    photo = cv2.GaussianBlur(photo, (3, 3), 1.0)[
        int(h * 0.2) : int(h * 0.8), int(w * 0.2) : int(w * 0.8)
    ]
    photo = np.clip(photo + rng.normal(0, 6, photo.shape), 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 60])
    assert ok
    return Image.open(io.BytesIO(jpeg.tobytes())).convert("RGB")


# Where the corners of the drawn page land in `photo_on_table` (fractions of the photo).
TABLE_CORNERS = ((0.08, 0.06), (0.9, 0.1), (0.94, 0.95), (0.05, 0.9))


def photo_on_table(
    image: Image.Image, clockwise: int = 0, blur: float = 1.2, seed: int = 11
) -> Image.Image:
    """The page lying on a dark table, shot at an angle: small, blurred, noisy, JPEG."""
    rng = np.random.default_rng(seed)
    page = np.asarray(rotated(image, clockwise).convert("L"), dtype=np.float32)
    h, w = page.shape
    size = (round(w * 0.6), round(h * 0.6))
    photo = cv2.warpPerspective(page, table_warp(w, h), size, flags=cv2.INTER_AREA, borderValue=70)
    light = np.linspace(0.65, 1.0, size[0], dtype=np.float32)[None, :]
    photo = cv2.GaussianBlur(photo * light, (0, 0), blur)
    photo = np.clip(photo + rng.normal(0, 5, photo.shape), 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 60])
    assert ok
    return Image.open(io.BytesIO(jpeg.tobytes())).convert("RGB")


def table_warp(width: int, height: int) -> np.ndarray:
    """The perspective map from a page of that size to `photo_on_table` of it."""
    size = (round(width * 0.6), round(height * 0.6))
    corners = np.float32([(x * size[0], y * size[1]) for x, y in TABLE_CORNERS])
    source = np.float32([(0, 0), (width, 0), (width, height), (0, height)])
    return np.asarray(cv2.getPerspectiveTransform(source, corners), dtype=np.float64)


def as_page(image: Image.Image, index: int = 0) -> PageImage:
    return encode_page(index, image)


def rotated(image: Image.Image, clockwise: int) -> Image.Image:
    return image.rotate(-clockwise, expand=True)


# The `extractedData` a perfect reader would give for `draw_page()`.
TRUTH: dict[str, object] = {
    "patientDetails": {
        "patientName": "Ravi Kumar",
        "age": "45",
        "gender": "Male",
        "uhid": "CC-20231",
        "date": "12/03/2024",
    },
    "clinicalDetails": {
        "diagnosis": "Acute bronchitis",
        "chiefComplaints": "Fever and cough for 3 days",
    },
    "vitals": {"bloodPressure": "130/80 mmHg", "pulse": "88 bpm"},
    "medications": [
        {
            "drugName": "Paracetamol",
            "formulation": "Tab",
            "strength": "500 mg",
            "frequency": "1-0-1",
            "duration": "5 days",
            "specialInstructions": "after food",
        },
        {
            "drugName": "Amoxicillin",
            "formulation": "Cap",
            "strength": "500 mg",
            "frequency": "TDS",
            "duration": "7 days",
        },
        {
            "drugName": "Ambroxol",
            "formulation": "Syp",
            "strength": "10 ml",
            "frequency": "BD",
            "duration": "5 days",
        },
    ],
    "advice": {
        "lifestyleAdvice": "Drink plenty of fluids, rest",
        "followUpInstructions": "Follow up after 1 week",
    },
    "doctorDetails": {"doctorName": "Dr. Asha Rao", "registrationNo": "KMC 45678"},
    "clinicDetails": {
        "clinicName": "City Care Clinic",
        "address": "12 MG Road, Bengaluru",
        "contactNumbers": "080-2345 6789",
    },
}
