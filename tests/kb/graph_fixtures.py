"""A knowledge base of the demo corpus (and of a few real trial records), for the claim graph and topic map tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.resources import KnowledgeBase, open_kb
from ingest.extract.rules import RuleExtractor
from ingest.pipeline import ingest_paths
from kb.config import Settings
from tests.conftest import DATA, DEMO

TRIALS = DATA / "clinicaltrials_gov" / "legacy_xml"
# NOTE: migraine: completed, no results; postpartum depression: recruiting; type 2 diabetes: completed with results.
REAL_TRIALS = ("NCT03435185.xml", "NCT03228394.xml", "NCT02305381.xml")


def built(path: Path, *sources: Path) -> KnowledgeBase:
    """Open a knowledge base and ingest sources with the offline extractor."""
    kb = open_kb(Settings(store=path))
    ingest_paths(list(sources), store=kb.store, embedder=kb.embedder, extractor=RuleExtractor(), lexicon=kb.lexicon)
    return kb


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """The demo corpus, ingested."""
    kb = built(tmp_path_factory.mktemp("demo") / "kb", DEMO)
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def real_trials(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """Three real ClinicalTrials.gov records from the shared data, ingested."""
    kb = built(tmp_path_factory.mktemp("trials") / "kb", *(TRIALS / name for name in REAL_TRIALS))
    yield kb
    kb.close()
