"""ClinicalTrials.gov records (API v2 JSON, legacy clinical_study XML) as trial Documents and registry claims.

Use `parse_trial_records(path)` for (Document, claims) pairs and `parse_trials(path)` for the Documents alone.
This module reads API v2 JSON (and `ingest.readers.trials_xml` the legacy XML) into a format-neutral
`ingest.readers.trials_model.Record`; `ingest.readers.trials_results` turns a Record into its Document text and claims. Legacy
field paths are 1-based XPath steps, API v2 paths 0-based JSON indices.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ingest.readers.trials_model import (Analysis, Arms, EventCount, Group, Measurement, OutcomeResult, Record, Results,
                                 SeriousEvent, TextBuilder, flat, registry_design, unique)
from ingest.readers.trials_results import trial_document
from ingest.readers.trials_xml import from_xml, xml_studies
from kb.claims import Claim
from kb.errors import ParseError, SkippedInput
from kb.models import Document, Enrollment, Outcome, TrialInfo


def parse_trial_records(path: Path) -> Iterator[tuple[Document, list[Claim]]]:
    """Yield each trial in a registry file with the claims its posted results state."""
    for record in _records(path):
        builder = TextBuilder()
        _render_protocol(builder, record)
        yield trial_document(path, record, builder)


def _well_formed(path: Path, study: dict[str, Any]) -> Record:
    """Return a v2 study's record; a field of the wrong shape is a ParseError naming the study and the field."""
    nct = str(study["protocolSection"]["identificationModule"]["nctId"])
    try:
        return _from_v2(study)
    except ValidationError as exc:
        first = exc.errors()[0]
        why = f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        why = f"a field has the wrong shape ({exc})"
    raise ParseError(f"{path}: {nct} is not a well-formed ClinicalTrials.gov API v2 record ({why}); download it "
                     f"again from https://clinicaltrials.gov/api/v2/studies/{nct}")


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
        yield from (_well_formed(path, study) for study in _json_studies(path, data))
    elif head == b"<":
        yield from (from_xml(study) for study in xml_studies(path, data))
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
        protocol = study["protocolSection"]
        ident = protocol.get("identificationModule") if isinstance(protocol, dict) else None
        if not isinstance(ident, dict) or not isinstance(ident.get("nctId"), str) or not ident["nctId"]:
            raise ParseError(f"{path}: a study has no identificationModule.nctId; download the record again")
    return studies


def _from_v2(study: dict[str, Any]) -> Record:
    p = study["protocolSection"]
    ident, status, design = (p.get(k, {}) for k in ("identificationModule", "statusModule", "designModule"))
    arms_module, outcomes = p.get("armsInterventionsModule", {}), p.get("outcomesModule", {})
    info, enrollment = design.get("designInfo", {}), design.get("enrollmentInfo", {})
    interventions = arms_module.get("interventions", [])
    kind = enrollment.get("type")
    trial = TrialInfo(
        nct_id=ident["nctId"], conditions=unique(p.get("conditionsModule", {}).get("conditions", [])),
        condition_mesh=unique(m.get("term") for m in _browse(study, "conditionBrowseModule")),
        interventions=unique(i.get("name") for i in interventions),
        intervention_mesh=unique(m.get("term") for m in _browse(study, "interventionBrowseModule")),
        arms=unique(a.get("label") for a in arms_module.get("armGroups", [])),
        phase=unique(design.get("phases", [])), study_type=design.get("studyType"),
        allocation=info.get("allocation"), masking=info.get("maskingInfo", {}).get("masking"),
        overall_status=status.get("overallStatus"), start_date=status.get("startDateStruct", {}).get("date"),
        completion_date=status.get("completionDateStruct", {}).get("date"),
        enrollment=Enrollment(count=enrollment.get("count"),
                              type=kind if kind in ("ACTUAL", "ESTIMATED") else "UNKNOWN"),
        primary_outcomes=_v2_outcomes(outcomes.get("primaryOutcomes", [])),
        secondary_outcomes=_v2_outcomes(outcomes.get("secondaryOutcomes", [])),
        sponsor=flat(p.get("sponsorCollaboratorsModule", {}).get("leadSponsor", {}).get("name")) or None,
        reference_pmids=unique(r.get("pmid") for r in p.get("referencesModule", {}).get("references", [])),
        has_results=bool(study.get("hasResults") or study.get("resultsSection")))
    # NOTE: arms list interventions as "Drug: Placebo"; the type prefix is not part of the name.
    arms = Arms({flat(a.get("label")).casefold(): tuple(re.sub(r"^[^:]*:\s*", "", n)
                                                        for n in a.get("interventionNames", []))
                 for a in arms_module.get("armGroups", [])},
                {flat(i.get("name")): unique(i.get("otherNames", [])) for i in interventions})
    canonical = json.dumps(study, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return Record(trial, flat(ident.get("officialTitle") or ident.get("briefTitle")) or trial.nct_id,
                  flat(ident.get("briefTitle")), flat(p.get("descriptionModule", {}).get("briefSummary")),
                  registry_design(trial.study_type, trial.allocation, info.get("observationalModel"),
                          info.get("timePerspective")),
                  arms, results_from_v2(study["resultsSection"]) if study.get("resultsSection") else None, canonical)


def _browse(study: dict[str, Any], module: str) -> list[dict[str, Any]]:
    return study.get("derivedSection", {}).get(module, {}).get("meshes", [])


def _v2_outcomes(items: list[dict[str, Any]]) -> tuple[Outcome, ...]:
    return tuple(Outcome(measure=flat(o.get("measure")), time_frame=flat(o.get("timeFrame")) or None,
                         description=flat(o.get("description")) or None) for o in items if o.get("measure"))


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
