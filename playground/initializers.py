"""The initializer registry: how W^(l) starts. Biases b^(l) always start at zero.

Every initializer draws from the caller's ``np.random.Generator``, so one seed fixes the
whole starting point. W^(l) has shape (s_{l+1}, s_l): fan_out = s_{l+1}, fan_in = s_l.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Initializer:
    name: str
    label: str
    draw: Callable[[np.random.Generator, int, int], np.ndarray]  # (rng, fan_out, fan_in) -> W


def _small_normal(rng: np.random.Generator, fan_out: int, fan_in: int) -> np.ndarray:
    # UFLDL: "a small random value near zero, say Normal(0, ε²) with ε = 0.01", to break symmetry.
    return rng.normal(0.0, 0.01, size=(fan_out, fan_in))


def _xavier(rng: np.random.Generator, fan_out: int, fan_in: int) -> np.ndarray:
    # Glorot & Bengio (2010), uniform form: keeps the variance of z about equal layer to layer.
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_out, fan_in))


def _he(rng: np.random.Generator, fan_out: int, fan_in: int) -> np.ndarray:
    # He et al. (2015): variance 2/fan_in compensates for ReLU zeroing half of its inputs.
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))


INITIALIZERS: dict[str, Initializer] = {
    init.name: init
    for init in (
        Initializer("xavier", "Xavier/Glorot (uniform)", _xavier),
        Initializer("he", "He (normal)", _he),
        Initializer("small_normal", "Small normal N(0, 0.01²) (UFLDL)", _small_normal),
    )
}


def get_initializer(name: str) -> Initializer:
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown initializer {name!r}: choose one of {', '.join(INITIALIZERS)}.") from None
