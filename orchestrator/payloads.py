"""The request inspector's stored prompts and answers (placeholder: filled in by the inspector work)."""

from __future__ import annotations
