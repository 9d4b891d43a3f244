"""Seeding: the base data a fresh database starts with (``seed``: plans, providers,
the priced catalog, routing policy v1) and the demo (``demo``: accounts, profiles
and ~90 days of history from ``demo_history``).

It lives in the orchestrator, not in ``db/``: it needs the task registry, the price
book and the rollups, and ``db/`` stays storage only (it never imports the
orchestrator; a layout test checks).
"""
