"""The activation registry: each f together with its derivative f′.

One entry per activation, as TensorFlow Playground's ``nn.ts`` keeps them: the UI, the
gradient check and the tests all read this one table. ``f_prime`` receives both z and
a = f(z) because the forward pass already computed a, and for several activations the
derivative is cheapest in terms of a (sigmoid: a(1 − a), tanh: 1 − a²) — eq. (15) needs
f′(z^(l)) for every hidden layer, so this choice sits on the hot path of backprop.
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
    f: Callable[[Array], Array]
    f_prime: Callable[[Array, Array], Array]  # (z, a=f(z)) -> f′(z)
    latex: str  # f(z) in LaTeX, for the equation panel
    saturates: bool = False  # sigmoid/tanh: units can saturate (f′ ≈ 0 at large |z|)
    dies: bool = False  # ReLU: a unit is "dead" when z ≤ 0 for every example
    low: float = 0.0  # the lower end of f's range, used to encode class "0" targets


LEAKY_SLOPE = 0.01


def _sigmoid(z: Array) -> Array:
    # 0.5·(1 + tanh(z/2)) equals 1/(1 + e^{−z}) and never overflows for large |z|.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _sigmoid_prime(z: Array, a: Array) -> Array:
    return a * (1.0 - a)


def _tanh_prime(z: Array, a: Array) -> Array:
    return 1.0 - a * a


def _relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def _relu_prime(z: Array, a: Array) -> Array:
    # f′(0) is taken as 0, as scikit-learn does; a kink has no derivative to check anyway.
    return (z > 0).astype(z.dtype)


def _leaky_relu(z: Array) -> Array:
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leaky_relu_prime(z: Array, a: Array) -> Array:
    return np.where(z > 0, 1.0, LEAKY_SLOPE)


def _elu(z: Array) -> Array:
    # expm1 on min(z, 0) so that large positive z neither overflows nor warns.
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))


def _elu_prime(z: Array, a: Array) -> Array:
    return np.where(z > 0, 1.0, a + 1.0)


def _softplus(z: Array) -> Array:
    return np.logaddexp(0.0, z)


def _softplus_prime(z: Array, a: Array) -> Array:
    return _sigmoid(z)


def _linear(z: Array) -> Array:
    return z


def _linear_prime(z: Array, a: Array) -> Array:
    return np.ones_like(z)


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
