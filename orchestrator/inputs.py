"""Validation of what users send: posting text and screenshots (URLs: ``url_fetch``).

Everything here fails with ``InputRejected`` and a message that says what is
wrong and what to do; nothing is sent to a provider before it passes.
"""

from __future__ import annotations

import io

from orchestrator.errors import InputRejected
from orchestrator.providers.base import ImageInput

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def validate_text(text: str | None, *, max_chars: int) -> str:
    cleaned = (text or "").replace("\x00", "").strip()
    if not cleaned:
        raise InputRejected("The posting is empty. Paste the text of a job posting.")
    if len(cleaned) > max_chars:
        raise InputRejected(
            f"The posting is {len(cleaned):,} characters long; the limit is {max_chars:,}. "
            "Paste only the job description itself."
        )
    return cleaned


def validate_image(data: bytes | None, *, max_bytes: int, max_pixels: int) -> ImageInput:
    """A PNG, JPEG or WebP screenshot within the byte and pixel limits, verified by Pillow."""
    if not data:
        raise InputRejected("The image is empty.")
    if len(data) > max_bytes:
        raise InputRejected(
            f"The image is {len(data) / 1_048_576:.1f} MB; the limit is {max_bytes / 1_048_576:.0f} MB."
        )
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            width, height = img.size
            if width * height > max_pixels:
                raise InputRejected(
                    f"The image is {width}x{height} pixels; the limit is {max_pixels:,} pixels in all."
                )
            img.verify()
    except InputRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise InputRejected("The file is not a readable image (it may be corrupt or truncated).") from None
    if fmt not in IMAGE_TYPES:
        raise InputRejected(f"Images must be PNG, JPEG or WebP; this one is {fmt or 'unknown'}.")
    return ImageInput(data=data, mime_type=IMAGE_TYPES[fmt])
