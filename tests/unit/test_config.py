"""Settings: environment first, then .streamlit/secrets.toml, then defaults."""

from orchestrator.config import Settings


def test_master_keys_and_database_from_secrets_toml(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('master_key = "k1,k2"\nDATABASE_URL = "sqlite:///from-secrets.db"\nmax_retries = 5\n')
    monkeypatch.setenv("ORCHESTRATOR_SECRETS_FILE", str(secrets))
    for var in ("ORCHESTRATOR_MASTER_KEY", "DATABASE_URL", "ORCHESTRATOR_MAX_RETRIES"):
        monkeypatch.delenv(var, raising=False)
    s = Settings.load()
    assert s.master_keys == ("k1", "k2") and s.database_url == "sqlite:///from-secrets.db" and s.max_retries == 5


def test_environment_wins_over_secrets(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('master_key = "from-file"\n')
    monkeypatch.setenv("ORCHESTRATOR_SECRETS_FILE", str(secrets))
    monkeypatch.setenv("ORCHESTRATOR_MASTER_KEY", "a, b ,")
    assert Settings.load().master_keys == ("a", "b")


def test_default_database_is_the_sqlite_file_in_data(tmp_path, monkeypatch):
    monkeypatch.setenv("ORCHESTRATOR_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ORCHESTRATOR_DATA_DIR", str(tmp_path))
    assert Settings.load().database_url == f"sqlite:///{tmp_path / 'app.db'}"


# ------------------------------------------------------------ every setting, once, checked

import dataclasses  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from orchestrator.errors import ConfigError  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(tmp_path, monkeypatch):
    """No secrets file and none of the settings' variables set."""
    monkeypatch.setenv("ORCHESTRATOR_SECRETS_FILE", str(tmp_path / "none.toml"))
    for env, _default in Settings.variables().values():
        monkeypatch.delenv(env, raising=False)
    return monkeypatch


def test_defaults_come_from_the_one_declaration(clean_env):
    loaded = Settings.load()
    declared = {f.name: f.default for f in dataclasses.fields(Settings) if "env" in f.metadata}
    assert declared and {name: getattr(loaded, name) for name in declared} == declared


def test_each_default_is_written_once():
    """``load`` reads the declarations; no default value is repeated in its body."""
    import inspect

    body = inspect.getsource(Settings.load)
    assert not re.search(r"\b\d+(\.\d+)?\b", body), body


@pytest.mark.parametrize("name", ["max_posting_chars", "max_image_bytes", "max_image_pixels", "url_fetch_timeout_s",
                                  "url_max_bytes", "max_profile_bytes", "max_document_chars", "max_retries",
                                  "session_ttl_hours"])
def test_every_numeric_setting_loads_from_the_environment(clean_env, name):
    env, default = Settings.variables()[name]
    clean_env.setenv(env, "7")
    assert getattr(Settings.load(), name) == 7 and type(getattr(Settings.load(), name)) is type(default)


def test_input_limits_load_from_secrets_toml(tmp_path, clean_env):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("max_profile_bytes = 1024\nurl_fetch_timeout_s = 2.5\nORCHESTRATOR_MAX_IMAGE_PIXELS = 99\n")
    clean_env.setenv("ORCHESTRATOR_SECRETS_FILE", str(secrets))
    s = Settings.load()
    assert (s.max_profile_bytes, s.url_fetch_timeout_s, s.max_image_pixels) == (1024, 2.5, 99)


@pytest.mark.parametrize("env, raw, says", [
    ("ORCHESTRATOR_MAX_RETRIES", "abc", "must be a whole number"),
    ("ORCHESTRATOR_MAX_RETRIES", "2.5", "must be a whole number"),
    ("ORCHESTRATOR_MAX_RETRIES", "-1", "at least 0"),
    ("ORCHESTRATOR_ATTEMPT_TIMEOUT_S", "-5", "more than 0"),
    ("ORCHESTRATOR_REQUEST_DEADLINE_S", "0", "more than 0"),
    ("ORCHESTRATOR_URL_FETCH_TIMEOUT_S", "soon", "must be a number"),
    ("ORCHESTRATOR_BACKOFF_BASE_S", "nan", "at least 0"),
    ("ORCHESTRATOR_MAX_POSTING_CHARS", "0", "at least 1"),
    ("ORCHESTRATOR_MAX_PROFILE_BYTES", "5MB", "must be a whole number"),
])
def test_a_malformed_value_is_a_config_error_naming_the_variable(clean_env, env, raw, says):
    clean_env.setenv(env, raw)
    with pytest.raises(ConfigError, match=says) as err:
        Settings.load()
    assert env in str(err.value) and raw in str(err.value)


def test_a_malformed_value_in_secrets_names_the_variable_too(tmp_path, clean_env):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('max_retries = "many"\n')
    clean_env.setenv("ORCHESTRATOR_SECRETS_FILE", str(secrets))
    with pytest.raises(ConfigError, match="ORCHESTRATOR_MAX_RETRIES"):
        Settings.load()


def test_a_broken_secrets_file_is_a_config_error(tmp_path, clean_env):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("master_key = \n")
    clean_env.setenv("ORCHESTRATOR_SECRETS_FILE", str(secrets))
    with pytest.raises(ConfigError, match="not valid TOML"):
        Settings.load()


def test_underscores_in_numbers_are_fine(clean_env):
    clean_env.setenv("ORCHESTRATOR_MAX_POSTING_CHARS", "80_000")
    assert Settings.load().max_posting_chars == 80_000


def test_the_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    missing = [env for env, _ in Settings.variables().values() if f"`{env}`" not in readme]
    assert missing == []


def test_a_bad_database_url_is_a_config_error():
    from orchestrator.config import open_database

    for url in ("::not a url::", "nonsense://somewhere/db"):
        with pytest.raises(ConfigError, match="DATABASE_URL"):
            open_database(url)
