"""Self-service billing: credit purchases through the payment provider, invoices, the credit
ledger, idempotency, refusals and concurrent purchases, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry, CreditTransaction, Invoice, User
from orchestrator import integrity, payments
from orchestrator.errors import Conflict, InputRejected
from orchestrator.payments import FAILED, PaymentResult
from orchestrator.services.user import billing

PAYGO = "paygo@example.com"


def ledger_sum(orch, email: str) -> Decimal:
    with orch.db.read() as s:
        uid = s.scalar(select(User.id).where(User.email == email))
        return Decimal(s.scalar(select(func.coalesce(func.sum(CreditTransaction.amount_usd), 0))
                                .where(CreditTransaction.user_id == uid)) or 0)


def test_a_purchase_writes_an_invoice_a_ledger_top_up_and_an_audit_entry(demo_users):
    orch = demo_users
    p = billing.buy_credit(orch, user=PAYGO, amount="25", idempotency_key="buy-0001-aaaa")
    assert p.balance_usd == Decimal("35.00") and not p.repeated
    inv = p.invoice
    assert (inv.kind, inv.amount_usd, inv.currency, inv.status, inv.provider) == (
        "credit", Decimal("25.00"), "USD", "succeeded", "demo")
    assert inv.provider_ref.startswith("demo_ch_")
    with orch.db.read() as s:
        top = s.scalar(select(CreditTransaction).where(CreditTransaction.invoice_id == inv.id))
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "billing.buy_credit"))
    assert (top.kind, top.amount_usd, top.actor) == ("topup", Decimal("25.00"), PAYGO)
    assert f"invoice {inv.id}" in top.note
    assert entry.actor == PAYGO and entry.target_id == PAYGO
    assert (entry.before["credit_usd"], entry.after["credit_usd"]) == ("10", "35")
    assert ledger_sum(orch, PAYGO) == Decimal("35.00") == billing.balance(orch, user=PAYGO)
    assert not [p for p in integrity.check(orch.db) if PAYGO in p]
    assert [i.id for i in billing.invoices(orch, user=PAYGO)] == [inv.id]


def test_the_same_key_twice_charges_once(demo_users):
    orch = demo_users
    first = billing.buy_credit(orch, user=PAYGO, amount="10.50", idempotency_key="dbl-click-0001")
    again = billing.buy_credit(orch, user=PAYGO, amount="10.50", idempotency_key="dbl-click-0001")
    assert again.repeated and again.invoice.id == first.invoice.id
    assert billing.balance(orch, user=PAYGO) == Decimal("20.50") == ledger_sum(orch, PAYGO)
    with orch.db.read() as s:
        assert s.scalar(select(func.count(Invoice.id))) == 1
    with pytest.raises(Conflict, match="different purchase"):
        billing.buy_credit(orch, user=PAYGO, amount="11", idempotency_key="dbl-click-0001")


@pytest.mark.parametrize("amount, message", [
    ("", "Enter an amount"), ("abc", "'abc' is not an amount"), ("NaN", "is not an amount"),
    ("0", "more than \\$0"), ("-5", "more than \\$0"), ("1.234", "whole cents"),
    ("0.50", "smallest purchase is \\$1.00"), ("500.01", "At most \\$500.00"), ("1e9", "At most \\$500.00"),
])
def test_invalid_amounts_are_refused_and_nothing_is_charged(demo_users, amount, message):
    with pytest.raises(InputRejected, match=message):
        billing.buy_credit(demo_users, user=PAYGO, amount=amount, idempotency_key="bad-amount-01")
    assert billing.balance(demo_users, user=PAYGO) == Decimal("10.00")
    assert billing.invoices(demo_users, user=PAYGO) == []


def test_amounts_keep_their_cents_exactly():
    assert billing.parse_amount("$123.5") == Decimal("123.50")
    assert billing.parse_amount(Decimal("7")) == Decimal("7.00")


def test_only_pay_as_you_go_users_buy_credit_and_keys_are_checked(demo_users):
    with pytest.raises(InputRejected, match="not pay as you go"):
        billing.buy_credit(demo_users, user="free@example.com", amount="10", idempotency_key="free-buy-0001")
    with pytest.raises(InputRejected, match="idempotency key"):
        billing.buy_credit(demo_users, user=PAYGO, amount="10", idempotency_key="x")


def test_a_declined_payment_adds_no_credit_and_says_so(demo_users, monkeypatch):
    class Declining(payments.DemoPayments):
        name = "declining"

        def charge(self, **kw):
            return PaymentResult("dec_1", FAILED, "card declined")

    monkeypatch.setitem(payments.PROVIDERS, "declining", lambda settings: Declining())
    monkeypatch.setattr(demo_users, "settings", demo_users.settings.__class__.load(
        **{**demo_users.settings.__dict__, "payments_provider": "declining"}))
    with pytest.raises(InputRejected, match="did not go through: card declined"):
        billing.buy_credit(demo_users, user=PAYGO, amount="10", idempotency_key="declined-0001")
    [inv] = billing.invoices(demo_users, user=PAYGO)
    assert (inv.status, inv.provider) == ("failed", "declining")
    assert billing.balance(demo_users, user=PAYGO) == Decimal("10.00") == ledger_sum(demo_users, PAYGO)


def test_an_unknown_payment_provider_is_a_clear_config_error(settings):
    from orchestrator.errors import ConfigError

    with pytest.raises(ConfigError, match="ORCHESTRATOR_PAYMENTS_PROVIDER is 'nope'"):
        payments.provider_for(settings.__class__.load(**{**settings.__dict__, "payments_provider": "nope"}))


def test_two_purchases_at_once_both_land(demo_users):
    orch = demo_users
    errors, barrier = [], threading.Barrier(4)

    def buy(i: int) -> None:
        try:
            barrier.wait()
            billing.buy_credit(orch, user=PAYGO, amount=str(i + 1), idempotency_key=f"concurrent-{i:04d}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert billing.balance(orch, user=PAYGO) == Decimal("20.00") == ledger_sum(orch, PAYGO)  # 10 + 1+2+3+4
    assert len(billing.invoices(orch, user=PAYGO)) == 4
