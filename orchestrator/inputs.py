"""Validation of what users send: posting text and screenshots (URLs: ``url_fetch``).

Everything here fails with ``InputRejected`` and a message that says what is
wrong and what to do; nothing is sent to a provider before it passes.
"""

from __future__ import annotations

from orchestrator import uploads
from orchestrator.errors import InputRejected, InputTooLarge
from orchestrator.providers.base import ImageInput

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def validate_text(text: str | None, *, max_chars: int) -> str:
    cleaned = (text or "").replace("\x00", "").strip()
    if not cleaned:
        raise InputRejected("The posting is empty. Paste the text of a job posting.")
    if len(cleaned) > max_chars:
        raise InputTooLarge(
            f"The posting is {len(cleaned):,} characters long; the limit is {max_chars:,}. "
            "Paste only the job description itself."
        )
    return cleaned


def validate_image(data: bytes | None, *, max_bytes: int, max_pixels: int) -> ImageInput:
    """A complete PNG, JPEG or WebP screenshot within the byte and pixel limits.

    ``uploads.check_image`` reads the format and size from the header and refuses an image
    above the budgets before anything is decoded, then decodes it once, so a decompression
    bomb or a truncated file is an ``InputRejected`` and never reaches a provider."""
    fmt = uploads.check_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    return ImageInput(data=data, mime_type=IMAGE_TYPES[fmt])
