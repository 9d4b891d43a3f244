"""Money as text: how dollars leave the program (JSON, CSV, audit entries, messages).

Storage (``db.base.Money``: Decimal in Python, integer picodollars in the database)
knows nothing about display; everything that turns a ``Decimal`` into text for people
or machines lives here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal


def usd_str(value: Decimal | None) -> str | None:
    """Dollars as plain text without trailing zeros or exponents: '0.0004425', '10', '0'."""
    if value is None:
        return None
    return format(value.normalize(), "f")


#: below this size a non-zero amount is shown as ``<$0.000001`` (a millionth of a dollar)
TINY_USD = Decimal("0.000001")
#: significant digits shown for amounts below one dollar
SIGNIFICANT = 3
_CENTS = Decimal("0.01")


def readable_usd(value: Decimal | int | None, *, unpriced: str = "unpriced") -> str:
    """Dollars for people to read; the ONE display format of money.

    - ``None`` (unknown cost) -> ``unpriced`` (never $0);  zero -> ``$0.00``
    - at least one dollar: two decimals with thousands separators, ``$1,234.57``
    - below one dollar: three significant digits, trailing zeros dropped but at least two
      decimals: ``$0.45``, ``$0.453``, ``$0.10``, ``$0.00123``, ``$0.0000456``
    - non-zero but below a millionth of a dollar: ``<$0.000001`` (``>-$0.000001`` when negative)
    - negative amounts carry a leading minus: ``-$1.50``, ``-$0.00123``

    Decimal all the way (a float is refused: money is never float); rounding is
    ROUND_HALF_EVEN, like every other quantize of money in the program. A value that rounds
    up to a dollar is shown as one (``$0.9996`` -> ``$1.00``). ``exact_usd`` gives the exact
    value for tooltips and exports.
    """
    if value is None:
        return unpriced
    if isinstance(value, (float, bool)) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"money must be a Decimal or an int, not {type(value).__name__}")
    value = Decimal(value)
    if value == 0:
        return "$0.00"
    sign, size = ("-" if value < 0 else ""), abs(value)
    if size < TINY_USD:
        return f">-${TINY_USD}" if sign else f"<${TINY_USD}"
    if size < 1:
        rounded = size.quantize(Decimal(1).scaleb(size.adjusted() - SIGNIFICANT + 1), ROUND_HALF_EVEN)
        if rounded < 1:
            text = format(rounded, "f").rstrip("0")
            if len(text.partition(".")[2]) < 2:
                text = format(rounded.quantize(_CENTS, ROUND_HALF_EVEN), "f")
            return f"{sign}${text}"
    return f"{sign}${size.quantize(_CENTS, ROUND_HALF_EVEN):,}"
