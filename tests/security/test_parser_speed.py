"""The offline parsers run in linear time on hostile text: a long run of characters an
e-mail address may hold made the address patterns quadratic (100,000 characters took 21 s)."""

from __future__ import annotations

import time

import pytest

from orchestrator.errors import InputRejected
from orchestrator.offline import parse_profile_text
from orchestrator.offline.extract import extract_posting

HOSTILE = {
    "word characters": "x" * 100_000,
    "dotted": "a." * 50_000,
    "address at the end": "x" * 99_000 + "@example.com",
    "dashes and digits": "1-" * 50_000,
    "commas": "a," * 50_000,
    "one long link": "https://" + "a" * 99_000,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_profile_import_is_fast_on_hostile_text(text):
    t0 = time.monotonic()
    parse_profile_text(text)
    assert time.monotonic() - t0 < 1.5


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_offline_extraction_is_fast_on_hostile_text(text):
    t0 = time.monotonic()
    try:
        extract_posting(text[:60_000])
    except InputRejected:
        pass
    assert time.monotonic() - t0 < 1.5
