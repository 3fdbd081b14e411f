"""PMC full text in JATS/NLM XML (.nxml): front matter, abstract, body sections and tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from ingest.readers.pubmed import parse_tree, text_of
from ingest.readers.layout import Block, assemble, find_nct_ids, heading_kind, squash
from kb.errors import SkippedInput
from kb.models import Document, SectionKind, content_hash, document_id

# NOTE: figures and supplementary files are captions around images; tables are kept as their own sections.
_SKIP = frozenset({"title", "label", "fig", "fig-group", "supplementary-material", "graphic", "media", "alternatives"})
_TABLES = frozenset({"table-wrap", "table-wrap-group"})
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_DATE_PREFERENCE = ("ppub", "epub", "epub-ppub", "collection", "pub")


def _inline(elem: etree._Element) -> str:
    """Return an element's text without nested tables and figures, whitespace folded."""
    parts = [elem.text or ""]
    for child in elem:
        name = child.tag if isinstance(child.tag, str) else ""
        if name not in _TABLES and name not in _SKIP:
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return squash(" ".join(parts) if elem.tag in ("list", "list-item", "def-list") else "".join(parts))


def _table(wrap: etree._Element) -> Block:
    """Return a table as a block: label and caption, then one " | "-joined line per row."""
    label = text_of(wrap.find("label")).rstrip(" .:")
    caption = text_of(wrap.find("caption"))
    rows = [" | ".join(text_of(c) for c in tr if c.tag in ("th", "td")) for tr in wrap.iter("tr")]
    foot = text_of(wrap.find("table-wrap-foot"))
    head = ". ".join(p for p in (label, caption) if p)
    return Block(label or "Table", "table", (head, "\n".join(r for r in rows if r.strip(" |")), foot))


def _tables(elem: etree._Element) -> list[Block]:
    """Return the tables inside an element (a paragraph or a table group), in order."""
    return [_table(w) for w in elem.iter("table-wrap")]


def _section(sec: etree._Element, parent_title: str, parent_kind: SectionKind) -> Block:
    """Return a <sec> as a block whose kind comes from its title, else from its parent."""
    title = text_of(sec.find("title")).rstrip(" .:") or parent_title
    kind = heading_kind(title) or parent_kind
    return Block(title, kind, tuple(_items(sec, title, kind)))


def _items(container: etree._Element, title: str, kind: SectionKind) -> list[str | Block]:
    """Return a container's paragraphs, tables and subsections in reading order."""
    items: list[str | Block] = []
    for child in container:
        name = child.tag if isinstance(child.tag, str) else ""
        if name == "sec":
            items.append(_section(child, title, kind))
        elif name in _TABLES:
            items.extend(_tables(child))
        elif name and name not in _SKIP:
            items.append(_inline(child))
            items.extend(_tables(child))
    return items


def _abstracts(meta: etree._Element) -> list[Block]:
    """Return the abstracts: one block per abstract section, or one per unsectioned abstract."""
    blocks: list[Block] = []
    for abstract in meta.iterfind("abstract"):
        title = text_of(abstract.find("title")).rstrip(" .:") or "Abstract"
        for item in _items(abstract, title, "abstract"):
            blocks.append(item if isinstance(item, Block) else Block(title, "abstract", (item,)))
    return blocks


def _authors(meta: etree._Element) -> tuple[str, ...]:
    """Return the authors as "Surname GN" (initials of the given names) or the collaboration name."""
    names = []
    for contrib in meta.iterfind("contrib-group/contrib[@contrib-type='author']"):
        surname = text_of(contrib.find("name/surname"))
        initials = "".join(w[0] for w in re.findall(r"[^\W\d_]+", text_of(contrib.find("name/given-names"))))
        name = f"{surname} {initials}".strip() if surname else text_of(contrib.find("collab"))
        if name:
            names.append(name)
    return tuple(names)


def _year(meta: etree._Element) -> int | None:
    """Return the publication year, preferring print, then electronic, then any pub-date."""
    dates = {d.get("pub-type") or d.get("date-type") or "": text_of(d.find("year")) for d in meta.iterfind("pub-date")}
    for key in (*_DATE_PREFERENCE, *dates):
        if (m := _YEAR.search(dates.get(key, ""))):
            return int(m.group())
    return None


def _article_ids(meta: etree._Element) -> dict[str, str | None]:
    """Return pmid, pmcid ("PMC…") and doi from article-id elements."""
    ids: dict[str, str | None] = {"pmid": None, "pmcid": None, "doi": None}
    for aid in meta.iterfind("article-id"):
        kind, value = aid.get("pub-id-type", ""), text_of(aid)
        key = {"pmid": "pmid", "pmc": "pmcid", "pmcid": "pmcid", "doi": "doi"}.get(kind)
        if key and value and not ids[key]:
            ids[key] = value if key != "pmcid" or value.startswith("PMC") else f"PMC{value}"
    return ids


def _top_level(items: list[str | Block]) -> list[Block]:
    """Return body items as blocks, gathering runs of loose paragraphs into "Body" blocks."""
    blocks: list[Block] = []
    loose: list[str] = []
    for item in [*items, None]:
        if isinstance(item, str):
            loose.append(item)
            continue
        if loose:
            blocks.append(Block("Body", "body", tuple(loose)))
            loose = []
        if item is not None:
            blocks.append(item)
    return blocks


def article_document(article: etree._Element, source: str) -> Document:
    """Return the Document for one JATS <article>."""
    meta = article.find("front/article-meta")
    meta = meta if meta is not None else etree.Element("article-meta")
    title = text_of(meta.find("title-group/article-title"))
    body = article.find("body")
    blocks = [Block("Title", "title", (title,)), *_abstracts(meta)]
    if body is not None:
        blocks += _top_level(_items(body, "Body", "body"))
    floats = article.find("floats-group")
    if floats is not None:
        blocks += _tables(floats)
    text, sections = assemble(blocks)
    ids = _article_ids(meta)
    digest = content_hash(etree.tostring(article, method="c14n2", strip_text=True))
    journal = article.find("front/journal-meta")
    journal_title = text_of(journal.find(".//journal-title")) if journal is not None else ""
    return Document(
        id=document_id("pmc", pmid=ids["pmid"], doi=ids["doi"], pmcid=ids["pmcid"], digest=digest),
        kind="pmc", source=source, content_hash=digest, title=title, text=text,
        pmid=ids["pmid"], pmcid=ids["pmcid"], doi=ids["doi"], nct_ids=find_nct_ids(text),
        authors=_authors(meta), year=_year(meta),
        journal=journal_title or None,
        keywords=tuple(dict.fromkeys(t for t in (text_of(k) for k in meta.iterfind("kwd-group/kwd")) if t)),
        sections=sections,
    )


def parse_jats(path: Path) -> Iterator[Document]:
    """Yield the Document of a PMC JATS article file."""
    root = parse_tree(path)
    name = etree.QName(root).localname
    if name != "article":
        raise SkippedInput(f"{path}: XML root <{name}> is not a JATS <article>; save PMC articles as .nxml files")
    yield article_document(root, str(path))
