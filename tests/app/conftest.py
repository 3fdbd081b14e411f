"""Fixtures of the app tests: the browser ones (tests/app/browser.py) for every test module here."""

from tests.app.browser import app, chromium, demo_served, screenshots  # noqa: F401 - fixtures, found by name
