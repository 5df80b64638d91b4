"""Server CPU per Play frame of the five live charts: whole Plotly figures (old) vs structure + frames (new).

Run from the repository root::

    python benchmarks/frame_cpu.py                  # three networks, about a minute
    python benchmarks/frame_cpu.py --quick          # a smoke run: few frames
    python benchmarks/frame_cpu.py --cases default  # only the default network

No browser and no server. One Run per case (``playground.config.DEFAULT``: circle, full batch,
tanh; the cases change only ``hidden``), trained 20 ``run.step()``s, then frame after frame:

* old - what a Play frame cost before charts had structures: each builder (``F.network_diagram``,
  ``delta_heatmaps``, ``prediction_surface``, ``loss_curve``, ``matrix_heatmaps``) called with the
  run's current arrays, and the figure serialised as the old ``live_chart`` did
  (``to_plotly_json()`` + ``json.dumps(cls=PlotlyJSONEncoder, separators=(",", ":"))``, the default
  template check included);
* new - what ``playground.ui.view.render_view`` does per snapshot: one ``frames.take``, then the
  five numbers-only patches (``F.network_frame``, ``delta_frame``, ``surface_frame``,
  ``loss_frames``, ``matrix_frame``), each encoded with ``spec.to_json``. The structures are cached
  by the view, so they are not rebuilt per frame; their one-off cost (builder + ``figure_dict`` +
  ``to_json``, as ``live_chart.structure_json``) is reported on its own line.

The arguments are the view's (copied from render_view; playground.ui is not imported, it needs
Streamlit) with the page's default options: δ scale per layer, linear loss axis, matrices = ∂J/∂W.
One snapshot per message is assumed, so the loss curve's history (``base``) travels every frame:
the new path's worst case. The row ``arrays`` is the prediction grid ``readouts.surface(run)`` (old) vs
``frames.take`` (new, which includes that grid); the test numbers of the epoch (``run.measure()``)
are computed untimed before both paths, since both draw them and the first caller would pay.

Times are CPU seconds of this process (``time.process_time``, all threads), so load from other
processes on the shared machine counts far less than on a wall clock. Between frames the run makes
``--steps`` updates (untimed) so every frame draws new numbers; old and new draw the same frame,
in alternating order, and every figure is a median over frames. Target from the issue: total
new/old ≤ 1/10 (floor), ≤ 1/30 (goal).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground import figures as F  # noqa: E402
from playground import frames, readouts  # noqa: E402
from playground.config import DEFAULT, replace  # noqa: E402
from playground.experiment import new_run  # noqa: E402
from playground.figures import spec  # noqa: E402
from playground.run import Run  # noqa: E402

CHARTS = ("network", "deltas", "surface", "loss", "matrices")
ROWS = ("arrays", *CHARTS)
FLOOR = 1 / 10  # total new/old must be at most this
GOAL = 1 / 30
TRAIN_FIRST = 20  # run.step()s before the first frame
WARMUP = 2  # untimed frames per path: plotly loads its validators lazily on first use


@dataclass(frozen=True)
class Case:
    name: str
    hidden: tuple[int, ...]


CASES = (Case("default", DEFAULT.hidden), Case("deep", (8, 8, 8, 8)), Case("wide", (32, 32)))


# ----------------------------------------------------------------------------- what the view draws
@dataclass(frozen=True)
class View:
    """The view's per-chart arguments that stay fixed while playing (render_view's structure keys)."""

    sizes: list[int]
    acts: list[str]
    pending_dW: bool
    highlight: int | None  # the network diagram's ringed layer
    order: np.ndarray  # heatmap columns: rows of the trace, in display order
    labels: list[str]
    pending_delta: set[int]
    delta_highlight: int | None
    shared: bool
    log_y: bool
    loss_now: bool
    pending_mats: set[int]


def view_of(run: Run) -> View:
    """render_view's arguments for ``run`` as Play shows it (full batch, no phase walk)."""
    rev = run.revealed
    n_l = run.net.n_l
    now = rev.current.l if rev.current is not None else None
    return View(
        sizes=list(run.net.sizes), acts=[run.net.f[l].name for l in range(2, n_l + 1)],
        pending_dW=not rev.gradients, highlight=now,
        order=readouts.example_order(run), labels=readouts.example_labels(run), pending_delta=rev.pending_delta(n_l),
        delta_highlight=now if rev.current is not None and rev.current.kind == "delta" else None,
        shared=run.cfg.delta_shared, log_y=run.cfg.log_y,
        loss_now=rev.current is not None and rev.current.kind == "cost",
        pending_mats=set() if rev.gradients else set(range(1, n_l)),
    )


