"""Bad arguments: a ValueError whose message tells the user what to change, and no side effects."""
from __future__ import annotations

import math

import numpy as np
import pytest

from playground import (
    ACTIVATIONS,
    INITIALIZERS,
    LOSSES,
    Network,
    get_activation,
    get_initializer,
    get_loss,
    gradient_check,
    minibatches,
    train_epoch,
)


def data(m=6, s_in=2, s_out=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, s_in)), rng.uniform(size=(m, s_out))


def snapshot(net):
    return [p.copy() for p in net.W + net.b]


def assert_unchanged(net, snap):
    assert all(np.array_equal(p, q) for p, q in zip(net.W + net.b, snap, strict=True)), "parameters changed"


def assert_lists_choices(message: str, choices) -> None:
    for name in choices:
        assert name in message, f"{name!r} missing from: {message}"


# ------------------------------------------------------------------- unknown names
@pytest.mark.parametrize(
    "kwargs",
    [
        {"activation": "sigmoidd"},
        {"activation": ["tanh", "swish"], "sizes": [2, 3, 3, 1]},
        {"output_activation": "gelu"},
    ],
)
def test_unknown_activation_lists_the_choices(kwargs):
    sizes = kwargs.pop("sizes", [2, 3, 1])
    with pytest.raises(ValueError, match="(?i)unknown activation") as info:
        Network(sizes, **kwargs)
    assert_lists_choices(str(info.value), ACTIVATIONS)


def test_unknown_activation_without_hidden_layers_is_caught():
    with pytest.raises(ValueError, match="(?i)unknown activation"):
        Network([2, 1], activation="nope")


def test_unknown_loss_lists_the_choices():
    with pytest.raises(ValueError, match="(?i)unknown loss") as info:
        Network([2, 3, 1], loss="hinge")
    assert_lists_choices(str(info.value), LOSSES)


def test_unknown_initializer_lists_the_choices():
    with pytest.raises(ValueError, match="(?i)unknown initializer") as info:
        Network([2, 3, 1], init="glorot_normal")
    assert_lists_choices(str(info.value), INITIALIZERS)


@pytest.mark.parametrize("getter, known", [(get_activation, ACTIVATIONS), (get_loss, LOSSES),
                                           (get_initializer, INITIALIZERS)])
@pytest.mark.parametrize("bad", ["", "Sigmoid ", None, 3])
def test_registry_getters_refuse_anything_else(getter, known, bad):
    with pytest.raises(ValueError, match="(?i)unknown") as info:
        getter(bad)
    assert_lists_choices(str(info.value), known)


# --------------------------------------------------------------------------- sizes
@pytest.mark.parametrize("sizes", [[2, 0, 1], [2, 3, -1], [0, 1]])
def test_layer_sizes_below_one_are_refused(sizes):
    with pytest.raises(ValueError, match="at least 1 neuron"):
        Network(sizes)


@pytest.mark.parametrize("sizes", [[3], []])
def test_too_few_layers_are_refused(sizes):
    with pytest.raises(ValueError, match="input and an output layer"):
        Network(sizes)


@pytest.mark.parametrize("sizes", [[2, 2.5, 1], [2, "three", 1], [2, None, 1], [2, float("nan"), 1], 3, "2,3,1"])
def test_non_integer_sizes_are_refused(sizes):
    with pytest.raises(ValueError, match="(?i)sizes"):
        Network(sizes)


def test_infinite_layer_size_is_refused_with_a_value_error():
    # int(float("inf")) raises OverflowError, which must not escape as such.
    with pytest.raises(ValueError, match="(?i)sizes"):
        Network([2, math.inf, 1])


def test_whole_number_floats_are_accepted_as_sizes():
    assert Network([2.0, 3.0, 1.0]).sizes == (2, 3, 1)


def test_wrong_number_of_per_layer_activations():
    with pytest.raises(ValueError, match="one activation per hidden layer") as info:
        Network([2, 3, 3, 1], activation=["tanh"])
    assert "2 needed" in str(info.value) and "1 given" in str(info.value)
    with pytest.raises(ValueError, match="one activation per hidden layer"):
        Network([2, 3, 1], activation=["tanh", "relu"])


def test_activation_list_without_hidden_layers():
    with pytest.raises(ValueError, match="(?i)no hidden layers"):
        Network([2, 1], activation=[])


# ------------------------------------------------------------------- output and loss
@pytest.mark.parametrize("sizes, out, needed", [([2, 3, 1], "tanh", "sigmoid"), ([2, 3, 3], "sigmoid", "softmax"),
                                                ([2, 3, 3], "linear", "softmax")])
