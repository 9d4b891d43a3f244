"""The payment provider interface: what the billing service asks of a processor.

A processor charges (and optionally refunds) one amount for one user, exactly once per
``idempotency_key``: the billing service sends the same key again when the same purchase is
repeated (a double click, a retry after a timeout), and a processor must then answer with the
first result instead of charging twice. Stripe's ``Idempotency-Key`` header does just that.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, runtime_checkable

SUCCEEDED, FAILED, PENDING = "succeeded", "failed", "pending"


@dataclass(frozen=True)
class Payer:
    """Who pays: what a processor needs to find or create its customer record."""

    user_id: int
    email: str
    name: str = ""


@dataclass(frozen=True)
class PaymentResult:
    """The processor's answer: its reference for the payment, and whether it went through.
    ``message`` says why it did not (shown to the user: never a secret, never raw processor text)."""

    reference: str
    status: str  # succeeded | failed | pending
    message: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == SUCCEEDED


@runtime_checkable
class PaymentProvider(Protocol):
    """A payment processor. ``name`` is stored on every invoice it settles."""

    name: str

    def charge(self, *, payer: Payer, amount: Decimal, currency: str, description: str,
               idempotency_key: str) -> PaymentResult:
        """Take ``amount`` (> 0, exact) from the payer, once per ``idempotency_key``."""
        ...

    def refund(self, *, payer: Payer, reference: str, amount: Decimal, currency: str, description: str,
               idempotency_key: str) -> PaymentResult:
        """Give back ``amount`` (> 0) of the payment ``reference``, once per ``idempotency_key``."""
        ...
