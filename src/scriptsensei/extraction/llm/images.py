"""Page images as sent to a vision LLM: data URLs, large scans scaled down first.

Vision endpoints scale big images down themselves (and bill, or refuse, by upload size),
so a 4000-pixel photo is sent at MAX_IMAGE_SIDE: the same reading, a fraction of the bytes.
"""

from __future__ import annotations

import base64
import io

from PIL import Image, UnidentifiedImageError
from PIL.Image import DecompressionBombError

from scriptsensei.extraction.engine import PageImage, PermanentEngineError

MAX_IMAGE_SIDE = 2048
JPEG_QUALITY = 90


def scaled_page(page: PageImage, max_side: int = MAX_IMAGE_SIDE) -> tuple[str, bytes]:
    """(content type, bytes) to send: the page as it is, or scaled down to `max_side`."""
    if max(page.width, page.height) <= max_side:
        return page.content_type, page.data
    try:
        with Image.open(io.BytesIO(page.data)) as image:
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY)
    except (UnidentifiedImageError, DecompressionBombError, OSError, ValueError) as exc:
        raise PermanentEngineError(f"page {page.index + 1} is not a readable image: {exc}") from exc
    return "image/jpeg", buffer.getvalue()


def data_url(content_type: str, data: bytes) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"
