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
