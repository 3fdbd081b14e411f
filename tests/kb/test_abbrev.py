"""Abbreviations a document defines (Schwartz–Hearst via the `abbreviations` package) and their expansion."""

from __future__ import annotations

import gzip
import json
import logging

import pytest

from kb.abbrev import abbreviations, expand, long_form
from tests.conftest import DATA, needs_data

EBM_TEXTS = DATA / "ebm_nlp" / "documents_trainpool.jsonl.gz"


def test_definitions_in_brackets_are_found_as_written() -> None:
    text = ("Patients received continuous passive motion (CPM) or methylprednisolone (MP). "
            "CPM shortened the stay; MP did not.")
    assert abbreviations(text) == {"CPM": "continuous passive motion", "MP": "methylprednisolone"}


def test_an_unbalanced_bracket_costs_only_its_own_sentence() -> None:
    text = "Outcomes were 1) pain and 2) mobility. Mean fasting plasma glucose (FPG) fell."
    assert abbreviations(text) == {"FPG": "fasting plasma glucose"}


def test_first_definition_wins_and_echoes_are_dropped() -> None:
    text = "We measured blood pressure (BP). Later, bypass patients (BP) were seen. Then aspirin (aspirin) was given."
    assert abbreviations(text) == {"BP": "blood pressure"}


def test_expand_replaces_whole_words_only_and_keeps_definitions() -> None:
    defined = {"FPG": "fasting plasma glucose", "MDI": "metered-dose inhaler"}
    assert expand("change in FPG at 12 weeks", defined) == "change in fasting plasma glucose at 12 weeks"
    assert expand("fasting plasma glucose (FPG)", defined) == "fasting plasma glucose (FPG)"
    assert expand("FPGX and pre-FPG", defined) == "FPGX and pre-FPG"
    assert long_form("MDIs", defined) == "metered-dose inhaler" and long_form("HbA1c", defined) is None


def test_the_package_leaves_the_root_logger_as_it_was() -> None:
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    abbreviations("Fasting plasma glucose (FPG) was measured.")
    assert (list(root.handlers), root.level) == before


@needs_data
def test_fpg_in_a_real_ebm_nlp_abstract_expands() -> None:
    if not EBM_TEXTS.exists():
        pytest.skip(f"{EBM_TEXTS} not present")
    with gzip.open(EBM_TEXTS, "rt", encoding="utf-8") as f:
        text = next(r["text"] for r in map(json.loads, f) if "fasting plasma glucose (FPG) concentrations" in r["text"])
    defined = abbreviations(text)
    assert defined["FPG"] == "fasting plasma glucose"
    assert "fasting plasma glucose" in expand("FPG concentrations", defined)
