"""PDFs read in a child process: the same Documents as in-process, and a PDF past the time or memory limit, or one
whose reader is killed, is a ParseError naming the file while the parent and the next PDF carry on."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
import zlib
from pathlib import Path

import pymupdf
import pytest

from ingest.readers.load import load
from ingest.readers.pdf import parse_pdf
from ingest.readers.pdf_child import PdfLimits, PdfWorker
from kb.errors import ParseError
from tests.conftest import DATA as DATASETS

DATA = DATASETS / "biomedical_pdfs"
needs_data = pytest.mark.skipif(not DATA.exists(), reason=f"shared PDFs not present at {DATA}")
LINE = "Aspirin reduced the risk of stroke in older adults compared with placebo.\n"


def pages_pdf(path: Path, pages: int) -> Path:
    """Write a PDF of `pages` pages of text (about 2.5 ms each to read) and return its path."""
    doc = pymupdf.open()
    for _ in range(pages):
        doc.new_page().insert_text((72, 72), LINE * 50, fontsize=9)
    doc.save(path)
    return path


def bomb_pdf(path: Path, chars: int) -> Path:
    """Write a small PDF whose one Flate stream inflates to a `chars`-character line of text."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "A bomb in a small file", fontsize=12)
    xref = page.get_contents()[0]
    body = b"BT /F1 1 Tf 72 700 Td (" + b"x" * chars + b") Tj ET\n"
    doc.update_stream(xref, zlib.compress(body, 9), compress=False)
    doc.xref_set_key(xref, "Filter", "/FlateDecode")
    doc.save(path)
    return path


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-page article."""
    return pages_pdf(tmp_path_factory.mktemp("pdf") / "small.pdf", 2)


@pytest.fixture(scope="module")
def worker() -> PdfWorker:
    """One worker shared by the tests that stay within the default limits."""
    with PdfWorker() as shared:
        yield shared


def test_a_document_pickles_and_the_child_reads_what_the_parent_reads(small: Path, worker: PdfWorker) -> None:
    (local,) = parse_pdf(small)
    assert pickle.loads(pickle.dumps(local)) == local
    assert worker.parse(small) == [local]
    assert worker.parse(small) == [local]  # NOTE: the same worker serves a second PDF.


@needs_data
def test_the_shared_pdfs_read_the_same_through_the_child(worker: PdfWorker) -> None:
    files = sorted(DATA.glob("*.pdf"))
    assert files
    for path in files:
        assert worker.parse(path) == list(parse_pdf(path))


def test_a_parse_error_in_the_child_reaches_the_parent_with_its_message(tmp_path: Path, worker: PdfWorker) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n this is not really a pdf \x00\x01")
    with pytest.raises(ParseError, match=r"broken\.pdf: not a readable PDF"):
        worker.parse(broken)


def test_load_reads_a_pdf_without_a_run_worker(small: Path) -> None:
    assert list(load(small)) == list(parse_pdf(small))


def test_a_pdf_past_the_time_limit_fails_and_a_fresh_worker_reads_the_next(tmp_path: Path, small: Path) -> None:
    slow = pages_pdf(tmp_path / "slow.pdf", 60)
    others = set(multiprocessing.active_children())  # NOTE: the shared worker of the other tests.
    with PdfWorker(PdfLimits(timeout_s=0.001)) as jail:
        with pytest.raises(ParseError, match=r"slow\.pdf: took longer than 0\.001 s to read; split or re-export "
                                             r"it, or raise MEDKB_PDF_TIMEOUT_S") as caught:
            jail.parse(slow)
        assert caught.value.__cause__ is None
        assert set(multiprocessing.active_children()) <= others  # NOTE: the busy worker was killed, not left running.
        jail.limits = PdfLimits(timeout_s=60)
        assert jail.parse(small) == list(parse_pdf(small))


def test_a_pdf_that_inflates_past_the_memory_limit_fails_and_the_worker_goes_on(tmp_path: Path, small: Path) -> None:
    bomb = bomb_pdf(tmp_path / "bomb.pdf", 20 * 2**20)
    assert bomb.stat().st_size < 100_000
    with PdfWorker(PdfLimits(timeout_s=60, memory_mb=512)) as jail:
        with pytest.raises(ParseError, match=r"bomb\.pdf: needed more than 512 MB of memory to read; split or "
                                             r"re-export it, or raise MEDKB_PDF_MEMORY_MB"):
            jail.parse(bomb)
        assert jail.parse(small) == list(parse_pdf(small))


def _kill_children_soon(spare: set[multiprocessing.process.BaseProcess]) -> threading.Timer:
    """Kill this process's new multiprocessing children in 0.3 s, as the OOM killer would."""
    def kill() -> None:
        for child in set(multiprocessing.active_children()) - spare:
            os.kill(child.pid or 0, signal.SIGKILL)
    timer = threading.Timer(0.3, kill)
    timer.start()
    return timer


def test_a_killed_reader_is_a_parse_error_and_the_next_pdf_gets_a_new_one(tmp_path: Path, small: Path) -> None:
    slow = pages_pdf(tmp_path / "slow.pdf", 800)
    others = set(multiprocessing.active_children())
    with PdfWorker(PdfLimits(timeout_s=120)) as jail:
        assert jail.parse(small)  # NOTE: the worker is up, so the kill lands while it reads the slow PDF.
        timer = _kill_children_soon(others)
        with pytest.raises(ParseError, match=r"slow\.pdf: the process reading it was killed .*MEDKB_PDF_MEMORY_MB"):
            jail.parse(slow)
        timer.join()
        assert jail.parse(small) == list(parse_pdf(small))
