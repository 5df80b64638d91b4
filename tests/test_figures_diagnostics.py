"""The instruments' charts: trace counts, one colour per layer everywhere, the plotted data equal to
the inputs, the gradient-check table against its definition, and no Streamlit."""
from __future__ import annotations

import ast
import math
import pathlib
import re

import numpy as np
import pytest

from playground import Network, gradient_check
from playground.config import DEFAULT
from playground.diagnostics import DiagnosticsHistory, LayerStats, edge_contributions
from playground.experiment import new_run
from playground.figures.diagnostics import (
    LAYER_COLOURS,
    RUN_COLOURS,
    compare_figures,
    delta_j_figure,
    diagnostics_figure,
    edge_figure,
    gradcheck_summary,
    gradcheck_table,
    layer_colour,
    parameter_name,
    weight_histograms,
)
from playground.figures.style import NEGATIVE, POSITIVE
from playground.runs import check_run

SOURCE = pathlib.Path(__file__).resolve().parents[1] / "playground" / "figures" / "diagnostics.py"


def test_the_module_imports_neither_streamlit_nor_the_core():
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
    relative = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level > 0}
    assert not any(m.split(".")[0] == "streamlit" for m in imported)
    # notation: the text's indices in Unicode, a leaf module without imports (tests/test_figures.py)
    assert relative <= {"style", "panels", "notation"}, "figures take plain data: no import of the NumPy core"


# ---------------------------------------------------------------------------- gradient health
def series_for(n_layers=3, n=20, seed=0):
    rng = np.random.default_rng(seed)
    epochs = np.arange(n, dtype=float)
    series = {
        s: {l: rng.uniform(1e-4, 1.0, n) for l in range(1, n_layers + 1)}
        for s in ("delta_norm", "grad_norm", "update_ratio", "weight_norm")
    }
    # tanh hidden layers: a share of saturated units, none dead; the output layer has neither
    series["saturated"] = {l: rng.uniform(0, 1, n) if l < n_layers else np.full(n, np.nan) for l in series["grad_norm"]}
    series["dead"] = {l: np.full(n, np.nan) for l in series["grad_norm"]}
    return epochs, series


def layer_of(trace) -> int:
    return int(trace.legendgroup.removeprefix("l"))


def test_diagnostics_figure_traces_colours_and_legend():
    epochs, series = series_for(n_layers=3)
    fig = diagnostics_figure(epochs, series)
    # 3 layers × (‖δ‖, ‖∂J/∂W‖, ratio) + a saturated line for the 2 hidden layers; dead applies to none
    assert len(fig.data) == 3 * 3 + 2
    for t in fig.data:
        assert t.line.color == layer_colour(layer_of(t))
    assert sorted(layer_of(t) for t in fig.data if t.showlegend) == [1, 2, 3]
    assert len({layer_colour(l) for l in (1, 2, 3)}) == 3 and "#f3c300" not in LAYER_COLOURS


def test_diagnostics_figure_draws_the_inputs_and_the_reference_line():
    epochs, series = series_for()
    series["grad_norm"][2][[3, 7]] = [0.0, np.nan]  # not drawable on a log axis
    fig = diagnostics_figure(epochs, series)
    by_panel = {}
    for t in fig.data:
        by_panel.setdefault((t.xaxis, layer_of(t), t.line.dash), t)
    g2 = by_panel[("x2", 2, "solid")]
    keep = np.ones(20, bool)
    keep[[3, 7]] = False
    assert np.array_equal(np.asarray(g2.x), epochs[keep])
    assert np.allclose(np.asarray(g2.y, dtype=float), series["grad_norm"][2][keep], rtol=1e-6)
    assert fig.layout.yaxis2.type == "log" and fig.layout.yaxis4.type == "linear"
    ref = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    assert len(ref) == 1 and ref[0].y0 == ref[0].y1 == 1e-3 and ref[0].yref == "y3"
    linear = diagnostics_figure(epochs, series, log_y=False)
    assert linear.layout.yaxis.type == "linear" and len(linear.data) == len(fig.data)


