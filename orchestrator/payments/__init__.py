"""Payment providers behind one interface (``base.PaymentProvider``).

The billing service (``orchestrator/services/user/billing.py``) asks ``provider_for(settings)``
for the processor named by ``ORCHESTRATOR_PAYMENTS_PROVIDER`` (default ``demo``: payments
complete at once, nothing is charged). A real processor is a class with ``name``, ``charge`` and
``refund`` (e.g. ``orchestrator/payments/stripe.py`` calling Stripe's PaymentIntents and Refunds
with the idempotency key it is given), registered here in ``PROVIDERS`` under the name the
setting selects. Its keys come from the environment like every other secret.
"""

from __future__ import annotations

from collections.abc import Callable

from orchestrator.errors import ConfigError
from orchestrator.payments.base import FAILED, PENDING, SUCCEEDED, Payer, PaymentProvider, PaymentResult
from orchestrator.payments.demo import DemoPayments

__all__ = ["FAILED", "PENDING", "PROVIDERS", "SUCCEEDED", "DemoPayments", "Payer", "PaymentProvider",
           "PaymentResult", "provider_for", "register"]

# name -> factory taking the Settings (a real processor reads its keys from them)
PROVIDERS: dict[str, Callable[..., PaymentProvider]] = {"demo": lambda settings: DemoPayments()}


def register(name: str, factory: Callable[..., PaymentProvider]) -> None:
    """Make a processor selectable as ``ORCHESTRATOR_PAYMENTS_PROVIDER=<name>``."""
    PROVIDERS[name] = factory


def provider_for(settings) -> PaymentProvider:
    name = (getattr(settings, "payments_provider", None) or "demo").strip().lower()
    factory = PROVIDERS.get(name)
    if factory is None:
        raise ConfigError(f"ORCHESTRATOR_PAYMENTS_PROVIDER is '{name}', which is not a payment provider; "
                          f"expected one of: {', '.join(sorted(PROVIDERS))}.")
    return factory(settings)
