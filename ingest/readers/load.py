"""Pick the parser for a file from its suffix and first bytes; expand folders into the files to ingest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ingest.readers.jats import parse_jats
from ingest.readers.medline import parse_medline
from ingest.readers.pdf_child import PdfWorker
from ingest.readers.pubmed import Tally, check_root, parse_pubmed_xml, root_tag
from ingest.readers.text import decode, parse_text
from kb.claims import Claim
from kb.errors import ParseError, SkippedInput
from kb.models import Document

SUPPORTED = (".xml", ".xml.gz", ".nxml", ".txt", ".md", ".pdf", ".json")
SNIFF_BYTES = 65536
# NOTE: the classic-API key goes to the trial parser too, which explains how to fetch the v2 record instead.
TRIAL_JSON_KEYS = ('"protocolSection"', '"studies"', '"FullStudiesResponse"')


def suffix_of(path: Path) -> str:
    """Return the lower-case suffix that decides the format ('.xml.gz' counts as one)."""
    name = path.name.lower()
    return ".xml.gz" if name.endswith(".xml.gz") else path.suffix.lower()


def _head(path: Path) -> str:
    """Return the first bytes of a file as text, for sniffing."""
    with path.open("rb") as handle:
        return decode(handle.read(SNIFF_BYTES))


def _trials(path: Path) -> Iterator[Document]:
    """Return the trial parser's documents, importing it only when a trial record turns up."""
    try:
        from ingest.readers.trials import parse_trials
    except ImportError as e:
        raise SkippedInput(f"{path}: a ClinicalTrials.gov record, but trial support not installed "
                           "(ingest.readers.trials is missing); install the full MedKB package") from e
    return parse_trials(path)


def _xml(path: Path, tally: Tally | None) -> Iterator[Document]:
    """Return the documents of an XML file, chosen by its root element."""
    root = root_tag(path)
    if root == "article":
        return parse_jats(path)
    if root == "clinical_study":
        return _trials(path)
    check_root(path, root)
    return parse_pubmed_xml(path, tally)


def _json(path: Path) -> Iterator[Document]:
    """Return the documents of a ClinicalTrials.gov JSON file, refusing other JSON."""
    head = _head(path)
    if any(key in head for key in TRIAL_JSON_KEYS):
        return _trials(path)
    raise SkippedInput(f"{path}: JSON without 'protocolSection' or 'studies', so not a ClinicalTrials.gov "
                       "record; download studies from ClinicalTrials.gov as JSON")


def _txt(path: Path) -> Iterator[Document]:
    """Return MEDLINE records when the file starts with a 'PMID-' line, else the file as plain text."""
    first = next((line for line in _head(path).splitlines() if line.strip()), "")
    return parse_medline(path) if first.startswith("PMID-") else parse_text(path)


def _pdf(path: Path, worker: PdfWorker | None) -> Iterator[Document]:
    """Return a PDF's documents, read in a child process under the worker's limits (default limits without one)."""
    if worker is not None:
        return iter(worker.parse(path))
    with PdfWorker() as one:
        return iter(one.parse(path))


def load(path: Path, tally: Tally | None = None, pdf: PdfWorker | None = None) -> Iterator[Document]:
    """Return the Documents in one file (PDFs through `pdf`, a run's worker process); ParseError or SkippedInput
    says why a file gives none."""
    if not path.is_file():
        raise ParseError(f"{path}: no such file; check the path")
    match suffix_of(path):
        case ".xml" | ".xml.gz":
            return _xml(path, tally)
        case ".nxml":
            return parse_jats(path)
        case ".txt":
            return _txt(path)
        case ".md":
            return parse_text(path)
        case ".pdf":
            return _pdf(path, pdf)
        case ".json":
            return _json(path)
        case other:
            raise SkippedInput(f"{path}: unsupported file type '{other or path.name}'; "
                               f"supported: {', '.join(SUPPORTED)}")


def _is_trial(path: Path) -> bool:
    """Return whether a file holds ClinicalTrials.gov records."""
    match suffix_of(path):
        case ".json":
            return any(key in _head(path) for key in TRIAL_JSON_KEYS)
        case ".xml":
            return root_tag(path) == "clinical_study"
    return False


def load_records(path: Path, tally: Tally | None = None,
                 pdf: PdfWorker | None = None) -> Iterator[tuple[Document, list[Claim]]]:
    """Return each document of a file with the claims its record states outright (posted trial results)."""
    if path.is_file() and _is_trial(path):
        from ingest.readers.trials import parse_trial_records

        return parse_trial_records(path)
    return ((doc, []) for doc in load(path, tally, pdf))
