"""medkb export through the real CLI on the demo corpus: every claim, document and entity, as JSON lines and CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.export import csv_columns
from ingest.readers.load import load_records
from tests.conftest import DEMO

runner = CliRunner()
CLAIM_KEYS = {"id", "subject", "predicate", "object", "direction", "comparator", "population", "scope", "restatable",
              "effect", "p_value", "sample_size", "sample_size_type", "study_design", "hedged", "extractor",
              "confidence", "quote", "doc"}


def medkb(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit code, stdout and stderr."""
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base with the demo corpus ingested."""
    path = tmp_path_factory.mktemp("export") / "kb"
    code, _, err = medkb("ingest", str(DEMO), "--store", str(path))
    assert code == 0, err
    return path


def exported(store: Path, *args: str) -> str:
    """Return what medkb export wrote to stdout (failing the test on a non-zero exit)."""
    code, out, err = medkb("export", *args, "--store", str(store))
    assert code == 0, err
    return out


def jsonl(text: str) -> list[dict]:  # type: ignore[type-arg]
    """Return the objects of JSON lines."""
    return [json.loads(line) for line in text.splitlines()]


def test_claims_jsonl_carry_every_field_a_verbatim_quote_and_the_document(store: Path) -> None:
    rows = jsonl(exported(store, "claims", "--format", "jsonl"))
    assert len(rows) >= 5
    texts = {}
    for row in rows:
        assert CLAIM_KEYS <= row.keys()
        assert {"name", "id"} <= row["subject"].keys() and {"name", "id"} <= row["object"].keys()
        assert {"text", "start", "end", "page", "field"} <= row["quote"].keys()
        assert {"id", "title", "pmid", "doi", "nct_id", "source"} <= row["doc"].keys()
        assert row["doc"]["id"] == row["doc_id"] and 0.0 <= row["confidence"] <= 1.0
        source = row["doc"]["source"]
        texts.setdefault(source, {d.id: d.text for d, _ in load_records(Path(source))})
        assert texts[source][row["doc_id"]][row["quote"]["start"]:row["quote"]["end"]] == row["quote"]["text"]
    registry = [r for r in rows if r["doc"]["nct_id"] == "NCT09900001" and r["quote"]["field"]]
    assert registry, "the demo trial's posted results must come out with their record field"
    assert any(r["doc"]["pmid"] == "90000004" and "quorvafil" in r["quote"]["text"].lower() for r in rows)


def test_claims_csv_has_the_stable_columns_and_flattened_effects(store: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "claims.csv"
    code, _, err = medkb("export", "claims", "--format", "csv", "-o", str(target), "--store", str(store))
    assert code == 0 and f"to {target}" in err
    reader = csv.DictReader(io.StringIO(target.read_text(encoding="utf-8")))
    assert reader.fieldnames == csv_columns("claims")
    assert {"subject_name", "object_id", "effect_type", "effect_value", "p_value_value", "quote_text", "quote_start",
            "doc_title", "doc_pmid", "doc_source"} <= set(reader.fieldnames)
    rows = {r["id"]: r for r in reader}
    by_id = {r["id"]: r for r in jsonl(exported(store, "claims"))}
    assert rows.keys() == by_id.keys()
    with_effect = [i for i, r in by_id.items() if r["effect"]]
    assert with_effect, "the demo corpus states effect estimates (rate ratio 0.64)"
    for i in with_effect:
        assert rows[i]["effect_type"] == by_id[i]["effect"]["type"]
        assert float(rows[i]["effect_value"]) == by_id[i]["effect"]["value"]
    assert {r["hedged"] for r in rows.values()} <= {"true", "false"}


def test_documents_without_text_in_csv_and_with_it_on_request(store: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(exported(store, "documents", "--format", "csv"))))
    assert "text" not in rows[0] and "sections" not in rows[0]
    rct = next(r for r in rows if r["pmid"] == "90000004")
    assert "Randomized Controlled Trial" in rct["publication_types"].split("; ")
    trial = next(r for r in rows if r["trial_nct_id"] == "NCT09900001")
    assert trial["trial_enrollment_type"] in ("ACTUAL", "ESTIMATED") and trial["kind"] == "trial"
    plain, full = jsonl(exported(store, "documents")), jsonl(exported(store, "documents", "--full-text"))
    assert len(plain) == len(full) == len(rows)
    assert all("text" not in d for d in plain) and all(d["text"] for d in full)


def test_entities_export(store: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(exported(store, "entities", "-f", "csv"))))
    assert rows and set(rows[0]) >= {"id", "name", "type", "normalized_id"}
    assert len(jsonl(exported(store, "entities"))) == len(rows)


def test_unknown_format_or_collection_is_a_clear_error(store: Path) -> None:
    code, out, err = medkb("export", "claims", "--format", "xml", "--store", str(store))
    assert code == 2 and not out and "unknown format 'xml'; use jsonl or csv" in err
    code, _, err = medkb("export", "trials", "--store", str(store))
    assert code == 2 and "cannot export 'trials'; choose claims, documents, entities" in err
    code, _, err = medkb("export", "documents", "--format", "csv", "--full-text", "--store", str(store))
    assert code == 2 and "--full-text needs --format jsonl" in err
