"""Entity lexicon: dictionary terms matched in text with an Aho-Corasick automaton."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

import ahocorasick

from kb.models import Document, EntityType

# NOTE: general words that MeSH lists as headings but that name nothing in a claim.
STOP_TERMS = frozenset("""
patients patient time risk risks disease diseases therapy therapeutics methods method results result control
controls group groups study studies treatment treatments women men children adults age ages humans human male
female animals population health care data report reports analysis change changes role use effect effects
association associations research trial trials weights measures sample set sets problem problems parent parents
level levels rate rates ratio ratios mass area areas sex pressure growth length size work rest play light cold
family families life need needs goal goals single base bases cause causes period periods mean median
probability prevalence incidence odds
""".split()) | {
    "odds ratio", "odds ratios", "hazard ratio", "hazard ratios", "rate ratio", "risk ratio", "relative risk",
    "confidence interval", "confidence intervals", "standard deviation", "p value", "regression analysis",
}

# NOTE: outcome words common in trials; MeSH types several of them otherwise (hospitalization is E02).
SEED_OUTCOMES = (
    "mortality", "all-cause mortality", "death", "deaths", "survival", "overall survival", "progression-free survival",
    "disease-free survival", "event-free survival", "hospitalization", "hospitalisation", "hospitalizations",
    "hospitalisations", "hospital admission", "readmission", "exacerbation", "exacerbations", "severe exacerbations",
    "pain", "pain scores", "quality of life", "health-related quality of life", "HbA1c", "glycated hemoglobin",
    "blood pressure", "systolic blood pressure", "diastolic blood pressure", "body weight", "weight", "weight loss",
    "adverse events", "adverse effects", "serious adverse events", "side effects", "relapse", "recurrence",
    "response rate", "remission", "length of stay", "symptom control", "asthma control", "fatigue", "depression",
    "anxiety", "cognitive function", "fasting glucose", "LDL cholesterol", "bleeding", "major bleeding", "infection",
    "complications", "recovery",
)

OWN_TYPE_OF_SOURCE: dict[str, EntityType] = {"chemical": "intervention", "keyword": "other"}


@dataclass(frozen=True, slots=True)
class LexiconTerm:
    """A surface term and the entity it names."""

    term: str
    name: str
    type: EntityType = "other"
    normalized_id: str | None = None

    @property
    def case_sensitive(self) -> bool:
        """Return whether the term must match with its exact case (short acronyms like AIDS)."""
        return len(self.term) <= 6 and self.term.isupper()


@dataclass(frozen=True, slots=True)
class Mention:
    """A lexicon term found in a text, with its character span."""

    start: int
    end: int
    surface: str
    name: str
    type: EntityType
    normalized_id: str | None = None


def fold(text: str) -> str:
    """Return text casefolded character by character, so offsets stay aligned."""
    folded = text.casefold()
    if len(folded) == len(text):
        return folded
    return "".join(f if len(f := c.casefold()) == 1 else c for c in text)


@dataclass(frozen=True, slots=True)
class _Layer:
    """Terms keyed by their folded form and the automaton that finds them; never changed once built."""

    terms: dict[str, LexiconTerm]
    automaton: ahocorasick.Automaton | None

    @classmethod
    def of(cls, terms: dict[str, LexiconTerm]) -> _Layer:
        """Return a layer over the terms."""
        return cls(terms, _automaton(terms))


class Lexicon:
    """Terms mapped to canonical entities, found in text longest-match-first on word boundaries.

    A lexicon is a stack of immutable layers: the base table, then terms added later. A document is read with
    `overlay(its terms)`, which shares every built layer and adds one small layer of its own, so extraction sees
    the knowledge base's lexicon as it stood plus that document, whatever else the run has read.
    """

    def __init__(self, terms: dict[str, LexiconTerm], layers: tuple[_Layer, ...] | None = None) -> None:
        self._layers = layers if layers is not None else (_Layer.of(terms),)
        self._by_id: tuple[tuple[_Layer, ...], dict[str, tuple[str, ...]]] | None = None

    @classmethod
    def empty(cls) -> Lexicon:
        """Return a lexicon holding only the seed outcomes."""
        return cls.from_terms(())

    def _new(self, terms: Iterable[LexiconTerm]) -> dict[str, LexiconTerm]:
        """Return the terms not known yet, keyed by folded form (the first of a clash wins)."""
        fresh: dict[str, LexiconTerm] = {}
        for t in terms:
            key = fold(t.term.strip())
            if key and key not in fresh and self._get(key) is None:
                fresh[key] = t
        return fresh

    def add(self, terms: Iterable[LexiconTerm]) -> int:
        """Add terms in place (existing entries keep their meaning); return how many were new."""
        fresh = self._new(terms)
        if fresh:
            # NOTE: added terms share one top layer, rebuilt as a whole; the MeSH-sized base is never rebuilt.
            top = self._layers[1:]
            merged = {k: v for layer in top for k, v in layer.terms.items()} | fresh
            self._layers = (self._layers[0], _Layer.of(merged))
        return len(fresh)

    def overlay(self, terms: Iterable[LexiconTerm]) -> Lexicon:
        """Return a lexicon that also knows the given terms, leaving this one unchanged."""
        fresh = self._new(terms)
        return Lexicon({}, (*self._layers, _Layer.of(fresh))) if fresh else self

    @classmethod
    def from_terms(cls, terms: Iterable[LexiconTerm], *, seed: bool = True) -> Lexicon:
        """Return a lexicon of the terms (a descriptor's own heading wins a clash), plus the seed outcomes."""
        table: dict[str, LexiconTerm] = {}
        for term in terms:
            key = fold(term.term.strip())
            old = table.get(key)
            if old is None or (fold(term.name) == key and fold(old.name) != key):
                table[key] = term
        if seed:
            for word in SEED_OUTCOMES:
                old = table.get(fold(word))
                table[fold(word)] = replace(old, type="outcome") if old else LexiconTerm(word, word, "outcome")
        return cls(table)

    def __len__(self) -> int:
        return sum(len(layer.terms) for layer in self._layers)

    def __iter__(self) -> Iterator[LexiconTerm]:
        for layer in self._layers:
            yield from layer.terms.values()

    def _get(self, key: str) -> LexiconTerm | None:
        """Return the term under a folded key, from the first layer that has it."""
        for layer in self._layers:
            if (hit := layer.terms.get(key)) is not None:
                return hit
        return None

    def lookup(self, name: str) -> LexiconTerm | None:
        """Return the term stored under a name (case-insensitive), if any."""
        return self._get(fold(name.strip()))

    def synonyms(self, normalized_id: str) -> tuple[str, ...]:
        """Return every term the lexicon maps to one normalized id (a MeSH heading and its entry terms)."""
        if self._by_id is None or self._by_id[0] is not self._layers:
            index: dict[str, list[str]] = {}
            for t in self:
                if t.normalized_id:
                    index.setdefault(t.normalized_id, []).append(t.term)
            # NOTE: built once per set of layers; adding terms replaces the layers, so the index follows.
            self._by_id = (self._layers, {k: tuple(v) for k, v in index.items()})
        return self._by_id[1].get(normalized_id, ())

    def add_document_terms(self, doc: Document) -> Lexicon:
        """Return a new lexicon that also knows the document's MeSH headings, chemicals and keywords."""
        return self.overlay(terms_from_document(doc, self))

    def find(self, text: str) -> list[Mention]:
        """Return non-overlapping mentions in text order; the longest match wins, never inside a word."""
        folded = fold(text)
        candidates = []
        for layer in self._layers:
            if layer.automaton is None:
                continue
            for last, (length, term) in layer.automaton.iter(folded):
                start = last + 1 - length
                if _on_word_boundary(text, start, last + 1) and _case_ok(term, text[start : last + 1]):
                    candidates.append((start, last + 1, term))
        taken: list[tuple[int, int, LexiconTerm]] = []
        for start, end, term in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, term))
        taken.sort(key=lambda c: c[0])
        return [Mention(s, e, text[s:e], t.name, t.type, t.normalized_id) for s, e, t in taken]


