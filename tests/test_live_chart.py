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

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # AppTest runs the script in this process
    sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def _live_chart_app() -> None:
    import numpy as np
    import plotly.graph_objects as go
    import streamlit as st

    from playground.ui.live_chart import live_chart

    st.session_state.setdefault("n", 0)
    st.session_state.n += 1
    rng = np.random.default_rng(st.session_state.n)

    @st.fragment
    def inside() -> None:
        live_chart(go.Figure(go.Heatmap(z=rng.standard_normal((8, 200)))), key="heat", height=250)

    inside()
    live_chart({"data": [{"type": "scatter", "y": [1, 2, st.session_state.n]}], "layout": {}}, key="dict")
    live_chart(go.Figure(go.Bar(y=[1, 2]), layout={"template": "plotly_dark"}), key="dark")


def _payloads(at: AppTest) -> dict[str, tuple[str, dict]]:
    out = {}
    for el in at.get("bidi_component"):
        proto = el.proto
        assert proto.component_name == "backprop_playground.live_chart"
        data = json.loads(proto.json)
        out[data["key"]] = (proto.id, data)
    return out


def test_component_mounts_and_receives_figure() -> None:
    at = AppTest.from_function(_live_chart_app).run(timeout=30)
    assert not at.exception, at.exception
    first = _payloads(at)
    assert set(first) == {"heat", "dict", "dark"}

    _, heat = first["heat"]
    assert heat["height"] == 250
    assert heat["themed"] is True  # plotly's default template is replaced by the Streamlit theme
    assert heat["plotly_url"].startswith("component/") and "plotly.min.js" in heat["plotly_url"]
    fig = json.loads(heat["spec"])
    assert "template" not in fig["layout"]
    (trace,) = fig["data"]
    assert trace["type"] == "heatmap"
    z = trace["z"]
    if isinstance(z, dict):  # plotly >= 6: compact base64 typed array
        assert z["dtype"] == "f8" and z["shape"] in ("8, 200", [8, 200])
        assert len(base64.b64decode(z["bdata"])) == 8 * 200 * 8
    else:
        assert np.asarray(z).shape == (8, 200)

    assert json.loads(first["dict"][1]["spec"])["data"][0]["y"] == [1, 2, 1]
    dark = first["dark"][1]
    assert dark["themed"] is False and "template" in json.loads(dark["spec"])["layout"]

    # A rerun with new figure data keeps each element's identity (that is what keeps the
    # browser-side chart alive) while the data changes.
    at.run(timeout=30)
    assert not at.exception, at.exception
    second = _payloads(at)
    for key in first:
        assert second[key][0] == first[key][0], key
    assert json.loads(second["dict"][1]["spec"])["data"][0]["y"] == [1, 2, 2]
    assert second["heat"][1]["spec"] != heat["spec"]


def test_live_chart_requires_key() -> None:
    from playground.ui.live_chart import live_chart

    with pytest.raises(ValueError):
        live_chart({"data": []}, key="")


# ---------------------------------------------------------------------------------------------
# Browser: `streamlit run tests/apps/live_chart_demo.py` in headless Chromium
# ---------------------------------------------------------------------------------------------

_STATE_JS = """() => ['line', 'heat'].map((k) => {
  const els = [...document.querySelectorAll(`.live-chart[data-key="${k}"]`)];
  const drawn = els.filter((e) => e.classList.contains('js-plotly-plot') && e.querySelector('.main-svg')
      && (e.querySelector('.scatterlayer .js-line') || e.querySelector('.hm image'))
      && e.getBoundingClientRect().height > 0);
  return {key: k, n: els.length, drawn: drawn.length, updates: Number(els[0]?.dataset.updates || 0)};
}).concat([{key: '*', n: document.querySelectorAll('.js-plotly-plot').length}])"""


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
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's /usr/bin/chromium")
def test_live_updates_keep_one_chart_per_key_and_zoom(demo_server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    assert shutil.which(CHROMIUM)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            plotly_requests: list[str] = []
            page.on("request", lambda r: plotly_requests.append(r.url) if "plotly.min.js" in r.url else None)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))

            page.goto(demo_server)
            page.wait_for_selector('.live-chart[data-key="line"][data-drawn="1"]', timeout=60_000)
            page.wait_for_selector('.live-chart[data-key="heat"][data-drawn="1"]', timeout=60_000)

            page.get_by_text("Play").click()  # start the live fragment (run_every=0.1 s)
            page.wait_for_function(
                "Number(document.querySelector('.live-chart[data-key=\"line\"]')?.dataset.updates) >= 5",
                timeout=30_000)

            samples = []
            for _ in range(20):
                samples.append(page.evaluate(_STATE_JS))
                page.wait_for_timeout(150)
            for sample in samples:
                for s in sample[:2]:
                    assert s["n"] == 1 and s["drawn"] == 1, samples
                assert sample[2]["n"] == 2, samples  # no other / stale plotly roots on the page
            assert samples[-1][0]["updates"] > samples[0][0]["updates"] + 5, "charts did not update live"

            # Zoom like a user would (relayout on the live chart), then let several updates land.
            page.evaluate("""() => Plotly.relayout(document.querySelector('.live-chart[data-key="line"]'),
                                                    {'xaxis.range': [20, 60]})""")
            before = page.evaluate(_STATE_JS)[0]["updates"]
            page.wait_for_function(
                f"Number(document.querySelector('.live-chart[data-key=\"line\"]')?.dataset.updates) >= {before + 5}",
                timeout=30_000)
            rng = page.evaluate("""() => document.querySelector('.live-chart[data-key="line"]')
                                          ._fullLayout.xaxis.range""")
            assert rng == pytest.approx([20, 60]), rng
            final = page.evaluate(_STATE_JS)
            assert [s["n"] for s in final] == [1, 1, 2]

            assert len(plotly_requests) == 1, plotly_requests  # plotly.js fetched once per page
            assert not errors, errors
        finally:
            browser.close()
