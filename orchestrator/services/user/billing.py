"""Self-service billing: a pay-as-you-go user buys credit; invoices; the payment steps that
plan changes (``plan_change.py``) share.

Every payment goes through the ``PaymentProvider`` that ``ORCHESTRATOR_PAYMENTS_PROVIDER``
selects (``orchestrator/payments``), in three steps:

1. a *pending* invoice is inserted under the request's idempotency key (unique per user, so a
   double click or a retry finds the first invoice and never charges twice);
2. the provider charges, with the same key (a real processor dedupes on it too);
3. one transaction marks the invoice and applies what it paid for: a credit purchase adds to the
   balance with one atomic ``UPDATE users SET credit_usd = credit_usd + :amount`` (two purchases
   at once both land) and a ``topup`` row in the credit ledger naming the invoice, so the balance
   stays the sum of the ledger; the audit log records who, what and the balance before and after.

Amounts are exact ``Decimal`` dollars in whole cents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, update

from db.base import utcnow
from db.models import CreditTransaction, Invoice, User
from db.session import insert_ignore
from orchestrator.errors import Conflict, InputRejected
from orchestrator.money import readable_usd, usd_str
from orchestrator.payments import FAILED, PENDING, SUCCEEDED, Payer, PaymentResult, provider_for
from orchestrator.prepare import resolve_user
from orchestrator.services.admin import audit

CURRENCY = "USD"
CENT = Decimal("0.01")
MIN_PURCHASE_USD = Decimal("1")
MAX_PURCHASE_USD = Decimal("500")
PRESET_AMOUNTS_USD = (Decimal("5"), Decimal("10"), Decimal("25"), Decimal("50"))
_KEY = re.compile(r"[A-Za-z0-9_.:-]{8,48}")
_DECLINED = "The payment did not go through"


@dataclass(frozen=True)
class InvoiceInfo:
    id: int
    kind: str  # plan | credit
    plan_code: str | None
    amount_usd: Decimal  # negative: a refund
    currency: str
    status: str
    provider: str
    provider_ref: str | None
    description: str
    created_at: datetime

    @property
    def is_refund(self) -> bool:
        return self.amount_usd < 0

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "plan": self.plan_code, "amount_usd": usd_str(self.amount_usd),
                "currency": self.currency, "status": self.status, "provider": self.provider,
                "reference": self.provider_ref, "description": self.description,
                "created_at": self.created_at.isoformat()}


def _info(inv: Invoice) -> InvoiceInfo:
    return InvoiceInfo(inv.id, inv.kind, inv.plan_code, inv.amount_usd, inv.currency, inv.status, inv.provider,
                       inv.provider_ref, inv.description, inv.created_at)


def parse_amount(value: str | int | Decimal | None) -> Decimal:
    """A credit purchase amount: dollars in whole cents, from $1.00 to $500.00."""
    text = "" if value is None else str(value).strip().replace(",", "").lstrip("$").strip()
    if not text:
        raise InputRejected("Enter an amount in dollars, for example 20.")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InputRejected(f"'{value}' is not an amount in dollars.") from None
    if not amount.is_finite():
        raise InputRejected(f"'{value}' is not an amount in dollars.")
    if amount <= 0:
        raise InputRejected("The amount must be more than $0.")
    if amount != amount.quantize(CENT):
        raise InputRejected(f"Amounts are in whole cents: '{value}' has more than two decimals.")
    if amount < MIN_PURCHASE_USD:
        raise InputRejected(f"The smallest purchase is {readable_usd(MIN_PURCHASE_USD)}.")
    if amount > MAX_PURCHASE_USD:
        raise InputRejected(f"At most {readable_usd(MAX_PURCHASE_USD)} of credit can be bought at once.")
    return amount.quantize(CENT)


def check_key(key: str) -> str:
    """The idempotency key a page (or API client) sends with one purchase: 8-48 letters, digits, ``_.:-``."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InputRejected("A purchase needs an idempotency key of 8 to 48 letters, digits or _.:- "
                            "(the same key for a repeated click, a new one for a new purchase).")
    return key


def payer(row: User) -> Payer:
    return Payer(user_id=row.id, email=row.email, name=row.name or "")


# ------------------------------------------------------------- the payment steps


def open_invoice(orch, *, user_id: int, kind: str, amount: Decimal, key: str, description: str,
                 provider: str, plan_code: str | None = None) -> tuple[InvoiceInfo, bool]:
    """Step 1: the pending invoice for ``key``, or the one already there (then False)."""
    with orch.db.write() as s:
        created = insert_ignore(s, Invoice, dict(
            user_id=user_id, kind=kind, plan_code=plan_code, amount_usd=amount, currency=CURRENCY,
            status=PENDING, provider=provider, idempotency_key=key, description=description[:200],
            created_at=utcnow()))
        inv = s.scalar(select(Invoice).where(Invoice.user_id == user_id, Invoice.idempotency_key == key))
        return _info(inv), created


