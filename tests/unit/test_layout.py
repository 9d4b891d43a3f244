"""The layout DESIGN.md promises: orchestrator/ and db/ never import Streamlit,
and the public API imports without it."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_packages_never_import_streamlit():
    offenders = [str(p.relative_to(ROOT)) for pkg in ("orchestrator", "db") for p in (ROOT / pkg).rglob("*.py")
                 if "streamlit" in _imports(p)]
    assert offenders == []


def test_public_api_imports_without_streamlit_or_sdks():
    code = ("import sys, orchestrator; from orchestrator import Orchestrator, Result, JobPosting; "
            "bad = [m for m in ('streamlit', 'openai', 'anthropic', 'google.genai') if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_no_module_is_huge():
    big = [f"{p.relative_to(ROOT)}:{n}" for pkg in ("orchestrator", "db", "ui", "pages")
           for p in (ROOT / pkg).rglob("*.py") if "taxonomy_data" not in p.name
           and (n := len(p.read_text().splitlines())) > 450]
    assert big == []


def _py(*dirs: str, exclude: str | None = None) -> list[Path]:
    return [p for d in dirs for p in ((ROOT / d).rglob("*.py") if (ROOT / d).is_dir() else [ROOT / d])
            if exclude is None or exclude not in p.relative_to(ROOT).parts]


def test_db_never_imports_the_orchestrator():
    """``db`` is storage only; seeding and demo data live in ``orchestrator.seeding``."""
    offenders = [str(p.relative_to(ROOT)) for p in _py("db", exclude="migrations") if "orchestrator" in _imports(p)]
    assert offenders == []


def test_pages_and_ui_never_import_db():
    """Pages and UI helpers get DTOs from services, never models, sessions or storage types."""
    offenders = [str(p.relative_to(ROOT)) for p in _py("pages", "ui", "streamlit_app.py") if "db" in _imports(p)]
    assert offenders == []


def test_db_defines_no_money_formatting():
    """Display formatting lives in ``orchestrator.money``; ``db.base`` keeps storage types only."""
    found = [f"{p.relative_to(ROOT)}:{node.name}" for p in _py("db")
             for node in ast.walk(ast.parse(p.read_text()))
             if isinstance(node, ast.FunctionDef) and (node.name == "usd_str" or node.name.endswith("_str")
                                                       or "format" in node.name)]
    assert found == []


def test_every_admin_command_takes_a_required_keyword_actor():
    """Introspects the admin service modules: each public function that writes (directly or
    through another service) takes ``actor`` as a keyword-only parameter without a default."""
    import importlib
    import inspect

    from tests.admin_commands import SELF_SERVICE, admin_commands, admin_modules, dotted, mutating_functions

    commands = admin_commands()
    assert len(commands) > 20  # the introspection found them
    bad = []
    for qualified in sorted(commands):
        module, name = qualified.rsplit(".", 1)
        fn = getattr(importlib.import_module(dotted(module)), name)
        actor = inspect.signature(fn).parameters.get("actor")
        if actor is None or actor.kind is not inspect.Parameter.KEYWORD_ONLY or actor.default is not actor.empty:
            bad.append(qualified)
    assert bad == []
    # a new service module that writes must say which it is: admin (actor, audit) or self-service
    unclassified = {m for m, _ in mutating_functions()} - admin_modules() - SELF_SERVICE
    assert unclassified == set()


def test_pages_never_act_as_the_operator():
    """Only the CLI is the operator; pages build actors from the signed-in user (``Actor.of``)."""
    offenders = [str(p.relative_to(ROOT)) for p in _py("pages", "ui", "streamlit_app.py")
                 if "Actor.operator" in p.read_text() or "actor=\"" in p.read_text()]
    assert offenders == []


def test_services_are_grouped_by_audience():
    """services/admin (commands), services/user (a job seeker's own use cases), services/reports
    (read side); only the shared actor type sits at the top (DESIGN.md)."""
    top = sorted(p.name for p in (ROOT / "orchestrator" / "services").glob("*.py"))
    assert top == ["__init__.py", "actor.py"]
    packages = sorted(p.name for p in (ROOT / "orchestrator" / "services").iterdir()
                      if p.is_dir() and p.name != "__pycache__")
    assert packages == ["admin", "reports", "user"]


def test_bench_modules_import():
    """``make bench`` is not run by the suite; at least its modules must import."""
    import importlib

    for name in ("bench.__main__", "bench.request_path", "bench.queries", "bench.ledger", "bench.page_render"):
        importlib.import_module(name)
