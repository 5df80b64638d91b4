"""Invariants of the core: weight decay, mini-batches, determinism, the trace, divergence,
training progress and the initializers' statistics."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from playground import (
    INITIALIZERS,
    DivergenceError,
    Network,
    buffers,
    get_initializer,
    minibatches,
    train_epoch,
)


def regression_data(m=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 2))
    Y = np.sin(X[:, :1]) + 0.3 * X[:, 1:] ** 2
    return X, Y


def same_params(a: Network, b: Network) -> bool:
    return all(np.array_equal(p, q) for p, q in zip(a.W + a.b, b.W + b.b, strict=True))


def snapshot(net: Network) -> list[np.ndarray]:
    return [p.copy() for p in net.W + net.b]


def unchanged(net: Network, snap: list[np.ndarray]) -> bool:
    return all(np.array_equal(p, q) for p, q in zip(net.W + net.b, snap, strict=True))


def weight_norm(net: Network) -> float:
    return math.sqrt(sum(float((W**2).sum()) for W in net.W))


def with_random_biases(net: Network, seed=1) -> Network:
    rng = np.random.default_rng(seed)
    net.b = [rng.normal(0.0, 0.5, size=b.shape) for b in net.b]
    return net


# --------------------------------------------------------------------- weight decay
def test_larger_lambda_gives_smaller_weights_after_training():
    X, Y = regression_data()
    norms = []
    for lam in [0.0, 0.01, 0.1, 0.5]:
        net = Network([2, 5, 1], activation="tanh", output_activation="linear", seed=1)
        for _ in range(400):
            net.step(X, Y, 0.1, lam)
        norms.append(weight_norm(net))
    assert (np.diff(norms) < 0).all(), norms
    assert norms[-1] < 0.5 * norms[0]


def test_biases_get_no_decay_and_weights_get_exactly_lambda_W():
    X, Y = regression_data(m=12)
    net = with_random_biases(Network([2, 4, 3, 1], activation="tanh", seed=2))
    J0, dW0, db0 = net.cost_and_gradients(X, Y, 0.0)
    for lam in [0.05, 0.7, 3.0]:
        J, dW, db = net.cost_and_gradients(X, Y, lam)
        for k in range(len(net.W)):
            np.testing.assert_array_equal(db[k], db0[k])  # eq. (10): no λ term at all
            np.testing.assert_allclose(dW[k] - dW0[k], lam * net.W[k], rtol=1e-12, atol=1e-15)  # eq. (9)
        sum_sq = sum(w * w for W in net.W for w in W.ravel().tolist())
        assert J - J0 == pytest.approx(0.5 * lam * sum_sq, rel=1e-12)


def test_step_decays_W_but_not_b():
    X, Y = regression_data(m=12)
    plain = with_random_biases(Network([2, 4, 1], activation="tanh", seed=3))
    decayed = plain.copy()
    plain.step(X, Y, 0.2, 0.0)
    decayed.step(X, Y, 0.2, 0.5)
    for k in range(len(plain.b)):
        np.testing.assert_array_equal(decayed.b[k], plain.b[k])
        assert not np.array_equal(decayed.W[k], plain.W[k])


@pytest.mark.parametrize("lam", [0.0, 0.25])
def test_trace_cost_terms(lam):
    X, Y = regression_data(m=9)
    net = with_random_biases(Network([2, 3, 2, 1], activation="softplus", seed=4))
    tr = net.trace(X, Y, lam)
    sum_sq = sum(w * w for W in net.W for w in W.ravel().tolist())
    assert tr.J_decay == pytest.approx(0.5 * lam * sum_sq, rel=1e-14, abs=0)  # second term of eq. (6)
    assert tr.per_example.shape == (9,)
    assert tr.J_data == pytest.approx(float(np.mean(tr.per_example)), rel=1e-14)
    residual = tr.a[4] - Y
    np.testing.assert_allclose(tr.per_example, 0.5 * (residual**2).sum(axis=1), rtol=1e-14)  # eq. (5)
    assert tr.J == pytest.approx(tr.J_data + tr.J_decay, rel=1e-15)
    assert tr.J == pytest.approx(net.cost(X, Y, lam), rel=1e-14)


# ------------------------------------------------------------------------ the trace
def test_trace_is_keyed_by_the_texts_l_and_consistent_with_the_equations():
    X, Y = regression_data(m=7)
    Y = np.hstack([Y, -Y])
    net = with_random_biases(Network([2, 4, 3, 2], activation=["tanh", "elu"], output_activation="sigmoid", seed=5))
    lam = 0.2
    tr = net.trace(X, Y, lam)
    n_l = 4
    assert tr.n_l == n_l and tr.m == 7
    assert sorted(tr.a) == [1, 2, 3, 4]
    assert sorted(tr.z) == sorted(tr.delta) == [2, 3, 4]
    assert sorted(tr.dW) == sorted(tr.db) == [1, 2, 3]
    np.testing.assert_array_equal(tr.a[1], X)
    for l in range(2, n_l + 1):
        assert tr.a[l].shape == tr.z[l].shape == tr.delta[l].shape == (7, net.sizes[l - 1])
    for l in range(1, n_l):
        assert tr.dW[l].shape == net.W[l - 1].shape and tr.db[l].shape == net.b[l - 1].shape

    f_prime = {  # the derivatives written out, per layer, from the constructor's arguments
        2: lambda z: 1.0 - np.tanh(z) ** 2,
        3: lambda z: np.where(z > 0, 1.0, np.exp(z)),
        4: lambda z: np.exp(-z) / (1.0 + np.exp(-z)) ** 2,
    }
    for k in range(7):  # one example at a time, as the text writes it (columns)
        for l in range(1, n_l):
            z = net.W[l - 1] @ tr.a[l][k] + net.b[l - 1]  # eq. (2)
            np.testing.assert_allclose(tr.z[l + 1][k], z, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(
            tr.delta[n_l][k], (tr.a[n_l][k] - Y[k]) * f_prime[n_l](tr.z[n_l][k]), rtol=1e-12, atol=1e-15
        )  # eqs. (15), (17)
        for l in range(n_l - 1, 1, -1):
            expected = (net.W[l - 1].T @ tr.delta[l + 1][k]) * f_prime[l](tr.z[l][k])  # eqs. (15), (18)
            np.testing.assert_allclose(tr.delta[l][k], expected, rtol=1e-12, atol=1e-15)
    for l in range(1, n_l):
        per_example = [np.outer(tr.delta[l + 1][k], tr.a[l][k]) for k in range(7)]
        np.testing.assert_allclose(tr.dW[l], np.mean(per_example, axis=0) + lam * net.W[l - 1], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(tr.db[l], tr.delta[l + 1].mean(axis=0), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("loss, sizes", [("squared", [2, 4, 3, 1]), ("cross_entropy", [2, 4, 3])])
def test_trace_gradients_equal_cost_and_gradients_and_predict_equals_a_n_l(loss, sizes):
    X, _ = regression_data(m=11)
    Y = np.eye(sizes[-1])[np.arange(11) % sizes[-1]] if sizes[-1] > 1 else (X[:, :1] > 0).astype(float)
    net = with_random_biases(Network(sizes, activation="relu", loss=loss, seed=6))
    tr = net.trace(X, Y, 0.3)
    J, dW, db = net.cost_and_gradients(X, Y, 0.3)
    assert J == tr.J
    for l in range(1, len(sizes)):
        np.testing.assert_array_equal(dW[l - 1], tr.dW[l])
        np.testing.assert_array_equal(db[l - 1], tr.db[l])
    np.testing.assert_allclose(net.predict(X), tr.a[len(sizes)], rtol=1e-14, atol=0)


def test_apply_of_a_trace_equals_step():
    X, Y = regression_data(m=10)
    a = Network([2, 4, 1], activation="tanh", seed=7)
    b = a.copy()
    J_step = a.step(X, Y, 0.3, 0.1)
    J_apply = b.apply(b.trace(X, Y, 0.1), 0.3)
    assert J_step == J_apply
    assert same_params(a, b)


def test_an_update_replaces_the_arrays_and_never_mutates_them_or_a_copy():
    """A trace, a copy or a chart holding the old W^(l), b^(l) must keep seeing the old values."""
    X, Y = regression_data(m=10)
    net = with_random_biases(Network([2, 4, 1], activation="tanh", seed=7))
    held = list(net.W) + list(net.b)  # the array objects themselves
    values = [p.copy() for p in held]
    twin = net.copy()
    net.step(X, Y, 0.3, 0.1)
    train_epoch(net, X, Y, 0.3, 0.1, batch_size=3, rng=np.random.default_rng(0))
    assert all(np.array_equal(p, v) for p, v in zip(held, values, strict=True))
    assert all(np.array_equal(p, v) for p, v in zip(twin.W + twin.b, values, strict=True))
    assert not same_params(net, twin)


# --------------------------------------------------------------------- mini-batches
def test_batch_of_size_m_equals_full_batch_exactly():
    X, Y = regression_data(m=24)
    nets = [Network([2, 5, 1], activation="tanh", seed=8) for _ in range(4)]
    for epoch in range(5):
        J_full = train_epoch(nets[0], X, Y, 0.2, 0.05, batch_size=None, rng=np.random.default_rng(epoch))
        J_m = train_epoch(nets[1], X, Y, 0.2, 0.05, batch_size=24, rng=np.random.default_rng(99))
        J_more = train_epoch(nets[2], X, Y, 0.2, 0.05, batch_size=1000, rng=np.random.default_rng(7))
        J_step = nets[3].step(X, Y, 0.2, 0.05)
        assert J_full == J_m == J_more == J_step
    for other in nets[1:]:
        assert same_params(nets[0], other)


def test_minibatches_cover_every_example_once_and_reshuffle_each_epoch():
    m, size = 23, 5
    rng = np.random.default_rng(0)
    epochs = [[np.asarray(idx) for idx in minibatches(m, size, rng)] for _ in range(3)]
    orders = []
    for batches in epochs:
        assert [len(idx) for idx in batches] == [5, 5, 5, 5, 3]
        order = np.concatenate(batches)
        np.testing.assert_array_equal(np.sort(order), np.arange(m))
        orders.append(order)
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])
    assert not np.array_equal(orders[0], np.arange(m))  # shuffled, not in the data's order


def test_minibatches_full_batch_draws_nothing_from_rng():
    rng = np.random.default_rng(3)
    state = rng.bit_generator.state
    for batch_size in (None, 10, 11):
        batches = list(minibatches(10, batch_size, rng))
        assert len(batches) == 1
        np.testing.assert_array_equal(np.arange(10)[batches[0]], np.arange(10))
    assert rng.bit_generator.state == state


def test_train_epoch_is_steps_on_the_shuffled_batches_and_returns_their_weighted_mean_J():
    X, Y = regression_data(m=23)
    a = Network([2, 4, 1], activation="tanh", seed=9)
    b = a.copy()
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    for epoch in range(3):
        J_epoch = train_epoch(a, X, Y, 0.3, 0.01, batch_size=5, rng=rng_a, epoch=epoch)
        total = 0.0
        for idx in minibatches(23, 5, rng_b):
            total += b.step(X[idx], Y[idx], 0.3, 0.01) * len(np.arange(23)[idx])
        assert J_epoch == pytest.approx(total / 23, rel=1e-14)
        assert same_params(a, b)


def test_batches_of_several_sizes_reuse_the_scratch_arrays_correctly(monkeypatch):
    """A full batch, then smaller ones (the last one smaller still): step() writes into the first
    rows of the arrays it keeps, and whether eq. (9)'s sum is formed transposed changes with the
    batch size (buffers.sum_transposed). Each update must equal one made from a fresh trace, and,
    to rounding, the one made with the sums never transposed."""
    rng = np.random.default_rng(6)
    X, Y = rng.normal(size=(1000, 64)), rng.normal(size=(1000, 10))
    nets = [Network([64, 32, 16, 10], activation="relu", output_activation="linear", seed=6) for _ in range(3)]
    forms = {m: [buffers.sum_transposed(m, *nets[0].sizes[k : k + 2]) for k in range(3)] for m in (1000, 300, 100)}
    assert forms[1000] != forms[300] != forms[100]  # the case this test is about
    rng_a, rng_b, rng_c = (np.random.default_rng(2) for _ in range(3))
    for epoch in range(2):
        nets[0].step(X, Y, 0.01, 0.001)
        train_epoch(nets[0], X, Y, 0.01, 0.001, batch_size=300, rng=rng_a, epoch=epoch)
        for net, rng in ((nets[1], rng_b), (nets[2], rng_c)):
            if net is nets[2]:
                monkeypatch.setattr(buffers, "TRANSPOSED_MAX_W", 0)
            net.apply(net.trace(X, Y, 0.001), 0.01)
            for idx in minibatches(1000, 300, rng):
                net.apply(net.trace(X[idx], Y[idx], 0.001), 0.01)
            monkeypatch.undo()
    assert same_params(nets[0], nets[1])
    for p, q in zip(nets[0].W + nets[0].b, nets[2].W + nets[2].b, strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-11, atol=1e-14)


# ---------------------------------------------------------------------- determinism
@pytest.mark.parametrize("init", sorted(INITIALIZERS))
def test_same_seed_same_weights_and_trajectory_different_seed_differs(init):
    X, Y = regression_data(m=20)

    def run(seed):
        net = Network([2, 6, 3, 1], activation="tanh", seed=seed, init=init)
        W0 = snapshot(net)
        rng = np.random.default_rng(seed)
        Js = [train_epoch(net, X, Y, 0.1, 0.01, batch_size=6, rng=rng, epoch=e) for e in range(5)]
        return W0, Js, snapshot(net)

    W0a, Jsa, Wa = run(3)
    W0b, Jsb, Wb = run(3)
    W0c, Jsc, Wc = run(4)
    assert all(np.array_equal(p, q) for p, q in zip(W0a, W0b, strict=True))
    assert Jsa == Jsb
    assert all(np.array_equal(p, q) for p, q in zip(Wa, Wb, strict=True))
    assert not all(np.array_equal(p, q) for p, q in zip(W0a[:3], W0c[:3], strict=True))
    assert Jsa != Jsc


# ----------------------------------------------------------------------- divergence
def _expect_divergence(run, net):
    """Run until DivergenceError with every warning an error; the refused update changes nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(500):
            before = snapshot(net)
            try:
                run()
            except DivergenceError as err:
                assert unchanged(net, before), "the refused update changed W or b"
                assert all(np.isfinite(p).all() for p in net.W + net.b)
                return err
    raise AssertionError("no DivergenceError in 500 updates")


