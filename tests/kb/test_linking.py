"""Which documents are one study: a trial and its papers, a synthesis and the trials it names; who cites whom."""

from __future__ import annotations

from kb.linking import Links, citations_among, included, trial_names
from kb.models import Document, TrialInfo, content_hash, make_id
from kb.trials import trial_paper_links


def doc(name: str, text: str, **facts: object) -> Document:
    """Return a document whose text is given."""
    facts.setdefault("kind", "pubmed")
    return Document(id=make_id("doc", name), source=f"{name}.xml", content_hash=content_hash(text),
                    title=str(facts.pop("title", name)), text=text, **facts)  # type: ignore[arg-type]


TRIAL_PAPER = doc("z1", "ZEPHYR-1 results.", title="Zelmorant versus placebo (ZEPHYR-1): a randomised trial",
                  pmid="90000001", nct_ids=("NCT09900001",), study_design="rct")
RECORD = doc("record", "Registry record.", kind="trial", study_design="rct",
             trial=TrialInfo(nct_id="NCT09900001", reference_pmids=("90000001",)))
OTHER_TRIAL = doc("z2", "ZEPHYR-2 results.", title="Zelmorant and time to exacerbation (ZEPHYR-2)", pmid="90000002",
                  study_design="rct")
META = doc("meta", "We pooled ZEPHYR-1 and ZEPHYR-2 with two unpublished trials.", study_design="meta_analysis",
           title="Zelmorant: a meta-analysis (SYNTHETIC DEMO RECORD)", pmid="90000006")
REVIEW = doc("review", "A cohort (PMID 90000001) and a trial (PMID 90000002) were reviewed.", study_design="review")


def test_trial_acronyms_come_from_titles_but_not_from_any_capitals() -> None:
    assert trial_names(TRIAL_PAPER) == ["ZEPHYR-1"]
    assert trial_names(META) == []
    assert trial_names(doc("x", "t", title="Inhaled steroids in chronic obstructive disease (COPD)")) == []


def test_documents_cite_others_by_pmid_nct_id_or_acronym() -> None:
    cites = citations_among([TRIAL_PAPER, OTHER_TRIAL, META, REVIEW])
    assert cites == {META.id: {TRIAL_PAPER.id, OTHER_TRIAL.id}, REVIEW.id: {TRIAL_PAPER.id, OTHER_TRIAL.id}}


def test_a_meta_analysis_names_the_studies_it_counts_and_a_review_counts_none() -> None:
    docs = [TRIAL_PAPER, RECORD, OTHER_TRIAL, META, REVIEW]
    links = Links(docs={d.id: d for d in docs}, cites=citations_among(docs), links=trial_paper_links(docs))
    assert links.study_id(RECORD.id) == links.study_id(TRIAL_PAPER.id) != links.study_id(OTHER_TRIAL.id)
    assert included(links, META.id) == tuple(sorted({links.study_id(TRIAL_PAPER.id), OTHER_TRIAL.id}))
    assert included(links, REVIEW.id) == () and included(links, TRIAL_PAPER.id) == ()
