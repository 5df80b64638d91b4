"""The Run: what every button does, checked against the core directly (no browser)."""
from __future__ import annotations

import numpy as np
import pytest

from playground import Network, readouts
from playground.config import DEFAULT, Config, replace, validate
from playground.experiment import new_run
from playground.history import History
from playground.phases import phases, revealed


def weights(run):
    return [w.copy() for w in run.net.W], [b.copy() for b in run.net.b]


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a[0] + a[1], b[0] + b[1], strict=True))


def test_step_is_one_full_batch_update_of_the_core():
    run = new_run(DEFAULT)
    net = Network(run.net.sizes, activation="tanh", seed=DEFAULT.seed, init=DEFAULT.init)
    J = net.step(run.data.X_train, run.Y_train, DEFAULT.alpha, DEFAULT.lam)
    run.step()
    assert run.epoch == 1 and run.updates == 1
    assert same(weights(run), ([w for w in net.W], [b for b in net.b]))
    assert run.history.columns()["J"][0] == pytest.approx(J, rel=0, abs=0)


def test_shown_trace_is_the_next_update_no_second_backward_pass():
    run = new_run(DEFAULT)
    tr = run.current_trace()
    W_expected = [W - DEFAULT.alpha * tr.dW[l] for l, W in enumerate(run.net.W, start=1)]
    run.step()
    assert all(np.array_equal(a, b) for a, b in zip(run.net.W, W_expected, strict=True))


def test_phase_walk_reveals_in_order_and_applies_exactly_one_update():
    run = new_run(DEFAULT)
    before = weights(run)
    n_l = run.net.n_l
    kinds = []
    for _ in range(len(phases(n_l)) - 1):
        run.advance_phase()
        kinds.append(run.phases[run.phase].kind)
        assert same(weights(run), before), "nothing may change before the update phase"
        assert run.epoch == 0
    assert kinds == ["forward"] * (n_l - 1) + ["cost"] + ["delta"] * (n_l - 1) + ["gradients"]
    run.advance_phase()
    assert run.phases[run.phase].kind == "update" and run.epoch == 1 and not same(weights(run), before)
    twin = new_run(DEFAULT)
    twin.step()
    assert same(weights(run), weights(twin))


def test_step_during_a_phase_walk_finishes_that_update_without_doubling():
    run, twin = new_run(DEFAULT), new_run(DEFAULT)
    run.advance_phase()
    run.advance_phase()
    run.step()
    twin.step()
    assert run.phase is None and run.epoch == twin.epoch == 1 and same(weights(run), weights(twin))


def test_revealed_marks_later_values_pending():
    n_l = 4
    r = revealed(n_l, 0)
    assert r.forward == {2} and not r.cost and r.pending_delta(n_l) == {2, 3, 4}
    r = revealed(n_l, [p.kind for p in phases(n_l)].index("delta"))
    assert r.cost and r.delta == {4} and not r.gradients
    assert revealed(n_l, None).pending_delta(n_l) == set()


def test_alpha_lambda_batch_change_without_reset_and_lambda_term_appears():
    run = new_run(DEFAULT)
    run.step()
    run.steer(replace(run.cfg, alpha=0.3, lam=0.01, batch_size=25))
    assert run.epoch == 1
    tr = run.current_trace()
    assert tr.J_decay == pytest.approx(0.005 * sum(float((W**2).sum()) for W in run.net.W))
    run.run_epoch()
    assert run.epoch == 2 and run.updates == 1 + 10  # 250 training points / 25


def test_reset_fields_name_what_changed():
    a = DEFAULT
    assert a.changes_reset(replace(a, alpha=1.0, lam=0.1, batch_size=5, speed=9, data_seed=4)) == []
    assert a.changes_reset(replace(a, hidden=(3,), dataset="xor")) == ["dataset", "hidden"]


def test_same_config_same_trajectory_and_minibatch_order_is_seeded():
    cfg = replace(DEFAULT, batch_size=10)
    r1, r2 = new_run(cfg), new_run(cfg)
    for _ in range(3):
        r1.run_epoch()
        r2.run_epoch()
    assert same(weights(r1), weights(r2))
    r3 = new_run(replace(cfg, seed=1))
    r3.run_epoch()
    assert not same(weights(r1), weights(r3))


def test_divergence_is_refused_with_epoch_and_weights_kept():
    cfg = replace(DEFAULT, dataset="plane", activation="linear", alpha=10.0, hidden=(8, 8))
    run = new_run(cfg)
    ok = True
    while ok and run.epoch < 200:
        snap = weights(run)
        ok = run.step()
    assert not ok, "α = 10 on a linear net must diverge"
    assert same(weights(run), snap)
    assert run.notice.startswith(f"Diverged at epoch {run.epoch + 1}") and "Lower α" in run.notice
    assert all(np.isfinite(W).all() for W in run.net.W)
    assert np.isfinite(run.history.columns()["J"]).all()


