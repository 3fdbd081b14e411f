"""ClinicalTrials.gov records (API v2 JSON, legacy clinical_study XML) as trial Documents and registry claims.

Use `parse_trial_records(path)` for (Document, claims) pairs and `parse_trials(path)` for the Documents alone.
This module reads the two formats into a format-neutral `Record`; `ingest.trials_results` turns a Record into
its Document text and claims. Legacy field paths are 1-based XPath steps, API v2 paths 0-based JSON indices.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree

from ingest.trials_results import (Analysis, Arms, EventCount, Group, Measurement, OutcomeResult, Record,
                                   Results, SeriousEvent, TextBuilder, flat, trial_document)
from kb.claims import Claim
from kb.errors import ParseError, SkippedInput
from kb.models import Document, Enrollment, Outcome, StudyDesign, TrialInfo

_ENUM_FIXES = {"UNKNOWN_STATUS": "UNKNOWN", "N_A": "NA", "OPEN_LABEL": "NONE", "ANTICIPATED": "ESTIMATED",
               "ESTIMATE": "ESTIMATED"}


def parse_trial_records(path: Path) -> Iterator[tuple[Document, list[Claim]]]:
    """Yield each trial in a registry file with the claims its posted results state."""
    for record in _records(path):
        builder = TextBuilder()
        _render_protocol(builder, record)
        yield trial_document(path, record, builder)


def parse_trials(path: Path) -> Iterator[Document]:
    """Yield each trial in a registry file as a Document."""
    for doc, _claims in parse_trial_records(path):
        yield doc


def _records(path: Path) -> Iterator[Record]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{path}: cannot read the file ({exc.strerror}); check the path and permissions") from exc
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        yield from (_from_v2(study) for study in _json_studies(path, data))
    elif head == b"<":
        yield from (_from_xml(study) for study in _xml_studies(path, data))
    else:
        raise ParseError(f"{path}: neither JSON nor XML; expected a ClinicalTrials.gov API v2 study or legacy XML")


def _json_studies(path: Path, data: bytes) -> list[dict[str, Any]]:
    try:
        obj = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"{path}: invalid JSON ({exc}); download the record again") from exc
    if isinstance(obj, dict) and "FullStudiesResponse" in obj:
        raise SkippedInput(f"{path}: a retired classic-API response; fetch https://clinicaltrials.gov/api/v2/"
                           "studies/<NCT id> instead")
    studies = obj.get("studies", [obj]) if isinstance(obj, dict) else obj
    if not isinstance(studies, list) or not all(isinstance(s, dict) and "protocolSection" in s for s in studies):
        raise SkippedInput(f"{path}: JSON without a protocolSection or studies list; not a ClinicalTrials.gov study")
    for study in studies:
        if not study["protocolSection"].get("identificationModule", {}).get("nctId"):
            raise ParseError(f"{path}: a study has no identificationModule.nctId; download the record again")
    return studies


def _xml_studies(path: Path, data: bytes) -> list[etree._Element]:
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


def _design(study_type: str | None, allocation: str | None, model: str | None,
            perspective: str | None) -> StudyDesign:
    if study_type == "INTERVENTIONAL":
        return "rct" if allocation == "RANDOMIZED" else "non_randomized_trial"
    if study_type == "OBSERVATIONAL":
        if model == "CASE_CONTROL":
            return "case_control"
        return "cross_sectional" if perspective == "CROSS_SECTIONAL" else "cohort"
    return "other"


def _unique(values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in (flat(x) for x in values) if v))


def _from_v2(study: dict[str, Any]) -> Record:
    p = study["protocolSection"]
    ident, status, design = (p.get(k, {}) for k in ("identificationModule", "statusModule", "designModule"))
    arms_module, outcomes = p.get("armsInterventionsModule", {}), p.get("outcomesModule", {})
    info, enrollment = design.get("designInfo", {}), design.get("enrollmentInfo", {})
    interventions = arms_module.get("interventions", [])
    kind = enrollment.get("type")
    trial = TrialInfo(
        nct_id=ident["nctId"], conditions=_unique(p.get("conditionsModule", {}).get("conditions", [])),
        condition_mesh=_unique(m.get("term") for m in _browse(study, "conditionBrowseModule")),
        interventions=_unique(i.get("name") for i in interventions),
        intervention_mesh=_unique(m.get("term") for m in _browse(study, "interventionBrowseModule")),
        arms=_unique(a.get("label") for a in arms_module.get("armGroups", [])),
        phase=_unique(design.get("phases", [])), study_type=design.get("studyType"),
        allocation=info.get("allocation"), masking=info.get("maskingInfo", {}).get("masking"),
        overall_status=status.get("overallStatus"), start_date=status.get("startDateStruct", {}).get("date"),
        completion_date=status.get("completionDateStruct", {}).get("date"),
        enrollment=Enrollment(count=enrollment.get("count"),
                              type=kind if kind in ("ACTUAL", "ESTIMATED") else "UNKNOWN"),
        primary_outcomes=_v2_outcomes(outcomes.get("primaryOutcomes", [])),
        secondary_outcomes=_v2_outcomes(outcomes.get("secondaryOutcomes", [])),
        sponsor=flat(p.get("sponsorCollaboratorsModule", {}).get("leadSponsor", {}).get("name")) or None,
        reference_pmids=_unique(r.get("pmid") for r in p.get("referencesModule", {}).get("references", [])),
        has_results=bool(study.get("hasResults") or study.get("resultsSection")))
    # NOTE: arms list interventions as "Drug: Placebo"; the type prefix is not part of the name.
    arms = Arms({flat(a.get("label")).casefold(): tuple(re.sub(r"^[^:]*:\s*", "", n)
                                                        for n in a.get("interventionNames", []))
                 for a in arms_module.get("armGroups", [])},
                {flat(i.get("name")): _unique(i.get("otherNames", [])) for i in interventions})
    canonical = json.dumps(study, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return Record(trial, flat(ident.get("officialTitle") or ident.get("briefTitle")) or trial.nct_id,
                  flat(ident.get("briefTitle")), flat(p.get("descriptionModule", {}).get("briefSummary")),
                  _design(trial.study_type, trial.allocation, info.get("observationalModel"),
                          info.get("timePerspective")),
                  arms, results_from_v2(study["resultsSection"]) if study.get("resultsSection") else None, canonical)


def _browse(study: dict[str, Any], module: str) -> list[dict[str, Any]]:
    return study.get("derivedSection", {}).get(module, {}).get("meshes", [])


def _v2_outcomes(items: list[dict[str, Any]]) -> tuple[Outcome, ...]:
    return tuple(Outcome(measure=flat(o.get("measure")), time_frame=flat(o.get("timeFrame")) or None,
                         description=flat(o.get("description")) or None) for o in items if o.get("measure"))


def _from_xml(study: etree._Element) -> Record:
    def text(path: str) -> str:
        return flat(study.findtext(path))

    enrollment = study.find("enrollment")
    count = enrollment.text if enrollment is not None else None
    kind = _enum(enrollment.get("type")) if enrollment is not None else None
    trial = TrialInfo(
        nct_id=text("id_info/nct_id"), conditions=_unique(e.text for e in study.findall("condition")),
        condition_mesh=_unique(e.text for e in study.findall("condition_browse/mesh_term")),
        interventions=_unique(e.text for e in study.findall("intervention/intervention_name")),
        intervention_mesh=_unique(e.text for e in study.findall("intervention_browse/mesh_term")),
        arms=_unique(e.text for e in study.findall("arm_group/arm_group_label")),
        phase=tuple(p for p in (_enum(x) for x in text("phase").split("/")) if p),
        study_type=_enum(text("study_type")), allocation=_enum(text("study_design_info/allocation")),
        masking=_enum(text("study_design_info/masking")), overall_status=_enum(text("overall_status")),
        start_date=_iso_date(text("start_date")), completion_date=_iso_date(text("completion_date")),
        enrollment=Enrollment(count=int(count) if count and count.strip().isdigit() else None,
                              type=kind if kind in ("ACTUAL", "ESTIMATED") else "UNKNOWN"),
        primary_outcomes=_xml_outcomes(study, "primary_outcome"),
        secondary_outcomes=_xml_outcomes(study, "secondary_outcome"),
        sponsor=text("sponsors/lead_sponsor/agency") or None,
        reference_pmids=_unique(e.text for e in study.findall("reference/PMID")
                                + study.findall("results_reference/PMID")),
        has_results=study.find("clinical_results") is not None)
    by_label: dict[str, tuple[str, ...]] = {}
    for i in study.findall("intervention"):
        for label in i.findall("arm_group_label"):
            key = flat(label.text).casefold()
            by_label[key] = (*by_label.get(key, ()), flat(i.findtext("intervention_name")))
    arms = Arms(by_label, {flat(i.findtext("intervention_name")): _unique(e.text for e in i.findall("other_name"))
                           for i in study.findall("intervention")})
    results = study.find("clinical_results")
    return Record(trial, text("official_title") or text("brief_title") or trial.nct_id, text("brief_title"),
                  text("brief_summary/textblock"),
                  _design(trial.study_type, trial.allocation, _enum(text("study_design_info/observational_model")),
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


def _render_protocol(b: TextBuilder, record: Record) -> None:
    """Write the title, registration facts, summary and registered outcomes."""
    info = record.info
    start = b.line(record.title)[0]
    b.close("Title", "title", start)
    start = b.size
    enrollment = f"{info.enrollment.count} ({info.enrollment.type})" if info.enrollment.count is not None else ""
    brief = record.brief_title if record.brief_title != record.title else ""
    facts = [("ClinicalTrials.gov", info.nct_id), ("Brief title", brief),
             ("Status", info.overall_status), ("Study type", info.study_type), ("Phase", ", ".join(info.phase)),
             ("Allocation", info.allocation), ("Masking", info.masking), ("Start", info.start_date),
             ("Completion", info.completion_date), ("Enrollment", enrollment), ("Sponsor", info.sponsor),
             ("Conditions", "; ".join(info.conditions)), ("Condition MeSH", "; ".join(info.condition_mesh)),
             ("Interventions", "; ".join(info.interventions)),
             ("Intervention MeSH", "; ".join(info.intervention_mesh)), ("Arms", "; ".join(info.arms)),
             ("Reference PMIDs", ", ".join(info.reference_pmids)),
             ("Results posted", "yes" if info.has_results else "no")]
    for label, value in facts:
        if value:
            b.line(f"{label}: {value}")
    b.close("Registration", "registry", start)
    if record.summary:
        start = b.line(f"Summary: {record.summary}")[0]
        b.close("Summary", "registry", start)
    start = b.size
    for label, outcomes in (("Primary", info.primary_outcomes), ("Secondary", info.secondary_outcomes)):
        for o in outcomes:
            b.line(f"{label} outcome: {o.measure}" + (f" ({o.time_frame})" if o.time_frame else ""))
            if o.description:
                b.line(f"Description: {o.description}")
    b.close("Registered outcomes", "registry", start)


# --- posted results ------------------------------------------------------------------------------------


def results_from_v2(section: dict[str, Any]) -> Results:
    """Read an API v2 resultsSection."""
    measures = section.get("outcomeMeasuresModule", {}).get("outcomeMeasures", [])
    events = section.get("adverseEventsModule", {})
    base = "resultsSection.adverseEventsModule.seriousEvents"
    serious = tuple(
        SeriousEvent(flat(e.get("term")), tuple(
            EventCount(f"{base}[{k}].stats[{m}]", s.get("groupId", ""), int(s.get("numAffected") or 0),
                       int(s.get("numAtRisk") or 0))
            for m, s in enumerate(e.get("stats", []))))
        for k, e in enumerate(events.get("seriousEvents", [])))
    return Results(tuple(_v2_outcome(o, i) for i, o in enumerate(measures)),
                   _v2_groups(events.get("eventGroups", [])), serious)


def _v2_groups(groups: Iterable[dict[str, Any]]) -> tuple[Group, ...]:
    return tuple(Group(g.get("id", ""), flat(g.get("title")), flat(g.get("description"))) for g in groups)


def _v2_counts(denoms: list[dict[str, Any]]) -> dict[str, str]:
    return {c.get("groupId", ""): flat(c.get("value")) for c in (denoms[0].get("counts", []) if denoms else [])}


def _v2_outcome(o: dict[str, Any], i: int) -> OutcomeResult:
    denoms = _v2_counts(o.get("denoms", []))
    rows = [Measurement(m.get("groupId", ""), " / ".join(flat(t) for t in (c.get("title"), cat.get("title")) if t),
                        flat(m.get("value")), flat(m.get("spread")), flat(m.get("lowerLimit")),
                        flat(m.get("upperLimit")),
                        (_v2_counts(c.get("denoms", [])) or denoms).get(m.get("groupId"), ""))
            for c in o.get("classes", []) for cat in c.get("categories", []) for m in cat.get("measurements", [])]
    base = f"resultsSection.outcomeMeasuresModule.outcomeMeasures[{i}]"
    analyses = tuple(
        Analysis(f"{base}.analyses[{j}]", tuple(a.get("groupIds", [])), flat(a.get("paramType")),
                 flat(a.get("paramValue")), flat(a.get("ciPctValue")), flat(a.get("ciLowerLimit")),
                 flat(a.get("ciUpperLimit")), flat(a.get("pValue")), flat(a.get("statisticalMethod")),
                 flat(a.get("estimateComment")), flat(a.get("nonInferiorityType")))
        for j, a in enumerate(o.get("analyses", [])))
    return OutcomeResult(flat(o.get("title")), flat(o.get("timeFrame")), flat(o.get("type")),
                         flat(o.get("unitOfMeasure")), flat(o.get("dispersionType")), _v2_groups(o.get("groups", [])),
                         tuple(denoms.items()), tuple(rows), analyses)


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
