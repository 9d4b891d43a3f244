"""Upload bombs and broken files: DOCX, PDF and images, one test per attack.

Every bomb is generated here (streamed through zlib, never held unpacked in the test), and
the expensive ones are parsed in a fresh interpreter that reports its peak resident memory
above its baseline (libraries imported, file read; VmHWM reset through /proc/self/clear_refs)
and the time taken. Measured on the reference machine, peak above baseline / time:
DOCX 1 GB bomb 3 MB / 0.05 s (was 13.9 GB / 92 s); DOCX declaring 10 KB, inflating to 200 MB
3 MB / 0.05 s; 100,000 entries 54 MB / 0.5 s; 440,000 empty paragraphs 67 MB / 0.3 s; the
most XML the markup budget admits 117 MB / 0.2 s; CLI import of the 1 GB bomb 73 MB in all,
imports included / 0.5 s; PDF 500 MB Flate bomb 44 MB / 0.1 s; PDF of 10,000 pages 46 MB /
0.7 s; 13300x13300 PNG 1 MB / 0.00 s (was 1.4 GB); the largest images allowed, validated and
thumbnailed: PNG 40 Mpx RGBA 178 MB, progressive JPEG 4:4:4 31 Mpx 182 MB, CMYK JPEG 26 Mpx
206 MB, WebP 13 Mpx 202 MB.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from orchestrator import inputs, uploads
from orchestrator.errors import InputRejected
from orchestrator.services.user.profiles import parse_profile

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
BUDGET_MB = 300

# ------------------------------------------------------------------ measuring

DRIVER = r"""
import gc, json, sys, time, types
from orchestrator.config import Settings
from orchestrator.errors import InputRejected
from orchestrator import inputs, uploads
from orchestrator.services.user import profiles
import docx, lxml.etree, pypdf, PIL.Image, PIL.WebPImagePlugin, PIL.PngImagePlugin, PIL.JpegImagePlugin  # baseline

def status(key):  # KiB, from /proc/self/status (VmRSS: resident now, VmHWM: its peak)
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(key))

kind, path, name, data_dir = sys.argv[1:5]
data = open(path, "rb").read()
settings = Settings.load(data_dir=data_dir)
gc.collect()
open("/proc/self/clear_refs", "w").write("5")  # the peak so far (imports) becomes the resident size
base = status("VmRSS")
started = time.perf_counter()
try:
    if kind == "profile":
        profiles.parse_profile(types.SimpleNamespace(settings=settings), data, filename=name)
    else:
        inputs.validate_image(data, max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels)
        uploads.thumbnail(data, max_pixels=settings.max_image_pixels)
    result = "accepted"
except InputRejected as exc:
    result = "rejected: " + str(exc)
print(json.dumps({"result": result, "seconds": time.perf_counter() - started,
                  "peak_mb": (status("VmHWM") - base) / 1024}))
