"""θ has one owner, and eq. (9) is written once.

A network's W^(l) and b^(l) are views of one flat θ (buffers.Packed), whatever is done to them —
assigned, edited in place, copied, stepped; a trace's gradients are views of one flat ∂J/∂θ laid
out like θ; Trace.W and Trace.b are keyed by the text's l like every other field of a trace; and
network.gradients, the one place eqs. (9)-(10) are written, matches central differences.
"""
from __future__ import annotations

import copy
import inspect
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from playground import Network, buffers, gradient_check, network
from playground.buffers import Arrays, Packed
from playground.network import Trace

SIZES = [3, 5, 4, 2]


def data(m: int = 12, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, SIZES[0])), rng.normal(size=(m, SIZES[-1])) * 0.5


def new_params(net: Network, seed: int = 5):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=W.shape) for W in net.W], [rng.normal(size=b.shape) for b in net.b]


def assert_views_of_theta(net: Network) -> None:
    theta = net.theta
    assert isinstance(theta, Packed)
    parts = list(net.W) + list(net.b)
    for p in parts:
        assert np.shares_memory(p, theta.flat)
    # laid end to end: W^(1) … W^(n_l-1), then b^(1) … b^(n_l-1), tiling θ exactly
    np.testing.assert_array_equal(np.concatenate([p.ravel() for p in parts]), theta.flat)
    assert sum(p.size for p in parts) == theta.flat.size
    for l in range(1, net.n_l):
        assert net.W[l - 1] is theta.W[l] and net.b[l - 1] is theta.b[l]


def reference_J(W, b, f, X, Y, lam):
    """Eq. (6) for squared error, by hand from the given arrays (not the network's)."""
    a = X
    for Wl, bl in zip(W, b, strict=True):
        a = f(a @ Wl.T + bl)
    return 0.5 * ((a - Y) ** 2).sum(axis=1).mean() + lam / 2 * sum((Wl**2).sum() for Wl in W)


# ------------------------------------------------------------------------ one θ
def test_W_and_b_are_views_of_one_packed_theta_through_steps_copies_and_pickles():
    X, Y = data()
    net = Network(SIZES, activation="tanh", seed=1)
    assert_views_of_theta(net)
    net.step(X, Y, 0.1, 0.01)
    assert_views_of_theta(net)
    for other in (net.copy(), copy.deepcopy(net)):
        assert_views_of_theta(other)
        assert not np.shares_memory(other.theta.flat, net.theta.flat)
        other.step(X, Y, 0.1, 0.01)
        assert_views_of_theta(other)
    tr = net.trace(X, Y, 0.01)
    tr_copy = copy.deepcopy(tr)
    assert all(np.shares_memory(tr_copy.dW[l], tr_copy.grad.flat) for l in tr_copy.dW)
    assert all(np.shares_memory(tr_copy.W[l], tr_copy.theta.flat) for l in tr_copy.W)


def test_assigning_new_lists_copies_them_into_theta_and_a_step_uses_them():
    X, Y = data()
    net = Network(SIZES, activation="tanh", seed=1)
    theta = net.theta
    W, b = new_params(net)
    net.W, net.b = W, b
    assert net.theta is theta, "assignment copies into θ, it does not replace it"
    assert_views_of_theta(net)
    for l in range(1, net.n_l):
        np.testing.assert_array_equal(theta.W[l], W[l - 1])
        np.testing.assert_array_equal(theta.b[l], b[l - 1])
        assert not np.shares_memory(net.W[l - 1], W[l - 1]), "the caller's arrays are copied, not kept"
    W[0][0, 0] += 1.0  # the caller's list is theirs: editing it afterwards leaves θ alone
    assert theta.W[1][0, 0] == W[0][0, 0] - 1.0
    W[0][0, 0] -= 1.0

    J = net.step(X, Y, 0.1, 0.01)
    assert J == pytest.approx(reference_J(W, b, np.tanh, X, Y, 0.01), rel=1e-12)
    # the step moved from the assigned values: one made by a network built with them matches bit for bit
    twin = Network(SIZES, activation="tanh", seed=99)
    twin.W, twin.b = W, b
    twin.apply(twin.trace(X, Y, 0.01), 0.1)
    assert all(np.array_equal(p, q) for p, q in zip(net.W + net.b, twin.W + twin.b, strict=True))


def test_item_assignment_and_in_place_edits_are_edits_of_theta():
    X, Y = data()
    net = Network(SIZES, activation="tanh", seed=1)
    net.W[1] = np.zeros((4, 5))
    net.b[1] = np.full(4, 0.25)
    net.W[0][2, 1] = 7.0
    net.b[2] += 1.0
    assert_views_of_theta(net)
    assert not net.theta.W[2].any() and (net.theta.b[2] == 0.25).all() and net.theta.W[1][2, 1] == 7.0
    np.testing.assert_array_equal(net.theta.b[3], np.ones(2))
    tr = net.trace(X, Y)
    np.testing.assert_array_equal(tr.z[3], np.full((len(X), 4), 0.25))  # W^(2) = 0, so z^(3) = b^(2)


def test_wrong_shapes_are_refused_and_leave_theta_untouched():
    net = Network(SIZES, activation="tanh", seed=1)
    before = net.theta.flat.copy()
    W, _ = new_params(net)
    with pytest.raises(ValueError, match="shapes"):
        net.W = W[:-1]
    with pytest.raises(ValueError, match="shapes"):
        net.W = [W[0], W[1].T, W[2]]  # the first would fit; nothing is written before all are checked
    with pytest.raises(ValueError, match="shapes"):
        net.b[0] = np.zeros(4)
    np.testing.assert_array_equal(net.theta.flat, before)


