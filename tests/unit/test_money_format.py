"""The one display format of money (``orchestrator.money.readable_usd`` and ``ui.admin_common.usd``):
what an admin or a user reads next to every cost, and the exact value kept for tooltips and exports."""

from decimal import Decimal

import pytest

from orchestrator.money import readable_usd, usd_str

CASES = [  # (exact value, what a person reads)
    ("0", "$0.00"),
    ("0.000000000000", "$0.00"),
    ("0.00123", "$0.00123"),
    ("0.0000456", "$0.0000456"),
    ("0.000045678", "$0.0000457"),  # three significant digits
    ("0.0004425", "$0.000442"),  # half-even: ...425 -> ...42
    ("0.0004435", "$0.000444"),  # half-even: ...435 -> ...44
    ("0.000001", "$0.000001"),  # the smallest amount shown with digits
    ("0.00000123456", "$0.00000123"),
    ("0.000000999", "<$0.000001"),
    ("0.000000000001", "<$0.000001"),  # one picodollar
    ("0.01", "$0.01"),
    ("0.0123", "$0.0123"),
    ("0.1", "$0.10"),  # at least two decimals
    ("0.45", "$0.45"),
    ("0.453", "$0.453"),
    ("0.4567", "$0.457"),
    ("0.99949", "$0.999"),
    ("0.9996", "$1.00"),  # rounds up to a dollar: shown as dollars and cents
    ("1", "$1.00"),
    ("1.005", "$1.00"),  # half-even at the cent
    ("1.015", "$1.02"),
    ("10.000000000000", "$10.00"),
    ("1234.567", "$1,234.57"),
    ("1234567.891", "$1,234,567.89"),
    ("-1.5", "-$1.50"),
    ("-0.001234", "-$0.00123"),
    ("-0.000000001", ">-$0.000001"),
    ("-1234.5", "-$1,234.50"),
]


@pytest.mark.parametrize(("exact", "shown"), CASES)
def test_readable_usd(exact, shown):
    assert readable_usd(Decimal(exact)) == shown


def test_no_raw_six_decimal_zeros_and_no_exponents():
    for exact, _ in CASES:
        text = readable_usd(Decimal(exact))
        assert "$0.000000" not in text and "E" not in text and "e" not in text


def test_unknown_cost_is_unpriced_never_zero():
    assert readable_usd(None) == "unpriced"
    assert readable_usd(None, unpriced="⚠ unpriced") == "⚠ unpriced"


def test_integers_are_dollars():
    assert readable_usd(0) == "$0.00"
    assert readable_usd(1500) == "$1,500.00"


@pytest.mark.parametrize("bad", [0.1, 1.0, "0.10", True])
def test_float_and_text_are_refused(bad):
    with pytest.raises(TypeError, match="Decimal"):
        readable_usd(bad)


def test_admin_usd_delegates_and_keeps_old_signature():
    from ui.admin_common import UNPRICED, exact_usd, limit_text, signed_usd, usd

    assert usd(Decimal("0.00000042")) == "<$0.000001"
    assert usd(Decimal("0.0004425"), 6) == usd(Decimal("0.0004425")) == "$0.000442"  # places: ignored
    assert usd(Decimal("1234.5"), 2) == "$1,234.50"
    assert usd(None) == UNPRICED
    assert usd(None, unpriced="—") == "—"
    assert signed_usd(Decimal("1.62")) == "+$1.62"
    assert signed_usd(Decimal("-0.0004425"), 4) == "-$0.000442"
    assert signed_usd(None) == "—"
    assert limit_text(Decimal("25")) == "$25.00"
    assert limit_text(1000000, " tokens") == "1,000,000 tokens"
    # the exact value stays exact (tooltips, exports)
    assert exact_usd(Decimal("1234.000442500000")) == "$1,234.0004425"
    assert usd_str(Decimal("10.000000000000")) == "10"


def test_caption_shows_the_exact_value_only_when_rounding_changed_it():
    from ui.admin_common import usd_and_exact

    assert usd_and_exact(Decimal("12.50")) == "$12.50"
    assert usd_and_exact(Decimal("0.000357")) == "$0.000357"
    assert usd_and_exact(Decimal("0.0035702")) == "$0.00357 (exactly $0.0035702)"
    assert usd_and_exact(Decimal("0.0000000004")) == "<$0.000001 (exactly $0.0000000004)"
    assert usd_and_exact(None) == "⚠ unpriced"
