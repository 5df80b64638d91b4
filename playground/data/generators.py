"""The registry of built-in synthetic 2-D datasets, modelled on TensorFlow Playground.

Each entry's ``fn(n, noise, rng)`` returns X (n, 2) and y (n,), ordered by class; :func:`generate`
validates the settings, shuffles and splits. The shapes follow TensorFlow Playground's
``src/dataset.ts``: points in the [-6, 6]² plane, a disc of radius 2.5 inside a ring from 3.5 to
5, XOR quadrants padded 0.3 away from the axes, two gaussians at (2, 2) and (−2, −2) whose
variance grows from 0.5 to 4 with noise, and two spiral arms. "moons" and "checkerboard" are
additions drawn into the same plane, and "plane" / "multi_gaussian" are its two regression sets.

Where this deliberately departs from dataset.ts:

* Labels are class indices 0/1 (dataset.ts uses −1/+1); the class that dataset.ts calls +1 is 1.
* Every classification set has exactly n//2 and n − n//2 points per class. dataset.ts draws XOR
  points uniformly, so its classes are only balanced on average.
* Noise on circle and XOR moves the point and keeps its label; dataset.ts instead keeps the point
  and labels it by where a jittered copy falls. Moving points keeps the classes balanced and
  makes the noise visible as overlap in the scatter plot, as it is for spiral and gaussians.
  Jittered points can leave [-6, 6]² by at most JITTER·noise.
* Gaussian points are redrawn until they lie in [-6, 6]², the plane the UI draws.
* Regression targets are clipped to [-1, 1] (dataset.ts leaves regressPlane's unclipped, up to
  ±1.8 with noise), so a tanh output unit can reach every target.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from .dataset import DataError, Dataset, check_fraction, check_seed, split

Array = np.ndarray

RADIUS = 6.0  # the data plane is [-RADIUS, RADIUS]², as in dataset.ts
JITTER = 5.0  # noise moves a point up to JITTER·noise per coordinate (dataset.ts: randUniform(-5, 5)·noise)
N_POINTS_RANGE = (10, 5000)
NOISE_RANGE = (0.0, 0.5)  # TensorFlow Playground's 0–50 % slider


@dataclass(frozen=True)
class GeneratorEntry:
    """One synthetic dataset: how the UI names it, its task, and how to draw it."""

    name: str
    label: str
    task: str
    fn: Callable[[int, float, np.random.Generator], tuple[Array, Array]]  # (n, noise, rng) -> X (n, 2), y


def _class_sizes(n: int) -> tuple[int, int]:
    return n // 2, n - n // 2


def _labels(n0: int, n1: int) -> Array:
    return np.repeat(np.array([0, 1], dtype=np.int64), [n0, n1])


def _jitter(n: int, noise: float, rng: np.random.Generator) -> Array:
    return rng.uniform(-JITTER, JITTER, size=(n, 2)) * noise  # (n, 2)


def _polar(r: Array, angle: Array) -> Array:
    return np.column_stack([r * np.sin(angle), r * np.cos(angle)])  # dataset.ts's x = r·sin, y = r·cos


def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """Class 1 in the disc r < 2.5, class 0 in the ring 3.5 ≤ r ≤ 5 (classifyCircleData)."""
    n0, n1 = _class_sizes(n)
    r = np.concatenate([rng.uniform(3.5, 5.0, n0), rng.uniform(0.0, 2.5, n1)])
    X = _polar(r, rng.uniform(0.0, 2 * np.pi, n))
    return X + _jitter(n, noise, rng), _labels(n0, n1)


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """Class 1 where x1·x2 > 0, class 0 where x1·x2 < 0; no point within 0.3 of an axis (classifyXORData)."""
    n0, n1 = _class_sizes(n)
    padding = 0.3
    magnitude = rng.uniform(0.0, 5.0, size=(n, 2)) + padding  # (n, 2)
    sign_x1 = rng.choice([-1.0, 1.0], size=n)
    # Class 1 shares x1's sign on x2 (quadrants I, III); class 0 takes the opposite sign (II, IV).
    sign_x2 = np.concatenate([-sign_x1[:n0], sign_x1[n0:]])
    X = magnitude * np.column_stack([sign_x1, sign_x2])
    return X + _jitter(n, noise, rng), _labels(n0, n1)


def gaussians(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """Class 1 around (2, 2), class 0 around (−2, −2) (classifyTwoGaussData).

    The variance of each coordinate grows from 0.5 to 4 as noise goes from 0 to 0.5.
    """
    n0, n1 = _class_sizes(n)
    variance = 0.5 + 7.0 * noise  # dataset.ts: d3.scale.linear().domain([0, .5]).range([0.5, 4])
    centres = np.repeat(np.array([[-2.0, -2.0], [2.0, 2.0]]), [n0, n1], axis=0)  # (n, 2)
    X = centres + rng.normal(0.0, np.sqrt(variance), size=(n, 2))
    outside = np.any(np.abs(X) > RADIUS, axis=1)
    while outside.any():  # redraw the few points beyond the plane; P(outside) ≤ 5 % even at noise 0.5
        X[outside] = centres[outside] + rng.normal(0.0, np.sqrt(variance), size=(int(outside.sum()), 2))
        outside = np.any(np.abs(X) > RADIUS, axis=1)
    return X, _labels(n0, n1)


def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """Two arms, r = 5·t and angle 3.5π·t for t in [0, 1); class 0's arm is turned by π (classifySpiralData).

    The noise is dataset.ts's uniform ±noise per coordinate, far gentler than the other sets' because
    the arms lie only 5/1.75 ≈ 2.9 apart.
    """
    n0, n1 = _class_sizes(n)
    arms = []
    for count, turn in ((n0, np.pi), (n1, 0.0)):
        t = np.arange(count) / count
        arms.append(_polar(5.0 * t, 1.75 * t * 2 * np.pi + turn))
    X = np.concatenate(arms)
    return X + rng.uniform(-1.0, 1.0, size=(n, 2)) * noise, _labels(n0, n1)


def moons(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """scikit-learn's two interleaving half circles, scaled by 4 and centred so x1 spans [-6, 6]."""
    n0, n1 = _class_sizes(n)
    t = rng.uniform(0.0, np.pi, n)
    upper = np.column_stack([np.cos(t[:n0]), np.sin(t[:n0])])  # class 0: the upper arch
    lower = np.column_stack([1.0 - np.cos(t[n0:]), 0.5 - np.sin(t[n0:])])  # class 1: the lower arch
    X = (np.concatenate([upper, lower]) - [0.5, 0.25]) * 4.0
    return X + _jitter(n, noise, rng), _labels(n0, n1)


