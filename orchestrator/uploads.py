"""Budgets for what users upload: DOCX archives, PDFs and images.

Each parser here reads bytes an attacker chose, so each gets a budget that is checked
before the expensive step, and every failure is an ``InputRejected`` that says what is
wrong and what to do. The budgets (settings in ``config.py``, constants below):

- DOCX: entries and total uncompressed size of the archive (``ORCHESTRATOR_MAX_ZIP_ENTRIES``,
  ``ORCHESTRATOR_MAX_UNZIPPED_BYTES``), checked with zipfile before python-docx sees it, and
  an XML markup budget that bounds the tree lxml builds (``checked_zip``).
- PDF: pages read (``ORCHESTRATOR_MAX_PDF_PAGES``) and bytes decoded from all its streams
  (``ORCHESTRATOR_MAX_PDF_DECODED_BYTES``), through pypdf's own limits (``pdf_text``).
- Images: format and size read from the header, refused above a pixel budget before any
  decode, then one full decode inside it (``check_image``); ``thumbnail`` for previews.

Measured peaks and times are in ``tests/security/test_uploads.py``. Never imports streamlit.
"""

from __future__ import annotations

import io
import threading
import time
import zipfile
from contextvars import ContextVar
from dataclasses import dataclass

from orchestrator.errors import InputRejected, InputTooLarge

MB = 1024 * 1024
MAX_TEXT_CHARS = 200_000  # text kept from one DOCX or PDF: a CV is a few thousand characters
MAX_PARAGRAPHS = 20_000  # paragraphs read from one DOCX (python-docx spends ~10 µs on each)

# ------------------------------------------------------------------ archives (DOCX)

XML_MARKUP_LIMIT = 500_000  # '<' and '=' in all entries: bounds XML elements plus attributes
RATIO_LIMIT, RATIO_FLOOR = 100, 1 * MB  # an entry above 1 MB may not inflate more than 100:1
_CHUNK = 64 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a .doc, or a password-protected .docx
_AGAIN = "Save it again from your word processor, or paste the text instead."


