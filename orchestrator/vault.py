"""The credential vault: provider API keys encrypted at rest with MultiFernet.

Master keys come from ``ORCHESTRATOR_MASTER_KEY`` (comma-separated Fernet
keys; the first encrypts, all decrypt) or ``master_key`` in
``.streamlit/secrets.toml``. Failing both, one key is generated into
``data/master.key`` with mode 0600 and a warning: fine for a laptop, not for
several replicas, which must share the key through the environment.

Rotation: put a new key first in the list, keep the old ones after it, run
``python -m orchestrator keys rotate``, then drop the old keys.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from orchestrator.errors import ConfigError, CredentialError

log = logging.getLogger(__name__)

KEY_FILE_NAME = "master.key"


def _load_or_create_key_file(data_dir: Path) -> list[str]:
    path = data_dir / KEY_FILE_NAME
    if path.exists():
        return [k.strip() for k in path.read_text().split(",") if k.strip()]
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    log.warning(
        "No ORCHESTRATOR_MASTER_KEY set: generated a master key in %s (mode 0600). "
        "Set ORCHESTRATOR_MASTER_KEY for deployments with several replicas.",
        path,
    )
    return [key]


class Vault:
    """Encrypts and decrypts provider keys. Never logs or returns ciphertext keys' plaintext
    anywhere but to the caller that asked for it."""

    def __init__(self, master_keys: tuple[str, ...] | list[str], data_dir: Path | None = None):
        keys = list(master_keys)
        if not keys:
            if data_dir is None:
                raise ConfigError("No master key configured for the credential vault.")
            keys = _load_or_create_key_file(data_dir)
        self.master_keys = tuple(keys)
        try:
            self._fernet = MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])
        except (ValueError, TypeError):
            raise ConfigError(
                "ORCHESTRATOR_MASTER_KEY must be one or more comma-separated Fernet keys "
                "(generate one with: python -m orchestrator keys generate)."
            ) from None

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise CredentialError(
                "A stored API key cannot be decrypted with the configured master keys "
                "(was ORCHESTRATOR_MASTER_KEY changed without keeping the old key?)."
            ) from None

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt under the first master key."""
        try:
            return self._fernet.rotate(ciphertext.encode()).decode()
        except InvalidToken:
            raise CredentialError("A stored API key cannot be decrypted for rotation.") from None

    def secrets_for(self, purpose: str) -> list[bytes]:
        return derive_secret(self.master_keys, purpose)

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()


def derive_secret(master_keys: list[str] | tuple[str, ...], purpose: str) -> list[bytes]:
    """Purpose-bound secrets derived from each master key (first = current), e.g. for
    signing session tokens. Rotating the master key invalidates what was signed."""
    import hashlib
    import hmac

    return [hmac.new(k.encode(), f"orchestrator:{purpose}".encode(), hashlib.sha256).digest()
            for k in master_keys]
