"""The built-in offline engine: deterministic, instant, no network, no model.

It is the route on a fresh install without API keys and the last resort of a
fallback chain, so it does real work with heuristics: posting extraction
(labels, headings, bullets, a skill taxonomy, salary patterns), screenshots
read with a bundled OCR (``ocr``), template CVs and cover letters tailored to
the posting in eight languages (``draft``, ``letter``, ``phrasebook``), and CV import. ``respond`` reads
the same tagged prompts a real model gets, which lets the offline provider
adapter and the loopback simulator share it.
"""

from __future__ import annotations

from orchestrator.offline.draft import draft_cover_letter, draft_cv
from orchestrator.offline.extract import extract_posting
from orchestrator.offline.profile_import import parse_profile_text
from orchestrator.offline.respond import posting_json, respond

ENGINE_MODEL = "offline-engine-v1"
ENGINE_LABEL = "Offline engine (built-in, no AI model)"

__all__ = [
    "ENGINE_LABEL",
    "ENGINE_MODEL",
    "draft_cover_letter",
    "draft_cv",
    "extract_posting",
    "parse_profile_text",
    "posting_json",
    "respond",
]