def test_an_update_makes_a_new_theta_so_a_held_trace_keeps_its_weights():
    X, Y = data()
    net = Network(SIZES, activation="tanh", seed=1)
    tr = net.trace(X, Y, 0.01)
    kept = {l: W.copy() for l, W in tr.W.items()}
    old = net.theta
    net.apply(tr, 0.1)
    assert net.theta is not old and tr.theta is old
    for l in range(1, net.n_l):
        np.testing.assert_array_equal(tr.W[l], kept[l])
        np.testing.assert_array_equal(net.W[l - 1], kept[l] - 0.1 * tr.dW[l])  # eq. (7)


def test_a_trace_of_another_network_is_refused():
    X, Y = data()
    other = Network([3, 5, 2], activation="tanh", seed=1)
    net = Network(SIZES, activation="tanh", seed=1)
    before = net.theta.flat.copy()
    with pytest.raises(ValueError, match="sizes"):
        net.apply(other.trace(X, Y), 0.1)
    np.testing.assert_array_equal(net.theta.flat, before)


# -------------------------------------------------------------------- the trace
def test_a_traces_gradients_are_views_of_one_packed_buffer_laid_out_like_theta():
    X, Y = data()
    net = Network(SIZES, activation="tanh", seed=1)
    assert {f.name for f in fields(Trace)} >= {"grad", "theta"}
    for tr in (net.trace(X, Y, 0.01), net.trace(X, Y, 0.01).own()):
        assert set(vars(tr)) == {f.name for f in fields(Trace)}, "nothing set on a trace from outside"
        grad = tr.grad
        assert isinstance(grad, Packed) and grad.sizes == net.sizes
        parts = [tr.dW[l] for l in range(1, net.n_l)] + [tr.db[l] for l in range(1, net.n_l)]
        assert all(np.shares_memory(p, grad.flat) for p in parts)
        np.testing.assert_array_equal(np.concatenate([p.ravel() for p in parts]), grad.flat)
    tr = net.trace(X, Y, 0.01)
    owned = tr.own()
    assert not np.shares_memory(owned.grad.flat, tr.grad.flat) and owned.theta is tr.theta


def test_trace_W_and_b_are_keyed_by_l_like_every_other_field():
    X, Y = data()
    net = Network(SIZES, activation="tanh", seed=1)
    net.b = new_params(net)[1]
    tr = net.trace(X, Y)
    L = list(range(1, net.n_l))
    assert list(tr.W) == list(tr.b) == list(tr.dW) == list(tr.db) == L
    for l in L:
        assert tr.W[l].shape == (net.sizes[l], net.sizes[l - 1]) == tr.dW[l].shape  # W^(l): (s_{l+1}, s_l)
        np.testing.assert_array_equal(tr.W[l], net.W[l - 1])
        np.testing.assert_array_equal(tr.b[l], net.b[l - 1])
        # eq. (2) with the trace's own fields, all indexed by the same l
        np.testing.assert_allclose(tr.z[l + 1], tr.a[l] @ tr.W[l].T + tr.b[l], rtol=1e-14, atol=0)


# ---------------------------------------------------------------------- eq. (9)
def _gradients_block(net: Network, X, Y, lam: float) -> tuple[list, list]:
    """network.gradients called on its own, from a trace's a and δ, into fresh memory."""
    tr = net.trace(X, Y, lam)
    out = Arrays.empty(len(X), net.sizes)
    grad = network.gradients(tr.a, tr.delta, lam, net.theta, out)
    assert grad is out.grad
    L = range(1, net.n_l)
    return [grad.W[l] for l in L], [grad.b[l] for l in L]


@pytest.mark.parametrize("transposed", [False, True])
@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_the_eq_9_block_matches_central_differences(lam, transposed, monkeypatch):
    if transposed:
        monkeypatch.setattr(buffers, "TRANSPOSED_MIN_WORK", 0)  # every sum formed as ((A^(l))ᵀ Δ^(l+1))ᵀ
    X, Y = data(m=9, seed=2)
    net = Network(SIZES, activation="sigmoid", seed=4)
    net.b = new_params(net)[1]  # b ≠ 0, so a λ term on b would show
    dW, db = _gradients_block(net, X, Y, lam)
    check = gradient_check(net, X, Y, lam, gradients=(dW, db))
    assert check.passed and check.max_rel_error < 1e-7, [c.rel_error for c in check.layers]


def test_the_eq_9_block_is_the_mean_of_outer_products_plus_lambda_W_and_no_lambda_on_b():
    X, Y = data(m=7, seed=3)
    net = Network(SIZES, activation="tanh", seed=2)
    lam = 0.2
    tr = net.trace(X, Y, lam)
    dW, db = _gradients_block(net, X, Y, lam)
    for l in range(1, net.n_l):
        # δ^(l+1) (a^(l))ᵀ per example: entry (i, j) is δ_i a_j, eq. (13) as corrected
        outer = [np.outer(tr.delta[l + 1][k], tr.a[l][k]) for k in range(len(X))]
        np.testing.assert_allclose(dW[l - 1], np.mean(outer, axis=0) + lam * tr.W[l], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(db[l - 1], tr.delta[l + 1].mean(axis=0), rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(dW[l - 1], tr.dW[l])  # the trace's gradients are this block's
        np.testing.assert_array_equal(db[l - 1], tr.db[l])


def test_eq_9_is_written_once_in_network_py():
    source = Path(network.__file__).read_text(encoding="utf-8").splitlines()
    block, start = inspect.getsourcelines(network.gradients)
    inside = range(start, start + len(block))
    hits = [n for n, line in enumerate(source, start=1) if "eq. (9)" in line]
    assert hits and all(n in inside for n in hits), (hits, inside)
    text = "".join(block)
    assert "eq. (10)" in text and "eq. (13)" in text and "y^(k)" in text  # cited, with the errata
