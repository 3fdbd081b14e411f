"""python -m ingest.train: --examples is read before any training starts, and only the models that take examples get
them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from ingest.train import __main__ as cli
from tests.ingest.train.fakes import example


def test_an_unreadable_examples_file_stops_before_training(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "ex.jsonl"
    bad.write_text('{"format": "medkb-training-example/1"}\n')
    assert cli.main(["direction", "--data", str(tmp_path), "--examples", str(bad)]) == 2
    assert f"--examples: {bad}:1: not a medkb-training-example/1 line" in capsys.readouterr().err
    assert cli.main(["direction", "--data", str(tmp_path), "--examples", str(tmp_path / "none.jsonl")]) == 2
    good = example("Zinc reduced pain.", "Zinc", "pain").model_dump_json()
    bad.write_text(f"{good}\n\n{good[:-1]}\n")  # NOTE: a truncated third line
    assert cli.main(["direction", "--data", str(tmp_path), "--examples", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"--examples: {bad}:3: not a medkb-training-example/1 line (Invalid JSON" in err and "Traceback" not in err


def test_examples_go_to_the_models_that_take_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ex.jsonl"
    path.write_text(example("Zinc reduced pain.", "Zinc", "pain").model_dump_json() + "\n")
    calls: list[tuple[str, int | None]] = []

    def module(name: str) -> SimpleNamespace:
        def train(data: Path, examples: object = None) -> str:
            calls.append((name, None if examples is None else len(examples.items)))  # type: ignore[attr-defined]
            return "ok"
        return SimpleNamespace(train=train)

    monkeypatch.setattr(cli.importlib, "import_module", lambda dotted: module(dotted.rsplit(".", 1)[1]))
    assert cli.main(["roles", "calibration", "--data", str(tmp_path), "--examples", str(path)]) == 0
    assert calls == [("roles", 1), ("calibration", None)]
    assert "calibration: ok (takes no distilled examples)" in capsys.readouterr().out
