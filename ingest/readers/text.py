"""Plain text and Markdown files: titles, bare headings, abstract labels and Evidence Inference section labels."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from markdown_it import MarkdownIt

from ingest.readers.layout import find_nct_ids, heading_kind
from kb.errors import ParseError
from kb.models import Document, PageSpan, Section, SectionKind, content_hash, document_id

# NOTE: a closed list for bare-text headings (PDF, .txt): an open one splits papers at every subheading.
_HEADING = re.compile(
    r"(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?"
    r"(abstract|summary|background|introduction|objectives?|aims?|methods?|methodology|"
    r"(?:materials|patients|subjects|participants) and methods|results(?: and discussion)?|findings|"
    r"discussion|conclusions?|interpretation|limitations|references|bibliography|acknowledge?ments?|funding)"
    r"\s*[:.]?",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"(background|objectives?|aims?|purpose|context|methods?|design|setting|participants|"
    r"results|findings|discussion|conclusions?|interpretation)[:.]\s+\S",
    re.IGNORECASE,
)

# NOTE: Evidence Inference's PMC texts mark sections with whole lines like "ABSTRACT.RESULTS:".
# NOTE: a few texts put a space after the dot ("ABSTRACT. RESULTS :") or open with a bracket ("BODY.(IMMUNO)...").
_CAPS_LABEL = re.compile(r"^[ \t]*((?:TITLE|ABSTRACT|BODY)(?:\.[ \t]?[A-Z0-9(][^\n:]*)?):[ \t]*", re.MULTILINE)


def _lines(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """Yield (offset, line) for each line of text from a start offset."""
    for m in re.finditer(r"[^\n]*", text[start:]):
        if m.group():
            yield start + m.start(), m.group()


def _span(text: str, start: int, end: int) -> tuple[int, int]:
    """Return start..end shrunk to exclude surrounding whitespace."""
    chunk = text[start:end]
    lead = len(chunk) - len(chunk.lstrip())
    return start + lead, start + lead + len(chunk.strip())


def _pages_of(start: int, end: int, pages: Sequence[PageSpan]) -> tuple[int | None, int | None]:
    """Return the first and last page a span touches."""
    hit = [p.page for p in pages if p.start < max(end, start + 1) and start < p.end]
    return (hit[0], hit[-1]) if hit else (None, None)


def _cut(text: str, marks: list[tuple[int, str]], stop: int) -> list[tuple[str, int, int]]:
    """Return (title, start, end) for each mark, each running to the next mark or stop."""
    if not marks:
        return []
    bounds = [m[0] for m in marks[1:]] + [stop]
    return [(title, *_span(text, at, end)) for (at, title), end in zip(marks, bounds, strict=True)]


FRONT_ABSTRACT_CHARS = 400
IMRAD: tuple[SectionKind, ...] = ("background", "methods", "results", "discussion", "conclusions")
TITLE_MAX_CHARS = 500


def _front(text: str, start: int, end: int, has_abstract: bool) -> tuple[str, SectionKind, int, int] | None:
    """Return the section for text between a title and the first heading, or None when there is none."""
    # NOTE: such text is never left out of the chunks: an unlabelled abstract when the document has none and it
    # runs to paragraphs, else front matter (authors, affiliations).
    s, e = _span(text, start, end)
    if e <= s:
        return None
    if not has_abstract and e - s >= FRONT_ABSTRACT_CHARS:
        return "Abstract", "abstract", s, e
    return "Front matter", "other", s, e


def line_sections(text: str, start: int = 0, pages: Sequence[PageSpan] = ()) -> tuple[Section, ...]:
    """Return sections for bare headings (Abstract, Methods, …) and abstract labels found at line starts."""
    heads: list[tuple[int, str]] = []
    labels: list[tuple[int, str]] = []
    for at, line in _lines(text, start):
        stripped, lead = line.strip(), len(line) - len(line.lstrip())
        if stripped[:1].islower():
            continue  # NOTE: "results." inside a sentence is prose, not a heading.
        if m := _HEADING.fullmatch(stripped):
            heads.append((at + lead, m.group(1).title() if m.group(1).isupper() else m.group(1)))
        elif m := _LABEL.match(stripped):
            labels.append((at + lead, m.group(1)))
    found: list[tuple[str, SectionKind, int, int]] = []
    for title, s, e in _cut(text, heads, len(text)):
        found.append((title, heading_kind(title) or "body", s, e))
    abstract = next(((s, e) for t, k, s, e in found if k == "abstract"), None)
    first_head = heads[0][0] if heads else len(text)
    if abstract is None and labels and labels[0][0] < first_head:
        abstract = _span(text, labels[0][0], first_head)
        found.append(("Abstract", "abstract", *abstract))
    if abstract is not None:
        inside = [m for m in labels if abstract[0] <= m[0] < abstract[1]]
        found += [(t, heading_kind(t) or "abstract", s, e) for t, s, e in _cut(text, inside, abstract[1])]
    if found and (front := _front(text, start, min(f[2] for f in found), abstract is not None)):
        found.append(front)
    found.sort(key=lambda f: (f[2], -f[3]))
    sections: list[Section] = []
    for title, kind, s, e in found:
        first, last = _pages_of(s, e, pages)
        if e > s:
            sections.append(Section(title=title, kind=kind, start=s, end=e, page_start=first, page_end=last))
    return tuple(sections)


def decode(raw: bytes) -> str:
    """Return bytes as text: UTF-8 (BOM dropped), else cp1252; NUL bytes and CRs removed."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # NOTE: cp1252 leaves 5 bytes undefined; "replace" keeps a stray byte from failing the file.
        text = raw.decode("cp1252", errors="replace")
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def _markdown_sections(text: str) -> tuple[Section, ...]:
    """Return a title section for the first heading and one section per later heading's content."""
    tokens = MarkdownIt("commonmark").parse(text)
    offsets = [0, *(m.end() for m in re.finditer("\n", text))]
    heads: list[tuple[int, int, int, str]] = []  # level, heading line, body line, content
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map:
            heads.append((int(tok.tag[1]), tok.map[0], tok.map[1], tokens[i + 1].content))
    sections: list[Section] = []
    parents: list[tuple[int, SectionKind]] = []
    for n, (level, line, body, content) in enumerate(heads):
        at = text.find(content, offsets[line])
        if at < 0 or not content.strip():
            continue
        if not sections:
            sections.append(Section(title=content, kind="title", start=at, end=at + len(content)))
            continue
        stop = next((offsets[h[1]] for h in heads[n + 1 :] if h[0] <= level), len(text))
        parents = [p for p in parents if p[0] < level]
        kind = heading_kind(content) or (parents[-1][1] if parents else "body")
        parents.append((level, kind))
        s, e = _span(text, offsets[body] if body < len(offsets) else len(text), stop)
        if e > s:
            sections.append(Section(title=content, kind=kind, start=s, end=e))
    return tuple(sections)


