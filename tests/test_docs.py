"""Documentation cannot drift: every CLI command has help text and appears in the README."""

from __future__ import annotations

import typer.main

from app.cli import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def commands() -> list[tuple[str, str | None]]:
    """Return (full command name, help) for every CLI command, sub-commands included."""
    group = typer.main.get_command(app)
    found = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        if subs:
            found += [(f"{name} {sub}", c.help) for sub, c in subs.items()]
        else:
            found.append((name, cmd.help))
    return found


def test_every_command_has_help_and_is_documented() -> None:
    listed = commands()
    assert {"ingest", "ask", "stats", "report", "lexicon load"} <= {n for n, _ in listed}
    for name, help_text in listed:
        assert help_text, f"medkb {name} has no help text"
        assert f"medkb {name}" in README, f"medkb {name} is not in the README"


def test_readme_quickstart_has_the_two_commands() -> None:
    assert "make demo" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