def checked_zip(raw: bytes, *, max_bytes: int, max_entries: int, what: str = "DOCX file") -> io.BytesIO:
    """A stored (uncompressed) copy of the archive ``raw`` holding exactly the bytes that were
    counted against the budgets, for python-docx to open; ``InputRejected`` otherwise.

    Why a copy rather than trusting the headers: zipfile stops each entry at its declared size
    and checks its CRC, but ``ZipFile.read`` (what python-docx calls) inflates the whole
    compressed stream in one call (up to 1 GiB) before cutting it, so an entry that declares
    1 KB and inflates to 1 GB still costs 1 GB. So the declared sizes are checked first (cheap:
    an honest bomb is refused before anything is inflated), then every entry is read in 64 KiB
    chunks, which bounds zlib's output per call, and the actual bytes are counted and stopped
    at the budget; the copy is stored, so python-docx has nothing left to inflate.

    Only stored and deflated entries are accepted (what Word writes): zipfile's bzip2 and LZMA
    readers have no output bound per call. An entry above 1 MB that inflates more than 100:1 is
    refused (Word's XML compresses 5-20x). Counting '<' and '=' bounds the XML nodes lxml will
    build (~150-350 bytes each), the one cost that the byte budget alone does not: 30 MB of
    ``<w:p/>`` is 5 million elements.
    """
    if raw[:8] == _OLE:
        raise InputRejected(f"The {what} is password-protected or in the old .doc format. "
                            "Save it as a .docx without a password, or paste the text instead.")
    corrupt = InputRejected(f"The {what} could not be opened (it may be corrupt). {_AGAIN}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except Exception:  # noqa: BLE001 - zipfile raises many types on a damaged archive
        raise corrupt from None
    _check_declared(infos, max_bytes=max_bytes, max_entries=max_entries, what=what)
    out = io.BytesIO()
    total = markup = 0
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
            for info in infos:
                if info.is_dir():
                    continue
                with archive.open(info) as src, copy.open(zipfile.ZipInfo(info.filename), "w") as dst:
                    while chunk := src.read(_CHUNK):
                        total += len(chunk)
                        markup += chunk.count(b"<") + chunk.count(b"=")
                        if total > max_bytes:
                            raise _too_big(what, total, max_bytes)
                        if markup > XML_MARKUP_LIMIT:
                            raise InputRejected(
                                f"The {what} is too complex to read (more than {XML_MARKUP_LIMIT:,} XML "
                                f"elements and attributes; a CV has a few thousand). {_AGAIN}")
                        dst.write(chunk)
    except InputRejected:
        raise
    except Exception:  # noqa: BLE001 - bad CRC, a header that lies, a truncated entry
        raise corrupt from None
    out.seek(0)
    return out


def _too_big(what: str, size: int, limit: int) -> InputRejected:
    return InputTooLarge(f"The {what} would unpack to {size / MB:,.1f} MB; the limit is {limit / MB:g} MB. "
                         "Remove large pictures and save it again, or paste the text instead.")


def _check_declared(infos: list[zipfile.ZipInfo], *, max_bytes: int, max_entries: int, what: str) -> None:
    """The central directory's promises: entry count, total size, methods, ratios, names."""
    if len(infos) > max_entries:
        raise InputTooLarge(f"The {what} holds {len(infos):,} parts; the limit is {max_entries:,}. It is "
                            f"probably damaged or not a real Word document. {_AGAIN}")
    declared = sum(info.file_size for info in infos)
    if declared > max_bytes:
        raise _too_big(what, declared, max_bytes)
    names: set[str] = set()
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputRejected(f"The {what} is password-protected. Save it without a password, "
                                "or paste the text instead.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InputRejected(f"The {what} uses a compression method Word never writes (it may be "
                                f"damaged or crafted). {_AGAIN}")
        if info.file_size > RATIO_FLOOR and info.file_size > RATIO_LIMIT * max(info.compress_size, 1):
            raise InputRejected(f"The {what} holds a part that unpacks to "
                                f"{info.file_size // max(info.compress_size, 1):,} times its packed size, "
                                f"which only damaged or crafted files do. {_AGAIN}")
        if info.filename in names:
            raise InputRejected(f"The {what} could not be opened (it lists a part twice). {_AGAIN}")
        names.add(info.filename)


# ------------------------------------------------------------------------------ PDF

PDF_PARSE_WORK = 100_000  # operators and operands pypdf may parse per content stream (~0.3 s)
PDF_FORMS_PER_PAGE = 20  # form XObjects drawn per page (each one is parsed again when drawn)
PDF_SECONDS = 5.0  # no page is started, and no content stream parsed, after this long


@dataclass
class _PdfBudget:
    bytes_left: int
    deadline: float


_PDF_BUDGET: ContextVar[_PdfBudget | None] = ContextVar("orchestrator_pdf_budget", default=None)
_PDF_METER = threading.Lock()
_PDF_CORRUPT = "The PDF file could not be read (it may be corrupt). Export it again as a PDF, or paste the text instead."
_PDF_LOCKED = ("The PDF is password-protected. Save or print it to a new PDF without a password, "
               "or paste the text instead.")


def pdf_text(raw: bytes, *, max_pages: int, max_decoded_bytes: int, max_chars: int = MAX_TEXT_CHARS) -> str:
    """The text of the first ``max_pages`` pages of a PDF (at most ``max_chars``), or
    ``InputRejected``.

    pypdf's own limits are set for this read (``pypdf.apply_configuration``): every output
    length to ``max_decoded_bytes``, content-stream parsing to ``PDF_PARSE_WORK`` tokens,
    form XObjects to ``PDF_FORMS_PER_PAGE`` per page. Those are per stream or per page, so two
    totals are kept on top (``_install_pdf_meter``): the bytes decoded by all streams together
    (pypdf caches what it decoded: the sum is what the read holds) and ``PDF_SECONDS`` of
    parsing (a 1 KB file drawing one dense form 50 times took pypdf 35 s). All of it lives in
    context variables, so other threads' reads keep theirs. Any other exception the parser
    raises on an untrusted file is the file's fault: the "could not be read" message.
    """
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

    _install_pdf_meter()
    token = _PDF_BUDGET.set(_PdfBudget(max_decoded_bytes, time.monotonic() + PDF_SECONDS))
    try:
        with apply_configuration(**_pdf_limits(max_decoded_bytes)):
            return _read_pages(PdfReader(io.BytesIO(raw)), max_pages=max_pages, max_chars=max_chars)
    except InputRejected:
        raise
    except LimitReachedError:
        raise InputTooLarge(f"The PDF is too large or complex to read safely (its contents unpack to more than "
                            f"{max_decoded_bytes / MB:g} MB, or take too long to read). Export it again as a "
                            "plain PDF, or paste the text instead.") from None
    except (FileNotDecryptedError, DependencyError):
        raise InputRejected(_PDF_LOCKED) from None
    except Exception:  # noqa: BLE001 - pypdf on a damaged file raises nearly anything
        raise InputRejected(_PDF_CORRUPT) from None
    finally:
        _PDF_BUDGET.reset(token)


def _read_pages(reader, *, max_pages: int, max_chars: int) -> str:
    if reader.is_encrypted and not reader.decrypt(""):  # an empty user password opens many
        raise InputRejected(_PDF_LOCKED)
    texts, chars, budget = [], 0, _PDF_BUDGET.get()
    for number, page in enumerate(reader.pages):
        if number >= max_pages or chars >= max_chars or time.monotonic() > budget.deadline:
            break  # what was read so far is kept
        text = page.extract_text() or ""
        texts.append(text)
        chars += len(text)
    return "\n".join(texts)[:max_chars]


def _pdf_limits(cap: int) -> dict:
    """pypdf's limits (``pypdf.Configuration``), every output length set to ``cap``."""
    return dict(
        maximum_declared_stream_length=cap, array_based_stream_maximum_output_length=cap,
        jbig2_maximum_output_length=cap, lzw_maximum_output_length=cap, run_length_maximum_output_length=cap,
        zlib_maximum_output_length=cap, brotli_maximum_output_length=cap, image_maximum_buffer_size=cap,
        stream_decoding_work_maximum_length=cap, xfa_decoding_work_maximum_length=cap,
        xmp_maximum_input_length=min(cap, 5_000_000), zlib_maximum_recovery_input_length=min(cap, 256 * 1024),
        stream_parsing_work_maximum_count=PDF_PARSE_WORK, xform_maximum_invocations_per_extraction=PDF_FORMS_PER_PAGE,
    )


def _install_pdf_meter() -> None:
    """Wrap, once, the two places every read goes through: ``pypdf.filters.decode_stream_data``
    (each stream decode; looked up by pypdf at call time) counts the bytes against the budget,
    and ``ContentStream._parse_content_stream`` (each content-stream parse, at most
    ``PDF_PARSE_WORK`` tokens) first checks the deadline. Outside ``pdf_text`` (no budget set)
    both only pass through. The tests pin the behaviour (pypdf is pinned too)."""
    import pypdf.filters as filters
    from pypdf.generic import ContentStream

    with _PDF_METER:
        decode, parse = filters.decode_stream_data, ContentStream._parse_content_stream
        if getattr(decode, "orchestrator_meter", False):
            return
        filters.decode_stream_data, ContentStream._parse_content_stream = _metered(decode), _timed(parse)


def _metered(decode):
    from pypdf.errors import LimitReachedError

    def metered_decode(stream):
        data = decode(stream)
        budget = _PDF_BUDGET.get()
        if budget is not None:
            budget.bytes_left -= len(data)
            if budget.bytes_left < 0:
                raise LimitReachedError("decoded bytes budget exceeded")
        return data

    metered_decode.orchestrator_meter = True
    return metered_decode


def _timed(parse):
    from pypdf.errors import LimitReachedError

    def timed_parse(self, stream):
        budget = _PDF_BUDGET.get()
        if budget is not None and time.monotonic() > budget.deadline:
            raise LimitReachedError("time budget exceeded")
        return parse(self, stream)

    return timed_parse


# --------------------------------------------------------------------------- images

IMAGE_FORMATS = ("PNG", "JPEG", "WEBP")
IMAGE_DECODE_BUDGET = 200 * MB  # what decoding one image may allocate (measured per format)
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_UNREADABLE = ("The file is not a readable image (it may be corrupt or truncated). "
               "Save the screenshot again as PNG or JPEG.")
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
          (b"BM", "BMP"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"%PDF", "PDF"), (b"\x00\x00\x01\x00", "ICO"),
          (b"<svg", "SVG"), (b"<?xml", "SVG"))


def image_format(data: bytes) -> str | None:
    """The format named by the first bytes (no parser runs), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"avif"):
        return "AVIF" if data[8:12] == b"avif" else "HEIC"
    return next((name for magic, name in _MAGIC if data.startswith(magic)), None)


def _pixel_limit(fmt: str, bands: int, max_pixels: int) -> int:
    """``max_pixels``, or fewer where decoding costs more per pixel than ``IMAGE_DECODE_BUDGET``
    allows. Bytes per pixel measured with Pillow 13: PNG ~4 (one 32-bit image), WebP ~16
    (libwebp's canvas, its copy and Pillow's image), JPEG 2 per colour component for the
    coefficient buffers of a progressive or multi-scan file (its output is decoded at 1/8 scale
    here: ``draft``)."""
    per_pixel = {"PNG": 4, "WEBP": 16}.get(fmt, 2 * max(bands, 1))
    return min(max_pixels, IMAGE_DECODE_BUDGET // per_pixel)


def check_image(data: bytes | None, *, max_bytes: int, max_pixels: int) -> str:
    """The format ("PNG", "JPEG" or "WEBP") of a complete, decodable image within the budgets,
    or ``InputRejected``.

    The order is the point: byte size, then format from the magic bytes (no other Pillow plugin
    ever sees the data), then width and height from the header (``Image.open`` is lazy), refused
    above ``max_pixels`` and above what ``IMAGE_DECODE_BUDGET`` allows for that format, both
    checked here on every call whatever ``Image.MAX_IMAGE_PIXELS`` is set to; then the end
    marker, ``verify()`` and one full decode, which refuses truncated files.
    """
    if not data:
        raise InputRejected("The image is empty. Upload a PNG, JPEG or WebP screenshot.")
    if len(data) > max_bytes:
        raise InputTooLarge(f"The image is {len(data) / MB:.1f} MB; the limit is {max_bytes / MB:g} MB. "
                            "Crop the screenshot or save it as JPEG.")
    fmt = image_format(data)
    if fmt is None:
        raise InputRejected(_UNREADABLE)
    if fmt not in IMAGE_FORMATS:
        raise InputRejected(f"Images must be PNG, JPEG or WebP; this one is {fmt}. Save the screenshot as PNG.")
    from PIL import Image, ImageFile

    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as img:
            (width, height), bands = img.size, len(img.getbands())
    except Image.DecompressionBombError:
        raise InputTooLarge(f"The image has far too many pixels; the limit is {max_pixels:,}.") from None
    except Exception:  # noqa: BLE001 - Pillow raises many types on a damaged header
        raise InputRejected(_UNREADABLE) from None
    limit = _pixel_limit(fmt, bands, max_pixels)
    if width * height > limit:
        kind = f" for a {fmt} image" if limit < max_pixels else ""
        raise InputRejected(f"The image is {width:,}×{height:,} pixels ({width * height / 1e6:.1f} million); the "
                            f"limit is {limit / 1e6:.1f} million{kind}. Crop or scale it down and try again.")
    if width < 1 or height < 1 or not _complete(fmt, data, ImageFile.LOAD_TRUNCATED_IMAGES):
        raise InputRejected(_UNREADABLE)
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as img:
            img.verify()
        with Image.open(io.BytesIO(data), formats=[fmt]) as img:
            if fmt == "JPEG":  # all scans are still decoded, so truncation is still caught
                img.draft(img.mode, (max(width // 8, 1), max(height // 8, 1)))
            img.load()
    except Exception:  # noqa: BLE001 - truncated or damaged data: OSError, SyntaxError, ValueError...
        raise InputRejected(_UNREADABLE) from None
    return fmt


def _complete(fmt: str, data: bytes, decoder_tolerates_truncation: bool) -> bool:
    """The file's own end marker is there. A PNG must end with its IEND chunk (``verify`` never
    checks IEND's CRC); a WebP must be as long as its RIFF header says. A cut JPEG fails the
    full decode, unless someone set ``ImageFile.LOAD_TRUNCATED_IMAGES``: then its EOI marker
    must end the file (not required otherwise: phones append data after EOI)."""
    if fmt == "PNG":
        return data.endswith(_PNG_END)
    if fmt == "WEBP":
        return len(data) >= int.from_bytes(data[4:8], "little") + 8
    return not decoder_tolerates_truncation or data.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9")


def thumbnail(data: bytes, max_side: int = 640, *, max_pixels: int = 40_000_000) -> bytes:
    """A preview no larger than ``max_side`` on either side: JPEG for a JPEG, PNG otherwise.
    Call it only on data that passed ``check_image`` (``preview`` does both); the pixel budget
    is checked again from the header as a safety net. A JPEG is decoded at a reduced scale
    (``draft``), so a large photo costs a fraction of a full decode."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as img:
            limit = _pixel_limit(img.format, len(img.getbands()), max_pixels)
            if img.width * img.height > limit:
                raise InputRejected(f"The image has more than {limit:,} pixels. Crop or scale it down.")
            if img.format == "JPEG":
                img.draft("RGB", (max_side, max_side))
            fmt = "JPEG" if img.format == "JPEG" else "PNG"
            small = _shrunk(img, max_side)
            small.thumbnail((max_side, max_side))
            keep = ("RGB", "L") if fmt == "JPEG" else ("RGB", "RGBA", "L", "LA", "P", "1")
            small = small if small.mode in keep else small.convert("RGB" if fmt == "JPEG" else "RGBA")
            out = io.BytesIO()
            small.save(out, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    except InputRejected:
        raise
    except Exception:  # noqa: BLE001 - as in check_image
        raise InputRejected(_UNREADABLE) from None
    return out.getvalue()


def _shrunk(img, max_side: int):
    """``img`` box-averaged down to about twice ``max_side``, 256 rows at a time, when it has an
    alpha channel: Pillow resizes those through a premultiplied copy of the whole image, which
    doubled the memory of a 40-megapixel RGBA preview (320 MB)."""
    from PIL import Image

    factor = max(img.size) // (2 * max_side)
    if factor < 2 or img.mode not in ("RGBA", "LA"):
        return img
    width, height = img.width // factor, img.height // factor
    out = Image.new(img.mode, (width, height))
    rows = factor * max(1, 256 // factor)
    for top in range(0, height * factor, rows):
        stripe = img.crop((0, top, width * factor, min(top + rows, height * factor)))
        out.paste(stripe.reduce(factor), (0, top // factor))
    return out


def preview(data: bytes, *, max_bytes: int, max_pixels: int, max_side: int = 640) -> bytes:
    """``thumbnail`` of an image that first passed ``check_image`` with the pipeline's budgets."""
    check_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    return thumbnail(data, max_side, max_pixels=max_pixels)
