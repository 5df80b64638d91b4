"""Chart builders: structure, data, colour ranges and the pending/now states, checked on the figure objects.

Each test states what the learner would see wrong if it failed: a stale δ in a pending panel, a
colour scale not centred on 0, an edge coloured against the sign of its weight.
"""
from __future__ import annotations

import ast
import json
import pathlib
import subprocess
import sys
import time

import numpy as np
import plotly.graph_objects as go
import pytest

from playground.figures import (
    CLASS_COLOURS,
    confusion_matrix,
    delta_heatmaps,
    digit_images,
    loss_curve,
    matrix_heatmaps,
    network_diagram,
    network_frame,
    predicted_vs_true,
    prediction_surface,
    symmetric_range,
)
from playground.figures.network import MAX_WIDTH, MIN_WIDTH
from playground.figures.style import HIGHLIGHT, NEGATIVE, NOW_MARK, POSITIVE, tint

FIGURES_DIR = pathlib.Path(__file__).resolve().parents[1] / "playground" / "figures"
STALE = 12345.5  # a value no real δ or W takes here; it must never reach a pending panel


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def heatmaps(fig: go.Figure) -> list[go.Heatmap]:
    return [t for t in fig.data if t.type == "heatmap"]


def titles(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations if a.text]


def frame_xrefs(fig: go.Figure) -> list[str]:
    """xrefs of the thick highlight frames."""
    return [s.xref for s in fig.layout.shapes if s.type == "rect" and s.line.color == HIGHLIGHT]


def pending_texts_xrefs(fig: go.Figure) -> list[str]:
    return [a.xref for a in fig.layout.annotations if a.text == "pending"]


def is_empty(z) -> bool:
    return z is None or np.asarray(z, dtype=object).size == 0 or all(v is None for v in np.ravel(z))


# ---------------------------------------------------------------- style


def test_symmetric_range_is_max_abs_ignores_nonfinite_and_is_never_zero():
    assert symmetric_range(np.array([1.0, -3.0]), np.array([[2.0]])) == 3.0
    assert symmetric_range(np.array([np.nan, -np.inf, 0.5])) == 0.5
    assert symmetric_range(np.zeros(3)) == 1e-12
    assert symmetric_range() == 1e-12


def test_diverged_magnitudes_are_kept_exact_not_cast_to_inf(rng, recwarn):
    # float32 tops out near 3.4e38 and bottoms out near 1e-38: a diverging or vanishing run goes past both.
    huge = {2: np.array([[1e300, -2.0]]), 3: np.array([[1e-50]])}
    fig = delta_heatmaps(huge, example_order=np.array([0]), example_labels=["a"])
    z = {t.name: np.asarray(t.z) for t in heatmaps(fig)}
    assert z["δ(2)"][0, 0] == 1e300 and z["δ(3)"][0, 0] == 1e-50
    assert "max|δ| = 1e+300" in titles(fig)[1] and "max|δ| = 1e-50" in titles(fig)[0]
    W = [np.array([[1e39, -1.0]]), np.array([[2.0]])]
    net = network_diagram([2, 1, 1], W, dW=W)
    cd = np.asarray(next(t for t in net.data if t.name == "W(1) hover").customdata)
    assert 1e39 in cd[:, 2]
    loss = loss_curve(np.arange(3), {"J": np.array([1.0, 1e200, np.inf])})
    assert list(loss.data[0].y) == [1.0, 1e200]
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    json.loads(fig.to_json())
    json.loads(net.to_json())


# ---------------------------------------------------------------- δ heatmaps


@pytest.fixture
def delta_case(rng):
    m = 150
    y = rng.integers(0, 3, m)
    deltas = {
        2: rng.normal(size=(m, 8)) * 0.01,
        3: rng.normal(size=(m, 5)) * 0.1,
        4: rng.normal(size=(m, 1)),
    }
    order = np.concatenate([np.flatnonzero(y == c)[:20] for c in range(3)])
    labels = [f"class {c}" for c in y]  # one per training example, indexed by k
    return deltas, order, labels, y


def test_delta_heatmaps_z_is_selected_examples_transposed_as_float32(delta_case):
    deltas, order, labels, _ = delta_case
    fig = delta_heatmaps(deltas, example_order=order, example_labels=labels)
    hms = heatmaps(fig)
    assert [t.name for t in hms] == ["δ(4)", "δ(3)", "δ(2)"]  # n_l on top: δ flows backwards
    for t, l in zip(hms, (4, 3, 2), strict=True):
        z = np.asarray(t.z)
        assert z.dtype == np.float32
        np.testing.assert_allclose(z, deltas[l][order].T.astype(np.float32), atol=1e-6)
        np.testing.assert_array_equal(np.asarray(t.y), np.arange(1, deltas[l].shape[1] + 1))
        np.testing.assert_array_equal(np.asarray(t.x), order + 1)  # k is 1-based, as in x^(k)


