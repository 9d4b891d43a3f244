"""Which service functions are admin commands, found by reading the code (not by a list
someone must remember to update).

A service module is an *admin module* when it imports ``audit`` or ``actor``. A function is
*mutating* when it opens a write session (``....write()``) or calls a mutating function, in
its own module or another service module (followed to a fixed point). Every public mutating
function of an admin module is an admin command, except the user's own sign-in.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ROOT / "orchestrator" / "services"


def _paths() -> list[Path]:
    return [p for p in sorted(SERVICES.rglob("*.py")) if p.stem != "__init__"]


def _name_of(path: Path) -> str:
    """A service module's name here: its stem, or ``<package>.<stem>`` when two packages use
    the same stem (``admin.api_tokens`` and ``user.api_tokens``)."""
    twins = [p for p in _paths() if p.stem == path.stem]
    return path.stem if len(twins) == 1 else f"{path.parent.name}.{path.stem}"


def _dotted_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _names() -> dict[str, str]:
    """Import path -> name, for every service module."""
    return {_dotted_of(p): _name_of(p) for p in _paths()}


# Mutating and audited (sign-in locks, password changes), but acting on the caller's own account
# rather than administering anything.
NOT_ADMIN = {("sign_in", "authenticate"), ("sign_in", "change_password"),
             # self-service billing: a user changes their own plan and buys their own credit (audited
             # with the user as the actor)
             ("billing", "buy_credit"), ("billing", "open_invoice"), ("plan_change", "change_plan"),
             ("plan_change", "cancel_plan")}
# Service modules whose writes are the signed-in user's own: everything in services/user/.
SELF_SERVICE = {_name_of(p) for p in _paths() if p.parent.name == "user"}
# The audience packages of services/ (DESIGN.md): names bound to them import service modules.
PACKAGES = {"orchestrator.services"} | {f"orchestrator.services.{g}" for g in ("admin", "user", "reports")}


def dotted(name: str) -> str:
    """The import path of the service module called ``name`` here."""
    (path,) = [p for p in _paths() if _name_of(p) == name]
    return _dotted_of(path)


def _modules() -> dict[str, ast.Module]:
    return {_name_of(p): ast.parse(p.read_text()) for p in _paths()}


def _aliases(tree: ast.Module) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Names bound to service modules, and names bound to functions of service modules."""
    names = _names()
    modules, functions = {}, {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        for alias in node.names:
            local = alias.asname or alias.name
            if node.module in PACKAGES:
                modules[local] = names.get(f"{node.module}.{alias.name}", alias.name)
            elif node.module.startswith("orchestrator.services."):
                functions[local] = (names.get(node.module, node.module.rsplit(".", 1)[1]), alias.name)
    return modules, functions


def _facts(mods: dict[str, ast.Module]):
    writes: set[tuple[str, str]] = set()
    calls: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for mod, tree in mods.items():
        modules, functions = _aliases(tree)
        for fn in tree.body:
            if not isinstance(fn, ast.FunctionDef):
                continue
            key, out = (mod, fn.name), set()
            for node in ast.walk(fn):
                if not isinstance(node, ast.Call):
                    continue
                f = node.func
                if isinstance(f, ast.Attribute) and f.attr == "write":
                    writes.add(key)
                elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in modules:
                    out.add((modules[f.value.id], f.attr))
                elif isinstance(f, ast.Name):
                    out.add(functions.get(f.id, (mod, f.id)))
            calls[key] = out
    return writes, calls


def mutating_functions() -> set[tuple[str, str]]:
    """(module, function) of every service function that writes, directly or through another."""
    writes, calls = _facts(_modules())
    found = set(writes)
    while True:
        more = {key for key, callees in calls.items() if key not in found and callees & found}
        if not more:
            return found
        found |= more


def admin_modules() -> set[str]:
    out = set()
    for mod, tree in _modules().items():
        modules, functions = _aliases(tree)
        if {"audit", "actor"} & set(modules.values()) or any(m == "actor" for m, _ in functions.values()):
            out.add(mod)
    return out


def admin_commands() -> set[str]:
    """``module.function`` of every public admin command (``module`` as ``_name_of`` names it)."""
    admin = admin_modules()
    return {f"{m}.{f}" for m, f in mutating_functions()
            if m in admin and not f.startswith("_") and (m, f) not in NOT_ADMIN}