def test_cross_entropy_with_an_incompatible_output_activation(sizes, out, needed):
    with pytest.raises(ValueError, match=f"needs a {needed} output") as info:
        Network(sizes, loss="cross_entropy", output_activation=out)
    assert "squared error" in str(info.value)


def test_softmax_output_needs_cross_entropy():
    with pytest.raises(ValueError, match="(?i)cross-entropy"):
        Network([2, 3, 3], loss="squared", output_activation="softmax")


# --------------------------------------------------------------------------- data
def _entry_points(net, X, Y):
    """Every public function that takes (X, Y), with otherwise valid arguments."""
    return {
        "cost": lambda: net.cost(X, Y, 0.1),
        "cost_and_gradients": lambda: net.cost_and_gradients(X, Y, 0.1),
        "trace": lambda: net.trace(X, Y, 0.1),
        "step": lambda: net.step(X, Y, 0.1, 0.1),
        "train_epoch": lambda: train_epoch(net, X, Y, 0.1, 0.1, batch_size=2, rng=np.random.default_rng(0)),
        "gradient_check": lambda: gradient_check(net, X, Y, 0.1),
    }


def _bad_data_cases():
    X, Y = data()
    X_nan = X.copy()
    X_nan[2, 1] = np.nan
    X_inf = X.copy()
    X_inf[0, 0] = -np.inf
    Y_inf = Y.copy()
    Y_inf[3, 0] = np.inf
    Y_nan = Y.copy()
    Y_nan[1, 0] = np.nan
    return {
        "Y_rows_mismatch": (X, Y[:4], "Y has shape"),
        "Y_width_mismatch": (X, np.hstack([Y, Y]), "Y has shape"),
        "X_wrong_width": (np.hstack([X, X]), Y, "input unit"),
        "X_one_dimensional": (X[:, 0], Y, "input unit"),
        "X_nan": (X_nan, Y, "NaN"),
        "X_inf": (X_inf, Y, "infinite"),
        "Y_inf": (X, Y_inf, "infinite"),
        "Y_nan": (X, Y_nan, "NaN"),
        "X_empty": (np.zeros((0, 2)), np.zeros((0, 1)), "no rows"),
        "X_text": ([["a", "b"]], [[1.0]], "numeric"),
        "Y_text": (X, [["x"]] * 6, "numeric"),
    }


@pytest.mark.parametrize("entry", ["cost", "cost_and_gradients", "trace", "step", "train_epoch", "gradient_check"])
@pytest.mark.parametrize("case", sorted(_bad_data_cases()))
def test_bad_data_is_refused_everywhere_and_changes_nothing(case, entry):
    X, Y, words = _bad_data_cases()[case]
    net = Network([2, 3, 1], activation="tanh", seed=0)
    before = snapshot(net)
    with pytest.raises(ValueError, match=words):
        _entry_points(net, X, Y)[entry]()
    assert_unchanged(net, before)


