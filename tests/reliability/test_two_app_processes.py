"""Two app processes (``streamlit run app.py``, the server ``make run`` starts) on one
PostgreSQL, as behind a reverse proxy: a browser session, a personal token, the quotas and
the circuit breaker are shared, so it does not matter which process a request reaches.
Only the Streamlit websocket needs sticky sessions; nothing here is sticky."""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import time
import urllib.parse

import httpx
import pytest
from sqlalchemy import select

from db.models import UsageRecord
from tests.conftest import TEST_MASTER_KEY
from tests.sim_support import SIM_KEYS, set_chain
from tests.support import POSTING, operator

# PostgreSQL only: several processes share it (SQLite is the one-process database)
pytestmark = [pytest.mark.postgres, pytest.mark.slow,
              pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(database_url: str, data_dir: str, log_path: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and not k.endswith("_BASE_URL")}
    env.update(DATABASE_URL=database_url, ORCHESTRATOR_MASTER_KEY=TEST_MASTER_KEY, ORCHESTRATOR_DATA_DIR=data_dir,
               PYTHONPATH=ROOT, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    out = open(log_path, "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


def _wait(url: str, proc: subprocess.Popen, log_path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(open(log_path).read()[-3000:])
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("server did not start:\n" + open(log_path).read()[-3000:])


@pytest.fixture
def two_servers(database_url, demo_users, tmp_path):
    procs = [_start(database_url, str(tmp_path), str(tmp_path / f"app{i}.log")) for i in range(2)]
    try:
        for i, (proc, url) in enumerate(procs):
            _wait(url, proc, str(tmp_path / f"app{i}.log"))
        yield demo_users, [url for _proc, url in procs]
    finally:
        for proc, _url in procs:
            proc.terminate()
        for proc, _url in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _token(orch, email: str) -> str:
    from orchestrator.services.admin.users import get_user
    from orchestrator.services.user import api_tokens

    return api_tokens.create_token(orch, user_id=get_user(orch, email=email).id).token


def test_a_token_and_its_revocation_reach_every_process(two_servers):
    orch, (a, b) = two_servers
    from orchestrator.services.user import api_tokens

    token = _token(orch, "free@example.com")
    headers = {"Authorization": f"Bearer {token}"}
    assert [httpx.get(f"{u}/api/v1/usage", headers=headers).status_code for u in (a, b)] == [200, 200]
    owner = api_tokens.authenticate(orch, token)
    api_tokens.revoke_token(orch, user_id=owner.user.id, token_id=owner.token_id)
    assert [httpx.get(f"{u}/api/v1/usage", headers=headers).status_code for u in (a, b)] == [401, 401]


def test_a_browser_session_from_one_process_works_on_the_other(two_servers):
    _orch, (a, b) = two_servers
    with httpx.Client(base_url=a) as browser_a:
        r = browser_a.post("/auth/sign-in", data={"email": "free@example.com", "password": "demo", "next": "/"},
                           headers={"Origin": a})
        assert r.status_code == 303
        cookie = browser_a.cookies.get("orch_session")
    assert cookie
    page = {"Accept": "text/html"}
    with httpx.Client(base_url=b, cookies={"orch_session": cookie}) as browser_b:
        assert browser_b.get("/", headers=page).status_code == 200  # signed in on B too
        browser_b.post("/auth/sign-out", headers={"Origin": b})
    with httpx.Client(base_url=a, cookies={"orch_session": cookie}) as again:
        r = again.get("/", headers=page)
        assert r.status_code == 303 and urllib.parse.urlsplit(r.headers["location"]).path == "/auth/sign-in"


def test_quota_holds_across_processes(two_servers):
    """Twelve concurrent requests, half to each process, for a user allowed five a day:
    exactly five are served and seven refused with 429 and Retry-After."""
    from orchestrator.services.admin import plans

    orch, (a, b) = two_servers
    plans.set_limits(orch, code="freemium", requests_per_day=5, actor=operator())
    token = _token(orch, "free@example.com")
    headers = {"Authorization": f"Bearer {token}"}

    def extract(i: int) -> httpx.Response:
        url = (a, b)[i % 2]
        return httpx.post(f"{url}/api/v1/job-extractor/extract", headers=headers,
                          json={"text": f"{POSTING}\nReference {i}"}, timeout=60)

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(extract, range(12)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [200] * 5 + [429] * 7
    assert all(int(r.headers["Retry-After"]) > 0 for r in answers if r.status_code == 429)


def test_an_open_circuit_is_seen_by_every_process(two_servers, fresh_sim):
    """Process A's failures open the breaker of a provider with a bad key; process B then
    skips that provider without calling it."""
    from orchestrator.services.admin import providers

    orch, (a, b) = two_servers
    providers.add_provider(orch, name="sim-openai", kind="openai", base_url=fresh_sim.openai_base_url,
                           api_key=SIM_KEYS["openai"] + "-wrong", timeout_s=5, actor=operator())
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,offline:offline-engine-v1")
    headers = {"Authorization": f"Bearer {_token(orch, 'free@example.com')}"}
    for i in range(5):  # the breaker opens after five consecutive failures
        r = httpx.post(f"{a}/api/v1/job-extractor/extract", headers=headers,
                       json={"text": f"{POSTING}\nA{i}"}, timeout=60)
        assert r.status_code == 200 and r.json()["provider"] == "offline"
    calls = len(fresh_sim.requests)
    time.sleep(1.2)  # the configuration snapshot is at most 1 s old
    r = httpx.post(f"{b}/api/v1/job-extractor/extract", headers=headers, json={"text": f"{POSTING}\nB"}, timeout=60)
    assert r.status_code == 200 and r.json()["provider"] == "offline"
    assert len(fresh_sim.requests) == calls  # B never called the open provider
    with orch.db.read() as s:
        rows = s.scalars(select(UsageRecord).where(UsageRecord.request_id == r.json()["request_id"])).all()
    assert [row.provider for row in rows] == ["offline"]
