"""Settings, read once: environment first, then ``.streamlit/secrets.toml``, then defaults.

Everything that varies between a laptop, CI and a deployment with several
replicas lives here; nothing else reads ``os.environ`` for configuration.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"


def _secrets() -> dict:
    path = Path(os.environ.get("ORCHESTRATOR_SECRETS_FILE", SECRETS_FILE))
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


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


def _float(v: str | None, default: float) -> float:
    try:
        return float(v) if v is not None else default
    except ValueError:
        return default


def _int(v: str | None, default: int) -> int:
    try:
        return int(v) if v is not None else default
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    """Runtime settings. Tests build their own with ``Settings.load(**overrides)``."""

    database_url: str
    data_dir: Path
    master_keys: tuple[str, ...] = field(default=(), repr=False)
    # retries: one policy for every provider (SDK retries are off)
    max_retries: int = 2
    backoff_base_s: float = 0.5
    backoff_max_s: float = 8.0
    request_deadline_s: float = 120.0
    attempt_timeout_s: float = 60.0
    # reservations not settled after this long are released (a process died)
    reservation_ttl_s: int = 600
    # session tokens for the web app
    session_ttl_hours: int = 24 * 7
    # inputs
    max_posting_chars: int = 60_000
    max_image_bytes: int = 8 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    url_fetch_timeout_s: float = 10.0
    url_max_bytes: int = 2 * 1024 * 1024

    @classmethod
    def load(cls, **overrides) -> Settings:
        secrets = _secrets()
        data_dir = Path(_get("ORCHESTRATOR_DATA_DIR", secrets, str(DEFAULT_DATA_DIR)))
        url = _get("DATABASE_URL", secrets) or f"sqlite:///{data_dir / 'app.db'}"
        keys_raw = _get("ORCHESTRATOR_MASTER_KEY", secrets, "") or ""
        settings = cls(
            database_url=url,
            data_dir=data_dir,
            master_keys=tuple(k.strip() for k in keys_raw.split(",") if k.strip()),
            max_retries=_int(_get("ORCHESTRATOR_MAX_RETRIES", secrets), 2),
            backoff_base_s=_float(_get("ORCHESTRATOR_BACKOFF_BASE_S", secrets), 0.5),
            backoff_max_s=_float(_get("ORCHESTRATOR_BACKOFF_MAX_S", secrets), 8.0),
            request_deadline_s=_float(_get("ORCHESTRATOR_REQUEST_DEADLINE_S", secrets), 120.0),
            attempt_timeout_s=_float(_get("ORCHESTRATOR_ATTEMPT_TIMEOUT_S", secrets), 60.0),
            reservation_ttl_s=_int(_get("ORCHESTRATOR_RESERVATION_TTL_S", secrets), 600),
            session_ttl_hours=_int(_get("ORCHESTRATOR_SESSION_TTL_HOURS", secrets), 24 * 7),
        )
        return replace(settings, **overrides) if overrides else settings
