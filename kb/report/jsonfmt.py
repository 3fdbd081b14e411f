"""The JSON report: the view model dumped, described by the committed kb/report/schema.json."""

from __future__ import annotations

import json
from importlib.resources import files

from kb.report.model import Report

SCHEMA_FILE = "schema.json"


def to_json(report: Report) -> str:
    """Return the report as indented JSON (one field per line, so only the timestamp line varies)."""
    return report.model_dump_json(indent=2) + "\n"


def json_schema() -> str:
    """Return the JSON Schema of the report, as generated from the view model."""
    return json.dumps(Report.model_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def committed_schema() -> str:
    """Return the JSON Schema shipped with the package."""
    return files("kb.report").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