def _series(run: Run) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    h = run.history.columns()
    return h["epoch"], {"J": h["J"], "J_data": h["J_data"], "J_decay": h["J_decay"], "J_test": h["J_test"]}


def _dW(run: Run) -> list[np.ndarray]:
    tr = run.trace
    return [tr.dW[l] for l in range(1, run.net.n_l)]


def figures_of(run: Run, v: View, surface: tuple | None = None) -> dict[str, Callable[[], object]]:
    """Each chart's builder call on the run as it stands (surface: readouts.surface(run), if already computed)."""
    tr = run.trace
    n_l = run.net.n_l
    data = run.plot_data

    def surface_fig():
        x1, x2, values = surface if surface is not None else readouts.surface(run)
        return F.prediction_surface(x1, x2, values, X_train=data.X_train, y_train=data.y_train, X_test=data.X_test,
                                    y_test=data.y_test, task=data.task, classes=data.classes, low=run.low)

    def loss_fig():
        epochs, series = _series(run)
        return F.loss_curve(epochs, series, log_y=v.log_y, diverged_at=run.diverged_at, highlight_now=v.loss_now)

    return {
        "network": lambda: F.network_diagram(v.sizes, run.net.W, dW=None if v.pending_dW else _dW(run),
                                             activations=v.acts, highlight=v.highlight, pending_dW=v.pending_dW),
        "deltas": lambda: F.delta_heatmaps({l: tr.delta[l] for l in range(2, n_l + 1)}, example_order=v.order,
                                           example_labels=v.labels, pending=v.pending_delta,
                                           highlight=v.delta_highlight, shared_scale=v.shared),
        "surface": surface_fig,
        "loss": loss_fig,
        "matrices": lambda: F.matrix_heatmaps(dict(enumerate(_dW(run), start=1)), kind="dW", pending=v.pending_mats),
    }


def patches_of(run: Run, v: View, snap: frames.Snapshot) -> dict[str, Callable[[], object]]:
    """Each chart's frame (the JSON-ready patch) for one snapshot, as render_view computes it."""
    data = run.plot_data
    shown = np.arange(len(v.order))  # snapshot deltas are already in display order

    def loss_patch():
        epochs, series = _series(run)
        patches, base = F.loss_frames(epochs, series, [snap.epoch], log_y=v.log_y, highlight_now=v.loss_now)
        return {"frames": patches, "base": base}  # one message: the base travels with its one frame

    return {
        "network": lambda: F.network_frame(v.sizes, snap.W, dW=None if v.pending_dW else snap.dW,
                                           pending_dW=v.pending_dW),
        "deltas": lambda: F.delta_frame(snap.deltas, example_order=shown, pending=v.pending_delta,
                                        highlight=v.delta_highlight, shared_scale=v.shared),
        "surface": lambda: F.surface_frame(snap.surface, task=data.task, classes=data.classes,
                                           y_train=data.y_train, y_test=data.y_test),
        "loss": loss_patch,
        "matrices": lambda: F.matrix_frame(dict(enumerate(snap.dW, start=1)), kind="dW", pending=v.pending_mats),
    }


def old_json(fig) -> str:
    """A whole figure as the old live_chart sent it every frame (its ``_figure_json``, which is gone)."""
    import plotly.io as pio
    from _plotly_utils.utils import PlotlyJSONEncoder

    d = fig.to_plotly_json()
    layout = dict(d.get("layout") or {})
    template = layout.get("template")
    default = pio.templates.default
    if template is not None and isinstance(default, str) and default in pio.templates:  # default one: dropped
        if hasattr(template, "to_plotly_json"):
            template = template.to_plotly_json()
        if json.dumps(template, sort_keys=True, default=str) == _template_json(default):
            layout.pop("template")
    return json.dumps({"data": d.get("data") or [], "layout": layout}, cls=PlotlyJSONEncoder, separators=(",", ":"))


