"""Shared helpers for the browser end-to-end tests: a `streamlit run app.py` server on a free
loopback port, and a headless Debian Chromium page pointed at it.

Import from a test module (pytest puts tests/ on sys.path in its default "prepend" mode)::

    from browser import browser_page, streamlit_server

Nothing here downloads a browser: Chromium must be Debian's /usr/bin/chromium. When it (or the
playwright package) is missing the helpers fail loudly instead of skipping.
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
HOST = "127.0.0.1"
HEALTH_TIMEOUT_S = 60.0
# Requests to anything but the loopback server are aborted. A pattern, not a Python predicate: with a
# predicate Playwright stops every request to ask this process, which slowed a page's ~60 loads.
NOT_LOOPBACK = re.compile(r"^(?!http://127\.0\.0\.1:)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/_stcore/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the whole process group, then SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def streamlit_server(script: str | Path = "app.py", *, timeout: float = HEALTH_TIMEOUT_S) -> Iterator[str]:
    """Run ``streamlit run <script>`` on a free 127.0.0.1 port; yield its base URL.

    The server runs in its own session (process group), which is always terminated (then killed)
    on exit, also when the health check fails or the test raises.
    """
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
           "--server.port", str(port), "--server.address", HOST, "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                tail = log.read().decode(errors="replace")[-3000:]
                why = f"exited with code {proc.returncode}" if proc.poll() is not None else \
                    f"was not healthy within {timeout:.0f} s"
                raise RuntimeError(f"streamlit {why}: {' '.join(cmd)}\n--- server output ---\n{tail}")
            time.sleep(0.2)
        yield f"http://{HOST}:{port}/"
    finally:
        _stop(proc)
        log.close()


def require_chromium() -> None:
    """Fail (never skip) with a clear message when the browser stack is missing."""
    if not Path(CHROMIUM).is_file() or not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"Browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); "
                           "no browser is downloaded. Deselect them with -m 'not browser'.")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as err:
        raise RuntimeError("Browser tests need the playwright Python package (pip install playwright); "
                           "its bundled browsers are not used.") from err


# Noise a healthy page may log: the missing favicon, and websocket reconnect chatter.
IGNORED_CONSOLE = ("favicon", "websocket", "WebSocket", "ERR_CONNECTION_REFUSED", "net::ERR_ABORTED")


@dataclass
class PageLog:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [*self.page_errors,
                *(m for m in self.console_errors if not any(s in m for s in IGNORED_CONSOLE))]


@contextlib.contextmanager
def browser_pages(url: str, n: int = 1, *, viewport: dict | None = None, timeout_ms: int = 60_000):
    """n fresh pages at ``url`` in n separate browser contexts — n independent Streamlit sessions,
    as n visitors would be. Yields a list of (page, PageLog). Only loopback is reached."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            out = []
            for _ in range(n):
                page = browser.new_context(viewport=viewport or {"width": 1400, "height": 1600}).new_page()
                page.set_default_timeout(timeout_ms)
                log = PageLog()
                page.on("console", lambda m, log=log: log.console_errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e, log=log: log.page_errors.append(str(e)))
                # Only the app on the loopback server: anything else is aborted.
                page.route(NOT_LOOPBACK, lambda route: route.abort())
                page.goto(url, wait_until="domcontentloaded")
                out.append((page, log))
            yield out
        finally:
            browser.close()


@contextlib.contextmanager
def browser_page(url: str, *, viewport: dict | None = None, timeout_ms: int = 60_000):
    """A fresh headless-Chromium page at ``url``; yields (page, PageLog). Only loopback is reached."""
    with browser_pages(url, 1, viewport=viewport, timeout_ms=timeout_ms) as pages:
        yield pages[0]
