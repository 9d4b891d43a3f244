"""Browser tests: the real server (``streamlit run app.py``: the app, the API and the
sign-in routes on one port) on a free port, driven by Playwright in Debian's headless Chromium.

Skipped when /usr/bin/chromium is missing, unless REQUIRE_BROWSER=1 (CI sets
it), which turns the skip into a failure. Screenshots go to artifacts/browser/.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import TEST_MASTER_KEY

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(f"REQUIRE_BROWSER is set but {CHROMIUM} is missing (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is missing")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def serve_app(tmp: Path, seed: str, *seed_args: str, seed_timeout: float = 120):
    """`streamlit run app.py` (as `make run` does) on a fresh SQLite database in ``tmp``, after
    running the Python ``seed`` code (with ``seed_args`` as ``sys.argv[1:]``) against it; yields
    the base URL and stops the server afterwards. No provider key or base URL leaks in from the
    environment."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and not k.endswith("_BASE_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp / 'app.db'}", ORCHESTRATOR_MASTER_KEY=TEST_MASTER_KEY,
               ORCHESTRATOR_DATA_DIR=str(tmp), PYTHONPATH=str(ROOT), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    subprocess.run([sys.executable, "-c", seed, *seed_args], cwd=ROOT, env=env, check=True, timeout=seed_timeout)
    port = _free_port()
    log = tmp / "streamlit.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app against a fresh SQLite database with the demo accounts (no demo history: fast);
    yields its base URL."""
    _require_chromium()
    seed = ("from orchestrator import Orchestrator; from orchestrator.seeding.demo import _accounts; "
            "_accounts(Orchestrator())")
    with serve_app(tmp_path_factory.mktemp("browser"), seed) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile (cookies included) per test."""
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1440, "height": 1000})
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def sign_in(page, url: str, email: str = "free@example.com", password: str = "demo") -> None:
    """Open ``url`` signed out: the server sends the browser to its sign-in page, which
    sends it back to ``url`` once the form is posted."""
    page.goto(url)
    path = url.split("://", 1)[-1].partition("/")[2]
    page.wait_for_url(lambda u: "/auth/sign-in" in u and (not path or f"next=/{path}" in u))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