def test_delta_heatmaps_per_layer_symmetric_range_centred_on_zero(delta_case):
    deltas, order, labels, _ = delta_case
    fig = delta_heatmaps(deltas, example_order=order, example_labels=labels)
    for t, l in zip(heatmaps(fig), (4, 3, 2), strict=True):
        assert t.zmid == 0
        assert t.zmin == -t.zmax
        assert t.zmax == pytest.approx(np.abs(deltas[l][order]).max(), rel=1e-6)
        assert t.colorscale[0][1].lower() == NEGATIVE and t.colorscale[-1][1].lower() == POSITIVE
    assert len({t.zmax for t in heatmaps(fig)}) == 3
    # one colour bar for all panels, relative to each panel's own max (stated in its title)
    (bar,) = [t for t in heatmaps(fig) if t.showscale]
    assert list(bar.colorbar.ticktext) == ["−max|δ|", "0", "+max|δ|"]
    assert list(bar.colorbar.tickvals) == pytest.approx([bar.zmin, 0.0, bar.zmax])


def test_delta_heatmaps_shared_scale_uses_one_range_and_one_colourbar(delta_case):
    deltas, order, labels, _ = delta_case
    fig = delta_heatmaps(deltas, example_order=order, example_labels=labels, shared_scale=True)
    overall = max(np.abs(d[order]).max() for d in deltas.values())
    for t in heatmaps(fig):
        assert t.zmax == pytest.approx(overall, rel=1e-6) and t.zmin == -t.zmax and t.zmid == 0
    assert sum(bool(t.showscale) for t in heatmaps(fig)) == 1


def test_delta_heatmaps_pending_layer_shows_no_numbers_even_if_given(delta_case):
    deltas, order, labels, _ = delta_case
    stale = dict(deltas)
    stale[2] = np.full_like(deltas[2], STALE)  # last update's numbers, still in the caller's dict
    fig = delta_heatmaps(stale, example_order=order, example_labels=labels, pending={2, 3})
    by_name = {t.name: t for t in heatmaps(fig)}
    assert is_empty(by_name["δ(2) pending"].z) and is_empty(by_name["δ(3) pending"].z)
    assert not is_empty(by_name["δ(4)"].z)
    assert all(STALE not in np.asarray(t.z, dtype=float) for t in heatmaps(fig) if not is_empty(t.z))
    pend_titles = [s for s in titles(fig) if "pending" in s and "δ" in s]
    assert len(pend_titles) == 2 and not any("max|δ|" in s for s in pend_titles)
    assert sorted(pending_texts_xrefs(fig)) == sorted(
        f"{by_name[n].xaxis} domain" for n in ("δ(2) pending", "δ(3) pending")
    )


def test_delta_heatmaps_pending_layer_missing_from_dict_is_still_drawn(delta_case):
    deltas, order, labels, _ = delta_case
    fig = delta_heatmaps({4: deltas[4]}, example_order=order, example_labels=labels, pending={2, 3})
    assert [t.name for t in heatmaps(fig)] == ["δ(4)", "δ(3) pending", "δ(2) pending"]


def test_delta_heatmaps_highlight_only_on_given_layer(delta_case):
    deltas, order, labels, _ = delta_case
    fig = delta_heatmaps(deltas, example_order=order, example_labels=labels, highlight=3)
    now = [s for s in titles(fig) if NOW_MARK in s]
    assert len(now) == 1 and now[0].startswith("δ⁽³⁾")
    layer3 = next(t for t in heatmaps(fig) if t.name == "δ(3)")
    assert frame_xrefs(fig) == [f"{layer3.xaxis} domain"]
    assert frame_xrefs(delta_heatmaps(deltas, example_order=order, example_labels=labels)) == []


def test_delta_heatmaps_hover_and_titles_use_the_notation_with_real_indices(delta_case):
    deltas, order, labels, _ = delta_case
    fig = delta_heatmaps(deltas, example_order=order, example_labels=labels)
    for t, l in zip(heatmaps(fig), (4, 3, 2), strict=True):
        assert t.hovertemplate.startswith(f"δ<sub>%{{y}}</sub><sup>({l})</sup> for example %{{x}} = %{{z")
    assert "δ⁽⁴⁾ — layer 4 (1 neuron), max|δ| = " in titles(fig)[0]
    assert "δ⁽²⁾ — layer 2 (8 neurons), max|δ| = " in titles(fig)[2]


def test_delta_heatmaps_one_tick_per_label_group(delta_case):
    deltas, order, labels, y = delta_case
    fig = delta_heatmaps(deltas, example_order=order, example_labels=labels)
    bottom = fig.layout[heatmaps(fig)[-1].xaxis.replace("x", "xaxis")]
    assert list(bottom.ticktext) == ["class 0", "class 1", "class 2"]
    for value, text in zip(bottom.tickvals, bottom.ticktext, strict=True):
        assert labels[value - 1] == text  # each tick sits on a column of its own group
    assert list(bottom.categoryarray) == list(order + 1)
    # group separators: 2 boundaries × 3 layers
    assert sum(1 for s in fig.layout.shapes if s.type == "line") == 6


def test_delta_heatmaps_row_heights_grow_with_layer_size_with_a_minimum(delta_case):
    deltas, order, labels, _ = delta_case
    fig = delta_heatmaps(deltas, example_order=order, example_labels=labels)
    h = {t.name: np.diff(fig.layout[t.yaxis.replace("y", "yaxis")].domain)[0] for t in heatmaps(fig)}
    assert h["δ(2)"] > h["δ(3)"] > h["δ(4)"] > 0
    assert h["δ(4)"] * fig.layout.height >= 40  # the 1-neuron output layer stays visible


