"""The instruments: numbers that say whether backprop is healthy, computed from a Trace.

Everything here reads what one forward and backward pass already produced (:class:`Trace`) — no
second pass — and returns plain numbers for the figures in ``playground.figures.diagnostics``:

- per weight layer W^(l): the size of the error terms feeding it, of its gradient, of the weights,
  and of one update relative to the weights; the share of saturated or dead units it feeds;
- a one-line :func:`hint` when those numbers say the gradients vanish or explode;
- the first-order prediction of how much one update lowers J, to set against the measured change;
- one weight's gradient taken apart into its per-example terms, eqs. (9), (11)-(13).

Layers are the text's: ``stats[l]`` describes W^(l), which maps layer l to layer l+1, so its error
term is δ^(l+1) and its units are those of layer l+1. Array indices i, j are NumPy's (from 0);
labels shown to the learner count from 1, as the text does.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from .activations import Activation
from .history import MAX_ROWS, ThinnedRows
from .network import Network, Trace
from .notation import sub, sup

SATURATION = 0.01  # a unit is saturated where f′(z) < 1% of f′'s peak
VANISH_RATIO = 1e-3  # ‖∂J/∂W^(1)‖ below this × ‖∂J/∂W^(n_l−1)‖: the input side barely learns
EXPLODE_RATIO = 1e2  # ‖∂J/∂W^(1)‖ above this × ‖∂J/∂W^(n_l−1)‖: gradients grow towards the input
MIN_UPDATE_RATIO = 1e-5  # α‖∂J/∂W‖/‖W‖ below this: W^(l) does not move
MAX_UPDATE_RATIO = 1.0  # above this, one update changes W^(l) by more than its own size


# ------------------------------------------------------------------ per-layer statistics
@dataclass(frozen=True)
class LayerStats:
    """Health of W^(l). NaN marks a number that does not apply (see :func:`layer_stats`)."""

    delta_norm: float  # ‖δ^(l+1)‖_F / √m: the root-mean-square over examples of ‖δ^(l+1,k)‖
    grad_norm: float  # ‖∂J/∂W^(l)‖_F, eq. (9), weight-decay term included
    weight_norm: float  # ‖W^(l)‖_F
    update_ratio: float  # α‖∂J/∂W^(l)‖ / ‖W^(l)‖: the relative size of one update, eq. (7)
    saturated: float  # share of (example, unit) pairs of layer l+1 with f′(z) < 1% of its peak
    dead: float  # share of units of layer l+1 with z ≤ 0 for every example


STATS = tuple(f.name for f in fields(LayerStats))


def layer_stats(net: Network, trace: Trace, alpha: float) -> dict[int, LayerStats]:
    """:class:`LayerStats` for every weight layer l = 1 … n_l−1 of ``trace``.

    delta_norm divides the Frobenius norm over the batch by √m, so it measures a typical example's
    δ and does not grow with the batch size. update_ratio is NaN when ‖W^(l)‖ = 0.
    saturated applies to hidden layers with a saturating f (sigmoid, tanh): there a unit is
    saturated for an example where f′(z) < 1% of f′'s peak — |z| > 5.99 for sigmoid
    (a < 0.0025 or a > 0.9975), |z| > 2.99 for tanh (|a| > 0.995). The output layer is left out:
    a saturated output unit is usually a confident, correct prediction, and with cross-entropy its
    f′ cancels from δ^(n_l) anyway. dead applies to every layer whose f dies (ReLU), the output
    included: a dead output unit passes no δ back at all.
    """
    stats = {}
    n_l = trace.n_l
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for l in range(1, n_l):
            f: Activation = net.f[l + 1]
            z, a, delta = trace.z[l + 1], trace.a[l + 1], trace.delta[l + 1]  # (m, s_{l+1})
            grad_norm = float(np.linalg.norm(trace.dW[l]))
            weight_norm = float(np.linalg.norm(trace.W[l]))
            saturated = dead = math.nan
            if f.saturates and l + 1 < n_l:
                saturated = float((f.f_prime(z, a) < SATURATION * _peak_slope(f)).mean())
            if f.dies:
                dead = float((z <= 0).all(axis=0).mean())
            stats[l] = LayerStats(
                delta_norm=float(np.linalg.norm(delta)) / math.sqrt(trace.m),
                grad_norm=grad_norm,
                weight_norm=weight_norm,
                update_ratio=alpha * grad_norm / weight_norm if weight_norm > 0 else math.nan,
                saturated=saturated,
                dead=dead,
            )
    return stats


def _peak_slope(f: Activation) -> float:
    """max f′, at z = 0 for the saturating activations (sigmoid 0.25, tanh 1)."""
    z = np.zeros(1)
    return float(f.f_prime(z, f.f(z))[0])


# -------------------------------------------------------------------------------- the hint
def hint(stats: Mapping[int, LayerStats], activations: Sequence[Activation | str]) -> str | None:
    """One line naming a vanishing or exploding gradient, with the numbers that show it; None if healthy.

    activations: the hidden layers' f, names or :class:`Activation` objects (see
    :func:`hidden_activations`); they only pick the likely cause. Exploding is checked first.
    """
    L = sorted(stats)
    if not L:
        return None
    first, last = L[0], L[-1]
    g1, gL = stats[first].grad_norm, stats[last].grad_norm
    ratio = g1 / gL if gL > 0 and np.isfinite(g1) and np.isfinite(gL) else math.nan
    updates = {l: stats[l].update_ratio for l in L if np.isfinite(stats[l].update_ratio)}
    grads = f"‖∂J/∂W{sup(first)}‖ = {g1:.2g} is {ratio:.2g}× ‖∂J/∂W{sup(last)}‖ = {gL:.2g}"

    if updates and max(updates.values()) > MAX_UPDATE_RATIO:
        l = max(updates, key=updates.get)
        return (
            f"Exploding updates: α‖∂J/∂W{sup(l)}‖/‖W{sup(l)}‖ = {updates[l]:.2g} > {MAX_UPDATE_RATIO:g} — one "
            f"step changes W{sup(l)} by more than its own size; lower α."
        )
    if len(L) > 1 and ratio > EXPLODE_RATIO:
        return (
            f"Exploding gradients: {grads} — large weights multiply δ at every layer back, eq. (18); "
            "lower α, or use Xavier init or weight decay λ > 0."
        )
    if len(L) > 1 and ratio < VANISH_RATIO:
        return f"Vanishing gradients: {grads} — {_vanishing_cause(stats, activations)}."
    if updates and min(updates.values()) < MIN_UPDATE_RATIO:
        l = min(updates, key=updates.get)
        return (
            f"Vanishing updates: α‖∂J/∂W{sup(l)}‖/‖W{sup(l)}‖ = {updates[l]:.2g} < {MIN_UPDATE_RATIO:g} — "
            f"W{sup(l)} barely moves; {_vanishing_cause(stats, activations, updates_only=True)}."
        )
    return None


def _vanishing_cause(
    stats: Mapping[int, LayerStats], activations: Sequence[Activation | str], updates_only: bool = False
) -> str:
    """The likely cause and its remedy, read from the statistics first and the activations second.

    updates_only: the gradients keep their size from layer to layer, only the updates are tiny; then,
    short of saturated or dead units, α is small or training has converged.
    """
    for l, s in stats.items():
        if s.saturated > 0.5:
            return (
                f"{s.saturated:.0%} of layer {l + 1}'s units are saturated (f′ ≈ 0); "
                "try tanh/ReLU or He/Xavier init"
            )
        if s.dead > 0.5:
            return (
                f"{s.dead:.0%} of layer {l + 1}'s ReLU units are dead (z ≤ 0 for every example); "
                "try leaky ReLU, a smaller α or another seed"
            )
    if updates_only:
        return "raise α, unless J has already converged"
    if "sigmoid" in _names(activations):
        return "sigmoid's f′ ≤ 0.25 shrinks δ at every layer back, eq. (18); try tanh/ReLU or He/Xavier init"
    return "small weights shrink δ at every layer back, eq. (18); try He/Xavier init"


def _names(activations: Sequence[Activation | str]) -> list[str]:
    return [getattr(f, "name", f) for f in activations]


# --------------------------------------------------------------------------------- history
class DiagnosticsColumns(NamedTuple):
    epochs: np.ndarray  # (n,)
    series: dict[str, dict[int, np.ndarray]]  # stat -> l -> (n,)
    dJ_predicted: np.ndarray  # (n,), NaN where not recorded
    dJ_measured: np.ndarray


class DiagnosticsHistory:
    """Per-layer statistics over the epochs, bounded and thinned like the training history
    (:class:`playground.history.ThinnedRows`); the latest row is always shown."""

    def __init__(self, max_rows: int = MAX_ROWS):
        self.layers: tuple[int, ...] | None = None
        self._rows = ThinnedRows(max_rows)  # epoch, ΔJ predicted, ΔJ measured, then STATS layer by layer

    @property
    def stride(self) -> int:
        return self._rows.stride

    @property
    def rows(self) -> list[np.ndarray]:
        return self._rows.rows

    def record(
        self, epoch: int, stats: Mapping[int, LayerStats], *, dJ_predicted: float = math.nan,
        dJ_measured: float = math.nan,
    ) -> None:
        layers = tuple(sorted(stats))
        if self.layers is None:
            self.layers = layers
        elif layers != self.layers:
            raise ValueError(f"These statistics are for layers {layers}; this history holds {self.layers}.")
        self._rows.add(np.array(
            [epoch, dJ_predicted, dJ_measured] + [getattr(stats[l], s) for l in layers for s in STATS],
            dtype=np.float64,
        ))

    def columns(self) -> DiagnosticsColumns:
        layers = self.layers or ()
        arr = self._rows.array(3 + len(layers) * len(STATS))
        series = {
            s: {l: arr[:, 3 + a * len(STATS) + b] for a, l in enumerate(layers)} for b, s in enumerate(STATS)
        }
        return DiagnosticsColumns(arr[:, 0], series, arr[:, 1], arr[:, 2])

    def __len__(self) -> int:
        return len(self._rows)


# ------------------------------------------------------------------- predicted change of J
def predicted_delta_J(trace: Trace, alpha: float) -> float:
    """ΔJ ≈ −α‖∇J‖², the first-order change of J under the update of eqs. (7)-(8).

    ‖∇J‖² sums the squares of every ∂J/∂W^(l) (weight decay included, eq. 9) and ∂J/∂b^(l) (eq. 10).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        sq = sum(float(np.vdot(trace.dW[l], trace.dW[l]) + np.vdot(trace.db[l], trace.db[l])) for l in trace.dW)
    return -alpha * sq