def test_diagnostics_figure_draws_dead_dotted_in_the_layer_colour_and_takes_a_history():
    hist = DiagnosticsHistory()
    for e in range(5):
        hist.record(e, {l: LayerStats(1.0, 0.1 * (e + 1), 1.0, 1e-3, math.nan, 0.25 * l) for l in (1, 2)})
    epochs, series, *_ = hist.columns()
    fig = diagnostics_figure(epochs, series)
    dead = [t for t in fig.data if t.line.dash == "dot"]
    assert [layer_of(t) for t in dead] == [1, 2]
    assert [t.line.color for t in dead] == [layer_colour(1), layer_colour(2)]
    assert np.allclose(np.asarray(dead[1].y, dtype=float), 0.5)
    with pytest.raises(ValueError, match="Unknown"):
        diagnostics_figure(epochs, {"grad": {1: epochs}})


# --------------------------------------------------------------------------------- ΔJ
def test_delta_j_figure_plots_both_changes_and_their_ratio():
    epochs = np.arange(5.0)
    predicted = np.array([-1.0, -0.5, -0.2, 0.0, -0.1])
    measured = np.array([-0.99, -0.5, -0.19, 0.0, -0.1])
    fig = delta_j_figure(epochs, predicted, measured)
    assert len(fig.data) == 3
    assert np.array_equal(np.asarray(fig.data[0].y), predicted)
    assert np.array_equal(np.asarray(fig.data[1].y), measured)
    ratio = fig.data[2]
    assert np.array_equal(np.asarray(ratio.x), [0, 1, 2, 4])  # predicted 0: no ratio
    assert np.allclose(np.asarray(ratio.y), [0.99, 1.0, 0.95, 1.0])
    assert not [a for a in fig.layout.annotations if "measured/predicted =" in (a.text or "")], "no note at ≈ 1"


@pytest.mark.parametrize(("last", "words"), [(-0.4, "J rose"), (0.3, "overshoots"), (0.7, "curvature"),
                                              (1.5, "> 1")])
def test_delta_j_figure_notes_a_deviating_ratio(last, words):
    fig = delta_j_figure(np.arange(2.0), np.array([-1.0, -1.0]), np.array([-1.0, -last]))
    notes = [a.text for a in fig.layout.annotations if "measured/predicted" in (a.text or "")]
    assert len(notes) == 1 and words in notes[0]


# ------------------------------------------------------------------------ edge drill-down
def test_edge_figure_shows_every_contribution_grouped_and_coloured_by_sign():
    X = np.random.default_rng(1).normal(size=(30, 2))
    Y = (X[:, :1] > 0).astype(float)
    net = Network([2, 3, 1], activation="tanh", seed=2)
    drill = edge_contributions(net.trace(X, Y, 0.1), 1, 2, 1)
    labels = ["pos" if y else "neg" for y in Y[:, 0]]
    fig = edge_figure(drill.contributions, labels, drill.mean, drill.decay_term, drill.total)
    bar = fig.data[0]
    y = np.asarray(bar.y, dtype=float)
    ks = np.asarray(bar.customdata[:, 0], dtype=int)
    assert sorted(ks) == list(range(1, 31))
    assert np.allclose(y, drill.contributions[ks - 1], rtol=1e-6)  # bar c is example k's own term
    shown_labels = list(bar.customdata[:, 1])
    assert shown_labels == sorted(shown_labels)  # grouped by label …
    for g in set(shown_labels):  # … and by value inside a group
        inside = y[[s == g for s in shown_labels]]
        assert np.all(np.diff(inside) >= 0)
    assert list(bar.marker.color) == [NEGATIVE if v < 0 else POSITIVE for v in y]
    lines = sorted(s.y0 for s in fig.layout.shapes)
    assert lines == sorted([drill.mean, drill.total])
    assert f"{drill.total:.4g}" in fig.layout.annotations[0].text
    by_value = edge_figure(drill.contributions, labels, drill.mean, drill.decay_term, drill.total, order="value")
    assert np.all(np.diff(np.asarray(by_value.data[0].y, dtype=float)) >= 0)
    with pytest.raises(ValueError, match="one label per example"):
        edge_figure(drill.contributions, labels[:-1], drill.mean, drill.decay_term, drill.total)