def test_delta_heatmaps_rejects_labels_not_indexed_by_example(delta_case):
    deltas, order, labels, _ = delta_case
    with pytest.raises(ValueError, match="one label per training example"):
        delta_heatmaps(deltas, example_order=order, example_labels=[labels[k] for k in order])
    with pytest.raises(ValueError, match="must index the 150 examples"):
        delta_heatmaps(deltas, example_order=np.array([0, 150]), example_labels=labels)


def test_delta_heatmaps_many_sorted_bins_get_thinned_ticks(rng):
    m = 100
    labels = [f"bin {k // 2:02d}" for k in range(m)]  # 50 groups, sorted: grouped, but too many for one tick each
    fig = delta_heatmaps({2: rng.normal(size=(m, 2))}, example_order=np.arange(m), example_labels=labels)
    axis = fig.layout.xaxis
    assert 0 < len(axis.ticktext) <= 30
    assert [labels[v - 1] for v in axis.tickvals] == list(axis.ticktext)
    assert "not grouped" not in axis.title.text


def regression_case(rng, m=300, n_layers=3, width=8, decimals=1):
    """δ for a regression run, labelled as readouts.py labels targets ("y≈0.3"), columns sorted by y."""
    y = rng.uniform(-3, 3, m)
    pick = rng.permutation(m)[:96]  # as readouts.py picks them
    order = pick[np.argsort(y[pick], kind="stable")]
    deltas = {l: rng.normal(size=(m, width)) for l in range(2, 2 + n_layers)}
    return deltas, order, [f"y≈{v:.{decimals}f}" for v in y], y


@pytest.mark.parametrize("as_numbers", [False, True], ids=["y≈ labels", "numbers"])
def test_delta_heatmaps_band_regression_targets_into_quartiles(rng, as_numbers):
    # One separator per distinct target would be noise (and seconds of plotly); quartiles keep the
    # order's meaning: columns left to right go from the smallest targets to the largest.
    deltas, order, labels, y = regression_case(rng)
    fig = delta_heatmaps(deltas, example_order=order, example_labels=list(y) if as_numbers else labels)
    axis = fig.layout[heatmaps(fig)[-1].xaxis.replace("x", "xaxis")]
    assert len(axis.ticktext) == 4 and all(t.startswith("y ") and " … " in t for t in axis.ticktext)
    assert "by target y in quartiles" in axis.title.text
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 3 * len(deltas)  # 3 band edges per panel
    shown = y[order] if as_numbers else np.array([float(labels[k][2:]) for k in order])
    for start in sorted({round(s.x0 * len(order)) for s in lines}):  # each edge splits the sorted targets
        assert shown[start - 1] <= shown[start]
    for value, text in zip(axis.tickvals, axis.ticktext, strict=True):  # a tick names its column's band
        lo, hi = (float(v) for v in text[2:].split(" … "))
        assert lo - 0.01 <= shown[list(order + 1).index(value)] <= hi + 0.01


def test_delta_heatmaps_regression_with_tied_targets_gets_fewer_bands(rng):
    m = 50
    labels = ["y≈0.0"] * 40 + ["y≈1.0"] * 10
    fig = delta_heatmaps({2: rng.normal(size=(m, 2))}, example_order=np.arange(m), example_labels=labels)
    assert list(fig.layout.xaxis.ticktext) == ["y 0", "y 1"]
    assert len([s for s in fig.layout.shapes if s.type == "line"]) == 1


def test_delta_heatmaps_regression_not_sorted_by_target_says_so(rng):
    deltas, order, labels, _ = regression_case(rng)
    fig = delta_heatmaps(deltas, example_order=np.sort(order), example_labels=labels)
    assert "not ordered by y" in fig.layout[heatmaps(fig)[-1].xaxis.replace("x", "xaxis")].title.text
    assert not fig.layout.shapes  # bands that are not contiguous have no edges to draw
    # A mini-batch sorted as strings ("y≈-0.1" before "y≈-1.5"): a few runs, still no separators.
    as_text = order[np.argsort([labels[k] for k in order], kind="stable")]
    assert not delta_heatmaps(deltas, example_order=as_text, example_labels=labels).layout.shapes


def test_delta_heatmaps_class_labels_that_look_numeric_stay_classes(rng):
    m = 60
    labels = [str(k % 3) for k in range(m)]  # digits' classes are "0" … "9": never banded
    order = np.argsort(labels, kind="stable")
    fig = delta_heatmaps({2: rng.normal(size=(m, 2))}, example_order=order, example_labels=labels)
    assert list(fig.layout.xaxis.ticktext) == ["0", "1", "2"] and "grouped" in fig.layout.xaxis.title.text


