"""The registry of input feature transforms, TensorFlow Playground's x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂.

They are functions of the raw 2-D point, so they only make sense for a generated dataset in its
(x1, x2) plane: feeding x₁² to a single linear unit is what lets it draw a circle. The UI applies
the same transform to its grid of plane points to draw the decision surface, which is why
:func:`apply_features` takes plain arrays and :func:`with_features` wraps it for a Dataset.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .dataset import DataError, Dataset

Array = np.ndarray


@dataclass(frozen=True)
class Feature:
    """One input column computed from the point (x1, x2), and how the UI writes it."""

    name: str
    label: str
    fn: Callable[[Array], Array]  # X (m, 2) -> column (m,)


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("x1", "x₁", lambda X: X[:, 0]),
        Feature("x2", "x₂", lambda X: X[:, 1]),
        Feature("x1^2", "x₁²", lambda X: X[:, 0] ** 2),
        Feature("x2^2", "x₂²", lambda X: X[:, 1] ** 2),
        Feature("x1x2", "x₁x₂", lambda X: X[:, 0] * X[:, 1]),
        Feature("sin_x1", "sin(x₁)", lambda X: np.sin(X[:, 0])),
        Feature("sin_x2", "sin(x₂)", lambda X: np.sin(X[:, 1])),
    )
}


def _check_names(names: Sequence[str]) -> tuple[str, ...]:
    if isinstance(names, str):
        names = (names,)  # a lone name is an easy slip; treat it as a one-feature selection
    names = tuple(names)
    if not names:
        raise DataError("Choose at least one input feature.")
    for name in names:
        if not isinstance(name, str) or name not in FEATURES:
            raise DataError(f"Unknown feature {name!r}: choose from {', '.join(FEATURES)}.")
    if len(set(names)) != len(names):
        raise DataError("Each feature can be chosen only once.")
    return names


def apply_features(X: Array, names: Sequence[str]) -> Array:
    """The columns ``names`` computed from the 2-D points X (m, 2), in the order given: (m, len(names))."""
    names = _check_names(names)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise DataError(f"Feature transforms need 2-D points (m rows, 2 columns); got shape {X.shape}.")
    return np.column_stack([FEATURES[name].fn(X) for name in names])


def with_features(ds: Dataset, names: Sequence[str]) -> Dataset:
    """A copy of a generated 2-D dataset whose inputs are the chosen feature columns."""
    names = _check_names(names)
    if not ds.is_2d:
        raise DataError(
            f"Feature transforms apply to the generated 2-D datasets only; {ds.name!r} has inputs "
            f"{', '.join(ds.feature_names[:4])}{' …' if ds.n_features > 4 else ''}."
        )
    return dataclasses.replace(
        ds, X_train=apply_features(ds.X_train, names), X_test=apply_features(ds.X_test, names),
        feature_names=names,
    )
