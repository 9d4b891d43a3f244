"""Demo payments: a processor that completes every payment at once, without any card or network.

It keeps nothing itself: its reference is derived from the idempotency key, so the same key
always gives the same reference (the billing service's invoice is the record). For demos and
tests only; a deployment taking real money selects a real processor (see ``orchestrator.payments``).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from orchestrator.payments.base import SUCCEEDED, Payer, PaymentResult


class DemoPayments:
    name = "demo"

    @staticmethod
    def _reference(prefix: str, payer: Payer, key: str) -> str:
        return f"{prefix}_{hashlib.sha256(f'{payer.user_id}:{key}'.encode()).hexdigest()[:20]}"

    def charge(self, *, payer: Payer, amount: Decimal, currency: str, description: str,
               idempotency_key: str) -> PaymentResult:
        return PaymentResult(self._reference("demo_ch", payer, idempotency_key), SUCCEEDED)

    def refund(self, *, payer: Payer, reference: str, amount: Decimal, currency: str, description: str,
               idempotency_key: str) -> PaymentResult:
        return PaymentResult(self._reference("demo_re", payer, idempotency_key), SUCCEEDED)
