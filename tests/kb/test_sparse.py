"""BM25 sparse vectors: English stemming, stopwords, folding, and term-frequency saturation."""

from __future__ import annotations

from kb.sparse import encode_document, encode_query


def terms(text: str) -> set[int]:
    """Return the term ids of a query."""
    return set(encode_query(text).indices)


def test_stemming_case_and_accents_map_variants_to_one_term() -> None:
    assert terms("Infarctions RANDOMIZED") == terms("infarction randomized")
    assert terms("patients") == terms("patient")
    assert terms("café") == terms("cafe")


def test_stopwords_leave_no_terms() -> None:
    assert encode_query("the of and with in").indices == []
    assert terms("the aspirin of") == terms("aspirin")


def test_query_weights_are_one_per_distinct_term() -> None:
    vec = encode_query("aspirin aspirin bleeding")
    assert sorted(vec.values) == [1.0, 1.0]


def test_document_weights_saturate_with_repetition_and_shrink_with_length() -> None:
    once, thrice = encode_document("aspirin"), encode_document("aspirin aspirin aspirin")
    assert once.indices == thrice.indices
    assert once.values[0] < thrice.values[0] < 3 * once.values[0]
    long_doc = encode_document("aspirin " + " ".join(f"word{i}" for i in range(300)))
    aspirin = long_doc.indices.index(once.indices[0])
    assert long_doc.values[aspirin] < once.values[0]


def test_document_and_query_share_the_vocabulary() -> None:
    doc = encode_document("Low-dose aspirin reduced myocardial infarction in men.")
    assert terms("aspirin infarction") <= set(doc.indices)
    assert len(doc.indices) == len(doc.values)
