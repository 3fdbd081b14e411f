"""Labelled documents for the sentence-role model: structured abstracts, PubMedQA and Evidence Inference RCT texts.

Each document is read by MedKB's own readers; its labels are spans of the document text with the role their heading
names (NLM's NlmCategory, a PubMedQA LABEL, an Evidence Inference "ABSTRACT.RESULTS:" line) and the annotators'
evidence spans. Only the Evidence Inference TRAIN split is read; PubMedQA records with odd PMIDs are held out.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.nlp.cues import AIM, MIN_WORDS, WORD
from ingest.nlp.roles import veto
from ingest.nlp.sentences import Sentence
from ingest.readers.pubmed import citation_document, iter_records, root_tag, text_of
from ingest.readers.layout import Block, assemble, heading_kind
from ingest.readers.text import label_lines, parse_text
from ingest.train.data import ei_root, ei_split_ids
from kb.models import Document

_NLM = {"BACKGROUND": "background", "OBJECTIVE": "objective", "METHODS": "methods", "RESULTS": "results",
        "CONCLUSIONS": "conclusions"}
_KIND_ROLE = {"background": "background", "methods": "methods", "results": "results", "conclusions": "conclusions"}
# NOTE: NLM files registration numbers, funding and "comparison with existing methods" under a category too.
_NOT_A_PART = re.compile(r"disclos|funding|registration|contact|supplementar|availability|comparison|limitation|"
                         r"case\s+stud", re.IGNORECASE)
_OBJECTIVE_WORDS = ("objective", "aim", "purpose", "goal", "hypothes", "importance")
_METHOD_WORDS = ("intervention", "measure", "outcome", "procedure", "population", "sample", "tool")
_TOP = re.compile(r"(?:\d+\.?\s*)?((?:materials?|patients|subjects|participants)\s+and\s+methods|methods?|methodology|"
                  r"results\s+and\s+discussion|results?|discussion|introduction|background|conclusions?)\s*$",
                  re.IGNORECASE)
_BACK_MATTER = re.compile(r"support|supplement|appendi|acknowledg|funding|conflict|competing|disclos|abbreviation|"
                          r"contribution|reference|availability|ethic", re.IGNORECASE)
HELD_OUT_SHARE = 5  # NOTE: one article in five (by hash of its PMID/PMCID) is held out; PubMedQA: odd PMIDs.


@dataclass(frozen=True)
class Span:
    """A stretch of a document labelled with the role its heading names (None when it names none)."""

    start: int
    end: int
    role: str | None


@dataclass(frozen=True)
class Labelled:
    """A document, the source it came from, the key the split is drawn by, its role spans and evidence spans."""

    source: str
    key: str
    doc: Document
    spans: tuple[Span, ...]
    evidence: tuple[tuple[int, int], ...] = ()


def held_out(source: str, key: str) -> bool:
    """Return whether a document belongs to the held-out part (never fitted, never used to pick a threshold)."""
    if source == "pubmedqa":
        return int(key) % 2 == 1
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % HELD_OUT_SHARE == 0


def heading_role(title: str) -> str | None:
    """Return the role a heading names ("Main outcome measures" → methods), None when it names none or two."""
    found = set()
    for word in re.findall(r"[a-z]+", title.casefold()):
        if word.startswith(_OBJECTIVE_WORDS):
            found.add("objective")
        elif word.startswith(_METHOD_WORDS):
            found.add("methods")
        elif (role := _KIND_ROLE.get(heading_kind(word) or "")) is not None:
            found.add(role)
    return found.pop() if len(found) == 1 else None


def _nlm_role(category: str | None, label: str) -> str | None:
    """Return the role of an AbstractText from its NlmCategory, None for registration, funding and the like."""
    return None if _NOT_A_PART.search(label) else _NLM.get(category or "")


def medline_documents(data: Path) -> Iterator[Labelled]:
    """Yield the structured abstracts of the PubMed/MEDLINE XML files, labelled by NlmCategory."""
    folder = data / "pubmed_xml"
    for path in sorted([*folder.rglob("*.xml"), *folder.rglob("*.xml.gz")]):
        root = root_tag(path)
        tags = {"PubmedArticleSet": ("PubmedArticle",), "MedlineCitationSet": ("MedlineCitation",)}.get(root)
        for elem in iter_records(path, tags) if tags else ():
            citation = elem if elem.tag == "MedlineCitation" else elem.find("MedlineCitation")
            if citation is None:
                continue
            parts = [p for p in citation.iterfind("Article/Abstract/AbstractText") if text_of(p)]
            if not any(p.get("NlmCategory") for p in parts):
                continue
            doc = citation_document(citation, elem.find("PubmedData"), str(path))
            blocks = [s for s in doc.sections if s.kind != "title"]
            if len(blocks) == len(parts) and doc.pmid:
                spans = tuple(Span(s.start, s.end, _nlm_role(p.get("NlmCategory"), p.get("Label") or ""))
                              for s, p in zip(blocks, parts, strict=True))
                yield Labelled("medline", doc.pmid, doc, spans)


def pubmedqa_document(pmid: str, record: dict[str, object]) -> Labelled:
    """Return a PubMedQA record as the pubmed reader would lay it out, its LONG_ANSWER as the conclusions."""
    labels, contexts = list(record["LABELS"]), list(record["CONTEXTS"])  # type: ignore[call-overload]
    blocks = [Block("Title", "title", (str(record["QUESTION"]),))]
    blocks += [Block(str(lab).title(), heading_kind(str(lab)) or "abstract", (str(ctx),))
               for lab, ctx in zip(labels, contexts, strict=True)]
    blocks.append(Block("Conclusions", "conclusions", (str(record["LONG_ANSWER"]),)))
    text, sections = assemble(blocks)
    doc = Document(id=f"pubmedqa:{pmid}", kind="pubmed", source="pubmedqa/pqal_pool.json", content_hash=pmid,
                   title=str(record["QUESTION"]), text=text, pmid=pmid, sections=sections)
    roles = [heading_role(str(lab)) for lab in labels] + ["conclusions"]
    parts = [s for s in sections if s.kind != "title"]
    return Labelled("pubmedqa", pmid, doc, tuple(Span(s.start, s.end, r)
                                                 for s, r in zip(parts, roles, strict=True)))


def pubmedqa_documents(data: Path) -> Iterator[Labelled]:
    """Yield every PubMedQA pool record (odd PMIDs are held out, see held_out)."""
    pool = json.loads((data / "pubmedqa" / "pqal_pool.json").read_text(encoding="utf-8"))
    for pmid, record in sorted(pool.items()):
        yield pubmedqa_document(pmid, record)


def _body_role(title: str, running: str | None) -> str | None:
    """Return the running body role after a BODY label: top-level IMRaD headings set it, subsections inherit it.

    The reader lets a subsection's own words decide ("Study conduct, patients, and treatment" → methods, and the
    results after it follow); as a label only a top-level heading counts.
    """
    if m := _TOP.match(title.strip()):
        word = m.group(1).casefold()
        return None if "discussion" in word else _KIND_ROLE.get(heading_kind(word) or "")
    if _BACK_MATTER.search(title):
        return None
    if running in (None, "background") and heading_kind(title) == "methods":
        return "methods"  # NOTE: "Study design" straight after the introduction
    return running


def _paragraph(doc: Document, start: int, end: int) -> tuple[int, int, int]:
    """Return where a label's text starts, where its first paragraph ends, and where the label's text ends."""
    lead = len(doc.text[start:end]) - len(doc.text[start:end].lstrip())
    cut = doc.text.find("\n\n", start + lead, end)
    return start + lead, cut if cut > 0 else end, end


def ei_spans(doc: Document) -> tuple[Span, ...]:
    """Return an Evidence Inference text's role spans from its label lines: abstract parts, intro, body sections."""
    labels = label_lines(doc.text)
    spans: list[Span] = []
    running: str | None = None
    for m, nxt in zip(labels, [*labels[1:], None], strict=True):
        part, _, name = m.group(1).rpartition(".")
        start, cut, end = _paragraph(doc, m.end(), nxt.start() if nxt else len(doc.text))
        if part == "ABSTRACT":
            spans.append(Span(start, cut, heading_role(name)))
            if cut < end and (nxt is None or not nxt.group(1).startswith("ABSTRACT")):
                # NOTE: an unheaded introduction runs on from the abstract's last part until the first BODY line.
                spans.append(Span(cut, end, "background"))
        elif part == "BODY":
            running = _body_role(name, running)
            role = "objective" if heading_role(name) == "objective" else running
            spans.append(Span(start, end, role))
    return tuple(spans)


