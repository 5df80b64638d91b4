"""Many visitors playing at once: server CPU per visitor, chart updates and epochs per second, new visitors.

Run from the repository root::

    python benchmarks/load.py                                  # 8 visitors, 30 s of Play, a few minutes in all
    python benchmarks/load.py --visitors 2 --seconds 10 --probes 1

One ``streamlit run app.py`` on a free 127.0.0.1 port and ONE headless Debian Chromium
(/usr/bin/chromium; nothing is downloaded). Each visitor is its own browser context (own cookies
and websocket, so its own Streamlit session and its own Run). Only loopback is reached: every
other request is aborted.

1. Open ``--visitors`` contexts at once and load the page in each ("page load": until that
   visitor's five live charts are drawn, all visitors arriving together).
2. Switch Play on in each, ``--stagger`` seconds apart, at the app's default speed (epochs per
   second; ``--speed`` sets another through the link). Once ALL play, measure for ``--seconds``
   with nobody else arriving. A script injected into every page logs, with the page's own clock,
   each change of the Epoch tile (polled every 40 ms) and each redraw of every live chart (its
   ``data-updates`` count), so the numbers do not depend on how promptly this script can ask a busy page:
   * server core-s per visitor-s: the streamlit process's CPU (user + system from /proc/<pid>/stat)
     over the window / (visitors x window seconds). Beside it the CPU of the browser (Chromium +
     playwright driver) and of the whole machine (/proc/stat), to say who used the cores;
   * chart updates/s: redraws per second of each of the five live charts, the slowest chart counts
     (the browser plays the snapshots of each server tick at up to DISPLAY_FPS a second);
   * epochs/s: how fast the Epoch tile advances (the target is the speed); trained/s beside it: the
     epoch the tile rests at after Pause over the visitor's whole Play, i.e. what the server trained
     (a starved browser shows the server's ticks late, so the tile can lag it by many seconds);
   * longest stall: the longest time within the window with no change of the Epoch tile;
   * draw ms: the slowest chart's own redraw cost in that browser (its ``data-draw-ms``, smoothed);
   * charts torn down: live-chart elements removed from the page (Streamlit unmounted the
     element, so the chart was re-created from scratch instead of updated in place);
   * server RSS (VmRSS summed over the server's process group): idle, all loaded, peak (sampled
     every ~0.5 s), paused, all contexts closed.
3. New visitors: then, while all keep playing, ``--probes`` NEW contexts load the page one after
   another, each for at most ``--probe-timeout`` s: the times until Streamlit's shell, its first
   script output (the Epoch tile), the first drawn chart and all five (the figure that counts: every
   ``.live-chart[data-key]`` of the view has class ``js-plotly-plot`` and holds a ``.main-svg``); its
   Epoch must be 0. The server's CPU in this phase is reported apart, so the window's is Play only.
4. Isolation, from the browser: at each Play start the epochs of all visitors are read (those not
   started yet must still be at 0); at the end all visitors' epochs must differ; after Pause
   everywhere every visitor's Epoch must come to rest (ticks sent before Pause may still play on a
   starved browser, so it waits, at most 30 s, until no tile moves for 1.5 s).

The machine's 2 shared cores carry the server AND the browsers (and whatever else runs). Eight
headless Chromium contexts, each animating five Plotly charts, take most of them (four took 126 %
of a core in the earlier run): far more than the server, which remote visitors' browsers would not
take from it. So the server is starved here in a way it would not be in production, the absolute
rates are low and noisy, and the CPU lines say who used the cores.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
HOST = "127.0.0.1"
NOT_LOOPBACK = re.compile(r"^(?!http://127\.0\.0\.1:)")  # a pattern: a Python predicate would stop every request
KEYS = ("network", "deltas", "surface", "loss", "matrices")  # the five live charts of the view
MILESTONES = ("app", "metric", "first", "all")  # Streamlit's shell, first script output, first chart, all five
HEALTH_TIMEOUT_S = 60.0
LOAD_TIMEOUT_S = 60.0
PAUSE_SETTLE_S = 30.0  # how long the tiles may still move after Pause (ticks already sent, starved browsers)
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Injected before every page loads. All times are Date.now() (ms), comparable with time.time().
_INIT_JS = r"""
(() => {
  const MAX = 20000;  // bound on every log
  const S = (window.__bpLoad = {epochLog: [], draws: {}, removed: {}, marks: {}, last: null});
  const keys = ["network", "deltas", "surface", "loss", "matrices"];
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") {  // live_chart.js bumps data-updates after every newPlot/react/relayout
        const e = r.target;
        if (!e.classList.contains("live-chart")) continue;  // the readout counts its updates too
        const L = (S.draws[e.dataset.key || "?"] ||= []);
        if (L.length < MAX) L.push([Date.now(), Number(e.dataset.updates || 0)]);
      } else {
        for (const n of r.removedNodes) {
          if (n.nodeType !== 1) continue;
          const els = n.classList.contains("live-chart") ? [n] : [...n.querySelectorAll(".live-chart")];
          for (const e of els) { const k = e.dataset.key || "?"; S.removed[k] = (S.removed[k] || 0) + 1; }
        }
      }
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-updates"]});
  setInterval(() => {
    const now = Date.now();
    const tile = document.querySelector('.live-metric[data-metric="Epoch"] .live-metric-value');
    const epoch = tile ? tile.textContent.trim() : null;
    if (epoch !== null && epoch !== S.last) {
      if (S.epochLog.length < MAX) S.epochLog.push([now, Number(epoch.replace(/,/g, ""))]);
      S.last = epoch;
    }
    const M = S.marks;
    if (!M.app && document.querySelector('[data-testid="stApp"]')) M.app = now;
    if (!M.metric && epoch !== null) M.metric = now;
    if (!M.first && document.querySelector(".live-chart.js-plotly-plot .main-svg")) M.first = now;
    if (!M.all && keys.every((k) => {
      const el = document.querySelector(`.live-chart.js-plotly-plot[data-key="${k}"]`);
      return el && el.querySelector(".main-svg");
    })) M.all = now;
  }, 40);
})();
"""
_STATE_JS = """() => {
  const S = window.__bpLoad;
  return S ? {epoch: S.epochLog.length ? S.epochLog[S.epochLog.length - 1][1] : null, marks: S.marks,
              exception: document.querySelectorAll('[data-testid="stException"]').length} : null;
}"""
# The logs, and each chart's smoothed redraw cost as live_chart.js keeps it now.
_LOGS_JS = """() => ({...window.__bpLoad, drawMs: Object.fromEntries(
  [...document.querySelectorAll(".live-chart[data-key]")].map((e) => [e.dataset.key, Number(e.dataset.drawMs || 0)])
)})"""


# ------------------------------------------------------------------------------------- processes
def _free_port() -> int:
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
    """SIGTERM the server's process group, then SIGKILL it if it lingers."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _proc_stat(pid: int) -> tuple[int, int, int, int] | None:
    """(ppid, pgid, utime+stime ticks, VmRSS bytes) of pid, or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    f = stat[stat.rindex(")") + 2:].split()  # the fields after "pid (comm) "
    rss = 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
            break
    return int(f[1]), int(f[2]), int(f[11]) + int(f[12]), rss


def _all_stats() -> dict[int, tuple[int, int, int, int]]:
    return {int(p): st for p in os.listdir("/proc") if p.isdigit() and (st := _proc_stat(int(p)))}


def server_usage(pgid: int) -> tuple[int, float]:
    """(RSS bytes, CPU seconds) summed over the server's process group (streamlit and any children)."""
    rss = ticks = 0
    for st in _all_stats().values():
        if st[1] == pgid:
            ticks += st[2]
            rss += st[3]
    return rss, ticks / CLK_TCK


