"""Frames: snapshots, the Play clock and a Play tick, checked against the Run stepped by hand (no timing)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from playground import readouts
from playground.config import DEFAULT, replace
from playground.experiment import new_run
from playground.frames import Clock, play, take

BIG = 600.0  # a budget no test comes near: the trajectory must not depend on it
DIVERGING = replace(DEFAULT, dataset="plane", activation="linear", alpha=10.0, hidden=(8, 8))


def close(a, b):
    """Equal up to float32 rounding (a snapshot may hold float32, the Run float64)."""
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64), rtol=1e-6, atol=0)


def weights(run):
    return [w.copy() for w in run.net.W] + [b.copy() for b in run.net.b]


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def by_hand(cfg, n):
    """A fresh run of cfg stepped n times, with its weights and J after every update (index 0: before)."""
    run = new_run(cfg)
    W, J = [[w.copy() for w in run.net.W]], [run.current_trace().J]
    for _ in range(n):
        assert run.step()
        W.append([w.copy() for w in run.net.W])
        J.append(run.current_trace().J)
    return run, W, J


# ----------------------------------------------------------------------------------------- take
def test_take_reads_the_run_and_recomputes_nothing_differently():
    run = new_run(replace(DEFAULT, lam=0.01))
    for _ in range(3):
        run.step()
    order = np.array([5, 0, 17, 3, 249])
    s = take(run, order=order)
    assert (s.epoch, s.updates) == (run.epoch, run.updates) == (3, 3)
    d = run.data
    # J on the training set at the current weights, eq. (6), and its split — independent of the trace
    close(s.J, run.net.cost(d.X_train, run.Y_train, 0.01))
    close(s.J_decay, 0.005 * sum(float((W**2).sum()) for W in run.net.W))
    close(s.J_data, s.J - s.J_decay)
    assert s.J_decay > 0
    close([s.J, s.J_data, s.J_decay], [run.trace.J, run.trace.J_data, run.trace.J_decay])
    # train and test metric at the current weights (take measures the test side)
    assert s.metric_train == pytest.approx(readouts.metric(run, run.net.predict(d.X_train), d.y_train), abs=0)
    assert s.metric_test == pytest.approx(readouts.metric(run, run.net.predict(d.X_test), d.y_test), abs=0)
    assert np.isfinite(s.metric_test)


def test_take_deltas_are_the_shown_traces_rows_in_display_order():
    run = new_run(DEFAULT)
    run.step()
    order = np.array([7, 2, 2, 100, 0])
    s = take(run, order=order)
    n_l = run.net.n_l
    assert sorted(s.deltas) == list(range(2, n_l + 1))
    for l in range(2, n_l + 1):
        assert s.deltas[l].shape == (len(order), run.net.sizes[l - 1])
        close(s.deltas[l], run.trace.delta[l][order])
        close(s.deltas[l][0], run.trace.delta[l][7])  # row i is example order[i]
    s2 = take(run, order=readouts.example_order(run))
    assert s2.deltas[n_l].shape == (len(readouts.example_order(run)), 1)


def test_take_W_is_a_copy_and_dW_is_the_next_updates_gradient():
    run = new_run(DEFAULT)
    run.step()
    s = take(run, order=readouts.example_order(run))
    before = [w.copy() for w in run.net.W]
    assert len(s.W) == len(s.dW) == run.net.n_l - 1
    for l in range(1, run.net.n_l):
        close(s.W[l - 1], run.net.W[l - 1])
        close(s.dW[l - 1], run.trace.dW[l])
        assert not np.shares_memory(s.W[l - 1], run.net.W[l - 1])
        assert not np.shares_memory(s.dW[l - 1], run.trace.dW[l])
    kept = [np.array(w) for w in s.W], [np.array(g) for g in s.dW], {l: np.array(v) for l, v in s.deltas.items()}
    for _ in range(3):
        run.step()
    # the full-batch update it shows is W ← W − α ∂J/∂W (independent of the trace object)
    for l in range(1, run.net.n_l):
        assert not np.allclose(run.net.W[l - 1], before[l - 1])
    twin = new_run(DEFAULT)
    twin.step()
    tW = [w.copy() for w in twin.net.W]
    twin.step()
    for l in range(1, run.net.n_l):
        close(s.dW[l - 1], (tW[l - 1] - twin.net.W[l - 1]) / DEFAULT.alpha)
    # stepping afterwards leaves the snapshot as taken
    assert all(np.array_equal(a, b) for a, b in zip(s.W, kept[0], strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(s.dW, kept[1], strict=True))
    assert all(np.array_equal(s.deltas[l], kept[2][l]) for l in kept[2])


def test_take_surface_is_the_runs_prediction_grid():
    run = new_run(DEFAULT)
    run.step()
    s = take(run, order=readouts.example_order(run))
    x1, x2, values = readouts.surface(run)
    assert s.surface.shape == values.shape
    close(s.surface, values)
    close(s.surface[5, 3], run.net.predict(np.array([[x1[3], x2[5]]]))[0, 0])
    assert take(run, order=readouts.example_order(run), surface=False).surface is None


def test_take_on_digits_has_no_surface_and_wide_deltas():
    run = new_run(replace(DEFAULT, dataset="digits"))
    run.step()
    s = take(run, order=readouts.example_order(run))
    assert s.surface is None
    assert s.deltas[run.net.n_l].shape == (len(readouts.example_order(run)), 10)
    for l in range(2, run.net.n_l + 1):
        close(s.deltas[l], run.trace.delta[l][readouts.example_order(run)])
    want = readouts.metric(run, run.net.predict(run.data.X_test), run.data.y_test)
    assert s.metric_test == pytest.approx(want, abs=0)


def test_take_during_a_phase_walk_shows_the_walked_update_not_the_next():
    run = new_run(DEFAULT)
    walked = run.current_trace()
    J0 = walked.J
    for _ in range(len(run.phases)):  # through the update phase: weights changed, walk still shown
        run.advance_phase()
    assert run.phases[run.phase].kind == "update" and run.epoch == 1
    s = take(run, order=readouts.example_order(run))
    assert run.trace is run.walk.trace
    close(s.J, J0)
    assert s.J != pytest.approx(run.current_trace().J)
    for l in range(2, run.net.n_l + 1):
        close(s.deltas[l], walked.delta[l][readouts.example_order(run)])
    close(s.W[0], run.net.W[0])  # the weights are the updated ones
    assert s.epoch == 1


def test_take_during_a_minibatch_phase_walk_uses_the_batch_rows():
    run = new_run(replace(DEFAULT, batch_size=25))
    run.advance_phase()
    run.advance_phase()
    rows = run.trace_rows
    assert len(rows) == 25
    order = np.arange(25)[::-1]
    s = take(run, order=order)
    X, Y = run.data.X_train[rows], run.Y_train[rows]
    direct = run.net.trace(X, Y, 0.0)  # no update yet: the batch's own trace at the current weights
    for l in range(2, run.net.n_l + 1):
        assert s.deltas[l].shape == (25, run.net.sizes[l - 1])
        close(s.deltas[l], direct.delta[l][order])
    close(s.J, run.net.cost(X, Y, 0.0))


# ---------------------------------------------------------------------------------------- Clock
def test_clock_first_tick_owes_nothing_then_speed_times_seconds():
    run = new_run(DEFAULT)
    c = Clock()
    assert c.due(run, 50, now=100.0) == 0
    assert c.due(run, 50, now=100.125) == 6  # 6.25: 0.25 carried
    assert c.due(run, 50, now=100.25) == 6  # 6.5: 0.5 carried
    assert c.due(run, 50, now=100.375) == 6  # 6.75: 0.75 carried
    assert c.due(run, 50, now=100.5) == 7  # 7.0: nothing carried
    assert c.due(run, 50, now=100.5) == 0  # no time, no updates
    c = Clock()
    c.due(run, 50, now=0.0)
    assert c.due(run, 50, now=0.1) == 5


def test_clock_carries_fractions_exactly():
    run = new_run(DEFAULT)
    c = Clock()
    ticks = [k / 8 for k in range(41)]  # binary-exact times: 5 s in ticks of 1/8 s
    got = [c.due(run, 7, now=t) for t in ticks]
    expected = [0] + [int(7 * Fraction(k, 8)) - int(7 * Fraction(k - 1, 8)) for k in range(1, 41)]
    assert got == expected and sum(got) == 35
    assert got[:10] == [0, 0, 1, 1, 1, 1, 1, 1, 1, 0]
    # decimal ticks: nothing is lost, what is not yet paid is still owed
    c = Clock()
    got = [c.due(run, 7, now=k * 0.1) for k in range(31)]
    assert got[:4] == [0, 0, 1, 1] and set(got) <= {0, 1}
    assert sum(got) + c.owed == pytest.approx(21.0, abs=1e-9)
    assert sum(got) in (20, 21)


def test_clock_caps_a_long_pause_and_ignores_time_going_back():
    run = new_run(DEFAULT)
    c = Clock()
    c.due(run, 50, now=0.0)
    assert c.due(run, 50, now=30.0) == 50  # default max_gap: one second's worth
    assert c.due(run, 50, now=60.0, max_gap=0.5) == 25
    assert c.due(run, 50, now=59.0) == 0
    assert c.due(run, 50, now=59.25) == 12  # 12.5: counts from the last tick, even a late one


def test_clock_minibatch_owes_updates_per_epoch_times_speed():
    run = new_run(replace(DEFAULT, batch_size=25))
    assert run.updates_per_epoch == 10  # 250 training points / 25
    c = Clock()
    c.due(run, 4, now=0.0)
    assert c.due(run, 4, now=0.125) == 5  # 4 epochs/s × 10 updates × 1/8 s
    assert c.due(run, 4, now=1.125) == 40


# ----------------------------------------------------------------------------------------- play
@pytest.mark.parametrize("n,k", [(10, 4), (12, 3), (7, 7), (50, 6)])
def test_play_trains_exactly_n_updates_along_the_hand_stepped_trajectory(n, k):
    run = new_run(DEFAULT)
    snaps, ok = play(run, n, k, budget_seconds=BIG, order=readouts.example_order(run))
    twin, W, J = by_hand(DEFAULT, n)
    assert ok and run.updates == run.epoch == n
    assert same(weights(run), weights(twin))
    assert len(snaps) == k
    epochs = [s.epoch for s in snaps]
    assert np.all(np.diff(epochs) > 0) and epochs[-1] == run.epoch
    chunks = np.diff([0, *epochs])
    assert chunks.sum() == n and chunks.max() - chunks.min() <= 1  # even chunks
    for s in snaps:  # each snapshot is the run as it stood after that many updates
        assert s.updates == s.epoch
        for got, want in zip(s.W, W[s.epoch], strict=True):
            close(got, want)
        close(s.J, J[s.epoch])


def test_play_fewer_updates_than_snapshots_gives_one_per_update():
    run = new_run(DEFAULT)
    snaps, ok = play(run, 3, 10, budget_seconds=BIG, order=readouts.example_order(run))
    assert ok and [s.epoch for s in snaps] == [1, 2, 3] and run.updates == 3


def test_play_zero_updates_still_gives_the_current_snapshot():
    run = new_run(DEFAULT)
    run.step()
    before = weights(run)
    snaps, ok = play(run, 0, 5, budget_seconds=BIG, order=readouts.example_order(run))
    assert ok and len(snaps) == 1 and run.updates == 1 and same(weights(run), before)
    assert snaps[0].epoch == 1
    close(snaps[0].J, run.current_trace().J)


def test_play_minibatch_counts_updates_not_epochs():
    cfg = replace(DEFAULT, batch_size=25)
    run = new_run(cfg)
    snaps, ok = play(run, 25, 5, budget_seconds=BIG, order=readouts.example_order(run))
    twin, W, _ = by_hand(cfg, 25)
    assert ok and run.updates == 25 and run.epoch == 2 == twin.epoch
    assert same(weights(run), weights(twin))
    assert [s.updates for s in snaps] == [5, 10, 15, 20, 25]
    assert [s.epoch for s in snaps] == [0, 1, 1, 2, 2]
    for s in snaps:
        for got, want in zip(s.W, W[s.updates], strict=True):
            close(got, want)


def test_play_steps_the_compared_run_in_lockstep():
    other_cfg = replace(DEFAULT, alpha=0.3, seed=4)
    run, other = new_run(DEFAULT), new_run(other_cfg)
    snaps, ok = play(run, 9, 3, budget_seconds=BIG, order=readouts.example_order(run), also=other)
    assert ok and run.updates == other.updates == 9 and len(snaps) == 3
    twin, *_ = by_hand(other_cfg, 9)
    assert same(weights(other), weights(twin))
    assert not same(weights(run), weights(other))
    for a, b in zip(snaps[-1].W, run.net.W, strict=True):  # the snapshots are the first run's
        close(a, b)


def test_play_stops_at_a_refused_update():
    run = new_run(DIVERGING)
    snaps, ok = play(run, 300, 10, budget_seconds=BIG, order=readouts.example_order(run))
    twin = new_run(DIVERGING)
    while twin.step():
        assert twin.updates < 300
    assert not ok and run.diverged_at is not None and run.diverged_at == twin.diverged_at
    assert run.updates == twin.updates < 300 and same(weights(run), weights(twin))
    assert snaps and snaps[-1].epoch == run.epoch
    assert all(np.isfinite(w).all() for w in snaps[-1].W) and np.isfinite(snaps[-1].J)
    assert len(snaps) == run.updates // 30 + 1  # chunks of 30: stopped in the chunk that hit it, no more


@pytest.mark.parametrize("budget", [0.0, 1e-9])
def test_play_with_no_budget_left_still_makes_one_chunk_and_one_snapshot(budget):
    """The first chunk always runs (the view draws snaps[-1]); later chunks wait for the next tick."""
    run, other = new_run(DEFAULT), new_run(DEFAULT)
    snaps, ok = play(run, 40, 4, budget_seconds=budget, order=readouts.example_order(run), also=other)
    assert ok and len(snaps) >= 1 and snaps[-1].epoch == run.epoch
    assert 1 <= run.updates <= 10  # at least one update, at most the first chunk's ten
    assert other.updates == run.updates and same(weights(other), weights(run))  # lockstep despite the cut


def test_play_splits_what_the_budget_affords_into_every_snapshot():
    """At a speed the budget cannot afford, the updates it can afford (measured per update by the
    clock) are spread over all the snapshots, not spent by the first chunks."""
    run = new_run(DEFAULT)
    order = np.arange(len(run.Y_train))
    clock = Clock(per_update=0.002)  # as measured: 2 ms an update, so 0.02 s affords 10
    snaps, ok = play(run, 5000, 5, budget_seconds=0.02, order=order, clock=clock)
    assert ok and len(snaps) == 5 and run.updates == 10
    assert [s.updates for s in snaps] == [2, 4, 6, 8, 10]
    assert 0 < clock.per_update < 0.002  # this machine's real cost, averaged in


def test_play_measures_the_cost_of_an_update_for_the_next_tick():
    run = new_run(DEFAULT)
    clock = Clock()
    play(run, 20, 4, budget_seconds=10.0, order=np.arange(len(run.Y_train)), clock=clock)
    assert run.updates == 20 and 0 < clock.per_update < 0.1