def ei_evidence(root: Path) -> dict[str, list[tuple[str, int, int]]]:
    """Return the verified evidence spans (text, start, end) of each train-split article."""
    allowed = ei_split_ids(root, "train")
    found: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    with open(root / "annotations" / "v2_annotations.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["PMCID"] in allowed and row["Valid Reasoning"] == "True" and row["Annotations"].strip():
                found[row["PMCID"]].append((row["Annotations"], int(row["Evidence Start"]), int(row["Evidence End"])))
    return found


def _locate(doc: Document, evidence: Sequence[tuple[str, int, int]]) -> tuple[tuple[int, int], ...]:
    """Return where each evidence text sits in the document: its own offsets when they match, else found by text."""
    out = []
    for text, start, end in evidence:
        if doc.text[start:end].strip() == text.strip() or doc.text[start : end + 1].strip() == text.strip():
            out.append((start, end))
        elif (at := doc.text.find(text.strip())) >= 0:
            out.append((at, at + len(text.strip())))
    return tuple(out)


def ei_documents(data: Path, full_texts: int) -> Iterator[Labelled]:
    """Yield ev2 TRAIN articles: `full_texts` of them (chosen by hash) whole, the others as their abstracts."""
    root = ei_root(data)
    evidence = ei_evidence(root)
    ids = sorted(ei_split_ids(root, "train"), key=lambda k: hashlib.sha1(k.encode()).hexdigest())
    for n, pmcid in enumerate(ids):
        whole = n < full_texts
        path = root / ("txt_files" if whole else "abstracts") / f"PMC{pmcid}.{'txt' if whole else 'abst'}"
        if not path.is_file():
            continue
        doc = next(parse_text(path))  # NOTE: .abst files are plain text with the same label lines
        source = "ei_full" if whole else "ei_abstract"
        yield Labelled(source, pmcid, doc, ei_spans(doc), _locate(doc, evidence.get(pmcid, [])))


def _in_evidence(s: Sentence, evidence: Sequence[tuple[int, int]]) -> bool:
    """Return whether an evidence span covers at least half of the sentence or half of itself lies in it."""
    for lo, hi in evidence:
        overlap = min(s.end, hi) - max(s.start, lo)
        if overlap > 0 and overlap >= 0.5 * min(s.end - s.start, hi - lo):
            return True
    return False


def sentence_labels(item: Labelled, sentences: Sequence[Sentence],
                    texts: Sequence[str]) -> list[tuple[str | None, bool | None]]:
    """Return each sentence's (role, finding) labels from its span and text; None where the data say nothing."""
    out: list[tuple[str | None, bool | None]] = []
    for s, text in zip(sentences, texts, strict=True):
        if len(WORD.findall(text)) < MIN_WORDS:
            out.append((None, None))  # NOTE: table cells and stray labels are no sentences; the veto handles them
            continue
        span = next((p for p in item.spans if p.start <= s.start < p.end), None)
        role = span.role if span else None
        if role == "background" and AIM.search(text):
            role = "objective"  # NOTE: the aim sentence closing an introduction or a "Background" part
        finding: bool | None = None
        if _in_evidence(s, item.evidence):
            finding = True
        elif veto(text, s.section) or role in ("background", "objective", "methods"):
            finding = False
        elif role in ("results", "conclusions"):
            finding = True
        out.append((role, finding))
    return out