def browser_cpu(server_pgid: int) -> float:
    """CPU seconds of this script's other descendants: the playwright driver and Chromium."""
    stats = _all_stats()
    me, total = os.getpid(), 0
    for pid, st in stats.items():
        if st[1] == server_pgid or pid == me:
            continue
        p, hops = st[0], 0
        while p > 1 and p != me and p in stats and hops < 64:  # bounded walk up the process tree
            p, hops = stats[p][0], hops + 1
        if p == me:
            total += st[2]
    return total / CLK_TCK


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (all cores; /proc/stat minus idle and iowait)."""
    try:
        f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    return (sum(f) - f[3] - f[4]) / CLK_TCK


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


# ------------------------------------------------------------------------------------- browser
def _new_context(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1600})
    ctx.route(NOT_LOOPBACK, lambda route: route.abort())
    page = ctx.new_page()
    page.add_init_script(_INIT_JS)
    page.set_default_timeout(int(LOAD_TIMEOUT_S * 1000))
    return ctx, page


def _state(page) -> dict:
    """The page's latest Epoch and milestones; {} while it is navigating."""
    try:
        return page.evaluate(_STATE_JS) or {}
    except Exception:  # no document yet
        return {}


def _play_toggle(page):
    return page.locator('[data-testid="stCheckbox"] label').filter(has_text="Play").filter(
        has_not_text="speed").first


