"""The claim graph as data: claims, documents and entities as JSON lines or CSV rows, streamed from the store."""

from __future__ import annotations

import csv
import json
import types
import typing
from collections.abc import Iterable, Iterator
from typing import Any, Literal, TextIO

from pydantic import BaseModel

from kb.claims import Claim
from kb.models import Document, Entity
from kb.records import claim_from_hit, document_from_hit
from kb.store import Store

Kind = Literal["claims", "documents", "entities"]
KINDS: tuple[Kind, ...] = ("claims", "documents", "entities")
Format = Literal["jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv")
# NOTE: the document facts a claim row carries (from the summary every claim payload holds), prefixed doc_.
CLAIM_DOC_FIELDS = ("title", "pmid", "doi", "nct_id", "source", "year", "kind", "study_design", "sample_size",
                    "publication_types")
# NOTE: positions into a text the CSV does not carry; JSON lines keep them.
CSV_SKIPPED = {"documents": ("text", "sections", "pages")}


def as_kind(text: str) -> Kind | None:
    """Return the collection a name means, or None."""
    return next((k for k in KINDS if k == text.strip().lower()), None)


def as_format(text: str) -> Format | None:
    """Return the format a name means, or None."""
    return next((f for f in FORMATS if f == text.strip().lower()), None)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """Return the pydantic model a field holds (through Optional), or None for a plain value."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        found = [m for m in map(_model_of, typing.get_args(annotation)) if m is not None]
        return found[0] if len(found) == 1 else None
    return None


def columns(model: type[BaseModel], prefix: str = "", skip: Iterable[str] = ()) -> list[str]:
    """Return a model's CSV columns in field order, nested models flattened ('effect' -> 'effect_type', ...)."""
    out: list[str] = []
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        nested = _model_of(info.annotation)
        out += columns(nested, f"{prefix}{name}_") if nested else [f"{prefix}{name}"]
    return out


def flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """Return a JSON-ready dump flattened to one level: nested dicts prefixed, lists of values joined by '; '."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in flat(item, f"{prefix}{key}_").items()}
    key = prefix[:-1]
    if isinstance(value, list | tuple):
        scalar = all(not isinstance(v, dict | list) for v in value)
        return {key: "; ".join(str(v) for v in value) if scalar else json.dumps(value, ensure_ascii=False)}
    return {key: value}


def claim_columns() -> list[str]:
    """Return the CSV columns of a claim row: the claim's fields, then its document's."""
    return columns(Claim) + [f"doc_{f}" for f in CLAIM_DOC_FIELDS]


def claim_record(claim: Claim, doc: dict[str, Any]) -> dict[str, Any]:
    """Return a claim as nested JSON with its document's facts under 'doc'."""
    summary = {"id": claim.doc_id} | {f: doc.get(f) for f in CLAIM_DOC_FIELDS}
    return claim.model_dump(mode="json") | {"doc": summary}


def claim_records(store: Store) -> Iterator[dict[str, Any]]:
    """Yield every stored claim as a record (scrolled, so a large store is never held at once)."""
    for hit in store.scroll("claims"):
        yield claim_record(claim_from_hit(hit), hit.payload.get("doc") or {})


def document_records(store: Store, full_text: bool = False) -> Iterator[dict[str, Any]]:
    """Yield every stored document's metadata (and its text when asked)."""
    for hit in store.scroll("documents"):
        data = document_from_hit(hit).model_dump(mode="json")
        yield data if full_text else {k: v for k, v in data.items() if k != "text"}


def entity_records(store: Store) -> Iterator[dict[str, Any]]:
    """Yield every stored entity."""
    for hit in store.scroll("entities"):
        yield Entity.model_validate({k: v for k, v in hit.payload.items() if k in Entity.model_fields}).model_dump(
            mode="json")


def records(store: Store, kind: Kind, full_text: bool = False) -> Iterator[dict[str, Any]]:
    """Yield the records of one collection."""
    if kind == "claims":
        return claim_records(store)
    if kind == "documents":
        return document_records(store, full_text)
    return entity_records(store)


def csv_columns(kind: Kind) -> list[str]:
    """Return the stable CSV column order of one collection."""
    if kind == "claims":
        return claim_columns()
    if kind == "documents":
        return columns(Document, skip=CSV_SKIPPED["documents"])
    return columns(Entity)


def write(rows: Iterable[dict[str, Any]], kind: Kind, fmt: Format, out: TextIO) -> int:
    """Write records as JSON lines or CSV rows (nested fields flattened); return how many were written."""
    n = 0
    if fmt == "jsonl":
        for n, row in enumerate(rows, 1):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return n
    header = csv_columns(kind)
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for n, row in enumerate(rows, 1):
        writer.writerow({k: _cell(v) for k, v in flat(row).items()})
    return n


def _cell(value: Any) -> Any:
    """Return a CSV cell: booleans as true/false, missing values empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value