def delta_J_ratio(predicted: float, measured: float) -> float:
    """measured / predicted: ≈ 1 while α is small enough for the first-order picture; NaN if undefined."""
    if not (np.isfinite(predicted) and np.isfinite(measured)) or predicted == 0:
        return math.nan
    return measured / predicted


# ------------------------------------------------------------------ one weight, taken apart
@dataclass(frozen=True)
class EdgeDrill:
    """∂J/∂W^(l)_ij of eq. (9) as its parts: (1/m) Σ_k δ_i^(l+1,k) a_j^(l,k) + λ W^(l)_ij.

    Each per-example term is eq. (11) with (13) corrected: ∂J/∂z_i^(l+1) · ∂z_i^(l+1)/∂W_ij^(l)
    = δ_i^(l+1) · a_j^(l).
    """

    l: int
    i: int  # row of W^(l): neuron i+1 of layer l+1 in the text's counting
    j: int  # column of W^(l): neuron j+1 of layer l
    contributions: np.ndarray  # (m,): δ_i^(l+1,k) · a_j^(l,k)
    delta: np.ndarray  # (m,): δ_i^(l+1,k)
    a: np.ndarray  # (m,): a_j^(l,k)
    mean: float  # the bracket of eq. (9)
    decay_term: float  # λ W^(l)_ij
    total: float  # mean + λW_ij = ∂J/∂W^(l)_ij

    @property
    def label(self) -> str:
        return weight_label(self.l, self.i, self.j)

    def update(self, alpha: float) -> float:
        """The change eq. (7) makes to W^(l)_ij: −α ∂J/∂W^(l)_ij."""
        return -alpha * self.total


