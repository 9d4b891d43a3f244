"""Shared test data."""

import io

POSTING = """Senior Python Engineer
Acme Analytics GmbH — Berlin, Germany (Hybrid, 2 days in office)
Full-time · €70,000 – €90,000 per year

About the role
We are looking for a Senior Python Engineer to build our data platform.

Responsibilities
- Design and build REST APIs in Python and FastAPI
- Own our PostgreSQL data model and its performance
- Run services on Kubernetes with CI/CD

Requirements
- 5+ years of professional Python experience
- Strong SQL and PostgreSQL skills
- Experience with Docker and Kubernetes

Benefits
- 30 days of vacation
- Learning budget of €1,500 per year
"""


def png(width: int = 64, height: int = 32) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (240, 240, 250)).save(buf, format="PNG")
    return buf.getvalue()


def operator(name: str = "test"):
    """The CLI operator as an actor (counts as a super admin; audited as ``cli:<name>``)."""
    from orchestrator.services.actor import Actor

    return Actor.operator(name)


def acting(orch, email: str = "admin@example.com"):
    """A signed-in user as an actor (the demo super admin by default), as a page would pass it."""
    from orchestrator.services.actor import Actor
    from orchestrator.services.admin.users import get_user

    return Actor.of(get_user(orch, email=email))
