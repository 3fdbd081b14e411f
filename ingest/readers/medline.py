"""MEDLINE/PubMed text format (PMID- / TI  - / AB  - …), read with Biopython's Bio.Medline."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

from Bio import Medline

from ingest.readers.publication_types import design_of_publication_types
from ingest.readers.pubmed import notices_of
from ingest.readers.layout import Block, assemble, find_nct_ids, heading_kind, squash
from ingest.readers.text import decode
from kb.errors import ParseError
from kb.models import Document, content_hash, document_id

# NOTE: MEDLINE text flattens structured abstracts to "BACKGROUND: … RESULTS: …"; labels are upper case.
_LABEL = re.compile(r"(?:^|(?<=\s))([A-Z][A-Z ,&/-]{2,40}[A-Z]):\s")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _list(record: dict[str, str | list[str]], key: str) -> list[str]:
    """Return a field as a list, whether Bio.Medline gave a string or a list."""
    value = record.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def _one(record: dict[str, str | list[str]], key: str) -> str:
    """Return a field as one folded string."""
    return squash(" ".join(_list(record, key)))


def _abstract_blocks(abstract: str) -> list[Block]:
    """Return one block per upper-case label of a structured abstract, or one "Abstract" block."""
    marks = list(_LABEL.finditer(abstract))
    if not marks or marks[0].start() != 0:
        return [Block("Abstract", "abstract", (abstract,))] if abstract else []
    blocks = []
    for mark, nxt in zip(marks, [*marks[1:], None], strict=True):
        body = abstract[mark.end() : nxt.start() if nxt else len(abstract)].strip()
        label = mark.group(1)
        blocks.append(Block(label.title(), heading_kind(label) or "abstract", (body,)))
    return blocks


def _tagged(record: dict[str, str | list[str]], keys: tuple[str, ...], tag: str) -> str | None:
    """Return the first "value [tag]" entry among the given fields, without its tag."""
    for key in keys:
        for value in _list(record, key):
            if value.strip().endswith(f"[{tag}]"):
                return value.strip()[: -len(tag) - 2].strip()
    return None


def _descriptor(heading: str) -> str:
    """Return the MeSH descriptor of an MH line ("Sequence Alignment/*methods" → "Sequence Alignment")."""
    return heading.split("/", 1)[0].lstrip("*").strip()


# NOTE: MEDLINE text tags of the CommentsCorrections that carry a notice, as their XML RefType.
_CORRECTION_TAGS = {"RIN": "RetractionIn", "ROF": "RetractionOf", "ECI": "ExpressionOfConcernIn", "EIN": "ErratumIn"}


def record_document(record: dict[str, str | list[str]], source: str) -> Document:
    """Return the Document for one parsed MEDLINE record."""
    title = _one(record, "TI")
    abstract = _one(record, "AB")
    text, sections = assemble([Block("Title", "title", (title,)), *_abstract_blocks(abstract)])
    pmid = _one(record, "PMID") or None
    doi = _tagged(record, ("AID", "LID"), "doi")
    pmcid = _one(record, "PMC") or None
    registry = " ".join(_list(record, "SI"))
    digest = content_hash(json.dumps(record, sort_keys=True, ensure_ascii=False))
    year = _YEAR.search(_one(record, "DP"))
    chemicals = (m.group(1) for m in (re.search(r"\((.+)\)\s*$", rn) for rn in _list(record, "RN")) if m)
    return Document(
        id=document_id("medline", pmid=pmid, doi=doi, pmcid=pmcid, digest=digest),
        kind="medline", source=source, content_hash=digest, title=title, text=text,
        pmid=pmid, pmcid=pmcid, doi=doi,
        nct_ids=tuple(dict.fromkeys(find_nct_ids(registry) + find_nct_ids(text))),
        authors=tuple(_list(record, "AU")), journal=_one(record, "JT") or _one(record, "TA") or None,
        year=int(year.group()) if year else None, publication_types=tuple(_list(record, "PT")),
        study_design=design_of_publication_types(_list(record, "PT"), text),
        notices=notices_of(_list(record, "PT"), [ref for tag, ref in _CORRECTION_TAGS.items() if _list(record, tag)]),
        mesh_terms=tuple(dict.fromkeys(_descriptor(h) for h in _list(record, "MH"))),
        chemicals=tuple(dict.fromkeys(chemicals)), keywords=tuple(_list(record, "OT")), sections=sections,
    )


def parse_medline(path: Path) -> Iterator[Document]:
    """Yield one Document per record of a MEDLINE-format text file."""
    try:
        text = decode(path.read_bytes())
    except OSError as e:
        raise ParseError(f"{path}: cannot read the file ({e.strerror}); check the path and permissions") from e
    found = 0
    for record in Medline.parse(io.StringIO(text)):
        if not record.get("PMID"):
            continue
        found += 1
        yield record_document(record, str(path))
    if not found:
        raise ParseError(f"{path}: no MEDLINE records (no 'PMID- ' lines); export the file from PubMed as MEDLINE")
