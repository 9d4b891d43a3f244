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
