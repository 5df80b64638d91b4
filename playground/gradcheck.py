"""Numerical gradient check: central differences against backprop, per layer.

For each checked parameter θ, (J(θ+ε) − J(θ−ε)) / 2ε approximates ∂J/∂θ with an error of
order ε² (docs/derivation.md, "Beyond the text"). In float64 with ε = 1e-5 a correct backprop agrees
to a relative error of about 1e-8 or better; a wrong one is off by order 1.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .network import Network, check_lam

DEFAULT_EPS = 1e-5
PASS_TOLERANCE = 1e-6


@dataclass(frozen=True)
class LayerCheck:
    """The check of W^(l) and b^(l) for one l. Each entry: (kind, i, j, backprop, numerical)."""

    l: int
    entries: tuple[tuple[str, int, int, float, float], ...]
    rel_error: float  # ‖g_backprop − g_numerical‖ / (‖g_backprop‖ + ‖g_numerical‖) over the entries
    n_total: int  # parameters in this layer, checked or not


@dataclass(frozen=True)
class GradCheck:
    layers: tuple[LayerCheck, ...]
    eps: float
    tolerance: float

    @property
    def max_rel_error(self) -> float:
        return max(c.rel_error for c in self.layers)

    @property
    def passed(self) -> bool:
        return self.max_rel_error <= self.tolerance


def relative_error(g: np.ndarray, g_num: np.ndarray) -> float:
    denom = np.linalg.norm(g) + np.linalg.norm(g_num)
    return 0.0 if denom == 0 else float(np.linalg.norm(g - g_num) / denom)


def gradient_check(
    net: Network,
    X,
    Y,
    lam: float = 0.0,
    *,
    eps: float = DEFAULT_EPS,
    max_per_layer: int | None = None,
    rng: np.random.Generator | None = None,
    progress: Callable[[float], None] | None = None,
    gradients: tuple[list[np.ndarray], list[np.ndarray]] | None = None,
    tolerance: float = PASS_TOLERANCE,
) -> GradCheck:
    """Compare backprop's ∂J/∂W^(l), ∂J/∂b^(l) (eqs. 9-10) with central differences.

    Every parameter is checked unless a layer has more than ``max_per_layer``; then a seeded
    sample of that many is (rng defaults to seed 0). ``gradients`` lets a caller check
    gradients other than the network's own — how the tests prove a broken gradient is caught.
    ``progress`` is called with the fraction done. The network is left exactly as it was.
    """
    X, Y = net.check_XY(X, Y)
    lam = check_lam(lam)
    rng = rng if rng is not None else np.random.default_rng(0)
    if gradients is None:
        _, dW, db = net.cost_and_gradients(X, Y, lam)
    else:
        dW, db = gradients
    plan = []
    for k in range(net.n_l - 1):
        idx = [("W", i, j) for i in range(net.W[k].shape[0]) for j in range(net.W[k].shape[1])]
        idx += [("b", i, 0) for i in range(net.b[k].shape[0])]
        n_total = len(idx)
        if max_per_layer is not None and n_total > max_per_layer:
            pick = np.sort(rng.choice(n_total, size=max_per_layer, replace=False))
            idx = [idx[p] for p in pick]
        plan.append((k, idx, n_total))
    done, todo = 0, sum(len(idx) for _, idx, _ in plan)
    layers = []
    for k, idx, n_total in plan:
        entries = []
        for kind, i, j in idx:
            param = net.W[k] if kind == "W" else net.b[k]
            pos = (i, j) if kind == "W" else (i,)
            saved = param[pos]
            try:
                param[pos] = saved + eps
                J_plus = net.cost(X, Y, lam)
                param[pos] = saved - eps
                J_minus = net.cost(X, Y, lam)
            finally:
                param[pos] = saved  # restore the exact original value, whatever happened
            g = dW[k][i, j] if kind == "W" else db[k][i]
            entries.append((kind, i, j, float(g), (J_plus - J_minus) / (2 * eps)))
            done += 1
            if progress is not None and done % 50 == 0:
                progress(done / todo)
        bp = np.array([e[3] for e in entries])
        num = np.array([e[4] for e in entries])
        layers.append(LayerCheck(k + 1, tuple(entries), relative_error(bp, num), n_total))
    if progress is not None:
        progress(1.0)
    return GradCheck(tuple(layers), eps, tolerance)
