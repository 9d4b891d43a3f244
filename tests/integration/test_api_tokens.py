"""Personal API tokens, on both databases: the CLI (create, list, revoke), the format and
its checksum, hashing, expiry, revocation, the active-token limit, deactivated users and
name limits."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select, update

from db.models import ApiToken, AuditEntry
from orchestrator import api_tokens as fmt
from orchestrator.cli import main
from orchestrator.errors import CredentialError, InputRejected, NotFound
from orchestrator.services.admin import users
from orchestrator.services.admin.users import get_user
from orchestrator.services.user import api_tokens
from orchestrator.services.user.api_tokens import MAX_ACTIVE_TOKENS
from tests.support import operator


@pytest.fixture
def cli(demo_users, database_url, settings, monkeypatch, capsys):
    """Run the CLI in-process on the test database (demo accounts in it); returns
    (exit code, parsed JSON or stdout text, stderr)."""
    monkeypatch.setenv("ORCHESTRATOR_MASTER_KEY", settings.master_keys[0])
    monkeypatch.setenv("ORCHESTRATOR_DATA_DIR", str(settings.data_dir))

    def run(*argv: str, as_json: bool = True):
        code = main(["--database-url", database_url, *argv] + (["--json"] if as_json else []))
        out, err = capsys.readouterr()
        return code, (json.loads(out) if as_json and out.strip() else out), err

    return run


def uid(orch, email: str = "free@example.com") -> int:
    return get_user(orch, email=email).id


def new(orch, email: str = "free@example.com", **kwargs) -> str:
    return api_tokens.create_token(orch, user_id=uid(orch, email), **kwargs).token


def works(orch, token: str) -> bool:
    try:
        api_tokens.authenticate(orch, token)
    except CredentialError:
        return False
    return True


# ---------------------------------------------------------------------- the CLI


def test_cli_create_prints_the_token_once_and_list_shows_only_the_hint(cli, demo_users):
    code, made, _ = cli("tokens", "create", "--user", "Free@Example.com", "--name", "laptop script",
                        "--expires-days", "30")
    assert code == 0
    assert re.fullmatch(fmt.PATTERN, made["token"]) and made["user"] == "free@example.com"
    assert made["name"] == "laptop script" and made["status"] == "active" and made["hint"] == made["token"][:12] + "…"
    expires = datetime.fromisoformat(made["expires_at"])
    assert timedelta(days=29, hours=23) < expires - datetime.now(UTC) <= timedelta(days=30)
    assert works(demo_users, made["token"])

    code, rows, _ = cli("tokens", "list", "--user", "free@example.com")
    assert code == 0 and [(r["id"], r["name"], r["hint"], r["status"]) for r in rows] == [
        (made["id"], "laptop script", made["hint"], "active")]
    assert made["token"] not in json.dumps(rows) and rows[0]["last_used_at"] is not None  # used just above
    code, text, _ = cli("tokens", "list", as_json=False)
    assert code == 0 and made["hint"] in text and made["token"] not in text and "laptop script" in text
    assert text.splitlines()[0].split() == ["ID", "USER", "NAME", "HINT", "STATUS", "CREATED", "LAST_USED",
                                            "EXPIRES"]

    code, revoked, _ = cli("tokens", "revoke", str(made["id"]))
    assert code == 0 and revoked["status"] == "revoked" and "token" not in revoked
    assert not works(demo_users, made["token"])
    with demo_users.db.read() as s:
        entries = [(e.actor, e.action, e.target_id, json.dumps(e.after)) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action.like("token.%")).order_by(AuditEntry.id))]
    assert [e[:3] for e in entries] == [(entries[0][0], "token.create", "free@example.com"),
                                        (entries[0][0], "token.revoke", "free@example.com")]
    assert entries[0][0].startswith("cli") and all(made["token"] not in e[3] for e in entries)


def test_cli_human_output_puts_the_token_alone_on_stdout(cli, demo_users):
    code, out, err = cli("tokens", "create", "--user", "pro@example.com", as_json=False)
    assert code == 0
    token = out.strip()
    assert out == token + "\n" and fmt.well_formed(token)
    assert "will not be shown again" in err and "never expires" in err and token not in err
    code, out, _ = cli("tokens", "revoke", "1", as_json=False)  # ids are per database: the first token
    assert code == 0 and out.startswith("Revoked token 1 'API token'") and "pro@example.com" in out


def test_cli_errors_are_one_clear_line(cli):
    code, err, _ = cli("tokens", "create", "--user", "nobody@example.com")
    assert code == 1 and err == {"error": "No user 'nobody@example.com'.", "error_type": "NotFound"}
    code, err, _ = cli("tokens", "create", "--user", "free@example.com", "--expires-days", "0")
    assert code == 1 and "1 to 3650 days" in err["error"]
    code, err, _ = cli("tokens", "revoke", "999")
    assert code == 1 and err["error_type"] == "NotFound"
    code, err, _ = cli("tokens", "revoke", "abc")
    assert code == 1 and err["error_type"] in ("NotFound", "InputRejected")


# ---------------------------------------------------------- format and checking


def _count_queries(orch):
    seen = []
    event.listen(orch.db.engine, "before_cursor_execute", lambda *a, **k: seen.append(a[2]))
    return seen


def test_format_and_checksum(demo_users):
    token = new(demo_users)
    assert token.startswith("aio_pat_") and len(token) == fmt.LENGTH == 46
    assert re.fullmatch(fmt.PATTERN, token) and fmt.well_formed(token)
    assert len({fmt.new_token() for _ in range(200)}) == 200
    queries = _count_queries(demo_users)
    for i in range(len(fmt.PREFIX), len(token)):  # every single-character change is caught by the checksum
        other = "a" if token[i] != "a" else "b"
        forged = token[:i] + other + token[i + 1:]
        assert not fmt.well_formed(forged), forged
        with pytest.raises(CredentialError, match="missing, malformed, expired or revoked"):
            api_tokens.authenticate(demo_users, forged)
    for junk in ("", "aio_pat_", token[:-1], token + "x", "aio_pak_" + token[8:], token.upper(),
                 token[:20] + "-" + token[21:]):
        with pytest.raises(CredentialError):
            api_tokens.authenticate(demo_users, junk)
    assert queries == []  # refused without touching the database
    assert works(demo_users, token) and queries  # the real one is looked up


def test_only_a_hash_is_stored(demo_users, database_url):
    made = api_tokens.create_token(demo_users, user_id=uid(demo_users), name="ci")
    with demo_users.db.read() as s:
        row = s.get(ApiToken, made.info.id)
        stored = " ".join(str(getattr(row, c.key)) for c in ApiToken.__table__.columns)
    assert row.token_hash == hashlib.sha256(made.token.encode()).hexdigest()
    assert made.token not in stored and made.token[12:] not in stored
    assert row.hint == made.token[:12] + "…" and made.info.hint == row.hint
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        raw = path.read_bytes() + (Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b"")
        assert made.token.encode() not in raw


# ------------------------------------------------------------- life cycle rules


def test_expiry(demo_users):
    token = new(demo_users, expires_days=1)
    assert works(demo_users, token)
    with demo_users.db.write() as s:
        s.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert not works(demo_users, token)
    [info] = api_tokens.list_tokens(demo_users, user_id=uid(demo_users))
    assert info.status == "expired" and not info.active
    for bad in (0, -1, 3651, True):
        with pytest.raises(InputRejected, match="1 to 3650 days"):
            new(demo_users, expires_days=bad)
    assert works(demo_users, new(demo_users, expires_days=3650)) and works(demo_users, new(demo_users))


def test_revoke_is_immediate_and_only_for_the_owner(demo_users):
    token = new(demo_users)
    tid = api_tokens.list_tokens(demo_users, user_id=uid(demo_users))[0].id
    with pytest.raises(NotFound):  # someone else's token is "not found"
        api_tokens.revoke_token(demo_users, user_id=uid(demo_users, "pro@example.com"), token_id=tid)
    assert works(demo_users, token)
    info = api_tokens.revoke_token(demo_users, user_id=uid(demo_users), token_id=tid)
    assert info.status == "revoked" and not works(demo_users, token)
    again = api_tokens.revoke_token(demo_users, user_id=uid(demo_users), token_id=tid)  # idempotent
    assert again.revoked_at == info.revoked_at


def test_at_most_twenty_active_tokens(demo_users):
    made = [api_tokens.create_token(demo_users, user_id=uid(demo_users), name=f"t{i}")
            for i in range(MAX_ACTIVE_TOKENS)]
    assert MAX_ACTIVE_TOKENS == 20
    with pytest.raises(InputRejected, match="20 active tokens, the most allowed. Revoke one first."):
        new(demo_users)
    new(demo_users, "pro@example.com")  # the limit is per user
    api_tokens.revoke_token(demo_users, user_id=uid(demo_users), token_id=made[0].info.id)
    token = new(demo_users)
    with pytest.raises(InputRejected):
        new(demo_users)
    with demo_users.db.write() as s:  # expired tokens do not count
        s.execute(update(ApiToken).where(ApiToken.id == made[1].info.id)
                  .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    assert works(demo_users, new(demo_users)) and works(demo_users, token)


def test_a_deactivated_users_tokens_stop_working(demo_users):
    token = new(demo_users)
    users.set_active(demo_users, email="free@example.com", active=False, actor=operator())
    with pytest.raises(CredentialError, match="missing, malformed, expired or revoked"):
        api_tokens.authenticate(demo_users, token)
    users.set_active(demo_users, email="free@example.com", active=True, actor=operator())
    assert api_tokens.authenticate(demo_users, token).user.email == "free@example.com"


def test_name_length(demo_users):
    made = api_tokens.create_token(demo_users, user_id=uid(demo_users), name="  " + "n" * 128 + " ")
    assert made.info.name == "n" * 128
    with pytest.raises(InputRejected, match="at most 128 characters"):
        new(demo_users, name="n" * 129)
    assert api_tokens.create_token(demo_users, user_id=uid(demo_users), name="   ").info.name == "API token"