@pytest.mark.parametrize("task", ["regression", "20 classes"])
def test_delta_heatmaps_of_the_deepest_widest_network_build_quickly(rng, task):
    # 9 δ panels of 32 neurons: a separator per target value or class, added one add_shape at a time,
    # took 12 s per rerun.
    deltas, order, labels, _ = regression_case(rng, n_layers=9, width=32, decimals=2)
    if task != "regression":
        labels = [f"class {k % 20:02d}" for k in range(len(labels))]
        order = np.concatenate([np.arange(c, len(labels), 20)[:5] for c in range(20)])
    start = time.perf_counter()
    fig = delta_heatmaps(deltas, example_order=order, example_labels=labels, highlight=3)
    assert time.perf_counter() - start < 3.0
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == (3 if task == "regression" else 19) * 9
    assert len(frame_xrefs(fig)) == 1  # the highlight frame is kept


def test_delta_heatmaps_payload_is_small(rng):
    m = 300
    deltas = {l: rng.normal(size=(m, 8)) for l in (2, 3, 4)}
    y = np.arange(m) % 2
    order = np.concatenate([np.flatnonzero(y == 0)[:50], np.flatnonzero(y == 1)[:50]])
    fig = delta_heatmaps(deltas, example_order=order, example_labels=[str(c) for c in y])
    assert len(fig.to_json()) < 60_000
    assert fig.layout.uirevision


def test_delta_heatmaps_ungrouped_order_gets_no_per_column_ticks(rng):
    m = 300
    deltas = {l: rng.normal(size=(m, 8)) for l in (2, 3, 4)}
    fig = delta_heatmaps(deltas, example_order=np.arange(100), example_labels=[str(k % 2) for k in range(m)])
    assert not fig.layout.shapes  # 99 boundaries × 3 layers of separators would be noise
    assert "not grouped" in fig.layout[heatmaps(fig)[-1].xaxis.replace("x", "xaxis")].title.text
    assert len(fig.to_json()) < 60_000


# ---------------------------------------------------------------- W and ∂J/∂W


@pytest.fixture
def mats(rng):
    return {1: rng.normal(size=(4, 2)), 2: rng.normal(size=(3, 4)) * 5, 3: rng.normal(size=(1, 3))}


@pytest.mark.parametrize("kind, symbol", [("W", "W"), ("dW", "∂J/∂W")])
def test_matrix_heatmaps_data_range_and_hover(mats, kind, symbol):
    fig = matrix_heatmaps(mats, kind=kind)
    hms = heatmaps(fig)
    assert [t.name for t in hms] == [f"{kind}(1)", f"{kind}(2)", f"{kind}(3)"]
    for t, l in zip(hms, (1, 2, 3), strict=True):
        np.testing.assert_allclose(np.asarray(t.z), mats[l].astype(np.float32), atol=1e-6)
        np.testing.assert_array_equal(np.asarray(t.y), np.arange(1, mats[l].shape[0] + 1))  # i: neuron of l+1
        np.testing.assert_array_equal(np.asarray(t.x), np.arange(1, mats[l].shape[1] + 1))  # j: neuron of l
        assert t.zmin == -t.zmax and t.zmid == 0
        assert t.zmax == pytest.approx(np.abs(mats[l]).max(), rel=1e-6)
        assert t.hovertemplate.startswith(f"{symbol}<sup>({l})</sup><sub>%{{y}},%{{x}}</sub> = %{{z")
        assert f"of layer {l} to neuron %{{y}} of layer {l + 1}" in t.hovertemplate
    # side by side: the x domains increase with l
    starts = [fig.layout[t.xaxis.replace("x", "xaxis")].domain[0] for t in hms]
    assert starts == sorted(starts)
    assert fig.layout.uirevision


def test_matrix_heatmaps_pending_and_highlight(mats):
    stale = dict(mats)
    stale[1] = np.full((4, 2), STALE)
    fig = matrix_heatmaps(stale, kind="dW", pending={1}, highlight=2)
    by_name = {t.name: t for t in heatmaps(fig)}
    assert is_empty(by_name["dW(1) pending"].z)
    assert pending_texts_xrefs(fig) == [f"{by_name['dW(1) pending'].xaxis} domain"]
    assert frame_xrefs(fig) == [f"{by_name['dW(2)'].xaxis} domain"]
    now = [s for s in titles(fig) if NOW_MARK in s]
    assert len(now) == 1 and now[0].startswith("∂J/∂W⁽²⁾")


def test_matrix_heatmaps_rejects_unknown_kind(mats):
    with pytest.raises(ValueError, match="kind"):
        matrix_heatmaps(mats, kind="b")


# ---------------------------------------------------------------- loss curve


def test_loss_curve_series_styles_and_names():
    ep = np.arange(1, 6)
    s = {k: np.linspace(1, 0.5, 5) for k in ("J", "J_data", "J_decay", "J_test", "J_test_data")}
    fig = loss_curve(ep, s)
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"J(W,b) train", "data term (mean loss)", "λ/2 ΣW²", "J test", "data term, test"}
    assert by_name["J(W,b) train"].line.dash == "solid"
    assert by_name["data term (mean loss)"].line.dash == "dash"
    assert by_name["λ/2 ΣW²"].line.dash == "dot"
    assert by_name["J test"].line.color != by_name["J(W,b) train"].line.color
    assert fig.layout.xaxis.title.text == "epoch" and fig.layout.yaxis.type == "linear"
    assert fig.layout.uirevision


