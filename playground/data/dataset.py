"""The one shape every data source produces: a train/test :class:`Dataset`, and its helpers.

Generators, the shipped real datasets and uploaded CSVs all end in a ``Dataset``, so the UI and
the training loop handle one type. Its arrays are copied and made read-only on construction:
datasets are cached and shared across Streamlit sessions, and an in-place edit in one session
must not leak into another. The helpers here are the steps every source shares — argument checks,
the seeded train/test split, train-set standardisation — and :func:`targets`, which turns class
indices into the output matrix Y that eq. (5) compares a^(n_l) against.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

Array = np.ndarray

TASKS = ("classification", "regression")


class DataError(ValueError):
    """Bad data or a bad data setting; the message is one sentence the user can act on."""


@dataclass(frozen=True, eq=False)  # eq=False: array fields have no single truth value to compare
class Dataset:
    """Inputs and targets, split into a training part and a test part; examples are rows.

    y holds class indices (int64) into ``classes`` for classification and float64 values for
    regression; :func:`targets` builds the network's Y from it.
    """

    name: str
    task: str
    X_train: Array  # (m_train, n)
    y_train: Array  # (m_train,)
    X_test: Array  # (m_test, n)
    y_test: Array  # (m_test,)
    feature_names: tuple[str, ...]
    classes: tuple[str, ...] = ()
    image_shape: tuple[int, int] | None = None
    note: str = ""
    generated: bool = False  # drawn by a generator in the (x1, x2) plane (generators.py sets it)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}; got {self.task!r}.")
        y_dtype = np.int64 if self.task == "classification" else np.float64
        for field, dtype in (("X_train", np.float64), ("X_test", np.float64),
                             ("y_train", y_dtype), ("y_test", y_dtype)):
            arr = np.array(getattr(self, field), dtype=dtype)  # a private copy, never a view of the caller's
            arr.flags.writeable = False
            object.__setattr__(self, field, arr)
        object.__setattr__(self, "feature_names", tuple(str(f) for f in self.feature_names))
        object.__setattr__(self, "classes", tuple(str(c) for c in self.classes))
        n = len(self.feature_names)
        for X, y, part in ((self.X_train, self.y_train, "train"), (self.X_test, self.y_test, "test")):
            if X.ndim != 2 or X.shape[1] != n or y.shape != (X.shape[0],):
                raise ValueError(
                    f"The {part} part has X {X.shape} and y {y.shape}; expected (m, {n}) and (m,)."
                )
        if self.task == "classification":
            if len(self.classes) < 2:
                raise ValueError("A classification dataset needs at least two class labels.")
            for y in (self.y_train, self.y_test):
                if y.size and (y.min() < 0 or y.max() >= len(self.classes)):
                    raise ValueError("Class indices must lie in 0 … n_classes − 1.")
        elif self.classes:
            raise ValueError("A regression dataset has no class labels.")

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def n_classes(self) -> int:
        """The number of classes; 0 for regression."""
        return len(self.classes) if self.task == "classification" else 0

    @property
    def is_2d(self) -> bool:
        """True for a generated dataset still in its raw (x1, x2) plane, so the UI can draw it.

        Feature transforms keep the flag but change ``feature_names``, so a transformed copy is
        not 2-D even when it has two columns (x1², x2²).
        """
        return self.generated and self.feature_names == ("x1", "x2")


def check_fraction(train_fraction, low: float = 0.1, high: float = 0.9) -> float:
    """The train fraction as a float, or a DataError naming the allowed range."""
    if isinstance(train_fraction, bool) or not isinstance(train_fraction, Real) or not (
        low <= float(train_fraction) <= high
    ):
        raise DataError(
            f"The training fraction must be between {low:g} and {high:g}; got {train_fraction!r}."
        )
    return float(train_fraction)


def check_seed(seed) -> int:
    """The seed as an int, or a DataError: np.random.default_rng accepts only whole numbers ≥ 0."""
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise DataError(f"The seed must be a whole number ≥ 0; got {seed!r}.")
    return int(seed)


def split(
    X: Array, y: Array, train_fraction: float, rng: np.random.Generator
) -> tuple[Array, Array, Array, Array]:
    """Shuffle the m examples with rng and cut them into (X_train, y_train, X_test, y_test).

    The training part gets round(train_fraction·m) examples, clamped so each part keeps at least
    one; callers that need more per part check the sizes themselves.
    """
    m = X.shape[0]
    if m < 2:
        raise DataError(f"Splitting into training and test parts needs at least 2 examples; got {m}.")
    m_train = min(max(int(round(train_fraction * m)), 1), m - 1)
    order = rng.permutation(m)
    train, test = order[:m_train], order[m_train:]
    return X[train], y[train], X[test], y[test]


def standardize_by_train(X_train: Array, X_test: Array) -> tuple[Array, Array]:
    """Centre and scale both parts by the training part's mean and standard deviation.

    Columns of (m, n) inputs, or a (m,) regression target. The statistics come from the training
    part only, so nothing about the test examples leaks into training. A constant column (std 0,
    e.g. a digits corner pixel) is only centred. Values must be small enough for finite
    statistics (upload.MAX_MAGNITUDE); the shipped and generated data are.
    """
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std


def targets(y: Array, n_classes: int, low: float = 0.0) -> Array:
    """The target matrix Y, one row per example, that the network's output is trained towards.

    Regression (n_classes 0): y as a column, (m, 1). Two classes: one output unit, (m, 1), 1.0 for
    class 1 and ``low`` for class 0. More classes: one unit per class, (m, n_classes), 1.0 in the
    example's class column and ``low`` elsewhere. ``low`` is the bottom of the output activation's
    range: 0 for sigmoid/softmax, −1 for tanh.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise DataError(f"Targets must be a 1-D array with one entry per example; got shape {y.shape}.")
    if isinstance(n_classes, bool) or not isinstance(n_classes, Integral) or n_classes == 1 or n_classes < 0:
        raise DataError(f"n_classes must be 0 (regression) or at least 2; got {n_classes!r}.")
    if not math.isfinite(low):
        raise DataError(f"The low target value must be a finite number; got {low!r}.")
    if n_classes == 0:
        return y.astype(np.float64).reshape(-1, 1)
    if y.size and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= n_classes):
        raise DataError(f"Class indices must be whole numbers from 0 to {n_classes - 1}.")
    if n_classes == 2:
        return np.where(y == 1, 1.0, float(low)).reshape(-1, 1)
    Y = np.full((y.shape[0], n_classes), float(low))
    Y[np.arange(y.shape[0]), y] = 1.0
    return Y
