"""Text a reader of the printed page cannot see (white on white, tiny, transparent) is removed before reading.

A PDF whose visible text is a 3-patient pilot can carry white 1-pt text claiming "mortality fell in 45,000,000
patients"; read as evidence, that is data poisoning. White text over a coloured box or an image is visible (journal
banners, heading bars) and stays.
"""

from __future__ import annotations

from collections.abc import Iterator

import pymupdf

MIN_VISIBLE_SIZE = 3.0  # NOTE: points; real superscripts and footnotes are 5 pt or more
_LIGHT = 0xF0  # NOTE: a colour channel this bright or brighter reads as white on a white page
_LIGHT_FILL = 0.94


def _white(color: int) -> bool:
    """Return whether an sRGB colour reads as white."""
    return all(((color >> shift) & 0xFF) >= _LIGHT for shift in (0, 8, 16))


def _backdrops(page: pymupdf.Page) -> list[pymupdf.Rect]:
    """Return the areas of a page that white text can show on: filled non-white shapes and images."""
    fills = [pymupdf.Rect(d["rect"]) for d in page.get_drawings()
             if d.get("fill") is not None and not all(x >= _LIGHT_FILL for x in d["fill"])]
    return fills + [pymupdf.Rect(i["bbox"]) for i in page.get_image_info()]


def _spans(page: pymupdf.Page) -> Iterator[dict[str, object]]:
    """Yield every non-blank text span of a page."""
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            yield from (s for s in line["spans"] if str(s["text"]).strip())


def hidden_spans(page: pymupdf.Page) -> list[pymupdf.Rect]:
    """Return the boxes of the page's text that cannot be seen: tiny, transparent, or white with nothing behind."""
    found: list[pymupdf.Rect] = []
    backdrops: list[pymupdf.Rect] | None = None
    for span in _spans(page):
        box = pymupdf.Rect(span["bbox"])
        if float(span["size"]) < MIN_VISIBLE_SIZE or span.get("alpha", 255) == 0:  # type: ignore[call-overload]
            found.append(box)
        elif _white(int(span["color"])):  # type: ignore[call-overload]
            backdrops = _backdrops(page) if backdrops is None else backdrops
            middle = pymupdf.Point((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
            if not any(middle in area for area in backdrops):
                found.append(box)
    return found


def drop_hidden_text(doc: pymupdf.Document) -> int:
    """Remove hidden text from the opened document (in memory, never the file); return how many spans went."""
    removed = 0
    for page in doc:
        boxes = hidden_spans(page)
        for box in boxes:
            page.add_redact_annot(box)
        if boxes:
            page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE)
        removed += len(boxes)
    return removed
