"""The synthetic datasets, the feature transforms, and the Dataset / targets helpers they feed.

The oracles are written independently of the implementation: each shape's defining rule is
re-derived here from TensorFlow Playground's dataset.ts (disc and ring radii, XOR quadrants and
padding, the spiral's r ↔ angle relation, the regression formulas), and "more noise" is measured
as a quantity that must grow — errors of the noise-free rule, or distance from the clean curve.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from playground.data import (
    FEATURES,
    GENERATORS,
    DataError,
    Dataset,
    apply_features,
    generate,
    load_real,
    targets,
    with_features,
)

CLASSIFICATION = ["circle", "xor", "gaussians", "spiral", "moons", "checkerboard"]
REGRESSION = ["plane", "multi_gaussian"]
ALL = CLASSIFICATION + REGRESSION


def full(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([ds.X_train, ds.X_test]), np.concatenate([ds.y_train, ds.y_test])


# --- independent oracles -------------------------------------------------------------------

def spiral_arm(turn: float, samples: int = 5_000) -> np.ndarray:
    """dataset.ts's arm densely: r = 5t, angle = 1.75·2π·t + turn, point (r sin, r cos)."""
    t = np.linspace(0.0, 1.0, samples)
    r, angle = 5 * t, 3.5 * math.pi * t + turn
    return np.column_stack([r * np.sin(angle), r * np.cos(angle)])


def moon_arc(label: int, samples: int = 5_000) -> np.ndarray:
    """scikit-learn's moons scaled by 4 about (0.5, 0.25): label 0 the upper arch, label 1 the lower."""
    t = np.linspace(0.0, math.pi, samples)
    if label == 0:
        arc = np.column_stack([np.cos(t), np.sin(t)])
    else:
        arc = np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)])
    return (arc - [0.5, 0.25]) * 4


def distance_to(points: np.ndarray, curve: np.ndarray) -> np.ndarray:
    out = np.empty(len(points))
    for start in range(0, len(points), 256):  # chunks keep the (chunk, samples) matrix small
        block = points[start : start + 256]
        out[start : start + 256] = np.sqrt(((block[:, None, :] - curve[None, :, :]) ** 2).sum(-1)).min(axis=1)
    return out


def mean_distance_to_own_curve(X, y, curve_of) -> float:
    return float(np.mean(np.concatenate([distance_to(X[y == c], curve_of(c)) for c in (0, 1)])))


def checker_label(X):
    return ((np.floor((X[:, 0] + 6) / 3) + np.floor((X[:, 1] + 6) / 3)) % 2).astype(int)


def plane_oracle(X):
    return np.clip((X[:, 0] + X[:, 1]) / 10, -1, 1)


def multi_gaussian_oracle(X):
    """regressGaussian written as dataset.ts writes it: a loop keeping the bump largest in |value|."""
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    out = []
    for x1, x2 in X:
        label = 0.0
        for cx, cy, sign in bumps:
            d = math.hypot(x1 - cx, x2 - cy)
            value = sign * min(1.0, max(0.0, 1 - d / 2))  # d3 linear [0, 2] -> [1, 0], clamped
            if abs(value) > abs(label):
                label = value
        out.append(label)
    return np.array(out)


# The noise-free rule each classification set obeys, as a predicted label per point.
RULES = {
    "circle": lambda X: (np.hypot(X[:, 0], X[:, 1]) < 3).astype(int),
    "xor": lambda X: (X[:, 0] * X[:, 1] > 0).astype(int),
    "gaussians": lambda X: (X[:, 0] + X[:, 1] > 0).astype(int),
    "checkerboard": checker_label,
}

def rule_errors(rule):
    return lambda X, y: float(np.mean(rule(X) != y))


# How far from clean each dataset is: 0 without noise, and it must grow with noise.
DISORDER = {
    **{name: rule_errors(rule) for name, rule in RULES.items()},
    "spiral": lambda X, y: mean_distance_to_own_curve(X, y, lambda c: spiral_arm(0.0 if c == 1 else math.pi)),
    "moons": lambda X, y: mean_distance_to_own_curve(X, y, moon_arc),
    "plane": lambda X, y: float(np.mean(np.abs(y - plane_oracle(X)))),
    "multi_gaussian": lambda X, y: float(np.mean(np.abs(y - multi_gaussian_oracle(X)))),
}


# --- the registry --------------------------------------------------------------------------

