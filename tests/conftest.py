"""Test-wide guards and fixtures.

The network guard makes any connection beyond loopback fail loudly: tests
drive the real SDKs against the loopback simulator, never a real provider.
"""

from __future__ import annotations

import ipaddress
import os
import socket

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _allowed(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX
        return True
    host = address[0]
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self, address):
    if not _allowed(address):
        raise ConnectionRefusedError(f"tests may only reach loopback, not {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _allowed(address):
        raise ConnectionRefusedError(f"tests may only reach loopback, not {address!r}")
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]

# Provider SDKs honour these and would silently redirect clients; tests must not inherit them.
for _var in ("OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GOOGLE_GEMINI_BASE_URL",
             "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY"):
    os.environ.pop(_var, None)


@pytest.fixture
def anyio_backend():
    return "asyncio"


# ----------------------------------------------------------------- databases
#
# Integration tests take the ``orch`` fixture, which runs them once on SQLite
# and once on PostgreSQL when TEST_DATABASE_URL is set (CI sets it, and sets
# REQUIRE_POSTGRES=1 so that a missing PostgreSQL fails instead of skipping).
# Each test gets a fresh database cloned from a migrated, seeded template.

import shutil  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

from cryptography.fernet import Fernet  # noqa: E402

TEST_MASTER_KEY = Fernet.generate_key().decode()


def test_settings(tmp_path: Path, **overrides):
    from orchestrator.config import Settings

    base = dict(data_dir=tmp_path, master_keys=(TEST_MASTER_KEY,), backoff_base_s=0.01, backoff_max_s=0.05,
                request_deadline_s=30.0, attempt_timeout_s=10.0)
    base.update(overrides)
    return Settings.load(**base)


test_settings.__test__ = False  # a helper, not a test


def _pg_admin_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    from db.migrate import upgrade
    from orchestrator.seeding.seed import seed_base
    from db.session import Database

    path = tmp_path_factory.mktemp("tmpl") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    seed_base(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template():
    url = _pg_admin_url()
    if not url:
        yield None
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from db.migrate import upgrade
    from orchestrator.seeding.seed import seed_base
    from db.session import Database, normalize_url

    base = make_url(normalize_url(url))
    name = f"{base.database}_tmpl_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    db = Database(base.set(database=name).render_as_string(hide_password=False))
    upgrade(db)
    seed_base(db)
    db.dispose()
    yield admin, base, name
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _backends():
    return ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=_backends())
def database_url(request, tmp_path, sqlite_template):
    """A fresh, migrated, base-seeded database URL on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "app.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    tmpl = request.getfixturevalue("pg_template")
    if tmpl is None:
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
        pytest.skip("TEST_DATABASE_URL not set")
    admin, base, template = tmpl
    name = f"{base.database}_t_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(tmp_path):
    return test_settings(tmp_path)


@pytest.fixture
def orch(database_url, settings):
    from orchestrator import Orchestrator

    o = Orchestrator(database_url=database_url, settings=settings)
    yield o
    o.close()


@pytest.fixture
def demo_users(orch):
    """The four demo accounts with profiles (no history: fast)."""
    from orchestrator.seeding.demo import _accounts

    _accounts(orch)
    return orch


@pytest.fixture
def png_bytes() -> bytes:
    from tests.support import png

    return png()


# ------------------------------------------------------------------ simulator


@pytest.fixture(scope="session")
def sim():
    """The vendors' simulator (checks keys), with ``sim.local``: a keyless
    OpenAI-compatible server standing in for Ollama or vLLM."""
    from orchestrator.simulator import Simulator
    from tests.sim_support import SIM_KEYS

    s = Simulator(valid_keys=dict(SIM_KEYS)).start()
    s.local = Simulator().start()
    yield s
    s.local.stop()
    s.stop()


@pytest.fixture
def fresh_sim(sim):
    sim.reset()
    sim.local.reset()
    yield sim
    sim.reset()
    sim.local.reset()


@pytest.fixture
def sim_orch(orch, fresh_sim):
    from tests.sim_support import add_sim_providers

    add_sim_providers(orch, fresh_sim)
    return orch
