"""A real browser on the real app: `streamlit run` serves a knowledge base on a free 127.0.0.1 port and Chromium
from the Debian packages drives it (Playwright's own browser download is not used). Every request the page makes
is checked: one for another host is stopped and recorded. Screenshots go to $MEDKB_SCREENSHOTS or a temporary
folder, printed at the start."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import DEMO, ROOT

if TYPE_CHECKING:  # NOTE: Playwright is imported when a browser test runs, so this module loads without it.
    from playwright.sync_api import Browser, Locator, Page, Route, WebSocket

APP = ROOT / "app" / "streamlit_app.py"
# NOTE: the Debian launcher /usr/bin/chromium is a shell script; the binary itself is what Playwright starts.
CHROMIUM = next((p for p in (os.environ.get("MEDKB_CHROMIUM"), "/usr/lib/chromium/chromium",
                             shutil.which("chromium"), shutil.which("chromium-browser")) if p and Path(p).exists()),
                None)
REQUIRED = bool(os.environ.get("MEDKB_REQUIRE_BROWSER"))  # NOTE: set by .ci/run: in CI a missing browser fails.
LOCAL = "127.0.0.1"


def _skip_or_fail(reason: str) -> None:
    """Skip without a browser locally; fail in CI, where `make browser` installs it."""
    if REQUIRED:
        pytest.fail(f"{reason} (MEDKB_REQUIRE_BROWSER is set)")
    pytest.skip(reason)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind((LOCAL, 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running `streamlit run` of the app: its address, knowledge base and log."""

    url: str
    store: Path
    log: Path


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 120) -> None:
    """Wait until Streamlit answers its health check; fail with its log if it dies or never answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"streamlit did not answer on {url} within {timeout_s:g} s:\n{log.read_text()[-3000:]}")


def serve(store: Path, log: Path) -> Iterator[Served]:
    """Run the app on the store until the generator is closed."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDKB_")} | {
        "PYTHONPATH": str(ROOT), "ORT_DISABLE_TELEMETRY": "1"}
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", LOCAL, "--server.port",
           str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false", "--", "--store", str(store)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://{LOCAL}:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield Served(url=url, store=store, log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Browsed:
    """The page a test drives, where its screenshots go, and every request that tried to leave 127.0.0.1."""

    page: Page
    url: str
    shots: Path
    outside: list[str] = field(default_factory=list)
    taken: list[Path] = field(default_factory=list)

    def shot(self, name: str, element: Locator | None = None) -> Path:
        """Save a screenshot (of the element, else of the whole page), numbered in the order taken."""
        path = self.shots / f"{len(self.taken) + 1:02d}-{name}.png"
        self.taken.append(path)
        if element is not None:
            element.screenshot(path=str(path))
            return path
        page = self.page
        size = page.viewport_size
        # NOTE: Streamlit scrolls inside its main block, so a full-page shot needs a viewport as tall as the page.
        tall = page.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollHeight || 0")
        page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(tall, 8000))})
        page.screenshot(path=str(path))
        page.set_viewport_size(size)
        return path


def _leaves(url: str) -> bool:
    """Return whether a URL the page asks for is on another host than 127.0.0.1."""
    parts = urlsplit(url)
    return parts.scheme not in ("data", "blob", "about") and parts.hostname != LOCAL


def guard(page: Page, outside: list[str]) -> None:
    """Let the page reach 127.0.0.1 only: any other request is stopped, and it and any web socket recorded."""
    def route(r: Route) -> None:
        url = r.request.url
        if _leaves(url):
            outside.append(url)
            r.abort()
        else:
            r.continue_()

    def socket_opened(ws: WebSocket) -> None:
        if _leaves(ws.url):
            outside.append(ws.url)

    page.route("**/*", route)
    page.on("websocket", socket_opened)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Chromium from the system packages, started once by Playwright."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install -e '.[dev]')")
    if CHROMIUM is None:
        _skip_or_fail("chromium not installed (apt-get install chromium, or `make browser`)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--disable-background-networking", "--disable-component-update", "--no-first-run",
            "--disable-sync", "--disable-domain-reliability", "--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Path:
    """The folder screenshots go to: $MEDKB_SCREENSHOTS when set (kept), else a temporary one; printed."""
    wanted = os.environ.get("MEDKB_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"browser screenshots: {folder}")
    return folder


@pytest.fixture(scope="session")
def demo_served(tmp_path_factory: pytest.TempPathFactory, chromium: Browser) -> Iterator[Served]:
    """The demo corpus ingested with the CLI into a temporary knowledge base, served by `streamlit run`."""
    from typer.testing import CliRunner

    from app.cli import app as cli

    folder = tmp_path_factory.mktemp("served")
    result = CliRunner().invoke(cli, ["ingest", str(DEMO), "--store", str(folder / "kb")])
    assert result.exit_code == 0, result.stderr
    yield from serve(folder / "kb", folder / "streamlit.log")


@pytest.fixture
def app(demo_served: Served, chromium: Browser, screenshots: Path,
        request: pytest.FixtureRequest) -> Iterator[Browsed]:
    """A fresh browser page on the served demo app, guarded to 127.0.0.1; its screenshots in a folder per test."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
    page = context.new_page()
    page.set_default_timeout(120_000)
    shots = screenshots / request.node.name
    shots.mkdir(exist_ok=True)
    browsed = Browsed(page=page, url=demo_served.url, shots=shots)
    guard(page, browsed.outside)
    yield browsed
    context.close()
