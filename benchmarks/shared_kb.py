"""A knowledge base of the shared data, built as a user would build it: `medkb lexicon load`, then `medkb ingest`.

Sources: the PubMed XML folder (efetch, MEDLINE, PMC JATS), the biomedical PDFs, the ClinicalTrials.gov records, the
Evidence Inference **validation** full texts and the full MeSH lexicon. The claim benchmarks (`claim_defects`,
`claims_judged`) read it through the public store interface only, so they measure whatever extractor built it.
Building takes about 8 minutes on 2 shared cores; `store=PATH` keeps it (built there when PATH does not exist yet)
and reuses it on the next run. Only one process may open a store at a time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.resources import KnowledgeBase, open_kb
from benchmarks import common
from ingest.readers.folders import discover
from kb.config import Settings
from kb.models import Document
from kb.records import document_from_hit
from kb.store import Store

FOLDERS = ("pubmed_xml", "biomedical_pdfs", "clinicaltrials_gov")
MESH = "mesh_2024"
BUILD_FILE = "benchmark-build.json"  # NOTE: beside the store: what built it, so a reused store says so.
PENDING = ".building"  # NOTE: <store>.building beside the store while a build runs; a build that died leaves it.
STORE_MARK = "medkb-store.json"


@dataclass
class Built:
    """A knowledge base of the shared data, opened, and how it came to be."""

    kb: KnowledgeBase
    info: dict[str, Any] = field(default_factory=dict)


def ei_validation_files(data: Path) -> list[Path]:
    """Return the Evidence Inference validation full texts present under the data folder."""
    root = data / "evidence_inference"
    ids = (root / "splits" / "ev2_validation_article_ids.txt").read_text().split()
    return [p for p in (root / "txt_files" / f"PMC{i}.txt" for i in sorted(ids, key=int)) if p.exists()]


def source_files(data: Path, limit: int | None = None) -> list[Path]:
    """Return the files to ingest: each source's files in order, the first `limit` of each when limited."""
    groups = [discover([data / f]).files for f in FOLDERS if (data / f).exists()]
    if (data / "evidence_inference" / "splits").exists():
        groups.append(ei_validation_files(data))
    return [p for files in groups for p in (files[:limit] if limit else files)]


def medkb(*args: str) -> str:
    """Run the medkb command line in a child process (as a user would); return its stderr, raise on failure."""
    done = subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          env=dict(os.environ), cwd=common.HERE.parent)
    if done.returncode != 0:
        raise RuntimeError(f"medkb {args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout + done.stderr


def pending(folder: Path) -> Path:
    """Return the marker beside a store folder that says a build into it started and has not finished."""
    # NOTE: beside, not inside: medkb refuses a non-empty folder that is not yet a knowledge base.
    return folder.with_name(folder.name + PENDING)


def build(data: Path, folder: Path, limit: int | None = None) -> dict[str, Any]:
    """Build the knowledge base into folder with the medkb CLI; return what was built and how."""
    files = source_files(data, limit)
    if not files:
        raise FileNotFoundError(f"no shared data to ingest under {data}")
    pending(folder).parent.mkdir(parents=True, exist_ok=True)
    pending(folder).touch()
    log = medkb("lexicon", "load", str(data / MESH), "--store", str(folder)) if (data / MESH).exists() else ""
    log += medkb("ingest", *map(str, files), "--store", str(folder))
    info = {"built_by_commit": common.commit(), "data": str(data), "files": len(files), "limit": limit,
            "log": [line for line in log.splitlines() if line.strip() and not line.startswith("skipped")][-4:]}
    (folder / BUILD_FILE).write_text(json.dumps(info, indent=2) + "\n")
    pending(folder).unlink()
    return info


@contextmanager
def opened(data: Path, store: str = "", limit: int | None = None) -> Iterator[Built]:
    """Yield the knowledge base at `store` (built there first when absent), or a fresh one in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="medkb-shared-kb-") as tmp:
        folder = Path(store) if store else Path(tmp) / "kb"
        if pending(folder).exists():
            raise RuntimeError(f"{folder}: an earlier build did not finish; remove the folder and run again")
        reused = (folder / STORE_MARK).exists()
        info = json.loads((folder / BUILD_FILE).read_text()) if (folder / BUILD_FILE).exists() else {}
        if not reused:
            info = build(data, folder, limit)
        kb = open_kb(Settings(store=folder))
        try:
            yield Built(kb, info | {"store": str(folder) if store else "(temporary)", "reused": reused})
        finally:
            kb.close()


def documents(store: Store) -> dict[str, Document]:
    """Return every stored document by id, its text dropped (the claim benchmarks need only its facts)."""
    out = {}
    for hit in store.scroll("documents"):
        doc = document_from_hit(hit)
        out[doc.id] = doc.model_copy(update={"text": "", "sections": (), "pages": ()})
    return out
