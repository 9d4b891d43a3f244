"""Money as text: how dollars leave the program (JSON, CSV, audit entries, messages).

Storage (``db.base.Money``: Decimal in Python, integer picodollars in the database)
knows nothing about display; everything that turns a ``Decimal`` into text for people
or machines lives here.
"""

from __future__ import annotations

from decimal import Decimal


def usd_str(value: Decimal | None) -> str | None:
    """Dollars as plain text without trailing zeros or exponents: '0.0004425', '10', '0'."""
    if value is None:
        return None
    return format(value.normalize(), "f")
