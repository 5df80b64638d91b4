"""The instruments, against oracles: finite differences, single-example traces, forced dead or
saturated units, the Taylor expansion of J, and independent twin runs."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground import Network, gradient_check
from playground.config import DEFAULT, Config, replace
from playground.diagnostics import (
    MAX_ROWS,
    DiagnosticsHistory,
    LayerStats,
    delta_J_ratio,
    edge_contributions,
    hidden_activations,
    hint,
    layer_stats,
    predicted_delta_J,
    weight_label,
)
from playground.experiment import new_run
from playground.runs import check_run, clone_with, lockstep, measured_step

ROOT = Path(__file__).resolve().parents[1]


def data(m=60, n=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    Y = (X[:, :1] * X[:, 1:2] > 0).astype(float)
    return X, Y


def params(run):
    return [p.copy() for p in run.net.W + run.net.b]


def same_params(a, b) -> bool:
    return all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))


def same_history(a, b) -> bool:
    ca, cb = a.history.columns(), b.history.columns()
    return all(np.array_equal(ca[k], cb[k], equal_nan=True) for k in ca)


# ------------------------------------------------------------------------- the core boundary
def test_diagnostics_module_loads_no_ui_library():
    code = (
        "import json, sys\nimport playground.diagnostics\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


# -------------------------------------------------------------------------- gradient check
def test_check_run_passes_a_correct_network_on_a_bounded_subset():
    run = new_run(replace(DEFAULT, lam=0.01))
    run.play(20)  # away from the initial weights
    assert run.data.X_train.shape[0] > 200
    before = params(run)
    seen = []
    check = check_run(run, progress=seen.append)
    assert check.passed and check.max_rel_error <= 1e-7
    assert seen[-1] == 1.0
    assert same_params(params(run), before), "the check must leave the weights exactly as they were"
    # The subset is seeded: the same check twice gives the same numbers.
    assert check_run(run).layers == check.layers


def test_gradient_check_flags_a_deliberately_broken_gradient():
    X, Y = data()
    net = Network([2, 4, 3, 1], activation="tanh", seed=1)
    _, dW, db = net.cost_and_gradients(X, Y, 0.01)
    dW = [g.copy() for g in dW]
    dW[1][2, 0] += 0.05  # one wrong entry in ∂J/∂W^(2)
    check = gradient_check(net, X, Y, 0.01, gradients=(dW, db))
    assert not check.passed
    bad = {lc.l: lc.rel_error for lc in check.layers}
    assert bad[2] > 1e-3 and bad[1] < 1e-7 and bad[3] < 1e-7


# ------------------------------------------------------------------------ per-layer statistics
def test_norms_and_update_ratio_follow_their_definitions():
    X, Y = data()
    net = Network([2, 5, 3, 1], activation="tanh", seed=2)
    alpha, lam = 0.3, 0.05
    tr = net.trace(X, Y, lam)
    stats = layer_stats(net, tr, alpha)
    assert sorted(stats) == [1, 2, 3]
    for l, s in stats.items():
        per_example = np.sqrt((tr.delta[l + 1] ** 2).sum(axis=1))  # ‖δ^(l+1,k)‖ for each k
        assert s.delta_norm == pytest.approx(math.sqrt(np.mean(per_example**2)), rel=1e-12)
        assert s.grad_norm == pytest.approx(math.sqrt((tr.dW[l] ** 2).sum()), rel=1e-12)
        assert s.weight_norm == pytest.approx(math.sqrt((net.W[l - 1] ** 2).sum()), rel=1e-12)
        assert s.update_ratio == pytest.approx(alpha * s.grad_norm / s.weight_norm, rel=1e-12)
    # Divided by √m, ‖δ‖ measures a typical example: the data set twice over gives the same number.
    doubled = layer_stats(net, net.trace(np.vstack([X, X]), np.vstack([Y, Y]), lam), alpha)
    for l in stats:
        assert doubled[l].delta_norm == pytest.approx(stats[l].delta_norm, rel=1e-12)


def test_update_ratio_is_nan_without_a_warning_when_W_is_zero():
    X, Y = data()
    net = Network([2, 3, 1], activation="tanh", seed=0)
    net.W[0] = np.zeros_like(net.W[0])
    stats = layer_stats(net, net.trace(X, Y), 0.1)  # RuntimeWarnings are errors in this suite
    assert math.isnan(stats[1].update_ratio) and stats[1].weight_norm == 0.0


def test_dead_share_is_one_for_very_negative_biases_and_zero_for_positive():
    X, Y = data()
    net = Network([2, 6, 5, 1], activation="relu", output_activation="linear", seed=0, init="he")
    net.b[1] = np.full(5, -100.0)  # b^(2): every z^(3) ≤ 0 for every example
    stats = layer_stats(net, net.trace(X, Y), 0.1)
    assert stats[2].dead == 1.0
    net.b[1] = np.full(5, 100.0)
    assert layer_stats(net, net.trace(X, Y), 0.1)[2].dead == 0.0
    assert math.isnan(stats[3].dead) and math.isnan(stats[1].saturated)  # linear output; ReLU never saturates


def test_a_unit_is_dead_only_when_z_is_nonpositive_for_every_example():
    net = Network([1, 2, 1], activation="relu", output_activation="linear", seed=0)
    net.W[0], net.b[0] = np.ones((2, 1)), np.array([0.0, -100.0])
    X = np.array([[-1.0], [1.0]])  # unit 1: z = −1, then 1 (alive); unit 2: z ≤ 0 for both (dead)
    assert layer_stats(net, net.trace(X, np.zeros((2, 1))), 0.1)[1].dead == 0.5


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_saturated_share_near_one_for_huge_weights_near_zero_for_tiny(activation):
    X, Y = data(m=200)
    net = Network([2, 8, 8, 1], activation=activation, seed=3)
    base = [W.copy() for W in net.W]
    net.W = [100.0 * W for W in base]
    big = layer_stats(net, net.trace(X, Y), 0.1)
    # ×100 leaves only the examples with |z| < 6 (sigmoid) or < 3 (tanh) unsaturated: about a tenth
    assert big[1].saturated > 0.85 and big[2].saturated > 0.85
    net.W = [1000.0 * W for W in base]
    huge = layer_stats(net, net.trace(X, Y), 0.1)
    assert huge[1].saturated >= 0.99 and huge[2].saturated >= 0.99
    net.W = [1e-3 * W for W in base]
    tiny = layer_stats(net, net.trace(X, Y), 0.1)
    assert tiny[1].saturated == 0.0 and tiny[2].saturated == 0.0
    assert math.isnan(big[3].saturated), "the output layer is not counted"
    assert all(math.isnan(s.dead) for s in big.values())


@pytest.mark.parametrize(("activation", "edge"), [("sigmoid", 5.99), ("tanh", 2.99)])
def test_saturation_threshold_is_one_percent_of_the_peak_slope(activation, edge):
    # sigmoid: a(1−a) = 0.0025 at |z| ≈ 5.986; tanh: 1 − a² = 0.01 at |z| ≈ 2.993.
    net = Network([1, 1, 1], activation=activation, output_activation="linear", seed=0)
    net.W = [np.ones((1, 1)), np.ones((1, 1))]
    X = np.array([[edge - 0.02], [edge + 0.02], [-edge - 0.02], [0.0]])
    s = layer_stats(net, net.trace(X, np.zeros((4, 1))), 0.1)[1]
    assert s.saturated == 0.5  # z = edge+0.02 and −edge−0.02 of the 4 examples


# ------------------------------------------------------------------------------------ hint
def test_hint_fires_with_its_numbers_on_a_deep_sigmoid_net():
    run = new_run(Config(hidden=(8, 8, 8, 8, 8), activation="sigmoid", init="small_normal"))
    assert run.net.sizes == (2, 8, 8, 8, 8, 8, 1)
    stats = layer_stats(run.net, run.current_trace(), run.cfg.alpha)
    text = hint(stats, hidden_activations(run.net))
    g1, g6 = stats[1].grad_norm, stats[6].grad_norm
    assert g1 < 1e-3 * g6
    assert text.startswith("Vanishing gradients:")
    assert f"‖∂J/∂W⁽¹⁾‖ = {g1:.2g}" in text and f"‖∂J/∂W⁽⁶⁾‖ = {g6:.2g}" in text
    assert f"{g1 / g6:.2g}×" in text and "sigmoid" in text


def test_hint_is_silent_on_a_healthy_shallow_tanh_net():
    run = new_run(DEFAULT)
    assert hint(layer_stats(run.net, run.current_trace(), run.cfg.alpha), hidden_activations(run.net)) is None


def stats_of(grad_norms, update_ratios, saturated=math.nan, dead=math.nan):
    return {
        l: LayerStats(1.0, g, 1.0, u, saturated, dead)
        for l, (g, u) in enumerate(zip(grad_norms, update_ratios, strict=True), start=1)
    }


def test_hint_names_exploding_updates_and_gradients_and_tiny_updates():
    text = hint(stats_of([0.1, 0.1], [0.01, 3.5]), ["tanh"])
    assert text.startswith("Exploding updates:") and "W⁽²⁾" in text and "3.5 > 1" in text
    text = hint(stats_of([50.0, 0.2], [0.01, 0.01]), ["tanh"])
    assert text.startswith("Exploding gradients:") and "= 50 is 2.5e+02×" in text
    text = hint(stats_of([0.1, 0.1], [1e-3, 2e-6]), ["tanh"])
    assert text.startswith("Vanishing updates:") and "2e-06 < 1e-05" in text and "α" in text
    text = hint(stats_of([1e-7, 0.1], [1e-3, 1e-3], dead=0.9), ["relu"])
    assert "90% of layer 2's ReLU units are dead" in text
    assert hint(stats_of([0.1, 0.2], [1e-3, 1e-3]), ["tanh"]) is None


# ------------------------------------------------------------------------ predicted ΔJ
@pytest.mark.parametrize("lam", [0.0, 0.01])
def test_predicted_delta_J_matches_the_measured_change_for_tiny_alpha(lam):
    X, Y = data()
    net = Network([2, 5, 1], activation="tanh", seed=4)
    tr = net.trace(X, Y, lam)
    predicted = predicted_delta_J(tr, 1e-4)
    net.apply(tr, 1e-4)
    measured = net.cost(X, Y, lam) - tr.J
    assert predicted < 0
    assert delta_J_ratio(predicted, measured) == pytest.approx(1.0, rel=0.01)


def test_predicted_delta_J_deviates_for_big_alpha():
    X, Y = data()
    net = Network([2, 5, 1], activation="tanh", seed=4)
    tr = net.trace(X, Y)
    predicted = predicted_delta_J(tr, 5.0)
    net.apply(tr, 5.0)
    assert abs(delta_J_ratio(predicted, net.cost(X, Y) - tr.J) - 1.0) > 0.2


def test_predicted_delta_J_sums_every_weight_and_bias_gradient():
    X, Y = data()
    net = Network([2, 4, 3, 1], activation="sigmoid", seed=5)
    tr = net.trace(X, Y, 0.1)
    flat = np.concatenate([g.ravel() for g in [*tr.dW.values(), *tr.db.values()]])
    assert predicted_delta_J(tr, 0.7) == pytest.approx(-0.7 * float(flat @ flat), rel=1e-12)
    assert math.isnan(delta_J_ratio(0.0, 1.0)) and math.isnan(delta_J_ratio(-1.0, math.nan))


def test_measured_step_on_a_run_is_the_change_of_its_recorded_J():
    run = new_run(replace(DEFAULT, alpha=1e-4))
    J0 = run.current_trace().J
    step = measured_step(run)
    assert step.ok and step.measured == run.current_trace().J - J0
    assert step.measured / step.predicted == pytest.approx(1.0, rel=0.01)
    run.advance_phase()  # a phase walk's update is not the one current_trace() predicts
    mid = measured_step(run)
    assert mid.ok and math.isnan(mid.predicted) and math.isnan(mid.measured) and run.phase is None


# ---------------------------------------------------------------------- edge contributions
@pytest.mark.parametrize("lam", [0.0, 0.03])
def test_edge_contributions_sum_to_the_backprop_gradient(lam):
    X, Y = data(m=25)
    net = Network([2, 4, 3, 1], activation="tanh", seed=6)
    tr = net.trace(X, Y, lam)
    for l in (1, 2, 3):
        for i in range(net.W[l - 1].shape[0]):
            for j in range(net.W[l - 1].shape[1]):
                drill = edge_contributions(tr, l, i, j)
                assert abs(drill.mean + drill.decay_term - tr.dW[l][i, j]) <= 1e-12
                assert drill.total == drill.mean + drill.decay_term
                assert drill.decay_term == lam * net.W[l - 1][i, j]


def test_each_contribution_is_that_examples_own_gradient():
    # Eq. (11) for one example: a trace on x^(k) alone, without decay, has ∂J/∂W_ij = δ_i^(l+1,k) a_j^(l,k).
    X, Y = data(m=8)
    net = Network([2, 4, 3, 1], activation="sigmoid", seed=7)
    drill = edge_contributions(net.trace(X, Y, 0.1), 2, 1, 2)
    for k in range(8):
        single = net.trace(X[k:k + 1], Y[k:k + 1], 0.0)
        assert drill.contributions[k] == pytest.approx(single.dW[2][1, 2], rel=1e-12, abs=1e-15)
        assert drill.contributions[k] == drill.delta[k] * drill.a[k]
    assert drill.label == "W⁽²⁾₂₃"


def test_edge_update_is_what_the_step_does_to_that_weight():
    X, Y = data()
    net = Network([2, 4, 1], activation="tanh", seed=8)
    tr = net.trace(X, Y, 0.02)
    drill = edge_contributions(tr, 1, 3, 0)
    before = net.W[0][3, 0]
    net.apply(tr, 0.5)
    assert net.W[0][3, 0] == before + drill.update(0.5)


def test_edge_contributions_refuse_an_entry_outside_W():
    tr = Network([2, 4, 1], seed=0).trace(*data())
    with pytest.raises(ValueError, match="shape"):
        edge_contributions(tr, 1, 4, 0)
    with pytest.raises(ValueError, match="l = 1 … 2"):
        edge_contributions(tr, 3, 0, 0)


def test_weight_labels_count_from_one():
    assert weight_label(1, 1, 0) == "W⁽¹⁾₂₁" and weight_label(2, 0) == "b⁽²⁾₁"
    assert weight_label(3, 10, 1) == "W⁽³⁾₁₁,₂"


# ---------------------------------------------------------------------------- comparing runs
def test_lockstep_equals_two_independent_runs():
    cfg_a = replace(DEFAULT, batch_size=32)
    cfg_b = replace(DEFAULT, alpha=0.03, lam=0.01)
    a, b = new_run(cfg_a), new_run(cfg_b)
    assert lockstep(a, b, 25) == (25, 25)
    twin_a, twin_b = new_run(cfg_a), new_run(cfg_b)
    twin_a.play(25)
    twin_b.play(25)
    assert same_params(params(a), params(twin_a)) and same_params(params(b), params(twin_b))
    assert same_history(a, twin_a) and same_history(b, twin_b)


def test_lockstep_stops_the_diverging_run_and_not_the_other():
    bad = new_run(replace(DEFAULT, activation="linear", output_activation="linear", alpha=10.0))
    good = new_run(DEFAULT)
    done_bad, done_good = lockstep(bad, good, 10)
    assert done_bad < 10 and bad.diverged_at is not None
    assert done_good == 10 and good.updates == 10
    assert bad.updates == done_bad


def test_clone_with_and_back_reproduces_the_trajectory_bit_identically():
    run = new_run(replace(DEFAULT, batch_size=50))
    other = clone_with(run, lam=0.03)
    back = clone_with(other, lam=run.cfg.lam)
    assert other.data is run.data and back.data is run.data
    assert back.cfg == run.cfg
    run.play(30)
    other.play(30)
    back.play(30)
    assert same_params(params(back), params(run)) and same_history(back, run)
    assert not same_params(params(other), params(run))


def test_clone_with_refuses_a_different_dataset_and_bad_values():
    run = new_run(DEFAULT)
    with pytest.raises(ValueError, match="noise"):
        clone_with(run, noise=0.2)
    with pytest.raises(ValueError, match="λ"):
        clone_with(run, lam=-1.0)


# ------------------------------------------------------------------------------- history
def fake_stats(epoch, layers=(1, 2)):
    return {l: LayerStats(epoch + l, 2.0 * epoch, 1.0, epoch / 10.0, math.nan, 0.5) for l in layers}


def test_diagnostics_history_is_bounded_and_keeps_the_latest_row():
    hist = DiagnosticsHistory()
    for e in range(5001):
        hist.record(e, fake_stats(e), dJ_predicted=-e, dJ_measured=-0.5 * e)
    assert len(hist) <= MAX_ROWS and hist.stride == 8
    cols = hist.columns()
    epochs = cols.epochs
    assert epochs[0] == 0 and epochs[-1] == 5000 and np.all(np.diff(epochs) > 0)
    # every column is the value recorded at its epoch, for every layer and statistic
    for l in (1, 2):
        assert np.array_equal(cols.series["delta_norm"][l], epochs + l)
        assert np.array_equal(cols.series["grad_norm"][l], 2.0 * epochs)
        assert np.all(np.isnan(cols.series["saturated"][l]))
    assert np.array_equal(cols.dJ_predicted, -epochs) and np.array_equal(cols.dJ_measured, -0.5 * epochs)


def test_diagnostics_history_refuses_stats_of_another_network():
    hist = DiagnosticsHistory()
    hist.record(0, fake_stats(0))
    with pytest.raises(ValueError, match="layers"):
        hist.record(1, fake_stats(1, layers=(1, 2, 3)))
    empty = DiagnosticsHistory().columns()
    assert empty.epochs.size == 0 and empty.series["grad_norm"] == {}
