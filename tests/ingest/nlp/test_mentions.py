"""A sentence's mentions: tagged PICO spans and lexicon terms, cleaned of run-ons, typed and widened."""

from __future__ import annotations

from ingest.nlp.mentions import mask_brackets, sentence_mentions, short_forms
from ingest.nlp.pico import PicoSpan
from kb.lexicon import Lexicon, LexiconTerm

LEXICON = Lexicon.from_terms([LexiconTerm("budesonide", "Budesonide", "intervention", "D019819"),
                              LexiconTerm("formoterol", "Formoterol Fumarate", "intervention", "D000068759"),
                              LexiconTerm("asthma", "Asthma", "condition", "D001249"),
                              LexiconTerm("disease", "Disease", "condition", "D004194")])


def _span(text: str, part: str, label: str, offset: int = 0) -> PicoSpan:
    at = text.index(part)
    return PicoSpan(offset + at, offset + at + len(part), label, 0.9)  # type: ignore[arg-type]


def _surfaces(text: str, spans: list[PicoSpan], offset: int = 0) -> list[tuple[str, str]]:
    return [(m.surface, m.type) for m in sentence_mentions(text, offset, LEXICON, spans)]


def test_a_combination_product_stays_whole() -> None:
    text = "Budesonide-formoterol reduced severe exacerbations."
    assert ("Budesonide-formoterol", "intervention") in _surfaces(text, [])


def test_tagged_spans_lose_finding_words_verbs_and_arm_nouns() -> None:
    text = "Compared with the placebo group, the insulin group had lower HbA1c (P < 0.001)."
    spans = [_span(text, "insulin group", "O"), _span(text, "lower HbA1c", "O")]
    assert _surfaces(text, spans) == [("insulin", "intervention"), ("HbA1c", "outcome")]
    # NOTE: PMC3691625 (an Evidence Inference train article): the tagger ran over "included".
    listing = "In the nimotuzumab arm, the most common adverse reactions included nausea, tremors and fever."
    found = _surfaces(listing, [_span(listing, "adverse reactions included nausea, tremors", "O")])
    assert ("adverse reactions", "outcome") in found


def test_a_condition_with_its_head_noun_is_an_outcome_and_statistics_are_not() -> None:
    # NOTE: PMC3691625: "disease" alone would read as the outcome.
    text = "No significant differences were detected in relation to overall response or disease control rate."
    assert ("disease control rate", "outcome") in _surfaces(text, [])
    ratio = "The rate ratio was 0.36 for budesonide-formoterol versus terbutaline."
    assert ("rate", "outcome") not in _surfaces(ratio, [_span(ratio, "rate", "O")])


def test_the_measure_keeps_what_it_measures() -> None:
    text = "Zelmorant significantly reduced the risk of a first severe exacerbation compared with placebo."
    found = _surfaces(text, [_span(text, "risk", "O")])
    assert ("risk of a first severe exacerbation", "outcome") in found


def test_spans_inside_brackets_and_offsets() -> None:
    text = "Asthma control improved (budesonide arm)."
    assert mask_brackets(text) == "Asthma control improved (              )."
    found = sentence_mentions(text, 100, LEXICON, [_span(text, "budesonide", "I", offset=100)])
    assert [m.surface for m in found] == ["Asthma control"]


def test_defined_short_forms_name_their_long_form() -> None:
    text = "FPG fell more with budesonide."
    lexicon = Lexicon.from_terms([LexiconTerm("fasting plasma glucose", "Blood Glucose", "outcome", "D001786")])
    [found] = short_forms(text, [], {"FPG": "fasting plasma glucose"}, lexicon)
    assert (found.surface, found.name, found.type, found.normalized_id) == ("FPG", "fasting plasma glucose",
                                                                           "outcome", "D001786")