def test_replace_data_keeps_weights_and_epoch():
    run = new_run(DEFAULT)
    run.step()
    snap = weights(run)
    from playground.experiment import build_data
    run.replace_data(*build_data(replace(DEFAULT, data_seed=7)))
    assert same(weights(run), snap) and run.epoch == 1
    assert not np.array_equal(run.data.X_train, new_run(DEFAULT).data.X_train)


def test_surface_matches_predictions_on_the_grid_with_features():
    cfg = replace(DEFAULT, features=("x1", "x2", "x1^2", "x2^2"))
    run = new_run(cfg)
    x1, x2, values = readouts.surface(run)
    X = np.array([[x1[3], x2[5]]])
    feats = np.column_stack([X[:, 0], X[:, 1], X[:, 0] ** 2, X[:, 1] ** 2])
    assert values[5, 3] == pytest.approx(run.net.predict(feats)[0, 0])


@pytest.mark.parametrize("name,task,metric", [("digits", "classification", "accuracy"), ("plane", "regression", "R²")])
def test_heads_follow_the_task(name, task, metric):
    run = new_run(replace(DEFAULT, dataset=name))
    assert run.data.task == task and readouts.metric_name(run) == metric
    if name == "digits":
        assert run.net.loss.name == "cross_entropy" and run.net.sizes[-1] == 10
    else:
        assert run.net.f[run.net.n_l].name == "linear"


def test_default_binary_head_is_eq4_tanh_with_minus_one_targets():
    run = new_run(DEFAULT)
    assert run.net.f[run.net.n_l].name == "tanh" and set(np.unique(run.Y_train)) == {-1.0, 1.0}


def test_history_is_bounded_and_keeps_the_latest_point():
    h = History(max_rows=100)
    for e in range(10_000):
        h.record({"epoch": e, "J": 1.0 / (e + 1)})
    cols = h.columns()
    assert len(h) <= 100 and cols["epoch"][-1] == 9999 and cols["epoch"][0] == 0
    assert np.all(np.diff(cols["epoch"]) > 0)


@pytest.mark.parametrize("field,value", [
    ("alpha", 0.0), ("alpha", 11.0), ("alpha", float("nan")), ("lam", -1.0), ("hidden", (4,) * 9),
    ("hidden", (0,)), ("hidden", (33,)), ("activation", "swish"), ("noise", 0.6), ("batch_size", -1),
    ("speed", 0), ("features", ()), ("features", ("x3",)), ("seed", -5), ("n_points", True),
])
def test_validate_rejects_out_of_range_with_a_sentence(field, value):
    with pytest.raises(ValueError) as err:
        validate(replace(DEFAULT, **{field: value}))
    assert str(err.value).endswith(".") and len(str(err.value)) < 200


def test_default_config_is_valid():
    assert validate(Config()) == DEFAULT


def test_play_budget_bounds_a_frame_without_changing_the_trajectory():
    budgeted, free = new_run(DEFAULT), new_run(DEFAULT)
    assert budgeted.play(50, budget_seconds=0.0) and budgeted.updates == 1  # at least one, then stop
    while budgeted.updates < 7:
        budgeted.play(3, budget_seconds=0.0)
    free.play(7)
    assert same(weights(budgeted), weights(free))


def test_test_numbers_and_diagnostics_are_measured_when_drawn_not_every_epoch():
    """Per epoch only what the update's own trace gives; measure() adds the test side, once per epoch."""
    run = new_run(DEFAULT)
    h0 = run.history.columns()
    assert np.isfinite(h0["J_test"][0]) and np.isfinite(h0["metric_test"][0])  # epoch 0 is measured
    for _ in range(5):
        assert run.step()
    h = run.history.columns()
    assert np.isnan(h["J_test"][1:]).all() and np.isfinite(h["J"]).all() and np.isfinite(h["metric_train"]).all()
    rows_before = len(run.diagnostics)
    run.measure()
    run.measure()  # idempotent within an epoch
    h = run.history.columns()
    want = run.net.cost(run.data.X_test, run.Y_test, run.cfg.lam)
    assert h["J_test"][-1] == want and np.isnan(h["J_test"][1:-1]).all()
    assert h["metric_test"][-1] == readouts.metric(run, run.net.predict(run.data.X_test), run.data.y_test)
    assert len(run.diagnostics) == rows_before + 1 and run.diagnostics.columns().epochs[-1] == 5
    cols = run.diagnostics.columns()
    assert np.isfinite(cols.dJ_predicted[-1]) and np.isfinite(cols.dJ_measured[-1])


def _trace_arrays(tr):
    return [a.copy() for l, a in sorted(tr.a.items()) if l > 1] + [a.copy() for _, a in sorted(tr.delta.items())] + [
        a.copy() for _, a in sorted(tr.dW.items())] + [a.copy() for _, a in sorted(tr.db.items())]