def test_loss_curve_log_axis_drops_non_positive_points():
    ep = np.arange(1, 6)
    fig = loss_curve(ep, {"J": np.array([1.0, 0.0, 0.5, -1.0, 0.25]), "J_decay": np.zeros(5)}, log_y=True)
    assert fig.layout.yaxis.type == "log"
    j, decay = fig.data
    np.testing.assert_array_equal(np.asarray(j.x), [1, 3, 5])
    np.testing.assert_allclose(np.asarray(j.y), [1.0, 0.5, 0.25])
    assert len(decay.x) == 0 and len(decay.y) == 0  # λ = 0: nothing to draw on a log axis
    linear = loss_curve(ep, {"J": np.array([1.0, 0.0, 0.5, -1.0, 0.25])})
    assert len(linear.data[0].y) == 5  # the linear axis keeps zeros and negatives


def test_loss_curve_drops_non_finite_and_marks_divergence():
    ep = np.arange(1, 6)
    fig = loss_curve(ep, {"J": np.array([1.0, 2.0, 1e3, np.inf, np.nan])}, diverged_at=4)
    np.testing.assert_array_equal(np.asarray(fig.data[0].x), [1, 2, 3])
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 1 and lines[0].x0 == 4 and lines[0].x1 == 4
    assert [a.text for a in fig.layout.annotations] == ["diverged"]
    assert not loss_curve(ep, {"J": np.ones(5)}).layout.shapes


def test_loss_curve_highlight_now_marks_the_latest_point():
    ep = np.arange(1, 4)
    fig = loss_curve(ep, {"J": np.array([3.0, 2.0, 1.0]), "J_data": np.ones(3)}, highlight_now=True)
    now = [t for t in fig.data if t.name.endswith(", now")]
    assert len(now) == 1 and list(now[0].x) == [3] and list(now[0].y) == [1.0]


def test_loss_curve_rejects_unknown_series():
    with pytest.raises(ValueError, match="Unknown"):
        loss_curve(np.arange(3), {"loss": np.ones(3)})


# ---------------------------------------------------------------- prediction surface


def sample_colourscale(scale, t: float) -> str:
    """The colour a Plotly colourscale gives at normalised position t, blending linearly between stops."""
    def rgb(c):
        return np.array([int(c[k:k + 2], 16) for k in (1, 3, 5)], dtype=float)

    for (t0, c0), (t1, c1) in zip(scale[:-1], scale[1:], strict=True):
        if t0 <= t <= t1 and t1 > t0:
            mixed = np.round(rgb(c0) + (rgb(c1) - rgb(c0)) * (t - t0) / (t1 - t0)).astype(int)
            return "#" + "".join(f"{v:02x}" for v in mixed)
    raise AssertionError(f"{t} is outside the colour scale")


@pytest.fixture
def grid(rng):
    x1 = np.linspace(-2, 2, 30)
    x2 = np.linspace(-1, 1, 20)
    X = rng.uniform(-1, 1, (40, 2))
    Xt = rng.uniform(-1, 1, (10, 2))
    return x1, x2, X, Xt


def test_surface_binary_scale_runs_from_low_to_one(grid):
    x1, x2, X, Xt = grid
    values = np.tanh(x1[None, :] + x2[:, None])  # (G2, G1): values[r, c] at (x1[c], x2[r])
    y, yt = (X[:, 0] > 0).astype(int), (Xt[:, 0] > 0).astype(int)
    fig = prediction_surface(x1, x2, values, X_train=X, y_train=y, X_test=Xt, y_test=yt,
                             task="classification", classes=("0", "1"), low=-1.0)
    surf = heatmaps(fig)[0]
    np.testing.assert_allclose(np.asarray(surf.z), values.astype(np.float32), atol=1e-6)
    assert (surf.zmin, surf.zmax, surf.zmid) == (-1.0, 1.0, 0.0)
    points = [t for t in fig.data if t.type == "scatter"]
    assert len(points) == 4  # 2 classes × train/test
    for t in points:
        cls = 0 if t.marker.color == CLASS_COLOURS[0] else 1
        assert t.marker.color == CLASS_COLOURS[cls]
        ref_X, ref_y = (X, y) if "train" in t.hovertemplate else (Xt, yt)
        np.testing.assert_allclose(np.asarray(t.x), ref_X[ref_y == cls, 0].astype(np.float32))
    train = [t for t in points if "train" in t.hovertemplate]
    test = [t for t in points if "test" in t.hovertemplate]
    assert all(t.marker.line.color == "white" for t in train)
    assert all(t.marker.line.color != "white" for t in test)
    assert fig.layout.yaxis.scaleanchor == "x"
    assert list(fig.layout.xaxis.range) == [-2, 2] and list(fig.layout.yaxis.range) == [-1, 1]
    assert fig.layout.uirevision
    no_test = prediction_surface(x1, x2, values, X_train=X, y_train=y, X_test=Xt, y_test=yt,
                                 task="classification", classes=("0", "1"), low=-1.0, show_test=False)
    assert len([t for t in no_test.data if t.type == "scatter"]) == 2


