"""What MedKB reads in one document, once, before any extractor runs: its sentences and what each one does, the
PICO spans, the abbreviations it defines, the study's arms and population, and the lexicon it is read with.

One owner per fact: the rule extractor and the LLM extractor's gates both take the same Reading, so a sentence's
role or a span's label is decided here once and never re-decided downstream.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.nlp.arms import Arms, generic_arm, intervention_key, study_arms
from ingest.nlp.mentions import MEASURED_AFTER, sentence_mentions, short_forms
from ingest.nlp.pico import PicoSpan, tag_pico
from ingest.nlp.roles import Role, read_roles
from ingest.nlp.sentences import Sentence, chunk_states, document_sentences, fill_missing, sentence_vectors
from kb.abbrev import abbreviations
from kb.embed import Embedder, TokenStates
from kb.lexicon import Lexicon, Mention
from kb.models import Chunk, Document

# NOTE: next to a name, only giving words say the study gives it ("compared fasting insulin" measures insulin).
_GIVING = re.compile(r"\b(?:receiv|randomi[sz]|allocat|assign|administ|given|treated with|supplement|dose|doses|dosing|"
                     r"infus|inject|\d+\s*(?:mg|µg|mcg|g|ml|iu)\b)", re.I)
# NOTE: what a title says the study reduces or prevents is its outcome, however often the tagger calls it a treatment
# ("An enhanced exercise and cognitive programme does not appear to reduce incident delirium").
# NOTE: "... self-care of children with diabetes": what the people studied have is their condition, not a treatment.
_TARGET = re.compile(r"\b(?:reduc\w*|prevent\w*|decreas\w*|lower\w*|incidence\s+of|risk\s+of|prevention\s+of|"
                     r"(?:patients|children|adults|adolescents|infants|women|men|people|subjects|individuals)\s+with)\s+"
                     r"(?:(?:the|incident|postoperative|post-operative|acute|severe|new)\s+)*"
                     r"(?P<x>[\w-]+(?:\s+[\w-]+){0,2})",
                     re.IGNORECASE)
_ENROLLED = re.compile(r"^(?:(?:we|were|was|had|been)\s+)?(?:(?:randomly|consecutively)\s+)?(?:assigned|allocated|"
                       r"randomi[sz]ed|enrolled|included|recruited|studied|conducted\s+in)\s+", re.I)
# NOTE: words that make a participants span a population ("adults with mild asthma"), not a count or a setting.
_PEOPLE = ("patient", "adult", "child", "infant", "women", "woman", "men", "man", "participant", "subject",
           "people", "person", "individual", "volunteer", "smoker", "student", "neonate", "adolescent", "elderly",
           "girl", "boy", "mother", "pregnan", "survivor", "resident", "worker", "athlete", "veteran", "user")


@dataclass(frozen=True)
class Reading:
    """A document as MedKB's models read it (held only while the document is extracted)."""

    doc: Document
    chunks: tuple[Chunk, ...]
    sentences: tuple[Sentence, ...]
    roles: tuple[Role, ...]  # NOTE: one per sentence
    mentions: tuple[tuple[Mention, ...], ...]  # NOTE: one tuple per sentence, offsets within the sentence
    pico: tuple[PicoSpan, ...]
    # NOTE: the knowledge base's lexicon as it stood when the run began, plus this document's own terms: what
    # other documents of the same run taught it never changes what this one says.
    lexicon: Lexicon
    arms: Arms = Arms()
    population: str | None = None
    abbreviations: tuple[tuple[str, str], ...] = ()
    given: frozenset[str] = frozenset()  # NOTE: keys (MeSH id, else folded name) of the interventions the study gives
    encoded_alone: int = 0  # NOTE: sentences no chunk held whole inside the encoder's window, encoded by themselves

    def text(self, i: int) -> str:
        """Return the text of sentence i."""
        return self.doc.text[self.sentences[i].start : self.sentences[i].end]

    def chunk_of(self, i: int) -> Chunk | None:
        """Return the first chunk that holds sentence i whole."""
        s = self.sentences[i]
        return next((c for c in self.chunks if c.start <= s.start and s.end <= c.end), None)

    def studied_keys(self) -> frozenset[str]:
        """Return the keys of every intervention the study gives: what the reading found, and its arms."""
        arms = [m for m in (self.arms.active, *(m for _, m in self.arms.labels)) if m is not None]
        return self.given | {intervention_key(m.normalized_id, m.surface) for m in arms}

    def sentences_in(self, start: int, end: int) -> list[int]:
        """Return the indexes of the sentences that overlap the span [start, end)."""
        return [i for i, s in enumerate(self.sentences) if s.start < end and start < s.end]


