"""Properties of the parsers that read what users upload or paste, over arbitrary input.

Whatever the bytes or the text, each either returns its result or raises ``InputRejected``
(a message for the user): never another exception, which the CLI would show as
"unexpected ..." and the app as a crash. Inputs are arbitrary, or valid files mutated
(bytes flipped, inserted, deleted, the file cut short), which reach deeper into each parser.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from orchestrator import inputs
from orchestrator.errors import InputRejected
from orchestrator.offline import extract_posting, parse_profile_text
from orchestrator.schemas import JobPosting, Profile
from orchestrator.services.user.profiles import parse_profile

FAST = hsettings(max_examples=150, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
NAMES = st.sampled_from(["cv.docx", "cv.pdf", "cv.md", "cv.json", "cv.txt", "CV.DOCX", "noextension"])
IMAGE_LIMITS = dict(max_bytes=8 * 1024 * 1024, max_pixels=40_000_000)


def _image(fmt: str, **kw) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.effect_noise((48, 32), 50).convert("RGB").save(buf, format=fmt, **kw)
    return buf.getvalue()


def _docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Pat Example", level=1)
    d.add_paragraph("Platform Engineer")
    d.add_paragraph("Go, Kubernetes", style="List Bullet")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _pdf() -> bytes:
    from orchestrator.exports import to_pdf

    return to_pdf("# Pat Example\nPlatform Engineer\n\n## Skills\nGo, Kubernetes\n", "CV")


def _plain_pdf() -> bytes:
    """A PDF with nothing compressed, so that mutations land in objects and operators."""
    content = b"BT /F1 12 Tf 72 712 Td (Pat Example) Tj 0 -14 Td [(Go, Kube) -20 (rnetes)] TJ ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >>"
               b" /Contents 5 0 R >>", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return bytes(out + b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)


@st.composite
def docx_with_damaged_xml(draw) -> bytes:
    """A valid archive around a mutated word/document.xml: reaches lxml and python-docx."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(_DOCX))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info)
            z.writestr(info.filename, draw(mutated(data)) if info.filename == "word/document.xml" else data)
    return out.getvalue()


@st.composite
def mutated(draw, base: bytes) -> bytes:
    """``base`` with a few bytes flipped, inserted or deleted, or cut short."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "cut"]))
        if op == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif op == "cut":
            del data[max(at, 8):]
    return bytes(data)


def _profile_or_rejected(orch, data, name) -> None:
    try:
        assert isinstance(parse_profile(orch, data, filename=name), Profile)
    except InputRejected as exc:
        assert str(exc) and "unexpected" not in str(exc)


@FAST
@given(data=st.one_of(st.binary(max_size=3000), st.text(max_size=3000)), name=NAMES)
def test_parse_profile_returns_a_profile_or_refuses(orch, data, name):
    _profile_or_rejected(orch, data, name)


_DOCX = _docx()


@FAST
@given(data=st.one_of(mutated(_DOCX), docx_with_damaged_xml()))
def test_parse_profile_on_damaged_docx(orch, data):
    _profile_or_rejected(orch, data, "cv.docx")


@FAST
@given(data=st.one_of(mutated(_pdf()), mutated(_plain_pdf())))
def test_parse_profile_on_damaged_pdf(orch, data):
    _profile_or_rejected(orch, data, "cv.pdf")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                        st.sampled_from(["name", "skills", "experience", "links", "email", "x"]) | st.text(max_size=8),
                        inner, max_size=4), max_leaves=20)


@FAST
@given(value=JSON)
def test_parse_profile_on_arbitrary_json(orch, value):
    _profile_or_rejected(orch, json.dumps(value), "cv.json")


@pytest.mark.parametrize("text", ["[" * 100_000, "{\"name\": " + "1" * 5_000 + "}", "\ud800", '{"name": "\\ud800"}'])
def test_parse_profile_on_hostile_json(orch, text):
    _profile_or_rejected(orch, text, "cv.json")


@FAST
@given(data=st.one_of(st.binary(max_size=2000), mutated(_image("PNG")), mutated(_image("JPEG")),
                      mutated(_image("JPEG", progressive=True)), mutated(_image("WEBP")), mutated(_image("GIF"))))
def test_validate_image_returns_or_refuses(data):
    try:
        assert inputs.validate_image(data, **IMAGE_LIMITS).mime_type in ("image/png", "image/jpeg", "image/webp")
    except InputRejected as exc:
        assert str(exc)


@FAST
@given(text=st.one_of(st.none(), st.text(max_size=3000)), limit=st.integers(1, 5000))
def test_validate_text_returns_or_refuses(text, limit):
    try:
        cleaned = inputs.validate_text(text, max_chars=limit)
    except InputRejected as exc:
        assert str(exc)
    else:
        assert 0 < len(cleaned) <= limit and "\x00" not in cleaned


@FAST
@given(text=st.text(max_size=3000))
def test_offline_extractors_never_crash(text):
    try:
        assert isinstance(extract_posting(text), JobPosting)
    except InputRejected as exc:  # nothing readable in it: the one refusal it may raise
        assert str(exc)
    assert isinstance(parse_profile_text(text), Profile)
