"""A question's words mapped to the words studies use: lay terms, MeSH entry terms and abbreviations."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal

from kb.answers import Query, QueryEntity
from kb.lexicon import Lexicon, Mention
from kb.models import EntityType
from kb.abbrev import abbreviations
from kb.terms import is_abbreviation, normalize

LAY_FILE = "lay_synonyms.tsv"
# NOTE: a drug's MeSH entry terms run to dozens of brand names and codes; the first ones are the useful ones.
MAX_FORMS = 40
Relation = Literal["same", "related"]


@dataclass(frozen=True)
class LayTerm:
    """A consumer-health or abbreviated term and the clinical term a study would use for it."""

    lay: str
    clinical: str
    type: EntityType
    relation: Relation


@cache
def lay_terms() -> tuple[LayTerm, ...]:
    """Return the committed consumer-health synonym list (kb/data/lay_synonyms.tsv)."""
    text = files("kb").joinpath("data", LAY_FILE).read_text(encoding="utf-8")
    rows = csv.DictReader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t",
                          quoting=csv.QUOTE_NONE)
    return tuple(LayTerm(r["lay"], r["clinical"], r["type"], r["relation"]) for r in rows)  # type: ignore[arg-type]


@cache
def _by_lay() -> dict[str, tuple[LayTerm, ...]]:
    table: dict[str, list[LayTerm]] = {}
    for t in lay_terms():
        table.setdefault(normalize(t.lay), []).append(t)
    return {k: tuple(v) for k, v in table.items()}


@cache
def _by_clinical() -> dict[str, tuple[LayTerm, ...]]:
    table: dict[str, list[LayTerm]] = {}
    for t in lay_terms():
        if t.relation == "same":
            table.setdefault(normalize(t.clinical), []).append(t)
    return {k: tuple(v) for k, v in table.items()}


def _alternation(terms: list[str]) -> str:
    return "|".join(re.escape(t).replace(r"\ ", r"[\s-]+") for t in sorted(set(terms), key=len, reverse=True))


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Return the lay-term finders: words in any case (plurals too), abbreviations in their own case."""
    terms = [t.lay for t in lay_terms()]
    words = _alternation([t for t in terms if not is_abbreviation(t)])
    shorts = _alternation([t for t in terms if is_abbreviation(t)])
    return (re.compile(rf"(?<![\w'-])(?:{words})(?:e?s)?(?![\w'-])", re.I),
            re.compile(rf"(?<![\w-])(?:{shorts})(?![\w-])"))


def _first(rows: tuple[LayTerm, ...]) -> LayTerm:
    return next((r for r in rows if r.relation == "same"), rows[0])


def lay_mentions(text: str) -> list[Mention]:
    """Return the lay terms of a text (longest first, never overlapping), typed by the list."""
    found: list[Mention] = []
    for pattern in _patterns():
        for m in pattern.finditer(text):
            rows = _by_lay().get(normalize(m.group())) or _by_lay().get(normalize(m.group()).removesuffix("e"))
            if rows and all(m.end() <= f.start or m.start() >= f.end for f in found):
                # NOTE: named as asked; the clinical terms become its synonyms (expand_entity), never its name.
                found.append(Mention(m.start(), m.end(), m.group(), m.group(), _first(rows).type))
    return sorted(found, key=lambda f: f.start)


def merge_mentions(lay: list[Mention], known: list[Mention]) -> list[Mention]:
    """Return lexicon mentions, with a lay mention instead where it is longer (reliever inhaler > inhaler)."""
    keep = [k for k in known if not any(_longer(m, k) for m in lay)]
    extra = [m for m in lay if all(m.end <= k.start or m.start >= k.end for k in keep)]
    return sorted([*keep, *extra], key=lambda m: m.start)


def _longer(lay: Mention, known: Mention) -> bool:
    return lay.start < known.end and known.start < lay.end and lay.end - lay.start > known.end - known.start


def combinations(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """Return mentions with drugs joined by '-', '/' or '+' kept whole (budesonide-formoterol is one product)."""
    out: list[Mention] = []
    for m in mentions:
        last = out[-1] if out else None
        if (last is not None and "intervention" == last.type == m.type and m.start - last.end == 1
                and text[last.end] in "-/+–"):
            surface = text[last.start : m.end]
            out[-1] = Mention(last.start, m.end, surface, surface, "intervention")
        else:
            out.append(m)
    return out


def _lexicon_forms(terms: list[str], ids: list[str | None], lexicon: Lexicon | None) -> list[str]:
    """Return the entry terms of the descriptors the terms (or ids) name in the lexicon."""
    if lexicon is None:
        return []
    found = [i for i in ids if i]
    for term in terms:
        hit = lexicon.lookup(term)
        found += [hit.normalized_id] if hit is not None and hit.normalized_id else []
    return [form for i in dict.fromkeys(found) for form in lexicon.synonyms(i)]


def _unique(forms: list[str], skip: set[str]) -> tuple[str, ...]:
    out: dict[str, str] = {}
    for f in forms:
        key = normalize(f) if not is_abbreviation(f) else f
        if f.strip() and key not in skip and key not in out:
            out[key] = f.strip()
    return tuple(out.values())[:MAX_FORMS]


def expand_entity(entity: QueryEntity, defined: dict[str, str], lexicon: Lexicon | None) -> QueryEntity:
    """Return an entity with the forms a study may use for it: synonyms (same thing) and related terms."""
    name, same, related = entity.name, [], []
    for short, long in defined.items():
        if f"({short})" in entity.text or entity.text == short:
            name, same = long, [*same, long, short]
    for key in {normalize(entity.text), normalize(name)}:
        for row in _by_lay().get(key, ()):
            (same if row.relation == "same" else related).append(row.clinical)
    # NOTE: one step back from each clinical name: "short-acting beta-agonist" is also written "SABA".
    for key in {normalize(entity.text), normalize(name), *map(normalize, same)}:
        same += [row.lay for row in _by_clinical().get(key, ())]
    same += _lexicon_forms([name, *same], [entity.normalized_id], lexicon)
    related += _lexicon_forms(related, [], lexicon)
    skip = {normalize(name), normalize(entity.text), entity.text}
    forms = _unique(same, skip)
    return entity.model_copy(update={"name": name, "synonyms": forms,
                                     "related": _unique(related, skip | {normalize(f) for f in forms})})


def expand_query(query: Query, lexicon: Lexicon | None) -> Query:
    """Return the query with every entity's synonyms and related terms filled in."""
    defined = abbreviations(query.question)
    return query.model_copy(update={"entities": tuple(expand_entity(e, defined, lexicon) for e in query.entities)})