"""


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORCHESTRATOR_")}
    return {**env, "PYTHONPATH": str(ROOT), "ORCHESTRATOR_SECRETS_FILE": "/nonexistent", **extra}


def measure(tmp_path: Path, kind: str, data: bytes, name: str = "upload", **env) -> dict:
    """Parse ``data`` in a fresh interpreter: {"result", "seconds", "peak_mb"}."""
    path = tmp_path / name
    path.write_bytes(data)
    proc = subprocess.run([sys.executable, "-c", DRIVER, kind, str(path), name, str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, env=_env(**env), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------- DOCX

CONTENT_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 b'<Default Extension="xml" ContentType="application/xml"/></Types>')


def _zip_bomb(size: int, *, chunk: bytes = b" " * MB) -> bytes:
    """A DOCX-shaped archive whose word/document.xml inflates to ``size`` bytes (streamed)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        with z.open("word/document.xml", "w") as f:
            for _ in range(size // len(chunk)):
                f.write(chunk)
    return buf.getvalue()


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    return _zip_bomb(1024 * MB)  # 1 GB of spaces in ~1 MB


def _lie_about_sizes(archive: bytes, name: bytes, size: int) -> bytes:
    """The archive with ``name``'s central-directory uncompressed size replaced by ``size``."""
    at = archive.index(b"PK\x01\x02")
    while archive[at + 46:at + 46 + len(name)] != name:
        at = archive.index(b"PK\x01\x02", at + 4)
    return archive[:at + 24] + struct.pack("<I", size) + archive[at + 28:]


def test_docx_zip_bomb_is_refused_before_anything_is_inflated(tmp_path, docx_bomb):
    assert len(docx_bomb) < 2 * MB
    m = measure(tmp_path, "profile", docx_bomb, "cv.docx")
    assert m["result"] == ("rejected: The DOCX file would unpack to 1,024.0 MB; the limit is 30 MB. Remove large "
                           "pictures and save it again, or paste the text instead.")
    assert m["peak_mb"] < BUDGET_MB and m["seconds"] < 3, m


def test_docx_whose_headers_lie_is_refused_without_inflating_it(tmp_path):
    """It declares 10 KB and inflates to 200 MB: zipfile's own ``read()`` would inflate it all."""
    liar = _lie_about_sizes(_zip_bomb(200 * MB), b"word/document.xml", 10_000)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo("word/document.xml").file_size == 10_000
    m = measure(tmp_path, "profile", liar, "cv.docx")
    assert m["result"].startswith("rejected: The DOCX file could not be opened (it may be corrupt).")
    assert m["peak_mb"] < 50 and m["seconds"] < 3, m


def test_docx_with_100k_entries_is_refused_quickly(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for i in range(100_000):
            z.writestr(zipfile.ZipInfo(f"{i:x}"), b"")
    m = measure(tmp_path, "profile", buf.getvalue(), "cv.docx", ORCHESTRATOR_MAX_PROFILE_BYTES=str(16 * MB))
    assert m["result"].startswith("rejected: The DOCX file holds 100,000 parts; the limit is 2,000.")
    assert m["peak_mb"] < 150 and m["seconds"] < 5, m


def _docx(body: bytes, *, stored: bool = False) -> bytes:
    """A real python-docx package whose body is ``body`` followed by one paragraph, 'end'."""
    import docx

    d = docx.Document()
    d.add_paragraph("hello")
    src = io.BytesIO()
    d.save(src)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src.getvalue())) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "word/document.xml":
                head = data.split(b"<w:body>", 1)[0]
                data = head + b"<w:body>" + body + b"<w:p><w:r><w:t>end</w:t></w:r></w:p></w:body></w:document>"
            new.writestr(info.filename, data, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _attributes(count: int) -> bytes:
    """Elements of 60 varied attributes each: what costs lxml the most per byte (no 100:1 ratio)."""
    import random

    rng = random.Random(1)
    return b"".join(b"<w:p " + b" ".join(b'a%d="%x"' % (i, rng.getrandbits(16)) for i in range(60)) + b"/>"
                    for _ in range(count // 61))


@pytest.mark.parametrize("body, stored, outcome", [
    (b"<w:p/>" * 440_000, True, "No text"),  # 440,000 empty paragraphs took python-docx minutes
    (_attributes(440_000), False, "accepted"),  # the most XML the markup budget lets through
    (_attributes(520_000), False, "too complex"),
    (b"<w:p/>" * 300_000, False, "unpacks to"),  # 600:1, under the size cap
], ids=["paragraphs", "attributes", "over-markup", "ratio"])
def test_dense_docx_xml_is_bounded(tmp_path, body, stored, outcome):
    m = measure(tmp_path, "profile", _docx(body, stored=stored), "cv.docx")
    assert outcome in m["result"], m
    assert m["peak_mb"] < 150 and m["seconds"] < 3, m


def test_docx_refusals_say_what_to_do(orch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_BZIP2) as z:
        z.writestr("word/document.xml", b"<w:document/>")
    with pytest.raises(InputRejected, match="compression method Word never writes"):
        parse_profile(orch, buf.getvalue(), filename="cv.docx")
    with pytest.raises(InputRejected, match="password-protected or in the old .doc format"):
        parse_profile(orch, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, filename="cv.docx")
    with pytest.raises(InputRejected, match=r"could not be opened \(it may be corrupt\)\. Save it again"):
        parse_profile(orch, b"PK\x03\x04 broken", filename="cv.docx")


def test_a_real_docx_keeps_its_headings_and_lists(orch):
    import docx

    d = docx.Document()
    d.add_heading("Dana Docx", level=1)
    d.add_paragraph("Data Engineer")
    d.add_heading("Skills", level=2)
    d.add_paragraph("Python, Spark", style="List Bullet")
    buf = io.BytesIO()
    d.save(buf)
    package = uploads.checked_zip(buf.getvalue(), max_bytes=orch.settings.max_unzipped_bytes,
                                  max_entries=orch.settings.max_zip_entries)
    assert zipfile.ZipFile(package).infolist()[0].compress_type == zipfile.ZIP_STORED
    profile = parse_profile(orch, buf.getvalue(), filename="cv.docx")
    assert (profile.name, profile.headline) == ("Dana Docx", "Data Engineer")
    assert "Python" in profile.skills


def test_cli_profile_import_of_a_zip_bomb(tmp_path, database_url, settings, docx_bomb):
    """``python -m orchestrator profile set --file bomb.docx``: exit 1, the message, bounded memory."""
    path = tmp_path / "bomb.docx"
    path.write_bytes(docx_bomb)
    report = tmp_path / "peak.json"
    driver = ("import json, runpy, time\n"
              "def status(key):\n"
              "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith(key))\n"
              "start, t = status('VmRSS'), time.perf_counter()\n"
              "try:\n    runpy.run_module('orchestrator', run_name='__main__')\n"
              "except SystemExit as exc:\n    code = exc.code\n"
              f"open({str(report)!r}, 'w').write(json.dumps({{'code': code, 'seconds': time.perf_counter() - t,"
              " 'peak_mb': (status('VmHWM') - start) / 1024}))\n")
    proc = subprocess.run([sys.executable, "-c", driver, "--database-url", database_url, "profile", "set",
                           "--user", "free@example.com", "--file", str(path), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=_env(ORCHESTRATOR_MASTER_KEY=settings.master_keys[0],
                                   ORCHESTRATOR_DATA_DIR=str(tmp_path)))
    m = json.loads(report.read_text())
    out = json.loads(proc.stdout)
    assert m["code"] == 1 and out["error_type"] == "InputTooLarge", (m, proc.stdout, proc.stderr)
    assert out["error"].startswith("The DOCX file would unpack to 1,024.0 MB; the limit is 30 MB.")
    assert "unexpected" not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
    assert m["peak_mb"] < BUDGET_MB and m["seconds"] < 20, m  # the whole CLI run, imports included


# ------------------------------------------------------------------------ PDF

def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of numbered object bodies (object 1 is the catalog) with a correct xref table."""
    out, offsets = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, *, flate: bool = False) -> bytes:
    extra = b" /Filter /FlateDecode" if flate else b""
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _deflated(size: int, chunk: bytes = b" " * MB) -> bytes:
    z = zlib.compressobj(9)
    return b"".join(z.compress(chunk[:min(len(chunk), size - done)]) for done in range(0, size, len(chunk))) + z.flush()


def _pages(contents: list[bytes]) -> bytes:
    """One page per content stream: objects 1 catalog, 2 pages, 3 font, then page/stream pairs."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(len(contents)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(contents)),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i, stream in enumerate(contents):
        objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
                    b" /Contents %d 0 R >>" % (5 + 2 * i), stream]
    return _pdf(objects)


def _text(line: str) -> bytes:
    return _stream(b"BT /F1 12 Tf 72 712 Td (%s) Tj ET" % line.encode())


def test_pdf_flate_bomb_is_refused_with_a_clear_message(tmp_path):
    bomb = _pages([_stream(_deflated(500 * MB), flate=True)])  # 500 MB of spaces in ~0.5 MB
    assert len(bomb) < MB
    m = measure(tmp_path, "profile", bomb, "cv.pdf")
    assert m["result"].startswith("rejected: The PDF is too large or complex to read safely"), m
    assert "unexpected" not in m["result"] and m["peak_mb"] < BUDGET_MB and m["seconds"] < 3, m


def test_pdf_decoded_bytes_are_counted_across_streams(orch):
    """Eight pages of 4 MB each: every stream is under the cap, their sum is not."""
    pdf = _pages([_stream(_deflated(4 * MB), flate=True) for _ in range(8)])
    with pytest.raises(InputRejected, match="unpack to more than 20 MB"):
        parse_profile(orch, pdf, filename="cv.pdf")


def test_pdf_content_too_complex_to_parse_is_refused_quickly(orch):
    pdf = _pages([_stream(zlib.compress(b"BT (x) Tj ET\n" * 1_500_000), flate=True)])
    with pytest.raises(InputRejected, match="too large or complex"):
        parse_profile(orch, pdf, filename="cv.pdf")


def test_pdf_drawing_one_dense_form_many_times_stops_in_seconds(orch):
    """A 1 KB file whose page draws a 24,000-operator form 200 times kept pypdf busy for 35 s."""
    form = zlib.compress(b"BT (x) Tj ET\n" * 24_000)
    pdf = _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >>"
                b" /XObject << /X1 6 0 R >> >> /Contents 5 0 R >>", _stream(b"/X1 Do\n" * 200),
                b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
                b" /Filter /FlateDecode /Length %d >>\nstream\n" % len(form) + form + b"\nendstream"])
    started = time.perf_counter()
    text = uploads.pdf_text(pdf, max_pages=50, max_decoded_bytes=20 * MB)
    # the budget stops it at PDF_SECONDS; the slack absorbs a loaded CI machine and stays far below 35 s
    assert time.perf_counter() - started < 3 * uploads.PDF_SECONDS
    assert len(text) <= uploads.MAX_TEXT_CHARS


def test_pdf_with_10000_pages_reads_only_the_first_pages(tmp_path, orch, monkeypatch):
    pdf = _pages([_text(f"Page {n} Skills Python") for n in range(1, 10_001)])
    # the page limit is under test, not the time budget (a loaded machine can spend it opening the file)
    monkeypatch.setattr(uploads, "PDF_SECONDS", 60.0)
    text = uploads.pdf_text(pdf, max_pages=50, max_decoded_bytes=20 * MB)
    assert "Page 50 " in text and "Page 51 " not in text
    m = measure(tmp_path, "profile", pdf, "cv.pdf")
    assert m["result"] == "accepted" and m["peak_mb"] < BUDGET_MB and m["seconds"] < 10, m


def test_corrupt_and_encrypted_pdfs_get_clear_messages(orch):
    from pypdf import PdfReader, PdfWriter

    from orchestrator.exports import to_pdf

    with pytest.raises(InputRejected, match=r"could not be read \(it may be corrupt\)\. Export it again"):
        parse_profile(orch, b"%PDF-1.7 nothing here", filename="cv.pdf")
    cv = to_pdf("# Pat Example\nPlatform Engineer\n\n## Skills\nGo, Kubernetes\n", "CV")
    for password, readable in (("secret", False), ("", True)):
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(cv)))
        writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-128")
        buf = io.BytesIO()
        writer.write(buf)
        if readable:  # only the owner password is set: anyone may read it
            assert parse_profile(orch, buf.getvalue(), filename="cv.pdf").name == "Pat Example"
        else:
            with pytest.raises(InputRejected, match="The PDF is password-protected"):
                parse_profile(orch, buf.getvalue(), filename="cv.pdf")