def edge_contributions(trace: Trace, l: int, i: int, j: int) -> EdgeDrill:
    """∂J/∂W^(l)_ij of ``trace`` taken apart; i, j index W^(l) = trace.W[l] from 0."""
    if not 1 <= l < trace.n_l:
        raise ValueError(f"W^(l) exists for l = 1 … {trace.n_l - 1}; got l = {l}.")
    W = trace.W[l]
    if not (0 <= i < W.shape[0] and 0 <= j < W.shape[1]):
        raise ValueError(f"W^({l}) has shape {W.shape}; entry ({i}, {j}) is outside it.")
    delta, a = trace.delta[l + 1][:, i], trace.a[l][:, j]  # (m,) each
    with np.errstate(over="ignore", invalid="ignore"):
        contributions = delta * a
        mean = float(contributions.mean())
        decay = float(trace.lam * W[i, j])
    return EdgeDrill(l, i, j, contributions, delta.copy(), a.copy(), mean, decay, mean + decay)


def weight_label(l: int, i: int, j: int | None = None) -> str:
    """W⁽ˡ⁾ᵢⱼ (or b⁽ˡ⁾ᵢ when j is None) from 0-based array indices, counted from 1 as the text does."""
    if j is None:
        return f"b{sup(l)}{sub(i + 1)}"
    sep = "," if i + 1 >= 10 or j + 1 >= 10 else ""
    return f"W{sup(l)}{sub(i + 1)}{sep}{sub(j + 1)}"


def hidden_activations(net: Network) -> Sequence[Activation]:
    """The f of layers 2 … n_l−1, in order: what :func:`hint` wants as ``activations``."""
    return [net.f[l] for l in range(2, net.n_l)]
