"""JSON reports: the view model, valid against the committed schema."""

from __future__ import annotations

import json

import jsonschema

from kb.report import Report, build_report, render
from kb.report.jsonfmt import committed_schema, json_schema
from tests.kb.report_fixtures import ANSWER, CORPUS, DOCUMENTS, QUOTES


def test_committed_schema_matches_the_model() -> None:
    assert committed_schema() == json_schema(), (
        "kb/report/schema.json is stale; regenerate it with: python -c \"from kb.report.jsonfmt import "
        "json_schema; open('kb/report/schema.json', 'w').write(json_schema())\""
    )


def test_json_report_validates_against_the_schema() -> None:
    data = json.loads(render(ANSWER, CORPUS, "json", documents=DOCUMENTS))
    jsonschema.Draft202012Validator(json.loads(committed_schema())).validate(data)
    assert data["schema_version"] == "1"
    assert data["corpus"]["generated_at"] == "2025-03-01T12:00:00Z"


def test_schema_rejects_an_unknown_certainty() -> None:
    data = json.loads(render(ANSWER, CORPUS, "json"))
    data["hypotheses"][0]["certainty"] = "certain"
    validator = jsonschema.Draft202012Validator(json.loads(committed_schema()))
    assert not validator.is_valid(data)


def test_json_round_trips_to_the_view_model() -> None:
    raw = render(ANSWER, CORPUS, "json", documents=DOCUMENTS)
    assert Report.model_validate_json(raw) == build_report(ANSWER, CORPUS, DOCUMENTS)


def test_every_quote_is_a_citation_quote() -> None:
    data = json.loads(render(ANSWER, CORPUS, "json"))
    quotes = {e["quote"] for e in data["evidence"]}
    paired = {q for c in data["contradictions"] for p in c["pairs"]
              for q in (p["supporting_quote"], p["contradicting_quote"]) if q}
    assert quotes == QUOTES and paired <= QUOTES