# --------------------------------------------------------------------- images

def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_of(width: int, height: int, *, channels: int = 3) -> bytes:
    """A valid, all-black PNG built by streaming zero scanlines through zlib (never allocated)."""
    colour = {1: 0, 3: 2, 4: 6}[channels]
    z, rows = zlib.compressobj(9), b"\x00" * (1 + width * channels) * 64
    idat = b"".join(z.compress(rows[:(1 + width * channels) * min(64, height - y)]) for y in range(0, height, 64))
    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat + z.flush()) + _chunk(b"IEND", b"")


def _pillow(fmt: str, size=(1600, 900), mode: str = "RGB", *, flat: bool = False, **kw) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    image = Image.new(mode, size) if flat else Image.effect_noise(size, 40).convert(mode)
    image.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _check(data: bytes, settings) -> None:
    inputs.validate_image(data, max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels)


def test_png_decompression_bomb_is_refused_from_its_header(tmp_path, settings):
    bomb = png_of(13_300, 13_300)
    assert len(bomb) < MB
    m = measure(tmp_path, "image", bomb, "posting.png")
    assert m["result"] == ("rejected: The image is 13,300×13,300 pixels (176.9 million); the limit is 40.0 million. "
                           "Crop or scale it down and try again.")
    assert m["peak_mb"] < 10 and m["seconds"] < 1, m


