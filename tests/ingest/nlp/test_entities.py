"""Entity names: fragments and function words are rejected, ambiguous words need support, products stay whole."""

from __future__ import annotations

import pytest

from ingest.nlp.entities import is_ambiguous, is_entity_name, supported, whole_product
from ingest.nlp.pico import PicoSpan
from kb.lexicon import Lexicon, LexiconTerm
from tests.conftest import DATA, needs_data

# NOTE: subjects the rule extractor produced on real papers (issue 10).
FRAGMENTS = ["There", "Achieving", "Following", "Upper", "North", "for", "Results", "It", "they", "These",
             "it seems possible that incident delirium rates", "95% CI", "P < 0.05", "12.5", "of the", "the",
             "compared with", "There was no significant difference in", "rapidly", "significantly", "poor", "mild",
             "changes in the HIIT group were much higher", "mg/m2", "µg/kg/min", "RCT", "envelope", "care", "venous"]
NAMES = ["budesonide-formoterol", "Budesonide", "fasting plasma glucose", "HbA1c", "5-fluorouracil", "CPM",
         "children with asthma", "severe exacerbations", "smoking cessation", "vitamin D", "Lead", "family", "anomaly",
         "nurse care", "5 mg/kg ketamine"]


@pytest.mark.parametrize("text", FRAGMENTS)
def test_fragments_are_not_entity_names(text: str) -> None:
    assert not is_entity_name(text)


@pytest.mark.parametrize("text", NAMES)
def test_names_are_entity_names(text: str) -> None:
    assert is_entity_name(text)


def test_lead_the_verb_is_not_the_metal() -> None:
    text = "Lowering blood lead levels did not lead to better scores; lead exposure was measured."
    verb = text.index("did not lead") + len("did not ")
    metal = text.index("lead exposure")
    blood = text.index("blood lead") + len("blood ")
    assert is_ambiguous("Lead") and not is_ambiguous("budesonide")
    assert not supported(text, verb, verb + 4)
    assert supported(text, metal, metal + 4) and supported(text, blood, blood + 4)


def test_an_ambiguous_word_counts_inside_a_pico_span_only() -> None:
    text = "Children given iron supplements grew faster; iron was cheap."
    first, second = text.index("iron"), text.rindex("iron")
    spans = [PicoSpan(first, first + len("iron supplements"), "I", 0.9)]
    assert supported(text, first, first + 4, spans)
    assert not supported(text, second, second + 4, spans)
    assert supported(text, 0, 8)  # NOTE: an unambiguous word needs nothing


@needs_data
def test_lead_in_a_real_sentence_is_not_an_entity() -> None:
    path = DATA / "evidence_inference" / "txt_files" / "PMC4550271.txt"
    if not path.exists():
        pytest.skip(f"{path} not present")
    text = path.read_text(encoding="utf-8")
    sentence = "The interventions did not lead to a significant increase in the proportion of patients treated"
    at = text.index(sentence)
    lexicon = Lexicon.from_terms([LexiconTerm("lead", "Lead", "intervention", "D007854")], seed=False)
    hits = [m for m in lexicon.find(text[at : at + len(sentence)]) if m.name == "Lead"]
    assert hits and not any(supported(text, at + m.start, at + m.end) for m in hits)


@pytest.mark.parametrize(("text", "mention", "whole"), [
    ("as-needed budesonide-formoterol was superior", "budesonide", "budesonide-formoterol"),
    ("as-needed budesonide-formoterol was superior", "formoterol", "budesonide-formoterol"),
    ("budesonide/formoterol twice daily", "budesonide", "budesonide/formoterol"),
    ("placebo plus budesonide-formoterol used as needed", "formoterol", "budesonide-formoterol"),
    ("docetaxel plus cisplatin and fluorouracil", "docetaxel", "docetaxel plus cisplatin"),
    ("in the aspirin-treated group", "aspirin", "aspirin"),
    ("a placebo-controlled trial", "placebo", "placebo"),
    ("budesonide (200 μg) plus terbutaline", "terbutaline", "terbutaline"),
])
def test_combination_products_stay_whole(text: str, mention: str, whole: str) -> None:
    start = text.index(mention)
    s, e = whole_product(text, start, start + len(mention))
    assert text[s:e] == whole


def test_the_verb_check_reads_only_the_mentions_own_neighbours() -> None:
    text = "Blood lead may lead to anaemia."
    metal, verb = text.index("lead"), text.rindex("lead")
    assert supported(text, metal, metal + 4) and not supported(text, verb, verb + 4)
