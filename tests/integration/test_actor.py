"""Every admin command checks its actor itself: called directly, without any page, a plain
user and a deactivated admin are refused, a plain admin is refused credentials, and what
was allowed is audited under the actor's name."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry
from orchestrator.errors import PermissionDenied
from orchestrator.routing import RouteStep
from orchestrator.services.admin import (admin_providers, admin_users, alert_channels, alerts, api_tokens, catalog,
                                         plans, policy, price_changes, price_sync, providers, security,
                                         users)
from orchestrator.services.actor import Actor, require
from orchestrator.services.admin import demo
from tests.admin_commands import admin_commands
from tests.alert_support import plant_channel
from tests.support import acting, operator

KEY = "sk-proj-ActorTestKey0123456789abcdef"
OFF = [RouteStep("offline", "offline-engine-v1")]

# One call per admin command, with arguments that would succeed for a super admin.
CALLS: dict[str, Callable] = {
    "users.add_user": lambda o, a: users.add_user(o, email="new@example.com", plan="freemium", actor=a),
    "users.set_plan": lambda o, a: users.set_plan(o, email="free@example.com", plan="pro", actor=a),
    "users.set_role": lambda o, a: users.set_role(o, email="free@example.com", role="admin", actor=a),
    "users.set_active": lambda o, a: users.set_active(o, email="free@example.com", active=False, actor=a),
    "users.set_password": lambda o, a: users.set_password(o, email="free@example.com", password="n3w-pass",
                                                          actor=a),
    "users.top_up": lambda o, a: users.top_up(o, email="paygo@example.com", amount_usd="1", actor=a),
    "admin_users.set_overrides": lambda o, a: admin_users.set_overrides(o, email="free@example.com",
                                                                        requests_per_day=5, actor=a),
    "admin_users.clear_overrides": lambda o, a: admin_users.clear_overrides(o, email="free@example.com", actor=a),
    "admin_users.create_user": lambda o, a: admin_users.create_user(o, email="new2@example.com", plan="pro",
                                                                    actor=a),
    "admin_users.change_role": lambda o, a: admin_users.change_role(o, email="pro@example.com", role="admin",
                                                                    actor=a),
    "admin_users.change_active": lambda o, a: admin_users.change_active(o, email="pro@example.com", active=False,
                                                                        actor=a),
    "admin_users.change_plan": lambda o, a: admin_users.change_plan(o, email="free@example.com", plan="paygo",
                                                                    actor=a),
    "admin_users.top_up": lambda o, a: admin_users.top_up(o, email="paygo@example.com", amount_usd="1", actor=a),
    "plans.set_limits": lambda o, a: plans.set_limits(o, code="freemium", requests_per_day=5, actor=a),
    "alerts.set_thresholds": lambda o, a: alerts.set_thresholds(o, min_calls=7, actor=a),
    "catalog.set_price": lambda o, a: catalog.set_price(o, kind="openai", model="gpt-5", input_usd="1",
                                                        output_usd="2", actor=a),
    "catalog.clear_override": lambda o, a: catalog.clear_override(o, kind="openai", model="gpt-5", actor=a),
    "catalog.add_model": lambda o, a: catalog.add_model(o, kind="openai_compatible", model="m-1", actor=a),
    "catalog.update_model": lambda o, a: catalog.update_model(o, kind="openai", model="gpt-5", tier="quality",
                                                              actor=a),
    "catalog.set_active": lambda o, a: catalog.set_active(o, kind="openai", model="gpt-5", active=False, actor=a),
    "price_sync.sync": lambda o, a: price_sync.sync(o, apply=True, actor=a),
    "price_changes.reprice": lambda o, a: price_changes.reprice(o, kind="openai", model="gpt-5", start="2026-01-01",
                                                                end="2026-01-02", reason="fix", confirm=True,
                                                                actor=a),
    "policy.save": lambda o, a: policy.save(o, {("freemium", "extract_job"): OFF}, actor=a),
    "policy.set_chain": lambda o, a: policy.set_chain(o, plan="freemium", task="extract_job", steps=OFF, actor=a),
    "policy.revert": lambda o, a: policy.revert(o, 1, actor=a),
    "providers.add_provider": lambda o, a: providers.add_provider(o, name="p1", kind="openai_compatible",
                                                                  base_url="http://127.0.0.1:9/v1", actor=a),
    "providers.update_provider": lambda o, a: providers.update_provider(o, "openai", priority=5, actor=a),
    "providers.remove_provider": lambda o, a: providers.remove_provider(o, "spare", actor=a),
    "providers.check_credentials": lambda o, a: providers.check_credentials(o, "spare", model="m", actor=a),
    "providers.rotate_keys": lambda o, a: providers.rotate_keys(o, actor=a),
    "admin_providers.create_provider": lambda o, a: admin_providers.create_provider(
        o, name="p2", kind="openai_compatible", base_url="http://127.0.0.1:9/v1", actor=a),
    "admin_providers.edit_provider": lambda o, a: admin_providers.edit_provider(o, name="openai", priority=7,
                                                                                actor=a),
    "admin_providers.set_active": lambda o, a: admin_providers.set_active(o, name="openai", active=False, actor=a),
    "admin_providers.set_key": lambda o, a: admin_providers.set_key(o, name="openai", api_key=KEY, actor=a),
    "admin_providers.clear_key": lambda o, a: admin_providers.clear_key(o, name="openai", actor=a),
    "admin_providers.test_credentials": lambda o, a: admin_providers.test_credentials(o, name="spare", model="m",
                                                                                      actor=a),
    "admin_providers.delete_provider": lambda o, a: admin_providers.delete_provider(o, name="spare", actor=a),
    "admin_providers.add_models": lambda o, a: admin_providers.add_models(o, name="spare", models="m-2", actor=a),
    "admin.api_tokens.create_for": lambda o, a: api_tokens.create_for(o, email="free@example.com", name="ci",
                                                                      actor=a),
    "admin.api_tokens.revoke": lambda o, a: api_tokens.revoke(o, token_id=_a_token(o), actor=a),
    "security.set_private_urls": lambda o, a: security.set_private_urls(o, allowed=True, actor=a),
    "security.unlock_sign_in": lambda o, a: security.unlock_sign_in(o, scope="account", subject="x@example.com",
                                                                    actor=a),
    "alert_channels.add_webhook": lambda o, a: alert_channels.add_webhook(o, url="http://127.0.0.1:9/hook",
                                                                          secret="s3cret-signing", actor=a),
    "alert_channels.add_email": lambda o, a: alert_channels.add_email(o, to="ops@example.com", actor=a),
    "alert_channels.remove_channel": lambda o, a: alert_channels.remove_channel(o, channel_id=plant_channel(o),
                                                                                actor=a),
    "alert_channels.send_test": lambda o, a: alert_channels.send_test(o, channel_id=plant_channel(o), actor=a),
    "alert_channels.rotate_secrets": lambda o, a: alert_channels.rotate_secrets(o, actor=a),
    "demo.set_enabled": lambda o, a: demo.set_enabled(o, enabled=False, actor=a),
    "demo.set_outage": lambda o, a: demo.set_outage(o, provider=_demo_on(o), outage=None, actor=a),
}

def _demo_on(orch) -> str:
    """Demo mode stored as on (outages need it); the name of a demo provider."""
    from orchestrator import settings_store

    settings_store.put(orch.db, "demo_mode", {"enabled": True})
    return "demo-openai"


# What a plain admin may not do: anything that decides which key is sent where.
CREDENTIALS: dict[str, Callable] = {
    "set_key": lambda o, a: admin_providers.set_key(o, name="openai", api_key=KEY, actor=a),
    "clear_key": lambda o, a: admin_providers.clear_key(o, name="keyed", actor=a),
    "test_credentials": lambda o, a: admin_providers.test_credentials(o, name="keyed", actor=a),
    "create with key": lambda o, a: admin_providers.create_provider(o, name="k2", kind="openai", api_key=KEY,
                                                                    actor=a),
    "create with key variable": lambda o, a: admin_providers.create_provider(o, name="k3", kind="openai",
                                                                             api_key_env="MY_KEY", actor=a),
    "key variable": lambda o, a: admin_providers.edit_provider(o, name="openai", api_key_env="OTHER_KEY", actor=a),
    "base URL of a keyed provider": lambda o, a: admin_providers.edit_provider(
        o, name="keyed", base_url="http://evil.example.com/v1", actor=a),
    "add_provider with key": lambda o, a: providers.add_provider(o, name="k4", kind="openai", api_key=KEY, actor=a),
    "update_provider key": lambda o, a: providers.update_provider(o, "openai", api_key=KEY, actor=a),
    "update_provider clears key": lambda o, a: providers.update_provider(o, "keyed", api_key=None, actor=a),
    "update_provider base URL": lambda o, a: providers.update_provider(o, "keyed", base_url="http://x.test/v1",
                                                                       actor=a),
    "check_credentials": lambda o, a: providers.check_credentials(o, "keyed", actor=a),
    "rotate_keys": lambda o, a: providers.rotate_keys(o, actor=a),
    "private URL fetching": lambda o, a: security.set_private_urls(o, allowed=True, actor=a),
}


@pytest.fixture
def world(demo_users):
    """Demo accounts, a keyless spare provider, a keyed provider, a plain admin ops@ and a token of pro@."""
    orch = demo_users
    providers.add_provider(orch, name="spare", kind="openai_compatible", base_url="http://127.0.0.1:9/v1",
                           actor=operator())
    providers.add_provider(orch, name="keyed", kind="openai", base_url="http://127.0.0.1:9/v1", api_key=KEY,
                           actor=operator())
    users.add_user(orch, email="ops@example.com", plan="pro", role="admin", actor=operator())
    api_tokens.create_for(orch, email="pro@example.com", actor=operator())
    return orch


def _a_token(orch) -> int:
    """The id of pro@'s token, made by the world fixture."""
    return api_tokens.list_for(orch, email="pro@example.com", actor=operator())[0].id


