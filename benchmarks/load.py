"""Several browser sessions playing at once: frames/s per session, server memory, new-visitor latency.

Run from the repository root::

    python benchmarks/load.py                          # 4 sessions, 30 s of Play, under 2 min in all
    python benchmarks/load.py --sessions 2 --seconds 10

One ``streamlit run app.py`` on a free 127.0.0.1 port and ONE headless Debian Chromium
(/usr/bin/chromium; nothing is downloaded). Each session is its own browser context (own cookies
and websocket, so its own Streamlit session and its own Run). Only loopback is reached: every
other request is aborted.

1. Open ``--sessions`` contexts at once and load the page in each ("page load": until that
   session's five live charts are drawn, all sessions arriving together).
2. Switch Play on in each, ``--stagger`` seconds apart, then measure for ``--seconds``. A script
   injected into every page logs, with the page's own clock, each change of the Epoch metric
   (polled every 40 ms) and each draw of the loss chart, so the numbers do not depend on how
   promptly this script can ask a busy page:
   * frames/s: changes of the Epoch metric per second, i.e. Play frames that reached the screen;
     epochs/s beside it (a frame trains up to ``speed`` updates, fewer when the app's per-frame
     CPU budget runs out);
   * painted/s: draws (Plotly.newPlot/react) of the loss chart per second;
   * longest stall: the longest time within the window with no new frame in that session;
   * charts torn down: live-chart elements removed from the page (Streamlit unmounted the
     element, so the chart was re-created from scratch instead of updated in place);
   * server RSS (VmRSS summed over the server's process group) every ~0.5 s, and the CPU time
     of the server and of the browser over the window.
   Every ``--probe-every`` seconds a NEW context loads the page (skipped while ``--overlap`` earlier
   ones, default 1, are still loading, so visitors do not pile up on a slow machine): the times until
   Streamlit's shell, its first script output (the Epoch metric), the first drawn chart
   (``.js-plotly-plot .main-svg``) and all five, at most ``--probe-timeout`` s; its Epoch must be 0.
3. Isolation, from the browser: at each Play start the epochs of all sessions are read (those not
   started yet must still be at 0); at the end all sessions' epochs must differ; after Pause
   everywhere no session's epoch may move.

The machine's 2 shared cores carry the server AND the browser (and whatever else runs), so the
absolute rates are low and noisy; the load average and the CPU columns say who used them.
"""
from __future__ import annotations

