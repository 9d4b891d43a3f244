"""Ids given by callers (the CLI, pages, Python, later the HTTP API), parsed once.

An id that is not a whole number is the caller's mistake (``InputRejected``); one
outside the database's integer range, or not positive, cannot name anything
(``NotFound``). Neither ever reaches SQL, where it would surface as a driver's
``OverflowError`` or ``DataError``.
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.errors import InputRejected, NotFound

MAX_ID = 2**63 - 1  # BIGINT; SQLite's INTEGER has the same range
_WHOLE = re.compile(r"-?[0-9]{1,30}")


def parse_id(value: Any, *, what: str = "id") -> int:
    """``value`` as a positive id, or a typed error naming ``what`` (e.g. "job")."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        if not _WHOLE.fullmatch(text):
            shown = text if len(text) <= 30 else text[:27] + "..."
            raise InputRejected(f"The {what} id must be a whole number, not '{shown}'.")
        number = int(text)
    if not 1 <= number <= MAX_ID:
        raise NotFound(f"No {what} {number}." if number.bit_length() < 100 else f"No {what} with that id.")
    return number
