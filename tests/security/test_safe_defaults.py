"""Safe defaults: the app listens on loopback unless asked, data files are owner-only, what
expires is pruned by the app itself (one process at a time), and ids never crash a query."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from db.models import AuthSession, CacheEntry, Reservation, ScheduledJob, SignInThrottle
from db.session import Database
from orchestrator import Orchestrator, maintenance
from orchestrator.errors import InputRejected, NotFound
from orchestrator.ids import parse_id
from orchestrator.services.admin import users
from orchestrator.services.user import documents, sessions
from tests.conftest import TEST_MASTER_KEY

ROOT = Path(__file__).resolve().parents[2]


def _make_run(**env) -> str:
    out = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, **env}, timeout=60)
    assert out.returncode == 0, out.stderr
    (line,) = [ln for ln in out.stdout.splitlines() if "streamlit run" in ln]
    return line


def test_make_run_listens_on_loopback_unless_host_is_given():
    assert "--server.address 127.0.0.1" in _make_run()
    assert "--server.address 0.0.0.0" in _make_run(HOST="0.0.0.0")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_files_are_owner_only_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        data = tmp_path / "data"
        db = Database(f"sqlite:///{data / 'app.db'}")
        with db.engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            conn.commit()
            files = [p for p in data.iterdir()]
            assert {p.name for p in files} >= {"app.db", "app.db-wal", "app.db-shm"}
            assert all(_mode(p) == 0o600 for p in files), {p.name: oct(_mode(p)) for p in files}
        db.dispose()
        assert _mode(data) == 0o700
    finally:
        os.umask(old)


def test_files_left_readable_by_an_older_version_are_tightened(tmp_path):
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    db = Database(f"sqlite:///{path}")
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    db.dispose()
    assert _mode(path) == 0o600


# ------------------------------------------------------------------ pruning


def _plant_expired(orch) -> None:
    now = datetime.now(UTC)
    uid = users.get_user(orch, email="free@example.com").id
    with orch.db.write() as s:
        s.add_all([
            AuthSession(id="expired", user_id=uid, expires_at=now - timedelta(hours=1)),
            AuthSession(id="revoked", user_id=uid, expires_at=now + timedelta(hours=1), revoked_at=now),
            AuthSession(id="live", user_id=uid, expires_at=now + timedelta(hours=1)),
            CacheEntry(key="old", task="extract_job", model="m", user_id=uid, created_at=now - timedelta(days=2),
                       expires_at=now - timedelta(days=1), output="{}", usage={}, provider="offline"),
            CacheEntry(key="fresh", task="extract_job", model="m", user_id=uid, created_at=now,
                       expires_at=now + timedelta(days=1), output="{}", usage={}, provider="offline"),
            SignInThrottle(key="account:old@example.com", window_start=now - timedelta(hours=2), failures=3,
                           updated_at=now - timedelta(hours=2)),
            SignInThrottle(key="account:recent@example.com", window_start=now, failures=3, updated_at=now),
        ])


def _count(orch, model) -> int:
    with orch.db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_prune_removes_what_expired_and_keeps_the_rest(demo_users):
    orch = demo_users
    _plant_expired(orch)
    result = maintenance.run_due(orch)
    assert result["sessions"] == 2 and result["cache_entries"] == 1 and result["sign_in_throttle"] == 1
    with orch.db.read() as s:
        assert s.scalars(select(AuthSession.id)).all() == ["live"]
        assert s.scalars(select(CacheEntry.key)).all() == ["fresh"]
        assert s.scalars(select(SignInThrottle.key)).all() == ["account:recent@example.com"]
        job = s.get(ScheduledJob, maintenance.PRUNE)
    assert job.last_result == result and job.next_run_at > datetime.now(UTC) + timedelta(minutes=50)


def test_prune_releases_holds_of_dead_processes(demo_users):
    """A hold whose process died (TTL passed) goes back."""
    from orchestrator import quota

    orch = demo_users
    user = users.get_user(orch, email="free@example.com")
    with orch.db.read() as s:
        from db.models import User

        row = s.get(User, user.id)
        limits = quota.limits_for(row, row.plan)
    quota.reserve(orch.db, user_id=user.id, limits=limits, request_id="dead", attempt=0, ttl_s=1,
                  now=datetime.now(UTC) - timedelta(minutes=5))
    assert maintenance.run_due(orch)["holds"] == 1
    with orch.db.read() as s:
        assert s.scalar(select(Reservation.status).where(Reservation.request_id == "dead")) == "expired"


def test_only_one_process_runs_the_job_per_interval(demo_users, database_url):
    orch = demo_users
    other = Orchestrator(database_url=database_url, settings=orch.settings)
    try:
        now = datetime.now(UTC)
        ran = [maintenance.run_due(o, now=now) is not None for o in (orch, other, orch)]
        assert ran == [True, False, False]
        assert maintenance.run_due(other, now=now + timedelta(seconds=orch.settings.prune_interval_s + 1))
    finally:
        other.close()


def test_the_app_prunes_on_its_own_schedule(demo_users):
    orch = demo_users
    _plant_expired(orch)
    thread = maintenance.start_background(orch, every_s=0.05)
    try:
        deadline = time.monotonic() + 10
        while _count(orch, AuthSession) != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _count(orch, AuthSession) == 1
    finally:
        thread.stop.set()
    thread.join(5)
    assert not thread.is_alive()


def test_the_cli_prunes_now(demo_users, database_url, tmp_path):
    _plant_expired(demo_users)
    with demo_users.db.write() as s:  # the app ran it a moment ago: the CLI runs it anyway
        s.execute(update(ScheduledJob).values(next_run_at=datetime.now(UTC) + timedelta(hours=1)))
    env = {**os.environ, "DATABASE_URL": database_url, "ORCHESTRATOR_MASTER_KEY": TEST_MASTER_KEY,
           "ORCHESTRATOR_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "orchestrator", "maintenance", "prune", "--json"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["sessions"] == 2


def test_an_expired_session_cannot_be_resumed_even_before_pruning(demo_users):
    orch = demo_users
    token, _ = sessions.create_session(orch, user_id=users.get_user(orch, email="free@example.com").id)
    with orch.db.write() as s:
        s.execute(update(AuthSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert sessions.resume_session(orch, token) is None


# ----------------------------------------------------------------------- ids


@pytest.mark.parametrize("value, error", [
    ("abc", InputRejected), ("1.5", InputRejected), ("", InputRejected), (None, InputRejected),
    (True, InputRejected), ("١٢", InputRejected), ("9" * 40, InputRejected),
    ("0", NotFound), (0, NotFound), (-3, NotFound), ("-3", NotFound), (2**63, NotFound), (10**30, NotFound),
])
def test_ids_that_cannot_name_anything_are_typed_errors(value, error):
    with pytest.raises(error):
        parse_id(value, what="job")


@pytest.mark.parametrize("job_id", ["abc", "99999999999999999999999", 2**64, -1, "1; DROP TABLE jobs"])
def test_services_answer_bad_ids_with_typed_errors(demo_users, job_id):
    orch = demo_users
    with pytest.raises((InputRejected, NotFound)):
        documents.get_job(orch, user="free@example.com", job_id=job_id)
    with pytest.raises((InputRejected, NotFound)):
        documents.get_document(orch, user="free@example.com", document_id=job_id)
    with pytest.raises((InputRejected, NotFound)):
        orch.run("cover_letter", user="free@example.com", job_id=job_id)


def test_the_cli_answers_a_huge_id_with_a_message(demo_users, database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url, "ORCHESTRATOR_MASTER_KEY": TEST_MASTER_KEY,
           "ORCHESTRATOR_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "orchestrator", "run", "cover_letter", "--user", "free@example.com",
                          "--job-id", "99999999999999999999999"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode != 0
    assert "Traceback" not in out.stderr and "No job" in out.stderr + out.stdout
