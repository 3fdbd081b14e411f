"""medkb optimize: indexes an embedded knowledge base without changing a single answer."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.app.test_cli import demo_store, medkb  # noqa: F401  (a fixture, used by name)

QUESTIONS = ("Does zelmorant reduce exacerbations in asthma?", "Does quorvafil lower blood pressure?")


def test_optimize_keeps_every_answer(demo_store: Path, tmp_path: Path) -> None:  # noqa: F811
    copy = tmp_path / "kb"
    subprocess.run(["cp", "-r", str(demo_store), str(copy)], check=True)  # NOTE: cp keeps sparse files sparse
    before = [medkb("ask", q, "--json", "--store", str(copy)) for q in QUESTIONS]
    code, out, err = medkb("optimize", "--store", str(copy))
    assert code == 0, err
    assert "optimized: 156 points indexed" in " ".join(out.split())
    assert [medkb("ask", q, "--json", "--store", str(copy)) for q in QUESTIONS] == before


def test_optimize_on_a_server_leaves_it_to_the_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDKB_QDRANT_URL", ":memory:")
    code, out, _ = medkb("optimize", "--store", str(tmp_path))
    assert code == 0 and "optimizes its collections itself" in " ".join(out.split())


def test_optimize_without_a_knowledge_base_says_so(tmp_path: Path) -> None:
    code, _, err = medkb("optimize", "--store", str(tmp_path / "none"))
    assert code == 1 and "no knowledge base at" in err and "Traceback" not in err
