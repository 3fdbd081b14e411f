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


def _named(text: str, *names: str) -> list[Mention]:
    return [_drug(text, n) for n in names]


# NOTE: PMC1693922 (an Evidence Inference validation article): its title and a methods sentence.
TCF_TITLE = ("Quality of life in patients with advanced gastric cancer: a randomized trial comparing docetaxel, "
             "cisplatin, 5-FU (TCF) with epirubicin, cisplatin, 5-FU (ECF)")
TCF_METHODS = ("Patients with primary or recurrent gastric adenocarcinoma (stage III or IV) were randomly assigned to "
               "receive three to six cycles of either ECF or TCF every 3 weeks.")


def test_a_head_to_head_study_has_two_arms() -> None:
    texts = [TCF_TITLE, TCF_METHODS, "TCF was given.", "Chemotherapy with ECF was given."]
    mentions = [_named(TCF_TITLE, "TCF", "ECF"), _named(TCF_METHODS, "ECF", "TCF"), _named(texts[2], "TCF"),
                _named(texts[3], "Chemotherapy", "ECF")]
    given = frozenset({"tcf", "ecf", "chemotherapy"})
    arms = study_arms(mentions, texts=texts, given=given)
    # NOTE: "chemotherapy" names a kind of treatment, not an arm, though the document names it as often.
    assert arms.pair is not None and {m.surface for m in arms.pair} == {"TCF", "ECF"}
    # NOTE: no sentence sets them against each other; or a control arm; or names that are one drug: no pair.
    assert study_arms(mentions[2:], texts=texts[2:], given=given).pair is None
    with_placebo = [*mentions, _named("placebo", "placebo")]
    assert study_arms(with_placebo, texts=[*texts, "placebo"], given=given).pair is None
    dose = "esomeprazole 20 mg versus esomeprazole"
    one_drug = [_named(dose, "esomeprazole 20 mg"), [_drug(dose[25:], "esomeprazole")]] * 2
    assert study_arms(one_drug, texts=[dose] * 4, given=frozenset({"esomeprazole 20 mg", "esomeprazole"})).pair is None


# NOTE: PMC5827302 (an Evidence Inference train article) names "exercise" 67 times and "aerobic exercise" 57 times;
# PMC3659004 writes "CoQ10", "coenzyme Q10" and "coenzyme". Each is one intervention, which then clearly leads.
def test_the_names_of_one_intervention_count_together() -> None:
    said = [[_drug("exercise", "exercise")]] * 4 + [[_drug("aerobic exercise", "aerobic exercise")]] * 3
    other = [[_drug("EEG", "EEG")]] * 3
    arms = study_arms([*said, *other])
    assert arms.active is not None and arms.active.surface == "exercise"
    short = [[_drug("CoQ10", "CoQ10")]] * 3 + [[_drug("coenzyme Q10", "coenzyme Q10")]] * 2
    rival = [[_drug("laser doppler", "laser doppler")]] * 3
    assert study_arms([*short, *rival]).active is None
    arms = study_arms([*short, *rival], defined={"CoQ10": "coenzyme Q10"})
    assert arms.active is not None and arms.active.surface == "CoQ10"


def test_a_kind_of_treatment_is_never_the_study_intervention() -> None:
    sentences = [[_drug("chemotherapy", "chemotherapy")]] * 5 + [[_drug("TCF", "TCF")]] * 2
    arms = study_arms(sentences)
    assert arms.active is not None and arms.active.surface == "TCF"


# NOTE: PMC5976807 (an Evidence Inference train article), a lisinopril trial that names "MRI" twice and no drug it
# gives beside a giving word: its main intervention is unknown, not the scanner.
def test_the_study_intervention_is_something_the_study_gives() -> None:
    combo = "lisinopril/telmisartan"
    sentences = [[_drug("MRI", "MRI")], [_drug("MRI", "MRI")], [_drug(combo, combo)]]
    assert study_arms(sentences, given=frozenset()).active is None
    arms = study_arms([*sentences, *sentences[2:] * 3], given=frozenset({"lisinopril/telmisartan"}))
    assert arms.active is not None and arms.active.surface == "lisinopril/telmisartan"


def test_a_control_a_full_text_names_once_is_not_its_control() -> None:
    # NOTE: PMC3532036 (sorafenib vs capecitabine) names "placebo" once, in another trial's result.
    once = [[_drug("sorafenib", "sorafenib")], [_drug("placebo", "placebo")]] + [[] for _ in range(30)]
    assert study_arms(once).control is None
    # NOTE: an abstract may name its control once ("randomised to nimotuzumab or placebo").
    assert study_arms(once[:2]).control == "placebo"


# NOTE: PMC4710681 (an Evidence Inference train article): a dalotuzumab trial whose premedication, dexamethasone, is
# the drug its body names most.
def test_a_drug_the_title_leaves_out_is_not_the_study_intervention_when_the_title_names_one() -> None:
    title = "Dalotuzumab Combined with Pemetrexed and Cisplatin"
    named = [_drug(title, "Dalotuzumab"), _drug(title, "Pemetrexed")]
    sentences = [[_drug("dexamethasone", "dexamethasone")]] * 3
    assert study_arms(sentences, named).active is None
    assert study_arms(sentences).active is not None
    mab = [[_drug("MK-0646", "MK-0646")]] * 3
    arms = study_arms(mab, named, defined={"MK-0646": "Dalotuzumab"})
    assert arms.active is not None and arms.active.surface == "MK-0646"


def test_a_design_or_a_stage_is_never_the_study_intervention() -> None:
    assert study_arms([[_drug("RCT", "RCT")]] * 4).active is None
    assert study_arms([[_drug("Stage IV", "IV")]] * 4).active is None
