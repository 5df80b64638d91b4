"""Painted frames/s and flicker: plain ``st.plotly_chart`` vs ``playground.ui.live_chart``.

    python benchmarks/live_chart_fps.py [--seconds 10] [--run-every 0.1]

One run, one ``streamlit run`` server on a free loopback port, headless Debian Chromium. The same
5 live charts (3 heatmaps 8x200, 2 line charts 3x200) are redrawn by an ``st.fragment`` with
``run_every`` ~0.1 s, first with ``st.plotly_chart`` and then with ``live_chart``, for ``--seconds``
each. Every figure's title carries the server tick, so the browser can tell frames apart:

* painted fps   - distinct ticks seen on screen per chart per second (sampled every animation
                  frame, so a frame counts only if it was actually on screen), mean over charts;
* server fps    - fragment runs per second (ticks advanced on the server);
* all drawn 1x  - % of DOM samples (every 100 ms) where each of the 5 charts is drawn exactly once
                  (no blank placeholder, no stale duplicate);
* blank/doubled - % of samples with fewer / more than 5 drawn charts.

This file is also the Streamlit app it drives (it runs as the app when a Streamlit runtime exists).
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
N_CHARTS = 5


def _app() -> None:
    sys.path.insert(0, str(ROOT))
    import numpy as np
    import plotly.graph_objects as go
    import streamlit as st

    from playground.ui.live_chart import live_chart

    mode = st.query_params.get("mode", "live_chart")
    run_every = float(st.query_params.get("run_every", "0.1"))
    st.session_state.setdefault("tick", 0)

    @st.fragment(run_every=run_every)
    def charts() -> None:
        st.session_state.tick += 1
        t = st.session_state.tick
        rng = np.random.default_rng(t)
        x = np.arange(200)
        figs = [
            go.Figure(go.Heatmap(z=rng.standard_normal((8, 200)))) for _ in range(3)
        ] + [
            go.Figure([go.Scatter(x=x, y=np.sin(x / 15 + t / 4 + k) + 0.1 * rng.standard_normal(200), mode="lines")
                       for k in range(3)])
            for _ in range(2)
        ]
        for i, fig in enumerate(figs):
            fig.update_layout(title=f"chart {i} tick {t}", margin=dict(t=40, b=30, l=40, r=10))
            if mode == "plotly_chart":
                st.plotly_chart(fig, key=f"c{i}", height=260)
            else:
                live_chart(fig, key=f"c{i}", height=260)

    st.caption(f"mode={mode}")
    charts()


# Injected before the page loads: per-animation-frame sampling of what is on screen.
_INIT_JS = r"""
(() => {
  const seen = [];          // per chart index: Set of ticks seen on screen
  const samples = [];       // number of drawn charts at each 100 ms sample
  let ticks = [];
  function drawn() {
    return [...document.querySelectorAll('.js-plotly-plot')].filter((gd) => {
      const r = gd.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && gd.querySelector('.main-svg') && gd.querySelector('.gtitle') &&
             (gd.querySelector('.hm image') || gd.querySelector('.scatterlayer .js-line'));
    });
  }
  function titles() {
    return drawn().map((gd) => {
      const m = /chart (\d+) tick (\d+)/.exec(gd.querySelector('.gtitle').textContent);
      return m ? [Number(m[1]), Number(m[2])] : null;
    }).filter(Boolean);
  }
  function frame() {
    if (window.__bench.on) {
      for (const [i, t] of titles()) { (seen[i] = seen[i] || new Set()).add(t); ticks.push(t); }
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
  setInterval(() => { if (window.__bench.on) samples.push(drawn().length); }, 100);
  window.__bench = {
    on: false,
    start() { seen.length = 0; samples.length = 0; ticks = []; this.on = true; },
    stop() {
      this.on = false;
      return { seen: seen.map((s) => (s ? s.size : 0)), samples: samples.slice(),
               minTick: Math.min(...ticks), maxTick: Math.max(...ticks) };
    },
  };
})();
"""

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("streamlit exited early")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("streamlit did not become healthy")


def _measure(page, url: str, seconds: float) -> dict:
    page.goto(url)
    # Warm-up: wait until all charts are drawn once, then give it a second to settle.
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {N_CHARTS}",
                           timeout=60_000)
    time.sleep(1.0)
    page.evaluate("window.__bench.start()")
    t0 = time.monotonic()
    time.sleep(seconds)
    res = page.evaluate("window.__bench.stop()")
    dt = time.monotonic() - t0
    samples = res["samples"] or [0]
    seen = (res["seen"] + [0] * N_CHARTS)[:N_CHARTS]
    return {
        "painted_fps": sum(seen) / len(seen) / dt,
        "server_fps": (res["maxTick"] - res["minTick"]) / dt if res["seen"] else 0.0,
        "ok": 100.0 * sum(n == N_CHARTS for n in samples) / len(samples),
        "blank": 100.0 * sum(n < N_CHARTS for n in samples) / len(samples),
        "doubled": 100.0 * sum(n > N_CHARTS for n in samples) / len(samples),
        "n": len(samples),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--run-every", type=float, default=0.1)
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(Path(__file__).resolve()),
           "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    rows = []
    try:
        _wait_healthy(port, proc)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                for mode in ("plotly_chart", "live_chart"):
                    page = browser.new_page(viewport={"width": 1200, "height": 2000})
                    page.add_init_script(_INIT_JS)
                    url = f"http://127.0.0.1:{port}/?mode={mode}&run_every={args.run_every}"
                    rows.append((mode, _measure(page, url, args.seconds)))
                    page.close()
            finally:
                browser.close()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)

    print(f"\n{N_CHARTS} charts (3 heatmaps 8x200, 2 lines 3x200), fragment run_every={args.run_every}s, "
          f"{args.seconds:.0f}s each, headless Chromium\n")
    print(f"{'method':<14}{'painted fps':>12}{'server fps':>12}{'all drawn 1x':>14}{'blank':>8}{'doubled':>9}"
          f"{'samples':>9}")
    for mode, r in rows:
        print(f"{mode:<14}{r['painted_fps']:>12.1f}{r['server_fps']:>12.1f}{r['ok']:>13.0f}%{r['blank']:>7.0f}%"
              f"{r['doubled']:>8.0f}%{r['n']:>9}")


if __name__ == "__main__":
    from streamlit import runtime

    if runtime.exists():
        _app()
    else:
        main()
