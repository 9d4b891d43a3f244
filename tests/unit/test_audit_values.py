"""How audited values are stored and read: token limits are kept (they are counts), credentials
named like tokens are still dropped, and values read as money and numbers."""

from decimal import Decimal

from orchestrator.services.admin.audit import change_text, clean, exact, readable


def test_token_limits_are_audited_but_token_credentials_are_not():
    kept = clean({"tokens_per_month": 300_000, "tokens_per_month_override": None, "max_tokens": 2000,
                  "access_token": "ya29.secret", "session_token": "abc", "api_key": "sk-x", "refresh_token": "r"})
    assert kept == {"tokens_per_month": 300_000, "tokens_per_month_override": None, "max_tokens": 2000}


def test_decimals_are_stored_exact_without_the_storage_scale():
    assert clean({"monthly_fee_usd": Decimal("10.000000000000"), "credit_usd": Decimal("0.000442500000"),
                  "big": Decimal("1E+3")}) == {"monthly_fee_usd": "10", "credit_usd": "0.0004425", "big": "1000"}


def test_values_read_as_people_read_them():
    assert readable("monthly_fee_usd", "10.000000000000") == "$10.00"
    assert readable("cost_cap_usd_month", "0.0004425") == "$0.000442"
    assert readable("tokens_per_month", 20_000_000) == "20,000,000"
    assert readable("requests_per_day", "15.000000000000") == "15"
    assert readable("price_version", 1234) == "1,234"  # a version number is not money
    assert readable("error_rate_pct", 12.5) == "12.5"
    assert readable("keep_payloads", True) == "on" and readable("cost_cap_usd_month", None) == "none"
    assert readable("note", "x" * 60) == "x" * 39 + "…"
    assert change_text("monthly_fee_usd", "10", "15") == "$10.00 → $15.00"
    assert change_text("credit_usd", "10", "10.0004") == "$10 → $10.0004"  # rounding would hide it
    assert exact({"credit_usd": "10.000000000000", "plan": "pro"}) == {"credit_usd": "10", "plan": "pro"}
