"""The MeSH 2024 descriptor files as lexicon terms: entry terms typed by their tree numbers."""

from __future__ import annotations

import csv
import gzip
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from kb.errors import ConfigError
from kb.lexicon import LexiconTerm, keep_term
from kb.models import EntityType

MESH_TERMS = "mesh2024_descriptor_terms.tsv.gz"
MESH_TREES = "mesh2024_descriptor_trees.tsv.gz"


def type_of_tree_numbers(trees: Iterable[str]) -> EntityType:
    """Return the entity type implied by MeSH tree numbers (conditions before drugs before outcomes)."""
    trees = tuple(trees)
    if any(t.startswith(("C", "F03")) for t in trees):
        return "condition"
    if any(t.startswith(("D", "E02", "E04")) for t in trees):
        return "intervention"
    if any(t.startswith("G") for t in trees):
        return "outcome"
    if any(t.startswith("M01") for t in trees):
        return "population"
    return "other"


def load_mesh(source: Path | Iterable[Path]) -> Iterator[LexiconTerm]:
    """Yield lexicon terms from the MeSH 2024 descriptor terms and trees files (a folder or the two files)."""
    files = [source / MESH_TERMS, source / MESH_TREES] if isinstance(source, Path) else list(source)
    terms_file = next((f for f in files if f.name == MESH_TERMS), None)
    trees_file = next((f for f in files if f.name == MESH_TREES), None)
    if terms_file is None or trees_file is None or not terms_file.exists() or not trees_file.exists():
        raise ConfigError(f"MeSH files {MESH_TERMS} and {MESH_TREES} not found in {source}; point at mesh_2024/")
    try:
        yield from _terms(terms_file, trees_file)
    except KeyError as e:
        raise ConfigError(f"{terms_file.parent}: a MeSH file lacks the column {e}; use the mesh_2024 files") from e


def _terms(terms_file: Path, trees_file: Path) -> Iterator[LexiconTerm]:
    """Yield the kept entry terms, each typed by its descriptor's tree numbers."""
    trees: dict[str, list[str]] = {}
    for row in _tsv_rows(trees_file):
        trees.setdefault(row["DescriptorUI"], []).append(row["tree_location"])
    for row in _tsv_rows(terms_file):
        term = row["TermName"]
        # NOTE: permuted terms like "Asthma, Bronchial" never occur in prose; plain plurals (also "Y") do.
        if (row["IsPermutedTermYN"] == "Y" and ", " in term) or row["LexicalTag"] == "LAB" or not keep_term(term):
            continue
        ui = row["DescriptorUI"]
        yield LexiconTerm(term, row["DescriptorName"], type_of_tree_numbers(trees.get(ui, ())), ui)


def _tsv_rows(path: Path) -> Iterator[dict[str, str]]:
    """Yield the rows of a (gzipped) tab-separated file with a header; a damaged file is a ConfigError."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as src:  # type: ignore[operator]
            yield from csv.DictReader(src, delimiter="\t", quoting=csv.QUOTE_NONE)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as e:
        # NOTE: click reports a bare EOFError (a truncated gzip) as "Aborted." and nothing else.
        raise ConfigError(f"{path}: the MeSH file is truncated or damaged ({e}); download it again "
                          "(nothing was added to the lexicon)") from e