def test_huge_learning_rate_raises_divergence_and_leaves_weights():
    X, Y = regression_data(m=16)
    net = Network([2, 3, 1], activation="linear", seed=0)
    err = _expect_divergence(lambda: net.step(X, Y, 1e6), net)
    assert "α" in str(err) and "lower" in str(err).lower()
    assert err.epoch is None


def test_huge_inputs_on_a_linear_net_raise_divergence_on_the_first_step():
    X, Y = regression_data(m=16)
    net = Network([2, 3, 1], activation="linear", seed=0)
    before = snapshot(net)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DivergenceError, match="(?i)lower α"):
            net.step(X * 1e200, Y, 0.01)
    assert unchanged(net, before)


def test_update_overflowing_a_weight_is_refused():
    X, Y = regression_data(m=16)
    Y = 1e3 * Y  # gradients of order 1e3
    net = Network([2, 3, 1], activation="linear", seed=0)
    before = snapshot(net)
    assert math.isfinite(net.cost(X, Y))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DivergenceError, match="(?i)lower α") as info:
            net.step(X, Y, 1e307)  # J is finite, but W − α ∂J/∂W is not
    assert "infinite" in str(info.value)
    assert unchanged(net, before)


def test_train_epoch_divergence_carries_the_epoch():
    X, Y = regression_data(m=16)
    net = Network([2, 3, 1], activation="linear", seed=0)
    rng = np.random.default_rng(0)
    epoch = -1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DivergenceError) as info:
            for epoch in range(10, 510):  # noqa: B007 — read after the loop is broken by the error
                train_epoch(net, X, Y, 1e3, 0.0, batch_size=4, rng=rng, epoch=epoch)
    err = info.value
    assert epoch > 10  # some epochs completed first, so only the caller's count can name this one
    assert err.epoch == epoch
    assert f"epoch {epoch}" in str(err)
    assert "α" in str(err) and "lower" in str(err).lower()
    assert all(np.isfinite(p).all() for p in net.W + net.b)


