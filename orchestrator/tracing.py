"""OpenTelemetry traces of requests (placeholder: filled in by the tracing work)."""

from __future__ import annotations


def setup(settings) -> None:
    """Start exporting traces when ``settings.otel_endpoint`` is set; otherwise do nothing."""