_TEMPLATES: dict[str, str] = {}


def _template_json(name: str) -> str:
    if name not in _TEMPLATES:  # the old code cached this too (lru_cache)
        import plotly.io as pio
        _TEMPLATES[name] = json.dumps(pio.templates[name].to_plotly_json(), sort_keys=True, default=str)
    return _TEMPLATES[name]


# ----------------------------------------------------------------------------- one frame, each way
Timed = dict[str, tuple[float, str]]  # row -> (CPU seconds, JSON sent; "" for the arrays row)


def _clock() -> float:
    return time.process_time()


def old_frame(run: Run, v: View) -> Timed:
    """One Play frame the old way: every figure built and serialised whole."""
    out: Timed = {}
    t0 = _clock()
    surface = readouts.surface(run)
    out["arrays"] = (_clock() - t0, "")
    for name, build in figures_of(run, v, surface).items():
        t0 = _clock()
        text = old_json(build())
        out[name] = (_clock() - t0, text)
    return out


def new_frame(run: Run, v: View) -> Timed:
    """One Play frame the new way: a snapshot, then each chart's numbers-only patch."""
    out: Timed = {}
    t0 = _clock()
    snap = frames.take(run, order=v.order)
    out["arrays"] = (_clock() - t0, "")
    for name, patch in patches_of(run, v, snap).items():
        t0 = _clock()
        text = spec.to_json(patch())
        out[name] = (_clock() - t0, text)
    return out


def structures(run: Run, v: View) -> tuple[float, int]:
    """The one-off cost of the five cached structures: CPU seconds and JSON bytes (live_chart.structure_json)."""
    t0 = _clock()
    size = 0
    for build in figures_of(run, v).values():
        size += len(spec.to_json(spec.figure_dict(build())).encode())
    return _clock() - t0, size


# ----------------------------------------------------------------------------- the benchmark
@dataclass
class Result:
    case: Case
    sizes: list[int]
    frames: int
    old_ms: dict[str, float]  # row -> median ms
    new_ms: dict[str, float]
    old_total_ms: float  # median over frames of the sum of rows
    new_total_ms: float
    old_bytes: int  # median JSON bytes per frame, all five charts
    new_bytes: int
    structure_ms: float
    structure_bytes: int
    last_old: dict[str, str] = field(repr=False, default_factory=dict)  # the last frame's JSON, per chart
    last_new: dict[str, str] = field(repr=False, default_factory=dict)
    run: Run | None = field(repr=False, default=None)  # as it stood at the last frame

    @property
    def ratio(self) -> float:
        return self.new_total_ms / self.old_total_ms


def run_case(case: Case, *, frames: int = 41, steps: int = 5, structure_repeats: int = 5) -> Result:
    """Median CPU per frame of both paths on one network, drawn frame by frame from the same run."""
    run = new_run(replace(DEFAULT, hidden=case.hidden))
    for _ in range(TRAIN_FIRST):
        run.step()
    v = view_of(run)
    times = {"old": {r: [] for r in ROWS}, "new": {r: [] for r in ROWS}}
    totals = {"old": [], "new": []}
    sizes = {"old": [], "new": []}
    drawn: dict[str, Timed] = {}
    paths = {"old": old_frame, "new": new_frame}
    for i in range(WARMUP + frames):
        for _ in range(steps):  # new numbers for this frame; training is not what is measured
            run.step()
        run.measure()  # see the docstring: the epoch's test numbers, cached for whichever path comes first
        order = ("old", "new") if i % 2 == 0 else ("new", "old")  # neither always gets the warm caches
        for key in order:
            drawn[key] = paths[key](run, v)
        if i < WARMUP:
            continue
        for key, rows in drawn.items():
            for r, (sec, _) in rows.items():
                times[key][r].append(sec)
            totals[key].append(sum(sec for sec, _ in rows.values()))
            sizes[key].append(sum(len(text.encode()) for _, text in rows.values()))
    struct = [structures(run, v) for _ in range(structure_repeats)]

    def ms(xs: Sequence[float]) -> float:
        return 1e3 * statistics.median(xs)

    return Result(
        case=case, sizes=list(run.net.sizes), frames=frames,
        old_ms={r: ms(t) for r, t in times["old"].items()}, new_ms={r: ms(t) for r, t in times["new"].items()},
        old_total_ms=ms(totals["old"]), new_total_ms=ms(totals["new"]),
        old_bytes=int(statistics.median(sizes["old"])), new_bytes=int(statistics.median(sizes["new"])),
        structure_ms=ms([s for s, _ in struct]), structure_bytes=struct[-1][1],
        last_old={c: drawn["old"][c][1] for c in CHARTS}, last_new={c: drawn["new"][c][1] for c in CHARTS}, run=run,
    )


