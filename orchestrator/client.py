"""``Orchestrator``: the public entry point, importable without Streamlit.

One instance per process holds the database engine, settings, the vault and
the circuit-breaker policy; it is safe to share across threads. Pages get it
from ``st.cache_resource``; the CLI and scripts construct their own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

from orchestrator import payloads, pipeline, tracing  # noqa: F401 - payloads registers its observer
from orchestrator.config import Settings, open_database
from orchestrator.errors import CredentialError
from orchestrator.health import BreakerPolicy
from orchestrator.origin import Origin
from orchestrator.result import Result, StreamRestart
from orchestrator.snapshot import Snapshot
from orchestrator.providers.registry import get_kind
from orchestrator.routing import Candidate
from orchestrator.vault import Vault


class Orchestrator:
    """Run AI tasks for users, with routing, quotas, fallback and a ledger.

    >>> orch = Orchestrator(database_url=None)          # None: DATABASE_URL or data/app.db
    >>> job = orch.run(posting_task, user="free@example.com", text="...")
    >>> doc = orch.run(drafting_task, user="free@example.com", job_id=job.job_id)

    Tasks are the registered ``TaskSpec`` names (``orchestrator.tasks.TASKS``).
    """

    def __init__(self, database_url: str | None = None, *, settings: Settings | None = None,
                 migrate: bool = True, seed: bool = True, breaker: BreakerPolicy | None = None):
        self.settings = settings or Settings.load()
        self.db = open_database(database_url or self.settings.database_url)
        self.breaker = breaker or BreakerPolicy()
        self.snapshot = Snapshot(self.db)
        self._keys: dict[str, str] = {}  # ciphertext -> plaintext, in memory only (as the SDK clients hold it)
        self._vault: Vault | None = None
        self._vault_lock = threading.Lock()
        if migrate:
            from db.migrate import upgrade

            upgrade(self.db)
        if seed:
            from orchestrator.seeding.seed import seed_base_if_empty

            seed_base_if_empty(self.db)
        tracing.setup(self.settings)  # traces when OTEL_EXPORTER_OTLP_ENDPOINT is set; nothing otherwise

    # ----------------------------------------------------------------- tasks

    def run(self, task: str, *, user: str | int, text: str | None = None, image: bytes | None = None,
            url: str | None = None, job_id: int | None = None, regenerate: bool = False,
            messages: list[dict[str, Any]] | None = None, model: str | None = None,
            origin: Origin | None = None, **options: Any) -> Result:
        """Run the registered ``task`` for ``user`` (email or id).

        A task whose input is a posting takes exactly one of ``text``, ``image``
        (PNG/JPEG/WebP bytes) or ``url``; one that works from a saved job takes
        ``job_id`` and options ``length``, ``tone``,
        ``language``, ``emphasis``; a conversation task (``chat``) takes OpenAI-shaped
        ``messages`` (or ``text``) and options ``max_tokens`` and ``temperature``.
        ``regenerate`` bypasses the response cache. ``model`` (``provider/model``) asks for
        exactly that model, if the user's plan may use it, instead of the plan's chain.
        ``origin`` is what the ledger records as the request's source (default ``python``).
        Raises an ``OrchestratorError`` subclass with a message for people.
        """
        result = None
        for event in pipeline.execute(self, task, user=user, text=text, image=image, url=url, job_id=job_id,
                                      regenerate=regenerate, streaming=False, options=options,
                                      messages=messages, model=model, origin=origin):
            if isinstance(event, Result):
                result = event
        assert result is not None
        return result

    def stream(self, task: str, *, user: str | int, text: str | None = None, image: bytes | None = None,
               url: str | None = None, job_id: int | None = None, regenerate: bool = False,
               messages: list[dict[str, Any]] | None = None, model: str | None = None,
               origin: Origin | None = None, **options: Any) -> Iterator[str | StreamRestart | Result]:
        """Like ``run`` but yields text chunks as they arrive, then the ``Result``.

        If a stream breaks and another provider takes over, a ``StreamRestart``
        is yielded first: discard the text shown so far.
        """
        yield from pipeline.execute(self, task, user=user, text=text, image=image, url=url, job_id=job_id,
                                    regenerate=regenerate, streaming=True, options=options, messages=messages,
                                    model=model, origin=origin)

    # ------------------------------------------------------------ internals

    @property
    def vault(self) -> Vault:
        with self._vault_lock:
            if self._vault is None:
                self._vault = Vault(self.settings.master_keys, self.settings.data_dir)
            return self._vault

    def api_key_for(self, cand: Candidate) -> str | None:
        """The plaintext key for one call: the vault's (decrypted once per ciphertext and
        kept in memory), else the named environment variable."""
        if cand.api_key_ciphertext:
            key = self._keys.get(cand.api_key_ciphertext)
            if key is None:
                key = self.vault.decrypt(cand.api_key_ciphertext)
                self._keys[cand.api_key_ciphertext] = key
            return key
        if cand.api_key_env:
            key = os.environ.get(cand.api_key_env)
            if not key and get_kind(cand.kind).needs_key:
                raise CredentialError(f"The environment variable {cand.api_key_env} is not set.")
            return key
        return None

    def close(self) -> None:
        thread = getattr(self, "_maintenance_thread", None)
        if thread is not None:
            thread.stop.set()
        self.db.dispose()

    def __enter__(self) -> Orchestrator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
