"""Backprop's gradients against an independent central difference, and f′ against f.

The oracle here shares nothing with the library's forward pass: ``reference_cost`` evaluates
J(W,b) of eq. (6) one example at a time, in plain Python floats, with textbook formulas for
f, softmax and the losses. Its central difference (J(θ+ε) − J(θ−ε)) / 2ε, taken for every
entry of every W^(l) and b^(l), must agree with ``cost_and_gradients`` (eqs. 9-10) to a
relative error of 1e-7 per layer.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from playground import ACTIVATIONS, Network, buffers, gradient_check

EPS = 1e-5  # central-difference step, float64
TOL = 1e-7  # required relative error per layer
KINK_MARGIN = 1e-3  # keep every z of a kinked f this far from 0, so θ ± ε never crosses the kink
KINKED = {"relu", "leaky_relu", "elu"}  # elu: f′ is continuous at 0 but f″ jumps, enough to spoil 1e-7

# f(z) as textbooks write it, for one float. Every registry entry must appear here.
TEXTBOOK = {
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "tanh": lambda z: (math.exp(z) - math.exp(-z)) / (math.exp(z) + math.exp(-z)),
    "relu": lambda z: z if z > 0 else 0.0,
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
    "elu": lambda z: z if z > 0 else math.exp(z) - 1.0,
    "softplus": lambda z: math.log(1.0 + math.exp(z)),
    "linear": lambda z: z,
}
NAMES = sorted(ACTIVATIONS)
LOSS_NAMES = ["squared", "cross_entropy"]


# ------------------------------------------------------------------ the oracle
def expected_f_names(sizes, activation, output_activation, loss) -> list[str]:
    """The f of layers 2..n_l that the issue's contract prescribes (eq. (4) for the default)."""
    n_hidden = len(sizes) - 2
    hidden = [activation] * n_hidden if isinstance(activation, str) else list(activation)
    if loss == "cross_entropy":
        out = "sigmoid" if sizes[-1] == 1 else "softmax"
    elif output_activation is None:
        out = hidden[-1] if hidden else activation
    else:
        out = output_activation
    return hidden + [out]


def _softmax(z: list[float]) -> list[float]:
    top = max(z)
    e = [math.exp(v - top) for v in z]
    s = sum(e)
    return [v / s for v in e]


def reference_cost(Ws, bs, f_names, loss, X, Y, lam) -> tuple[float, float]:
    """J(W,b) of eq. (6) from nested lists, and the smallest |z| seen at a kinked f.

    Ws[k][i][j] is W^(k+1)_ij; one example at a time, eq. (1) as a double sum.
    """
    total, margin = 0.0, math.inf
    for x, y in zip(X, Y, strict=True):
        a = list(x)  # a^(1) = x
        for W, b, name in zip(Ws, bs, f_names, strict=True):
            z = [sum(W[i][j] * a[j] for j in range(len(a))) + b[i] for i in range(len(b))]  # eq. (1)
            if name in KINKED:
                margin = min(margin, min(abs(v) for v in z))
            a = _softmax(z) if name == "softmax" else [TEXTBOOK[name](v) for v in z]  # eq. (3)
        if loss == "squared":
            total += 0.5 * sum((ai - yi) ** 2 for ai, yi in zip(a, y, strict=True))  # eq. (5)
        elif len(a) == 1:
            total += -(y[0] * math.log(a[0]) + (1.0 - y[0]) * math.log(1.0 - a[0]))
        else:
            total += -sum(yi * math.log(ai) for ai, yi in zip(a, y, strict=True))
    decay = 0.5 * lam * sum(w * w for W in Ws for row in W for w in row)  # second term of eq. (6)
    return total / len(X) + decay, margin


