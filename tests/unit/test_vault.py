"""The credential vault: round trip, rotation, and clear errors on bad keys."""

import os
import stat

import pytest
from cryptography.fernet import Fernet

from orchestrator.errors import ConfigError, CredentialError
from orchestrator.vault import Vault


def test_round_trip_never_stores_plaintext():
    v = Vault([Fernet.generate_key().decode()])
    token = v.encrypt("sk-test-secret-1234")
    assert "sk-test-secret-1234" not in token
    assert v.decrypt(token) == "sk-test-secret-1234"


def test_rotation_moves_ciphertext_to_the_first_key():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = Vault([old]).encrypt("sk-rotate-me-9999")
    both = Vault([new, old])
    rotated = both.rotate(token)
    assert Vault([new]).decrypt(rotated) == "sk-rotate-me-9999"
    with pytest.raises(CredentialError):
        Vault([new]).decrypt(token)


def test_generated_key_file_is_private(tmp_path, caplog):
    v = Vault([], data_dir=tmp_path)
    path = tmp_path / "master.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "generated a master key" in caplog.text
    assert Vault([], data_dir=tmp_path).decrypt(v.encrypt("x-key-0001")) == "x-key-0001"


def test_malformed_master_key_is_a_config_error():
    with pytest.raises(ConfigError, match="Fernet"):
        Vault(["not-a-fernet-key"])
