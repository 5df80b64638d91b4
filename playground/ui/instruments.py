"""The instruments: gradient check, per-layer diagnostics, ΔJ, edge drill-down, run comparison.

Each answers one question a student asks; the numbers come from playground.diagnostics (pure,
tested) and the charts from playground.figures.diagnostics. Only the chosen instrument is drawn,
so Play frames stay light.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from .. import config as C
from .. import figures as F
from .. import readouts
from ..activations import ACTIVATIONS
from ..diagnostics import edge_contributions, hidden_activations, hint, layer_stats
from ..figures import diagnostics as FD
from ..run import Run
from ..runs import check_run, clone_with
from . import keys, state
from .live_chart import live_figure

TOOLS = ("Diagnostics", "ΔJ per step", "Edge drill-down", "Gradient check", "Compare runs")
SETTINGS = {  # what a comparison may change: label, options
    "lam": ("weight decay λ", C.LAM_GRID),
    "alpha": ("learning rate α", C.ALPHA_GRID),
    "activation": ("activation f", tuple(ACTIVATIONS)),
    "init": ("initializer", ("xavier", "he", "small_normal")),
    "seed": ("weight seed", tuple(range(10))),
}


def stop_compare() -> None:
    state.session().compare = None


def render_instruments(run: Run) -> None:
    st.markdown("#### Instruments")
    tool = st.segmented_control("Instrument", TOOLS, key=keys.INSTRUMENT, label_visibility="collapsed")
    if tool == TOOLS[0]:
        diagnostics(run)
    elif tool == TOOLS[1]:
        delta_j(run)
    elif tool == TOOLS[2]:
        edge(run)
    elif tool == TOOLS[3]:
        gradient_check(run)
    elif tool == TOOLS[4]:
        compare(run)
    else:
        st.caption("Pick an instrument: why is it not learning, what does one step do, where does a gradient "
                   "come from, is backprop right, what does one setting change.")


def diagnostics(run: Run) -> None:
    st.caption("Why is it not learning? Per weight layer W⁽ˡ⁾, per epoch: ‖δ⁽ˡ⁺¹⁾‖/√m, ‖∂J/∂W⁽ˡ⁾‖, "
               "α‖∂J/∂W⁽ˡ⁾‖/‖W⁽ˡ⁾‖ and the share of saturated or dead units.")
    message = hint(layer_stats(run.net, run.current_trace(), run.cfg.alpha), hidden_activations(run.net))
    if message:
        st.warning(message)
    else:
        st.success("Gradients look healthy: no layer's gradient vanishes or explodes relative to the others.")
    cols = run.diagnostics.columns()
    live_figure(FD.diagnostics_figure(cols.epochs, cols.series), key="diagnostics", height=520)


def delta_j(run: Run) -> None:
    st.caption("What does one step do? Before each update the first-order prediction ΔJ ≈ −α‖∇J‖²; after it "
               "the measured change. A ratio far from 1 says α is too large (or the surface strongly curved). "
               "Measured for full-batch steps.")
    cols = run.diagnostics.columns()
    if np.isfinite(cols.dJ_predicted).sum() == 0:
        st.info("Take a few full-batch steps (Step, Epoch or Play) to see predicted and measured ΔJ.")
        return
    live_figure(FD.delta_j_figure(cols.epochs, cols.dJ_predicted, cols.dJ_measured), key="delta_j", height=440)


def edge(run: Run) -> None:
    st.caption("Where does this gradient come from? ∂J/∂W⁽ˡ⁾ᵢⱼ = (1/m) Σₖ δᵢ⁽ˡ⁺¹,ᵏ⁾ aⱼ⁽ˡ,ᵏ⁾ + λW⁽ˡ⁾ᵢⱼ — "
               "eqs. (9), (11)–(13), with (13) corrected to aⱼ⁽ˡ⁾.")
    tr = run.trace
    n_l = run.net.n_l
    c = st.columns(3)
    l = int(c[0].number_input("weight layer l", 1, n_l - 1, 1, key="edge_l"))
    i = int(c[1].number_input("i (neuron of layer l+1)", 1, run.net.sizes[l], 1, key=f"edge_i_{l}")) - 1
    j = int(c[2].number_input("j (neuron of layer l)", 1, run.net.sizes[l - 1], 1, key=f"edge_j_{l}")) - 1
    if run.phase is not None and not run.revealed.gradients:
        st.info("Pending: this update's gradients are not computed yet — step the phases on to "
                "“Gradients”.")
        return
    drill = edge_contributions(tr, l, i, j)
    rows = run.trace_rows
    labels = [readouts.example_labels(run)[r] for r in rows]
    a = run.cfg.alpha
    st.markdown(
        f"{drill.label}: mean of {len(drill.contributions)} contributions **{drill.mean:.4g}** "
        f"+ λW = {tr.lam:g} × {tr.W[l][i, j]:.4g} = **{drill.decay_term:.4g}** → ∂J/∂W = **{drill.total:.4g}**; "
        f"the update changes it by −α·∂J/∂W = −{a:g} × {drill.total:.4g} = **{drill.update(a):.4g}**."
    )
    live_figure(FD.edge_figure(drill.contributions, labels, drill.mean, drill.decay_term, drill.total,
                              weight=f"W<sub>{i + 1},{j + 1}</sub><sup>({l})</sup>"), key="edge", height=360)


def gradient_check(run: Run) -> None:
    st.caption("Is backprop right? Central differences (J(θ+ε) − J(θ−ε))/2ε in float64 for every parameter "
               "(a seeded sample of 200 per layer for large layers, on up to 200 training examples), "
               "against the backprop gradient of eqs. (9)–(10).")
    if st.button("Run gradient check", key=keys.GRADCHECK_GO):
        bar = st.progress(0.0, text="Checking…")
        check = check_run(run, progress=lambda f: bar.progress(min(1.0, f), text=f"Checking… {f:.0%}"))
        bar.empty()
        state.session().gradcheck = (run.epoch, run.updates, check)
    held = state.session().gradcheck
    if held is None:
        return
    epoch, updates, check = held
    summary = FD.gradcheck_summary(check)
    (st.success if check.passed else st.error)(f"{summary} — at epoch {epoch}.")
    if updates != run.updates:
        st.caption("The weights have changed since; run the check again to check them.")
    table = FD.gradcheck_table(check)
    st.dataframe(table, hide_index=True, height=300, width="stretch")


def compare(run: Run) -> None:
    st.caption("What does one setting change? A second run with the same data and the same seed — one setting "
               "different — trains in lockstep with this one (Step, Epoch and Play move both).")
    other = state.session().compare  # (the second run, what differs) or None
    c = st.columns([2, 2, 1.2, 1.2], vertical_alignment="bottom")
    field = c[0].selectbox("Change", list(SETTINGS), format_func=lambda f: SETTINGS[f][0], key=keys.COMPARE_FIELD)
    options = [v for v in SETTINGS[field][1] if v != getattr(run.cfg, field)]
    value = c[1].selectbox("to", options, key=keys.compare_value(field), format_func=str)
    if c[2].button("Start", key=keys.COMPARE_START, help="Both runs restart at epoch 0 from the same initial weights."):
        try:
            fresh, second = clone_with(run), clone_with(run, **{field: value})
        except ValueError as err:
            st.error(str(err))
            return
        s = state.session()
        s.run, s.compare = fresh, (second, f"{SETTINGS[field][0]} = {value}")
        st.rerun()
    if c[3].button("Stop", key=keys.COMPARE_STOP, disabled=other is None):
        stop_compare()
        st.rerun()
    if other is None:
        return
    other_run, label = other
    here = f"this run ({SETTINGS[field][0]} = {getattr(run.cfg, field)})"
    live_figure(FD.compare_figures(run.history.columns(), other_run.history.columns(), "this run", label),
               key="compare_loss", height=320)
    left, right = st.columns(2)
    for col, r, name in ((left, run, here), (right, other_run, label)):
        col.markdown(f"**{name}** — epoch {r.epoch}, J = {r.current_trace().J:.4g}")
        surf = readouts.surface(r)
        with col:
            if surf is not None:
                x1, x2, values = surf
                d = r.plot_data
                live_figure(F.prediction_surface(x1, x2, values, X_train=d.X_train, y_train=d.y_train,
                                                X_test=d.X_test, y_test=d.y_test, task=d.task, classes=d.classes,
                                                low=r.low), key=f"compare_surface_{name == label}", height=320)
            if r.notice:
                st.warning(r.notice)
    live_figure(FD.weight_histograms(run.net.W, other_run.net.W, "this run", label), key="compare_hist", height=300)