def _audit_count(orch) -> int:
    with orch.db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry))


def test_the_table_covers_every_admin_command():
    assert set(CALLS) == admin_commands()


@pytest.mark.parametrize("command", sorted(CALLS))
def test_a_super_admin_may_run_every_admin_command(world, command):
    """The table's calls are valid: the refusals below are about the actor, nothing else."""
    CALLS[command](world, acting(world, "admin@example.com"))


@pytest.mark.parametrize("command", sorted(CALLS))
def test_a_plain_user_is_refused_every_admin_command(world, command):
    before = _audit_count(world)
    with pytest.raises(PermissionDenied):
        CALLS[command](world, acting(world, "free@example.com"))
    assert _audit_count(world) == before  # refused before anything changed


@pytest.mark.parametrize("command", sorted(CALLS))
def test_a_deactivated_admin_is_refused_every_admin_command(world, command):
    ops = acting(world, "ops@example.com")  # signed in while still active
    users.set_active(world, email="ops@example.com", active=False, actor=operator())
    before = _audit_count(world)
    with pytest.raises(PermissionDenied):
        CALLS[command](world, ops)
    assert _audit_count(world) == before


@pytest.mark.parametrize("what", sorted(CREDENTIALS))
def test_a_plain_admin_is_refused_credentials(world, what):
    before = _audit_count(world)
    with pytest.raises(PermissionDenied, match="super admin"):
        CREDENTIALS[what](world, acting(world, "ops@example.com"))
    assert _audit_count(world) == before


