"""Fixtures of the app tests: the browser ones (tests/app/browser.py) for every test module here, and the main module
put back after each test."""

import sys
from collections.abc import Iterator

import pytest

from tests.app.browser import app, chromium, demo_served, screenshots  # noqa: F401 - fixtures, found by name


@pytest.fixture(autouse=True)
def main_module_kept() -> Iterator[None]:
    """Put back the process's __main__ module after a test: Streamlit's AppTest runs its script as __main__ and
    leaves it there, and every later spawned process (the PDF reader) would run that script, often a deleted
    temporary file, before its work."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
