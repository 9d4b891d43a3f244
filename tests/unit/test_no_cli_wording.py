"""No CLI wording in the web app: no page or UI helper shows a command-line flag ("--model") or
a `python -m` command to the people using the browser (issue 12: "Say which model to test
'sim-openai' with (--model)" was shown on the Providers page). Docstrings are for developers
and are not checked."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+|python -m ")
_SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _shown_strings(path: Path):
    """(line, text) of every string constant in ``path`` that is not a docstring."""
    tree = ast.parse(path.read_text(), filename=str(path))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, _SCOPES) and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_pages_and_ui_show_no_command_line_flags():
    found = [f"{path.relative_to(ROOT)}:{line}: {text.strip()[:80]!r}"
             for folder in ("pages", "ui") for path in sorted((ROOT / folder).rglob("*.py"))
             for line, text in _shown_strings(path) if FLAG.search(text)]
    assert not found, "CLI wording in the web app:\n" + "\n".join(found)


def test_the_check_sees_a_flag():
    assert FLAG.search("Say which model to test 'x' with (--model).")
    assert FLAG.search("provider:model (as in the CLI's route set --chain)")
    assert FLAG.search("run python -m orchestrator maintenance prune")
    assert not FLAG.search("a dash — and a range 1--2 and x--y")