def test_surface_multiclass_colours_are_discrete(grid):
    x1, x2, X, Xt = grid
    K = 4
    values = (np.arange(x1.size)[None, :] * K // x1.size) * np.ones((x2.size, 1), dtype=int)
    y = np.arange(40) % K
    fig = prediction_surface(x1, x2, values, X_train=X, y_train=y, X_test=None, y_test=None,
                             task="classification", classes=("a", "b", "c", "d"))
    surf = heatmaps(fig)[0]
    assert np.issubdtype(np.asarray(surf.z).dtype, np.integer)
    np.testing.assert_array_equal(np.asarray(surf.z), values)
    assert not surf.zsmooth  # interpolating class indices would invent colours between classes
    scale = [list(s) for s in surf.colorscale]
    for k in range(K):
        expected = tint(CLASS_COLOURS[k])
        for z in (k - 0.45, k, k + 0.45):  # the whole band of class k has one colour
            assert sample_colourscale(scale, (z - surf.zmin) / (surf.zmax - surf.zmin)) == expected
    assert len({tint(c) for c in CLASS_COLOURS[:K]}) == K
    point_colours = [t.marker.color for t in fig.data if t.type == "scatter"]
    assert point_colours == list(CLASS_COLOURS[:K])


def test_surface_regression_points_share_the_symmetric_scale(grid):
    x1, x2, X, Xt = grid
    values = x1[None, :] * np.ones((x2.size, 1))
    y, yt = X[:, 0] * 3, Xt[:, 0]
    fig = prediction_surface(x1, x2, values, X_train=X, y_train=y, X_test=Xt, y_test=yt, task="regression")
    surf = heatmaps(fig)[0]
    r = max(np.abs(values).max(), np.abs(y).max(), np.abs(yt).max())
    assert surf.zmax == pytest.approx(r) and surf.zmin == -surf.zmax and surf.zmid == 0
    train = next(t for t in fig.data if t.name == "train")
    np.testing.assert_allclose(np.asarray(train.marker.color), y.astype(np.float32))
    assert (train.marker.cmin, train.marker.cmax) == (surf.zmin, surf.zmax)
    assert "%{marker.color" in train.hovertemplate and "train" in train.hovertemplate


def test_surface_rejects_values_of_the_wrong_shape(grid):
    x1, x2, X, _ = grid
    with pytest.raises(ValueError, match="shape"):
        prediction_surface(x1, x2, np.zeros((x1.size, x2.size)), X_train=X, y_train=np.zeros(40),
                           X_test=None, y_test=None, task="regression")


def test_predicted_vs_true_r_squared_by_hand():
    # mean 2.5; SS_res = 0+0+0+2² = 4, SS_tot = 2.25+0.25+0.25+2.25 = 5, R² = 1 − 4/5 = 0.2
    fig = predicted_vs_true(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 6.0]),
                            y_true_test=np.array([0.0, 2.0]), y_pred_test=np.array([0.0, 2.0]))
    assert "R²: train 0.200, test 1.000" in fig.layout.title.text
    diag = next(t for t in fig.data if t.name == "y = x")
    assert list(diag.x) == list(diag.y) == [0.0, 6.0]
    assert fig.layout.uirevision


def test_confusion_matrix_counts_and_accuracy():
    counts = np.array([[5, 1], [2, 2]])
    fig = confusion_matrix(counts, ("cat", "dog"))
    hm = heatmaps(fig)[0]
    np.testing.assert_array_equal(np.asarray(hm.z), counts)
    assert list(hm.x) == list(hm.y) == ["cat", "dog"]
    assert hm.texttemplate == "%{z}"
    assert "accuracy 70.0%" in fig.layout.title.text
    assert fig.layout.xaxis.type == "category" and fig.layout.xaxis.title.text == "predicted"
    assert "accuracy n/a" in confusion_matrix(np.zeros((2, 2)), ("a", "b")).layout.title.text


# ---------------------------------------------------------------- network diagram


def edges_of(sizes: list[int], W, **kwargs):
    """(l, i, j, colour, width) for every edge the browser paints, recovered from the frame's segments."""
    from playground.figures import spec

    pos = [(s - 1) / 2.0 - np.arange(s) for s in sizes]
    ((path, value),) = network_frame(sizes, W, **kwargs)["l"]
    lines = value["lines"]
    seg = spec.decode(lines["seg"]).reshape(-1, 4)
    out = []
    for (x0, y0, x1, y1), c, width in zip(seg, spec.decode(lines["colour"]), spec.decode(lines["width"]), strict=True):
        l = int(round(x0))
        assert x1 == l + 1  # from a neuron of layer l to one of layer l + 1
        j = int(np.argmin(np.abs(pos[l - 1] - y0)))
        i = int(np.argmin(np.abs(pos[l] - y1)))
        out.append((l, i, j, lines["colours"][c], float(width)))
    return out