# -------------------------------------------------------------------------- gradient check
def test_gradcheck_table_rows_names_and_relative_errors():
    run = new_run(DEFAULT)
    check = check_run(run)
    table = gradcheck_table(check)
    n = sum(len(lc.entries) for lc in check.layers)
    assert len(table) == n and list(table.columns) == ["layer l", "parameter", "backprop", "numerical",
                                                       "relative error"]
    kind, i, j, g, num = check.layers[0].entries[3]
    row = table.iloc[3]
    assert row["parameter"] == parameter_name(kind, 1, i, j) and row["layer l"] == 1
    assert row["backprop"] == g and row["numerical"] == num
    assert row["relative error"] == abs(g - num) / max(abs(g) + abs(num), 1e-12)
    assert (table["relative error"] < 1e-6).all()
    summary = gradcheck_summary(check)
    assert re.fullmatch(r"PASS: max relative error \S+ ≤ 1e-6 \(ε = 1e-5, (\d+) of \1 parameters\)", summary), summary
    assert parameter_name("W", 1, 1, 0) == "W⁽¹⁾₂₁" and parameter_name("b", 2, 0) == "b⁽²⁾₁"


def test_gradcheck_summary_fails_a_broken_gradient_and_names_its_layer():
    X = np.random.default_rng(0).normal(size=(20, 2))
    Y = X[:, :1] ** 2
    net = Network([2, 3, 1], activation="tanh", output_activation="linear", seed=0)
    _, dW, db = net.cost_and_gradients(X, Y)
    db = [b.copy() for b in db]
    db[1][0] += 0.5
    summary = gradcheck_summary(gradient_check(net, X, Y, gradients=(dW, db)))
    assert summary.startswith("FAIL: max relative error") and "in layer l = 2" in summary
    assert "13 of 13 parameters" in summary


# ------------------------------------------------------------------------------ two runs
def test_compare_figures_overlays_both_runs_train_and_test():
    hist_a = {"epoch": np.arange(4.0), "J": np.array([1.0, 0.8, 0.6, 0.5]), "J_test": np.array([1.1, 0.9, 0.7, 0.6])}
    hist_b = {"epoch": np.arange(3.0), "J": np.array([1.0, 0.9, 0.85]), "J_test": np.full(3, np.nan)}
    fig = compare_figures(hist_a, hist_b, "λ = 0", "λ = 0.1")
    assert [t.name for t in fig.data] == ["λ = 0: J train", "λ = 0: J test", "λ = 0.1: J train"]
    assert [t.line.color for t in fig.data] == [RUN_COLOURS[0], RUN_COLOURS[0], RUN_COLOURS[1]]
    assert [t.line.dash for t in fig.data] == ["solid", "dot", "solid"]
    assert np.allclose(np.asarray(fig.data[1].y, dtype=float), hist_a["J_test"])
    assert np.array_equal(np.asarray(fig.data[2].x), hist_b["epoch"])


def test_weight_histograms_count_every_weight_on_shared_bins():
    rng = np.random.default_rng(0)
    W_a = [rng.normal(size=(4, 2)), rng.normal(size=(1, 4))]
    W_b = [0.1 * W for W in W_a]
    fig = weight_histograms(W_a, W_b, "A", "B", bins=10)
    assert len(fig.data) == 4
    left = [t for t in fig.data if t.xaxis == "x"]
    right = [t for t in fig.data if t.xaxis == "x2"]
    assert sum(int(np.sum(t.y)) for t in left) == 12 == sum(int(np.sum(t.y)) for t in right)
    assert [int(np.sum(t.y)) for t in left] == [8, 4]
    assert all(np.array_equal(np.asarray(a.x), np.asarray(b.x)) for a, b in zip(left, right, strict=True))
    assert [t.marker.color for t in left] == [t.marker.color for t in right] == [layer_colour(1), layer_colour(2)]
    assert [t.showlegend for t in fig.data] == [True, True, False, False]
    assert "‖W‖ = " in fig.layout.annotations[0].text