def test_registry_holds_exactly_the_documented_datasets():
    assert set(GENERATORS) == set(ALL)
    for name, entry in GENERATORS.items():
        assert entry.name == name and entry.label
        assert entry.task == ("classification" if name in CLASSIFICATION else "regression")
    assert set(DISORDER) == set(GENERATORS)  # a new generator must bring its own noise oracle


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("n", [10, 11, 501])
def test_shapes_dtypes_and_names(name, n):
    ds = generate(name, n_points=n, noise=0.1, seed=1)
    X, y = full(ds)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert ds.feature_names == ("x1", "x2") and ds.n_features == 2 and ds.is_2d
    if name in CLASSIFICATION:
        assert ds.task == "classification" and y.dtype == np.int64
        assert ds.classes == ("0", "1") and ds.n_classes == 2
        assert set(np.unique(y)) == {0, 1}
    else:
        assert ds.task == "regression" and y.dtype == np.float64
        assert ds.classes == () and ds.n_classes == 0
        assert np.all(np.abs(y) <= 1)


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("n", [10, 11, 500, 501])
def test_classes_are_balanced(name, n):
    _, y = full(generate(name, n_points=n, noise=0.3, seed=2))
    counts = np.bincount(y, minlength=2)
    assert counts.sum() == n
    assert abs(counts[0] - counts[1]) == n % 2


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("noise", [0.0, 0.2, 0.5])
def test_points_stay_in_the_plane_up_to_the_noise_margin(name, noise):
    X, _ = full(generate(name, n_points=3000, noise=noise, seed=3))
    assert np.abs(X).max() <= 6 + 5 * noise
    if noise == 0:
        assert np.abs(X).max() > 4.5  # the shape fills the plane, it is not shrunk into a corner


@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_data_other_seed_other_data(name):
    a, b = generate(name, 200, 0.2, 0.5, seed=7), generate(name, 200, 0.2, 0.5, seed=7)
    for field in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    c = generate(name, 200, 0.2, 0.5, seed=8)
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("n", [10, 333])
def test_train_fraction_sets_the_split_sizes(name, fraction, n):
    ds = generate(name, n_points=n, train_fraction=fraction)
    assert len(ds.X_train) == round(fraction * n) and len(ds.y_train) == len(ds.X_train)
    assert len(ds.X_train) + len(ds.X_test) == n
    assert len(ds.X_train) >= 1 and len(ds.X_test) >= 1


def test_the_split_is_a_shuffled_partition_of_the_points():
    # A noise-free spiral's points do not depend on the seed, so the two parts must together be
    # exactly the oracle's points, whatever the permutation.
    n = 200
    ds = generate("spiral", n_points=n, noise=0.0, seed=11)
    X, y = full(ds)
    t = np.arange(n // 2) / (n // 2)
    expected = {
        (c, round(5 * ti * math.sin(3.5 * math.pi * ti + turn), 9),
         round(5 * ti * math.cos(3.5 * math.pi * ti + turn), 9))
        for c, turn in ((0, math.pi), (1, 0.0)) for ti in t
    }
    got = {(int(c), round(a, 9), round(b, 9)) for (a, b), c in zip(X, y, strict=True)}
    assert got == expected
    assert not np.all(np.diff(ds.y_train) >= 0)  # shuffled, not class 0 then class 1


# --- each shape's defining rule, without noise ---------------------------------------------

def test_circle_is_a_disc_inside_a_ring():
    X, y = full(generate("circle", 2000, 0.0, seed=4))
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 1].max() <= 2.5 and r[y == 1].max() > 2.3
    assert r[y == 0].min() >= 3.5 and r[y == 0].max() <= 5 and r[y == 0].max() > 4.8


def test_xor_fills_padded_quadrants():
    X, y = full(generate("xor", 2000, 0.0, seed=4))
    assert np.all((X[:, 0] * X[:, 1] > 0) == (y == 1))
    assert np.abs(X).min() >= 0.3 and np.abs(X).max() <= 5.3
    quadrant = (X[:, 0] > 0).astype(int) * 2 + (X[:, 1] > 0)
    assert np.bincount(quadrant, minlength=4).min() > 400  # all four quadrants get points


def test_gaussians_are_centred_on_plus_and_minus_two():
    X, y = full(generate("gaussians", 4000, 0.0, seed=4))
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.05)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.05)
    np.testing.assert_allclose(X[y == 1].std(axis=0), math.sqrt(0.5), rtol=0.05)  # dataset.ts variance 0.5