def checkerboard(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """A 4×4 board of 3×3 squares covering [-6, 6]²; class 1 on squares whose row + column is odd."""
    n0, n1 = _class_sizes(n)
    squares = [(i, j) for i in range(4) for j in range(4)]
    by_class = [np.array([s for s in squares if (s[0] + s[1]) % 2 == c]) for c in (0, 1)]  # 8 squares each
    corners = np.concatenate([by_class[c][rng.integers(0, 8, size=k)] for c, k in ((0, n0), (1, n1))])
    X = -RADIUS + 3.0 * (corners + rng.uniform(0.0, 1.0, size=(n, 2)))
    return X + _jitter(n, noise, rng), _labels(n0, n1)


def plane_target(X: Array) -> Array:
    """regressPlane's target: (x1 + x2)/10, clipped to [-1, 1]."""
    return np.clip((X[:, 0] + X[:, 1]) / 10.0, -1.0, 1.0)


GAUSSIAN_BUMPS = np.array([  # (centre x1, centre x2, sign) as in regressGaussian
    [-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1],
], dtype=np.float64)


def multi_gaussian_target(X: Array) -> Array:
    """regressGaussian's target: of six signed cones max(0, 1 − d/2), the one largest in absolute value."""
    d = np.linalg.norm(X[:, None, :] - GAUSSIAN_BUMPS[None, :, :2], axis=2)  # (n, 6) distances to the centres
    values = GAUSSIAN_BUMPS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)  # (n, 6)
    return values[np.arange(len(X)), np.abs(values).argmax(axis=1)]


def _regression(target: Callable[[Array], Array]):
    def fn(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
        X = rng.uniform(-RADIUS, RADIUS, size=(n, 2))
        # As in dataset.ts, noise shifts where the target is read, not where the point is drawn.
        return X, target(X + rng.uniform(-RADIUS, RADIUS, size=(n, 2)) * noise)

    return fn


GENERATORS: dict[str, GeneratorEntry] = {
    g.name: g
    for g in (
        GeneratorEntry("circle", "Circle", "classification", circle),
        GeneratorEntry("xor", "Exclusive or", "classification", xor),
        GeneratorEntry("gaussians", "Two gaussians", "classification", gaussians),
        GeneratorEntry("spiral", "Spiral", "classification", spiral),
        GeneratorEntry("moons", "Two moons", "classification", moons),
        GeneratorEntry("checkerboard", "Checkerboard", "classification", checkerboard),
        GeneratorEntry("plane", "Plane", "regression", _regression(plane_target)),
        GeneratorEntry("multi_gaussian", "Multi gaussian", "regression", _regression(multi_gaussian_target)),
    )
}


def generate(name: str, n_points: int = 500, noise: float = 0.0, train_fraction: float = 0.5,
             seed: int = 0) -> Dataset:
    """Draw ``n_points`` examples of a built-in dataset and split them; equal seeds give equal datasets."""
    if not isinstance(name, str) or name not in GENERATORS:
        raise DataError(f"Unknown dataset {name!r}: choose one of {', '.join(GENERATORS)}.")
    low, high = N_POINTS_RANGE
    if isinstance(n_points, bool) or not isinstance(n_points, Integral) or not low <= n_points <= high:
        raise DataError(
            f"The number of points must be a whole number from {low} to {high}; got {n_points!r}."
        )
    low_noise, high_noise = NOISE_RANGE
    if isinstance(noise, bool) or not isinstance(noise, Real) or not low_noise <= float(noise) <= high_noise:
        raise DataError(f"The noise must be between {low_noise:g} and {high_noise:g}; got {noise!r}.")
    train_fraction = check_fraction(train_fraction)
    rng = np.random.default_rng(check_seed(seed))
    entry = GENERATORS[name]
    X, y = entry.fn(int(n_points), float(noise), rng)
    X_train, y_train, X_test, y_test = split(X, y, train_fraction, rng)
    classification = entry.task == "classification"
    return Dataset(
        name=name, task=entry.task, X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test,
        feature_names=("x1", "x2"), classes=("0", "1") if classification else (), generated=True,
    )
