"""ingest.nlp.roles: the shipped sentence-role model on real sentences, and its numpy inference."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from ingest.chunk import chunk_document
from ingest.nlp.roles import FEATURES, ROLES, WEIGHTS, Head, Role, RoleModel, document_roles, read_model, read_roles
from ingest.nlp.sentences import Sentence, chunk_states, encoded_text
from ingest.readers.text import parse_text
from kb.embed import OnnxMiniLM
from kb.errors import ConfigError
from tests.conftest import DATA, needs_data

EI = DATA / "evidence_inference" / "txt_files"


def test_shipped_weights_load() -> None:
    model = read_model(WEIGHTS)
    assert model.vector.role_coef.shape == (len(ROLES), 384 + len(FEATURES))
    assert model.cues.role_coef.shape == (len(ROLES), len(FEATURES))
    assert 0.3 <= model.vector.threshold < 1 and 0.3 <= model.cues.threshold < 1


def test_weights_for_other_features_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "w.npz"
    np.savez(bad, features=np.array(["p_value"]), roles=np.array(ROLES))
    with pytest.raises(ConfigError, match="other features"):
        read_model(bad)


def _head(width: int, finding: float) -> Head:
    """Return a head whose role is always methods and whose finding score follows the first feature."""
    coef = np.zeros((len(ROLES), width))
    coef[ROLES.index("methods"), 0] = 5.0
    weights = np.zeros(width)
    weights[0] = finding
    return Head(np.zeros(width), np.ones(width), coef, np.zeros(len(ROLES)), weights, 0.0, 0.5)


def test_sentences_without_a_vector_go_to_the_cue_head() -> None:
    model = RoleModel(vector=_head(384 + len(FEATURES), -9.0), cues=_head(len(FEATURES), 9.0))
    said = "Pain fell with aspirin (P = 0.01)."
    texts = [said, said, "Figure 1. Pain with aspirin (P = 0.01)."]
    sentences = [Sentence(0, 1, "results", 0.1), Sentence(2, 3, "results", 0.5), Sentence(4, 5, "results", 0.9)]
    vector = np.ones(384)
    roles = read_roles(texts, sentences, [vector, None, None], model)
    assert [r.head for r in roles] == ["vector", "cues", "cues"]
    assert [r.finding for r in roles] == [False, True, False] and roles[2].vetoed == "caption"
    assert all(r.role == "methods" for r in roles)
    (back,) = read_roles(["Pain fell with aspirin (P = 0.01)."], [Sentence(0, 1, "other", 0.99)], [None], model)
    assert back.vetoed == "back matter" and not back.finding


@pytest.fixture(scope="module")
def fetal_screening() -> list[tuple[str, Role]]:
    """Return each sentence of PMC5791469 (ev2 train; held out of the role model's fit) with its role."""
    if not EI.is_dir():
        pytest.skip(f"shared data sets not present at {DATA}")
    doc = next(parse_text(EI / "PMC5791469.txt"))
    chunks = chunk_document(doc, 1000, 150)
    encoded = OnnxMiniLM(batch=16).encode([encoded_text(doc, c) for c in chunks])
    states = [chunk_states(doc, c, s) for c, s in zip(chunks, encoded.states, strict=True)]
    return [(doc.text[s.start : s.end], role) for s, role in document_roles(doc, chunks, states)]


def _role(found: list[tuple[str, Role]], opening: str) -> Role:
    """Return the role of the one sentence that opens with `opening`."""
    hits = [role for text, role in found if text.startswith(opening)]
    assert len(hits) == 1, f"{len(hits)} sentences open with {opening!r}"
    return hits[0]


@needs_data
@pytest.mark.parametrize(("opening", "role", "finding"), [
    ("The existing anomalies at birth are deemed as one of the reasons", "background", False),
    ("This study was conducted in order to compare the effect of group", "objective", False),
    ("Three groups were homogeneous in this study in terms of mother", None, False),
    ("Table 1Frequency distribution of research units", None, False),
    ("There was a statistically significant difference among three groups in terms of the variable", "results", True),
    # NOTE: the discussion restates this result beside other studies'; the results section states it once.
    ("The frequency of conducting screening tests differed significantly in three studied groups", None, False),
    ("In a study of Hewison et al., video education had no effect", None, False),
])
def test_real_sentences_of_an_rct(fetal_screening: list[tuple[str, Role]], opening: str, role: str | None,
                                  finding: bool) -> None:
    got = _role(fetal_screening, opening)
    assert got.finding is finding, got
    assert role is None or got.role == role, got


@needs_data
def test_the_first_sentence_keeps_its_reference_and_the_next_loses_it(fetal_screening: list[tuple[str, Role]]) -> None:
    assert _role(fetal_screening, "The existing anomalies at birth").other_work
    assert _role(fetal_screening, "In a study of Hewison et al.").other_work


@needs_data
def test_a_call_for_a_larger_study_is_not_a_finding() -> None:
    # NOTE: PMC3669105 is an ev2 validation article: read here only to pin the quote, never trained on.
    text = (EI / "PMC3669105.txt").read_text(encoding="utf-8")
    m = re.search(r"This study did not find significant new issues[^.]*larger study would be needed[^.]*\.", text)
    assert m is not None
    sentence = Sentence(m.start(), m.end(), "conclusions", m.start() / len(text))
    (got,) = read_roles([m.group()], [sentence], [None])
    assert not got.finding and got.vetoed == "future work"


@pytest.mark.parametrize(("text", "section", "why"), [
    ("Increased persistence on bisphosphonate treatment in patients with postmenopausal osteoporosis is expected to "
     "improve patient outcomes and decrease the social and economic burden of this debilitating condition.",
     "conclusions", "advice"),
    ("We recommend that a pilot trial such as that described here is a necessary prelude to any RCT of a complex "
     "intervention of diet and physical activity designed to improve pregnancy outcome in obese women.",
     "conclusions", "advice"),
    ("We investigated the potential to reduce the rate of excessive weight gain during pregnancy by lifestyle "
     "counseling given to pregnant women.", "results", "advice"),
    ("Morphine-induced postconditioning reduced the peak inotropic score as well as the use of furosemide.",
     "discussion", "discussion"),
])
def test_advice_expectations_and_discussions_are_not_findings(text: str, section: str, why: str) -> None:
    """Sentences of the judged sample (PMC1619408, PMC3718630, PMC3666925) that were stored as claims."""
    (got,) = read_roles([text], [Sentence(0, len(text), section, 0.9)], [None])
    assert not got.finding and got.vetoed == why
