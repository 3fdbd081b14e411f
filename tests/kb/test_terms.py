"""The one term matcher: folding, containment in one direction, phrases in text, abbreviations a text defines."""

from __future__ import annotations

import pytest

from kb.abbrev import abbreviations, expand
from kb.terms import content_words, covers, is_abbreviation, normalize, occurs, same


def test_folding_joins_spellings_plurals_and_hyphens() -> None:
    assert normalize("Beta-Blockers") == "beta blocker"
    assert normalize("Annualised haemoglobin tumours") == normalize("annualized hemoglobin tumor")
    assert normalize("budesonide–formoterol") == normalize("budesonide/formoterol") == "budesonide formoterol"
    assert same("risk of stroke", "stroke risk") is False and same("Strokes", "the stroke")


@pytest.mark.parametrize(("form", "name", "covered"), [
    ("blood pressure", "systolic blood pressure at 12 months", True),
    ("systolic blood pressure", "blood pressure", False),
    ("budesonide-formoterol", "Budesonide", False),
    ("budesonide-formoterol", "as-needed budesonide–formoterol", True),
    ("zelmorant 200 mg once daily", "zelmorant", True),
    ("risk of stroke", "stroke risk", True),
    ("stroke", "myocardial infarction", False),
    ("", "stroke", False),
    ("MP", "optical density of MP", True),
    ("MP", "mp", False),
])
def test_a_term_covers_a_name_as_specific_or_more(form: str, name: str, covered: bool) -> None:
    assert covers(form, name) is covered


def test_a_term_occurs_as_a_run_of_its_words() -> None:
    assert occurs("risk of stroke", "the risk of a stroke was lower")
    assert not occurs("blood pressure", "pressure on blood banks")
    assert occurs("CPM-26", "with CPM-26 than with VYC-20") and not occurs("CPM", "a CPMX b")


def test_doses_and_joining_words_are_not_content() -> None:
    assert content_words("Cohesive Polydensified Matrix 26 mg/ml HA") == ("cohesive", "polydensified", "matrix", "ha")
    assert is_abbreviation("CPM-26") and is_abbreviation("FEV1") and not is_abbreviation("Aspirin")


def test_abbreviations_a_text_defines_are_read_and_spelt_out() -> None:
    # NOTE: Evidence Inference prompts (PromptIDs 3273 and 5032) write their terms this way.
    defined = abbreviations("Cohesive Polydensified Matrix 26 mg/ml HA (CPM-26) versus Vycross 20 mg/ml HA (VYC-20); "
                            "optical density of macular pigment (MP) and formamidopyrimidine DNA glycosylase (FPG) "
                            "sites (P<0.001; n = 24)")
    assert defined == {"CPM-26": "Cohesive Polydensified Matrix 26 mg/ml HA", "VYC-20": "Vycross 20 mg/ml HA",
                       "MP": "macular pigment", "FPG": "formamidopyrimidine DNA glycosylase"}
    assert expand("FPG sites", defined) == "formamidopyrimidine DNA glycosylase sites"
    assert expand("stroke", defined) == "stroke"
