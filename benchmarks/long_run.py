"""History and diagnostics stay bounded, so 100,000 epochs of Play do not grow memory or slow frames.

Run from the repository root::

    python benchmarks/long_run.py                 # 100,000 epochs, a few minutes at most
    python benchmarks/long_run.py --epochs 5000   # quick run

No browser and no server: one Run of ``playground.config.DEFAULT`` (circle, full batch) with
50 updates per snapshot. A *frame* is ``run.play(50)`` followed by everything the live view computes
per snapshot (``frame_payloads``): ``frames.take`` (which measures the test side), the history's
columns, and each chart's numbers-only frame, JSON-encoded as ``live_chart`` sends it. With
``--instrument diagnostics`` (the default) the Diagnostics instrument is drawn too
(``run.diagnostics.columns()``, ``hint`` and ``diagnostics_figure``), since that is the chart that
reads DiagnosticsHistory.

Between measurements only ``run.play`` is called (training is ~0.3-0.5 ms per update; a full
frame's drawing is ~100x that). Every ``--frame-every`` epochs one frame is drawn anyway, so any
per-draw state keeps being exercised. At each checkpoint (1k, 10k, 50k, 100k epochs) the last
``--window`` frames before it are drawn and timed (fewer at 1k: only 1,000/speed frames exist).

Memory is Python's own allocations (``tracemalloc``, started before the Run is built, read after a
``gc.collect()``), plus the process RSS for reference. tracemalloc slows allocation-heavy code by
a constant factor, so absolute frame times read high; the ratio between checkpoints is what counts.
The machine is shared and noisy: frame times are medians, and the verdict allows 1.5x.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground import config as C  # noqa: E402
from playground import figures as F  # noqa: E402
from playground import frames, readouts  # noqa: E402
from playground.diagnostics import hidden_activations, hint, layer_stats  # noqa: E402
from playground.equations import equation_rows  # noqa: E402
from playground.experiment import new_run  # noqa: E402
from playground.figures import diagnostics as FD  # noqa: E402
from playground.figures import spec  # noqa: E402
from playground.run import Run  # noqa: E402
from playground.ui.live_chart import structure_json  # noqa: E402  (what live_chart sends)

CHECKPOINTS = (1_000, 10_000, 50_000, 100_000)
MAX_TIME_RATIO = 1.5  # frame time at the last checkpoint / at the first
MAX_MEMORY_GROWTH = 1 << 20  # bytes of tracemalloc growth allowed from the 2nd to the last checkpoint
MAX_SECONDS = 600.0  # hard stop for the whole simulation


# ----------------------------------------------------------------------------- one frame
def frame_payloads(run: Run, *, instrument: str = "diagnostics") -> dict[str, int]:
    """Everything one Play snapshot computes after training, as the live view does it with the page's
    default widget state (δ scale per layer, linear loss axis, matrices = ∂J/∂W): a ``frames.take``
    and each chart's numbers-only frame (the structures are cached, so not rebuilt), plus the
    Diagnostics instrument and the equation panel's rows. Returns the JSON payload size in bytes of
    each chart."""
    rows = run.trace_rows
    if len(rows) == len(run.data.y_train):
        order = readouts.example_order(run)
    else:  # a mini-batch phase walk (not reached by Play; kept as view._columns has it)
        labels = [readouts.example_labels(run)[r] for r in rows]
        order = np.argsort(labels, kind="stable")[:96]
    snap = frames.take(run, order=order)
    if snap.surface is None:
        raise SystemExit("This benchmark expects a 2-D dataset (the default circle).")
    n_l = run.net.n_l
    data = run.plot_data
    h = run.history.columns()
    series = {"J": h["J"], "J_data": h["J_data"], "J_decay": h["J_decay"], "J_test": h["J_test"]}
    loss, base = F.loss_frames(h["epoch"], series, [snap.epoch])
    patches = {
        "network": F.network_frame(list(run.net.sizes), snap.W, dW=snap.dW),
        "deltas": F.delta_frame(snap.deltas, example_order=np.arange(len(order))),
        "surface": F.surface_frame(snap.surface, task=data.task, classes=data.classes, y_train=data.y_train,
                                   y_test=data.y_test),
        "loss": {"frames": loss, "base": base},
        "matrices": F.matrix_frame({l: snap.dW[l - 1] for l in range(1, n_l)}, kind="dW"),
    }
    sizes = {key: len(spec.to_json(p).encode()) for key, p in patches.items()}
    # instruments: the Diagnostics one reads DiagnosticsHistory (drawn whole, once per server run)
    if instrument == "diagnostics":
        hint(layer_stats(run.net, run.current_trace(), run.cfg.alpha), hidden_activations(run.net))
        cols = run.diagnostics.columns()
        sizes["diagnostics"] = len(structure_json(FD.diagnostics_figure(cols.epochs, cols.series))[0].encode())
    # the equation panel (drawn on Pause): live numbers for one neuron and example
    equation_rows(run.net, run.trace, run.revealed, l=n_l, i=0, j=0, k=0, alpha=run.cfg.alpha)
    return sizes


# ----------------------------------------------------------------------------- the long run
@dataclass
class Checkpoint:
    epoch: int
    frames: int  # frames timed in the window
    median_ms: float  # wall clock
    median_cpu_ms: float  # this process's CPU time: far less sensitive to other load on shared cores
    memory: int | None  # tracemalloc current, bytes
    rss: int | None  # process VmRSS, bytes
    history_rows: int
    diagnostics_rows: int
    loss_bytes: int
    payload_bytes: int  # all charts of one frame


@dataclass
class Result:
    speed: int
    checkpoints: list[Checkpoint] = field(default_factory=list)
    seconds: float = 0.0
    max_history_rows: int = 0  # over every epoch, not just the checkpoints
    max_diagnostics_rows: int = 0
    stopped: str | None = None  # why the run ended early (divergence, time limit), if it did


def _rss() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def simulate(
    epochs: int,
    *,
    speed: int = 50,
    checkpoints: tuple[int, ...] = CHECKPOINTS,
    window: int = 50,
    frame_every: int = 5_000,
    instrument: str = "diagnostics",
    measure_memory: bool = False,
    max_seconds: float = MAX_SECONDS,
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Play DEFAULT for ``epochs`` epochs at ``speed`` updates per snapshot (full batch: 1 update = 1 epoch).

    Checkpoints beyond ``epochs`` are dropped and ``epochs`` itself is always one. Every loop is
    bounded: by the epoch count and by ``max_seconds`` of wall time.
    """
    if epochs < 1 or speed < 1 or window < 1:
        raise ValueError("epochs, speed and window must be positive")
    cps = sorted({c for c in checkpoints if c < epochs} | {epochs})
    if measure_memory and not tracemalloc.is_tracing():
        tracemalloc.start()
    t_start = time.monotonic()
    run = new_run(C.replace(C.DEFAULT, speed=speed, batch_size=0))
    if run.cfg.batch_size != 0:
        raise SystemExit("expected full-batch descent (one update = one epoch)")
    res = Result(speed=speed)
    next_draw = frame_every

    def track() -> None:
        res.max_history_rows = max(res.max_history_rows, len(run.history))
        res.max_diagnostics_rows = max(res.max_diagnostics_rows, len(run.diagnostics))

    def play(n: int) -> bool:
        ok = run.play(n)
        track()
        if not ok:
            res.stopped = f"update refused at epoch {run.epoch}: {run.notice}"
        return ok

    for cp in cps:
        n_frames = max(1, min(window, cp // speed))
        start = cp - n_frames * speed  # the window's frames end exactly at the checkpoint
        # train up to the window, drawing one frame every `frame_every` epochs on the way
        while run.epoch < start and res.stopped is None:
            if time.monotonic() - t_start > max_seconds:
                res.stopped = f"time limit {max_seconds:.0f}s reached at epoch {run.epoch}"
                break
            if not play(min(speed, start - run.epoch)):  # frame-sized chunks, as Play trains
                break
            if run.epoch >= next_draw:
                frame_payloads(run, instrument=instrument)
                next_draw += frame_every
        if res.stopped is not None:
            break
        times, cpu, sizes = [], [], {}
        for _ in range(n_frames):
            t0, c0 = time.perf_counter(), time.process_time()
            if not play(min(speed, cp - run.epoch)):
                break
            sizes = frame_payloads(run, instrument=instrument)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        if res.stopped is not None or not times:
            break
        gc.collect()
        mem = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else None
        res.checkpoints.append(Checkpoint(
            epoch=run.epoch, frames=len(times), median_ms=1e3 * statistics.median(times),
            median_cpu_ms=1e3 * statistics.median(cpu), memory=mem, rss=_rss(),
            history_rows=len(run.history), diagnostics_rows=len(run.diagnostics),
            loss_bytes=sizes.get("loss", 0), payload_bytes=sum(sizes.values()),
        ))
        if progress:
            c = res.checkpoints[-1]
            progress(f"  epoch {c.epoch:>7,}: {c.median_ms:.1f} ms/frame ({c.median_cpu_ms:.1f} ms CPU), "
                     f"{time.monotonic() - t_start:.0f}s elapsed")
    res.seconds = time.monotonic() - t_start
    return res


# ----------------------------------------------------------------------------- report
def _mib(b: int | None) -> str:
    return "—" if b is None else f"{b / 2**20:.2f}"


def verdict(res: Result) -> tuple[bool, str]:
    cps = res.checkpoints
    if res.stopped or len(cps) < 2:
        return False, f"FAIL: {res.stopped or 'fewer than two checkpoints'}"
    first, last = cps[0], cps[-1]
    ratio = last.median_cpu_ms / first.median_cpu_ms
    wall_ratio = last.median_ms / first.median_ms
    ok_time = ratio <= MAX_TIME_RATIO
    base = cps[1] if len(cps) > 2 else first  # from 10k on, the history is at its bound
    mem_ok, mem_txt = True, "memory not measured"
    if last.memory is not None and base.memory is not None:
        growth = last.memory - base.memory
        per_epoch = growth / max(1, last.epoch - base.epoch)
        mem_ok = growth <= MAX_MEMORY_GROWTH
        mem_txt = (f"memory {'bounded' if mem_ok else 'GROWS'}: {growth / 2**10:+.0f} KiB from epoch "
                   f"{base.epoch:,} to {last.epoch:,} ({per_epoch:+.2f} B/epoch; limit {MAX_MEMORY_GROWTH >> 10} KiB)")
    rows_ok = res.max_history_rows <= _max_rows() + 1 and res.max_diagnostics_rows <= _max_rows() + 1
    ok = ok_time and mem_ok and rows_ok
    return ok, (f"{'PASS' if ok else 'FAIL'}: frame time {last.epoch:,} vs {first.epoch:,} epochs = {ratio:.2f}x "
                f"CPU (limit {MAX_TIME_RATIO}x; wall clock {wall_ratio:.2f}x); {mem_txt}; history ≤ "
                f"{res.max_history_rows} rows, diagnostics ≤ {res.max_diagnostics_rows} rows at every epoch "
                f"(bound {_max_rows()}+1)")


def _max_rows() -> int:
    from playground.history import MAX_ROWS
    return MAX_ROWS


def report(res: Result) -> str:
    lines = [f"{'epoch':>8} {'frames':>6} {'ms/frame wall':>13} {'ms/frame CPU':>12} {'tracemalloc MiB':>15} "
             f"{'RSS MiB':>8} {'history rows':>12} {'diag rows':>9} {'loss JSON B':>11} {'frame JSON B':>12}"]
    for c in res.checkpoints:
        lines.append(f"{c.epoch:>8,} {c.frames:>6} {c.median_ms:>13.1f} {c.median_cpu_ms:>12.1f} {_mib(c.memory):>15} "
                     f"{_mib(c.rss):>8} "
                     f"{c.history_rows:>12} {c.diagnostics_rows:>9} {c.loss_bytes:>11,} {c.payload_bytes:>12,}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=CHECKPOINTS[-1], help="epochs to play (default 100,000)")
    ap.add_argument("--speed", type=int, default=50, help="updates per snapshot (default 50)")
    ap.add_argument("--window", type=int, default=50, help="frames timed before each checkpoint (default 50)")
    ap.add_argument("--frame-every", type=int, default=5_000, help="epochs between untimed frames (default 5000)")
    ap.add_argument("--instrument", choices=("diagnostics", "none"), default="diagnostics",
                    help="draw the Diagnostics instrument too (default) or only the 5 view charts")
    ap.add_argument("--no-tracemalloc", action="store_true", help="RSS only; frame times without tracing overhead")
    ap.add_argument("--max-seconds", type=float, default=MAX_SECONDS)
    args = ap.parse_args(argv)
    if not 1 <= args.speed <= C.MAX_SPEED:
        ap.error(f"--speed must be 1..{C.MAX_SPEED}")
    print(f"Playing DEFAULT (circle, full batch) for {args.epochs:,} epochs at {args.speed} updates/frame, "
          f"instrument={args.instrument}, tracemalloc={'off' if args.no_tracemalloc else 'on'}", flush=True)
    res = simulate(args.epochs, speed=args.speed, window=args.window, frame_every=args.frame_every,
                   instrument=args.instrument, measure_memory=not args.no_tracemalloc,
                   max_seconds=args.max_seconds, progress=lambda s: print(s, flush=True))
    print()
    print(report(res))
    ok, text = verdict(res)
    print(f"\n{text}\n(total {res.seconds:.0f}s)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
