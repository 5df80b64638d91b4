"""The live path as a visitor sees it: `streamlit run app.py` in headless Chromium, measured in the page.

    python benchmarks/live_play.py                 # default settings, then the fastest speed
    python benchmarks/live_play.py --seconds 6     # a shorter play window

What it reports (all counted inside the page by a MutationObserver on the live elements, so it is
what is painted, not what the server sent):
- first visit: a new browser context (empty cache) on the running server until every chart is drawn;
  then, 2 s later, a reload in the same context (warm cache); and, apart, the server's very first
  session (which also pays the app's imports and the first chart structures);
- Step: click → new Epoch number, and click → every chart redrawn (median of several clicks);
- Play at the default speed: updates per second of each chart (the slowest counts) and of the Epoch
  number, epochs per second, time from the Play click to 95 % train accuracy (circle), the share of
  samples (every 100 ms) with every chart drawn exactly once, and the server's CPU per second of
  play (from /proc: the server process's user + system time over the window);
- Play at the fastest speed (``?speed=10000``): epochs per second with the chart rates.

Headless Chromium here renders in software: one Plotly redraw costs 15–20 ms whatever its payload,
so the chart rates are a floor for what a laptop's browser shows.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the browser helpers: a streamlit server and Debian's Chromium

from browser import CHROMIUM, CHROMIUM_ARGS, NOT_LOOPBACK, streamlit_server  # noqa: E402

KEYS = ("network", "deltas", "surface", "loss", "matrices")
CLK = os.sysconf("SC_CLK_TCK")

# Installed in the page: one observer for every live element; events are (time, key, epoch text).
RECORDER_JS = """() => {
  const rec = window.__bench = {ev: [], samples: [], obs: null, timer: 0};
  const value = (label) => {
    const el = document.querySelector(`.live-metric[data-metric="${label}"] .live-metric-value`);
    return el ? el.textContent : null;
  };
  rec.value = value;
  rec.obs = new MutationObserver((muts) => {
    const t = performance.now();
    for (const m of muts) {
      const key = m.target.dataset.key;
      if (key === "readout") rec.ev.push([t, key, value("Epoch"), value("train accuracy")]);
      else rec.ev.push([t, key, null, null]);
    }
  });
  for (const el of document.querySelectorAll('.live-chart, .live-readout'))
    rec.obs.observe(el, {attributes: true, attributeFilter: ['data-updates']});
  rec.timer = setInterval(() => {
    const per = {};
    for (const el of document.querySelectorAll('.live-chart')) {
      const k = el.dataset.key;
      per[k] = (per[k] || 0) + (el.querySelector('.main-svg') && el.getBoundingClientRect().height > 0 ? 1 : 0);
    }
    rec.samples.push(per);
  }, 100);
  document.addEventListener('pointerdown', () => { rec.clicked = performance.now(); }, true);
}"""

ALL_DRAWN_JS = """(keys) => keys.every((k) => {
  const el = document.querySelector(`.live-chart.js-plotly-plot[data-key="${k}"]`);
  return el && el.querySelector('.main-svg');
})"""


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def server_pid(port: int) -> int:
    """The streamlit process listening on port (its command line names the port)."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"streamlit" in b" ".join(cmd) and str(port).encode() in cmd:
                return int(proc.name)
    raise RuntimeError("streamlit server process not found")


def _visit(page, url: str | None) -> float:
    """Seconds from navigating (or reloading, url None) until every chart is drawn."""
    t0 = time.perf_counter()
    if url is None:
        page.reload(wait_until="commit")
    else:
        page.goto(url, wait_until="commit")
    page.wait_for_function(ALL_DRAWN_JS, arg=list(KEYS), timeout=120_000, polling=20)
    return time.perf_counter() - t0


def first_visit(browser, url: str) -> tuple[float, float, float]:
    """(the server's very first session, which also imports the app and builds the first chart
    structures; a new visitor with an empty browser cache on a running server; the same visitor
    coming back, warm cache), each until every chart is drawn."""
    times = []
    for _ in range(2):  # the first visit after the server started, then a new visitor's
        ctx = browser.new_context(viewport={"width": 1400, "height": 1600})
        page = ctx.new_page()
        page.route(NOT_LOOPBACK, lambda route: route.abort())
        times.append(_visit(page, url))
        if len(times) == 1:
            ctx.close()
    page.wait_for_timeout(2000)  # the visitor reads the page before coming back
    times.append(_visit(page, None))
    ctx.close()
    return times[0], times[1], times[2]


def open_page(browser, url: str):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1600})
    page = ctx.new_page()
    page.route(NOT_LOOPBACK, lambda route: route.abort())
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(ALL_DRAWN_JS, arg=list(KEYS), timeout=120_000)
    page.wait_for_timeout(1500)  # the page settles (late reruns of the first visit)
    page.evaluate(RECORDER_JS)
    return ctx, page


