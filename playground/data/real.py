"""The real datasets shipped in ``assets/``: handwritten digits and Fisher's iris.

The CSVs are written once by ``assets/make_assets.py`` (see ``assets/README.md`` for sources and
licences) and read here with pandas, so the app needs no network and no scikit-learn. The parsed
arrays are cached per process and shared by every Streamlit session, so they are made read-only;
each :func:`load_real` call splits and standardises fresh copies.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .dataset import DataError, Dataset, check_fraction, check_seed, split, standardize_by_train

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@dataclass(frozen=True)
class RealSpec:
    """How to read one shipped CSV: its target column, and the image shape if rows are pictures."""

    target: str
    image_shape: tuple[int, int] | None
    note: str


_SPECS: dict[str, RealSpec] = {
    "digits": RealSpec("digit", (8, 8), "8×8 images of handwritten digits, pixel values 0–16 (UCI, 1998)."),
    "iris": RealSpec("species", None, "Four flower measurements in cm of three iris species (Fisher, 1936)."),
}
REAL_DATASETS: tuple[str, ...] = tuple(_SPECS)


@functools.lru_cache(maxsize=len(_SPECS))
def read_raw(name: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """(X, y, feature_names, classes) of a shipped dataset, unsplit, as read-only arrays.

    Classes are the target's distinct values sorted (digits 0..9 numerically, iris by name); y
    holds indices into them.
    """
    spec = _SPECS[name]
    path = ASSETS / f"{name}.csv.gz"
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise DataError(
            f"The bundled file assets/{path.name} is missing; recreate it with python assets/make_assets.py."
        ) from None
    features = [c for c in frame.columns if c != spec.target]
    X = frame[features].to_numpy(dtype=np.float64)
    codes, uniques = pd.factorize(frame[spec.target], sort=True)
    y = codes.astype(np.int64)
    for arr in (X, y):
        arr.flags.writeable = False
    return X, y, tuple(features), tuple(str(u) for u in uniques)


def load_real(name: str, train_fraction: float = 0.7, seed: int = 0, standardize: bool = True) -> Dataset:
    """A shipped dataset, split by a seeded permutation; inputs standardised by the training part's stats."""
    if not isinstance(name, str) or name not in _SPECS:
        raise DataError(f"Unknown real dataset {name!r}: choose one of {', '.join(REAL_DATASETS)}.")
    train_fraction = check_fraction(train_fraction)
    rng = np.random.default_rng(check_seed(seed))
    X, y, feature_names, classes = read_raw(name)
    X_train, y_train, X_test, y_test = split(X, y, train_fraction, rng)
    if standardize:
        X_train, X_test = standardize_by_train(X_train, X_test)
    spec = _SPECS[name]
    return Dataset(
        name=name, task="classification", X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test,
        feature_names=feature_names, classes=classes, image_shape=spec.image_shape, note=spec.note,
    )

