"""The batch queue (training.Batches) and the phase walk (phases.Walk), alone and as the Run uses them."""
from __future__ import annotations

import numpy as np
import pytest

from playground.config import DEFAULT, replace
from playground.experiment import new_run
from playground.phases import Walk, phases, revealed
from playground.training import Batches, minibatches


def rng_state(rng: np.random.Generator) -> dict:
    return rng.bit_generator.state


def take_epoch(queue: Batches) -> tuple[list, list[bool]]:
    """The batches of one epoch as the Run takes them: peek, apply, pop; and which was marked last."""
    batches, last = [], []
    for _ in range(1000):
        batches.append(queue.peek())
        last.append(queue.is_last)
        queue.pop()
        if last[-1]:
            return batches, last
    raise AssertionError("no batch of the epoch was marked last")


# ------------------------------------------------------------------------------------- Batches
@pytest.mark.parametrize("size", [None, 0, 10, 11])
def test_a_full_batch_epoch_is_one_batch_of_every_row_marked_full_and_last(size):
    rng = np.random.default_rng(0)
    before = rng_state(rng)
    queue = Batches(10, size, rng)
    assert queue.is_full_batch and queue.per_epoch == 1
    for _ in range(3):  # every epoch alike
        batches, last = take_epoch(queue)
        assert last == [True] and len(batches) == 1
        assert np.array_equal(np.arange(10)[batches[0]], np.arange(10))
    assert rng_state(rng) == before, "full-batch descent draws nothing from the rng"


def test_minibatches_cover_every_row_once_per_epoch_in_the_rngs_order_and_the_last_is_marked():
    queue, twin = Batches(10, 3, np.random.default_rng(5)), np.random.default_rng(5)
    assert not queue.is_full_batch and queue.per_epoch == 4
    for _ in range(3):
        batches, last = take_epoch(queue)
        assert last == [False, False, False, True]
        assert [len(b) for b in batches] == [3, 3, 3, 1]
        order = np.concatenate(batches)
        assert np.array_equal(order, twin.permutation(10))  # one draw per epoch, as train_epoch makes
        assert sorted(order) == list(range(10))


def test_the_queue_draws_exactly_what_minibatches_draws():
    queue = Batches(23, 4, np.random.default_rng(9))
    twin = np.random.default_rng(9)
    for _ in range(2):
        want = list(minibatches(23, 4, twin))
        got, _ = take_epoch(queue)
        assert all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))


def test_peek_does_not_move_the_queue_pop_does():
    queue = Batches(10, 3, np.random.default_rng(1))
    first = queue.peek()
    assert queue.peek() is first and not queue.is_last
    assert queue.pop() is first
    assert not np.array_equal(queue.peek(), first)


def test_restart_drops_the_epoch_under_way_and_draws_a_new_order():
    queue, twin = Batches(10, 3, np.random.default_rng(2)), np.random.default_rng(2)
    first_epoch = twin.permutation(10)
    assert np.array_equal(queue.peek(), first_epoch[:3])
    queue.pop()
    queue.restart()
    second_epoch = twin.permutation(10)
    assert not np.array_equal(second_epoch, first_epoch)
    batches, last = take_epoch(queue)  # a whole epoch again, from its first batch
    assert last == [False, False, False, True]
    assert np.array_equal(np.concatenate(batches), second_epoch)


def test_the_run_draws_its_epoch_order_from_the_networks_rng():
    run = new_run(replace(DEFAULT, batch_size=25))
    twin = np.random.default_rng()
    twin.bit_generator.state = run.net.rng.bit_generator.state
    m = len(run.Y_train)
    order = twin.permutation(m)
    run.advance_phase()
    assert np.array_equal(run.trace_rows, order[:25])
    run.step()  # finishes that batch's update
    run.advance_phase()
    assert np.array_equal(run.trace_rows, order[25:50])


