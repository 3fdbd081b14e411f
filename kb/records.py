"""Models to store points and back: the payload layout of each collection."""

from __future__ import annotations

from typing import Any

from kb.answers import Citation, CitedClaim, Source
from kb.claims import Claim
from kb.models import Chunk, Document, Entity
from kb.sparse import encode_document
from kb.store import Hit, Point

# NOTE: document facts copied onto chunks and claims so filters and citations need no second read.
DOC_FIELDS = ("title", "source", "pmid", "doi", "year", "kind", "study_design", "sample_size")


def doc_summary(doc: Document) -> dict[str, Any]:
    """Return the document facts every chunk and claim payload carries."""
    summary: dict[str, Any] = {f: getattr(doc, f) for f in DOC_FIELDS}
    summary["nct_id"] = doc.trial.nct_id if doc.trial else (doc.nct_ids[0] if doc.nct_ids else None)
    summary["nct_ids"] = list(doc.nct_ids)
    summary["publication_types"] = list(doc.publication_types)
    summary["notices"] = list(doc.notices)
    if doc.trial:
        summary["enrollment_type"] = doc.trial.enrollment.type
        summary["overall_status"] = doc.trial.overall_status
    return summary


def document_point(doc: Document) -> Point:
    """Return the documents-collection point: the whole document, searchable by its title."""
    payload = doc.model_dump(mode="json")
    payload["nct_id"] = doc_summary(doc)["nct_id"]
    return Point(id=doc.id, payload=payload, sparse=encode_document(doc.title or doc.text[:300]))


def chunk_point(chunk: Chunk, doc: Document, dense: list[float]) -> Point:
    """Return the chunks-collection point with dense and sparse vectors."""
    payload = chunk.model_dump(mode="json") | {"doc": doc_summary(doc)}
    payload |= {"year": doc.year, "study_design": doc.study_design, "kind": doc.kind}
    return Point(id=chunk.id, payload=payload, dense=dense, sparse=encode_document(f"{doc.title}\n{chunk.text}"))


def claim_text(claim: Claim) -> str:
    """Return the text a claim is found by: its entities, comparator and quote."""
    parts = [claim.subject.name, claim.predicate.replace("_", " "), claim.object.name]
    if claim.comparator:
        parts.append(f"versus {claim.comparator}")
    return " ".join(parts) + "\n" + claim.quote.text


def claim_point(claim: Claim, doc: Document, dense: list[float]) -> Point:
    """Return the claims-collection point.

    The dense vector is the claim's chunk vector: the quote's context says more than the bare
    sentence, and it spares a second embedding pass; the sparse vector is the claim's own.
    """
    payload = claim.model_dump(mode="json") | {"doc": doc_summary(doc)}
    payload |= {
        "year": doc.year,
        "kind": claim.kind,
        "study_design": claim.study_design,
        "subject_id": claim.subject.id,
        "object_id": claim.object.id,
    }
    return Point(id=claim.id, payload=payload, dense=dense, sparse=encode_document(claim_text(claim)))


def entity_point(entity: Entity) -> Point:
    """Return the entities-collection point, found by its names."""
    payload = entity.model_dump(mode="json") | {"name_folded": entity.name.casefold()}
    return Point(id=entity.id, payload=payload, sparse=encode_document(" ".join((entity.name, *entity.synonyms))))


def claim_from_hit(hit: Hit) -> Claim:
    """Rebuild a claim from its stored payload."""
    data = {k: v for k, v in hit.payload.items() if k in Claim.model_fields}
    return Claim.model_validate(data)


def document_from_hit(hit: Hit) -> Document:
    """Rebuild a document from its stored payload."""
    return Document.model_validate({k: v for k, v in hit.payload.items() if k in Document.model_fields})


def chunk_from_hit(hit: Hit) -> Chunk:
    """Rebuild a chunk from its stored payload."""
    return Chunk.model_validate({k: v for k, v in hit.payload.items() if k in Chunk.model_fields})


def source_from_hit(hit: Hit) -> Source:
    """Return the cited document's facts a claim's payload carries."""
    doc = hit.payload.get("doc", {})
    return Source(doc_id=hit.payload.get("doc_id", ""), title=doc.get("title") or "", source=doc.get("source") or "",
                  pmid=doc.get("pmid"), doi=doc.get("doi"), nct_id=doc.get("nct_id"), year=doc.get("year"),
                  study_design=doc.get("study_design") or "unknown", notices=tuple(doc.get("notices") or ()))


def cited_claim_from_hit(hit: Hit) -> CitedClaim:
    """Return a stored claim with the document it cites."""
    return CitedClaim(claim=claim_from_hit(hit), source=source_from_hit(hit))


def citation_from_hit(hit: Hit) -> Citation:
    """Return the citation a user sees for a stored claim."""
    return cited_claim_from_hit(hit).citation()
