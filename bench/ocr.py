"""The offline OCR's time per screenshot (``orchestrator.offline.ocr``), and what it reads.

Screenshots of the fixture postings are drawn as a job board shows them (1280 px wide, 15 px
DejaVu Sans: ``tests/fixtures/screenshots/render.py``), read once to build the engine (timed
apart: the first screenshot of a process pays it), then each is read ``rounds`` times with the
per-image memo cleared. Reported per screenshot: its size, median and slowest time, and how the
job extracted from the OCR text compares with the one extracted from the posting's own text
(title, company, and the share of its skills found). Everything runs on this machine: the
models are inside the rapidocr-onnxruntime wheel.
"""

from __future__ import annotations

import io
import os
import statistics
import time


def _fold(text: str | None) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(c))


def _same(seen: str | None, truth: str | None) -> str:
    """'ok', 'ok without accents' (the model's alphabet lacks most of them) or 'DIFFERS'."""
    return "ok" if seen == truth else "ok without accents" if _fold(seen) == _fold(truth) else "DIFFERS"


def measure(rounds: int = 3) -> dict:
    from orchestrator.offline import ocr
    from orchestrator.offline.extract import extract_posting
    from PIL import Image

    from tests.fixtures.screenshots.render import NAMES, posting_text, screenshot

    started = time.perf_counter()
    ocr.engine()
    build_s = time.perf_counter() - started
    rows = []
    for name in NAMES:
        png = screenshot(name)
        times, text = [], ""
        for _ in range(rounds):
            ocr._memo.clear()
            t = time.perf_counter()
            text = ocr.read_text(png)
            times.append(time.perf_counter() - t)
        seen, truth = extract_posting(text), extract_posting(posting_text(name))
        found = sum(1 for s in truth.skills if s in seen.skills)
        size = Image.open(io.BytesIO(png)).size
        rows.append({"name": name, "size": size, "median_s": statistics.median(times), "max_s": max(times),
                     "title": _same(seen.title, truth.title), "company": _same(seen.company, truth.company),
                     "skills": (found, len(truth.skills))})
    return {"build_s": build_s, "rows": rows, "cpus": os.cpu_count()}


def report(log, rounds: int = 3) -> bool:
    log(f"\n== Offline OCR (rapidocr-onnxruntime, PP-OCRv4 models in the wheel): time per screenshot, "
        f"median of {rounds} ==")
    try:
        m = measure(rounds)
    except Exception as exc:  # noqa: BLE001 - a missing package is a line in the report, not a crash
        log(f"  skipped: {type(exc).__name__}: {str(exc)[:160]}")
        return True
    log(f"  engine built in {m['build_s']:.2f} s (once per process); {m['cpus']} CPUs")
    for r in m["rows"]:
        found, total = r["skills"]
        log(f"  {r['name']:28} {r['size'][0]}x{r['size'][1]:<5} {r['median_s']:6.2f} s (max {r['max_s']:.2f}); "
            f"title {r['title']}, company {r['company']}, "
            f"skills {found}/{total}")
    per = [r["median_s"] for r in m["rows"]]
    log(f"  median over screenshots {statistics.median(per):.2f} s, slowest {max(per):.2f} s")
    return True