def label_lines(text: str) -> list[re.Match[str]]:
    """Return the "PART.HEADING:" label lines of a text in order; group 1 is the label ("BODY.RESULTS")."""
    return list(_CAPS_LABEL.finditer(text))


def body_kind(name: str, running: SectionKind) -> SectionKind:
    """Return the kind of a flattened body heading: what it names, unless it names none or an earlier IMRaD part
    than the running one, when it is a subsection and keeps the running kind."""
    # NOTE: subsections come flattened (BODY.STATISTICAL ANALYSIS; BODY.PARTICIPANTS and BODY.OBJECTIVES, ASSESSMENTS
    # AND OUTCOME MEASURES inside BODY.RESULTS), and a body never goes back to an earlier part.
    named = heading_kind(name)
    if named is None or (named in IMRAD and running in IMRAD and IMRAD.index(named) < IMRAD.index(running)):
        return running
    return named


def _label_sections(text: str) -> tuple[Section, ...]:
    """Return sections for "PART.HEADING:" label lines (TITLE:, ABSTRACT.METHODS:, BODY.RESULTS:)."""
    found = label_lines(text)
    sections: list[Section] = []
    running: SectionKind = "body"
    for m, nxt in zip(found, [*found[1:], None], strict=True):
        s, e = _span(text, m.end(), nxt.start() if nxt else len(text))
        part, _, name = m.group(1).rpartition(".")
        name = name.strip()
        kind: SectionKind
        if m.group(1) == "TITLE":
            kind = "title"
            e = s + len(text[s:e].split("\n", 1)[0].rstrip())
        elif part == "ABSTRACT":
            kind = heading_kind(name) or "abstract"
        else:
            kind = running = body_kind(name, running)
        if e > s:
            sections.append(Section(title="Title" if kind == "title" else name.title(), kind=kind, start=s, end=e))
        # NOTE: a short stretch after the TITLE line is the title's second line; a long one an unlabelled abstract.
        front = _front(text, e, nxt.start(), "ABSTRACT" in text) if kind == "title" and nxt is not None else None
        if front is not None and front[3] - front[2] >= FRONT_ABSTRACT_CHARS:
            sections.append(Section(title=front[0], kind=front[1], start=front[2], end=front[3]))
    return tuple(sections)


def _plain_sections(text: str) -> tuple[Section, ...]:
    """Return the title section (TITLE: label or first line), then labelled, bare-heading or body sections."""
    labelled = _label_sections(text) if _CAPS_LABEL.search(text) else ()
    if len(labelled) > 1 and labelled[0].kind == "title":
        return labelled
    first = next(((at, line) for at, line in _lines(text) if line.strip()), None)
    if labelled and labelled[0].kind == "title":
        title = labelled[0]
    elif first is not None and len(first[1].strip()) <= TITLE_MAX_CHARS:
        s, e = _span(text, first[0], first[0] + len(first[1]))
        title = Section(title="Title", kind="title", start=s, end=e)
    elif first is not None:
        # NOTE: a first line this long is prose, not a title; as a title it was copied into every chunk's payload
        # (a 50 MB one-line file took 23.8 GB).
        title = None
    else:
        return ()
    after = title.end if title else 0
    rest = line_sections(text, after)
    if not rest:
        bs, be = _span(text, after, len(text))
        rest = (Section(title="Body", kind="body", start=bs, end=be),) if be > bs else ()
    return (title, *rest) if title else rest


def parse_text(path: Path) -> Iterator[Document]:
    """Yield one Document for a .txt or .md file; Markdown headings become sections."""
    try:
        text = decode(path.read_bytes())
    except OSError as e:
        raise ParseError(f"{path}: cannot read the file ({e.strerror}); check the path and permissions") from e
    markdown = path.suffix.lower() in (".md", ".markdown")
    sections = _markdown_sections(text) if markdown else _plain_sections(text)
    if not sections and not text.strip():
        raise ParseError(f"{path}: the file is empty; add text or leave it out")
    if not sections:
        sections = _plain_sections(text)
    kind = "markdown" if markdown else "text"
    digest = content_hash(text)
    yield Document(
        id=document_id(kind, digest=digest), kind=kind, source=str(path), content_hash=digest,
        title=text[sections[0].start : sections[0].end] if sections and sections[0].kind == "title" else "", text=text,
        nct_ids=find_nct_ids(text), sections=sections,
    )
