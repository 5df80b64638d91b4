"""The loss registry: the per-example cost J(W,b;x,y) and the output error term δ^(n_l).

``squared`` is the text's cost, eq. (5): J = ½‖a^(n_l) − y‖², so ∂J/∂a^(n_l) = a^(n_l) − y
(eq. 17) and δ^(n_l) = (a^(n_l) − y) ∘ f′(z^(n_l)) (eqs. 15, 17).

``cross_entropy`` goes beyond the text (docs/derivation.md, "Beyond the text"). It fixes the output
activation: a sigmoid for one output unit, a softmax for several. For exactly those pairs the
f′ factor cancels against ∂J/∂a and δ^(n_l) reduces to a^(n_l) − y (for softmax when each row
of targets sums to 1, as one-hot targets do; otherwise it is a·Σy − y, which the code uses). That is why the output
activation belongs to the loss here rather than being free: with any other output f the
reduction would not hold. J is computed from z^(n_l) (log-sum-exp form), so it stays finite
where log(a) would underflow.

Squared error with a sigmoid output does *not* reduce to a − y: its δ keeps the factor
a(1 − a), which is what makes saturated outputs learn slowly.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS, Activation, get_activation

Array = np.ndarray


def _softmax(z: Array, out: Array | None = None) -> Array:
    if out is None:
        e = np.exp(z - z.max(axis=1, keepdims=True))  # shift by the row max: exp cannot overflow
        return e / e.sum(axis=1, keepdims=True)
    np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def _softmax_prime(z: Array, a: Array, out: Array | None = None) -> Array:
    raise NotImplementedError("softmax is only used with cross-entropy, whose δ^(n_l) is a − y")


SOFTMAX = Activation("softmax", "Softmax", _softmax, _softmax_prime, r"\frac{e^{z_i}}{\sum_j e^{z_j}}")


@dataclass(frozen=True)
class Loss:
    """One cost: J per example, and δ^(n_l) for the whole batch."""

    name: str
    label: str
    latex: str
    per_example: Callable[[Array, Array, Array], Array]  # (z_out, a_out, Y) -> (m,)
    output_delta: Callable[[Array, Array, Array, Activation], Array]  # (z, a, Y, f) -> (m, s_{n_l})
    delta_latex: str


def _squared(z: Array, a: Array, Y: Array) -> Array:
    r = a - Y
    return 0.5 * np.einsum("ij,ij->i", r, r)  # eq. (5), one value per example


def _squared_delta(z: Array, a: Array, Y: Array, f: Activation) -> Array:
    d = a - Y  # eq. (17)
    if f.name != "linear":
        d *= f.f_prime(z, a)  # eq. (15); skipped for linear, whose f′ is 1
    return d


def _cross_entropy(z: Array, a: Array, Y: Array) -> Array:
    if z.shape[1] == 1:
        # −[y ln σ(z) + (1−y) ln(1−σ(z))] = softplus(z) − y·z
        return (np.logaddexp(0.0, z) - Y * z)[:, 0]
    # −Σ_i y_i ln softmax(z)_i = logsumexp(z)·Σ_i y_i − Σ_i y_i z_i
    zmax = z.max(axis=1, keepdims=True)
    lse = (zmax + np.log(np.exp(z - zmax).sum(axis=1, keepdims=True)))[:, 0]
    return lse * Y.sum(axis=1) - np.einsum("ij,ij->i", Y, z)


def _cross_entropy_delta(z: Array, a: Array, Y: Array, f: Activation) -> Array:
    if z.shape[1] == 1:
        return a - Y  # sigmoid: f′ cancels, δ^(n_l) = a^(n_l) − y for any target y
    # softmax: δ = a·Σ_i y_i − y, which is a − y for the usual targets that sum to 1 (one-hot)
    s = Y.sum(axis=1, keepdims=True)
    return a * s - Y


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "squared", "Squared error (eq. 5)", r"\tfrac12\,\lVert h_{W,b}(x)-y\rVert^2",
            _squared, _squared_delta,
            r"\delta^{(n_l)} = \left(a^{(n_l)} - y\right) \circ f'\!\left(z^{(n_l)}\right)",
        ),
        Loss(
            "cross_entropy", "Cross-entropy", r"-\sum_i y_i \ln h_i(x)",
            _cross_entropy, _cross_entropy_delta,
            r"\delta^{(n_l)} = a^{(n_l)} - y",
        ),
    )
}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown loss {name!r}: choose one of {', '.join(LOSSES)}.") from None


def output_activation_for(loss: Loss, s_out: int, requested: str | None, hidden: Activation) -> Activation:
    """The f applied at the output layer, given the loss.

    Squared error: the requested f, or — as eq. (4) has it — the hidden layers' f when None.
    Cross-entropy: sigmoid for one output unit, softmax for several; asking for anything
    else is refused, because δ^(n_l) = a − y would then be wrong.
    """
    if loss.name == "cross_entropy":
        wanted = "sigmoid" if s_out == 1 else "softmax"
        if requested not in (None, wanted):
            raise ValueError(
                f"Cross-entropy with {s_out} output unit(s) needs a {wanted} output, not {requested!r}: "
                "leave the output activation unset or use squared error."
            )
        return ACTIVATIONS["sigmoid"] if s_out == 1 else SOFTMAX
    if requested is None:
        return hidden
    if requested == "softmax":
        raise ValueError("A softmax output needs the cross-entropy loss.")
    return get_activation(requested)