def test_train_epoch_refuses_only_the_diverging_batch():
    X, Y = regression_data(m=16)
    net = Network([2, 3, 1], activation="linear", seed=0)
    rng = np.random.default_rng(1)
    with pytest.raises(DivergenceError):
        for e in range(500):
            kept = snapshot(net)
            rng_state = rng.bit_generator.state
            train_epoch(net, X, Y, 1e6, batch_size=4, rng=rng, epoch=e)
    # Replay the diverging epoch by hand: the same batches, stopping at the refused one.
    replay = Network([2, 3, 1], activation="linear", seed=0)
    replay.W, replay.b = [p.copy() for p in kept[:2]], [p.copy() for p in kept[2:]]
    rng.bit_generator.state = rng_state
    for idx in minibatches(16, 4, rng):
        try:
            replay.step(X[idx], Y[idx], 1e6)
        except DivergenceError:
            break
    assert same_params(net, replay)


# ---------------------------------------------------------------- training progress
def test_xor_with_tanh_is_learned():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    net = Network([2, 4, 1], activation="tanh", seed=0)
    Js = [net.step(X, Y, 0.5) for _ in range(2000)]
    assert Js[0] > 0.1
    assert net.cost(X, Y) < 1e-3
    np.testing.assert_array_equal(np.round(net.predict(X)), Y)


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "softplus", "elu"])
def test_small_steps_of_full_batch_descent_never_increase_J(act):
    X, Y = regression_data(m=30)
    net = Network([2, 5, 1], activation=act, output_activation="linear", seed=2)
    Js = [net.step(X, Y, 0.02, 0.01) for _ in range(200)]
    assert (np.diff(Js) <= 0).all(), "J went up under a small gradient step"
    assert Js[-1] < 0.9 * Js[0]


