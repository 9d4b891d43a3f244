"""Who is calling: a personal API token (``Authorization: Bearer aio_pat_...``), checked
against the database on every request, so revocation, expiry and deactivation apply at
once on every app process. The role is re-read from the database too, as every admin
command does (``services/actor.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.http.errors import Unauthenticated
from orchestrator.origin import Origin
from orchestrator.services.actor import Actor
from orchestrator.services.admin.users import UserInfo
from orchestrator.services.user import api_tokens


@dataclass(frozen=True)
class Caller:
    """The user behind a request, and what the ledger records as its origin."""

    user: UserInfo
    token_id: int

    @property
    def origin(self) -> Origin:
        return Origin.token(self.token_id)

    @property
    def actor(self) -> Actor:
        return Actor.of(self.user)


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def caller_of(orch, authorization: str | None) -> Caller:
    """The caller of a request with this ``Authorization`` header, or ``Unauthenticated``."""
    token = bearer_token(authorization)
    if token is None:
        raise Unauthenticated("Send a personal API token as 'Authorization: Bearer <token>'. "
                              "Create one on the Plan and usage page.")
    try:
        found = api_tokens.authenticate(orch, token)
    except Exception as exc:  # CredentialError: one message whatever the reason
        raise Unauthenticated(str(exc)) from None
    return Caller(user=found.user, token_id=found.token_id)
