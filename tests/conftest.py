"""Shared test fixtures: paths to the shared data sets and a knowledge base built from them once."""

from __future__ import annotations

from pathlib import Path

import pytest

# NOTE: the loopback LLM and fetch servers are fixtures every test may ask for by name.
pytest_plugins = ["tests.llm_servers", "tests.fetch_servers"]

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets"
DEMO = ROOT / "data" / "demo"

needs_data = pytest.mark.skipif(not DATA.exists(), reason=f"shared data sets not present at {DATA}")


@pytest.fixture(autouse=True)
def _no_medkb_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's MEDKB_* variables out of the tests."""
    import os

    for name in [n for n in os.environ if n.startswith("MEDKB_")]:
        monkeypatch.delenv(name)
