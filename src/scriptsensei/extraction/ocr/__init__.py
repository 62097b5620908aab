"""Local OCR engines (offline): Tesseract and RapidOCR, feeding the prescription parser."""
