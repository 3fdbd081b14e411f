"""Reference exports of a report: BibTeX and RIS of the cited documents, CSV of the cited claims."""

from __future__ import annotations

import csv
import io
import re

from kb.report.model import EvidenceEntry, Reference, Report

# NOTE: braces and backslashes get brace-balanced LaTeX commands, so an unbalanced brace in a
# title cannot end a BibTeX field early (BibTeX counts braces even after a backslash).
_TEX = str.maketrans({
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
})
# NOTE: readers store authors as PubMed writes them, "Last FM"; a collective name ("ISIS-2 Collaborative Group")
# has no initials and stays whole.
_INITIALS = re.compile(r"^(?P<last>.+?)\s+(?P<initials>[A-Z]{1,4})$")
CSV_COLUMNS = ("claim_id", "doc_id", "title", "direction", "effect", "ci", "p", "design", "n", "page", "field",
               "quote", "source")


def _one_line(text: str) -> str:
    """Return text on one line with single spaces."""
    return " ".join(text.split())


def name_parts(author: str) -> tuple[str, tuple[str, ...]] | None:
    """Return a person's surname and initials from "Last FM"; None for a collective name."""
    m = _INITIALS.match(" ".join(author.split()))
    return (m["last"], tuple(m["initials"])) if m else None


def _bib_authors(authors: tuple[str, ...]) -> str | None:
    """Return the author field, escaped: "Last, F. M." per person (BibTeX reads "Last FM" as surname "FM"), a
    collective name braced so that it stays one name."""
    def one(author: str) -> str:
        parts = name_parts(author)
        if parts is None:
            return "{" + _one_line(author).translate(_TEX) + "}"
        return f"{parts[0].translate(_TEX)}, {' '.join(f'{c}.' for c in parts[1])}"
    return " and ".join(one(a) for a in authors) or None


def _ris_author(author: str) -> str:
    """Return an RIS author, "Last, F.M." (RIS names the surname first, before a comma)."""
    parts = name_parts(author)
    return f"{parts[0]}, {''.join(f'{c}.' for c in parts[1])}" if parts else author


def _bib_key(r: Reference, taken: set[str]) -> str:
    """Return a citation key built from validated ids only, unique within the file."""
    pmid, nct = r.pmid, r.nct_id
    key = f"pmid{pmid}" if pmid else (nct if nct and r.kind == "trial" else f"medkb-{r.doc_id[:8]}")
    while key in taken:
        key = f"{key}-{r.number}"
    taken.add(key)
    return key


def _bib_entry(r: Reference, key: str) -> str:
    """Return one BibTeX entry: @article for papers, @misc with url for trials."""
    pmid, doi, nct = r.pmid, r.doi, r.nct_id
    fields: list[tuple[str, str | None]] = [
        ("title", r.title),
        ("journal", r.journal if r.kind == "article" else None),
        ("year", str(r.year) if r.year else None),
        ("doi", doi),
        ("eprint", pmid),
        ("eprinttype", "pubmed" if pmid else None),
        ("note", f"PMID {pmid}" if pmid else (f"ClinicalTrials.gov {nct}" if nct else None)),
        ("url", f"https://clinicaltrials.gov/study/{nct}" if nct and r.kind == "trial" else None),
    ]
    escaped = [(name, _one_line(value).translate(_TEX)) for name, value in fields if value]
    if authors := _bib_authors(r.authors):
        escaped.insert(1, ("author", authors))
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in escaped)
    kind = "article" if r.kind == "article" else "misc"
    return f"@{kind}{{{key},\n{body}}}\n"


def to_bibtex(report: Report) -> str:
    """Return one BibTeX entry per referenced document, in reference-list order."""
    taken: set[str] = set()
    return "\n".join(_bib_entry(r, _bib_key(r, taken)) for r in report.references)


def _ris_entry(r: Reference) -> str:
    """Return one RIS record: TY JOUR for papers, TY ICOMM for trial registrations."""
    pmid, doi, nct = r.pmid, r.doi, r.nct_id
    tags: list[tuple[str, str | None]] = [
        ("TY", "JOUR" if r.kind == "article" else "ICOMM"),
        ("TI", r.title),
        *(("AU", _ris_author(a)) for a in r.authors),
        ("PY", str(r.year) if r.year else None),
        ("JO", r.journal if r.kind == "article" else None),
        ("DO", doi),
        ("AN", pmid or nct),
        *(("UR", link.url) for link in r.links),
    ]
    # NOTE: one line per value: a newline in a title could otherwise start a forged tag.
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in tags if value]
    return "\n".join([*lines, "ER  - "]) + "\n"


def to_ris(report: Report) -> str:
    """Return one RIS record per referenced document, in reference-list order."""
    return "\n".join(_ris_entry(r) for r in report.references)


def _cell(value: object) -> str:
    """Return a CSV cell; text that a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    # SEE: https://owasp.org/www-community/attacks/CSV_Injection
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_row(e: EvidenceEntry) -> tuple[str, ...]:
    """Return the CSV row of one cited claim."""
    n = e.sample_size_label.removeprefix("n = ") if e.sample_size is not None else ""
    values = (e.claim_id, e.doc_id, e.title, e.direction, e.effect, e.ci, e.p_value, e.design_label, n,
              e.page, e.field, e.quote, e.source)
    return tuple(_cell(v) for v in values)


def to_csv(report: Report) -> str:
    """Return one CSV row per cited claim, with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(e) for e in report.evidence)
    return out.getvalue()