@pytest.mark.parametrize("where", ["X", "Y"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("act", ["relu", "sigmoid", "tanh", "linear"])
def test_step_finds_every_non_finite_entry_though_it_looks_only_when_the_update_is_refused(act, bad, where):
    """step() looks for NaN and inf in X and Y only when the update comes out non-finite, which
    any such entry makes it: this holds it to that, entry by entry, in the hard cases: a unit
    whose weights from that input are all zero (inf·0), ReLU units that are dead or see −inf,
    and a saturating f that maps ±inf to a finite a."""
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    net = Network([3, 4, 2], activation=act, output_activation="linear", seed=1)
    net.W[0][:, 1] = 0.0  # nothing flows from input 1: its inf meets only zero weights
    net.W[0][2] = -np.abs(net.W[0][2]) - 0.5  # unit 3 sees −inf from a +inf in inputs 0 and 2
    net.b[0][3] = -50.0  # unit 4 is a dead ReLU on these inputs (δ^(2) = 0 there)
    for k in range(X.shape[0] if where == "X" else Y.shape[0]):
        for j in range(3 if where == "X" else 2):
            Xb, Yb = X.copy(), Y.copy()
            (Xb if where == "X" else Yb)[k, j] = bad
            before = snapshot(net)
            with pytest.raises(ValueError, match=f"{where} contains") as info:
                net.step(Xb, Yb, 0.1, 0.01)
            assert info.value.__context__ is None  # not raised while handling a DivergenceError
            assert_unchanged(net, before)
    net.step(X, Y, 0.1, 0.01)  # and the clean data still trains


@pytest.mark.parametrize("X", [np.zeros((0, 2)), np.full((2, 2), np.nan), np.ones((3, 5))])
def test_predict_refuses_bad_X(X):
    with pytest.raises(ValueError, match="(?i)X"):
        Network([2, 3, 1]).predict(X)


def test_one_dimensional_data_is_accepted_for_one_input_and_one_output():
    net = Network([1, 3, 1], activation="tanh", seed=0)
    x = np.linspace(-1, 1, 5)
    _, dW_flat, _ = net.cost_and_gradients(x, x**2)
    _, dW_col, _ = net.cost_and_gradients(x[:, None], x[:, None] ** 2)
    np.testing.assert_array_equal(dW_flat[0], dW_col[0])


# ------------------------------------------------------------------------ λ and α
BAD_LAMBDAS = [-0.1, -1e-12, math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("entry", ["cost", "cost_and_gradients", "trace", "step", "train_epoch", "gradient_check"])
@pytest.mark.parametrize("lam", BAD_LAMBDAS)
def test_bad_lambda_is_refused_everywhere_and_changes_nothing(lam, entry):
    X, Y = data()
    net = Network([2, 3, 1], activation="tanh", seed=0)
    before = snapshot(net)
    calls = {
        "cost": lambda: net.cost(X, Y, lam),
        "cost_and_gradients": lambda: net.cost_and_gradients(X, Y, lam),
        "trace": lambda: net.trace(X, Y, lam),
        "step": lambda: net.step(X, Y, 0.1, lam),
        "train_epoch": lambda: train_epoch(net, X, Y, 0.1, lam, batch_size=2, rng=np.random.default_rng(0)),
        "gradient_check": lambda: gradient_check(net, X, Y, lam),
    }
    with pytest.raises(ValueError, match="weight decay λ") as info:
        calls[entry]()
    assert "≥ 0" in str(info.value)
    assert_unchanged(net, before)


@pytest.mark.parametrize("lam", [-0.1, math.nan])
def test_gradient_check_with_supplied_gradients_and_bad_lambda_leaves_the_network(lam):
    # With gradients= given, gradient_check perturbs W before the first net.cost validates λ.
    X, Y = data()
    net = Network([2, 3, 1], activation="tanh", seed=0)
    _, dW, db = net.cost_and_gradients(X, Y, 0.0)
    before = snapshot(net)
    with pytest.raises(ValueError, match="weight decay λ"):
        gradient_check(net, X, Y, lam, gradients=(dW, db))
    assert_unchanged(net, before)


@pytest.mark.parametrize("entry", ["step", "apply", "train_epoch"])
@pytest.mark.parametrize("alpha", [0.0, -0.5, math.nan, math.inf])
def test_bad_learning_rate_is_refused_and_changes_nothing(alpha, entry):
    X, Y = data()
    net = Network([2, 3, 1], activation="tanh", seed=0)
    before = snapshot(net)
    calls = {
        "step": lambda: net.step(X, Y, alpha),
        "apply": lambda: net.apply(net.trace(X, Y), alpha),
        "train_epoch": lambda: train_epoch(net, X, Y, alpha, batch_size=2, rng=np.random.default_rng(0)),
    }
    with pytest.raises(ValueError, match="learning rate α") as info:
        calls[entry]()
    assert "> 0" in str(info.value)
    assert_unchanged(net, before)


# ---------------------------------------------------------------------- batch size
@pytest.mark.parametrize("batch_size", [0, -3, 2.5, True, "4"])
def test_bad_batch_size_is_refused(batch_size):
    X, Y = data()
    net = Network([2, 3, 1], activation="tanh", seed=0)
    before = snapshot(net)
    with pytest.raises(ValueError, match="batch size"):
        list(minibatches(6, batch_size, np.random.default_rng(0)))
    with pytest.raises(ValueError, match="batch size"):
        train_epoch(net, X, Y, 0.1, batch_size=batch_size, rng=np.random.default_rng(0))
    assert_unchanged(net, before)


@pytest.mark.parametrize("batch_size", [math.nan, math.inf])
def test_non_finite_batch_size_is_refused_with_an_actionable_value_error(batch_size):
    # int(nan) raises "cannot convert float NaN to integer"; int(inf) raises OverflowError.
    with pytest.raises(ValueError, match="batch size"):
        list(minibatches(6, batch_size, np.random.default_rng(0)))


@pytest.mark.parametrize("batch_size", [2.0, np.int64(2)])
def test_whole_number_batch_sizes_of_other_types_are_accepted(batch_size):
    batches = list(minibatches(6, batch_size, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [2, 2, 2]
