"""Legacy ClinicalTrials.gov `clinical_study` XML read into a format-neutral Record (1-based XPath field paths)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from lxml import etree

from ingest.readers.trials_model import (Analysis, Arms, EventCount, Group, Measurement, OutcomeResult, Record, Results,
                                 SeriousEvent, flat, registry_design, unique)
from kb.errors import ParseError, SkippedInput
from kb.models import Enrollment, Outcome, TrialInfo

_ENUM_FIXES = {"UNKNOWN_STATUS": "UNKNOWN", "N_A": "NA", "OPEN_LABEL": "NONE", "ANTICIPATED": "ESTIMATED",
               "ESTIMATE": "ESTIMATED"}


def xml_studies(path: Path, data: bytes) -> list[etree._Element]:
    """Return the clinical_study elements of a legacy XML file."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"{path}: invalid XML ({exc}); download the record again") from exc
    studies = [root] if root.tag == "clinical_study" else root.findall(".//clinical_study")
    if not studies:
        raise SkippedInput(f"{path}: XML without a clinical_study element; not a ClinicalTrials.gov record")
    for study in studies:
        if not flat(study.findtext("id_info/nct_id")):
            raise ParseError(f"{path}: a clinical_study has no id_info/nct_id; download the record again")
    return studies


def _enum(text: str | None) -> str | None:
    """Return a legacy label in API v2 enum form: "Active, not recruiting" → "ACTIVE_NOT_RECRUITING"."""
    key = re.sub(r"[^A-Z0-9]+", "_", re.split(r"[(\[]", text or "")[0].upper()).strip("_")
    key = re.sub(r"PHASE_(\d)", r"PHASE\1", key)
    return _ENUM_FIXES.get(key, key) or None


def _iso_date(text: str | None) -> str | None:
    """Return a legacy date ("September 26, 2012", "May 2015") as ISO; other text is kept as written."""
    for fmt, out in (("%B %d, %Y", "%Y-%m-%d"), ("%B %Y", "%Y-%m")):
        try:
            return datetime.strptime(text or "", fmt).strftime(out)
        except ValueError:
            continue
    return text or None


def from_xml(study: etree._Element) -> Record:
    """Read one legacy clinical_study element."""
    def text(path: str) -> str:
        return flat(study.findtext(path))

    enrollment = study.find("enrollment")
    count = enrollment.text if enrollment is not None else None
    kind = _enum(enrollment.get("type")) if enrollment is not None else None
    trial = TrialInfo(
        nct_id=text("id_info/nct_id"), conditions=unique(e.text for e in study.findall("condition")),
        condition_mesh=unique(e.text for e in study.findall("condition_browse/mesh_term")),
        interventions=unique(e.text for e in study.findall("intervention/intervention_name")),
        intervention_mesh=unique(e.text for e in study.findall("intervention_browse/mesh_term")),
        arms=unique(e.text for e in study.findall("arm_group/arm_group_label")),
        phase=tuple(p for p in (_enum(x) for x in text("phase").split("/")) if p),
        study_type=_enum(text("study_type")), allocation=_enum(text("study_design_info/allocation")),
        masking=_enum(text("study_design_info/masking")), overall_status=_enum(text("overall_status")),
        start_date=_iso_date(text("start_date")), completion_date=_iso_date(text("completion_date")),
        enrollment=Enrollment(count=int(count) if count and count.strip().isdigit() else None,
                              type=kind if kind in ("ACTUAL", "ESTIMATED") else "UNKNOWN"),
        primary_outcomes=_xml_outcomes(study, "primary_outcome"),
        secondary_outcomes=_xml_outcomes(study, "secondary_outcome"),
        sponsor=text("sponsors/lead_sponsor/agency") or None,
        reference_pmids=unique(e.text for e in study.findall("reference/PMID")
                                + study.findall("results_reference/PMID")),
        has_results=study.find("clinical_results") is not None)
    by_label: dict[str, tuple[str, ...]] = {}
    for i in study.findall("intervention"):
        for label in i.findall("arm_group_label"):
            key = flat(label.text).casefold()
            by_label[key] = (*by_label.get(key, ()), flat(i.findtext("intervention_name")))
    arms = Arms(by_label, {flat(i.findtext("intervention_name")): unique(e.text for e in i.findall("other_name"))
                           for i in study.findall("intervention")})
    results = study.find("clinical_results")
    return Record(trial, text("official_title") or text("brief_title") or trial.nct_id, text("brief_title"),
                  text("brief_summary/textblock"),
                  registry_design(trial.study_type, trial.allocation, _enum(text("study_design_info/observational_model")),
                          _enum(text("study_design_info/time_perspective"))),
                  arms, results_from_xml(results) if results is not None else None,
                  _canonical_xml(study))


