"""The benchmark runner's option casting: each --option takes the type of its run() parameter's default."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from benchmarks.__main__ import _kwargs, main


def _module() -> ModuleType:
    module = ModuleType("fake_benchmark")

    def run(data: Path, limit: int | None = None, local: bool = False, k: int = 60, name: str = "") -> None:
        """Accept options."""

    module.run = run  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize(("text", "expected"), [("true", True), ("False", False), ("0", False), ("yes", True)])
def test_bool_options_read_true_and_false(text: str, expected: bool) -> None:
    assert _kwargs(_module(), {"local": text}) == {"local": expected}


def test_other_options_take_their_defaults_type_and_unknown_ones_are_left_out() -> None:
    assert _kwargs(_module(), {"k": "10", "name": "odd", "other": "x"}) == {"k": 10, "name": "odd"}


def test_a_bool_option_that_is_not_a_bool_is_an_error() -> None:
    with pytest.raises(SystemExit, match="true or false"):
        _kwargs(_module(), {"local": "maybe"})


def test_out_may_name_a_folder_that_does_not_exist_yet(tmp_path: Path) -> None:
    out = tmp_path / "new" / "bench"
    assert main(["run", "scifact", "--data", str(tmp_path / "no-data"), "--out", str(out)]) == 1
    assert "<!-- results:begin -->" in (out / "README.md").read_text()