def reference_gradients(Ws, bs, f_names, loss, X, Y, lam) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Central differences of reference_cost for every entry of every W^(l) and b^(l)."""

    def J() -> float:
        return reference_cost(Ws, bs, f_names, loss, X, Y, lam)[0]

    def central(container, i) -> float:
        saved = container[i]
        container[i] = saved + EPS
        J_plus = J()
        container[i] = saved - EPS
        J_minus = J()
        container[i] = saved
        return (J_plus - J_minus) / (2 * EPS)

    dW = [np.array([[central(row, j) for j in range(len(row))] for row in W]) for W in Ws]
    db = [np.array([central(b, i) for i in range(len(b))]) for b in bs]
    return dW, db


def rel_error(g: np.ndarray, g_num: np.ndarray) -> float:
    denom = np.linalg.norm(g) + np.linalg.norm(g_num)
    return 0.0 if denom == 0 else float(np.linalg.norm(g - g_num) / denom)


def make_case(sizes, activation, output_activation, loss, seed, m=5):
    """A network with random nonzero biases, and data whose kinked z all keep KINK_MARGIN from 0."""
    net = Network(sizes, activation=activation, output_activation=output_activation, loss=loss, seed=seed)
    f_names = expected_f_names(sizes, activation, output_activation, loss)
    assert [net.f[l].name for l in range(2, len(sizes) + 1)] == f_names
    rng = np.random.default_rng(seed + 1000)
    net.b = [rng.normal(0.0, 0.5, size=b.shape) for b in net.b]  # b ≠ 0, so decay wrongly on b would show
    for _ in range(50):
        X = rng.normal(size=(m, sizes[0]))
        if loss == "squared":
            Y = rng.uniform(-1.0, 1.0, size=(m, sizes[-1]))
        elif sizes[-1] == 1:
            Y = rng.integers(0, 2, size=(m, 1)).astype(float)
        else:
            Y = rng.dirichlet(np.ones(sizes[-1]), size=m)  # each row a distribution over the classes
        Ws, bs = [W.tolist() for W in net.W], [b.tolist() for b in net.b]
        if reference_cost(Ws, bs, f_names, loss, X.tolist(), Y.tolist(), 0.0)[1] > KINK_MARGIN:
            return net, f_names, X, Y
    raise AssertionError("no data keeps the kinked z away from 0; the test setup needs another seed")


def assert_backprop_matches_reference(net, f_names, loss, X, Y, lam):
    Ws, bs = [W.tolist() for W in net.W], [b.tolist() for b in net.b]
    J_ref, _ = reference_cost(Ws, bs, f_names, loss, X.tolist(), Y.tolist(), lam)
    dW_ref, db_ref = reference_gradients(Ws, bs, f_names, loss, X.tolist(), Y.tolist(), lam)
    W_before = [W.copy() for W in net.W]

    J, dW, db = net.cost_and_gradients(X, Y, lam)

    assert J == pytest.approx(J_ref, rel=1e-12, abs=1e-14)  # eq. (6)
    assert net.cost(X, Y, lam) == pytest.approx(J_ref, rel=1e-12, abs=1e-14)
    assert len(dW) == len(db) == len(net.sizes) - 1
    for k in range(len(dW)):
        assert dW[k].shape == net.W[k].shape and db[k].shape == net.b[k].shape
        g = np.concatenate([dW[k].ravel(), db[k]])
        g_num = np.concatenate([dW_ref[k].ravel(), db_ref[k]])
        err = rel_error(g, g_num)
        assert err <= TOL, f"layer l={k + 1}: relative error {err:.2e} (dW {dW[k]} vs {dW_ref[k]})"
        # Each half on its own too, so a small W^(l) cannot hide a wrong b^(l) or the reverse.
        assert rel_error(dW[k], dW_ref[k]) <= TOL
        assert rel_error(db[k], db_ref[k]) <= TOL
    # The check is not vacuous: some gradient is clearly nonzero.
    assert max(np.abs(g).max() for g in dW_ref + db_ref) > 1e-3
    assert all(np.array_equal(a, b) for a, b in zip(W_before, net.W, strict=True))


# --------------------------------------------- every activation × loss × λ × shape
def _other(name: str) -> str:
    return NAMES[(NAMES.index(name) + 1) % len(NAMES)]


SHAPES = {
    "no_hidden": ([3, 1], lambda act: act),
    "one_hidden": ([2, 4, 1], lambda act: act),
    "two_hidden_multi_out": ([3, 5, 4, 3], lambda act: act),
    "list_first": ([3, 4, 3, 2], lambda act: [act, _other(act)]),
    "list_last": ([2, 3, 4, 1], lambda act: [_other(act), act]),
}


@pytest.mark.parametrize("lam", [0.0, 0.3])
@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("act", NAMES)
def test_backprop_matches_central_difference(act, shape, loss, lam):
    sizes, activation = SHAPES[shape]
    seed = NAMES.index(act) * 7 + sorted(SHAPES).index(shape)
    net, f_names, X, Y = make_case(sizes, activation(act), None, loss, seed)
    assert_backprop_matches_reference(net, f_names, loss, X, Y, lam)


@pytest.mark.parametrize("hidden, out", [("relu", "linear"), ("tanh", "sigmoid"), ("softplus", "elu")])
def test_backprop_with_a_different_output_activation(hidden, out):
    net, f_names, X, Y = make_case([2, 4, 2], hidden, out, "squared", seed=3)
    assert f_names == [hidden, out]
    assert_backprop_matches_reference(net, f_names, "squared", X, Y, 0.3)


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("act", ["sigmoid", "relu", "softplus"])
def test_backprop_matches_central_difference_with_the_sums_formed_transposed(act, loss, monkeypatch):
    """Eq. (9)'s sum over k formed as ((A^(l))ᵀ Δ^(l+1))ᵀ (buffers.sum_transposed): here on every
    layer, where by default only large batches take that path, and through step() as well."""
    monkeypatch.setattr(buffers, "TRANSPOSED_MIN_WORK", 0)
    net, f_names, X, Y = make_case([3, 5, 4, 3], act, None, loss, seed=11)
    assert all(buffers.sum_transposed(len(X), net.sizes[k], net.sizes[k + 1]) for k in range(3))
    assert_backprop_matches_reference(net, f_names, loss, X, Y, 0.3)
    twin = net.copy()
    twin.apply(twin.trace(X, Y, 0.3), 0.1)  # the trace() path, into new arrays
    net.step(X, Y, 0.1, 0.3)  # the step() path, into the network's scratch arrays
    assert all(np.array_equal(p, q) for p, q in zip(net.W + net.b, twin.W + twin.b, strict=True))


def test_both_forms_of_the_sum_give_the_same_gradients_at_benchmark_size(monkeypatch):
    """At the benchmark's [64, 32, 16, 10] × 1797 every layer's sum is formed transposed; with
    the transposed form switched off the gradients agree to rounding (the sums' order may differ)."""
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(1797, 64)), rng.normal(size=(1797, 10))
    net = Network([64, 32, 16, 10], activation="relu", output_activation="linear", seed=4)
    assert all(buffers.sum_transposed(1797, net.sizes[k], net.sizes[k + 1]) for k in range(3))
    J, dW, db = net.cost_and_gradients(X, Y, 0.01)
    monkeypatch.setattr(buffers, "TRANSPOSED_MAX_W", 0)
    J_direct, dW_direct, db_direct = net.copy().cost_and_gradients(X, Y, 0.01)
    assert J == J_direct
    for k in range(3):
        np.testing.assert_allclose(dW[k], dW_direct[k], rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(db[k], db_direct[k])  # eq. (10) takes no part in this


@st.composite
def network_cases(draw):
    n_hidden = draw(st.integers(0, 2))
    sizes = [draw(st.integers(1, 4))] + [draw(st.integers(1, 5)) for _ in range(n_hidden + 1)]
    hidden = [draw(st.sampled_from(NAMES)) for _ in range(n_hidden)]
    as_list = n_hidden > 0 and draw(st.booleans())
    activation = hidden if as_list else (hidden[0] if hidden else draw(st.sampled_from(NAMES)))
    if not as_list:
        hidden = [activation] * n_hidden
    loss = draw(st.sampled_from(LOSS_NAMES))
    output_activation = None if loss == "cross_entropy" else draw(st.none() | st.sampled_from(NAMES))
    lam = draw(st.sampled_from([0.0, 0.3]) | st.floats(0.0, 2.0))
    seed = draw(st.integers(0, 2**16))
    m = draw(st.integers(1, 6))
    return sizes, activation, output_activation, loss, lam, seed, m


@settings(max_examples=25, deadline=None)
@given(network_cases())
def test_backprop_matches_central_difference_random_networks(case):
    sizes, activation, output_activation, loss, lam, seed, m = case
    net = Network(sizes, activation=activation, output_activation=output_activation, loss=loss, seed=seed)
    f_names = expected_f_names(sizes, activation, output_activation, loss)
    assert [net.f[l].name for l in range(2, len(sizes) + 1)] == f_names
    rng = np.random.default_rng(seed)
    net.b = [rng.normal(0.0, 0.5, size=b.shape) for b in net.b]
    X = rng.normal(size=(m, sizes[0]))
    if loss == "squared":
        Y = rng.uniform(-1.0, 1.0, size=(m, sizes[-1]))
    elif sizes[-1] == 1:
        Y = rng.uniform(0.0, 1.0, size=(m, 1))
    else:
        Y = rng.dirichlet(np.ones(sizes[-1]), size=m)
    Ws, bs = [W.tolist() for W in net.W], [b.tolist() for b in net.b]
    J_ref, margin = reference_cost(Ws, bs, f_names, loss, X.tolist(), Y.tolist(), lam)
    assume(margin > KINK_MARGIN)  # a kink within ε of some z has no derivative to compare
    dW_ref, db_ref = reference_gradients(Ws, bs, f_names, loss, X.tolist(), Y.tolist(), lam)

    J, dW, db = net.cost_and_gradients(X, Y, lam)

    assert J == pytest.approx(J_ref, rel=1e-12, abs=1e-14)
    for k in range(len(dW)):
        g = np.concatenate([dW[k].ravel(), db[k]])
        g_num = np.concatenate([dW_ref[k].ravel(), db_ref[k]])
        # A floor on the denominator: a layer whose gradient is ~1e-9 (a saturated or dead
        # unit) is held to an absolute error of 1e-13 per unit of norm instead.
        err = np.linalg.norm(g - g_num) / max(np.linalg.norm(g) + np.linalg.norm(g_num), 1e-6)
        assert err <= TOL, f"layer l={k + 1}: relative error {err:.2e}"


def test_softmax_cross_entropy_gradient_when_targets_do_not_sum_to_one():
    """δ^(n_l) = a − y holds for softmax only when each target row sums to 1.

    J = −Σ_i y_i ln a_i is accepted for any finite y, and its gradient in z is a·Σ_i y_i − y.
    So the core must either refuse such targets or return that gradient — not a silent mismatch.
    """
    net, f_names, X, _ = make_case([2, 3, 3], "tanh", None, "cross_entropy", seed=11)
    Y = np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 0.0], [0.5, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 1.0]])
    try:
        net.cost_and_gradients(X, Y, 0.0)
    except ValueError as err:
        assert "sum" in str(err) or "one-hot" in str(err), str(err)
        return
    assert_backprop_matches_reference(net, f_names, "cross_entropy", X, Y, 0.0)