import argparse
import contextlib
import os
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
KEYS = ("network", "deltas", "surface", "loss", "matrices")  # the five live charts of the view
MILESTONES = ("app", "metric", "first", "all")  # Streamlit's shell, first script output, first chart, all five
HEALTH_TIMEOUT_S = 60.0
LOAD_TIMEOUT_S = 60.0
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Injected before every page loads. All times are Date.now() (ms), comparable with time.time().
_INIT_JS = r"""
(() => {
  const MAX = 20000;  // bound on every log
  const S = (window.__bpLoad = {epochLog: [], drawLog: [], removed: {}, marks: {}, last: null});
  const keys = ["network", "deltas", "surface", "loss", "matrices"];
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") {  // live_chart.js bumps data-updates after every newPlot/react
        if (r.target.dataset.key === "loss" && S.drawLog.length < MAX) S.drawLog.push(Date.now());
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
    if (!M.first && document.querySelector(".js-plotly-plot .main-svg")) M.first = now;
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
_LOGS_JS = "() => window.__bpLoad"


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


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


# ------------------------------------------------------------------------------------- browser
def _new_context(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1600})
    ctx.route(lambda u: not u.startswith(f"http://{HOST}:"), lambda route: route.abort())
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
class Session:
    index: int
    context: object
    page: object
    load_s: float | None = None
    play_at: float | None = None  # time.time() when Play was switched on
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
def window_stats(logs: dict, t0: float, t1: float) -> dict:
    """Rates and the longest gap between frames within [t0, t1] (seconds since the epoch)."""
    ep = [(t / 1000, e) for t, e in logs.get("epochLog", [])]
    inside = [(t, e) for t, e in ep if t0 <= t <= t1]
    before = [e for t, e in ep if t < t0]
    e0 = before[-1] if before else (inside[0][1] if inside else 0)
    e1 = inside[-1][1] if inside else e0
    edges = [t0, *(t for t, _ in inside), t1]
    dt = max(1e-9, t1 - t0)
    return {
        "fps": len(inside) / dt,
        "painted": sum(t0 <= t / 1000 <= t1 for t in logs.get("drawLog", [])) / dt,
        "epochs": (e1 - e0) / dt,
        "stall": max(b - a for a, b in zip(edges, edges[1:], strict=False)),
        "final": ep[-1][1] if ep else None,
    }


def _mib(b: float) -> str:
    return f"{b / 2**20:.0f}"


def _secs(x: float | None) -> str:
    return ">" if x is None else f"{x:.1f}"


# ------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=4, help="browser sessions playing at once (default 4)")
    ap.add_argument("--seconds", type=float, default=30.0, help="seconds of measured Play (default 30)")
    ap.add_argument("--probe-every", type=float, default=5.0, help="seconds between new visitors (default 5)")
    ap.add_argument("--probe-timeout", type=float, default=30.0, help="seconds a new visitor may wait (default 30)")
    ap.add_argument("--overlap", type=int, default=1, help="new visitors loading at once, at most (default 1)")
    ap.add_argument("--stagger", type=float, default=2.0, help="seconds between the sessions' Play starts")
    ap.add_argument("--speed", type=int, default=None,
                    help="updates per frame, set through the link (?speed=N); default: the app's default")
    args = ap.parse_args(argv)
    if not 1 <= args.sessions <= 16:
        ap.error("--sessions must be 1..16")
    if args.overlap < 1:
        ap.error("--overlap must be at least 1")
    if not 1 <= args.seconds <= 600:
        ap.error("--seconds must be 1..600")
    sys.path.insert(0, str(ROOT))
    from playground.config import DEFAULT, MAX_SPEED
    if args.speed is not None and not 1 <= args.speed <= MAX_SPEED:
        ap.error(f"--speed must be 1..{MAX_SPEED}")
    speed = args.speed or DEFAULT.speed
    try:
        from playground.ui.page import FRAME_SECONDS as tick
    except ImportError:
        tick = None
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        raise SystemExit(f"needs Debian's Chromium at {CHROMIUM}; no browser is downloaded")
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://{HOST}:{port}/" + (f"?speed={args.speed}" if args.speed else "")
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", HOST, "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    log = tempfile.TemporaryFile()
    t_begin, load0 = time.monotonic(), _loadavg()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    sessions: list[Session] = []
    probes: list[dict] = []
    rss_trace: list[int] = []
    iso: list[tuple[bool, str]] = []
    skipped = 0  # new visitors not started because --overlap of them were still loading
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
                # 1. all sessions arrive together
                for i in range(args.sessions):
                    ctx, page = _new_context(browser)
                    sessions.append(Session(i, ctx, page))
                t_load = time.time()
                for s in sessions:
                    s.page.goto(url, wait_until="commit")
                for _ in range(int(LOAD_TIMEOUT_S / 0.25) + 1):  # bounded poll
                    for s in sessions:
                        if s.load_s is None and (m := _state(s.page).get("marks", {})).get("all"):
                            s.load_s = m["all"] / 1000 - t_load
                    if all(s.load_s is not None for s in sessions) or time.time() - t_load > LOAD_TIMEOUT_S:
                        break
                    time.sleep(0.25)
                late = [s.index for s in sessions if s.load_s is None]
                if late:
                    raise RuntimeError(f"sessions {late} did not draw their charts within {LOAD_TIMEOUT_S:.0f} s")
                for s in sessions:
                    s.page.wait_for_function(f"() => ({_STATE_JS})().epoch === 0")
                rss_loaded, _ = server_usage(proc.pid)

                # 2. Play on, staggered; every session's epoch at each start
                for s in sessions:
                    _play_toggle(s.page).click()
                    s.play_at = time.time()
                    s.page.wait_for_function(f"() => ({_STATE_JS})().epoch > 0")
                    epochs = [o.epoch() for o in sessions]
                    ok = all(e == 0 for o, e in zip(sessions, epochs, strict=True) if o.play_at is None)
                    why = "sessions not yet playing still at 0" if ok else "a session not playing moved"
                    iso.append((ok, f"session {s.index} switched Play on → epochs {epochs} ({why})"))
                    if s is not sessions[-1]:
                        time.sleep(args.stagger)

                # the measured window: RSS every ~0.5 s, one new visitor at a time
                _, cpu0 = server_usage(proc.pid)
                bcpu0 = browser_cpu(proc.pid)
                w0 = time.time()
                w_end = w0 + args.seconds
                next_probe = w0 + args.probe_every / 2
                live: list[Probe] = []
                try:
                    for _ in range(int((args.seconds + 10) / 0.5) + 10):  # bounded
                        now = time.time()
                        if now >= w_end and (not live or now >= w_end + 10):  # probes' tail ≤ 10 s
                            break
                        rss_trace.append(server_usage(proc.pid)[0])
                        for p in [p for p in live if p.done()]:
                            probes.append(p.close())
                            live.remove(p)
                        if now >= next_probe and now < w_end:
                            next_probe += args.probe_every
                            if len(live) < args.overlap:
                                live.append(Probe(browser, url, min(args.probe_timeout, w_end + 10 - now), now - w0))
                            else:
                                skipped += 1
                        time.sleep(max(0.0, 0.5 - (time.time() - now)))
                finally:
                    for p in live:
                        probes.append(p.close())
                w1 = time.time()
                _, cpu1 = server_usage(proc.pid)
                bcpu1 = browser_cpu(proc.pid)
                for s in sessions:
                    s.logs = s.page.evaluate(_LOGS_JS)

                # 3. isolation at the end, then Pause everywhere and check that nothing moves
                final = [window_stats(s.logs, w0, w1)["final"] for s in sessions]
                ok = len(set(final)) == len(final)
                iso.append((ok, f"end of window → epochs {final} ({'all different' if ok else 'some equal'})"))
                for s in sessions:
                    _play_toggle(s.page).click()
                off = []
                for s in sessions:
                    box = _play_toggle(s.page).locator("input")
                    for _ in range(100):  # bounded: ≤ ~20 s per session
                        if not box.is_checked():
                            break
                        time.sleep(0.2)
                    off.append(not box.is_checked())
                time.sleep(1.0)  # a tick and a frame for the last frames to land
                before = [s.epoch() for s in sessions]
                time.sleep(1.5)
                after = [s.epoch() for s in sessions]
                ok = all(off) and before == after
                iso.append((ok, f"after Pause → epochs {before}, 1.5 s later {after} "
                                f"({'all stopped' if ok else 'still moving'})"))
                exceptions = [s.index for s in sessions if _state(s.page).get("exception")]
                rss_end, _ = server_usage(proc.pid)
                for s in sessions:
                    with contextlib.suppress(Exception):
                        s.context.close()
            finally:
                browser.close()
        time.sleep(1.0)
        rss_closed, _ = server_usage(proc.pid)
    finally:
        _stop(proc)
        log.close()

    # ---------------------------------------------------------------------------- report
    window = w1 - w0
    print(f"\n{args.sessions} sessions, speed {speed} updates/frame"
          + (f" (Play tick {tick:g} s → at most {1 / tick:.1f} frames/s each)" if tick else "")
          + f", {window:.0f} s measured, Play started {args.stagger:g} s apart; one headless Chromium; "
          f"load average {load0} at the start, {_loadavg()} at the end (2 shared cores)\n")
    print(f"{'session':>7} {'page load s':>11} {'frames/s':>8} {'painted/s':>9} {'epochs/s':>8} "
          f"{'longest stall s':>15} {'final epoch':>11} {'charts torn down':>16}")
    stats = [window_stats(s.logs, w0, w1) for s in sessions]
    for s, st in zip(sessions, stats, strict=True):
        torn = sum(s.logs.get("removed", {}).values())
        print(f"{s.index:>7} {s.load_s:>11.1f} {st['fps']:>8.2f} {st['painted']:>9.2f} {st['epochs']:>8.1f} "
              f"{st['stall']:>15.1f} {st['final'] or 0:>11,} {torn:>16}")
    fps = [st["fps"] for st in stats]
    frames = sum(fps) * window
    print(f"\nframes/s per session: min {min(fps):.2f}, median {statistics.median(fps):.2f}, max {max(fps):.2f}; "
          f"all sessions together {sum(fps):.2f}")
    print(f"CPU over the window: server {100 * (cpu1 - cpu0) / window:.0f}% of one core"
          + (f" = {1000 * (cpu1 - cpu0) / frames:.0f} ms per frame" if frames else "")
          + f"; browser (Chromium + playwright driver) {100 * (bcpu1 - bcpu0) / window:.0f}%")
    peak = max([rss_loaded, *rss_trace, rss_end])
    print(f"server RSS MiB: idle {_mib(rss_idle)}, {args.sessions} sessions loaded {_mib(rss_loaded)}, peak "
          f"{_mib(peak)}, paused {_mib(rss_end)}, contexts closed {_mib(rss_closed)}")
    torn_by: dict[str, int] = {}
    for s in sessions:
        for k, v in s.logs.get("removed", {}).items():
            torn_by[k] = torn_by.get(k, 0) + v
    if torn_by:
        print(f"live charts torn down and re-created, all sessions, whole run: {dict(sorted(torn_by.items()))}")

    print(f"\nnew visitors while {args.sessions} sessions play (s from navigation; '>' = not within its limit):")
    print(f"{'probe':>5} {'at s':>5} {'shell':>6} {'metric':>7} {'1st chart':>9} {'5 charts':>8} {'Epoch':>6}")
    probes.sort(key=lambda p: p["at"])
    if skipped:
        print(f"({skipped} new visitors not started: {args.overlap} still loading)")
    for i, p in enumerate(probes):
        print(f"{i:>5} {p['at']:>5.0f} {_secs(p['app']):>6} {_secs(p['metric']):>7} {_secs(p['first']):>9} "
              f"{_secs(p['all']):>8} {p['epoch'] if p['epoch'] is not None else '—':>6}")
    if any(p["epoch"] not in (0, None) for p in probes):
        iso.append((False, "a new visitor did not start at epoch 0"))
    else:
        iso.append((True, f"every new visitor started at epoch 0 ({len(probes)} visitors)"))
    if exceptions:
        iso.append((False, f"sessions {exceptions} show an exception"))

    print("\nisolation (read from the browsers):")
    for ok, line in iso:
        print(f"  {'OK  ' if ok else 'FAIL'} {line}")
    firsts = [p["first"] for p in probes]
    drawn_ok = None not in firsts
    slowest = ("no new visitor probed" if not firsts else
               f"slowest first chart {max(firsts):.1f} s" if drawn_ok else
               f"{firsts.count(None)} of {len(firsts)} drew no chart within their limit")
    ok = all(o for o, _ in iso) and drawn_ok
    print(f"\n{'PASS' if ok else 'FAIL'}: isolation {'OK' if all(o for o, _ in iso) else 'FAILED'}; new visitors: "
          f"{slowest}; frames/s per session min {min(fps):.2f}; total {time.monotonic() - t_begin:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