def test_gaussian_variance_grows_to_four_and_stays_in_the_plane():
    X, y = full(generate("gaussians", 4000, 0.5, seed=4))
    assert np.abs(X).max() <= 6
    assert 1.7 < X[y == 1].std(axis=0).mean() < 2.0  # variance 4, a little less after redrawing the tails


def test_spiral_points_lie_on_their_arm():
    X, y = full(generate("spiral", 1000, 0.0, seed=4))
    r = np.hypot(X[:, 0], X[:, 1])
    angle = 0.7 * math.pi * r + np.where(y == 1, 0.0, math.pi)  # r = 5t and angle = 3.5πt + turn
    np.testing.assert_allclose(X, np.column_stack([r * np.sin(angle), r * np.cos(angle)]), atol=1e-9)
    assert r.max() < 5


def test_moons_lie_on_their_arcs_and_span_the_plane():
    X, y = full(generate("moons", 1000, 0.0, seed=4))
    assert mean_distance_to_own_curve(X, y, moon_arc) < 0.01
    assert X[:, 0].min() > -6 - 1e-9 and X[:, 0].max() < 6 + 1e-9 and np.ptp(X[:, 0]) > 11.5


def test_checkerboard_colours_alternate_over_sixteen_squares():
    X, y = full(generate("checkerboard", 4000, 0.0, seed=4))
    np.testing.assert_array_equal(checker_label(X), y)
    squares = (np.floor((X[:, 0] + 6) / 3) * 4 + np.floor((X[:, 1] + 6) / 3)).astype(int)
    assert set(squares) == set(range(16))


@pytest.mark.parametrize(
    ("name", "oracle"), [("plane", plane_oracle), ("multi_gaussian", multi_gaussian_oracle)]
)
def test_regression_targets_follow_the_playground_formula(name, oracle):
    X, y = full(generate(name, 500, 0.0, seed=4))
    np.testing.assert_allclose(y, oracle(X), atol=1e-12)
    assert np.abs(X).max() <= 6


@pytest.mark.parametrize("name", ALL)
def test_more_noise_means_more_disorder(name):
    measure = DISORDER[name]
    values = [measure(*full(generate(name, 1500, noise, seed=5))) for noise in (0.0, 0.25, 0.5)]
    assert values[0] < 0.01
    assert values[0] < values[1] < values[2]


# --- argument checks -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"name": "spirals"}, "choose one of circle, xor"),
        ({"name": ["circle"]}, "Unknown dataset"),
        ({"n_points": 9}, "from 10 to 5000"),
        ({"n_points": 5001}, "from 10 to 5000"),
        ({"n_points": 100.5}, "whole number"),
        ({"n_points": True}, "whole number"),
        ({"noise": -0.01}, "between 0 and 0.5"),
        ({"noise": 0.51}, "between 0 and 0.5"),
        ({"noise": float("nan")}, "between 0 and 0.5"),
        ({"noise": "0.1"}, "between 0 and 0.5"),
        ({"train_fraction": 0.05}, "between 0.1 and 0.9"),
        ({"train_fraction": 0.95}, "between 0.1 and 0.9"),
        ({"seed": -1}, "seed must be a whole number"),
        ({"seed": 1.5}, "seed must be a whole number"),
    ],
)
def test_bad_arguments_are_refused_with_the_allowed_range(kwargs, phrase):
    args = {"name": "circle", **kwargs}
    with pytest.raises(DataError, match=phrase) as info:
        generate(**args)
    assert isinstance(info.value, ValueError)
    assert str(info.value).endswith(".") and "\n" not in str(info.value)


def test_numpy_integers_and_the_range_ends_are_accepted():
    assert len(full(generate("xor", np.int64(10), noise=0.5, train_fraction=0.9, seed=np.uint8(3)))[0]) == 10
    assert len(full(generate("xor", 5000, noise=0, train_fraction=0.1))[0]) == 5000


# --- feature transforms --------------------------------------------------------------------

FORMULAS = {  # written out here, not imported, so a wrong registry entry fails
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1x2": lambda a, b: a * b,
    "sin_x1": lambda a, b: math.sin(a),
    "sin_x2": lambda a, b: math.sin(b),
}
POINTS = np.array([[0.0, 0.0], [1.5, -2.0], [-3.0, 0.5], [math.pi / 2, 6.0]])


def test_feature_registry_matches_the_playground_list():
    assert list(FEATURES) == list(FORMULAS)
    assert FEATURES["x1^2"].label == "x₁²" and all(f.label for f in FEATURES.values())


