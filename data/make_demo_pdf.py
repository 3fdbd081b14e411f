"""Write the synthetic two-page zelmorant poster PDF of the demo corpus (deterministic bytes)."""

from __future__ import annotations

import sys
from pathlib import Path

import pymupdf

OUT = Path(__file__).parent / "demo" / "zelmorant_poster.pdf"
NOTICE = "SYNTHETIC DEMO RECORD - fictional compound, not real evidence. Not medical advice."
TITLE = "Zelmorant improves FEV1 in adolescents with asthma: a pilot randomised trial"
RUNNING_HEAD = "Zelmorant pilot trial in adolescents with asthma (continued)"
AUTHORS = "E. Varga, T. Okoro (fictional authors), MedKB Demo Trials Group (fictional). Poster, Demo Congress 2023."

# NOTE: plain ASCII only, so the Base-14 Helvetica fonts need no embedding and text extracts cleanly.
PAGES: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("Abstract", (
            "SYNTHETIC DEMO RECORD - zelmorant is a fictional compound invented for the MedKB demo "
            "corpus, and this poster is not real evidence. We tested whether zelmorant, an imaginary "
            "once-daily oral anti-inflammatory agent, improves lung function in adolescents with "
            "asthma. In a 12-week pilot trial of 64 adolescents, zelmorant improved FEV1 compared "
            "with placebo."
        )),
        ("Methods", (
            "This was a 12-week, double-blind, placebo-controlled pilot trial at 4 fictional sites. "
            "Adolescents aged 12 to 17 years with asthma and a pre-bronchodilator FEV1 below 90% of "
            "predicted were randomly assigned (1:1) to zelmorant 100 mg or matching placebo once "
            "daily. The primary outcome was the change from baseline in pre-bronchodilator FEV1 at "
            "week 12, compared between groups with analysis of covariance adjusted for baseline FEV1."
        )),
    ),
    (
        ("Results", (
            "A total of 64 adolescents underwent randomisation (32 zelmorant, 32 placebo) and 60 "
            "completed the trial. FEV1 increased by 130 mL with zelmorant and by 35 mL with placebo. "
            "Zelmorant improved FEV1 compared with placebo at week 12 (mean difference 95 mL, 95% CI "
            "30 to 160; P=0.005). Adverse events were mild; headache occurred in 3 participants in "
            "each group."
        )),
        ("Conclusions", (
            "In this small pilot trial, zelmorant improved FEV1 in adolescents with asthma. The "
            "sample was small and follow-up short, so larger trials are needed. All data on this "
            "poster are synthetic."
        )),
    ),
)
METADATA = {
    "title": TITLE + " (SYNTHETIC DEMO RECORD)",
    "author": "MedKB demo team",
    "subject": NOTICE,
    "keywords": "zelmorant; asthma; FEV1; synthetic demo record",
    "creator": "data/make_demo_pdf.py",
    "producer": "MedKB demo corpus",
    # NOTE: no creation or modification date, so two runs give identical bytes.
    "creationDate": "",
    "modDate": "",
}


def _block(page: pymupdf.Page, y: float, text: str, size: float, font: str) -> float:
    """Write one wrapped text block at height y and return the height just below it."""
    rect = pymupdf.Rect(56, y, page.rect.width - 56, page.rect.height - 56)
    spare = page.insert_textbox(rect, text, fontsize=size, fontname=font)
    if spare < 0:
        raise ValueError(f"make_pdf.py: text overflows page {page.number + 1}; shorten it")
    return rect.y1 - spare + size * 0.8


def _page(doc: pymupdf.Document, number: int, sections: tuple[tuple[str, str], ...]) -> None:
    """Add one page: the title and notice, then each heading with its paragraph."""
    page = doc.new_page(width=595, height=842)  # A4 in points
    # NOTE: the title and authors only on page 1, so its claim-like title is not read twice.
    y = _block(page, 56, TITLE if number == 1 else RUNNING_HEAD, 16 if number == 1 else 11, "hebo")
    if number == 1:
        y = _block(page, y, AUTHORS, 9, "helv")
    y = _block(page, y, NOTICE, 10, "hebo") + 6
    for heading, body in sections:
        y = _block(page, y, heading, 13, "hebo")
        y = _block(page, y, body, 11, "helv") + 8
    page.insert_text((56, page.rect.height - 36), f"{NOTICE} Page {number} of {len(PAGES)}.", fontsize=7)


def build() -> bytes:
    """Return the poster as PDF bytes, identical on every run."""
    doc = pymupdf.open()
    for number, sections in enumerate(PAGES, start=1):
        _page(doc, number, sections)
    doc.set_metadata(METADATA)
    # NOTE: no_new_id keeps a random trailer /ID out; garbage+deflate make the layout canonical.
    data = doc.tobytes(garbage=4, deflate=True, no_new_id=True)
    doc.close()
    return data


def main(argv: list[str]) -> int:
    """Write the poster to the path given (default: next to this script)."""
    out = Path(argv[1]) if len(argv) > 1 else OUT
    out.write_bytes(build())
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