def test_a_plain_admin_may_change_what_is_not_a_credential_and_is_audited(world):
    ops = acting(world, "ops@example.com")
    admin_providers.edit_provider(world, name="keyed", priority=3, timeout_s=20, actor=ops)
    admin_providers.edit_provider(world, name="spare", base_url="http://127.0.0.1:10/v1", actor=ops)  # no key
    plans.set_limits(world, code="freemium", requests_per_day=9, actor=ops)
    with world.db.read() as s:
        who = set(s.scalars(select(AuditEntry.actor).where(AuditEntry.action.in_(
            ["provider.update", "plan.set_limits"]))).all())
    assert who == {"ops@example.com"}


def test_the_role_comes_from_the_database_not_from_the_actor(world):
    free = users.get_user(world, email="free@example.com")
    forged = Actor(label="free@example.com", user_id=free.id, email=free.email, role="super_admin")
    with pytest.raises(PermissionDenied):
        plans.set_limits(world, code="freemium", requests_per_day=1, actor=forged)
    ops = acting(world, "ops@example.com")
    users.set_role(world, email="ops@example.com", role="super_admin", actor=operator())
    assert require(world, ops, "super_admin") == "super_admin"  # promoted a moment ago: allowed now
    users.set_role(world, email="ops@example.com", role="user", actor=operator())
    with pytest.raises(PermissionDenied):
        require(world, ops)


def test_an_actor_is_required_not_a_name(world):
    with pytest.raises(TypeError):
        plans.set_limits(world, code="freemium", requests_per_day=1, actor="admin@example.com")
    with pytest.raises(TypeError):
        plans.set_limits(world, code="freemium", requests_per_day=1)  # no default actor


def test_the_operator_is_a_super_admin_and_audited_as_cli(world):
    op = Actor.operator("alice")
    assert require(world, op, "super_admin") == "super_admin" and op.label == "cli:alice"
    admin_providers.set_key(world, name="openai", api_key=KEY, actor=op)
    with world.db.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "provider.update")
                          .order_by(AuditEntry.id.desc())).first()
    assert entry.actor == "cli:alice" and entry.after.get("key_changed") is True


def test_role_rules_hold_below_the_console(world):
    """The super-admin and self rules live in ``services.users``, so the CLI-level functions keep them."""
    ops = acting(world, "ops@example.com")
    with pytest.raises(PermissionDenied, match="super admin"):
        users.set_role(world, email="pro@example.com", role="super_admin", actor=ops)
    with pytest.raises(PermissionDenied, match="super admin"):
        users.add_user(world, email="boss@example.com", plan="pro", role="super_admin", actor=ops)
    with pytest.raises(PermissionDenied, match="super admin"):
        users.set_password(world, email="admin@example.com", password="taken-over", actor=ops)
    with pytest.raises(PermissionDenied, match="super admin"):
        users.set_active(world, email="admin@example.com", active=False, actor=ops)
    from orchestrator.errors import InputRejected

    with pytest.raises(InputRejected, match="own role"):
        users.set_role(world, email="ops@example.com", role="user", actor=ops)
    with pytest.raises(InputRejected, match="deactivate your own"):
        users.set_active(world, email="ops@example.com", active=False, actor=ops)