def test_network_edges_colour_by_sign_and_width_monotone_in_abs_w(rng):
    sizes = [2, 5, 3, 1]
    W = [rng.normal(size=(sizes[l + 1], sizes[l])) for l in range(3)]
    fig = network_diagram(sizes, W)
    edges = edges_of(sizes, W)
    assert len(edges) == sum(w.size for w in W)
    assert len({(l, i, j) for l, i, j, _, _ in edges}) == len(edges)
    assert not [t for t in fig.data if t.mode == "lines"]  # painted into the layout image, not traces
    assert len({width for *_, width in edges}) <= 6  # a few width buckets
    pairs = []
    for l, i, j, colour, width in edges:
        w = W[l - 1][i, j]
        assert colour == (POSITIVE if w >= 0 else NEGATIVE)
        pairs.append((abs(w), width))
    pairs.sort()
    widths = [w for _, w in pairs]
    assert widths == sorted(widths)
    assert widths[0] >= MIN_WIDTH and widths[-1] == MAX_WIDTH


def test_network_hover_points_carry_w_and_dw_with_real_indices(rng):
    sizes = [3, 4, 2]
    W = [rng.normal(size=(sizes[l + 1], sizes[l])) for l in range(2)]
    dW = [rng.normal(size=w.shape) for w in W]
    fig = network_diagram(sizes, W, dW=dW)
    for l in (1, 2):
        t = next(t for t in fig.data if t.name == f"W({l}) hover")
        assert t.hovertemplate.startswith(f"W<sup>({l})</sup><sub>%{{customdata[0]}},%{{customdata[1]}}</sub> = ")
        assert f"∂J/∂W<sup>({l})</sup><sub>%{{customdata[0]}},%{{customdata[1]}}</sub> = %{{customdata[3]" in (
            t.hovertemplate
        )
        cd = np.asarray(t.customdata)
        assert cd.shape == (W[l - 1].size, 4)
        i, j = cd[:, 0].astype(int) - 1, cd[:, 1].astype(int) - 1
        np.testing.assert_allclose(cd[:, 2], W[l - 1][i, j], rtol=1e-6)
        np.testing.assert_allclose(cd[:, 3], dW[l - 1][i, j], rtol=1e-6)
        assert len({(a, b) for a, b in zip(t.x, t.y, strict=True)}) == len(t.x)  # no two edges share a hover point
        assert t.marker.opacity == 0


@pytest.mark.parametrize("kwargs", [dict(dW=None), dict(dW="same", pending_dW=True)])
def test_network_hover_says_pending_without_current_gradients(rng, kwargs):
    sizes = [2, 2]
    W = [rng.normal(size=(2, 2))]
    if kwargs.get("dW") == "same":
        kwargs = dict(kwargs, dW=[np.full((2, 2), STALE)])
    fig = network_diagram(sizes, W, **kwargs)
    t = next(t for t in fig.data if t.name == "W(1) hover")
    assert "= pending" in t.hovertemplate and "customdata[3]" not in t.hovertemplate


def test_network_labels_and_highlight(rng):
    sizes = [2, 3, 1]
    W = [rng.normal(size=(3, 2)), rng.normal(size=(1, 3))]
    fig = network_diagram(sizes, W, activations=["tanh", "sigmoid"], highlight=2)
    labels = [a.text for a in fig.layout.annotations]
    assert labels[0] == "layer 1<br>x"
    assert labels[1].startswith("layer 2<br>tanh") and NOW_MARK in labels[1]
    assert labels[2] == "layer 3<br>sigmoid → h(x)"
    assert sum(NOW_MARK in s for s in labels) == 1
    nodes = {t.name: t for t in fig.data if t.mode == "markers" and t.name.startswith("layer")}
    assert [n for n, t in nodes.items() if t.marker.line.color == HIGHLIGHT] == ["layer 2"]


def test_network_keeps_largest_edges_of_crowded_layers_and_says_so(rng):
    sizes = [30, 20, 2]
    W = [rng.normal(size=(20, 30)), rng.normal(size=(2, 20))]
    fig = network_diagram(sizes, W, max_edges_per_layer=100)
    edges = edges_of(sizes, W, max_edges_per_layer=100)
    kept1 = {(i, j) for l, i, j, _, _ in edges if l == 1}
    assert len(kept1) == 100 and sum(l == 2 for l, *_ in edges) == 40
    kept_abs = [abs(W[0][i, j]) for i, j in kept1]
    dropped_abs = [abs(W[0][i, j]) for i in range(20) for j in range(30) if (i, j) not in kept1]
    assert min(kept_abs) >= max(dropped_abs)
    notes = [a.text for a in fig.layout.annotations if "weights shown" in a.text]
    assert notes == ["layer 1: 100 of 600 weights shown (largest |W<sup>(1)</sup>|)"]


def test_network_rejects_mismatched_shapes(rng):
    with pytest.raises(ValueError, match="shape"):
        network_diagram([2, 3], [rng.normal(size=(2, 3))])


# ---------------------------------------------------------------- digits


def test_digit_images_one_panel_per_image_with_its_label(rng):
    images = rng.integers(0, 17, (12, 64)).astype(float)
    labels = [str(k % 10) for k in range(12)]
    fig = digit_images(images, labels, ncols=5)
    hms = heatmaps(fig)
    assert len(hms) == 12
    np.testing.assert_allclose(np.asarray(hms[7].z), images[7].reshape(8, 8))
    assert titles(fig) == labels
    assert fig.layout.coloraxis.cmin == 0 and fig.layout.coloraxis.cmax == images.max()


# ---------------------------------------------------------------- every builder


