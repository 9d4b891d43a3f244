"""Alerts that reach people: the rules of ``services/admin/alerts.py`` evaluated on a schedule,
each alert's state kept in the database, and messages delivered to webhooks (JSON or
Slack-compatible, HMAC-signed) and e-mail, with a cool-down, one recovery message, and a
delivery log with retries.

- ``channels``: where alerts go (validation, encrypted storage, what may be shown);
- ``messages``: the canonical payload and its renderings (JSON, Slack, e-mail), the signature;
- ``senders``: the signed POST and the SMTP send, returning outcomes, never raising;
- ``delivery``: the delivery log: enqueue, claim, send, retry with backoff;
- ``runner``: one run: evaluate -> state transitions -> enqueue -> deliver.

``python -m orchestrator alerts run`` runs it once; every app process's housekeeping thread
runs it every ``ORCHESTRATOR_ALERTS_INTERVAL_S`` where it wins the ``alerts`` job's claim
(``orchestrator/maintenance.py``), so one process does at a time.
"""
