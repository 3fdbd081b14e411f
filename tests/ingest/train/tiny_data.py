"""A tiny data folder cut from the shared data sets: a few real files of each kind the trainers read."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import shutil
from itertools import islice
from pathlib import Path

from ingest.train.pico import tuning
from ingest.train.pico_data import held_out
from tests.conftest import DATA

EBM = {"fitted": 24, "held_out": 6, "tuning": 4}  # NOTE: EBM-NLP abstracts of each pico part
PUBMEDQA = 30
EI_TRAIN = 10

ROOTS = [Path(__file__).resolve().parents[3] / p for p in ("ingest/nlp", "ingest/extract", "ingest/train/reports")]


def committed() -> dict[Path, str]:
    """Return the digest of every committed weights file and training report (tests must leave them alone)."""
    files = [p for root in ROOTS for p in sorted(root.iterdir()) if p.suffix in (".npz", ".json", ".md")]
    return {p: hashlib.sha1(p.read_bytes()).hexdigest() for p in files}


def _lines_gz(source: Path, target: Path, keep: int) -> None:
    """Copy the header and the first `keep` rows of a gzipped text file."""
    with gzip.open(source, "rt", encoding="utf-8") as f, gzip.open(target, "wt", encoding="utf-8") as out:
        out.writelines(islice(f, keep + 1))


def _ebm(root: Path) -> None:
    """Copy EBM-NLP abstracts: some fitted, some held out, some for tuning (pico's split by PMID)."""
    want = dict(EBM)
    rows = []
    with gzip.open(DATA / "ebm_nlp" / "ebmnlp_trainpool_pio_io.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            pmid = json.loads(line)["pmid"]
            part = "held_out" if held_out(pmid) else "tuning" if tuning(pmid) else "fitted"
            if want[part] > 0:
                want[part] -= 1
                rows.append(line)
            if not any(want.values()):
                break
    pmids = {json.loads(r)["pmid"] for r in rows}
    (root / "ebm_nlp").mkdir(parents=True)
    with gzip.open(root / "ebm_nlp" / "ebmnlp_trainpool_pio_io.jsonl.gz", "wt", encoding="utf-8") as out:
        out.writelines(rows)
    with gzip.open(DATA / "ebm_nlp" / "documents_trainpool.jsonl.gz", "rt", encoding="utf-8") as f, \
            gzip.open(root / "ebm_nlp" / "documents_trainpool.jsonl.gz", "wt", encoding="utf-8") as out:
        out.writelines(line for line in f if json.loads(line)["pmid"] in pmids)


def _csv_rows(source: Path, target: Path, ids: set[str]) -> None:
    """Copy the rows of an Evidence Inference CSV whose PMCID is one of ids."""
    with open(source, newline="", encoding="utf-8") as f, open(target, "w", newline="", encoding="utf-8") as out:
        reader = csv.DictReader(f)
        writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or []))
        writer.writeheader()
        writer.writerows(row for row in reader if row["PMCID"] in ids)


def _evidence_inference(root: Path) -> list[str]:
    """Copy a few ev2 train articles (abstract, full text, annotations, prompts) and the real validation split;
    return the train ids."""
    source, target = DATA / "evidence_inference", root / "evidence_inference"
    for sub in ("splits", "annotations", "abstracts", "txt_files"):
        (target / sub).mkdir(parents=True)
    train = sorted(source.joinpath("splits", "ev2_train_article_ids.txt").read_text().split())
    ids = [i for i in train if (source / "abstracts" / f"PMC{i}.abst").is_file()
           and (source / "txt_files" / f"PMC{i}.txt").is_file()][:EI_TRAIN]
    (target / "splits" / "ev2_train_article_ids.txt").write_text("\n".join(ids) + "\n")
    shutil.copy(source / "splits" / "ev2_validation_article_ids.txt", target / "splits")
    for name in ("v2_annotations.csv", "prompts_merged.csv"):
        _csv_rows(source / "annotations" / name, target / "annotations" / name, set(ids))
    for i in ids:
        shutil.copy(source / "abstracts" / f"PMC{i}.abst", target / "abstracts")
        shutil.copy(source / "txt_files" / f"PMC{i}.txt", target / "txt_files")
    return ids


def tiny_data(tmp_path: Path) -> Path:
    """Return a data folder (tmp_path/shared/datasets, so caches land in tmp_path/cache) with a few real files each."""
    root = tmp_path / "shared" / "datasets"
    _ebm(root)
    _evidence_inference(root)
    (root / "pubmedqa").mkdir()
    pool = json.loads((DATA / "pubmedqa" / "pqal_pool.json").read_text(encoding="utf-8"))
    small = {k: pool[k] for k in sorted(pool)[:PUBMEDQA]}
    (root / "pubmedqa" / "pqal_pool.json").write_text(json.dumps(small), encoding="utf-8")
    (root / "pubmed_xml").mkdir()
    (root / "mesh_2024").mkdir()
    for name in ("mesh2024_descriptor_terms.tsv.gz", "mesh2024_descriptor_trees.tsv.gz"):
        _lines_gz(DATA / "mesh_2024" / name, root / "mesh_2024" / name, 2000)
    return root


def validation_article(data: Path) -> str:
    """Return the PMCID digits of one Evidence Inference validation article (examples from it must be left out)."""
    return (data / "evidence_inference" / "splits" / "ev2_validation_article_ids.txt").read_text().split()[0]
