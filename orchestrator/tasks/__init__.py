"""The task registry: every task is one ``TaskSpec`` in its own module.

Modules in this package that define a module-level ``SPEC`` are discovered and
registered in ``SPEC.order``, so adding a task is adding one module. Everything else (CLI choices, seeded routing cells,
analytics labels and colours, document kinds, drafting pages, navigation) is
derived from ``TASKS``. An unregistered name is a clear ``InputRejected``.
"""

from __future__ import annotations

import importlib
import pkgutil

from orchestrator.tasks.common import TaskSpec

TASKS: dict[str, TaskSpec] = {}


def register(spec: TaskSpec) -> TaskSpec:
    """Add (or replace) a task; returns it. Plugins and tests call this. ``TASKS`` is
    changed in place, so every module that imported it sees the new task."""
    TASKS[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    TASKS.pop(name, None)


def _discover() -> None:
    found: list[TaskSpec] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name in ("common", "drafting"):
            continue
        spec = getattr(importlib.import_module(f"{__name__}.{info.name}"), "SPEC", None)
        if isinstance(spec, TaskSpec):
            found.append(spec)
    found.sort(key=lambda s: (s.order, s.name))
    for spec in found:
        TASKS[spec.name] = spec


_discover()


def get_task(name: str) -> TaskSpec:
    from orchestrator.errors import InputRejected

    try:
        return TASKS[name]
    except KeyError:
        raise InputRejected(f"Unknown task '{name}'. Choose one of: {', '.join(TASKS)}.") from None


def document_tasks() -> list[TaskSpec]:
    """Tasks that write documents of their own kind, in registry order (the drafting pages, My
    documents); a task that rewrites part of a saved document saves that document's kind."""
    return [t for t in TASKS.values() if t.output == "document" and t.document_kind]


def task_label(name: str) -> str:
    spec = TASKS.get(name)
    return spec.label if spec else name
