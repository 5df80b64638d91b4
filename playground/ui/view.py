"""The live view: the readout, the phase bar and the charts, drawn from snapshots of a Run.

Everything here is drawn inside the Play fragment. Each chart is a structure, built with its
figure builder only when the network, the data or a chart option changes (cached per session),
and frames: one numbers-only patch per snapshot, which the browser plays on one clock with the
readout (ui/live_chart.py). So a Play tick costs arrays and JSON, never plotly.graph_objects.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

import numpy as np
import streamlit as st

from .. import figures as F
from .. import readouts
from ..config import replace
from ..data import load_real
from ..frames import Snapshot
from ..run import Run
from . import keys, state
from .controls import MATRIX_LABELS, matrix_view
from .live_chart import live_chart, live_readout, structure_json
from .sharing import publish

_STRUCTURES: OrderedDict[tuple, tuple[str, bool]] = OrderedDict()  # (chart, key) -> (JSON, themed)
_STRUCTURES_MAX = 64
_STRUCTURES_LOCK = threading.Lock()


def _structure(name: str, key: Hashable, build: Callable[[], object]) -> tuple[str, bool]:
    """The chart's structure JSON for ``key``, built (through its builder) only for a key not seen yet.

    The key holds everything the structure depends on — sizes, options, digests of the data drawn —
    never the numbers a frame rewrites (the structure carries none: tests/test_figure_specs.py), so one
    cache serves every session: a visitor with the settings another already used pays no build. It
    holds immutable strings only, so sessions share no state through it.
    """
    with _STRUCTURES_LOCK:
        held = _STRUCTURES.get((name, key))
        if held is not None:
            _STRUCTURES.move_to_end((name, key))
            return held
    held = structure_json(build())
    with _STRUCTURES_LOCK:
        _STRUCTURES[(name, key)] = held
        while len(_STRUCTURES) > _STRUCTURES_MAX:
            _STRUCTURES.popitem(last=False)
    return held


def _digest(*arrays) -> str:
    """A content key for arrays and label lists."""
    h = hashlib.blake2b(digest_size=12)
    for a in arrays:
        if isinstance(a, np.ndarray):
            h.update(f"{a.dtype}{a.shape}".encode())
            h.update(np.ascontiguousarray(a).tobytes())
        else:
            h.update(repr(a).encode())
    return h.hexdigest()


def render_view(run: Run, snaps: Sequence[Snapshot], *, order: np.ndarray, tick: int, span: float,
                speed: float | None = None, playing: bool = False) -> None:
    """Draw the snapshots (the last is the run as it stands); span: seconds the browser plays them over."""
    matrices = state.widget(keys.MATRIX_KIND) is not None  # drawn below only when a kind is picked
    images = run.plot_data.n_features != 2 and run.data.image_shape is not None
    clock = dict(tick=tick, span=span, members=5 + matrices + images)
    readout(run, snaps, speed=speed, **clock)
    phase_bar(run)
    rev = run.revealed
    tr = run.trace
    n_l = run.net.n_l
    now = rev.current.l if rev.current is not None else None
    epochs = [s.epoch for s in snaps]
    left, right = st.columns([1.1, 1], gap="medium")
    with left:
        st.markdown("**Network** — edge colour: sign of W⁽ˡ⁾ᵢⱼ, width: |W⁽ˡ⁾ᵢⱼ|")
        sizes = list(run.net.sizes)
        acts = [run.net.f[l].name for l in range(2, n_l + 1)]
        pending_dW = not rev.gradients
        structure, themed = _structure("network", (tuple(sizes), tuple(acts), now, pending_dW, playing), lambda: (
            F.network_diagram(sizes, snaps[-1].W, dW=None if pending_dW else snaps[-1].dW, activations=acts,
                              highlight=now, pending_dW=pending_dW, playing=playing)))
        live_chart(key="network", structure=structure, themed=themed, epochs=epochs, height=300, frames=[
            F.network_frame(sizes, s.W, dW=None if pending_dW else s.dW, pending_dW=pending_dW, playing=playing)
            for s in snaps
        ], **clock)
        st.markdown("**Error terms δ⁽ˡ⁾ = ∂J/∂z⁽ˡ⁾** — neurons × training examples, flowing up from the output")
        shared = st.toggle("One colour scale for all layers (shows vanishing or exploding δ)", key=keys.DELTA_SHARED)
        _, labels = _columns(run)
        pending = rev.pending_delta(n_l)
        hl = now if rev.current is not None and rev.current.kind == "delta" else None
        shown = np.arange(len(order))
        structure, themed = _structure(
            "deltas", (_digest(order, labels), tuple(sizes), frozenset(pending), hl, shared, playing),
            lambda: F.delta_heatmaps({l: tr.delta[l] for l in range(2, n_l + 1)}, example_order=order,
                                     example_labels=labels, pending=pending, highlight=hl, shared_scale=shared,
                                     playing=playing))
        live_chart(key="deltas", structure=structure, themed=themed, epochs=epochs, height=_delta_height(run),
                   frames=[F.delta_frame(s.deltas, example_order=shown, pending=pending, highlight=hl,
                                         shared_scale=shared, playing=playing) for s in snaps], **clock)
    with right:
        output_chart(run, snaps, clock, playing)
        st.markdown("**Cost J(W,b)**, eq. (6)")
        log_y = st.toggle("Log scale", key=keys.LOSS_LOG)
        loss_chart(run, snaps, log_y, clock)
    kind = st.segmented_control("Per-layer matrices", list(MATRIX_LABELS.values()), key=keys.MATRIX_KIND,
                                help="Click the selected one again to hide the matrices.")
    keep_view_in_link(run, log_y=log_y, delta_shared=shared, matrices=matrix_view(kind))
    if kind:
        is_w = kind == "W⁽ˡ⁾"
        code = "W" if is_w else "dW"
        pend = set() if is_w or rev.gradients else set(range(1, n_l))

        def mats(s: Snapshot) -> dict[int, np.ndarray]:
            return {l: (s.W[l - 1] if is_w else s.dW[l - 1]) for l in range(1, n_l)}
        structure, themed = _structure("matrices", (code, tuple(sizes), frozenset(pend), playing),
                                       lambda: F.matrix_heatmaps(mats(snaps[-1]), kind=code, pending=pend,
                                                                 playing=playing))
        live_chart(key="matrices", structure=structure, themed=themed, epochs=epochs, height=260, frames=[
            F.matrix_frame(mats(s), kind=code, pending=pend, playing=playing) for s in snaps], **clock)


def loss_chart(run: Run, snaps: Sequence[Snapshot], log_y: bool, clock: dict) -> None:
    h = run.history.columns()
    series = {"J": h["J"], "J_data": h["J_data"], "J_decay": h["J_decay"], "J_test": h["J_test"]}
    rev = run.revealed
    now = rev.current is not None and rev.current.kind == "cost"
    drawn = tuple(bool(np.isfinite(series[k]).any()) for k in ("J", "J_test")) if now else ()
    structure, themed = _structure("loss", (log_y, run.diverged_at, now, drawn), lambda: F.loss_curve(
        h["epoch"], series, log_y=log_y, diverged_at=run.diverged_at, highlight_now=now))
    frames, base = F.loss_frames(h["epoch"], series, [s.epoch for s in snaps], log_y=log_y, highlight_now=now)
    live_chart(key="loss", structure=structure, themed=themed, frames=frames, base=base,
               epochs=[s.epoch for s in snaps], height=300, **clock)


def keep_view_in_link(run: Run, **view) -> None:
    """The chart options are settings of the link too: adopt changes and update the address bar
    (these toggles rerun only the live view, so the page's own link update would not see them)."""
    cfg = replace(run.cfg, **view)
    if cfg != run.cfg:
        run.steer(cfg)
        publish(run, state.session().view)


def heatmap_order(run: Run) -> np.ndarray:
    """The rows of the shown trace that the δ heatmaps draw, in display order."""
    return _columns(run)[0]


def _columns(run: Run) -> tuple[np.ndarray, list[str]]:
    """Heatmap columns (rows of the shown trace) and a label per trace row. On the whole training
    set: the run's fixed, class-ordered subset; during a mini-batch phase walk: the batch's rows."""
    rows = run.trace_rows
    if len(rows) == len(run.data.y_train):
        return readouts.example_order(run), readouts.example_labels(run)
    labels = [readouts.example_labels(run)[r] for r in rows]
    # ordered by class, or for regression by the target's value (its labels sort as text: "y≈-0.1" < "y≈-1.5")
    key = run.data.y_train[rows] if run.data.task == "regression" else labels
    return np.argsort(key, kind="stable")[:readouts.HEATMAP_EXAMPLES], labels


def _delta_height(run: Run) -> int:
    return int(min(760, 130 + sum(max(90, 24 * s) for s in run.net.sizes[1:])))


def _fits(v: float) -> str:
    """A metric such as R² in a tile: three decimals, or scientific notation once it is large
    (a diverging regression's R² reaches -1e+290, which as a decimal fills a screen)."""
    return f"{v:.3f}" if abs(v) < 1e4 else f"{v:.2e}"


def readout(run: Run, snaps: Sequence[Snapshot], *, speed: float | None, **clock) -> None:
    """Epoch, J and its terms, the metrics: one set of tiles per snapshot, played with the charts."""
    rev = run.revealed
    name = readouts.metric_name(run)
    fmt = (lambda v: f"{v:.1%}") if name == "accuracy" else _fits
    prev = state.session().last_J
    if len(snaps) == 1 and run.phase is None:  # a Step: the change from the previous recorded epoch
        h = run.history.columns()["J"]
        prev = h[-2] if len(h) > 1 else None
    frames = []
    for s in snaps:
        updates = f"{s.updates:,} update{'' if s.updates == 1 else 's'}"
        tiles = [{"label": "Epoch", "value": f"{s.epoch:,}", "note": updates,
                  "help": "Full passes over the training set; one update per batch (eqs. 7–8)."}]
        if rev.cost:
            if rev.updated:  # a walk's update is applied: J at the new weights, and where it came from
                J = run.current_trace()
                change = J.J - s.J
                note = f"{s.J:.4g} → {J.J:.4g}"
            else:
                J = s
                change = s.J - prev if prev is not None and run.phase is None and np.isfinite(prev) else None
                note = "" if change is None else f"{change:+.3g}"
            tiles += [
                {"label": "J(W,b), eq. (6)", "value": f"{J.J:.4g}", "note": note,
                 "tone": "" if change is None or change == 0 else ("good" if change < 0 else "bad")},
                {"label": "data term", "value": f"{J.J_data:.4g}", "help": "(1/m) Σₖ J(W,b;x⁽ᵏ⁾,y⁽ᵏ⁾), eq. (5)"},
                {"label": "λ term", "value": f"{J.J_decay:.4g}", "help": "(λ/2) Σ (W⁽ˡ⁾ᵢⱼ)², no biases"},
            ]
        else:
            tiles += [{"label": n, "value": "pending"} for n in ("J(W,b), eq. (6)", "data term", "λ term")]
        tiles += [{"label": f"train {name}", "value": fmt(s.metric_train)},
                  {"label": f"test {name}", "value": "—" if np.isnan(s.metric_test) else fmt(s.metric_test)}]
        if speed is not None:
            tiles.append({"label": "speed", "value": f"{speed:,.0f}/s", "note": "epochs/s achieved",
                          "help": "Epochs per second trained in the last tick; below the setting when the "
                                  "network or the server cannot go faster."})
        frames.append(tiles)
        prev = s.J
    state.session().last_J = snaps[-1].J
    live_readout(key="readout", frames=frames, **clock)
    if run.notice:
        st.warning(run.notice)


def phase_bar(run: Run) -> None:
    if run.phase is None:
        return
    done = run.revealed.updated
    chips = []
    for k, p in enumerate(run.phases):
        eqs = ", ".join(map(str, p.eqs))
        text = f"{p.label} ({eqs})"
        chips.append(f"{text} ✓" if done or k < run.phase else
                     f":orange-background[**▶ {text}**]" if k == run.phase else f":gray[{text}]")
    st.markdown("**One update, phase by phase:** " + "  →  ".join(chips))
    if done:  # the walk is complete: say so, with the J it changed, and what the next click does
        old, new = run.trace.J, run.current_trace().J
        st.success(f"Update applied: J {old:.4g} → {new:.4g} (eqs. 7–8). The next Phase ▸ starts a new update "
                   "with a forward pass at these weights.")


def output_chart(run: Run, snaps: Sequence[Snapshot], clock: dict, playing: bool) -> None:
    data = run.plot_data
    epochs = [s.epoch for s in snaps]
    if snaps[-1].surface is not None:
        st.markdown("**Prediction h(x)** over the input plane — train ●, test ○")
        task, classes = data.task, data.classes
        grid = readouts.surface_grid(run)
        key = (_digest(*grid, data.X_train, data.y_train, data.X_test, data.y_test), task, classes, run.low, playing)
        structure, themed = _structure("surface", key, lambda: (
            F.prediction_surface(*readouts.surface(run), X_train=data.X_train, y_train=data.y_train, X_test=data.X_test,
                                 y_test=data.y_test, task=task, classes=classes, low=run.low, playing=playing)))
        live_chart(key="surface", structure=structure, themed=themed, epochs=epochs, height=380, frames=[
            F.surface_frame(s.surface, task=task, classes=classes, y_train=data.y_train, y_test=data.y_test,
                            low=run.low, playing=playing) for s in snaps], **clock)
        return
    # Inputs that are not 2-D: a summary of the run as it stands, redrawn once per server run.
    h_test = run.net.predict(run.data.X_test) if len(run.data.y_test) else run.net.predict(run.data.X_train)
    y_test = run.data.y_test if len(run.data.y_test) else run.data.y_train
    if data.task == "regression":
        fig = F.predicted_vs_true(y_test, h_test[:, 0])
    else:
        k = data.n_classes
        counts = np.zeros((k, k), dtype=np.int64)
        np.add.at(counts, (y_test, readouts.classes_of(run, h_test)), 1)
        fig = F.confusion_matrix(counts, data.classes)
    _static_chart("surface", fig, clock, epochs[-1], height=380)
    if data.image_shape is not None:
        st.markdown("**Some training images**, one per class, titled with the network's prediction")
        _static_chart("images", _sample_images(run), clock, epochs[-1], height=170)


def _static_chart(key: str, fig, clock: dict, epoch: int, height: int) -> None:
    """A chart drawn whole (no frames): the structure is the figure."""
    structure, themed = structure_json(fig)
    live_chart(key=key, structure=structure, themed=themed, frames=[{"t": [], "l": []}], epochs=[epoch],
               height=height, **clock)


def _sample_images(run: Run):
    """One training image per class (the first of each), titled 'true → predicted'."""
    d = run.data
    rows = [int(np.flatnonzero(d.y_train == c)[0]) for c in range(d.n_classes) if (d.y_train == c).any()]
    pred = readouts.classes_of(run, run.net.predict(d.X_train[rows]))
    labels = [f"{d.classes[d.y_train[r]]} → {d.classes[p]}" for r, p in zip(rows, pred, strict=True)]
    key = (d.name, run.cfg.train_fraction, run.cfg.data_seed)
    cached = state.session().raw_images
    if cached is None or cached[0] != key:
        # The raw pixels, read once per dataset: the training inputs themselves are standardised.
        raw = load_real(d.name, train_fraction=run.cfg.train_fraction, seed=run.cfg.data_seed, standardize=False)
        cached = (key, raw.X_train)
        state.session().raw_images = cached
    return F.digit_images(cached[1][rows], labels, shape=d.image_shape)
