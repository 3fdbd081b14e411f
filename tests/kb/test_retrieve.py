"""Retrieval texts: the question widened by a few other names, and one search per asked pair."""

from __future__ import annotations

from kb.answers import Query, QueryEntity
from kb.retrieve import _SENTENCE, pair_text, search_text

RELIEVER = QueryEntity(text="reliever inhaler", role="intervention", name="reliever inhaler",
                       synonyms=("short-acting beta-agonist", "salbutamol", "albuterol", "SABA", "Ventolin"),
                       related=("terbutaline",))
ATTACKS = QueryEntity(text="asthma attacks", role="outcome", name="asthma attacks", synonyms=("exacerbation",))


def test_the_search_text_adds_a_few_other_names_not_all() -> None:
    text = search_text(Query(question="Does a reliever inhaler prevent asthma attacks?", entities=(RELIEVER, ATTACKS)))
    assert text.startswith("Does a reliever inhaler prevent asthma attacks?")
    assert "salbutamol" in text and "terbutaline" in text and "Ventolin" not in text


def test_each_asked_pair_is_searched_by_both_terms() -> None:
    assert pair_text(RELIEVER, ATTACKS) == ("reliever inhaler short-acting beta-agonist salbutamol albuterol "
                                            "terbutaline asthma attacks exacerbation")
    assert pair_text(None, ATTACKS) == "asthma attacks exacerbation"


def test_passages_are_cut_at_sentence_ends_not_inside_numbers() -> None:
    text = "Undersedation was more common with diazepam (P <0.01); sedation 64.2%. It was safe. (Table 3) follows"
    assert [m.group() for m in _SENTENCE.finditer(text)] == [
        "Undersedation was more common with diazepam (P <0.01); sedation 64.2%.", "It was safe.", "(Table 3) follows"]
