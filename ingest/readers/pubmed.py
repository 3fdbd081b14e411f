"""PubMed/MEDLINE XML (efetch PubmedArticleSet, baseline MedlineCitationSet), streamed record by record."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from lxml import etree

from ingest.readers.publication_types import design_of_publication_types
from ingest.readers.layout import Block, assemble, find_nct_ids, heading_kind, squash
from kb.errors import ParseError, SkippedInput
from kb.models import Document, Notice, SectionKind, content_hash, document_id

# NOTE: real NCBI files carry a PUBLIC DOCTYPE; no_network keeps it offline, resolve_entities=False stops XXE,
# and huge_tree=False keeps libxml2's entity-amplification guard (billion laughs) switched on.
HARDENED = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False,
            "remove_comments": True, "remove_pis": True}
RECORD_TAGS = {
    "PubmedArticleSet": ("PubmedArticle", "PubmedBookArticle", "DeleteCitation"),
    "MedlineCitationSet": ("MedlineCitation", "DeleteCitation"),
}
EUTILS_REPLIES = ("eSearchResult", "eSummaryResult", "eLinkResult", "eInfoResult", "ePostResult",
                  "eGQueryResult", "eSpellResult", "eCitMatchResult")
_CATEGORY: dict[str, SectionKind] = {
    "BACKGROUND": "background", "OBJECTIVE": "background", "METHODS": "methods",
    "RESULTS": "results", "CONCLUSIONS": "conclusions",
}
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# NOTE: the largest MEDLINE baseline or update file unpacks to well under 1 GiB; far more is a gzip bomb.
MAX_GUNZIPPED = 8 * 2**30


@dataclass
class Tally:
    """What a parse left out: records skipped (with the reason) and citations deleted (PMIDs)."""

    skipped: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


class CappedGzip(gzip.GzipFile):
    """A gzip stream that refuses to unpack more than limit bytes."""

    def __init__(self, raw: IO[bytes], path: Path) -> None:
        super().__init__(fileobj=raw, mode="rb")
        self.path, self.limit, self.unpacked = path, MAX_GUNZIPPED, 0

    def read(self, size: int | None = -1) -> bytes:
        """Read like GzipFile, raising ParseError once more than the limit has come out."""
        data = super().read(-1 if size is None else size)
        self.unpacked += len(data)
        if self.unpacked > self.limit:
            raise ParseError(f"{self.path}: unpacks to more than {self.limit / 2**30:g} GiB, more than any PubMed or "
                             "MEDLINE file (a gzip bomb?); unpack and split it, or fetch the records again")
        return data


@contextmanager
def open_xml(path: Path) -> Iterator[IO[bytes]]:
    """Open an XML file for reading, gunzipping it (up to MAX_GUNZIPPED bytes) when it is gzip-compressed."""
    try:
        with path.open("rb") as raw:
            gz = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            with CappedGzip(raw, path) if gz else raw as handle:
                yield handle
    except (OSError, EOFError) as e:
        if isinstance(e, FileNotFoundError | PermissionError | IsADirectoryError):
            raise ParseError(f"{path}: cannot read the file ({e.strerror}); check the path") from e
        raise ParseError(f"{path}: truncated or corrupt gzip data ({e}); re-download the file") from e


def xml_error(path: Path, error: etree.XMLSyntaxError) -> ParseError:
    """Return the ParseError for malformed XML, naming the file and line."""
    line = error.lineno or (error.position[0] if error.position else "?")
    return ParseError(f"{path}: not well-formed XML at line {line}: {error.msg}; re-download the file")


def _iterparse(handle: IO[bytes], events: tuple[str, ...], tag: tuple[str, ...] | None = None) -> etree.iterparse:
    """Return a hardened iterparse over a file handle."""
    return etree.iterparse(handle, events=events, tag=tag, **HARDENED)


def parse_tree(path: Path) -> etree._Element:
    """Return the root of a whole (small) XML file parsed with the hardened settings."""
    with open_xml(path) as handle:
        try:
            root = etree.parse(handle, etree.XMLParser(**HARDENED)).getroot()
        except etree.XMLSyntaxError as e:
            raise xml_error(path, e) from e
    check_entities(path, root)
    return root


def root_tag(path: Path) -> str:
    """Return the local name of an XML file's root element, refusing files that declare entities."""
    with open_xml(path) as handle:
        try:
            _, root = next(iter(_iterparse(handle, ("start",))))
        except StopIteration:
            raise ParseError(f"{path}: no XML element found; re-download the file") from None
        except etree.XMLSyntaxError as e:
            raise xml_error(path, e) from e
    check_entities(path, root)
    return etree.QName(root).localname


