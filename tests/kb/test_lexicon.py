"""Tests for kb.lexicon: MeSH loading, typed matching on word boundaries, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.errors import ConfigError
from kb.lexicon import Lexicon, LexiconTerm, terms_from_document
from kb.lexicon_file import load_lexicon, save_lexicon
from kb.mesh import load_mesh, type_of_tree_numbers
from kb.models import Document

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
MESH = DATA / "mesh_2024"
needs_mesh = pytest.mark.skipif(not MESH.exists(), reason="../shared/datasets/mesh_2024 not present")


@pytest.fixture(scope="module")
def mesh() -> Lexicon:
    return Lexicon.from_terms(load_mesh(MESH))


def small() -> Lexicon:
    return Lexicon.from_terms([
        LexiconTerm("heart attack", "Myocardial Infarction", "condition", "D009203"),
        LexiconTerm("heart", "Heart", "other", "D006321"),
        LexiconTerm("AIDS", "Acquired Immunodeficiency Syndrome", "condition", "D000163"),
        LexiconTerm("statin", "Statins", "intervention"),
    ], seed=False)


@needs_mesh
def test_mesh_types_budesonide_and_asthma(mesh: Lexicon) -> None:
    found = {m.surface: m for m in mesh.find("Inhaled budesonide as needed in mild asthma.")}
    assert (found["budesonide"].type, found["budesonide"].normalized_id) == ("intervention", "D019819")
    assert (found["asthma"].type, found["asthma"].name, found["asthma"].normalized_id) == ("condition", "Asthma",
                                                                                            "D001249")


@needs_mesh
def test_mesh_synonyms_and_skips(mesh: Lexicon) -> None:
    assert mesh.lookup("Heart Attack").normalized_id == "D009203"  # type: ignore[union-attr]
    assert mesh.lookup("patients") is None and mesh.lookup("time") is None
    assert mesh.lookup("Infarction, Myocardial") is None  # permuted form never occurs in prose
    assert mesh.lookup("hospitalization").type == "outcome"  # type: ignore[union-attr]
    assert len(mesh) > 150_000


@needs_mesh
def test_save_and_load_round_trip(mesh: Lexicon, tmp_path: Path) -> None:
    path = tmp_path / "lexicon.tsv.gz"
    save_lexicon(mesh, path)
    loaded = load_lexicon(path, tmp_path)
    assert len(loaded) == len(mesh)
    text = "Metformin lowered HbA1c and the risk of myocardial infarction."
    assert loaded.find(text) == mesh.find(text)


def test_longest_match_wins_and_spans_are_exact() -> None:
    text = "No heart attack occurred."
    (m,) = small().find(text)
    assert (m.surface, m.name, text[m.start : m.end]) == ("heart attack", "Myocardial Infarction", "heart attack")


def test_no_match_inside_words() -> None:
    assert small().find("statins and heartache") == []
    assert [m.surface for m in small().find("a statin-based regimen")] == ["statin"]


def test_short_acronyms_need_their_case() -> None:
    assert [m.surface for m in small().find("AIDS patients")] == ["AIDS"]
    assert small().find("hearing aids") == []


def test_offsets_survive_case_folding_that_changes_length() -> None:
    text = "Straße heart attack"
    (m,) = small().find(text)
    assert text[m.start : m.end] == "heart attack"


def test_seed_outcomes() -> None:
    lex = Lexicon.from_terms([])
    assert {m.surface: m.type for m in lex.find("quality of life and HbA1c")} == {"quality of life": "outcome",
                                                                                   "HbA1c": "outcome"}


@pytest.mark.parametrize(("trees", "expected"), [
    (["C08.127.108"], "condition"), (["D02.455"], "intervention"), (["E04.100"], "intervention"),
    (["F03.600"], "condition"), (["G09.330"], "outcome"), (["M01.643"], "population"), (["N01.224"], "other"),
])
def test_tree_types(trees: list[str], expected: str) -> None:
    assert type_of_tree_numbers(trees) == expected


def test_terms_from_document() -> None:
    doc = Document(id="d", kind="pubmed", source="s", content_hash="h", text="x",
                   mesh_terms=("Asthma", "Lung Neoplasms", "Humans"), chemicals=("Budesonide",),
                   keywords=("symptom burden",))
    terms = {t.term: t.type for t in terms_from_document(doc)}
    # NOTE: "Humans" is on the stop list: it names no entity of a claim.
    assert terms == {"Asthma": "other", "Lung Neoplasms": "condition", "Budesonide": "intervention",
                     "symptom burden": "other"}
    known = Lexicon.from_terms([LexiconTerm("asthma", "Asthma", "condition", "D001249")])
    lex = known.add_document_terms(doc)
    assert lex.lookup("asthma").normalized_id == "D001249"  # type: ignore[union-attr]
    assert lex.lookup("budesonide").type == "intervention"  # type: ignore[union-attr]


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.tsv.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(ConfigError, match="broken.tsv.gz.*medkb lexicon rebuild"):
        load_lexicon(bad, tmp_path)
    with pytest.raises(ConfigError, match="mesh_2024"):
        list(load_mesh(tmp_path))


def test_synonyms_are_every_term_of_one_descriptor() -> None:
    lexicon = Lexicon.from_terms([LexiconTerm("Delirium", "Delirium", "condition", "D003693"),
                                  LexiconTerm("Confusional State", "Delirium", "condition", "D003693"),
                                  LexiconTerm("Confusion", "Confusion", "condition", "D003221")], seed=False)
    assert lexicon.synonyms("D003693") == ("Delirium", "Confusional State")
    assert lexicon.synonyms("D999999") == ()
    lexicon.add([LexiconTerm("Acute Confusional State", "Delirium", "condition", "D003693")])
    assert "Acute Confusional State" in lexicon.synonyms("D003693")


def test_overlay_adds_a_documents_terms_without_changing_the_base() -> None:
    base = Lexicon.from_terms([LexiconTerm("zelmorant", "zelmorant", "intervention")], seed=False)
    doc_view = base.overlay([LexiconTerm("quorvafil", "quorvafil", "intervention"),
                             LexiconTerm("Zelmorant", "other name", "other")])
    assert [m.name for m in doc_view.find("zelmorant or quorvafil")] == ["zelmorant", "quorvafil"]
    assert [m.name for m in base.find("zelmorant or quorvafil")] == ["zelmorant"]
    assert len(doc_view) == 2 and len(base) == 1
    assert base.add([LexiconTerm("brenotide", "brenotide", "intervention")]) == 1
    assert doc_view.lookup("brenotide") is None and base.lookup("brenotide") is not None


@needs_mesh
def test_a_truncated_mesh_file_is_a_message_not_aborted(tmp_path: Path) -> None:
    for name in ("mesh2024_descriptor_terms.tsv.gz", "mesh2024_descriptor_trees.tsv.gz"):
        (tmp_path / name).write_bytes((MESH / name).read_bytes())
    terms = tmp_path / "mesh2024_descriptor_terms.tsv.gz"
    terms.write_bytes(terms.read_bytes()[:300_000])  # NOTE: a download cut short
    with pytest.raises(ConfigError, match="mesh2024_descriptor_terms.tsv.gz: the MeSH file is truncated"):
        list(load_mesh(tmp_path))
