"""Sign-in abuse: guessing is throttled per account and per client address, in the database
(so every app process counts the same), locks are audited, the password check runs outside
any write transaction, and a password change signs the account out everywhere else."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from db.models import AuditEntry, SignInThrottle
from orchestrator.config import Settings
from orchestrator.errors import ConfigError, CredentialError
from orchestrator.services.admin import security, users
from orchestrator.services.user import sessions, sign_in
from orchestrator.services.user.sign_in import SignInLocked
from tests.conftest import TEST_MASTER_KEY
from tests.support import acting, operator


def _fail(orch, email="free@example.com", times=1, client="203.0.113.7"):
    for _ in range(times):
        with pytest.raises(CredentialError):
            sign_in.authenticate(orch, email=email, password="wrong", client=client)


def _locks(orch, action="sign_in.locked"):
    with orch.db.read() as s:
        return s.execute(select(AuditEntry.target_type, AuditEntry.target_id)
                         .where(AuditEntry.action == action)).all()


def test_ten_failures_lock_the_account_even_for_the_right_password(demo_users):
    orch = demo_users
    _fail(orch, times=9)
    with pytest.raises(SignInLocked, match="locked for 15 minutes") as locked:
        sign_in.authenticate(orch, email="free@example.com", password="wrong", client="203.0.113.7")
    assert 14 * 60 < locked.value.retry_after_s <= 15 * 60
    with pytest.raises(SignInLocked, match=r"Sign-in is locked for 15 minutes"):
        sign_in.authenticate(orch, email="free@example.com", password="demo", client="198.51.100.1")
    assert _locks(orch) == [("account", "free@example.com")]
    # other accounts are untouched
    assert sign_in.authenticate(orch, email="pro@example.com", password="demo").email == "pro@example.com"


def test_the_last_attempts_are_announced_and_the_lock_ends(demo_users):
    orch = demo_users
    _fail(orch, times=6)
    with pytest.raises(CredentialError, match="3 more failed attempts will lock"):
        sign_in.authenticate(orch, email="FREE@example.com ", password="nope")
    _fail(orch, times=3)
    with orch.db.write() as s:  # fifteen minutes later
        s.execute(update(SignInThrottle).values(locked_until=datetime.now(UTC) - timedelta(seconds=1)))
    assert sign_in.authenticate(orch, email="free@example.com", password="demo").email == "free@example.com"


def test_a_success_resets_the_account_count(demo_users):
    orch = demo_users
    _fail(orch, times=9)
    sign_in.authenticate(orch, email="free@example.com", password="demo", client="203.0.113.7")
    _fail(orch, times=9)
    assert sign_in.authenticate(orch, email="free@example.com", password="demo").email == "free@example.com"


def test_unknown_accounts_are_counted_like_real_ones(demo_users):
    """The answer never tells whether an account exists."""
    orch = demo_users
    _fail(orch, email="nobody@example.com", times=9)
    with pytest.raises(SignInLocked):
        sign_in.authenticate(orch, email="nobody@example.com", password="x")


def test_one_client_is_stopped_after_fifty_failures_without_locking_others_out(demo_users):
    orch = demo_users
    emails = [f"guess{i}@example.com" for i in range(6)]
    for n in range(49):
        _fail(orch, email=emails[n % 6], client="192.0.2.9")
    with pytest.raises(SignInLocked, match="from your network"):
        sign_in.authenticate(orch, email="pro@example.com", password="wrong", client="192.0.2.9")
    with pytest.raises(SignInLocked, match="from your network"):  # even the right password, from there
        sign_in.authenticate(orch, email="pro@example.com", password="demo", client="192.0.2.9")
    # the accounts it tried are not locked for anybody else, and other addresses sign in as usual
    assert sign_in.authenticate(orch, email="pro@example.com", password="demo", client="192.0.2.10")
    assert ("client", "192.0.2.9") in _locks(orch)


def test_the_client_limit_must_be_at_least_five_times_the_account_limit(tmp_path):
    with pytest.raises(ConfigError, match="at least 5 times"):
        Settings.load(data_dir=tmp_path, sign_in_max_failures=10, sign_in_client_max_failures=40)


def test_the_count_is_shared_by_every_process(demo_users, database_url, tmp_path):
    """Five failures in another process plus five here lock the account here."""
    orch = demo_users
    code = (
        "from orchestrator import Orchestrator\n"
        "from orchestrator.services.user import sign_in\n"
        f"o = Orchestrator(database_url={database_url!r})\n"
        "for _ in range(5):\n"
        "    try: sign_in.authenticate(o, email='free@example.com', password='bad')\n"
        "    except Exception as e: print(type(e).__name__)\n"
    )
    env = {"ORCHESTRATOR_MASTER_KEY": TEST_MASTER_KEY, "ORCHESTRATOR_DATA_DIR": str(tmp_path),
           "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                         cwd=str(Settings.load().data_dir.parent))
    assert out.stdout.split() == ["CredentialError"] * 5, out.stderr[-2000:]
    _fail(orch, times=5)
    with pytest.raises(SignInLocked):
        sign_in.authenticate(orch, email="free@example.com", password="demo")


def test_the_password_check_runs_outside_any_write_transaction(demo_users, monkeypatch):
    """A slow hash does not hold the write lock: a concurrent write goes through at once."""
    orch = demo_users
    started = threading.Event()
    real_verify = sign_in.passwords.verify

    def slow_verify(hash_, password):
        started.set()
        time.sleep(1.0)
        return real_verify(hash_, password)

    monkeypatch.setattr(sign_in.passwords, "verify", slow_verify)
    worker = threading.Thread(target=lambda: sign_in.authenticate(orch, email="free@example.com", password="demo"))
    worker.start()
    assert started.wait(5)
    t0 = time.monotonic()
    users.top_up(orch, email="paygo@example.com", amount_usd="1", actor=operator())
    waited = time.monotonic() - t0
    worker.join(10)
    assert waited < 0.5, f"a write waited {waited:.2f} s behind a password check"


def test_locks_can_be_lifted_by_an_admin_and_are_listed(demo_users):
    orch = demo_users
    _fail(orch, times=10)
    admin = acting(orch, "admin@example.com")
    assert [(lock.scope, lock.subject) for lock in security.sign_in_locks(orch, actor=admin)] == [
        ("account", "free@example.com")]
    assert security.unlock_sign_in(orch, scope="account", subject="free@example.com", actor=admin)
    assert sign_in.authenticate(orch, email="free@example.com", password="demo")
    assert _locks(orch, "sign_in.unlock") == [("account", "free@example.com")]


def _session(orch, email):
    return sessions.create_session(orch, user_id=users.get_user(orch, email=email).id)[0]


def test_changing_ones_password_signs_out_every_other_session(demo_users):
    orch = demo_users
    mine, laptop, phone = (_session(orch, "free@example.com") for _ in range(3))
    other_user = _session(orch, "pro@example.com")
    user_id = users.get_user(orch, email="free@example.com").id
    with pytest.raises(CredentialError):
        sign_in.change_password(orch, user_id=user_id, current_password="wrong", new_password="n3w-secret",
                                keep_session=mine)
    assert sessions.resume_session(orch, laptop) is not None  # nothing changed
    revoked = sign_in.change_password(orch, user_id=user_id, current_password="demo", new_password="n3w-secret",
                                      keep_session=mine)
    assert revoked == 2
    assert sessions.resume_session(orch, mine).email == "free@example.com"
    assert sessions.resume_session(orch, laptop) is None and sessions.resume_session(orch, phone) is None
    assert sessions.resume_session(orch, other_user) is not None
    assert sign_in.authenticate(orch, email="free@example.com", password="n3w-secret")


def test_an_admin_setting_a_password_signs_the_account_out_everywhere(demo_users):
    orch = demo_users
    tokens = [_session(orch, "free@example.com") for _ in range(2)]
    users.set_password(orch, email="free@example.com", password="reset-me", actor=operator())
    assert all(sessions.resume_session(orch, t) is None for t in tokens)
