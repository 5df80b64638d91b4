"""playground.ui.live_chart: the component mounts and carries the figure (AppTest), and in a real
browser a live-updating fragment keeps exactly one drawn chart per key, with zoom preserved."""
from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # AppTest runs the script in this process
    sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def _live_chart_app() -> None:
    import numpy  # AppTest runs this body as a script: it needs its own imports
    import plotly.graph_objects as go
    import streamlit as st

    from playground.figures.spec import typed
    from playground.ui.live_chart import live_chart, live_readout, structure_json

    st.session_state.setdefault("n", 0)
    st.session_state.n += 1
    n = st.session_state.n
    heat, heat_themed = structure_json(go.Figure(go.Heatmap(z=[[0.0]])))
    dark, dark_themed = structure_json(go.Figure(go.Bar(y=[1, 2]), layout={"template": "plotly_dark"}))
    clock = dict(tick=n, span=0.0, members=3)
    live_readout(key="readout", frames=[[{"label": "n", "value": str(n)}]], **clock)

    @st.fragment
    def inside() -> None:
        z = numpy.random.default_rng(n).standard_normal((8, 200)).astype(numpy.float32)
        live_chart(key="heat", structure=heat, themed=heat_themed, frames=[{"t": [[0, {"z": typed(z)}]], "l": []}],
                   height=250, **clock)

    inside()
    live_chart(key="dark", structure=dark, themed=dark_themed, frames=[{"t": [], "l": []}], **clock)


def _payloads(at: AppTest) -> dict[str, tuple[str, dict]]:
    out = {}
    for el in at.get("bidi_component"):
        proto = el.proto
        assert proto.component_name == "backprop_playground.live_chart"
        data = json.loads(proto.json)
        out[data["key"]] = (proto.id, data)
    return out


def test_component_mounts_and_carries_structure_and_frames() -> None:
    at = AppTest.from_function(_live_chart_app).run(timeout=30)
    assert not at.exception, at.exception
    first = _payloads(at)
    assert set(first) == {"readout", "heat", "dark"}

    _, heat = first["heat"]
    assert heat["kind"] == "chart" and heat["height"] == 250 and heat["members"] == 3
    assert heat["themed"] is True  # plotly's default template is replaced by the Streamlit theme
    assert heat["plotly_url"].startswith("component/") and heat["plotly_url"].split("?")[0].endswith(".min.js")
    assert "template" not in json.loads(heat["structure"])["layout"]
    ((index, attrs),) = heat["frames"][0]["t"]
    z = attrs["z"]  # a float32 typed array, as plotly.js reads it: numbers only, no figure
    assert index == 0 and z["dtype"] == "f4" and z["shape"] == "8,200"
    assert len(base64.b64decode(z["bdata"])) == 8 * 200 * 4
    dark = first["dark"][1]
    assert dark["themed"] is False and "template" in json.loads(dark["structure"])["layout"]
    assert first["readout"][1]["frames"] == [[{"label": "n", "value": "1"}]]

    # A rerun keeps each element's identity (that is what keeps the browser-side chart alive) and
    # its structure string, while the numbers and the tick change.
    at.run(timeout=30)
    assert not at.exception, at.exception
    second = _payloads(at)
    for key in first:
        assert second[key][0] == first[key][0], key
        assert second[key][1]["tick"] == first[key][1]["tick"] + 1
    assert second["heat"][1]["structure"] == heat["structure"]
    assert second["heat"][1]["frames"] != heat["frames"]


def test_live_chart_requires_key_and_frames() -> None:
    from playground.ui.live_chart import live_chart

    with pytest.raises(ValueError):
        live_chart(key="", structure="{}", themed=True, frames=[{"t": [], "l": []}], tick=1)
    with pytest.raises(ValueError):
        live_chart(key="k", structure="{}", themed=True, frames=[], tick=1)


# ---------------------------------------------------------------------------------------------
# Browser: `streamlit run tests/apps/live_chart_demo.py` in headless Chromium
# ---------------------------------------------------------------------------------------------

_STATE_JS = """() => {
  const el = document.querySelector('.live-chart[data-key="line"]');
  const v = document.querySelector('.live-metric[data-metric="Step"] .live-metric-value');
  return {n: document.querySelectorAll('.live-chart[data-key="line"]').length,
          drawn: el && el.classList.contains('js-plotly-plot') && !!el.querySelector('.scatterlayer .js-line'),
          updates: Number(el?.dataset.updates || 0), epoch: el?.dataset.epoch, step: v ? v.textContent : null,
          roots: document.querySelectorAll('.js-plotly-plot').length};
}"""
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_server():
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "tests" / "apps" / "live_chart_demo.py"),
           "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "streamlit exited early"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "streamlit did not become healthy"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.mark.browser
