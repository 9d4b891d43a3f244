"""Token estimates, for reservations and for engines that do not count tokens.

Real providers report exact counts and those are what is billed; this estimate
is only an upper-bound helper (reservations) and the offline engine's and the
simulator's plausible usage. Roughly four characters per token for English.
"""

from __future__ import annotations

import math

CHARS_PER_TOKEN = 4
IMAGE_TOKENS = 1100  # a typical screenshot tile budget across vendors


def estimate_tokens(text: str) -> int:
    """A deterministic estimate: ceil(len/4), at least 1 for non-empty text."""
    if not text:
        return 0
    return max(1, math.ceil(len(text) / CHARS_PER_TOKEN))
