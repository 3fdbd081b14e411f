"""Which of the study's arms a clause names: its comparator and the groups it compares without naming them."""

from __future__ import annotations

from ingest.extract.arm_names import between_arms, comparator
from ingest.extract.clauses import parse
from ingest.nlp.arms import Arms
from kb.lexicon import Mention


def test_people_in_an_arm_stand_for_the_arm() -> None:
    # NOTE: PMC4589005, whose comparator was stored as "subjects".
    s = parse("Tenderness decreased more rapidly than in subjects in the placebo group at 12 hours.", ())
    assert comparator(s, 0, len(s.text), Arms()).text == "placebo"


def test_the_control_group_is_named_as_the_study_names_its_control() -> None:
    s = parse("Pain was lower than in the control group.", ())
    assert comparator(s, 0, len(s.text), Arms(control="usual care")).text == "usual care"
    assert comparator(s, 0, len(s.text), Arms()).text == "control group"


def test_the_groups_compared_unnamed_are_the_studys_arms() -> None:
    drug = Mention(0, 9, "metformin", "metformin", "intervention")
    s = parse("There was no difference between the two groups in weight.", ())
    subject, control = between_arms(s, 0, len(s.text), Arms(active=drug, control="placebo")) or (None, None)
    assert subject is not None and (subject.surface, control) == ("metformin", "placebo")
    assert between_arms(s, 0, len(s.text), Arms()) is None


def test_what_an_arm_did_not_differ_from_is_its_comparator() -> None:
    # NOTE: PMC5771543, where "desvenlafaxine (68.7%) did not differ from placebo" was stored with no comparator.
    s = parse("Week 8 CGI-I response rates were significantly greater for fluoxetine (78.2%; p = 0.017) than for placebo "
              "(62.6%); desvenlafaxine (68.7%) did not differ from placebo.", ())
    lo = s.text.index("desvenlafaxine")
    assert comparator(s, lo, len(s.text), Arms()).text == "placebo"
    s = parse("There was no statistically significant difference from placebo for either desvenlafaxine or fluoxetine.",
              ())
    assert comparator(s, 0, len(s.text), Arms()).text == "placebo"
