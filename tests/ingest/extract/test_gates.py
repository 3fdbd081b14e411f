"""The gates an LLM's claims pass: a finding of this study, named entities, a direction the statistics allow."""

from __future__ import annotations

from functools import cache

from ingest.extract.gates import gate
from ingest.nlp.reading import Reading, read_document
from ingest.nlp.sentences import encoded_text
from kb.claims import Claim, Quote, claim_id
from kb.embed import OnnxMiniLM
from kb.lexicon import Lexicon
from kb.models import Chunk, Document, Entity, Section, content_hash, entity_id, make_id

BACKGROUND = "Earlier trials found that aspirin reduced headache pain [12]."
METHODS = "We randomly assigned 120 adults with migraine to aspirin or placebo for 12 weeks."
RESULT = "Aspirin did not reduce migraine frequency compared with placebo (p = 0.40)."


@cache
def reading() -> Reading:
    """Return a small trial report read as ingest reads it."""
    text = f"Aspirin for migraine\n\n{BACKGROUND}\n\n{METHODS}\n\n{RESULT}\n"
    sections = (Section(title="Background", kind="background", start=22, end=22 + len(BACKGROUND)),
                Section(title="Methods", kind="methods", start=text.index(METHODS),
                        end=text.index(METHODS) + len(METHODS)),
                Section(title="Results", kind="results", start=text.index(RESULT), end=len(text) - 1))
    doc = Document(id=make_id("d", text), kind="text", source="t.md", content_hash=content_hash(text),
                   title="Aspirin for migraine", text=text, sections=sections, study_design="rct")
    chunk = Chunk(id=make_id("c", doc.id), doc_id=doc.id, text=text, start=0, end=len(text))
    encoder = OnnxMiniLM(batch=8)
    return read_document(doc, [chunk], encoder.encode([encoded_text(doc, chunk)]).states, Lexicon.empty(), encoder)


def _claim(r: Reading, sentence: str, subject: str, predicate: str, obj: str, direction: str) -> Claim:
    start = r.doc.text.index(sentence)
    quote = Quote(text=sentence, doc_id=r.doc.id, start=start, end=start + len(sentence))
    s = Entity(id=entity_id(subject, "intervention"), name=subject, type="intervention")
    o = Entity(id=entity_id(obj, "outcome"), name=obj, type="outcome")
    return Claim(id=claim_id(r.doc.id, quote, s, predicate, o), doc_id=r.doc.id, chunk_id=r.chunks[0].id,
                 subject=s, predicate=predicate, object=o, direction=direction, quote=quote,  # type: ignore[arg-type]
                 extractor="llm", extractor_version="1", confidence=0.8)


def test_another_studys_result_is_dropped() -> None:
    r = reading()
    gated = gate(_claim(r, BACKGROUND, "aspirin", "decreases", "headache pain", "decrease"), r, None)
    assert gated.claim is None and "other studies" in gated.reason


def test_a_fragment_for_a_name_is_dropped() -> None:
    r = reading()
    gated = gate(_claim(r, RESULT, "Aspirin did not", "no_effect_on", "migraine frequency", "no_difference"), r, None)
    assert gated.claim is None and "not a name" in gated.reason


def test_statistics_overrule_the_models_direction() -> None:
    r = reading()
    gated = gate(_claim(r, RESULT, "Aspirin", "decreases", "migraine frequency", "decrease"), r, None)
    assert gated.claim is not None
    kept = gated.claim
    assert (kept.predicate, kept.direction, kept.restatable, kept.study_design) == (
        "no_effect_on", "no_difference", True, "rct")
    assert kept.id != _claim(r, RESULT, "Aspirin", "decreases", "migraine frequency", "decrease").id