def test_frames_play_between_ticks_in_step_with_the_readout_and_zoom_survives(demo_server: str) -> None:
    from browser import require_chromium

    require_chromium()  # fails, never skips, without Debian's Chromium or playwright
    from playwright import sync_api

    assert shutil.which(CHROMIUM)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            plotly_requests: list[str] = []
            page.on("request", lambda r: plotly_requests.append(r.url) if "/plotly" in r.url else None)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))

            page.goto(demo_server)
            page.wait_for_selector('.live-chart[data-key="line"][data-drawn="1"]', timeout=60_000)
            page.get_by_text("Play").click()  # ticks of 0.5 s, ten frames each
            page.wait_for_function(
                "Number(document.querySelector('.live-chart[data-key=\"line\"]')?.dataset.updates) >= 5",
                timeout=30_000)

            samples, t0 = [], time.monotonic()
            for _ in range(20):
                samples.append(page.evaluate(_STATE_JS))
                page.wait_for_timeout(100)
            seconds = time.monotonic() - t0
            for s in samples:
                assert s["n"] == 1 and s["drawn"] and s["roots"] == 1, samples
                assert s["step"] == s["epoch"], f"the readout and the chart show different frames: {s}"
            rate = (samples[-1]["updates"] - samples[0]["updates"]) / seconds
            # Two ticks a second: drawing more often than that means the frames play between ticks.
            assert rate > 4, f"{rate:.1f} chart updates/s: the frames of a tick were not played"
            steps = [int(s["step"]) for s in samples]
            assert steps == sorted(steps) and len(set(steps)) > 8, steps

            # Zoom like a user would (relayout on the live chart), then let several updates land.
            page.evaluate("""() => Plotly.relayout(document.querySelector('.live-chart[data-key="line"]'),
                                                    {'xaxis.range': [20, 60]})""")
            before = page.evaluate(_STATE_JS)["updates"]
            page.wait_for_function(
                f"Number(document.querySelector('.live-chart[data-key=\"line\"]')?.dataset.updates) >= {before + 5}",
                timeout=30_000)
            rng = page.evaluate("""() => document.querySelector('.live-chart[data-key="line"]')
                                          ._fullLayout.xaxis.range""")
            assert rng == pytest.approx([20, 60]), rng
            assert len(plotly_requests) == 1, plotly_requests  # plotly.js fetched once per page
            assert not errors, errors
        finally:
            browser.close()


def test_vendored_katex_is_the_version_streamlits_page_styles() -> None:
    """The equation panel's formulas are typeset by the vendored KaTeX with the CSS and fonts of the
    KaTeX Streamlit's own markdown uses (they come with every Streamlit page): the two must be one
    version, or the formulas are laid out wrong. After a Streamlit upgrade that changes it, replace
    static/vendor/katex.min.js with that version (npm pack katex@<version>); until then the panel
    falls back to st.latex (component_files.katex_url)."""
    from playground.ui import component_files as cf

    assert cf.streamlit_katex_version() == cf.vendored_katex_version() != ""
    assert cf.katex_url() is not None and "vendor/katex.min.js" in cf.katex_url()
    assert "MIT License" in (cf.VENDOR / "KATEX_LICENSE").read_text()


def test_vendored_plotly_bundle_matches_the_package_and_has_every_trace_the_figures_use() -> None:
    """The page loads plotly.js's cartesian bundle (a third of the full one) only as the same
    plotly.js version the plotly package writes figures for, and it must register every trace type
    the app's figures use; a new go.<Trace> outside it would draw nothing."""
    import re

    from playground.ui import component_files as cf

    full, cartesian = cf.plotly_versions()
    assert full == cartesian != "", "replace it: npm pack plotly.js-cartesian-dist-min@<the package's version>"
    assert "vendor/plotly-cartesian.min.js" in cf.plotly_url()
    bundle = (cf.VENDOR / cf.PLOTLY_CARTESIAN_JS).read_text(encoding="utf-8")
    registered = set(re.findall(r'moduleType:"trace",name:"([a-z0-9]+)"', bundle))
    used = set()
    for path in (Path(__file__).resolve().parents[1] / "playground").rglob("*.py"):
        used |= {name.lower() for name in re.findall(r"\bgo\.([A-Z][A-Za-z]+)\(", path.read_text(encoding="utf-8"))}
    used -= {"figure"}
    assert used == set(cf.PLOTLY_TRACES) and used <= registered, (used, registered)
    assert "MIT License" in (cf.VENDOR / "PLOTLY_LICENSE").read_text()