@dataclass
class Visitor:
    index: int
    context: object
    page: object
    load_s: float | None = None
    play_at: float | None = None  # time.time() when Play was switched on
    pause_at: float | None = None  # ... and off
    rested: int | None = None  # the epoch its tile came to rest at after Pause: what the server trained
    logs: dict = field(default_factory=dict)

    def epoch(self) -> int | None:
        return _state(self.page).get("epoch")


class Probe:
    """A new visitor, checked without blocking the loop; its milestones come from the page's own clock."""

    def __init__(self, browser, url: str, limit_s: float, at: float) -> None:
        self.limit_s, self.at = limit_s, at
        self.context, self.page = _new_context(browser)
        self.t0 = time.time()
        with contextlib.suppress(Exception):  # a slow commit: the milestones just stay unset
            self.page.goto(url, wait_until="commit", timeout=int(1000 * limit_s))

    def done(self) -> bool:
        return bool(_state(self.page).get("marks", {}).get("all")) or time.time() - self.t0 > self.limit_s

    def close(self) -> dict:
        st = _state(self.page)
        marks = st.get("marks", {})
        out = {k: (marks[k] / 1000 - self.t0 if marks.get(k) else None) for k in MILESTONES}
        out |= {"epoch": st.get("epoch"), "at": self.at}
        with contextlib.suppress(Exception):
            self.context.close()
        return out


# ------------------------------------------------------------------------------------- analysis
def updates_in(log: list, t0: float, t1: float) -> int:
    """Redraws of one chart within [t0, t1] (s) from its [ms, data-updates] log; a re-created chart restarts at 0."""
    prev = total = 0
    for t, n in log:
        if t / 1000 > t1:
            break
        if t / 1000 >= t0:
            total += n - prev if n >= prev else n
        prev = n
    return total


def window_stats(logs: dict, t0: float, t1: float) -> dict:
    """One visitor's rates and the longest gap between Epoch changes within [t0, t1] (seconds since the epoch)."""
    ep = [(t / 1000, e) for t, e in logs.get("epochLog", [])]
    inside = [(t, e) for t, e in ep if t0 <= t <= t1]
    before = [e for t, e in ep if t < t0]
    e0 = before[-1] if before else (inside[0][1] if inside else 0)
    e1 = inside[-1][1] if inside else e0
    edges = [t0, *(t for t, _ in inside), t1]
    dt = max(1e-9, t1 - t0)
    rates = {k: updates_in(logs.get("draws", {}).get(k, []), t0, t1) / dt for k in KEYS}
    slowest = min(rates, key=rates.get)  # the view is only as fluid as its slowest chart
    return {
        "updates": rates[slowest],
        "slowest": slowest,
        "epochs": (e1 - e0) / dt,
        "stall": max(b - a for a, b in zip(edges, edges[1:], strict=False)),
        "draw_ms": max(logs.get("drawMs", {}).values(), default=0.0),
        "final": ep[-1][1] if ep else None,
    }


def _spread(xs: list[float], fmt: str) -> str:
    return f"min {min(xs):{fmt}}, median {statistics.median(xs):{fmt}}, max {max(xs):{fmt}}"


def _mib(b: float) -> str:
    return f"{b / 2**20:.0f}"


def _secs(x: float | None) -> str:
    return ">" if x is None else f"{x:.1f}"