def repeated(inv: InvoiceInfo, *, kind: str, amount: Decimal) -> InvoiceInfo:
    """A request whose key already has an invoice: the same purchase again gets the first result."""
    if inv.kind != kind or inv.amount_usd != amount:
        raise Conflict("This purchase key was already used for a different purchase; reload the page and try again.")
    if inv.status == PENDING:
        raise Conflict("This payment is still being processed; reload the page in a moment.")
    if inv.status == FAILED:
        raise InputRejected(f"{_DECLINED}; nothing was charged. Try again.")
    return inv


def settle(provider, call) -> PaymentResult:
    """Step 2: the provider's answer; a provider that raises counts as a failed payment
    (its exception text is not shown: it may name the processor's internals)."""
    try:
        result = call()
    except Exception:  # noqa: BLE001 - any processor failure is a declined payment here
        return PaymentResult(reference="", status=FAILED, message="the payment processor did not answer")
    if result.status not in (SUCCEEDED, FAILED, PENDING):
        return PaymentResult(result.reference, FAILED, "the payment processor gave an unknown answer")
    return result


def mark(s, invoice_id: int, result: PaymentResult) -> Invoice:
    """Step 3 (inside the caller's transaction): the invoice takes the provider's answer."""
    inv = s.get(Invoice, invoice_id)
    inv.status = result.status
    inv.provider_ref = result.reference or None
    return inv


def declined(result: PaymentResult) -> InputRejected:
    why = f": {result.message}" if result.message else ""
    if result.status == PENDING:
        return Conflict(f"The payment is waiting for the processor{why}; the change is applied once it completes.")
    return InputRejected(f"{_DECLINED}{why}. Nothing was charged.")


# ------------------------------------------------------------- credit


@dataclass(frozen=True)
class Purchase:
    invoice: InvoiceInfo
    balance_usd: Decimal  # the credit balance after the purchase
    repeated: bool = False  # True: this key was already paid; nothing was charged again


def buy_credit(orch, *, user: str | int, amount: str | Decimal, idempotency_key: str) -> Purchase:
    """A pay-as-you-go user buys ``amount`` of credit (see the module docstring)."""
    row, plan = resolve_user(orch.db, user)
    if not plan.uses_credit:
        raise InputRejected(f"Your plan ({plan.name}) is not pay as you go, so it has no credit to buy.")
    amt = parse_amount(amount)
    key = check_key(idempotency_key)
    provider = provider_for(orch.settings)
    description = f"Credit {readable_usd(amt)}"
    inv, created = open_invoice(orch, user_id=row.id, kind="credit", amount=amt, key=key,
                                description=description, provider=provider.name)
    if not created:
        return Purchase(repeated(inv, kind="credit", amount=amt), balance(orch, user=row.id), repeated=True)
    result = settle(provider, lambda: provider.charge(payer=payer(row), amount=amt, currency=CURRENCY,
                                                      description=description, idempotency_key=key))
    with orch.db.write() as s:
        invoice = mark(s, inv.id, result)
        if not result.succeeded:
            audit.record(s, actor=row.email, action="billing.payment_failed", target_type="user",
                         target_id=row.email, after={"invoice_id": inv.id, "amount_usd": amt,
                                                     "status": result.status, "provider": provider.name})
        else:
            new = s.execute(update(User).where(User.id == row.id)
                            .values(credit_usd=User.credit_usd + amt).returning(User.credit_usd)).scalar_one()
            s.add(CreditTransaction(user_id=row.id, amount_usd=amt, kind="topup", actor=row.email,
                                    note=f"credit purchase, invoice {inv.id}", invoice_id=inv.id))
            audit.record(s, actor=row.email, action="billing.buy_credit", target_type="user", target_id=row.email,
                         before={"credit_usd": new - amt},
                         after={"credit_usd": new, "amount_usd": amt, "invoice_id": inv.id,
                                "provider": provider.name, "reference": result.reference})
        s.flush()
        info = _info(invoice)
    if not result.succeeded:
        raise declined(result)
    return Purchase(info, balance(orch, user=row.id))


def balance(orch, *, user: str | int) -> Decimal:
    row, _plan = resolve_user(orch.db, user)
    return row.credit_usd


def invoices(orch, *, user: str | int, limit: int = 50) -> list[InvoiceInfo]:
    """The user's invoices, newest first (pending and failed ones included: they say so)."""
    row, _plan = resolve_user(orch.db, user)
    with orch.db.read() as s:
        rows = s.scalars(select(Invoice).where(Invoice.user_id == row.id)
                         .order_by(Invoice.created_at.desc(), Invoice.id.desc()).limit(limit)).all()
        return [_info(r) for r in rows]