@pytest.mark.parametrize("changes", [{}, {"lam": 0.01}, {"batch_size": 64}, {"dataset": "xor", "hidden": (3,)}])
def test_play_in_reused_memory_is_bit_identical_to_steps(changes):
    """play() writes its traces into a TracePool; the weights, history, shown trace and the ΔJ it
    measures must be exactly those of the same updates made one Step at a time (fresh memory)."""
    cfg = validate(replace(DEFAULT, **changes))
    played, stepped = new_run(cfg), new_run(cfg)
    for chunk in (1, 7, 30):
        assert played.play(chunk)
        for _ in range(chunk):
            assert stepped.step()
        played.measure()
        stepped.measure()
        assert same(weights(played), weights(stepped))
        for x, y in zip(_trace_arrays(played.trace), _trace_arrays(stepped.trace), strict=True):
            np.testing.assert_array_equal(x, y)
    hp, hs = played.history.columns(), stepped.history.columns()
    for key in ("J", "J_test", "metric_train"):
        np.testing.assert_array_equal(hp[key], hs[key])
    # every measured statistic and the ΔJ prediction (it reads the last full step's kept trace)
    np.testing.assert_array_equal(np.array(played.diagnostics.rows), np.array(stepped.diagnostics.rows))
    if not cfg.batch_size:  # ΔJ predicted and measured: for full-batch steps only
        assert np.isfinite(np.array(played.diagnostics.rows)[1:, 1:3]).all()


def test_traces_kept_after_play_own_their_memory():
    """The shown trace (and the last full step's, kept for ΔJ) must not change when play() goes on:
    the pool's memory is reused, the traces a caller may hold are not in it."""
    run = new_run(DEFAULT)
    run.play(5)
    shown, last = run.trace, run._last_full
    kept = _trace_arrays(shown), _trace_arrays(last)
    run.play(20)
    for tr, want in zip((shown, last), kept, strict=True):
        for x, y in zip(_trace_arrays(tr), want, strict=True):
            np.testing.assert_array_equal(x, y)
    assert not run._pool.owns(run.trace) and run._pool.owns(run.trace) is False


def test_a_copied_run_goes_on_exactly_like_the_original():
    """A copy (compare runs, pickling) starts with an empty pool: copied views would part from their memory."""
    import copy

    run = new_run(DEFAULT)
    run.play(10)
    twin = copy.deepcopy(run)
    assert twin._pool.arrays == []
    run.play(15)
    twin.play(15)
    assert same(weights(run), weights(twin))


def test_trace_into_given_memory_checks_its_shape():
    from playground.buffers import Arrays

    run = new_run(DEFAULT)
    X, Y = run.data.X_train, run.Y_train
    with pytest.raises(ValueError, match="examples and layer sizes"):
        run.net.trace(X, Y, out=Arrays.empty(len(X) - 1, run.net.sizes))
    fresh = run.net.trace(X, Y)
    into = run.net.trace(X, Y, out=Arrays.empty(len(X), run.net.sizes))
    for x, y in zip(_trace_arrays(fresh), _trace_arrays(into), strict=True):
        np.testing.assert_array_equal(x, y)


def test_divergence_is_caught_as_it_starts_not_at_inf():
    """ReLU, α = 10, two layers of 8 on plane: J used to climb to 6e+291 while Play went on. The
    run now refuses the first update that takes J past 1000× its start, keeps the last good
    weights, and says which α to try."""
    from playground.run import DIVERGING

    run = new_run(replace(DEFAULT, dataset="plane", activation="relu", alpha=10.0, hidden=(8, 8)))
    J0 = run.history.columns()["J"][0]
    ok = run.play(500)
    assert not ok and run.diverged_at is not None and run.epoch < 100
    J = run.history.columns()["J"]
    assert np.isfinite(J).all() and J.max() <= DIVERGING * max(J0, 1.0), (J0, J.max())
    assert run.notice.startswith(f"Diverged at epoch {run.diverged_at}") and "Lower α (now 10" in run.notice
    assert "try α = 3.3 or lower" in run.notice, run.notice
    assert all(np.isfinite(W).all() for W in run.net.W)
    epoch = run.epoch
    assert not run.step() and run.epoch == epoch  # refused again; nothing changes


def test_divergence_notice_names_the_largest_alpha_that_trained_steadily():
    run = new_run(replace(DEFAULT, dataset="plane", activation="relu", hidden=(8, 8), alpha=0.03))
    assert run.play(15)
    run.steer(replace(run.cfg, alpha=10.0))
    assert not run.play(500)
    assert "α = 0.03 trained this run for 15 epochs without diverging" in run.notice, run.notice


def test_a_healthy_run_is_never_called_diverging():
    """Large but stable steps (circle, α = 1, tanh) wobble J without ever tripping the check."""
    run = new_run(replace(DEFAULT, alpha=1.0))
    assert run.play(400) and run.diverged_at is None