# ------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--visitors", "--sessions", dest="visitors", type=int, default=8,
                    help="browser sessions playing at once (default 8)")
    ap.add_argument("--seconds", type=float, default=30.0, help="seconds of measured Play, all playing (default 30)")
    ap.add_argument("--probes", type=int, default=3, help="new visitors, one after another, while all play (default 3)")
    ap.add_argument("--probe-timeout", type=float, default=60.0, help="seconds a new visitor may wait (default 60)")
    ap.add_argument("--stagger", type=float, default=1.0, help="seconds between the visitors' Play starts (default 1)")
    ap.add_argument("--speed", type=int, default=None,
                    help="epochs per second, set through the link (?speed=N); default: the app's default")
    args = ap.parse_args(argv)
    if not 1 <= args.visitors <= 16:
        ap.error("--visitors must be 1..16")
    if not 0 <= args.probes <= 10:
        ap.error("--probes must be 0..10")
    if not 1 <= args.probe_timeout <= 120:
        ap.error("--probe-timeout must be 1..120")
    if not 1 <= args.seconds <= 600:
        ap.error("--seconds must be 1..600")
    if not 0 <= args.stagger <= 10:
        ap.error("--stagger must be 0..10")
    sys.path.insert(0, str(ROOT))
    from playground.config import DEFAULT, SPEED_GRID
    if args.speed is not None and args.speed not in SPEED_GRID:
        ap.error(f"--speed must be one of {', '.join(map(str, SPEED_GRID))}")
    speed = args.speed or DEFAULT.speed
    try:  # only for the header: the server's tick and the browser's display rate
        from playground.ui.page import DISPLAY_FPS, TICK_SECONDS
    except ImportError:
        DISPLAY_FPS = TICK_SECONDS = None
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        raise SystemExit(f"needs Debian's Chromium at {CHROMIUM}; no browser is downloaded")
    from playwright.sync_api import sync_playwright

    load_limit = max(LOAD_TIMEOUT_S, 30.0 * args.visitors)  # all arrive at once on 2 cores
    port = _free_port()
    url = f"http://{HOST}:{port}/" + (f"?speed={args.speed}" if args.speed else "")
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", HOST, "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    log = tempfile.TemporaryFile()
    t_begin, load0 = time.monotonic(), _loadavg()
    # start_new_session: proc.pid is the streamlit process itself and the id of its process group
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    visitors: list[Visitor] = []
    probes: list[dict] = []
    rss_trace: list[int] = []
    iso: list[tuple[bool, str]] = []
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while not _healthy(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError("streamlit did not start:\n" + log.read().decode(errors="replace")[-3000:])
            time.sleep(0.2)
        rss_idle, _ = server_usage(proc.pid)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                # 1. all visitors arrive together
                for i in range(args.visitors):
                    ctx, page = _new_context(browser)
                    visitors.append(Visitor(i, ctx, page))
                t_load = time.time()
                for v in visitors:
                    v.page.goto(url, wait_until="commit")
                for _ in range(int(load_limit / 0.25) + 1):  # bounded poll
                    for v in visitors:
                        if v.load_s is None and (m := _state(v.page).get("marks", {})).get("all"):
                            v.load_s = m["all"] / 1000 - t_load
                    if all(v.load_s is not None for v in visitors) or time.time() - t_load > load_limit:
                        break
                    time.sleep(0.25)
                late = [v.index for v in visitors if v.load_s is None]
                if late:
                    raise RuntimeError(f"visitors {late} did not draw their charts within {load_limit:.0f} s")
                for v in visitors:
                    v.page.wait_for_function(f"() => ({_STATE_JS})().epoch === 0")
                rss_loaded, _ = server_usage(proc.pid)

                # 2. Play on, staggered; every visitor's epoch at each start
                for v in visitors:
                    _play_toggle(v.page).click()
                    v.play_at = time.time()
                    v.page.wait_for_function(f"() => ({_STATE_JS})().epoch > 0")
                    epochs = [o.epoch() for o in visitors]
                    ok = all(e == 0 for o, e in zip(visitors, epochs, strict=True) if o.play_at is None)
                    why = "visitors not yet playing still at 0" if ok else "a visitor not playing moved"
                    iso.append((ok, f"visitor {v.index} switched Play on → epochs {epochs} ({why})"))
                    if v is not visitors[-1]:
                        time.sleep(args.stagger)

                # the measured window: all play, nobody else arrives; RSS every ~0.5 s
                _, cpu0 = server_usage(proc.pid)
                bcpu0, mcpu0 = browser_cpu(proc.pid), machine_cpu()
                w0 = time.time()
                for _ in range(int(args.seconds / 0.5) + 2):  # bounded
                    now = time.time()
                    if now >= w0 + args.seconds:
                        break
                    rss_trace.append(server_usage(proc.pid)[0])
                    time.sleep(max(0.0, min(0.5, w0 + args.seconds - time.time())))
                w1 = time.time()
                _, cpu1 = server_usage(proc.pid)
                bcpu1, mcpu1 = browser_cpu(proc.pid), machine_cpu()

                # 3. new visitors, one after another, while all keep playing
                p0 = time.time()
                for _ in range(args.probes):
                    probe = Probe(browser, url, args.probe_timeout, time.time() - w0)
                    try:
                        for _ in range(int(args.probe_timeout / 0.5) + 2):  # bounded
                            rss_trace.append(server_usage(proc.pid)[0])
                            if probe.done():
                                break
                            time.sleep(0.5)
                    finally:
                        probes.append(probe.close())
                p1 = time.time()
                _, cpu2 = server_usage(proc.pid)
                for v in visitors:
                    v.logs = v.page.evaluate(_LOGS_JS)

                # 4. isolation at the end, then Pause everywhere and check that nothing moves
                final = [window_stats(v.logs, w0, w1)["final"] for v in visitors]
                ok = len(set(final)) == len(final)
                iso.append((ok, f"end → epochs {final} ({'all different' if ok else 'some equal'})"))
                for v in visitors:
                    _play_toggle(v.page).click()
                    v.pause_at = time.time()
                off = []
                for v in visitors:
                    box = _play_toggle(v.page).locator("input")
                    for _ in range(100):  # bounded: ≤ ~20 s per visitor
                        if not box.is_checked():
                            break
                        time.sleep(0.2)
                    off.append(not box.is_checked())
                # A starved browser shows ticks the server sent before Pause for a while yet, so wait
                # (bounded) until no tile moves for 1.5 s: a session still training never gets there.
                t_pause, before = time.time(), [v.epoch() for v in visitors]
                after = before
                for _ in range(int(PAUSE_SETTLE_S / 1.5)):
                    time.sleep(1.5)
                    after = [v.epoch() for v in visitors]
                    if after == before:
                        break
                    before = after
                ok = all(off) and before == after
                settle = time.time() - t_pause
                if ok:
                    for v, e in zip(visitors, after, strict=True):
                        v.rested = e
                why = f"none moved for 1.5 s, {settle:.0f} s after Pause" if ok else "still moving"
                iso.append((ok, f"after Pause → epochs {after} ({why})"))
                exceptions = [v.index for v in visitors if _state(v.page).get("exception")]
                rss_end, _ = server_usage(proc.pid)
                for v in visitors:
                    with contextlib.suppress(Exception):
                        v.context.close()
            finally:
                browser.close()
        time.sleep(1.0)
        rss_closed, _ = server_usage(proc.pid)
    finally:
        _stop(proc)
        log.close()

    # ---------------------------------------------------------------------------- report
    n, window = args.visitors, w1 - w0
    print(f"\n{n} visitors at {speed} epochs/s"
          + (f" (server tick {TICK_SECONDS:g} s, the browser plays ≤ {DISPLAY_FPS} chart updates/s)"
             if TICK_SECONDS and DISPLAY_FPS else "")
          + f", {window:.0f} s measured with all playing, Play started {args.stagger:g} s apart; one headless "
          f"Chromium; load average {load0} at the start, {_loadavg()} at the end ({os.cpu_count()} shared cores)\n")
    print(f"{'visitor':>7} {'page load s':>11} {'updates/s':>9} {'slowest':>8} {'epochs/s':>8} {'trained/s':>9} "
          f"{'longest stall s':>15} {'draw ms':>7} {'final epoch':>11} {'charts torn down':>16}")
    stats = [window_stats(v.logs, w0, w1) for v in visitors]
    # what the server trained, over the whole of Play (ticks arrive late at a starved browser)
    tps = [v.rested / (v.pause_at - v.play_at) if v.rested is not None else None for v in visitors]
    for v, st, tp in zip(visitors, stats, tps, strict=True):
        torn = sum(v.logs.get("removed", {}).values())
        print(f"{v.index:>7} {v.load_s:>11.1f} {st['updates']:>9.2f} {st['slowest']:>8} {st['epochs']:>8.1f} "
              f"{'?' if tp is None else f'{tp:.1f}':>9} {st['stall']:>15.1f} {st['draw_ms']:>7.0f} "
              f"{st['final'] or 0:>11,} {torn:>16}")
    ups, eps = [st["updates"] for st in stats], [st["epochs"] for st in stats]
    print(f"\nchart updates/s per visitor (slowest chart): {_spread(ups, '.2f')}")
    print(f"epochs/s per visitor shown on the Epoch tile (target {speed}): {_spread(eps, '.1f')}; "
          f"all together {sum(eps):.0f}")
    if None not in tps:
        print(f"epochs/s per visitor trained by the server (whole Play, from the epoch each tile rested at after "
              f"Pause, {settle:.0f} s later): {_spread(tps, '.1f')}")
    server = cpu1 - cpu0
    per = server / (n * window)
    trained = sum(tps) * window if None not in tps else 0.0
    print(f"server CPU with all playing: {per:.3f} core-s per visitor-s ({100 * server / window:.0f}% of one core "
          f"for {n}" + (f"; ≈ {1000 * server / trained:.1f} ms per epoch trained" if trained else "") + ")")
    cores = os.cpu_count() or 1
    busy, bro = mcpu1 - mcpu0, bcpu1 - bcpu0
    rest, idle = max(0.0, busy - server - bro), max(0.0, cores * window - busy)
    print(f"who used the {cores} cores ({100 * cores}%) over the window: server {100 * server / window:.0f}%, "
          f"browsers (Chromium + playwright driver) {100 * bro / window:.0f}%, "
          f"the rest {100 * rest / window:.0f}%, idle {100 * idle / window:.0f}%")
    if p1 > p0:
        print(f"server CPU while {len(probes)} new visitor(s) loaded ({p1 - p0:.0f} s, all still playing): "
              f"{100 * (cpu2 - cpu1) / (p1 - p0):.0f}% of one core")
    peak = max([rss_loaded, *rss_trace, rss_end])
    print(f"server RSS MiB: idle {_mib(rss_idle)}, {n} visitors loaded {_mib(rss_loaded)}, peak "
          f"{_mib(peak)}, paused {_mib(rss_end)}, contexts closed {_mib(rss_closed)}")
    torn_by: dict[str, int] = {}
    for v in visitors:
        for k, c in v.logs.get("removed", {}).items():
            torn_by[k] = torn_by.get(k, 0) + c
    if torn_by:
        print(f"live charts torn down and re-created, all visitors, whole run: {dict(sorted(torn_by.items()))}")

    print(f"\nnew visitors while {n} play (s from navigation, page clock; "
          f"'>' = not yet when given up after ~{args.probe_timeout:g} s):")
    print(f"{'probe':>5} {'at s':>5} {'shell':>6} {'metric':>7} {'1st chart':>9} {'5 charts':>8} {'Epoch':>6}")
    for i, p in enumerate(probes):
        print(f"{i:>5} {p['at']:>5.0f} {_secs(p['app']):>6} {_secs(p['metric']):>7} {_secs(p['first']):>9} "
              f"{_secs(p['all']):>8} {p['epoch'] if p['epoch'] is not None else '—':>6}")
    if any(p["epoch"] not in (0, None) for p in probes):
        iso.append((False, "a new visitor did not start at epoch 0"))
    else:
        iso.append((True, f"every new visitor started at epoch 0 ({len(probes)} probed)"))
    if exceptions:
        iso.append((False, f"visitors {exceptions} show an exception"))

    print("\nisolation (read from the browsers):")
    for ok, line in iso:
        print(f"  {'OK  ' if ok else 'FAIL'} {line}")
    alls = [p["all"] for p in probes]
    drawn_ok = None not in alls
    slowest = ("no new visitor probed" if not alls else
               f"slowest to five charts {max(alls):.1f} s" if drawn_ok else
               f"{alls.count(None)} of {len(alls)} did not draw five charts in ~{args.probe_timeout:g} s")
    ok = all(o for o, _ in iso) and drawn_ok
    print(f"\n{'PASS' if ok else 'FAIL'}: isolation {'OK' if all(o for o, _ in iso) else 'FAILED'}; new visitors: "
          f"{slowest}; {per:.3f} server core-s per visitor-s; chart updates/s per visitor min {min(ups):.2f}; "
          f"total {time.monotonic() - t_begin:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