# ------------------------------------------------------------------------- f and f′
@pytest.mark.parametrize("name", NAMES)
def test_f_prime_matches_central_difference_of_f(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-6.0, 6.0, 241)
    z = z[np.abs(z) > 1e-2]  # relu, leaky_relu and elu have a kink at 0
    h = 1e-6
    numerical = (act.f(z + h) - act.f(z - h)) / (2 * h)
    np.testing.assert_allclose(act.f_prime(z, act.f(z)), numerical, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("name", NAMES)
def test_f_matches_its_textbook_formula(name):
    z = [-3.0, -0.5, 0.0, 0.7, 2.5]
    expected = [TEXTBOOK[name](v) for v in z]
    np.testing.assert_allclose(ACTIVATIONS[name].f(np.array(z)), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_f_and_f_prime_stay_finite_and_silent_at_large_z(name):
    act = ACTIVATIONS[name]
    z = np.array([-1e3, -50.0, 50.0, 1e3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act.f(z)
        d = act.f_prime(z, a)
    assert np.isfinite(a).all() and np.isfinite(d).all()
    assert a.shape == d.shape == z.shape


def test_textbook_table_covers_the_registry():
    assert set(TEXTBOOK) == set(ACTIVATIONS)


# ---------------------------------------------------------- the gradient checker itself
GC_CASES = [
    ([3, 5, 4, 3], "tanh", "squared"),
    ([2, 4, 1], "sigmoid", "cross_entropy"),
    ([3, 5, 4, 3], "softplus", "cross_entropy"),
    ([2, 3, 2], "relu", "squared"),
]


@pytest.mark.parametrize("sizes, act, loss", GC_CASES)
def test_gradient_check_passes_a_correct_network_and_leaves_it_untouched(sizes, act, loss):
    net, f_names, X, Y = make_case(sizes, act, None, loss, seed=5)
    W0, b0 = [W.copy() for W in net.W], [b.copy() for b in net.b]

    gc = gradient_check(net, X, Y, 0.3)

    assert gc.max_rel_error <= TOL and gc.passed
    assert [c.l for c in gc.layers] == list(range(1, len(sizes)))
    for k, c in enumerate(gc.layers):
        assert c.n_total == net.W[k].size + net.b[k].size == len(c.entries)
    assert all(np.array_equal(a, b) for a, b in zip(W0, net.W, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(b0, net.b, strict=True))


def test_gradient_check_numerical_column_agrees_with_the_independent_reference():
    net, f_names, X, Y = make_case([3, 5, 4, 3], "tanh", None, "squared", seed=6)
    Ws, bs = [W.tolist() for W in net.W], [b.tolist() for b in net.b]
    dW_ref, db_ref = reference_gradients(Ws, bs, f_names, "squared", X.tolist(), Y.tolist(), 0.3)
    _, dW, db = net.cost_and_gradients(X, Y, 0.3)
    gc = gradient_check(net, X, Y, 0.3)
    for k, c in enumerate(gc.layers):
        for kind, i, j, backprop, numerical in c.entries:
            ref, own = (dW_ref[k][i, j], dW[k][i, j]) if kind == "W" else (db_ref[k][i], db[k][i])
            assert numerical == pytest.approx(ref, abs=1e-9)
            assert backprop == own


def _broken_one_entry(net, X, Y, lam):
    _, dW, db = net.cost_and_gradients(X, Y, lam)
    dW = [g.copy() for g in dW]
    dW[1][0, 1] += 1e-3
    return dW, db


def _broken_no_decay_on_W(net, X, Y, lam):
    _, dW, db = net.cost_and_gradients(X, Y, 0.0)  # eq. (9) without its λW
    return dW, db


def _broken_decay_on_b(net, X, Y, lam):
    _, dW, db = net.cost_and_gradients(X, Y, lam)
    return dW, [g + lam * b for g, b in zip(db, net.b, strict=True)]  # eq. (10) has no λ term


def _broken_bias_gradient_off_by_one_layer(net, X, Y, lam):
    # An index slip between the text's l and Python's k: ∂J/∂b^(1) filled from δ^(3) instead of δ^(2).
    _, dW, db = net.cost_and_gradients(X, Y, lam)
    db = [g.copy() for g in db]
    db[0][: db[1].size] = db[1][: db[0].size]
    return dW, db


@pytest.mark.parametrize(
    "breaker, bad_layers",
    [
        (_broken_one_entry, {2}),
        (_broken_no_decay_on_W, {1, 2, 3}),
        (_broken_decay_on_b, {1, 2, 3}),
        (_broken_bias_gradient_off_by_one_layer, {1}),
    ],
)
def test_gradient_check_flags_a_broken_gradient(breaker, bad_layers):
    lam = 0.3
    net, _, X, Y = make_case([3, 5, 4, 3], "tanh", None, "squared", seed=7)
    gradients = breaker(net, X, Y, lam)

    gc = gradient_check(net, X, Y, lam, gradients=gradients)

    assert not gc.passed
    assert gc.max_rel_error > 1e-5
    for c in gc.layers:
        if c.l in bad_layers:
            assert c.rel_error > 1e-5, f"layer {c.l} not flagged"
        else:
            assert c.rel_error <= TOL, f"layer {c.l} flagged although its gradient is right"


def test_gradient_check_samples_at_most_max_per_layer_reproducibly():
    net, _, X, Y = make_case([3, 5, 4, 3], "tanh", None, "squared", seed=8)
    gc1 = gradient_check(net, X, Y, 0.1, max_per_layer=6, rng=np.random.default_rng(4))
    gc2 = gradient_check(net, X, Y, 0.1, max_per_layer=6, rng=np.random.default_rng(4))
    for k, c in enumerate(gc1.layers):
        assert c.n_total == net.W[k].size + net.b[k].size
        picked = [(kind, i, j) for kind, i, j, _, _ in c.entries]
        assert len(picked) == min(6, c.n_total) == len(set(picked))
    assert gc1 == gc2
    assert gc1.passed and gc1.max_rel_error <= TOL