@pytest.mark.parametrize("name", list(FORMULAS))
def test_each_feature_equals_its_formula(name):
    column = apply_features(POINTS, [name])
    assert column.shape == (4, 1)
    np.testing.assert_allclose(column[:, 0], [FORMULAS[name](a, b) for a, b in POINTS], atol=1e-15)


def test_features_come_out_in_the_order_chosen():
    out = apply_features(POINTS, ["x1x2", "x1", "sin_x2"])
    x1, x2 = POINTS[:, 0], POINTS[:, 1]
    np.testing.assert_allclose(out, np.column_stack([x1 * x2, x1, np.sin(x2)]))


def test_with_features_transforms_both_parts_and_keeps_the_labels():
    ds = generate("circle", 100, 0.1, seed=3)
    out = with_features(ds, ["x1^2", "x2^2"])
    assert out.feature_names == ("x1^2", "x2^2") and out.name == ds.name and out.task == ds.task
    np.testing.assert_allclose(out.X_train, ds.X_train**2)
    np.testing.assert_allclose(out.X_test, ds.X_test**2)
    np.testing.assert_array_equal(out.y_train, ds.y_train)
    assert not out.is_2d  # two columns, but no longer the (x1, x2) plane
    with pytest.raises(DataError, match="generated 2-D datasets only"):
        with_features(out, ["x1"])  # transforming a transform would silently compound


@pytest.mark.parametrize(
    ("X", "names", "phrase"),
    [
        (POINTS, [], "at least one input feature"),
        (POINTS, ["x3"], "Unknown feature 'x3'"),
        (POINTS, ["x1", "x1"], "only once"),
        (np.zeros((4, 3)), ["x1"], r"2-D points .* shape \(4, 3\)"),
        (np.zeros(4), ["x1"], "2-D points"),
    ],
)
def test_feature_errors(X, names, phrase):
    with pytest.raises(DataError, match=phrase):
        apply_features(X, names)


def test_features_refuse_datasets_that_are_not_the_2d_plane():
    with pytest.raises(DataError, match="'iris' has inputs sepal_length"):
        with_features(load_real("iris"), ["x1"])


# --- Dataset and targets -------------------------------------------------------------------

def test_dataset_arrays_are_read_only_copies():
    X = np.zeros((4, 2))
    ds = Dataset("d", "regression", X, np.zeros(4), X, np.zeros(4), ("a", "b"))
    X[0, 0] = 5.0
    assert ds.X_train[0, 0] == 0.0  # a copy, not the caller's array
    with pytest.raises(ValueError, match="read-only"):
        ds.X_train[0, 0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.name = "other"


def test_dataset_refuses_inconsistent_parts():
    with pytest.raises(ValueError, match="expected"):
        Dataset("d", "regression", np.zeros((4, 2)), np.zeros(3), np.zeros((2, 2)), np.zeros(2), ("a", "b"))
    with pytest.raises(ValueError, match="Class indices"):
        Dataset(
            "d", "classification", np.zeros((2, 1)), [0, 2], np.zeros((1, 1)), [1], ("a",), classes=("p", "q")
        )


def test_targets_for_regression_is_a_column():
    np.testing.assert_array_equal(targets(np.array([0.5, -2.0]), 0), [[0.5], [-2.0]])


def test_targets_for_two_classes_use_one_unit():
    y = np.array([0, 1, 1, 0])
    np.testing.assert_array_equal(targets(y, 2), [[0.0], [1.0], [1.0], [0.0]])
    np.testing.assert_array_equal(targets(y, 2, low=-1.0), [[-1.0], [1.0], [1.0], [-1.0]])  # for tanh


def test_targets_for_more_classes_are_one_hot():
    y = np.array([2, 0, 1])
    expected = [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    np.testing.assert_array_equal(targets(y, 3), expected)
    np.testing.assert_array_equal(targets(y, 3, low=-1.0), np.where(np.array(expected) == 1, 1.0, -1.0))


@pytest.mark.parametrize(
    ("y", "n_classes", "phrase"),
    [
        (np.array([0, 1]), 1, "at least 2"),
        (np.array([0, 3]), 3, "from 0 to 2"),
        (np.array([0.0, 1.0]), 2, "whole numbers"),
        (np.array([[0, 1]]), 2, "1-D"),
    ],
)
def test_targets_errors(y, n_classes, phrase):
    with pytest.raises(DataError, match=phrase):
        targets(y, n_classes)
