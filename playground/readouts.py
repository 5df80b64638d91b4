"""Readouts: what is read off a run without changing it.

The metric (accuracy or R²) and the predicted classes, the prediction h(x) of eq. (4) over the
input plane, and which training examples the δ heatmaps show as columns. Each is a function of a
run's data, network and output range and nothing else, so none of it is part of the Run, which
keeps training state only.

The Run records the metric every epoch, so this module sits below it and does not import it: a run
here is anything with the attributes of :class:`Readable`.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Protocol

import numpy as np

from .data import Dataset
from .network import Network

GRID = 64  # prediction-surface resolution per axis
HEATMAP_EXAMPLES = 96  # examples shown as columns of the δ heatmaps


class Readable(Protocol):
    """What a readout reads of a run (playground.run.Run has all of it)."""

    data: Dataset  # what the network trains on
    plot_data: Dataset  # the same examples in the 2-D plane they are drawn in
    grid_inputs: Callable[[np.ndarray], np.ndarray] | None  # plane points → network inputs
    net: Network
    low: float  # the output unit's lower end: the target of the negative class


# ------------------------------------------------------------------------ the metric
def metric_name(run: Readable) -> str:
    return "accuracy" if run.data.task == "classification" else "R²"


def classes_of(run: Readable, h: np.ndarray) -> np.ndarray:
    """Predicted class per row of h = a^(n_l): threshold midway for one unit, else arg-max."""
    if h.shape[1] == 1:
        return (h[:, 0] > (run.low + 1.0) / 2).astype(np.int64)
    return h.argmax(axis=1)


def metric(run: Readable, h: np.ndarray, y: np.ndarray) -> float:
    """Accuracy for classification, R² for regression (NaN where it is undefined), of h = a^(n_l) against y."""
    if run.data.task == "classification":
        return float((classes_of(run, h) == y).mean())
    with np.errstate(over="ignore", invalid="ignore"):
        ss = float(((y - y.mean()) ** 2).sum())
        r2 = 1.0 - float(((h[:, 0] - y) ** 2).sum()) / ss if ss > 0 else np.nan
    return r2 if np.isfinite(r2) else np.nan


# ---------------------------------------------------------------- the prediction surface
def surface_grid(run: Readable) -> tuple[np.ndarray, np.ndarray] | None:
    """The prediction surface's grid over the input plane (2-D data only): (x1 (G,), x2 (G,))."""
    if run.plot_data.n_features != 2:
        return None
    X = np.vstack([run.plot_data.X_train, run.plot_data.X_test])
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.05 * (hi - lo)
    return np.linspace(lo[0] - pad[0], hi[0] + pad[0], GRID), np.linspace(lo[1] - pad[1], hi[1] + pad[1], GRID)


def surface(run: Readable) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """h(x) of eq. (4) over the input plane (2-D data only): (x1 (G,), x2 (G,), values (G, G)).

    values is h itself for one output unit, the predicted class (as a float) for several.
    """
    grid = surface_grid(run)
    if grid is None:
        return None
    x1, x2 = grid
    plane = np.stack(np.meshgrid(x1, x2), axis=-1).reshape(-1, 2)  # row r*G + c is (x1[c], x2[r])
    inputs = run.grid_inputs(plane) if run.grid_inputs is not None else plane
    h = run.net.predict(inputs)
    values = h[:, 0] if h.shape[1] == 1 else h.argmax(axis=1).astype(np.float64)
    return x1, x2, values.reshape(GRID, GRID)


# -------------------------------------------------------------- the δ heatmaps' columns
def example_order(run: Readable) -> np.ndarray:
    """The training examples the δ heatmaps show, in display order: a fixed subset, grouped by class
    (or ordered by target), at most HEATMAP_EXAMPLES of them."""
    return _heatmap_examples(run.data)[0]


def example_labels(run: Readable) -> list[str]:
    """A group label for every training example, indexed like its rows: its class, or its target rounded."""
    return _heatmap_examples(run.data)[1]


# Per dataset, computed once: the view asks every frame, and a label per example of a 20,000-row
# upload is not free. Weak keys: a dataset nothing else holds any more is not kept for this.
_EXAMPLES: weakref.WeakKeyDictionary[Dataset, tuple[np.ndarray, list[str]]] = weakref.WeakKeyDictionary()


def _heatmap_examples(data: Dataset) -> tuple[np.ndarray, list[str]]:
    held = _EXAMPLES.get(data)
    if held is None:
        held = _EXAMPLES[data] = _draw_heatmap_examples(data)
    return held


def _draw_heatmap_examples(data: Dataset) -> tuple[np.ndarray, list[str]]:
    y = data.y_train
    rng = np.random.default_rng(12345)  # fixed: the columns must not jump between frames or runs
    if data.task == "classification":
        per = max(1, HEATMAP_EXAMPLES // data.n_classes)
        order = np.concatenate([
            np.sort(rng.permutation(np.flatnonzero(y == c))[:per]) for c in range(data.n_classes)
        ]).astype(np.int64)
        return order, [data.classes[c] for c in y]
    pick = np.sort(rng.permutation(len(y))[:HEATMAP_EXAMPLES])
    order = pick[np.argsort(y[pick], kind="stable")]
    return order, [f"y≈{v:.1f}" for v in y]