def _canonical_xml(study: etree._Element) -> bytes:
    """Return the record's canonical (C14N) bytes; plain serialisation when C14N rejects it (entity refs)."""
    try:
        return etree.tostring(study, method="c14n")
    except etree.C14NError:
        return etree.tostring(study, encoding="utf-8")


def _xml_outcomes(study: etree._Element, tag: str) -> tuple[Outcome, ...]:
    return tuple(Outcome(measure=flat(o.findtext("measure")), time_frame=flat(o.findtext("time_frame")) or None,
                         description=flat(o.findtext("description")) or None)
                 for o in study.findall(tag) if flat(o.findtext("measure")))


def results_from_xml(results: etree._Element) -> Results:
    """Read a legacy <clinical_results> element; field paths are 1-based XPath steps."""
    outcomes = tuple(_xml_outcome(o, i) for i, o in enumerate(results.findall("outcome_list/outcome"), 1))
    events = results.find("reported_events")
    if events is None:
        return Results(outcomes)
    serious: list[SeriousEvent] = []
    for c, cat in enumerate(events.findall("serious_events/category_list/category"), 1):
        if flat(cat.findtext("title")).casefold() == "total":
            continue  # NOTE: the "Total" row sums every event; it is not an event term.
        for e, ev in enumerate(cat.findall("event_list/event"), 1):
            base = f"clinical_results/reported_events/serious_events/category_list/category[{c}]/event_list/event[{e}]"
            serious.append(SeriousEvent(flat(ev.findtext("sub_title")), tuple(
                EventCount(f"{base}/counts[{m}]", n.get("group_id", ""), int(n.get("subjects_affected") or 0),
                           int(n.get("subjects_at_risk") or 0))
                for m, n in enumerate(ev.findall("counts"), 1))))
    return Results(outcomes, _xml_groups(events), tuple(serious))


def _xml_groups(el: etree._Element) -> tuple[Group, ...]:
    return tuple(Group(g.get("group_id", ""), flat(g.findtext("title")), flat(g.findtext("description")))
                 for g in el.findall("group_list/group"))


def _xml_counts(el: etree._Element | None) -> dict[str, str]:
    counts = [] if el is None else el.findall("analyzed_list/analyzed")[:1]
    return {c.get("group_id", ""): c.get("value", "") for a in counts for c in a.findall("count_list/count")}


def _xml_outcome(o: etree._Element, i: int) -> OutcomeResult:
    m = o.find("measure")
    denoms = _xml_counts(m)
    rows = [] if m is None else [
        Measurement(x.get("group_id", ""),
                    " / ".join(t for t in (flat(c.findtext("title")), flat(cat.findtext("title"))) if t),
                    x.get("value", ""), x.get("spread", ""), x.get("lower_limit", ""), x.get("upper_limit", ""),
                    (_xml_counts(c) or denoms).get(x.get("group_id", ""), ""))
        for c in m.findall("class_list/class") for cat in c.findall("category_list/category")
        for x in cat.findall("measurement_list/measurement")]
    base = f"clinical_results/outcome_list/outcome[{i}]/analysis_list"
    analyses = tuple(
        Analysis(f"{base}/analysis[{j}]", tuple(flat(g.text) for g in a.findall("group_id_list/group_id")),
                 *(flat(a.findtext(tag)) for tag in ("param_type", "param_value", "ci_percent", "ci_lower_limit",
                                                      "ci_upper_limit", "p_value", "method", "estimate_desc",
                                                      "non_inferiority_type")))
        for j, a in enumerate(o.findall("analysis_list/analysis"), 1))
    units, dispersion = ("", "") if m is None else (flat(m.findtext("units")), flat(m.findtext("dispersion")))
    return OutcomeResult(flat(o.findtext("title")), flat(o.findtext("time_frame")), flat(o.findtext("type")), units,
                         dispersion, _xml_groups(o), tuple(denoms.items()), tuple(rows), analyses)
