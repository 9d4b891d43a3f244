"""Settings, read once: environment first, then ``.streamlit/secrets.toml``, then defaults.

Everything that varies between a laptop, CI and a deployment with several
replicas lives here; nothing else reads ``os.environ`` for configuration.

Each tunable is declared once, as a dataclass field whose metadata names its
variable and its bounds (``_setting``); ``Settings.load`` reads every such field
from the environment or the secrets file. A value that is not a number, or is
out of bounds, is a ``ConfigError`` naming the variable: a typo never silently
runs with the default.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from orchestrator.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"
MB = 1024 * 1024
MAX_DOCUMENT_VERSIONS = 50


def _secrets() -> dict:
    path = Path(os.environ.get("ORCHESTRATOR_SECRETS_FILE", SECRETS_FILE))
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"The secrets file {path} cannot be read ({exc.strerror}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The secrets file {path} is not valid TOML: {exc}.") from None


def _get(name: str, secrets: dict, default: str | None = None) -> str | None:
    """ORCHESTRATOR_X from the environment, else ``x`` in secrets.toml, else default."""
    env = os.environ.get(name)
    if env not in (None, ""):
        return env
    key = name.removeprefix("ORCHESTRATOR_").lower()
    val = secrets.get(key, secrets.get(name))
    if val not in (None, ""):
        return str(val)
    return default


def _setting(env: str, default: int | float, *, minimum: float = 0, above: bool = False):
    """A numeric setting read from ``env``: at least ``minimum`` (strictly more with ``above``)."""
    return field(default=default, metadata={"env": env, "minimum": minimum, "above": above})


def _text(env: str, default: str | None = None, *, secret: bool = False):
    """A text setting read from ``env`` (None when unset); ``secret`` keeps it out of repr."""
    return field(default=default, repr=not secret, metadata={"env": env, "text": True})


def _parse(f, raw: str) -> int | float | str:
    if f.metadata.get("text"):
        return raw.strip()
    env, minimum, above = f.metadata["env"], f.metadata["minimum"], f.metadata["above"]
    whole = f.type in ("int", int)
    text = raw.strip().replace("_", "")
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"{env} must be {kind}, not '{raw}'.") from None
    if not math.isfinite(value) or value < minimum or (above and value == minimum):
        bound = f"more than {minimum:g}" if above else f"at least {minimum:g}"
        raise ConfigError(f"{env} must be {bound}, not '{raw}'.")
    return value


@dataclass(frozen=True)
class Settings:
    """Runtime settings. Tests build their own with ``Settings.load(**overrides)``."""

    database_url: str
    data_dir: Path
    master_keys: tuple[str, ...] = field(default=(), repr=False)
    # retries: one policy for every provider (SDK retries are off)
    max_retries: int = _setting("ORCHESTRATOR_MAX_RETRIES", 2)
    backoff_base_s: float = _setting("ORCHESTRATOR_BACKOFF_BASE_S", 0.5)
    backoff_max_s: float = _setting("ORCHESTRATOR_BACKOFF_MAX_S", 8.0)
    request_deadline_s: float = _setting("ORCHESTRATOR_REQUEST_DEADLINE_S", 120.0, above=True)
    attempt_timeout_s: float = _setting("ORCHESTRATOR_ATTEMPT_TIMEOUT_S", 60.0, above=True)
    # an answer cut at its token limit is retried once with twice the limit, at most this many tokens
    truncation_max_tokens: int = _setting("ORCHESTRATOR_TRUNCATION_MAX_TOKENS", 8192, minimum=1)
    # reservations not settled after this long are released (a process died)
    reservation_ttl_s: int = _setting("ORCHESTRATOR_RESERVATION_TTL_S", 600, minimum=1)
    # session tokens for the web app
    session_ttl_hours: int = _setting("ORCHESTRATOR_SESSION_TTL_HOURS", 24 * 7, minimum=1)
    # sign-in throttle: this many failures for one account within the window lock it for lock_s;
    # one client address may fail client_max_failures times (at least 5x more, so an attacker on a
    # shared address cannot lock other people out by using up the address's allowance)
    sign_in_max_failures: int = _setting("ORCHESTRATOR_SIGN_IN_MAX_FAILURES", 10, minimum=1)
    sign_in_client_max_failures: int = _setting("ORCHESTRATOR_SIGN_IN_CLIENT_MAX_FAILURES", 50, minimum=1)
    sign_in_window_s: int = _setting("ORCHESTRATOR_SIGN_IN_WINDOW_S", 900, minimum=1)
    sign_in_lock_s: int = _setting("ORCHESTRATOR_SIGN_IN_LOCK_S", 900, minimum=1)
    # housekeeping that every app process offers to run (one at a time, coordinated in the database)
    prune_interval_s: int = _setting("ORCHESTRATOR_PRUNE_INTERVAL_S", 3600, minimum=1)
    # input limits: what a user may send before anything reaches a provider
    max_posting_chars: int = _setting("ORCHESTRATOR_MAX_POSTING_CHARS", 60_000, minimum=1)
    max_image_bytes: int = _setting("ORCHESTRATOR_MAX_IMAGE_BYTES", 8 * MB, minimum=1)
    max_image_pixels: int = _setting("ORCHESTRATOR_MAX_IMAGE_PIXELS", 40_000_000, minimum=1)
    url_fetch_timeout_s: float = _setting("ORCHESTRATOR_URL_FETCH_TIMEOUT_S", 10.0, above=True)
    url_max_bytes: int = _setting("ORCHESTRATOR_URL_MAX_BYTES", 2 * MB, minimum=1)
    url_max_redirects: int = _setting("ORCHESTRATOR_URL_MAX_REDIRECTS", 5, minimum=0)
    max_profile_bytes: int = _setting("ORCHESTRATOR_MAX_PROFILE_BYTES", 5 * MB, minimum=1)
    max_unzipped_bytes: int = _setting("ORCHESTRATOR_MAX_UNZIPPED_BYTES", 30 * MB, minimum=1)
    max_zip_entries: int = _setting("ORCHESTRATOR_MAX_ZIP_ENTRIES", 2_000, minimum=1)
    max_pdf_pages: int = _setting("ORCHESTRATOR_MAX_PDF_PAGES", 50, minimum=1)
    max_pdf_decoded_bytes: int = _setting("ORCHESTRATOR_MAX_PDF_DECODED_BYTES", 20 * MB, minimum=1)
    max_document_chars: int = _setting("ORCHESTRATOR_MAX_DOCUMENT_CHARS", 100_000, minimum=1)
    # versions one job's CV (or letter) may keep; one more is refused before anything is charged
    max_document_versions: int = _setting("ORCHESTRATOR_MAX_DOCUMENT_VERSIONS", MAX_DOCUMENT_VERSIONS, minimum=1)
    # what a saved job or profile may hold (orchestrator/limits.py): any one field, any one list,
    # and the whole record as JSON
    max_field_chars: int = _setting("ORCHESTRATOR_MAX_FIELD_CHARS", 10_000, minimum=1)
    max_list_items: int = _setting("ORCHESTRATOR_MAX_LIST_ITEMS", 200, minimum=1)
    max_job_chars: int = _setting("ORCHESTRATOR_MAX_JOB_CHARS", 100_000, minimum=1)
    max_profile_chars: int = _setting("ORCHESTRATOR_MAX_PROFILE_CHARS", 100_000, minimum=1)
    # the gateway's chat task: the whole conversation, and how many messages it may have
    max_chat_chars: int = _setting("ORCHESTRATOR_MAX_CHAT_CHARS", 100_000, minimum=1)
    max_chat_messages: int = _setting("ORCHESTRATOR_MAX_CHAT_MESSAGES", 200, minimum=1)
    # observability: /metrics caches its ledger totals this long; traces go to an OTLP/HTTP collector
    # when its endpoint is set (the OpenTelemetry SDK reads its other OTEL_* variables itself)
    metrics_cache_s: float = _setting("ORCHESTRATOR_METRICS_CACHE_S", 5.0)
    # scrapers present it as a bearer token; without one, /metrics answers loopback clients only
    metrics_token: str | None = _text("ORCHESTRATOR_METRICS_TOKEN", secret=True)
    otel_endpoint: str | None = _text("OTEL_EXPORTER_OTLP_ENDPOINT")
    # the request inspector keeps prompts and answers (plans with keep_payloads) this many days
    payload_retention_days: int = _setting("ORCHESTRATOR_PAYLOAD_RETENTION_DAYS", 30, minimum=1)
    # who takes payments for plan upgrades and credit purchases (orchestrator/payments/__init__.py)
    payments_provider: str = _text("ORCHESTRATOR_PAYMENTS_PROVIDER", "demo")
    # alerts: evaluated this often by one app process; a rule still firing is re-sent after the
    # cool-down; a delivery that fails is retried with backoff up to max attempts
    alerts_interval_s: int = _setting("ORCHESTRATOR_ALERTS_INTERVAL_S", 60, minimum=1)
    alert_cooldown_s: int = _setting("ORCHESTRATOR_ALERT_COOLDOWN_S", 3600, minimum=0)
    alert_delivery_max_attempts: int = _setting("ORCHESTRATOR_ALERT_DELIVERY_MAX_ATTEMPTS", 6, minimum=1)
    alert_delivery_timeout_s: float = _setting("ORCHESTRATOR_ALERT_DELIVERY_TIMEOUT_S", 10.0, above=True)
    # where people open the app: links in alert messages
    public_url: str = _text("ORCHESTRATOR_PUBLIC_URL", "http://localhost:8501")
    # e-mail alerts go out through this SMTP server (STARTTLS when the server offers it)
    smtp_host: str | None = _text("SMTP_HOST")
    smtp_port: int = _setting("SMTP_PORT", 587, minimum=1)
    smtp_user: str | None = _text("SMTP_USER")
    smtp_password: str | None = _text("SMTP_PASSWORD", secret=True)
    smtp_from: str | None = _text("SMTP_FROM")

    @classmethod
    def load(cls, **overrides) -> Settings:
        secrets = _secrets()
        data_dir = Path(_get("ORCHESTRATOR_DATA_DIR", secrets, str(DEFAULT_DATA_DIR)))
        url = _get("DATABASE_URL", secrets) or f"sqlite:///{data_dir / 'app.db'}"
        keys_raw = _get("ORCHESTRATOR_MASTER_KEY", secrets, "") or ""
        tunables = {}
        for f in fields(cls):
            raw = _get(f.metadata["env"], secrets) if "env" in f.metadata else None
            if raw is not None:
                tunables[f.name] = _parse(f, raw)
        settings = cls(database_url=url, data_dir=data_dir,
                       master_keys=tuple(k.strip() for k in keys_raw.split(",") if k.strip()), **tunables)
        settings = replace(settings, **overrides) if overrides else settings
        _check_sign_in_limits(settings)
        return settings

    @classmethod
    def variables(cls) -> dict[str, tuple[str, int | float | str | None]]:
        """Field name -> (environment variable, default) of every setting read from one (docs, tests)."""
        return {f.name: (f.metadata["env"], f.default) for f in fields(cls) if "env" in f.metadata}


CLIENT_TO_ACCOUNT_FAILURES = 5


def _check_sign_in_limits(settings: Settings) -> None:
    """One client address may fail at least 5x more sign-ins than one account, so an attacker
    behind a shared address cannot lock the address's other users out of their accounts."""
    floor = CLIENT_TO_ACCOUNT_FAILURES * settings.sign_in_max_failures
    if settings.sign_in_client_max_failures < floor:
        raise ConfigError(
            f"ORCHESTRATOR_SIGN_IN_CLIENT_MAX_FAILURES must be at least {CLIENT_TO_ACCOUNT_FAILURES} times "
            f"ORCHESTRATOR_SIGN_IN_MAX_FAILURES ({floor}), so one client cannot lock other accounts out "
            "from a shared address."
        )


def open_database(url: str):
    """The ``db.session.Database`` for ``url``; a URL that cannot be parsed is a ``ConfigError``
    (``db`` raises its own ``DatabaseURLError``: it never imports the orchestrator)."""
    from db.session import Database, DatabaseURLError

    try:
        return Database(url)
    except DatabaseURLError as exc:
        raise ConfigError(str(exc)) from None
