"""The activation registry: each f together with its derivative f′.

One entry per activation, as TensorFlow Playground's ``nn.ts`` keeps them: the UI, the
gradient check and the tests all read this one table. ``f_prime`` receives both z and
a = f(z) because the forward pass already computed a, and for several activations the
derivative is cheapest in terms of a (sigmoid: a(1 − a), tanh: 1 − a²) — eq. (15) needs
f′(z^(l)) for every hidden layer, so this choice sits on the hot path of backprop.

Both also take an optional ``out``: given one, they write the same values into that array's
memory instead of into new arrays (ReLU's f′ as a 0/1 boolean array in its first bytes), so a
training loop can reuse its arrays from one update to the next (``Network._trace``). Called
without it, they are the plain formulas.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """f and f′ for one activation, plus how the UI writes it."""

    name: str
    label: str
    f: Callable[..., Array]  # (z, out=None) -> f(z); the identity returns z itself
    f_prime: Callable[..., Array]  # (z, a=f(z), out=None) -> f′(z)
    latex: str  # f(z) in LaTeX, for the equation panel
    saturates: bool = False  # sigmoid/tanh: units can saturate (f′ ≈ 0 at large |z|)
    dies: bool = False  # ReLU: a unit is "dead" when z ≤ 0 for every example
    low: float = 0.0  # the lower end of f's range, used to encode class "0" targets


LEAKY_SLOPE = 0.01


def _sigmoid(z: Array, out: Array | None = None) -> Array:
    # 1/(1 + e^{−z}) as written: e^{−z} overflows to inf for z < −709, and 1/(1 + inf) is exactly
    # the 0 the limit is, so the overflow is silenced, not avoided. np.exp costs about half of
    # np.tanh per element, and sigmoid layers spend a large share of a small network's update here.
    with np.errstate(over="ignore"):
        if out is None:
            return 1.0 / (1.0 + np.exp(-z))
        np.negative(z, out=out)
        np.exp(out, out=out)
        out += 1.0
        return np.reciprocal(out, out=out)


def _sigmoid_prime(z: Array, a: Array, out: Array | None = None) -> Array:
    if out is None:
        return a * (1.0 - a)
    np.subtract(1.0, a, out=out)
    out *= a
    return out


def _tanh_prime(z: Array, a: Array, out: Array | None = None) -> Array:
    if out is None:
        return 1.0 - a * a
    np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)


def _relu(z: Array, out: Array | None = None) -> Array:
    if out is None:
        return np.maximum(z, 0.0)
    # The same max(z, 0) against an array of zeros: NumPy vectorises that loop and not the one
    # with a scalar 0, so this is about twice as fast on the hot path.
    out.fill(0.0)
    return np.maximum(z, out, out=out)


def _relu_prime(z: Array, a: Array, out: Array | None = None) -> Array:
    # f′(0) is taken as 0, as scikit-learn does; a kink has no derivative to check anyway.
    if out is None:
        return (z > 0).astype(z.dtype)
    # Given out, f′ comes back as a 0/1 boolean array in the first eighth of out's memory: as
    # exact a factor in eq. (15), and an eighth of the bytes to write and read again.
    mask = out.reshape(-1).view(np.bool_)[: z.size].reshape(z.shape)
    return np.greater(z, 0.0, out=mask)


def _leaky_relu(z: Array, out: Array | None = None) -> Array:
    if out is None:
        return np.where(z > 0, z, LEAKY_SLOPE * z)
    np.multiply(LEAKY_SLOPE, z, out=out)
    np.copyto(out, z, where=z > 0)
    return out


def _leaky_relu_prime(z: Array, a: Array, out: Array | None = None) -> Array:
    if out is None:
        return np.where(z > 0, 1.0, LEAKY_SLOPE)
    out.fill(LEAKY_SLOPE)
    np.copyto(out, 1.0, where=z > 0)
    return out


def _elu(z: Array, out: Array | None = None) -> Array:
    # expm1 on min(z, 0) so that large positive z neither overflows nor warns.
    if out is None:
        return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))
    np.minimum(z, 0.0, out=out)
    np.expm1(out, out=out)
    np.copyto(out, z, where=z > 0)
    return out


def _elu_prime(z: Array, a: Array, out: Array | None = None) -> Array:
    if out is None:
        return np.where(z > 0, 1.0, a + 1.0)
    np.add(a, 1.0, out=out)
    np.copyto(out, 1.0, where=z > 0)
    return out


def _softplus(z: Array, out: Array | None = None) -> Array:
    return np.logaddexp(0.0, z, out=out)


def _softplus_prime(z: Array, a: Array, out: Array | None = None) -> Array:
    return _sigmoid(z, out=out)


def _linear(z: Array, out: Array | None = None) -> Array:
    return z  # nothing to compute, so out is not needed


def _linear_prime(z: Array, a: Array, out: Array | None = None) -> Array:
    if out is None:
        return np.ones_like(z)
    out.fill(1.0)
    return out


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("sigmoid", "Sigmoid", _sigmoid, _sigmoid_prime, r"\frac{1}{1+e^{-z}}", saturates=True),
        Activation("tanh", "Tanh", np.tanh, _tanh_prime, r"\tanh z", saturates=True, low=-1.0),
        Activation("relu", "ReLU", _relu, _relu_prime, r"\max(0, z)", dies=True),
        Activation(
            "leaky_relu", "Leaky ReLU", _leaky_relu, _leaky_relu_prime, r"\max(0.01z,\, z)", dies=False
        ),
        Activation("elu", "ELU", _elu, _elu_prime, r"z \text{ if } z>0 \text{ else } e^{z}-1"),
        Activation("softplus", "Softplus", _softplus, _softplus_prime, r"\ln(1+e^{z})"),
        Activation("linear", "Linear", _linear, _linear_prime, r"z"),
    )
}


def get_activation(name: str) -> Activation:
    """Look an activation up by name, with an error a user can act on."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        known = ", ".join(ACTIVATIONS)
        raise ValueError(f"Unknown activation {name!r}: choose one of {known}.") from None
