"""Screenshots to text, on this machine: RapidOCR with the PP-OCRv4 ONNX models that ship
inside the ``rapidocr-onnxruntime`` wheel (nothing is downloaded, nothing is sent anywhere).

The engine is built once, on the first screenshot (about 0.2 s), and shared by every thread;
recognitions run one at a time because onnxruntime already uses every core for one image.
The models were trained mostly on Chinese text, so three things here make them read Latin
screenshots well: each text box is shrunk to ``LINE_PX`` pixels high before recognition (at
screen size the model drops many spaces between words: on the six fixture screenshots drawn in
DejaVu Sans 15 px and Liberation Sans 14 and 16 px, the share of the posting's words read
exactly goes from 0.56-0.77 at screen size to 0.83-0.87 at 10-12 px, the best of 9 to 14 px;
12 px misreads fewer letters, 10 px drops fewer spaces, so a line that comes out glued
together at 12 px is read again at 10 px and kept if it then has the same letters and more
spaces),
lines are put back together in reading order with blank lines between paragraphs, and the
usual misreadings of bullets, digits and punctuation are repaired. What it cannot read: characters outside the model's alphabet
(€, £, ß, ö, ł and most other accents come out as nothing or as the bare letter).

Nothing read from an image is ever logged: only counts and timings.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

from orchestrator.errors import InputRejected, ProviderError

log = logging.getLogger(__name__)

LINE_PX = 12  # text boxes are scaled down to this height before recognition (see the docstring)
SPACED_PX = 10  # ... and lines that come out glued together are read again at this height
MIN_SCORE = 0.5  # recognitions the model is less sure of are dropped
MAX_WIDTH = 2000  # wider screenshots (HiDPI, 4K) are scaled down to this width first
STRIP_PX = 1600  # tall screenshots are read in horizontal strips of about this height
MAX_HEIGHT = 12_000  # below this (at MAX_WIDTH), a very long page is not read: postings are shorter
MIN_LETTERS = 12  # fewer letters than this in the whole image is "no readable text"
MEMO_SIZE = 16  # texts of the last screenshots read, by SHA-256

NO_TEXT = (
    "No readable text was found in the screenshot. Upload a sharper screenshot of the posting "
    "(text at least 10 pixels high, dark on light or light on dark), or paste its text instead."
)
UNAVAILABLE = (
    "Reading screenshots offline needs the rapidocr-onnxruntime package, which is not installed. "
    "Paste the posting's text instead, or ask an admin to install it (pip install -r requirements.txt)."
)

_engine = None
_build_lock = threading.Lock()
_run_lock = threading.Lock()
_memo: OrderedDict[bytes, str] = OrderedDict()
_memo_lock = threading.Lock()


def engine():
    """The shared RapidOCR engine, built on first use (thread-safe)."""
    global _engine
    if _engine is None:
        with _build_lock:
            if _engine is None:
                try:
                    from rapidocr_onnxruntime import RapidOCR
                except ImportError:
                    raise InputRejected(UNAVAILABLE) from None
                started = time.perf_counter()
                _engine = RapidOCR(params={"Global.use_cls": False, "Global.max_side_len": MAX_WIDTH})
                log.info("offline OCR engine ready in %.2f s", time.perf_counter() - started)
    return _engine


@dataclass
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str = ""

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def _decode(data: bytes):
    """A BGR array of the image, transparency laid on white, at most MAX_WIDTH wide."""
    import numpy as np
    from PIL import Image

    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception:  # noqa: BLE001 - any decoder error means the same thing to the user
        raise InputRejected("The file is not a readable image (it may be corrupt or truncated).") from None
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        img = Image.new("RGB", rgba.size, (255, 255, 255))
        img.paste(rgba, mask=rgba.getchannel("A"))
    else:
        img = img.convert("RGB")
    if img.width > MAX_WIDTH:
        img = img.resize((MAX_WIDTH, max(1, round(img.height * MAX_WIDTH / img.width))), Image.LANCZOS)
    if img.height > MAX_HEIGHT:
        img = img.crop((0, 0, img.width, MAX_HEIGHT))
    return np.ascontiguousarray(np.asarray(img)[:, :, ::-1])


def _strips(arr) -> list[tuple[int, int]]:
    """(top, bottom) rows of strips at most about STRIP_PX high, cut on blank rows where there
    are any near the cut, so no line of text is split between two strips."""
    import numpy as np

    height = arr.shape[0]
    if height <= STRIP_PX * 1.25:
        return [(0, height)]
    gray = arr.mean(axis=2)
    blank = (gray.max(axis=1) - gray.min(axis=1)) < 24
    cuts, top = [], 0
    while height - top > STRIP_PX * 1.25:
        target = top + STRIP_PX
        window = np.flatnonzero(blank[target - STRIP_PX // 4: target + STRIP_PX // 4])
        cut = target - STRIP_PX // 4 + int(window[np.argmin(abs(window - STRIP_PX // 4))]) if window.size else target
        cuts.append((top, cut))
        top = cut
    cuts.append((top, height))
    return cuts


def _shrunk(crop, px: int):
    import cv2

    if crop.shape[0] <= px:
        return crop
    width = max(4, round(crop.shape[1] * px / crop.shape[0]))
    return cv2.resize(crop, (width, px), interpolation=cv2.INTER_AREA)


def _despaced(text: str) -> str:
    return re.sub(r"\W", "", text).lower()


_GLUED = re.compile(r"[^\W\d_]{13,}|[a-zà-ÿ][A-ZÀ-Þ]")  # "qualitymonitoring", "StackEngineer"


def _read_strip(ocr, arr, top: int) -> list[Box]:
    """Detect the text boxes of one strip, recognise each at LINE_PX, and read again at SPACED_PX
    the lines that look glued together: the second reading wins when it has the same letters
    and more spaces."""
    import numpy as np

    found, _elapsed = ocr(arr, use_cls=False, use_rec=False)
    if not found:
        return []
    boxes, crops = [], []
    for points in found:
        pts = np.asarray(points, dtype=float)
        x0, y0 = np.floor(pts.min(axis=0)).astype(int)
        x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
        x0, y0 = max(int(x0), 0), max(int(y0), 0)
        crop = arr[y0:int(y1), x0:int(x1)]
        if crop.shape[0] < 4 or crop.shape[1] < 4:
            continue
        crops.append(crop)
        boxes.append(Box(float(x0), float(y0 + top), float(x1), float(y1 + top)))
    if not crops:
        return []
    results = [(text, float(score)) for text, score, *_rest in ocr.text_rec([_shrunk(c, LINE_PX) for c in crops])[0]]
    glued = [i for i, (text, _score) in enumerate(results) if _GLUED.search(text)]
    if glued:
        again = ocr.text_rec([_shrunk(crops[i], SPACED_PX) for i in glued])[0]
        for i, (text, score, *_rest) in zip(glued, again):
            if _despaced(text) == _despaced(results[i][0]) and text.count(" ") > results[i][0].count(" "):
                results[i] = (text, float(score))
    kept = []
    for box, (text, score) in zip(boxes, results):
        if score >= MIN_SCORE and text.strip():
            box.text = text
            kept.append(box)
    return kept


def recognise(data: bytes, *, deadline: float | None = None) -> list[Box]:
    """Every text box the engine reads in the image, in image coordinates. Strips are read top
    down until ``deadline`` (a ``time.monotonic()`` value); what was read by then is kept."""
    arr = _decode(data)
    ocr = engine()
    boxes: list[Box] = []
    with _run_lock:
        for top, bottom in _strips(arr):
            if deadline is not None and boxes and time.monotonic() > deadline:
                log.warning("offline OCR stopped at row %d of %d: out of time", top, arr.shape[0])
                break
            boxes.extend(_read_strip(ocr, arr[top:bottom], top))
            if deadline is not None and not boxes and time.monotonic() > deadline:
                raise ProviderError("Reading the screenshot took too long.", kind="timeout", retryable=False)
    return boxes


# ---- layout: boxes -> lines -> text ---------------------------------------------------------


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def _columns(boxes: list[Box], width: float) -> list[list[Box]]:
    """Two columns when an empty vertical band separates two substantial groups of boxes
    (a job board's list beside the posting): the one with more text is read first."""
    if len(boxes) < 10 or width <= 0:
        return [boxes]
    step = max(width / 200, 1.0)
    covered = [0] * 201
    for b in boxes:
        for i in range(int(b.x0 / step), min(int(b.x1 / step), 200) + 1):
            covered[i] += 1
    best: tuple[int, int] | None = None
    run = None
    for i, n in enumerate(covered + [1]):
        if n == 0 and run is None:
            run = i
        elif n and run is not None:
            if run > 0 and i < 200 and (best is None or i - run > best[1] - best[0]):
                best = (run, i)
            run = None
    if best is None or (best[1] - best[0]) * step < width * 0.03:
        return [boxes]
    cut = (best[0] + best[1]) / 2 * step
    left = [b for b in boxes if b.x1 <= cut]
    right = [b for b in boxes if b.x0 >= cut]
    if min(len(left), len(right)) < 5:
        return [boxes]
    return sorted([left, right], key=lambda col: -sum(len(b.text) for b in col))


def _lines(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into lines (vertical centres within half a line of each other), left to right."""
    lines: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: (b.cy, b.x0)):
        if lines:
            last = lines[-1]
            centre = sum(b.cy for b in last) / len(last)
            if abs(box.cy - centre) < 0.5 * min(box.height, _median([b.height for b in last])):
                last.append(box)
                continue
        lines.append([box])
    return [sorted(line, key=lambda b: b.x0) for line in lines]


def _join(line: list[Box]) -> str:
    out = line[0].text.strip()
    for prev, box in zip(line, line[1:]):
        gap = box.x0 - prev.x1
        out += (" | " if gap > 2.5 * max(prev.height, box.height) else " ") + box.text.strip()
    return out


_BULLET = re.compile(r"^\s*(?:[·•●▪◦■□‧∙⋅・*]|[-–—](?=\s*\S)|\+(?=\s+\S))\s*")
_DIGIT_O = re.compile(r"(?<!\w)\d[\d.,oO]*(?!\w)")


def repair(line: str) -> str:
    """Undo the usual misreadings in one recognised line."""
    line = unicodedata.normalize("NFKC", line)
    line = re.sub(r"\s+", " ", line).strip()
    m = _BULLET.match(line)
    if m and len(line) > m.end():
        line = "• " + line[m.end():]
    line = re.sub(r"(?<=\d) \+(?= )", "+", line)  # "4 + years" -> "4+ years"
    line = _DIGIT_O.sub(lambda d: d.group(0).replace("o", "0").replace("O", "0"), line)  # "40,oo0" -> "40,000"
    line = re.sub(r"(?<=\S)\s*·\s*(?=\S)", " · ", line)
    line = re.sub(r"(?<=[A-Za-zà-ÿ\)])([;,])(?=[A-Za-zÀ-ÿ])", r"\1 ", line)  # "SQL;you" -> "SQL; you"
    line = re.sub(r"(?<=[a-zà-ÿ\)]):(?=[A-Za-zÀ-ÿ])", ": ", line)  # "Location:Berlin" (not "https://")
    line = re.sub(r"(?<=[A-Za-zà-ÿ])\((?=[A-Za-z0-9])", " (", line)  # "AWS(S3" -> "AWS (S3"
    line = re.sub(r"\b([A-Z]{2,})ls\b", r"\1Is", line)  # "APls" -> "APIs"
    return line


_UK = re.compile(r"\b(?:UK|U\.K\.|United Kingdom|Britain|British|England|Scotland|Wales|London|Manchester|"
                 r"Birmingham|Leeds|Glasgow|Edinburgh|Bristol|IR35|GBP)\b")


def currencies(text: str) -> str:
    """The model has no € or £: it reads both as 'f' ('f550-f650', '45 000 f'), or drops them and
    the dash between two amounts ('55.00065.000'). Put them back where the text shows a price."""
    pound = "£" if _UK.search(text) else "€"
    text = re.sub(r"(?<![\w£€$])f(?=\d[\d.,]*\d(?:k\b|\s|-|–|/|$))", pound, text)
    text = re.sub(r"(?<=\d{3})\s?f(?=\s|[.,;)]|$)", " €", text)  # "45 000 f" (amount first: the continental style)
    return re.sub(r"\b(\d{1,3}[.,]\d{3})(\d{1,3}[.,]\d{3})\b", r"\1–\2", text)  # "55.00065.000"


def layout(boxes: list[Box]) -> str:
    """Text in reading order: one line per line of the image, a blank line where the image has
    a gap between paragraphs, '## ' before lines set in clearly larger type."""
    boxes = [b for b in boxes if b.text.strip()]
    if not boxes:
        return ""
    width = max(b.x1 for b in boxes)
    body = _median([b.height for b in boxes])
    out: list[str] = []
    for column in _columns(boxes, width):
        lines = _lines(column)
        heights = [_median([b.height for b in ln]) for ln in lines]
        for i, line in enumerate(lines):
            text = repair(_join(line))
            if not text:
                continue
            if i and line[0].y0 - max(b.y1 for b in lines[i - 1]) > 0.8 * min(heights[i], heights[i - 1]):
                out.append("")
            if heights[i] > 1.3 * body and len(text.split()) <= 10 and not text.startswith("• "):
                text = "## " + text
            out.append(text)
        out.append("")
    return "\n".join(out).strip()


def read_text(data: bytes, *, deadline: float | None = None) -> str:
    """The text of a screenshot, laid out as lines and paragraphs. ``InputRejected`` when the
    image holds no readable text; nothing of the text is logged. The last few results are
    remembered by the image's SHA-256 (Regenerate, or the same screenshot sent again, costs
    nothing the second time)."""
    digest = hashlib.sha256(data).digest()
    with _memo_lock:
        text = _memo.get(digest)
        if text is not None:
            _memo.move_to_end(digest)
    if text is None:
        started = time.perf_counter()
        boxes = recognise(data, deadline=deadline)
        text = currencies(layout(boxes))
        log.info("offline OCR read %d boxes, %d characters in %.2f s", len(boxes), len(text),
                 time.perf_counter() - started)
        with _memo_lock:
            _memo[digest] = text
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        raise InputRejected(NO_TEXT)
    return text


def read_screenshots(images, *, deadline: float | None = None) -> str:
    """The text of one or more screenshots (file bytes) in order, a blank line between them.
    ``InputRejected`` (``NO_TEXT``) only when none of them holds readable text."""
    texts = []
    for data in images:
        try:
            texts.append(read_text(data, deadline=deadline))
        except InputRejected as exc:
            if str(exc) != NO_TEXT or len(images) == 1:
                raise
    if not texts:
        raise InputRejected(NO_TEXT)
    return "\n\n".join(texts)