# ---------------------------------------------------------------------------------------- Walk
def test_a_walk_goes_through_the_phases_in_order_and_reveals_what_revealed_says():
    run = new_run(replace(DEFAULT, hidden=(4, 3)))
    n_l = run.net.n_l
    walk = Walk(run.current_trace(), np.arange(len(run.Y_train)))
    seen = [walk.current]
    assert walk.index == 0 and walk.revealed == revealed(n_l, 0) and not walk.updated
    while not walk.updated:
        assert walk.advance() == walk.current
        seen.append(walk.current)
        assert walk.revealed == revealed(n_l, walk.index)
    assert tuple(seen) == phases(n_l) == walk.phases
    assert [p.kind for p in seen].count("update") == 1 and seen[-1].kind == "update"
    assert walk.revealed.updated
    with pytest.raises(ValueError, match="reached its update"):
        walk.advance()


def _count_applies(run, monkeypatch) -> list[int]:
    calls = [0]
    apply = run.net.apply

    def counted(*args, **kwargs):
        calls[0] += 1
        return apply(*args, **kwargs)

    monkeypatch.setattr(run.net, "apply", counted)
    return calls


def test_the_runs_walk_applies_its_update_exactly_once(monkeypatch):
    run = new_run(DEFAULT)
    calls = _count_applies(run, monkeypatch)
    n = len(run.phases)
    for k in range(n):
        assert run.advance_phase()
        assert run.walk.index == run.phase == k and run.revealed == revealed(run.net.n_l, k)
        assert calls[0] == (1 if k == n - 1 else 0), k
    assert run.walk.updated and run.epoch == run.updates == 1
    assert run.step()  # ends the walk: its update is made already, so no second one
    assert calls[0] == 1 and run.walk is None and run.epoch == run.updates == 1
    twin = new_run(DEFAULT)
    twin.step()
    assert all(np.array_equal(a, b) for a, b in zip(run.net.W, twin.net.W, strict=True))


def test_a_phase_after_the_update_starts_the_next_walk_without_applying(monkeypatch):
    run = new_run(DEFAULT)
    for _ in run.phases:
        run.advance_phase()
    calls = _count_applies(run, monkeypatch)
    assert run.advance_phase()
    assert run.phase == 0 and calls[0] == 0 and run.epoch == 1
    assert run.walk.trace is run.current_trace()  # the next update's, at the updated weights


def test_dropping_the_walk_leaves_no_state_behind():
    cfg = replace(DEFAULT, batch_size=25)
    run, twin = new_run(cfg), new_run(cfg)
    run.advance_phase()
    run.advance_phase()
    run.drop_walk()
    n_l, m = run.net.n_l, len(run.Y_train)
    assert run.walk is None and run.phase is None and run.revealed == revealed(n_l, None)
    assert run.trace is run.current_trace() and np.array_equal(run.trace_rows, np.arange(m))
    assert run.epoch == run.updates == 0
    for _ in range(12):  # past the epoch's end: the queue and the weights go on as if no walk had been
        run.step()
        twin.step()
    assert run.epoch == twin.epoch == 1 and run.updates == twin.updates == 12
    assert all(np.array_equal(a, b) for a, b in zip(run.net.W + run.net.b, twin.net.W + twin.net.b, strict=True))


def test_a_new_batch_size_drops_an_unapplied_walk_but_keeps_an_applied_one():
    run = new_run(DEFAULT)
    run.advance_phase()
    run.steer(replace(run.cfg, batch_size=25))
    assert run.walk is None and run.epoch == 0 and run.updates_per_epoch == 10
    for _ in run.phases:
        run.advance_phase()
    walk = run.walk
    run.steer(replace(run.cfg, batch_size=50))
    assert run.walk is walk and walk.updated and run.updates == 1 and run.updates_per_epoch == 5


def test_epoch_pressed_mid_walk_ends_one_epoch_not_two():
    run = new_run(DEFAULT)  # full batch: one update is one epoch
    run.advance_phase()
    run.advance_phase()
    assert run.run_epoch()
    assert run.epoch == run.updates == 1 and run.walk is None
