"""Where a document describes its own study: title, abstract, and the body's methods and results."""

from __future__ import annotations

from kb.models import Document, Section

# NOTE: an abstract runs background → methods → results → conclusions; a section that steps back starts the body.
_ORDER = {"background": 0, "methods": 1, "results": 2, "conclusions": 3, "abstract": 3}
_BODY_START = ("discussion", "body", "table")
FRONT_CHARS = 4000  # NOTE: a document without sections: its opening stands in for the abstract.


def _front_count(sections: list[Section]) -> int:
    """Return how many leading sections form the abstract."""
    last = -1
    for k, s in enumerate(sections):
        rank = _ORDER.get(s.kind)
        if (rank is None and s.kind in _BODY_START and k > 0) or (rank is not None and rank < last):
            return k
        last = max(last, rank if rank is not None else last)
    return len(sections)


def regions(doc: Document) -> tuple[str, str, str, str]:
    """Return (title, abstract, body methods, body results); the abstract leaves out its background."""
    rest = [s for s in doc.sections if s.kind != "title"]
    if not rest:
        body = doc.text.replace(doc.title, "", 1) if doc.title else doc.text
        return doc.title, body[:FRONT_CHARS], "", ""
    cut = _front_count(rest)

    def joined(parts: list[Section], kinds: tuple[str, ...]) -> str:
        return "\n".join(doc.text[s.start : s.end] for s in parts if s.kind in kinds)

    front = joined(rest[:cut], ("abstract", "methods", "results", "conclusions", "registry", "body", "other"))
    return doc.title, front, joined(rest[cut:], ("methods",)), joined(rest[cut:], ("results",))
