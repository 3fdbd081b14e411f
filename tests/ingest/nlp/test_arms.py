"""The study's arms: its main intervention, its control, and what labelled arms ("Group B") received."""

from __future__ import annotations

from ingest.nlp.arms import arm_labels, generic_arm, study_arms
from kb.lexicon import Mention


def _drug(text: str, name: str) -> Mention:
    at = text.index(name)
    return Mention(at, at + len(name), name, name, "intervention")


# NOTE: PMC4173566 (an Evidence Inference train article), its methods sentence.
GROUPS = ("Group A patients were premedicated with oral clonidine 300 mcg and Group B with oral metoprolol 50 mg, "
          "2 h before surgery.")


def test_labelled_arms_are_read_from_what_each_group_received() -> None:
    mentions = [_drug(GROUPS, "oral clonidine 300 mcg"), _drug(GROUPS, "oral metoprolol")]
    labels = dict(arm_labels([GROUPS], [mentions]))
    assert {k: m.surface for k, m in labels.items()} == {"A": "oral clonidine 300 mcg", "B": "oral metoprolol"}


def test_the_main_intervention_must_clearly_lead() -> None:
    one = "Nimotuzumab was given weekly."
    sentences = [[_drug(one, "Nimotuzumab")], [_drug("placebo", "placebo")], [_drug(one, "Nimotuzumab")]]
    arms = study_arms(sentences)
    assert arms.active is not None and arms.active.surface == "Nimotuzumab" and arms.control == "placebo"
    tied = [[_drug("A and B", "A")], [_drug("A and B", "B")]]
    assert study_arms(tied).active is None


def test_generic_arm_words() -> None:
    assert generic_arm("the intervention group") == "active" and generic_arm("treatment arm") == "active"
    assert generic_arm("the control group") == "control" and generic_arm("controls") == "control"
    # NOTE: "placebo" or "sham" already say what the control got; they are kept as written.
    assert generic_arm("placebo group") is None and generic_arm("sham") is None and generic_arm("aspirin") is None