def read_document(doc: Document, chunks: Sequence[Chunk], states: Sequence[TokenStates | None] | None,
                  lexicon: Lexicon, encoder: Embedder | None) -> Reading:
    """Return the Reading of a document from its chunks and their token states (from the chunk pass).

    Without states and encoder (tests, text-only tools) sentences have no vectors and no PICO spans, and the models
    read their cues alone.
    """
    placed = tuple(chunk_states(doc, c, s) for c, s in zip(chunks, states or [None] * len(chunks), strict=True))
    sentences = document_sentences(doc, chunks)
    vectors = sentence_vectors(sentences, chunks, placed)
    vectors, alone = fill_missing(doc, sentences, vectors, encoder) if encoder else (vectors, 0)
    texts = [doc.text[s.start : s.end] for s in sentences]
    bounds = [(s.start, s.end) for s in sentences]
    pico = tag_pico(placed, doc.text, bounds) if any(p is not None for p in placed) else []
    roles = read_roles(texts, sentences, vectors)
    defined = abbreviations(doc.text, bounds)
    found = [sentence_mentions(t, s.start, lexicon, pico) for t, s in zip(texts, sentences, strict=True)]
    found = [[*ms, *short_forms(t, ms, defined, lexicon)] for t, ms in zip(texts, found, strict=True)]
    # NOTE: "CG" defined as "Control Group" names an arm, never an intervention.
    found = [[m for m in ms if generic_arm(defined.get(m.surface, "")) is None] for ms in found]
    title = lexicon.find(doc.title)
    typed, given = studied(found, texts, [s.start for s in sentences], roles, pico, title, title_targets(doc.title))
    mentions = tuple(tuple(ms) for ms in typed)
    arms = study_arms(mentions, title_mentions(doc.title, title, mentions, given), texts, given, defined)
    return Reading(doc, tuple(chunks), tuple(sentences), tuple(roles), mentions, tuple(pico), lexicon, arms,
                   _population(doc, pico), tuple(defined.items()), given, alone)


def _key(m: Mention) -> str:
    """Return a mention's intervention key."""
    return intervention_key(m.normalized_id, m.surface)


def title_targets(title: str) -> tuple[str, ...]:
    """Return what a title says the study reduces or prevents, or its people have ("reduce incident delirium",
    "children with diabetes")."""
    return tuple(m["x"].casefold() for m in _TARGET.finditer(title))


def studied(found: Sequence[Sequence[Mention]], texts: Sequence[str], starts: Sequence[int], roles: Sequence[Role],
            pico: Sequence[PicoSpan], title: Sequence[Mention],
            targets: Sequence[str] = ()) -> tuple[list[list[Mention]], frozenset[str]]:
    """Return the mentions, with a lexicon drug the study does not give retyped as an outcome ("higher
    creatinine"), and the keys of what the study gives.

    What the study gives is what its title or aims name as an intervention, what its methods name beside a giving
    word, or what the PICO tagger tags as one in three sentences, one in the first half; a chemical named only in its
    results is something it measured.
    """
    tagged = [(p.start, p.end) for p in pico if p.label == "I"]
    given = {_key(m) for m in title if m.type == "intervention"}
    seen: dict[str, set[int]] = {}
    for i, (ms, start, role, text) in enumerate(zip(found, starts, roles, texts, strict=True)):
        aims = role.role == "objective"
        given |= {_key(m) for m in ms if m.type == "intervention" and (aims or (role.role == "methods"
                                                                                and _given_here(text, m)))}
        for m in ms:
            if m.type == "intervention" and any(a <= start + m.start and start + m.end <= b for a, b in tagged):
                seen.setdefault(_key(m), set()).add(i)
    # NOTE: tagged as an intervention in three sentences, one of them in the abstract's first half.
    given |= {key for key, where in seen.items() if len(where) >= 3 and min(where) < len(texts) // 2
              and not any(re.search(rf"(?<!\w){re.escape(key)}(?!\w)", t) for t in targets)}
    typed = [[m if m.type != "intervention" or _key(m) in given or not m.normalized_id
              else Mention(m.start, m.end, m.surface, m.name, "outcome", m.normalized_id) for m in ms] for ms in found]
    names = {m.surface.casefold(): m for ms in typed for m in ms if m.type == "intervention" and _key(m) in given}
    names |= {m.surface.casefold(): m for m in title if m.type == "intervention"}
    return [sorted([*ms, *_named_again(text, ms, names)], key=lambda m: (m.start, -m.end))
            for ms, text in zip(typed, texts, strict=True)], frozenset(given)


def title_mentions(title: str, known: Sequence[Mention], mentions: Sequence[Sequence[Mention]],
                   given: frozenset[str]) -> list[Mention]:
    """Return the title's mentions: the lexicon's, and the places it names an intervention the study gives."""
    # NOTE: the title names the study's intervention even where only the PICO tagger found it ("atorvastatin").
    named = {m.surface.casefold(): m for ms in mentions for m in ms if m.type == "intervention" and _key(m) in given}
    return [*known, *_named_again(title, known, named)]


def _given_here(text: str, m: Mention) -> bool:
    """Return whether a methods sentence gives this mention: a giving word up to twelve words before it or six after
    ("randomised to X", "X 10 mg was administered", "the X group"), not anywhere in a sentence that measures things."""
    before = " ".join(text[: m.start].split()[-12:])  # NOTE: "assigned adults to A, B, C or D": a list of arms
    after = " ".join(text[m.end :].split()[:6])
    return (_GIVING.search(before) is not None or _GIVING.search(after) is not None
            or after.startswith(("group", "arm")))


def _named_again(text: str, found: Sequence[Mention], names: dict[str, Mention]) -> list[Mention]:
    """Return the places a sentence names an intervention the study gives where no mention covers it yet."""
    out: list[Mention] = []
    for key, given in names.items():
        for m in re.finditer(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text, re.I):
            # NOTE: "oxygen saturation" measures the oxygen a study's methods gave; it is not given there.
            if not any(f.start < m.end() and m.start() < f.end for f in (*found, *out)) and not MEASURED_AFTER.match(
                    text, m.end()):
                out.append(Mention(m.start(), m.end(), m.group(), given.name, "intervention", given.normalized_id))
    return out


def _population(doc: Document, pico: Sequence[PicoSpan]) -> str | None:
    """Return the study's population: the first participants span that names people, with its qualifiers."""
    for span in pico:
        text = _ENROLLED.sub("", doc.text[span.start : span.end])
        if span.label == "P" and len(text.split()) >= 2 and any(w in text.casefold() for w in _PEOPLE):
            return " ".join(text.split())
    return None
