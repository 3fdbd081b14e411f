"""PDF parsing: generated PDFs for exact facts and failure paths, the shared journal PDFs for real layout."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from ingest.readers.pdf import parse_pdf
from kb.errors import ParseError
from tests.conftest import DATA as DATASETS

DATA = DATASETS / "biomedical_pdfs"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="../shared/datasets not present")

PAGE_1 = ("doi:10.1234/medkb.5678\nAbstract\nBackground: We studied aspirin after stroke.\n"
          "Methods: 400 patients were randomised.\nIntroduction\nStroke is common.")
PAGE_2 = "Results\nMortality fell to 12% (NCT01234567).\nDiscussion\nAspirin helps."


@pytest.fixture
def made_pdf(tmp_path: Path) -> Path:
    doc = pymupdf.open()
    first = doc.new_page()
    first.insert_text((72, 80), "Aspirin and Stroke Outcomes", fontsize=20)
    first.insert_text((72, 120), PAGE_1, fontsize=10)
    doc.new_page().insert_text((72, 80), PAGE_2, fontsize=10)
    path = tmp_path / "made.pdf"
    doc.save(path)
    return path


def test_generated_pdf_pages_title_doi_and_sections(made_pdf: Path) -> None:
    (doc,) = parse_pdf(made_pdf)
    assert doc.kind == "pdf" and doc.source == str(made_pdf)
    assert doc.title == "Aspirin and Stroke Outcomes"  # largest font, no metadata title
    assert doc.doi == "10.1234/medkb.5678" and doc.nct_ids == ("NCT01234567",)
    assert [p.page for p in doc.pages] == [1, 2]
    assert doc.page_at(doc.text.index("Mortality fell")) == 2
    assert doc.page_at(doc.text.index("Stroke is common")) == 1
    assert doc.text[doc.pages[1].start : doc.pages[1].end] == PAGE_2
    kinds = [(s.title, s.kind) for s in doc.sections]
    assert kinds == [("Title", "title"), ("Front matter", "other"), ("Abstract", "abstract"),
                     ("Background", "background"), ("Methods", "methods"), ("Introduction", "background"),
                     ("Results", "results"), ("Discussion", "discussion")]
    methods = next(s for s in doc.sections if s.kind == "methods")
    assert doc.text[methods.start : methods.end] == "Methods: 400 patients were randomised."
    results = next(s for s in doc.sections if s.kind == "results")
    assert (results.page_start, results.page_end) == (2, 2)
    assert doc.text[results.start : results.end] == "Results\nMortality fell to 12% (NCT01234567)."


def test_ids_are_deterministic(made_pdf: Path) -> None:
    (a,), (b,) = parse_pdf(made_pdf), parse_pdf(made_pdf)
    assert a.id == b.id and a.content_hash == b.content_hash and a.text == b.text


def test_corrupt_pdf_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n this is not really a pdf \x00\x01")
    with pytest.raises(ParseError, match=r"broken\.pdf: not a readable PDF"):
        list(parse_pdf(path))


def test_scanned_page_without_text_layer(tmp_path: Path) -> None:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "A page with text.")
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 20, 20), False)
    pix.clear_with(200)
    doc.new_page().insert_image(pymupdf.Rect(72, 72, 300, 300), pixmap=pix)
    path = tmp_path / "scan.pdf"
    doc.save(path)
    with pytest.raises(ParseError, match=r"scan\.pdf: page 2 has no text layer \(scanned PDF\?\); OCR it"):
        list(parse_pdf(path))


def test_blank_pdf_has_no_text_layer(tmp_path: Path) -> None:
    doc = pymupdf.open()
    doc.new_page()
    path = tmp_path / "blank.pdf"
    doc.save(path)
    with pytest.raises(ParseError, match="page 1 has no text layer"):
        list(parse_pdf(path))


def test_password_protected_pdf(tmp_path: Path) -> None:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Secret results.")
    path = tmp_path / "locked.pdf"
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="user")
    with pytest.raises(ParseError, match=r"locked\.pdf: the PDF is encrypted"):
        list(parse_pdf(path))


@needs_data
def test_datta_review_metadata_title_and_doi() -> None:
    (doc,) = parse_pdf(DATA / "datta2010_dvt_prophylaxis_trauma_systematic_review.pdf")
    assert doc.title.startswith("Complications related to deep venous thrombosis prophylaxis in trauma")
    assert doc.doi == "10.1186/1752-2897-4-1"
    assert len(doc.pages) == 4
    title = doc.sections[0]
    assert title.kind == "title" and " ".join(doc.text[title.start : title.end].split()) == doc.title
    conclusion = next(s for s in doc.sections if s.kind == "conclusions")
    assert "3.9% and 0.7%" in doc.text[conclusion.start : conclusion.end]
    assert "threatening" in doc.text and "life-threa-\n" not in doc.text  # de-hyphenated


@needs_data
def test_sundstrom_cohort_title_from_font_and_abstract_labels() -> None:
    (doc,) = parse_pdf(DATA / "sundstrom2014_stressful_life_events_dementia.pdf")
    # NOTE: the metadata title is a typesetter job name ("ipg1300180a"), so the largest font wins.
    assert doc.title == "Stressful life events are not associated with the development of dementia"
    assert doc.doi == "10.1017/S1041610213001804"
    methods = next(s for s in doc.sections if s.kind == "methods")
    assert "2,462 dementia-free participants" in doc.text[methods.start : methods.end]
    results = [s for s in doc.sections if s.title == "Results"]
    assert [s.page_start for s in results] == [1, 5]
    assert doc.page_at(results[1].start) == 5


@needs_data
def test_tully_title_skips_the_article_type_kicker() -> None:
    (doc,) = parse_pdf(DATA / "tully2010_heart_failure_programmes.pdf")
    assert doc.title == "Patient Experiences of Structured Heart Failure Programmes"
    assert doc.doi == "10.1155/2010/157939"
    assert [s.kind for s in doc.sections][:5] == ["title", "other", "abstract", "background", "results"]


@needs_data
@pytest.mark.parametrize("path", sorted(DATA.glob("*.pdf")) if DATA.exists() else [])
def test_real_pdfs_have_consistent_spans(path: Path) -> None:
    (doc,) = parse_pdf(path)
    assert doc.pages[0].start == 0 and doc.pages[-1].end == len(doc.text)
    for before, after in zip(doc.pages, doc.pages[1:], strict=False):
        assert doc.text[before.end : after.start] == "\n\n"
    for s in doc.sections:
        assert s.page_start is not None and s.page_end is not None and s.page_start <= s.page_end
        assert doc.page_at(s.start) == s.page_start
        if s.kind not in ("title",) and s.title not in ("Abstract", "Front matter"):  # NOTE: sections without heading
            assert doc.text[s.start : s.end].casefold().lstrip("0123456789. ").startswith(s.title.casefold())
