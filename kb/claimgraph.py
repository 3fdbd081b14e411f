"""The claim graph read whole: every claim on an entity, graded as an answer grades it, and a readable network.

Nothing here decides a direction or a certainty of its own: claims are matched, grouped and graded by the answer
path's own code (kb.evidence.select, kb.hypotheses.group and hypothesis, kb.grade), one intervention at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from pydantic import Field

from kb.answers import Citation, CitedClaim, Hypothesis, Query, QueryEntity
from kb.claims import Direction
from kb.grade import LEVELS
from kb.hypotheses import GroupKey, cite, group, hypothesis, one_way, per_study
from kb.lexicon import Lexicon
from kb.linking import link_citations
from kb.evidence import Fit, outcome_key, select
from kb.models import WITHDRAWN, EntityType, Frozen, make_id
from kb.records import cited_claim_from_hit
from kb.sections import editorial_notes
from kb.store import Filter, Match, Store
from kb.terms import core, covers_any, normalize

# NOTE: past about forty edges a force layout is a hairball; the strongest findings are kept, the count of the
# rest is shown.
MAX_EDGES = 40
Graded = tuple[GroupKey, Hypothesis]


class EntityView(Frozen):
    """Every claim where one entity is the intervention or the outcome, graded per finding."""

    name: str
    forms: tuple[str, ...] = Field(description="The names the entity was matched under.")
    as_intervention: tuple[Hypothesis, ...] = ()
    as_outcome: tuple[Hypothesis, ...] = ()
    not_counted: tuple[Citation, ...] = Field(default=(), description="Claims naming the entity that no finding "
                                              "counts, each with the reason.")


class GraphNode(Frozen):
    """An entity of the network."""

    id: str
    label: str
    role: Literal["intervention", "outcome", "focus"]


class GraphEdge(Frozen):
    """A graded finding: intervention -> outcome, with its direction, certainty and cited claims."""

    id: str
    source: str
    target: str
    label: str
    direction: Direction
    certainty: str
    speculative: bool = False
    n_studies: int = 0
    citations: tuple[Citation, ...] = ()


class ClaimGraph(Frozen):
    """A network of entities and findings, capped to a readable size."""

    nodes: tuple[GraphNode, ...] = ()
    edges: tuple[GraphEdge, ...] = ()
    left_out: int = Field(default=0, description="Findings not drawn because the network was capped.")


def stored_claims(store: Store, doc_ids: Iterable[str] | None = None) -> tuple[list[CitedClaim], dict[str, set[str]]]:
    """Return the stored claims (of some documents, or all) linked into studies, and which document cites which."""
    wanted = None if doc_ids is None else sorted(set(doc_ids))
    if wanted == []:
        return [], {}
    flt = Filter(must=(Match("doc_id", any_of=tuple(wanted)),)) if wanted is not None else None
    cited = [cited_claim_from_hit(h) for h in store.scroll("claims", flt)]
    linked, links = link_citations(store, cited)
    return linked, links.cites


def entity(name: str, role: Literal["intervention", "outcome", "condition"], lexicon: Lexicon | None,
           type_: EntityType | None = None, synonyms: Sequence[str] = ()) -> QueryEntity:
    """Return a name as the lexicon knows it (its heading and every entry term of its MeSH id) in one role."""
    term = lexicon.lookup(name) if lexicon else None
    nid = term.normalized_id if term else None
    more = lexicon.synonyms(nid) if lexicon and nid else ()
    forms = tuple(dict.fromkeys(f for f in (name.strip(), *synonyms, *more) if f))
    return QueryEntity(text=name.strip(), role=role, name=term.name if term else name.strip(),
                       type=type_ or (term.type if term else "other"), normalized_id=nid, synonyms=forms)


def intervention_of(c: CitedClaim) -> str:
    """Return the key a claim's intervention is grouped under: its name without dose, schedule or route."""
    return core(c.claim.subject.name) or normalize(c.claim.subject.name)


def graded(cited: Sequence[CitedClaim], query: Query,
           cites: Mapping[str, set[str]]) -> tuple[list[Graded], list[Citation]]:
    """Return every finding the claims support for a query, graded (no cap), and the claims not counted, why."""
    kept, _ = editorial_notes(cited)
    # NOTE: a retracted paper is never evidence; its claims are shown apart, saying so.
    others = [(c, "its paper was retracted; its findings are not counted as evidence") for c in cited
              if WITHDRAWN.intersection(c.source.notices)]
    fits, judged = select(kept, query, cites)
    others += judged
    fits, left = one_way(fits)
    found: list[Graded] = []
    for key, members in group(fits).items():
        left += per_study(members)[1]
        found.append((key, hypothesis(key, members, query)))
    not_counted = [c.citation(why) for c, why in others] + [cite(f, why) for f, why in left]
    return found, not_counted


