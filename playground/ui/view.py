"""The live view: status line, phase bar, the charts and the equation panel, drawn from a Run.

Everything here is drawn inside the Play fragment, so it must be cheap and must update in
place: charts go through :func:`live_chart`, whose identity is its key, never the figure.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from .. import figures as F
from ..config import replace
from ..data import load_real
from ..run import Run
from ..share import View
from . import state
from .controls import MATRIX_LABELS, matrix_view
from .live_chart import live_chart
from .sharing import publish


def render_view(run: Run) -> None:
    status(run)
    phase_bar(run)
    rev = run.revealed
    tr = run.trace
    n_l = run.net.n_l
    left, right = st.columns([1.1, 1], gap="medium")
    with left:
        st.markdown("**Network** — edge colour: sign of W⁽ˡ⁾ᵢⱼ, width: |W⁽ˡ⁾ᵢⱼ|")
        live_chart(F.network_diagram(
            list(run.net.sizes), run.net.W, dW=[tr.dW[l] for l in range(1, n_l)] if rev.gradients else None,
            activations=[run.net.f[l].name for l in range(2, n_l + 1)],
            highlight=rev.current.l if rev.current is not None else None, pending_dW=not rev.gradients,
        ), key="network", height=300)
        st.markdown("**Error terms δ⁽ˡ⁾ = ∂J/∂z⁽ˡ⁾** — neurons × training examples, flowing up from the output")
        shared = st.toggle("One colour scale for all layers (shows vanishing or exploding δ)", key="delta_shared")
        order, labels = _columns(run)
        live_chart(F.delta_heatmaps(
            {l: tr.delta[l] for l in range(2, n_l + 1)}, example_order=order,
            example_labels=labels, pending=rev.pending_delta(n_l),
            highlight=rev.current.l if rev.current is not None and rev.current.kind == "delta" else None,
            shared_scale=shared,
        ), key="deltas", height=_delta_height(run))
    with right:
        output_chart(run)
        st.markdown("**Cost J(W,b)**, eq. (6)")
        log_y = st.toggle("Log scale", key="loss_log")
        h = run.history.columns()
        live_chart(F.loss_curve(
            h["epoch"], {"J": h["J"], "J_data": h["J_data"], "J_decay": h["J_decay"], "J_test": h["J_test"]},
            log_y=log_y, diverged_at=run.diverged_at,
            highlight_now=rev.current is not None and rev.current.kind == "cost",
        ), key="loss", height=300)
    kind = st.segmented_control("Per-layer matrices", list(MATRIX_LABELS.values()), key="matrix_kind",
                                help="Click the selected one again to hide the matrices.")
    keep_view_in_link(run, log_y=log_y, delta_shared=shared,
                      matrices=matrix_view(kind))
    if kind:
        is_w = kind == "W⁽ˡ⁾"
        mats = {l: (tr.W[l - 1] if is_w else tr.dW[l]) for l in range(1, n_l)}
        live_chart(F.matrix_heatmaps(
            mats, kind="W" if is_w else "dW",
            pending=set() if is_w or rev.gradients else set(range(1, n_l)),
            highlight=None,
        ), key="matrices", height=260)



def keep_view_in_link(run: Run, **view) -> None:
    """The chart options are settings of the link too: adopt changes and update the address bar
    (these toggles rerun only the live view, so the page's own link update would not see them)."""
    cfg = replace(run.cfg, **view)
    if cfg != run.cfg:
        run.steer(cfg)
        publish(run, state.get("view") or View())


def _columns(run: Run) -> tuple[np.ndarray, list[str]]:
    """Heatmap columns (rows of the shown trace) and a label per trace row. On the whole training
    set: the run's fixed, class-ordered subset; during a mini-batch phase walk: the batch's rows."""
    rows = run.trace_rows
    if len(rows) == len(run.data.y_train):
        return run.example_order, run.example_labels
    labels = [run.example_labels[r] for r in rows]
    return np.argsort(labels, kind="stable")[:96], labels


def _delta_height(run: Run) -> int:
    return int(min(760, 130 + sum(max(90, 24 * s) for s in run.net.sizes[1:])))


def status(run: Run) -> None:
    rev = run.revealed
    tr = run.trace
    h = run.history.columns()
    cols = st.columns(6)
    cols[0].metric("Epoch", f"{run.epoch:,}", help=f"{run.updates:,} updates so far")
    if rev.cost:
        prev = h["J"][-2] if len(h["J"]) > 1 and run.phase is None else None
        cols[1].metric("J(W,b), eq. (6)", f"{tr.J:.4g}",
                       delta=f"{tr.J - prev:+.3g}" if prev is not None else None, delta_color="inverse")
        cols[2].metric("data term", f"{tr.J_data:.4g}", help="(1/m) Σₖ J(W,b;x⁽ᵏ⁾,y⁽ᵏ⁾), eq. (5)")
        cols[3].metric("λ term", f"{tr.J_decay:.4g}", help="(λ/2) Σ (W⁽ˡ⁾ᵢⱼ)², no biases")
    else:
        for c, name in zip(cols[1:4], ("J(W,b), eq. (6)", "data term", "λ term"), strict=True):
            c.metric(name, "pending")
    name = run.metric_name
    fmt = (lambda v: f"{v:.1%}") if name == "accuracy" else (lambda v: f"{v:.3f}")
    cols[4].metric(f"train {name}", fmt(h["metric_train"][-1]))
    test = h["metric_test"][-1]
    cols[5].metric(f"test {name}", "—" if np.isnan(test) else fmt(test))
    if run.notice:
        st.warning(run.notice)


def phase_bar(run: Run) -> None:
    if run.phase is None:
        return
    chips = []
    for k, p in enumerate(run.phases):
        eqs = ", ".join(map(str, p.eqs))
        text = f"{p.label} ({eqs})"
        chips.append(f":orange-background[**▶ {text}**]" if k == run.phase else
                     (f":gray[{text}]" if k > run.phase else f"{text} ✓"))
    st.markdown("**One update, phase by phase:** " + "  →  ".join(chips))


def output_chart(run: Run) -> None:
    data = run.plot_data
    surf = run.surface()
    if surf is not None:
        x1, x2, values = surf
        st.markdown("**Prediction h(x)** over the input plane — train ●, test ○")
        live_chart(F.prediction_surface(
            x1, x2, values, X_train=data.X_train, y_train=data.y_train, X_test=data.X_test, y_test=data.y_test,
            task=data.task, classes=data.classes, low=run.low,
        ), key="surface", height=380)
        return
    h_test = run.net.predict(run.data.X_test) if len(run.data.y_test) else run.net.predict(run.data.X_train)
    y_test = run.data.y_test if len(run.data.y_test) else run.data.y_train
    if data.task == "regression":
        live_chart(F.predicted_vs_true(y_test, h_test[:, 0]), key="surface", height=380)
    else:
        k = data.n_classes
        counts = np.zeros((k, k), dtype=np.int64)
        np.add.at(counts, (y_test, run.classes_of(h_test)), 1)
        live_chart(F.confusion_matrix(counts, data.classes), key="surface", height=380)
    if data.image_shape is not None:
        st.markdown("**Some training images**, one per class, titled with the network's prediction")
        live_chart(_sample_images(run), key="images", height=170)


def _sample_images(run: Run):
    """One training image per class (the first of each), titled 'true → predicted'."""
    d = run.data
    rows = [int(np.flatnonzero(d.y_train == c)[0]) for c in range(d.n_classes) if (d.y_train == c).any()]
    pred = run.classes_of(run.net.predict(d.X_train[rows]))
    labels = [f"{d.classes[d.y_train[r]]} → {d.classes[p]}" for r, p in zip(rows, pred, strict=True)]
    key = (d.name, run.cfg.train_fraction, run.cfg.data_seed)
    cached = state.get("raw_images")
    if cached is None or cached[0] != key:
        # The raw pixels, read once per dataset: the training inputs themselves are standardised.
        raw = load_real(d.name, train_fraction=run.cfg.train_fraction, seed=run.cfg.data_seed, standardize=False)
        cached = (key, raw.X_train)
        state.put("raw_images", cached)
    return F.digit_images(cached[1][rows], labels, shape=d.image_shape)