def step_latency(page, clicks: int) -> tuple[list[float], list[float]]:
    """Per Step click: ms to the new Epoch number, ms until every chart has redrawn."""
    to_epoch, to_charts = [], []
    for _ in range(clicks):
        n0 = page.evaluate("() => window.__bench.ev.length")
        before = page.evaluate("() => window.__bench.value('Epoch')")
        page.get_by_role("button", name="Step", exact=True).first.click()
        page.wait_for_function(f"() => window.__bench.value('Epoch') !== {before!r}", timeout=30_000)
        page.wait_for_timeout(1200)
        ev, clicked = page.evaluate(f"() => [window.__bench.ev.slice({n0}), window.__bench.clicked]")
        epoch_t = [t for t, k, e, _ in ev if k == "readout" and e != before]
        chart_t = {k: t for t, k, _, _ in ev if k in KEYS}
        if epoch_t:
            to_epoch.append(epoch_t[0] - clicked)
        if len(chart_t) == len(KEYS):
            to_charts.append(max(chart_t.values()) - clicked)
    return to_epoch, to_charts


def play(page, pid: int, seconds: float) -> dict:
    """Play for ``seconds``; rates over the window after the first second (the start-up is not rate)."""
    page.evaluate("() => { window.__bench.ev = []; window.__bench.samples = []; }")
    toggle = page.locator('[data-testid="stCheckbox"] label').filter(has_text="Play").filter(has_not_text="speed")
    cpu0, wall0 = server_cpu(pid), time.perf_counter()
    toggle.first.click()
    page.wait_for_timeout(int(seconds * 1000))
    cpu1, wall1 = server_cpu(pid), time.perf_counter()
    ev, samples, clicked = page.evaluate("() => [window.__bench.ev, window.__bench.samples, window.__bench.clicked]")
    toggle.first.click()  # Pause
    page.wait_for_timeout(1500)
    t_lo, t_hi = clicked + 1000, clicked + seconds * 1000
    window_s = (t_hi - t_lo) / 1000
    rates = {k: sum(1 for t, kk, _, _ in ev if kk == k and t_lo <= t <= t_hi) / window_s for k in KEYS}
    epochs = [(t, int(e.replace(",", ""))) for t, k, e, _ in ev if k == "readout" and e]
    changes = [t for (t, e), (_, e_prev) in zip(epochs[1:], epochs[:-1], strict=True) if e != e_prev]
    in_window = [(t, e) for t, e in epochs if t_lo <= t <= t_hi]
    eps = (in_window[-1][1] - in_window[0][1]) / ((in_window[-1][0] - in_window[0][0]) / 1000) if len(
        in_window) > 1 else 0.0
    acc = [(t, float(a.rstrip("%"))) for t, k, _, a in ev if k == "readout" and a and a.endswith("%")]
    reach = next((t - clicked for t, a in acc if a >= 95.0), None)
    ok = [s for s in samples if all(s.get(k, 0) == 1 for k in KEYS) and len(s) == len(KEYS)]
    return {
        "chart_rates": rates,
        "slowest": min(rates.values()),
        "epoch_number_rate": sum(1 for t in changes if t_lo <= t <= t_hi) / window_s,
        "epochs_per_s": eps,
        "to_95": None if reach is None else reach / 1000,
        "drawn_once": len(ok) / max(1, len(samples)),
        "server_cores": (cpu1 - cpu0) / (wall1 - wall0),
        "last_epoch": epochs[-1][1] if epochs else 0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10.0, help="play window per speed")
    ap.add_argument("--clicks", type=int, default=8, help="Step clicks for the latency")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with streamlit_server("app.py") as url, sync_playwright() as pw:
        pid = server_pid(int(url.rstrip("/").rsplit(":", 1)[1]))
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        server_cold, cold, warm = first_visit(browser, url)
        print(f"first visit → every chart drawn: {cold:.2f} s (empty cache), {warm:.2f} s (warm cache); "
              f"{server_cold:.2f} s for the server's very first session")
        ctx, page = open_page(browser, url)
        e_ms, c_ms = step_latency(page, a.clicks)
        print(f"Step click → new Epoch number: median {statistics.median(e_ms):.0f} ms (max {max(e_ms):.0f}); "
              f"→ every chart redrawn: median {statistics.median(c_ms):.0f} ms")
        ctx.close()
        for label, query in (("default speed (50 epochs/s)", ""), ("fastest speed", "?speed=10000")):
            ctx, page = open_page(browser, url + query)
            r = play(page, pid, a.seconds)
            ctx.close()
            rates = ", ".join(f"{k} {v:.1f}" for k, v in r["chart_rates"].items())
            print(f"\nPlay, {label}, {a.seconds:.0f} s:")
            print(f"  chart updates/s: {rates}  (slowest {r['slowest']:.1f})")
            print(f"  Epoch number updates/s: {r['epoch_number_rate']:.1f}; epochs/s: {r['epochs_per_s']:,.0f}")
            reach = "not reached" if r["to_95"] is None else f"{r['to_95']:.1f} s after the Play click"
            print(f"  → 95 % train accuracy: {reach}")
            print(f"  samples with every chart drawn exactly once: {r['drawn_once']:.0%}")
            print(f"  server CPU while playing: {r['server_cores']:.2f} of a core")
        browser.close()


if __name__ == "__main__":
    main()
