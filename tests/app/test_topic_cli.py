"""`medkb topic` end to end: a demo knowledge base ingested by the CLI, mapped by the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.app.test_cli import demo_store, medkb  # noqa: F401  (a fixture, used by name)


def test_topic_prints_markdown_with_the_grid_and_the_unpublished_trial(demo_store: Path) -> None:
    code, out, _ = medkb("topic", "hypertension", "--store", str(demo_store))
    assert code == 0
    assert out.startswith("# MedKB topic map: hypertension")
    assert "| quorvafil | systolic blood pressure | no difference; low certainty; 2 studies, 1 against |" in out
    assert "NCT09900002" in out and "registered, finished, unpublished" in out


def test_topic_writes_html_and_json_files(demo_store: Path, tmp_path: Path) -> None:
    page = tmp_path / "out" / "asthma.html"
    code, _, err = medkb("topic", "asthma", "--format", "html", "--out", str(page), "--store", str(demo_store))
    assert code == 0 and "wrote" in err
    html = page.read_text(encoding="utf-8")
    assert "<th>zelmorant</th>" in html or ">zelmorant<" in html
    code, out, _ = medkb("topic", "asthma", "-f", "json", "--store", str(demo_store))
    topic = json.loads(out)["topic"]
    assert topic["interventions"] == ["zelmorant"] and topic["documents"] == 6


def test_topic_on_a_condition_with_nothing_says_so(demo_store: Path) -> None:
    code, out, _ = medkb("topic", "multiple sclerosis", "--store", str(demo_store))
    assert code == 0 and "No document in this knowledge base names multiple sclerosis" in out


def test_bad_format_empty_condition_and_missing_store_are_errors_not_tracebacks(demo_store: Path,
                                                                                tmp_path: Path) -> None:
    code, _, err = medkb("topic", "asthma", "--format", "pdf", "--store", str(demo_store))
    assert code == 2 and "use md, html, json" in err
    code, _, err = medkb("topic", "  ", "--store", str(demo_store))
    assert code == 2 and "name a condition" in err
    code, _, err = medkb("topic", "asthma", "--store", str(tmp_path / "nothing"))
    assert code == 1 and "no knowledge base at" in err and not (tmp_path / "nothing").exists()
