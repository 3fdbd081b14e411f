"""A question's words mapped to a study's: the committed lay list, MeSH entry terms, abbreviations, combinations."""

from __future__ import annotations

from kb.answers import QueryEntity
from kb.lexicon import Lexicon, LexiconTerm
from kb.query import parse_query
from kb.synonyms import expand_entity, expand_query, lay_mentions, lay_terms
from kb.terms import normalize

MESH = Lexicon.from_terms([
    LexiconTerm("Curcuma", "Curcuma", "other", "D030024"), LexiconTerm("Turmeric", "Curcuma", "other", "D030024"),
    LexiconTerm("Curcumin", "Curcumin", "intervention", "D003474"),
    LexiconTerm("Diferuloylmethane", "Curcumin", "intervention", "D003474"),
    LexiconTerm("Albuterol", "Albuterol", "intervention", "D000420"),
    LexiconTerm("Salbutamol", "Albuterol", "intervention", "D000420"),
    LexiconTerm("Inhaler", "Nebulizers and Vaporizers", "other", "D009330"),
    LexiconTerm("Delirium", "Delirium", "condition", "D003693"),
    LexiconTerm("Budesonide", "Budesonide", "intervention", "D019819"),
    LexiconTerm("Formoterol", "Formoterol Fumarate", "intervention", "D000068759"),
], seed=False)


def entity(question: str, text: str) -> QueryEntity:
    """Return the entity of a question whose words are `text`, understood with the small MeSH above."""
    query = expand_query(parse_query(question, MESH), MESH)
    return next(e for e in query.entities if e.text == text)


def test_the_lay_list_is_well_formed_and_a_few_hundred_pairs() -> None:
    terms = lay_terms()
    assert len(terms) >= 300
    assert all(t.relation in ("same", "related") for t in terms)
    assert all(t.type in ("intervention", "condition", "outcome", "population") for t in terms)
    assert len({(normalize(t.lay), normalize(t.clinical)) for t in terms}) == len(terms), "no duplicate pairs"


def test_turmeric_reaches_curcumin_as_a_related_term() -> None:
    turmeric = entity("Does turmeric reduce joint pain?", "turmeric")
    assert turmeric.name == "Curcuma"
    assert "curcumin" in turmeric.related and "Diferuloylmethane" in turmeric.related


def test_a_reliever_inhaler_is_a_short_acting_beta_agonist_not_a_nebulizer() -> None:
    reliever = entity("Does a reliever inhaler prevent asthma attacks?", "reliever inhaler")
    assert reliever.role == "intervention" and reliever.name == "reliever inhaler"
    assert {"short-acting beta-agonist", "salbutamol", "albuterol", "SABA"} <= set(reliever.synonyms)
    assert "Nebulizers and Vaporizers" not in reliever.forms()


def test_getting_confused_is_delirium() -> None:
    confused = entity("Can melatonin stop older people getting confused after surgery?", "getting confused")
    assert confused.role == "outcome" and "delirium" in confused.synonyms


def test_a_combination_product_stays_whole() -> None:
    query = parse_query("Does budesonide-formoterol reduce severe exacerbations?", MESH)
    assert [(e.role, e.text) for e in query.by_role("intervention")] == [("intervention", "budesonide-formoterol")]


def test_an_abbreviation_the_question_defines_is_both_names() -> None:
    e = QueryEntity(text="Cohesive Polydensified Matrix 26 mg/ml HA (CPM-26)", role="intervention",
                    name="Cohesive Polydensified Matrix 26 mg/ml HA (CPM-26)")
    got = expand_entity(e, {"CPM-26": "Cohesive Polydensified Matrix 26 mg/ml HA"}, None)
    assert got.name == "Cohesive Polydensified Matrix 26 mg/ml HA" and "CPM-26" in got.synonyms


def test_a_clinical_term_also_gets_its_abbreviation_and_lay_names() -> None:
    e = expand_entity(QueryEntity(text="continuous passive motion", role="intervention",
                                  name="continuous passive motion"), {}, None)
    assert "CPM" in e.synonyms
    assert "FPG" in expand_entity(QueryEntity(text="fasting plasma glucose", role="outcome",
                                              name="fasting plasma glucose"), {}, None).synonyms


def test_lay_mentions_keep_the_question_words_and_respect_case_of_abbreviations() -> None:
    found = lay_mentions("Do blood thinners or an ICU stay help after a heart attack? icu")
    assert [(m.surface, m.type) for m in found] == [("blood thinners", "intervention"), ("ICU", "population"),
                                                    ("heart attack", "condition")]
