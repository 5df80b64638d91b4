"""Hand-worked examples: every number of one forward pass, backward pass and update, by hand.

The expected values are computed from scalars with ``math.exp``, one equation at a time, and
the arithmetic is written out in the comments so a reader can redo it on paper. The library
must agree to 1e-12.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from playground import Network

TOL = 1e-12


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# The 2-2-1 sigmoid network, squared error (eq. 5), λ = 0.1, α = 0.5:
#   W^(1) = [[0.1, -0.2],   b^(1) = [0.1, -0.1]      W^(2) = [[0.5, -0.6]]   b^(2) = [0.2]
#            [0.4,  0.3]]
#   x = [0.5, -1.0],  y = 1.0
W1 = [[0.1, -0.2], [0.4, 0.3]]
B1 = [0.1, -0.1]
W2 = [[0.5, -0.6]]
B2 = [0.2]
LAM, ALPHA = 0.1, 0.5


def hand_221(x: list[float], y: float) -> dict[str, float]:
    """One example through the 2-2-1 network, by hand; per-example gradients without λ."""
    h = {}
    # eq. (1): z^(2)_i = Σ_j W^(1)_ij x_j + b^(1)_i
    h["z2_1"] = W1[0][0] * x[0] + W1[0][1] * x[1] + B1[0]
    h["z2_2"] = W1[1][0] * x[0] + W1[1][1] * x[1] + B1[1]
    # eq. (3): a^(2)_i = σ(z^(2)_i) = 1 / (1 + e^{−z})
    h["a2_1"] = sigmoid(h["z2_1"])
    h["a2_2"] = sigmoid(h["z2_2"])
    # eqs. (1), (4): z^(3) = Σ_j W^(2)_1j a^(2)_j + b^(2),  a^(3) = σ(z^(3))
    h["z3"] = W2[0][0] * h["a2_1"] + W2[0][1] * h["a2_2"] + B2[0]
    h["a3"] = sigmoid(h["z3"])
    # eq. (5): J(W,b;x,y) = ½ (a^(3) − y)²
    h["J"] = 0.5 * (h["a3"] - y) ** 2
    # eqs. (15), (17): δ^(3) = (a^(3) − y) · σ′(z^(3)),  σ′ = a(1 − a)
    h["d3"] = (h["a3"] - y) * h["a3"] * (1.0 - h["a3"])
    # eqs. (15), (18): δ^(2)_i = W^(2)_1i δ^(3) · a^(2)_i (1 − a^(2)_i)
    h["d2_1"] = W2[0][0] * h["d3"] * h["a2_1"] * (1.0 - h["a2_1"])
    h["d2_2"] = W2[0][1] * h["d3"] * h["a2_2"] * (1.0 - h["a2_2"])
    # eqs. (11)-(13), corrected: ∂J/∂W^(l)_ij = δ^(l+1)_i a^(l)_j,  ∂J/∂b^(l)_i = δ^(l+1)_i
    for i in (1, 2):
        h[f"gW2_1{i}"] = h["d3"] * h[f"a2_{i}"]
        for j in (1, 2):
            h[f"gW1_{i}{j}"] = h[f"d2_{i}"] * x[j - 1]
        h[f"gb1_{i}"] = h[f"d2_{i}"]
    h["gb2"] = h["d3"]
    return h


def test_hand_worked_2_2_1_sigmoid_forward_backward_and_update():
    x, y = [0.5, -1.0], 1.0
    h = hand_221(x, y)
    # The arithmetic, to 15 digits:
    #   z^(2)_1 = 0.1·0.5 + (−0.2)·(−1.0) + 0.1 = 0.35
    #   z^(2)_2 = 0.4·0.5 + 0.3·(−1.0) − 0.1   = −0.2
    #   a^(2)_1 = 1/(1 + e^{−0.35}) = 0.586617578917330
    #   a^(2)_2 = 1/(1 + e^{0.2})   = 0.450166002687522
    #   z^(3)   = 0.5·0.586617578917330 − 0.6·0.450166002687522 + 0.2 = 0.223209187846152
    #   a^(3)   = 1/(1 + e^{−0.223209187846152}) = 0.555571762047550
    #   J(W,b;x,y) = ½ (0.555571762047550 − 1)² = 0.0987582293447598
    #   Σ W² = 0.01 + 0.04 + 0.16 + 0.09 + 0.25 + 0.36 = 0.91;  (λ/2) Σ W² = 0.05·0.91 = 0.0455
    #   J(W,b) = 0.0987582293447598 + 0.0455 = 0.144258229344760                          eq. (6)
    #   δ^(3)   = (0.555571762047550 − 1) · 0.555571762047550 · 0.444428237952450 = −0.109734566987528
    #   δ^(2)_1 = 0.5 · (−0.109734566987528) · 0.586617578917330 · 0.413382421082670 = −0.0133051733191988
    #   δ^(2)_2 = −0.6 · (−0.109734566987528) · 0.450166002687522 · 0.549833997312478 = 0.0162966743572638
    #   ∂J/∂W^(2) = δ^(3) a^(2)ᵀ + λW^(2)                                                  eq. (9)
    #            = [−0.109734566987528·0.586617578917330 + 0.1·0.5,
    #               −0.109734566987528·0.450166002687522 + 0.1·(−0.6)]
    #            = [−0.0143722260097655, −0.109398771377422]
    #   ∂J/∂W^(1) = δ^(2) xᵀ + λW^(1)
    #            = [[−0.0133051733191988·0.5 + 0.01,  −0.0133051733191988·(−1) − 0.02],
    #               [ 0.0162966743572638·0.5 + 0.04,   0.0162966743572638·(−1) + 0.03]]
    #            = [[0.00334741334040058, −0.00669482668080116],
    #               [0.0481483371786319,   0.0137033256427362]]
    #   ∂J/∂b^(2) = δ^(3) = −0.109734566987528;  ∂J/∂b^(1) = δ^(2) (no λ term, eq. 10)
    #   After one step, α = 0.5 (eqs. 7-8):
    #   W^(2) ← [0.5 + 0.5·0.0143722260097655, −0.6 + 0.5·0.109398771377422] = [0.507186113004883, −0.545300614311289]
    #   b^(2) ← 0.2 + 0.5·0.109734566987528 = 0.254867283493764
    #   W^(1) ← [[0.0983262933297997, −0.196652586659599], [0.375925831410684, 0.293148337178632]]
    #   b^(1) ← [0.1 + 0.5·0.0133051733191988, −0.1 − 0.5·0.0162966743572638] = [0.106652586659599, −0.108148337178632]
    decay = 0.5 * LAM * sum(w * w for row in W1 + W2 for w in row)
    J = h["J"] + decay
    gW2 = [h["gW2_11"] + LAM * W2[0][0], h["gW2_12"] + LAM * W2[0][1]]
    gW1 = [[h[f"gW1_{i}{j}"] + LAM * W1[i - 1][j - 1] for j in (1, 2)] for i in (1, 2)]
    gb1, gb2 = [h["gb1_1"], h["gb1_2"]], [h["gb2"]]
    W2_new = [[W2[0][j] - ALPHA * gW2[j] for j in (0, 1)]]
    b2_new = [B2[0] - ALPHA * gb2[0]]
    W1_new = [[W1[i][j] - ALPHA * gW1[i][j] for j in (0, 1)] for i in (0, 1)]
    b1_new = [B1[i] - ALPHA * gb1[i] for i in (0, 1)]

    # The hand numbers are the ones quoted above (guards against a slip in the formulas).
    quoted = {
        "z2_1": 0.35, "z2_2": -0.2, "a2_1": 0.586617578917330, "a2_2": 0.450166002687522,
        "z3": 0.223209187846152, "a3": 0.555571762047550, "J": 0.0987582293447598,
        "d3": -0.109734566987528, "d2_1": -0.0133051733191988, "d2_2": 0.0162966743572638,
    }
    for key, value in quoted.items():
        assert h[key] == pytest.approx(value, abs=1e-14), key
    assert decay == pytest.approx(0.0455, abs=1e-15)
    assert J == pytest.approx(0.144258229344760, abs=1e-14)
    assert gW2 == pytest.approx([-0.0143722260097655, -0.109398771377422], abs=1e-14)
    assert gW1[0] == pytest.approx([0.00334741334040058, -0.00669482668080116], abs=1e-14)
    assert gW1[1] == pytest.approx([0.0481483371786319, 0.0137033256427362], abs=1e-14)
    assert W2_new[0] == pytest.approx([0.507186113004883, -0.545300614311289], abs=1e-14)
    assert b2_new == pytest.approx([0.254867283493764], abs=1e-14)
    assert W1_new[0] == pytest.approx([0.0983262933297997, -0.196652586659599], abs=1e-14)
    assert W1_new[1] == pytest.approx([0.375925831410684, 0.293148337178632], abs=1e-14)
    assert b1_new == pytest.approx([0.106652586659599, -0.108148337178632], abs=1e-14)

    net = _net_221()
    X, Y = np.array([x]), np.array([[y]])
    tr = net.trace(X, Y, LAM)
    close = dict(rtol=0, atol=TOL)
    np.testing.assert_allclose(tr.a[1], X, **close)
    np.testing.assert_allclose(tr.z[2], [[h["z2_1"], h["z2_2"]]], **close)
    np.testing.assert_allclose(tr.a[2], [[h["a2_1"], h["a2_2"]]], **close)
    np.testing.assert_allclose(tr.z[3], [[h["z3"]]], **close)
    np.testing.assert_allclose(tr.a[3], [[h["a3"]]], **close)
    np.testing.assert_allclose(tr.per_example, [h["J"]], **close)
    assert tr.J_data == pytest.approx(h["J"], abs=TOL)
    assert tr.J_decay == pytest.approx(decay, abs=TOL)
    assert tr.J == pytest.approx(J, abs=TOL)
    np.testing.assert_allclose(tr.delta[3], [[h["d3"]]], **close)
    np.testing.assert_allclose(tr.delta[2], [[h["d2_1"], h["d2_2"]]], **close)
    np.testing.assert_allclose(tr.dW[2], [gW2], **close)
    np.testing.assert_allclose(tr.dW[1], gW1, **close)
    np.testing.assert_allclose(tr.db[2], gb2, **close)
    np.testing.assert_allclose(tr.db[1], gb1, **close)

    J_cg, dW, db = net.cost_and_gradients(X, Y, LAM)
    assert J_cg == pytest.approx(J, abs=TOL)
    np.testing.assert_allclose(dW[0], gW1, **close)
    np.testing.assert_allclose(dW[1], [gW2], **close)
    np.testing.assert_allclose(db[0], gb1, **close)
    np.testing.assert_allclose(db[1], gb2, **close)

    J_before = net.step(X, Y, ALPHA, LAM)
    assert J_before == pytest.approx(J, abs=TOL)  # step returns J before the update
    np.testing.assert_allclose(net.W[0], W1_new, **close)
    np.testing.assert_allclose(net.b[0], b1_new, **close)
    np.testing.assert_allclose(net.W[1], W2_new, **close)
    np.testing.assert_allclose(net.b[1], b2_new, **close)


def _net_221() -> Network:
    net = Network([2, 2, 1], activation="sigmoid", output_activation=None, loss="squared", seed=0)
    net.W = [np.array(W1), np.array(W2)]
    net.b = [np.array(B1), np.array(B2)]
    return net


def test_hand_worked_2_2_1_two_examples_average_per_example_gradients():
    """Eqs. (6), (9), (10) over m = 2: the mean of the per-example terms, λ added once."""
    xs, ys = [[0.5, -1.0], [-1.0, 0.25]], [1.0, 0.0]
    h1, h2 = (hand_221(x, y) for x, y in zip(xs, ys, strict=True))
    mean = {key: 0.5 * (h1[key] + h2[key]) for key in h1}
    J = mean["J"] + 0.5 * LAM * sum(w * w for row in W1 + W2 for w in row)
    gW1 = [[mean[f"gW1_{i}{j}"] + LAM * W1[i - 1][j - 1] for j in (1, 2)] for i in (1, 2)]
    gW2 = [[mean["gW2_11"] + LAM * W2[0][0], mean["gW2_12"] + LAM * W2[0][1]]]

    net = _net_221()
    J_lib, dW, db = net.cost_and_gradients(np.array(xs), np.array(ys), LAM)

    assert J_lib == pytest.approx(J, abs=TOL)
    np.testing.assert_allclose(dW[0], gW1, rtol=0, atol=TOL)
    np.testing.assert_allclose(dW[1], gW2, rtol=0, atol=TOL)
    np.testing.assert_allclose(db[0], [mean["gb1_1"], mean["gb1_2"]], rtol=0, atol=TOL)
    np.testing.assert_allclose(db[1], [mean["gb2"]], rtol=0, atol=TOL)


# --------------------------------------------------------------- cross-entropy outputs
def softmax_ce(z: list[float], y: list[float]) -> float:
    """−Σ_i y_i ln a_i with a = softmax(z), by hand."""
    e = [math.exp(v) for v in z]
    s = sum(e)
    return -sum(yi * math.log(ei / s) for ei, yi in zip(e, y, strict=True))


def test_hand_worked_softmax_cross_entropy_output_delta_is_a_minus_y():
    # [2, 3] network, softmax output. W = [[0.2, −0.3], [0.5, 0.1], [−0.4, 0.6]], b = [0.1, 0, −0.2]
    W = [[0.2, -0.3], [0.5, 0.1], [-0.4, 0.6]]
    b = [0.1, 0.0, -0.2]
    x, y = [1.0, 2.0], [0.0, 1.0, 0.0]
    #   z = W x + b = [0.2 − 0.6 + 0.1, 0.5 + 0.2 + 0, −0.4 + 1.2 − 0.2] = [−0.3, 0.7, 0.6]
    z = [sum(W[i][j] * x[j] for j in range(2)) + b[i] for i in range(3)]
    assert z == pytest.approx([-0.3, 0.7, 0.6], abs=1e-15)
    #   a_i = e^{z_i} / Σ_j e^{z_j}
    #   Σ_j e^{z_j} = 0.740818220681718 + 2.01375270747048 + 1.82211880039051 = 4.57668972854270
    e = [math.exp(v) for v in z]
    a = [v / sum(e) for v in e]
    assert a == pytest.approx([0.161867695784920, 0.440002016066685, 0.398130288148396], abs=1e-14)
    #   J = −ln a_2 = −ln 0.440002016066685 = 0.820975970110590
    J = -math.log(a[1])
    assert J == pytest.approx(0.820975970110590, abs=1e-14)
    #   δ^(n_l) = a − y = [0.161867695784920, −0.559997983933315, 0.398130288148396]
    delta = [ai - yi for ai, yi in zip(a, y, strict=True)]
    # … and that is ∂J/∂z, checked by a central difference of the hand-written J in each z_i.
    eps = 1e-6
    for i in range(3):
        zp, zm = list(z), list(z)
        zp[i] += eps
        zm[i] -= eps
        assert (softmax_ce(zp, y) - softmax_ce(zm, y)) / (2 * eps) == pytest.approx(delta[i], abs=1e-9)

    net = Network([2, 3], activation="tanh", loss="cross_entropy", seed=0)
    net.W, net.b = [np.array(W)], [np.array(b)]
    tr = net.trace(np.array([x]), np.array([y]), 0.0)
    np.testing.assert_allclose(tr.z[2], [z], rtol=0, atol=TOL)
    np.testing.assert_allclose(tr.a[2], [a], rtol=0, atol=TOL)
    assert tr.J == pytest.approx(J, abs=TOL)
    np.testing.assert_allclose(tr.delta[2], [delta], rtol=0, atol=TOL)
    # ∂J/∂W^(1) = δ xᵀ, ∂J/∂b^(1) = δ
    np.testing.assert_allclose(tr.dW[1], [[d * xj for xj in x] for d in delta], rtol=0, atol=TOL)
    np.testing.assert_allclose(tr.db[1], delta, rtol=0, atol=TOL)


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_hand_worked_sigmoid_cross_entropy_output_delta_is_a_minus_y(y):
    # [2, 1] network, sigmoid output: z = 0.7·1.5 − 0.4·(−0.5) − 0.1 = 1.15
    W, b, x = [[0.7, -0.4]], [-0.1], [1.5, -0.5]
    z = W[0][0] * x[0] + W[0][1] * x[1] + b[0]
    assert z == pytest.approx(1.15, abs=1e-15)
    a = sigmoid(z)  # 0.759510916949111

    def ce(zz: float) -> float:  # −[y ln σ(z) + (1 − y) ln(1 − σ(z))]
        return -(y * math.log(sigmoid(zz)) + (1.0 - y) * math.log(1.0 - sigmoid(zz)))

    numerical = (ce(z + 1e-6) - ce(z - 1e-6)) / 2e-6
    assert numerical == pytest.approx(a - y, abs=1e-9)

    net = Network([2, 1], activation="tanh", loss="cross_entropy", seed=0)
    net.W, net.b = [np.array(W)], [np.array(b)]
    tr = net.trace(np.array([x]), np.array([[y]]), 0.0)
    np.testing.assert_allclose(tr.a[2], [[a]], rtol=0, atol=TOL)
    assert tr.J == pytest.approx(ce(z), abs=TOL)
    np.testing.assert_allclose(tr.delta[2], [[a - y]], rtol=0, atol=TOL)