def _automaton(terms: dict[str, LexiconTerm]) -> ahocorasick.Automaton | None:
    """Return an Aho-Corasick automaton over the folded terms, or None when there are none."""
    if not terms:
        return None
    automaton = ahocorasick.Automaton()
    for key, term in terms.items():
        automaton.add_word(key, (len(key), term))
    automaton.make_automaton()
    return automaton


def _on_word_boundary(text: str, start: int, end: int) -> bool:
    """Return whether text[start:end] is not glued to letters or digits on either side."""
    return (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())


def _case_ok(term: LexiconTerm, surface: str) -> bool:
    """Return whether a case-sensitive term (short acronym) appears with its exact case."""
    return not term.case_sensitive or surface == term.term


def keep_term(term: str) -> bool:
    """Return whether a term is specific enough to match in running text."""
    if fold(term) in STOP_TERMS or term.isdigit():
        return False
    return len(term) > 3 or (len(term) >= 2 and term.isupper())


def heading_type(heading: str) -> EntityType:
    """Return a guessed entity type for a MeSH heading not found in the lexicon."""
    words = fold(heading)
    if words.endswith(("itis", "oma", "osis")) or any(
        w in words for w in ("disease", "syndrome", "infection", "disorder", "neoplasm")
    ):
        return "condition"
    if any(w in words for w in ("agent", "drug", "therapy", "inhibitor", "vaccine", "surgery", "antagonist")):
        return "intervention"
    if words in ("humans", "male", "female", "adult", "aged", "child", "adolescent", "infant", "middle aged"):
        return "population"
    return "other"


def terms_from_document(doc: Document, known: Lexicon | None = None) -> list[LexiconTerm]:
    """Return terms from a document's MeSH headings (typed by the lexicon or heuristics), chemicals and keywords."""
    out: list[LexiconTerm] = []
    # NOTE: a heading that is also listed as a chemical of the record is a drug here, whatever its name suggests.
    chemicals = {fold(c) for c in doc.chemicals}
    for source, names in (("mesh", doc.mesh_terms), ("chemical", doc.chemicals), ("keyword", doc.keywords)):
        for name in names:
            hit = known.lookup(name) if known else None
            if hit is not None and hit.type == "other" and fold(name) in chemicals:
                hit = replace(hit, type="intervention")
            if hit is not None:
                out.append(hit)
            elif keep_term(name):
                kind = heading_type(name) if source == "mesh" else OWN_TYPE_OF_SOURCE[source]
                kind = "intervention" if fold(name) in chemicals else kind
                out.append(LexiconTerm(name, name, kind))
    return out