def check_entities(path: Path, elem: etree._Element) -> None:
    """Raise ParseError if the document declares its own entities (XXE, billion laughs)."""
    dtd = elem.getroottree().docinfo.internalDTD
    names = [str(e.name) for e in dtd.iterentities()] if dtd is not None else []
    if names:
        raise ParseError(f"{path}: declares its own XML entities ({', '.join(names[:5])}), which MedKB does not "
                         "expand; remove the <!ENTITY> declarations from the DOCTYPE")


def iter_records(path: Path, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """Yield each record element with one of tags, freeing every record before it."""
    with open_xml(path) as handle:
        try:
            for _, elem in _iterparse(handle, ("end",), tags):
                yield elem
                # NOTE: clear the record and drop finished siblings so memory stays flat on 30k-record files.
                elem.clear(keep_tail=False)
                while elem.getprevious() is not None:
                    del elem.getparent()[0]
        except etree.XMLSyntaxError as e:
            raise xml_error(path, e) from e
        except (OSError, EOFError) as e:
            raise ParseError(f"{path}: truncated or corrupt gzip data ({e}); re-download the file") from e


def text_of(elem: etree._Element | None) -> str:
    """Return an element's text content (inline markup kept as text), whitespace folded."""
    if elem is None:
        return ""
    return squash("".join(t for t in elem.itertext() if isinstance(t, str)))


def _texts(parent: etree._Element | None, path: str) -> tuple[str, ...]:
    """Return the non-empty texts of the elements at path, first-seen order."""
    if parent is None:
        return ()
    return tuple(dict.fromkeys(t for t in (text_of(e) for e in parent.iterfind(path)) if t))


def _authors(article: etree._Element) -> tuple[str, ...]:
    """Return authors as "Last FM" (or the collective name)."""
    names = []
    for author in article.iterfind("AuthorList/Author"):
        last, initials = text_of(author.find("LastName")), text_of(author.find("Initials"))
        name = f"{last} {initials}".strip() if last else text_of(author.find("CollectiveName"))
        if name:
            names.append(name)
    return tuple(names)


def _year(article: etree._Element) -> int | None:
    """Return the publication year: PubDate/Year, else MedlineDate's first year, else ArticleDate."""
    pub = article.find("Journal/JournalIssue/PubDate")
    for candidate in (text_of(pub.find("Year")) if pub is not None else "",
                      text_of(pub.find("MedlineDate")) if pub is not None else "",
                      text_of(article.find("ArticleDate/Year"))):
        if m := _YEAR.search(candidate):
            return int(m.group())
    return None


def _abstract_blocks(article: etree._Element) -> list[Block]:
    """Return one block per AbstractText, its kind taken from NlmCategory or Label."""
    blocks = []
    for part in article.iterfind("Abstract/AbstractText"):
        label = (part.get("Label") or "").strip()
        kind = _CATEGORY.get(part.get("NlmCategory", "")) or heading_kind(label) or "abstract"
        blocks.append(Block(label.title() if label.isupper() else label or "Abstract", kind, (text_of(part),)))
    return blocks


def _ids(citation: etree._Element, data: etree._Element | None) -> dict[str, str | None]:
    """Return the DOI and PMCID from ELocationID and PubmedData/ArticleIdList."""
    ids: dict[str, str | None] = {"doi": None, "pmcid": None}
    for loc in citation.iterfind("Article/ELocationID[@EIdType='doi']"):
        ids["doi"] = ids["doi"] or text_of(loc) or None
    for aid in data.iterfind("ArticleIdList/ArticleId") if data is not None else ():
        key = {"doi": "doi", "pmc": "pmcid"}.get(aid.get("IdType", ""))
        if key and not ids[key]:
            ids[key] = text_of(aid) or None
    # NOTE: baseline files have no PubmedData; the PMCID sits in OtherID there.
    for other in citation.iterfind("OtherID[@Source='NLM']"):
        if not ids["pmcid"] and text_of(other).startswith("PMC"):
            ids["pmcid"] = text_of(other).split()[0]
    return ids


# NOTE: NLM's vocabulary: publication types and CommentsCorrections RefTypes (MEDLINE text tags map onto these).
_NOTICES: dict[str, Notice] = {
    "Retracted Publication": "retracted", "RetractionIn": "retracted",
    "Retraction of Publication": "retraction_notice", "RetractionOf": "retraction_notice",
    "ExpressionOfConcernIn": "expression_of_concern", "ErratumIn": "corrected",
}


def notices_of(publication_types: Iterable[str], corrections: Iterable[str]) -> tuple[Notice, ...]:
    """Return the editorial notices (retracted, expression of concern, ...) NLM records for a paper."""
    return tuple(dict.fromkeys(_NOTICES[t] for t in (*publication_types, *corrections) if t in _NOTICES))


def _corrections(citation: etree._Element) -> list[str]:
    """Return the RefType of every CommentsCorrections entry (RetractionIn, ErratumIn, ...)."""
    return [c.get("RefType", "") for c in citation.iterfind("CommentsCorrectionsList/CommentsCorrections")]


def citation_document(citation: etree._Element, data: etree._Element | None, source: str) -> Document:
    """Return the Document for one MedlineCitation (and its PubmedData, when present)."""
    article = citation.find("Article")
    if article is None:
        article = etree.Element("Article")
    title = text_of(article.find("ArticleTitle")) or text_of(article.find("VernacularTitle"))
    text, sections = assemble([Block("Title", "title", (title,)), *_abstract_blocks(article)])
    pmid = text_of(citation.find("PMID")) or None
    ids = _ids(citation, data)
    accessions = " ".join(_texts(citation, "DataBankList/DataBank/AccessionNumberList/AccessionNumber"))
    digest = content_hash(etree.tostring(citation, method="c14n2", strip_text=True))
    types = _texts(article, "PublicationTypeList/PublicationType")
    return Document(
        id=document_id("pubmed", pmid=pmid, doi=ids["doi"], pmcid=ids["pmcid"], digest=digest),
        kind="pubmed", source=source, content_hash=digest, title=title, text=text,
        pmid=pmid, pmcid=ids["pmcid"], doi=ids["doi"],
        nct_ids=tuple(dict.fromkeys(find_nct_ids(accessions) + find_nct_ids(text))),
        authors=_authors(article), journal=text_of(article.find("Journal/Title")) or None, year=_year(article),
        publication_types=types, study_design=design_of_publication_types(types, text),
        notices=notices_of(types, _corrections(citation)),
        mesh_terms=_texts(citation, "MeshHeadingList/MeshHeading/DescriptorName"),
        chemicals=_texts(citation, "ChemicalList/Chemical/NameOfSubstance"),
        keywords=_texts(citation, "KeywordList/Keyword"), sections=sections,
    )


def check_root(path: Path, root: str) -> None:
    """Raise SkippedInput unless the root element is a PubMed/MEDLINE record set."""
    if root in EUTILS_REPLIES:
        raise SkippedInput(f"{path}: an E-utilities {root} reply, not article records; fetch the records with efetch")
    if root == "pmc-articleset":
        raise SkippedInput(f"{path}: a PMC efetch reply (pmc-articleset), not PubMed records; "
                           "save each PMC article as its own .nxml file")
    if root not in RECORD_TAGS:
        raise SkippedInput(f"{path}: XML root <{root}> is not PubmedArticleSet or MedlineCitationSet; "
                           "export the records from PubMed as XML")


def parse_pubmed_xml(path: Path, tally: Tally | None = None) -> Iterator[Document]:
    """Yield one Document per PubMed/MEDLINE citation; books and deletions go to the tally."""
    tally = tally if tally is not None else Tally()
    root = root_tag(path)
    check_root(path, root)
    books = yielded = 0
    for elem in iter_records(path, RECORD_TAGS[root]):
        tag = elem.tag
        if tag == "DeleteCitation":
            tally.deleted.extend(_texts(elem, "PMID"))
        elif tag == "PubmedBookArticle":
            books += 1
            pmid = text_of(elem.find("BookDocument/PMID"))
            tally.skipped.append(f"{path}: book record PMID {pmid} skipped; MedKB ingests journal articles only")
        else:
            citation = elem if tag == "MedlineCitation" else elem.find("MedlineCitation")
            if citation is not None:
                yielded += 1
                yield citation_document(citation, elem.find("PubmedData"), str(path))
    if books and not yielded:
        raise SkippedInput(f"{path}: holds only NCBI Bookshelf records (PubmedBookArticle); "
                           "MedKB ingests journal articles only")