def test_cross_entropy_training_reduces_J():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    Y = np.eye(3)[labels]
    net = Network([2, 6, 3], activation="tanh", loss="cross_entropy", seed=1)
    J0 = net.cost(X, Y)
    for e in range(200):
        train_epoch(net, X, Y, 0.3, batch_size=10, rng=rng, epoch=e)
    assert net.cost(X, Y) < 0.5 * J0
    assert (net.predict(X).argmax(axis=1) == labels).mean() > 0.9


# --------------------------------------------------------------------- initializers
@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_initializer_shapes_determinism_and_zero_biases(name):
    init = get_initializer(name)
    assert init.draw(np.random.default_rng(0), 3, 5).shape == (3, 5)  # (fan_out, fan_in)
    np.testing.assert_array_equal(init.draw(np.random.default_rng(1), 4, 2), init.draw(np.random.default_rng(1), 4, 2))
    assert not np.array_equal(init.draw(np.random.default_rng(1), 4, 2), init.draw(np.random.default_rng(2), 4, 2))
    net = Network([3, 5, 4, 2], activation="relu", init=name, seed=0)
    assert [W.shape for W in net.W] == [(5, 3), (4, 5), (2, 4)]  # W^(l): (s_{l+1}, s_l)
    assert [b.shape for b in net.b] == [(5,), (4,), (2,)]
    assert all(not b.any() for b in net.b)
    assert all(W.dtype == np.float64 and np.isfinite(W).all() and W.any() for W in net.W)