# ----------------------------------------------------------------------------- report
def _inverse(r: float) -> str:
    """A ratio as 1/x when below 1 (targets read that way), as a plain number otherwise."""
    if not r > 0:
        return "—"
    return f"1/{1 / r:.1f}" if r < 1 else f"{r:.2f}"


def format_table(res: Result) -> str:
    head = f"{'chart':<10} {'old ms':>8} {'new ms':>8} {'new/old':>8} {'old JSON B':>11} {'new JSON B':>11}"
    lines = [head, "-" * len(head)]
    old_b = {c: len(res.last_old[c].encode()) for c in CHARTS}
    new_b = {c: len(res.last_new[c].encode()) for c in CHARTS}
    for r in ROWS:
        o, n = res.old_ms[r], res.new_ms[r]
        b = f"{old_b[r]:>11,} {new_b[r]:>11,}" if r in CHARTS else f"{'':>11} {'':>11}"
        lines.append(f"{r:<10} {o:8.3f} {n:8.3f} {_inverse(n / o) if o > 0 else '—':>8} {b}")
    lines.append("-" * len(head))
    lines.append(f"{'total':<10} {res.old_total_ms:8.3f} {res.new_total_ms:8.3f} {_inverse(res.ratio):>8} "
                 f"{res.old_bytes:>11,} {res.new_bytes:>11,}")
    return "\n".join(lines)


def verdict(res: Result) -> tuple[bool, str]:
    ok = res.ratio <= FLOOR
    goal = "met" if res.ratio <= GOAL else "not met"
    return ok, (f"{'PASS' if ok else 'FAIL'}: total new/old = {_inverse(res.ratio)} "
                f"(floor {_inverse(FLOOR)}; goal {_inverse(GOAL)} {goal})")


def report(res: Result) -> str:
    ok, text = verdict(res)
    charts_old, charts_new = (sum(ms[c] for c in CHARTS) for ms in (res.old_ms, res.new_ms))
    return "\n".join([
        f"case {res.case.name}: network {res.sizes}, medians of {res.frames} frames "
        f"(CPU ms per frame, time.process_time; JSON bytes of the last frame per chart, median total)",
        format_table(res),
        f"structures (one-off, 5 charts: builder + figure_dict + to_json): {res.structure_ms:.1f} ms, "
        f"{res.structure_bytes:,} B (≈ {res.structure_ms / res.old_total_ms:.1f} old frames)",
        # the arrays row is mostly readouts.surface(run), a forward pass both paths need: show the charts' own share
        f"charts only (sum of medians, no arrays row): new/old = {_inverse(charts_new / charts_old)}",
        text,
    ])


def main(argv: Sequence[str] | None = None) -> int:
    names = [c.name for c in CASES]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run: few frames")
    ap.add_argument("--cases", nargs="+", choices=names, default=names, help="networks to measure (default: all)")
    ap.add_argument("--frames", type=int, help="timed frames per case (default 41, quick 5)")
    ap.add_argument("--steps", type=int, default=5, help="run.step()s between frames, untimed (default 5)")
    args = ap.parse_args(argv)
    frames_n = args.frames if args.frames is not None else (5 if args.quick else 41)
    if frames_n < 1 or args.steps < 1:
        ap.error("--frames and --steps must be positive")
    t0 = time.perf_counter()
    passed = True
    for case in (c for c in CASES if c.name in args.cases):
        res = run_case(case, frames=frames_n, steps=args.steps, structure_repeats=2 if args.quick else 5)
        print(report(res), end="\n\n", flush=True)
        passed &= verdict(res)[0]
    note = " (--quick: a smoke run)" if args.quick else ""
    print(f"{'all cases PASS' if passed else 'some cases FAIL'} the floor{note}; "
          f"took {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
