"""A real-looking Answer, Corpus and documents, and an HTML auditor, shared by the report tests."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

from kb.answers import Answer, Citation, Hypothesis, Query, QueryEntity
from kb.claims import EffectMeasure, PValue
from kb.models import DocKind, Document, Enrollment, TrialInfo, content_hash, document_id
from kb.report.model import Corpus

XSS_TITLE = "<script>alert(1)</script> Budesonide <img src=x onerror=alert(1)> [click](javascript:alert(1))"
XSS_QUOTE = "Exacerbations fell <script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1))."
WHEN = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

DOC_RCT = document_id("pubmed", pmid="31000001")
DOC_TRIAL = document_id("trial", nct="NCT01234567")
DOC_COHORT = document_id("pubmed", pmid="31000003")
DOC_XSS = document_id("pubmed", pmid="31000004")
DOC_SERIES = document_id("pdf", digest="series")


def cite(claim: str, doc: str, title: str, quote: str, **kw: object) -> Citation:
    """Return a citation whose span is consistent with its quote."""
    kw.setdefault("page", None)
    return Citation(claim_id=claim, doc_id=doc, title=title, quote=quote, start=100, end=100 + len(quote),
                    source=f"data/{claim}.xml", **kw)  # type: ignore[arg-type]


def answer_citing(*citations: Citation) -> Answer:
    """Return an answer with one low-certainty hypothesis supported by the citations."""
    h = Hypothesis(statement="s", intervention="i", outcome="o", direction="increase", confidence="low",
                   supporting=citations)
    return Answer(question="q", query=Query(question="q"), hypotheses=(h,))


RCT = cite(
    "claim-rct", DOC_RCT, "As-needed budesonide-formoterol versus terbutaline in mild asthma: a randomised trial",
    "The annual rate of severe exacerbations was lower with budesonide-formoterol than with terbutaline "
    "(rate ratio 0.36; 95% CI 0.27 to 0.49).",
    page=3, pmid="31000001", doi="10.1000/medkb.2019.001", year=2019, study_design="rct", sample_size=3836,
    direction="decrease", effect=EffectMeasure(type="RR", value=0.36, ci_low=0.27, ci_high=0.49),
    p_value=PValue(value=0.001, operator="<"), extractor="rules", extraction_confidence=0.91,
)
TRIAL = cite(
    "claim-trial", DOC_TRIAL, "Budesonide-formoterol as needed in mild asthma (registry record)",
    "Time to first severe exacerbation: hazard ratio 0.82 (95% CI 0.71 to 0.95).",
    page=None, field="resultsSection.outcomeMeasuresModule.outcomeMeasures[0]", nct_id="NCT01234567", year=2018,
    study_design="rct", sample_size=3849, sample_size_type="ACTUAL", direction="decrease",
    effect=EffectMeasure(type="HR", value=0.82, ci_low=0.71, ci_high=0.95), extraction_confidence=0.88,
)
COHORT = cite(
    "claim-cohort", DOC_COHORT, "Inhaled corticosteroid-formoterol reliever therapy in primary care",
    "Severe exacerbation rates did not differ between reliever strategies (odds ratio 1.02, 95% CI 0.85-1.22).",
    page=5, pmid="31000003", year=2021, study_design="cohort", sample_size=1200, direction="no_difference",
    effect=EffectMeasure(type="OR", value=1.02, ci_low=0.85, ci_high=1.22), extraction_confidence=0.74,
)
XSS = cite(
    "claim-xss", DOC_XSS, XSS_TITLE, XSS_QUOTE, page=2, pmid="31000004", doi="javascript:alert(1)", year=2020,
    study_design="cross_sectional", sample_size=250, direction="increase", extraction_confidence=0.52,
)
SERIES = cite(
    "claim-series", DOC_SERIES, "Reliever-only budesonide-formoterol in exercise-induced symptoms: a case series",
    "These observations may suggest fewer exercise-induced symptoms.", page=1, year=2022,
    study_design="case_series", sample_size=12, direction="decrease", hedged=True, extraction_confidence=0.41,
)

QUERY = Query(
    question="Does as-needed budesonide-formoterol reduce severe exacerbations compared with terbutaline "
    "in mild asthma?",
    entities=(
        QueryEntity(text="budesonide-formoterol", role="intervention", name="budesonide-formoterol",
                    type="intervention"),
        QueryEntity(text="terbutaline", role="comparator", name="terbutaline", type="intervention"),
        QueryEntity(text="severe exacerbations", role="outcome", name="severe exacerbation", type="outcome"),
        QueryEntity(text="mild asthma", role="condition", name="asthma", type="condition", normalized_id="D001249"),
    ),
    year_min=2010,
    designs=("rct", "cohort"),
)

H_EXAC = Hypothesis(
    statement="As-needed budesonide-formoterol reduces severe exacerbations compared with terbutaline.",
    intervention="budesonide-formoterol", outcome="severe exacerbation", direction="decrease", confidence="moderate",
    confidence_reasons=("rated down one level for inconsistency: a cohort found no difference",),
    supporting=(RCT, TRIAL), contradicting=(COHORT,), n_studies=3, n_participants=8885, designs=("rct", "cohort"),
    extraction_confidence=0.84,
)
H_CONTROL = Hypothesis(
    statement="Budesonide-formoterol improves asthma control.", intervention="budesonide-formoterol",
    outcome="asthma control", direction="increase", confidence="low",
    confidence_reasons=("rated down for risk of bias", "rated down for imprecision"), supporting=(XSS,),
    n_studies=1, n_participants=250, designs=("cross_sectional",), extraction_confidence=0.52,
)
H_EXERCISE = Hypothesis(
    statement="Budesonide-formoterol as needed may reduce exercise-induced symptoms.",
    intervention="budesonide-formoterol", outcome="exercise-induced symptoms", direction="decrease",
    confidence="very low", confidence_reasons=("hedged wording", "case series only"), supporting=(SERIES, RCT),
    n_studies=2, designs=("case_series", "rct"), speculative=True, extraction_confidence=0.66,
)

ANSWER = Answer(
    question=QUERY.question,
    query=QUERY,
    hypotheses=(H_EXAC, H_CONTROL),
    speculative=(H_EXERCISE,),
    known=("Exacerbations are rarer with budesonide-formoterol than with terbutaline as needed.",),
    uncertain=("Whether the benefit holds in primary care.",),
    gaps=("No trial reports outcomes beyond 52 weeks.", "No study enrolled children under 12."),
)
CORPUS = Corpus(documents=1204, trials=37, year_min=1998, year_max=2024, store="data/kb",
                fingerprint="sha256:4f2a9c0d", generated_at=WHEN)


def _doc(doc_id: str, kind: DocKind, title: str, **kw: object) -> Document:
    """Return a minimal document carrying the bibliographic fields."""
    return Document(id=doc_id, kind=kind, source=f"data/{doc_id}", content_hash=content_hash(title), title=title,
                    text=title, **kw)  # type: ignore[arg-type]


DOCUMENTS = (
    _doc(DOC_RCT, "pubmed", RCT.title, pmid="31000001", authors=("O'Byrne PM", "FitzGerald JM"),
         journal="The New England journal of medicine", year=2019),
    _doc(DOC_TRIAL, "trial", TRIAL.title, nct_ids=("NCT01234567",),
         trial=TrialInfo(nct_id="NCT01234567", enrollment=Enrollment(count=3849, type="ACTUAL"))),
    _doc(DOC_XSS, "pubmed", XSS_TITLE, pmid="31000004", authors=("Mallory <b>M</b>",),
         journal="Journal of [x](javascript:alert(1))", year=2020),
)
QUOTES = frozenset(c.quote for c in (RCT, TRIAL, COHORT, XSS, SERIES))


VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


class HtmlAudit(HTMLParser):
    """Collect what a browser could execute or fetch, plus the text of quotes and headings, from HTML."""

    def __init__(self, quote_tags: frozenset[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.hrefs: list[str] = []
        self.sources: list[str] = []
        self.quotes: list[str] = []
        self.headings: list[str] = []
        self.metas: list[dict[str, str | None]] = []
        self._stack: list[tuple[str, str, list[str]]] = []
        self._quote_tags = quote_tags

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record the tag, its event handlers, links and fetched resources; open it unless void."""
        self.tags.append(tag)
        self.handlers += [k for k, _ in attrs if k.startswith("on")]
        self.hrefs += [v or "" for k, v in attrs if k in ("href", "action", "formaction", "xlink:href")]
        self.sources += [v or "" for k, v in attrs if k in ("src", "srcset", "poster", "data")]
        if tag == "meta":
            self.metas.append(dict(attrs))
        if tag in VOID:
            return
        quote = tag in self._quote_tags or "quote" in (dict(attrs).get("class") or "").split()
        kind = "quote" if quote else "heading" if tag in ("h1", "h2", "h3") else ""
        self._stack.append((tag, kind, []))

    def handle_endtag(self, tag: str) -> None:
        """Close the element (and any left open inside it), keeping a quote's or heading's text."""
        while self._stack:
            name, kind, chunks = self._stack.pop()
            text = " ".join("".join(chunks).split())
            if kind == "quote" and text:
                self.quotes.append(text)
            elif kind == "heading":
                self.headings.append(text)
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        """Add text to every open element."""
        for _, _, chunks in self._stack:
            chunks.append(data)


def audit(html: str, quote_tags: frozenset[str] = frozenset()) -> HtmlAudit:
    """Return the audit of an HTML string."""
    parser = HtmlAudit(quote_tags)
    parser.feed(html)
    parser.close()
    return parser