def all_figures():
    rng = np.random.default_rng(1)
    m = 20
    deltas = {2: rng.normal(size=(m, 3)), 3: rng.normal(size=(m, 1))}
    W = [rng.normal(size=(3, 2)), rng.normal(size=(1, 3))]
    x = np.linspace(-1, 1, 5)
    X = rng.uniform(-1, 1, (8, 2))
    return {
        "delta": delta_heatmaps(deltas, example_order=np.arange(m), example_labels=["a"] * m, pending={2}, highlight=3),
        "W": matrix_heatmaps({1: W[0], 2: W[1]}, kind="W", highlight=1),
        "loss": loss_curve(np.arange(3), {"J": np.ones(3)}, diverged_at=2, highlight_now=True),
        "surface": prediction_surface(x, x, np.zeros((5, 5)), X_train=X, y_train=np.arange(8) % 2, X_test=X,
                                      y_test=np.arange(8) % 2, task="classification", classes=("0", "1")),
        "pvt": predicted_vs_true(np.arange(4.0), np.arange(4.0)),
        "confusion": confusion_matrix(np.eye(3, dtype=int), ("a", "b", "c")),
        "network": network_diagram([2, 3, 1], W, dW=W, activations=["relu", "sigmoid"], highlight=1),
        "digits": digit_images(rng.uniform(0, 16, (3, 64)), ["0", "1", "2"]),
    }


def test_every_figure_renders_to_json_with_its_own_uirevision_and_a_light_template():
    revisions = set()
    figures = all_figures()
    for name, fig in figures.items():
        spec = json.loads(fig.to_json())  # raises on any invalid property or value
        assert spec["layout"]["uirevision"], name
        template = spec["layout"]["template"]
        assert not template.get("layout") and len(json.dumps(template)) < 300, name  # no full template per redraw
        revisions.add(spec["layout"]["uirevision"])
    assert len(revisions) == len(figures)  # one per chart, so zooms do not leak between charts


def test_uirevision_survives_a_change_of_data_and_phase(delta_case, mats):
    deltas, order, labels, _ = delta_case
    a = delta_heatmaps(deltas, example_order=order, example_labels=labels, pending={2, 3}, highlight=4)
    b = delta_heatmaps({l: d * 2 for l, d in deltas.items()}, example_order=order, example_labels=labels, highlight=2)
    assert a.layout.uirevision == b.layout.uirevision
    assert matrix_heatmaps(mats, kind="W").layout.uirevision == matrix_heatmaps(
        mats, kind="W", pending={1, 2, 3}
    ).layout.uirevision


def test_figures_import_neither_streamlit_nor_the_core():
    code = "import sys, playground.figures; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=FIGURES_DIR.parents[1])
    assert out.stdout.strip() == "False"
    # playground/__init__.py loads the core anyway, so the modules' own imports are checked statically.
    for path in FIGURES_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            else:
                continue
            for name in names:
                assert not name.startswith("streamlit"), path.name
                # ..notation (the text's indices in Unicode) is a leaf with no imports, not the core
                assert name not in ("playground.network", "..network", "playground") and (
                    not name.startswith("..") or name == "..notation"
                ), (path.name, name)
    leaf = ast.parse((FIGURES_DIR.parent / "notation.py").read_text())
    assert [n for n in ast.walk(leaf) if isinstance(n, ast.Import | ast.ImportFrom)
            and not (isinstance(n, ast.ImportFrom) and n.module == "__future__")] == []


def test_loss_curve_at_epoch_0_shows_whole_epochs_and_both_points() -> None:
    """One point at epoch 0 used to sit mid-axis from −1 to 1 with fractional epoch ticks, and the
    filled test marker hid the train one under it."""
    from playground.figures.loss import loss_curve

    fig = loss_curve(np.array([0]), {"J": np.array([0.61]), "J_test": np.array([0.61])})
    assert tuple(fig.layout.xaxis.autorangeoptions.include) == (-0.25, 5) and fig.layout.xaxis.tick0 == 0
    symbols = {t.name: t.marker.symbol for t in fig.data}
    assert symbols["J test"] == "circle-open" and symbols["J(W,b) train"] == "circle"


def test_matrix_titles_are_short_when_many_panels_stand_side_by_side() -> None:
    """From four layers on, "max|∂J/∂W| = …" panels ran into each other: the short form is used,
    by the structure and by every frame alike (a frame rewrites the titles in place)."""
    from playground.figures.heatmaps import SHORT_TITLES, matrix_frame, matrix_heatmaps

    rng = np.random.default_rng(0)
    for n in (3, SHORT_TITLES + 1):
        mats = {l: rng.normal(size=(8, 8)) for l in range(1, n + 1)}
        fig = matrix_heatmaps(mats, kind="dW")
        titles = [a.text for a in fig.layout.annotations[:n]]
        frame = dict(matrix_frame(mats, kind="dW")["l"])
        assert [frame[f"annotations.{i}.text"] for i in range(n)] == titles
        long_form = "max|∂J/∂W| = " in titles[0]
        assert long_form == (n < SHORT_TITLES), titles[0]
        assert all(len(t.split("<br>")[0]) <= 20 for t in titles) or long_form