def test_xavier_is_uniform_on_its_limit():
    fan_out, fan_in = 300, 500
    W = get_initializer("xavier").draw(np.random.default_rng(0), fan_out, fan_in)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    assert np.abs(W).max() <= limit
    assert np.abs(W).max() > 0.999 * limit
    assert abs(W.mean()) < 0.01 * limit
    assert W.std() == pytest.approx(limit / math.sqrt(3.0), rel=0.02)  # uniform(−c, c): std c/√3
    assert np.mean(np.abs(W) < limit / 2) == pytest.approx(0.5, abs=0.01)  # flat, not bell-shaped


def test_he_std_is_sqrt_2_over_fan_in():
    fan_out, fan_in = 300, 500
    W = get_initializer("he").draw(np.random.default_rng(0), fan_out, fan_in)
    assert W.std() == pytest.approx(math.sqrt(2.0 / fan_in), rel=0.02)
    assert abs(W.mean()) < 0.01 * math.sqrt(2.0 / fan_in)
    # Through the network: W^(1) of [1000, 100] has fan_in 1000, not 100.
    net = Network([1000, 100, 1], activation="relu", init="he", seed=0)
    assert net.W[0].std() == pytest.approx(math.sqrt(2.0 / 1000), rel=0.02)


def test_small_normal_std_is_0_01():
    W = get_initializer("small_normal").draw(np.random.default_rng(0), 400, 500)
    assert W.std() == pytest.approx(0.01, rel=0.02)
    assert abs(W.mean()) < 1e-4


def test_a_held_trace_survives_later_steps_and_copies_train_identically():
    """step() reuses its own scratch arrays; a trace handed out by trace() must never be overwritten,
    and a copied network (copy(), deepcopy) must take exactly the steps the original takes."""
    import copy as copy_module

    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 2)) * 0.3
    net = Network([3, 5, 4, 2], activation="tanh", seed=1)
    held = net.trace(X, Y, 0.01)
    snapshot = {name: {l: v.copy() for l, v in getattr(held, name).items()} for name in ("z", "a", "delta", "dW")}
    twins = [net.copy(), copy_module.deepcopy(net)]
    for _ in range(5):
        net.step(X, Y, 0.1, 0.01)
        for t in twins:
            t.step(X, Y, 0.1, 0.01)
    for name, layers in snapshot.items():
        for l, v in layers.items():
            assert np.array_equal(getattr(held, name)[l], v), f"{name}[{l}] of a held trace was overwritten"
    for t in twins:
        assert all(np.array_equal(a, b) for a, b in zip(t.W + t.b, net.W + net.b, strict=True))
