"""Extension points stay cheap: a provider kind is one descriptor in one module.

Everything else (CLI choices, validation, pricing ids, log scrubbing, probe
URLs, chart colours, admin pages) derives from the ``ProviderKind``
descriptors, so a kind's name should barely appear outside its own module.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import orchestrator.providers as providers_pkg
from orchestrator.errors import ConfigError
from orchestrator.providers import registry
from orchestrator.providers.base import Capabilities, ChatRequest, Completion, ProviderConfig, TokenUsage
from orchestrator.providers.kinds import ProviderKind

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ("orchestrator", "db", "ui", "pages")
# data and engines that name kinds on purpose: seed/demo data, the offline engine, the simulator
NOT_COUNTED_DIRS = ("orchestrator/offline/", "orchestrator/simulator/", "orchestrator/seeding/")
NOT_COUNTED_FILES: set[str] = set()
MAX_FILES = 2


def _production_files() -> Iterator[Path]:
    yield ROOT / "streamlit_app.py"
    for pkg in PRODUCTION:
        yield from sorted((ROOT / pkg).rglob("*.py"))


def _own_modules() -> dict[str, str]:
    """kind name -> the provider module (relative path) that declares it."""
    out: dict[str, str] = {}
    for info in pkgutil.iter_modules(providers_pkg.__path__):
        module = importlib.import_module(f"{providers_pkg.__name__}.{info.name}")
        declared = list(getattr(module, "KINDS", ()) or ())
        if isinstance(getattr(module, "KIND", None), ProviderKind):
            declared.append(module.KIND)
        for kind in declared:
            out[kind.name] = Path(module.__file__).resolve().relative_to(ROOT).as_posix()
    return out


def _string_literals(path: Path) -> Iterator[tuple[str, int]]:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value, node.lineno


def test_provider_kind_names_stay_in_their_modules():
    own = _own_modules()
    kinds = set(registry.PROVIDER_KINDS)
    assert kinds <= set(own), "every registered kind is declared by a provider module"
    hits: dict[str, dict[str, list[int]]] = {k: {} for k in kinds}
    for path in _production_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel in NOT_COUNTED_FILES or rel.startswith(NOT_COUNTED_DIRS):
            continue
        for value, line in _string_literals(path):
            if value in kinds and rel != own[value]:
                hits[value].setdefault(rel, []).append(line)
    too_many = {kind: files for kind, files in hits.items() if len(files) > MAX_FILES}
    assert not too_many, (
        f"provider kind names written out in more than {MAX_FILES} production files (derive them from "
        f"the ProviderKind descriptors instead): {too_many}"
    )


# ---------------------------------------------------- a kind added at run time


class EchoAdapter:
    """A throwaway adapter: answers with the prompt."""

    kind = "echo_test"

    def complete(self, config: ProviderConfig, request: ChatRequest) -> Completion:
        return Completion(text=request.prompt, usage=TokenUsage(input_tokens=1, output_tokens=1))

    def stream(self, config: ProviderConfig, request: ChatRequest):
        yield request.prompt
        yield self.complete(config, request)


ECHO = ProviderKind(
    name="echo_test", label="Echo (test)", adapter_factory=EchoAdapter,
    model_capabilities=lambda model: Capabilities(vision=model.startswith("see"), json_schema=True),
    needs_key=False, requires_base_url=True, sdk_loggers=("echo_sdk",), color="#123456",
)


@pytest.fixture
def echo_kind():
    registry.register(ECHO)
    yield ECHO
    registry.unregister(ECHO.name)


def test_a_registered_kind_is_picked_up_everywhere(echo_kind):
    from orchestrator.cli import _parser
    from orchestrator.pricing import lookup_genai_price
    from orchestrator.providers.logging_guard import sdk_loggers
    from orchestrator.services.admin.providers import provider_kinds

    assert "echo_test" in registry.PROVIDER_KINDS
    assert registry.get_kind("echo_test") is echo_kind
    assert echo_kind in registry.all_kinds() and "echo_test" not in registry.local_engine_kinds()
    adapter = registry.get_adapter("echo_test")
    assert isinstance(adapter, EchoAdapter) and registry.get_adapter("echo_test") is adapter
    request = ChatRequest(task="t", model="m", system="", prompt="hello")
    assert adapter.complete(ProviderConfig("echo", "echo_test"), request).text == "hello"

    args = _parser().parse_args(["providers", "add", "--name", "echo", "--kind", "echo_test"])
    assert args.kind == "echo_test"
    info = {k.name: k for k in provider_kinds()}["echo_test"]
    assert (info.label, info.requires_base_url, info.needs_key, info.color) == ("Echo (test)", True, False, "#123456")
    assert echo_kind.capabilities("see-1").vision and not echo_kind.capabilities("text-1").vision
    assert lookup_genai_price("echo_test", "m") is None  # no genai-prices id: unpriced
    assert "echo_sdk" in sdk_loggers()


def test_an_unregistered_kind_is_gone():
    registry.register(ECHO)
    registry.unregister(ECHO.name)
    assert "echo_test" not in registry.PROVIDER_KINDS
    with pytest.raises(ConfigError, match="Known kinds: .*openai"):
        registry.get_adapter("echo_test")
    with pytest.raises(SystemExit):
        from orchestrator.cli import _parser

        _parser().parse_args(["providers", "add", "--name", "echo", "--kind", "echo_test"])


def test_lazy_adapter_imports_on_first_call():
    from orchestrator.providers.kinds import lazy_adapter

    factory = lazy_adapter(f"{__name__}:EchoAdapter")
    assert isinstance(factory(), EchoAdapter)


def test_registering_a_taken_name_is_refused():
    clash = ProviderKind(name="openai", label="Not OpenAI", adapter_factory=EchoAdapter,
                         model_capabilities=lambda model: Capabilities())
    with pytest.raises(ConfigError, match="already registered"):
        registry.register(clash)
    assert registry.get_kind("openai").label == "OpenAI"


def test_descriptors_import_no_sdk():
    import subprocess
    import sys

    code = ("import sys\n"
            "from orchestrator.providers import registry\n"
            "kinds = registry.all_kinds(); [k.capabilities('m') for k in kinds]\n"
            "[registry.get_adapter(k.name) for k in kinds]\n"
            "loaded = [m for m in ('openai', 'anthropic', 'google.genai') if m in sys.modules]\n"
            "assert len(kinds) >= 5 and not loaded, loaded\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


# ----------------------------------------------------------------------- tasks


VENDOR_WORDS = {"chat"}


def test_task_names_stay_in_their_modules():
    """A task's name (as a word, docstrings included) appears in at most 2 production files
    besides its own module, the offline engine, the simulator, seed data and its own page.
    A name that is also an ordinary word of the vendors' APIs ("chat", as in OpenAI's chat
    completions) counts only where it is written as a string literal."""
    import re

    from orchestrator.tasks import TASKS

    texts = {p.relative_to(ROOT).as_posix(): p.read_text() for p in _production_files()}
    too_many = {}
    for name, spec in TASKS.items():
        own = {f"orchestrator/tasks/{name}.py", spec.text.page}
        word = re.escape(name)
        pattern = re.compile(rf"[\"']{word}[\"']" if name in VENDOR_WORDS else rf"\b{word}\b")
        found = sorted(path for path, text in texts.items()
                       if path not in own and not path.startswith(NOT_COUNTED_DIRS)
                       and path not in NOT_COUNTED_FILES and pattern.search(text))
        if len(found) > MAX_FILES:
            too_many[name] = found
    assert not too_many, f"task names written out in more than {MAX_FILES} production files: {too_many}"


def test_an_unregistered_task_is_a_clear_error_everywhere():
    from orchestrator.cli import _parser as build_parser
    from orchestrator.errors import InputRejected
    from orchestrator.tasks import get_task

    with pytest.raises(InputRejected, match="Unknown task 'summarise_job'. Choose one of: "):
        get_task("summarise_job")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "summarise_job", "--user", "a@example.com"])
