"""Evidence reports people can hand to a colleague: one Answer rendered as md, html, pdf, json, bib, ris or csv."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from kb.answers import Answer
from kb.errors import ConfigError
from kb.models import Document
from kb.report.build import build_report
from kb.report.html import to_html
from kb.report.jsonfmt import to_json
from kb.report.markdown import to_markdown
from kb.report.model import Corpus, Report
from kb.report.pdf import to_pdf
from kb.report.refs import to_bibtex, to_csv, to_ris

__all__ = ["FORMATS", "Corpus", "Format", "Report", "build_report", "render"]

Format = Literal["md", "html", "pdf", "json", "bib", "ris", "csv"]

# NOTE: each format's name is also its file suffix; the value is the media type for downloads.
FORMATS: dict[Format, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems",
    "csv": "text/csv; charset=utf-8",
}

_TEXT: dict[str, Callable[[Report], str]] = {
    "md": to_markdown,
    "html": to_html,
    "json": to_json,
    "bib": to_bibtex,
    "ris": to_ris,
    "csv": to_csv,
}


def render(answer: Answer, corpus: Corpus, fmt: str, *, documents: Sequence[Document] = ()) -> bytes:
    """Return the report of an answer in one format; documents, if given, add authors and journals."""
    if fmt not in FORMATS:
        raise ConfigError(f"report format {fmt!r} is not supported; use one of: {', '.join(FORMATS)}")
    report = build_report(answer, corpus, documents)
    if fmt == "pdf":
        return to_pdf(report)
    return _TEXT[fmt](report).encode("utf-8")