def per_intervention(cited: Sequence[CitedClaim], cites: Mapping[str, set[str]], lexicon: Lexicon | None,
                     *others: QueryEntity) -> tuple[list[Graded], list[Citation]]:
    """Return the findings of the claims graded one intervention at a time, with the other asked entities."""
    cited, skipped = one_reading(cited, Query(question="", entities=others))
    parts: dict[str, list[CitedClaim]] = {}
    for c in cited:
        parts.setdefault(intervention_of(c), []).append(c)
    found: list[Graded] = []
    for key in sorted(parts):
        claims = parts[key]
        subject = claims[0].claim.subject
        asked = entity(subject.name, "intervention", lexicon, "intervention", (key, *subject.synonyms))
        query = Query(question=f"{subject.name}", entities=(asked, *others))
        got, left = graded(claims, query, cites)
        found += got
        skipped += left
    return found, skipped


def one_reading(cited: Sequence[CitedClaim], query: Query) -> tuple[list[CitedClaim], list[Citation]]:
    """Return the claims with a result a study states both ways round ("A lowered X against B", "B raised X against
    A") kept once, its stronger reading, and the other readings with the reason."""
    # NOTE: grading one intervention at a time would put the two readings under two interventions; kb.hypotheses
    # decides which reading is kept, the same way as within one.
    fits = [Fit(c, None, None, c.claim.subject.name, c.claim.comparator, outcome_key(c.claim.object.name, query), 0,
                outcome_name=c.claim.object.name) for c in cited]
    kept, dropped = one_way(fits)
    return [f.cited for f in kept], [cite(f, why) for f, why in dropped]


def _names(c: CitedClaim, side: Literal["subject", "object"]) -> list[str]:
    e = c.claim.subject if side == "subject" else c.claim.object
    return [e.name, *e.synonyms]


def entity_view(cited: Sequence[CitedClaim], cites: Mapping[str, set[str]], name: str,
                lexicon: Lexicon | None) -> EntityView:
    """Return every finding where the named entity is the intervention or the outcome, graded."""
    as_i = entity(name, "intervention", lexicon, "intervention")
    as_o = entity(name, "outcome", lexicon, "outcome")
    subject = [c for c in cited if covers_any(as_i.forms(), _names(c, "subject"))]
    obj = [c for c in cited if covers_any(as_o.forms(), _names(c, "object"))]
    found_i, left_i = graded(subject, Query(question=name, entities=(as_i,)), cites)
    found_o, left_o = per_intervention(obj, cites, lexicon, as_o)
    unique = {(c.doc_id, c.start, c.end): c for c in (*left_i, *left_o)}
    return EntityView(name=as_i.name, forms=as_i.forms(), as_intervention=tuple(ordered(h for _, h in found_i)),
                      as_outcome=tuple(ordered(h for _, h in found_o)), not_counted=tuple(unique.values()))


def ordered(hypotheses: Iterable[Hypothesis]) -> list[Hypothesis]:
    """Return findings most certain first, then by studies, then by label (a stable order)."""
    return sorted(hypotheses, key=lambda h: (h.speculative, -LEVELS.index(h.confidence), -h.n_studies, h.label))


def node_id(name: str) -> str:
    """Return the node id of an entity name (one node per name, however it is written)."""
    return make_id("node", normalize(name))


def network(hypotheses: Sequence[Hypothesis], focus: str | None = None, limit: int = MAX_EDGES) -> ClaimGraph:
    """Return the network of findings: the most certain and best studied first, at most limit edges."""
    kept = ordered(hypotheses)[:limit]
    nodes: dict[str, GraphNode] = {}
    edges = []
    for h in kept:
        roles: tuple[tuple[Literal["intervention", "outcome"], str], ...] = (("intervention", h.intervention),
                                                                            ("outcome", h.outcome))
        for role, name in roles:
            nodes.setdefault(node_id(name), GraphNode(id=node_id(name), label=name, role=role))
        cited = tuple(c.claim_id for c in (*h.supporting, *h.contradicting))
        edges.append(GraphEdge(id=make_id("edge", h.label, *cited), source=node_id(h.intervention),
                               target=node_id(h.outcome), label=h.label, direction=h.direction,
                               certainty=h.confidence, speculative=h.speculative, n_studies=h.n_studies,
                               citations=(*h.supporting, *h.contradicting)))
    if focus and (hub := nodes.get(node_id(focus))):
        nodes[hub.id] = hub.model_copy(update={"role": "focus"})
    return ClaimGraph(nodes=tuple(nodes.values()), edges=tuple(edges), left_out=len(hypotheses) - len(kept))


def neighbourhood(view: EntityView, limit: int = MAX_EDGES) -> ClaimGraph:
    """Return the network around an entity: its findings as intervention and as outcome."""
    return network([*view.as_intervention, *view.as_outcome], focus=view.name, limit=limit)
