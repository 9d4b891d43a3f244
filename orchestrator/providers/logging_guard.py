"""Keep provider keys out of logs the SDKs write.

The SDKs' loggers (each kind's ``sdk_loggers``) and httpx/httpx2 log request URLs,
options and exceptions at DEBUG/INFO (Gemini keys can ride in URLs, proxies
echo headers). ``install_log_scrubber`` does two things, once per process:

* quiets those loggers to WARNING unless the application set a level itself;
* installs a log-record factory that, for records from those loggers only,
  renders the message, masks every registered key and key-shaped token
  (``orchestrator.redact.scrub``) and pre-renders any traceback scrubbed too,
  so even a DEBUG level set later by an operator cannot print a key.

Adapters call ``register_secret`` with each key they build a client for.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback

from orchestrator.redact import MASK, scrub

# The transports every SDK uses; each provider kind adds its own SDK's loggers
# (``ProviderKind.sdk_loggers``).
TRANSPORT_LOGGERS = ("httpx", "httpx2", "httpcore", "httpcore2", "urllib3")

_URL_QUERY = re.compile(r"(https?://[^\s?#'\"]+)\?[^\s'\"]*")

_lock = threading.Lock()
_installed = False
_secrets: set[str] = set()
_prefixes: tuple[str, ...] = TRANSPORT_LOGGERS


def sdk_loggers() -> tuple[str, ...]:
    """The transports' loggers and those of every registered kind's SDK."""
    from orchestrator.providers.registry import all_kinds

    names = list(TRANSPORT_LOGGERS)
    for kind in all_kinds():
        names += [n for n in kind.sdk_loggers if n not in names]
    return tuple(names)


def register_secret(secret: str | None) -> None:
    """Mask this value in every SDK log record from now on."""
    if secret and len(secret) >= 6:
        with _lock:
            _secrets.add(secret)


def scrub_log_text(text: str) -> str:
    with _lock:
        secrets = list(_secrets)
    return _URL_QUERY.sub(lambda m: m.group(1) + "?" + MASK, scrub(text, secrets))


def _is_sdk(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in _prefixes)


def _scrub_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record: keep only its template
        message = str(record.msg)
    record.msg = scrub_log_text(message)
    record.args = ()
    if record.exc_info and record.exc_info[1] is not None:
        text = "".join(traceback.format_exception(*record.exc_info))
        record.exc_text = scrub_log_text(text.rstrip("\n"))
    if record.stack_info:
        record.stack_info = scrub_log_text(record.stack_info)


def install_log_scrubber() -> None:
    """Idempotent; safe to call from every adapter on first use. A kind registered
    later has its SDK's loggers added on its adapter's first call."""
    global _installed, _prefixes
    names = sdk_loggers()
    if _installed and names == _prefixes:
        return
    with _lock:
        for name in names:
            logger = logging.getLogger(name)
            if logger.level == logging.NOTSET and (not _installed or name not in _prefixes):
                logger.setLevel(logging.WARNING)
        _prefixes = names
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if _is_sdk(record.name):
                _scrub_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