def test_pixel_budget_does_not_depend_on_pillows_global(settings, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    with pytest.raises(InputRejected, match="13,300×13,300 pixels"):
        _check(png_of(13_300, 13_300, channels=1), settings)
    with pytest.raises(InputRejected, match="limit is 13.1 million for a WEBP image"):
        _check(_pillow("WEBP", (4000, 4000), flat=True), settings)


def test_truncated_jpeg_is_refused(settings, monkeypatch):
    from PIL import ImageFile

    jpeg = _pillow("JPEG")
    for cut in (jpeg[: len(jpeg) // 2], _pillow("JPEG", progressive=True)[:-2000]):
        with pytest.raises(InputRejected, match="not a readable image"):
            _check(cut, settings)
        monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # the end marker still catches it
        with pytest.raises(InputRejected, match="not a readable image"):
            _check(cut, settings)
        monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)


@pytest.mark.parametrize("damage", [lambda d: d[:-4] + b"\x00\x00\x00\x00", lambda d: d[:-12],
                                    lambda d: d[:-12] + _chunk(b"IEXT", b"")],
                         ids=["bad-crc", "missing", "other-chunk"])
def test_png_with_a_bad_end_chunk_is_refused(settings, damage):
    with pytest.raises(InputRejected, match="not a readable image"):
        _check(damage(_pillow("PNG")), settings)


@pytest.mark.parametrize("fmt, name", [("GIF", "GIF"), ("BMP", "BMP"), ("TIFF", "TIFF")])
def test_other_formats_are_named(settings, fmt, name):
    with pytest.raises(InputRejected, match=f"Images must be PNG, JPEG or WebP; this one is {name}."):
        _check(_pillow(fmt, (64, 64)), settings)


@pytest.mark.parametrize("fmt, kw, mode, mime", [("PNG", {}, "RGBA", "image/png"), ("JPEG", {}, "RGB", "image/jpeg"),
                                                 ("JPEG", {"progressive": True}, "CMYK", "image/jpeg"),
                                                 ("WEBP", {}, "RGB", "image/webp")])
def test_valid_images_pass_and_get_a_small_thumbnail(settings, fmt, kw, mode, mime):
    from PIL import Image

    data = _pillow(fmt, (1600, 900), mode, **kw)
    assert inputs.validate_image(data, max_bytes=settings.max_image_bytes,
                                 max_pixels=settings.max_image_pixels).mime_type == mime
    thumb = uploads.preview(data, max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels)
    with Image.open(io.BytesIO(thumb)) as img:
        assert max(img.size) == 640 and img.format in ("PNG", "JPEG")


def _big(fmt: str, side: int, tmp_path: Path, mode: str = "RGB", **kw) -> bytes:
    """A large noisy image, made in another process so this one never holds it decoded."""
    path = tmp_path / f"big.{fmt.lower()}"
    code = (f"from PIL import Image; Image.effect_noise(({side}, {side}), 60).convert({mode!r})"
            f".save({str(path)!r}, format={fmt!r}, **{kw!r})")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    return path.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("fmt, side, kw", [
    ("PNG", 6324, {}),  # 40.0 Mpx RGBA, the setting's default
    ("JPEG", 5600, {"progressive": True, "quality": 20, "subsampling": 0}),  # 31.4 of 34.9 Mpx
    ("JPEG", 5100, {"mode": "CMYK", "progressive": True, "quality": 20}),  # 26.0 of 26.2 Mpx
    ("WEBP", 3600, {"quality": 10}),  # 13.0 of 13.1 Mpx
], ids=["png-rgba", "jpeg-progressive", "jpeg-cmyk", "webp"])
def test_the_largest_images_allowed_stay_within_the_memory_budget(tmp_path, fmt, side, kw):
    data = png_of(side, side, channels=4) if fmt == "PNG" else _big(fmt, side, tmp_path, **kw)
    m = measure(tmp_path, "image", data, f"posting.{fmt.lower()}")
    assert m["result"] == "accepted" and m["peak_mb"] < BUDGET_MB - 50 and m["seconds"] < 10, m


# ------------------------------------------------------------------------ app

@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's own, at open: logged only
def test_screenshot_bomb_gets_a_caption_not_a_preview(app_env, monkeypatch):
    from tests.app.user_support import captions, open_page

    calls = []
    real = uploads.preview
    monkeypatch.setattr(uploads, "preview", lambda data, **kw: calls.append(1) or real(data, **kw))
    at = open_page("free@example.com", "extract")
    at.file_uploader(key="extract_image").upload("posting.png", png_of(13_300, 13_300), "image/png")
    at.run()
    assert not at.exception
    assert "No preview: The image is 13,300×13,300 pixels" in captions(at)
    assert not at.get("image")
    at.file_uploader(key="extract_image").upload("ok.png", _pillow("PNG", (1600, 900)), "image/png")
    at.run()
    at.run()  # a rerun shows the cached thumbnail: nothing is decoded again
    assert not at.exception and len(at.get("image")) == 1 and len(calls) == 2
    assert "No preview" not in captions(at)
