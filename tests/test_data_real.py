"""The shipped real datasets: shapes, known facts about the data, standardisation, the split, the cache.

Known facts are the oracles: digits has 1797 8×8 images with pixel counts 0..16 and 10 classes;
Fisher's iris has 50 flowers per species and the column means printed in every textbook. Where
scikit-learn is installed (dev only), the shipped CSVs are also compared with its bundled copies.
"""
from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from playground.data import REAL_DATASETS, DataError, load_real
from playground.data import real as real_module

ROOT = Path(__file__).resolve().parents[1]
SHAPES = {"digits": (1797, 64, 10), "iris": (150, 4, 3)}


def full(ds):
    return np.concatenate([ds.X_train, ds.X_test]), np.concatenate([ds.y_train, ds.y_test])


def test_the_registry_lists_both_datasets():
    assert REAL_DATASETS == ("digits", "iris")


@pytest.mark.parametrize("name", REAL_DATASETS)
def test_shapes_and_classes(name):
    m, n, k = SHAPES[name]
    ds = load_real(name)
    X, y = full(ds)
    assert X.shape == (m, n) and X.dtype == np.float64 and y.dtype == np.int64
    assert ds.task == "classification" and ds.n_classes == k and ds.n_features == n
    assert len(ds.X_train) == round(0.7 * m)
    assert set(np.unique(y)) == set(range(k))
    assert not ds.is_2d and ds.note


def test_digits_are_8x8_images_of_ten_digits():
    ds = load_real("digits", standardize=False)
    X, y = full(ds)
    assert ds.image_shape == (8, 8)
    assert ds.classes == tuple(str(d) for d in range(10))
    assert ds.feature_names[:2] == ("px_0_0", "px_0_1") and ds.feature_names[-1] == "px_7_7"
    assert X.min() == 0 and X.max() == 16 and np.array_equal(X, np.round(X))
    assert np.bincount(y).min() >= 170  # 174..183 images per digit
    # The digit 0 has a hole in the middle: its mean image is darker at the centre than on the ring.
    zero = X[y == 0].mean(axis=0).reshape(8, 8)
    assert zero[3:5, 3:5].mean() < zero[2:6, 1:3].mean() / 2


def test_iris_has_fisher_species_and_means():
    ds = load_real("iris", standardize=False)
    X, y = full(ds)
    assert ds.classes == ("setosa", "versicolor", "virginica") and ds.image_shape is None
    assert ds.feature_names == ("sepal_length", "sepal_width", "petal_length", "petal_width")
    np.testing.assert_array_equal(np.bincount(y), [50, 50, 50])
    np.testing.assert_allclose(X.mean(axis=0), [5.843, 3.057, 3.758, 1.199], atol=1e-3)
    # Fisher's first flower, a setosa; setosa petals are all shorter than 2 cm.
    first = np.flatnonzero((X == [5.1, 3.5, 1.4, 0.2]).all(axis=1))
    assert len(first) >= 1 and set(y[first]) == {0}
    assert X[y == 0, 2].max() < 2 < X[y != 0, 2].min()


@pytest.mark.parametrize("name", REAL_DATASETS)
def test_standardisation_uses_the_training_part_only(name):
    raw = load_real(name, seed=3, standardize=False)
    std = load_real(name, seed=3)
    mean, sd = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    varying = sd > 0
    np.testing.assert_allclose(std.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(std.X_train.std(axis=0)[varying], 1, rtol=1e-12)
    np.testing.assert_array_equal(std.X_train[:, ~varying], 0)  # constant columns: centred, not divided by 0
    expected_test = (raw.X_test - mean) / np.where(varying, sd, 1)
    np.testing.assert_allclose(std.X_test, expected_test, atol=1e-12)
    assert abs(std.X_test.mean()) > 1e-6  # the test part was not standardised by its own statistics
    np.testing.assert_array_equal(std.y_test, raw.y_test)


def test_digits_has_constant_pixels_that_standardisation_survives():
    ds = load_real("digits")
    assert np.isfinite(ds.X_train).all() and np.isfinite(ds.X_test).all()
    assert (ds.X_train.std(axis=0) == 0).any()  # e.g. the top-left corner is always blank


@pytest.mark.parametrize("name", REAL_DATASETS)
def test_the_split_is_seeded_and_a_partition(name):
    a, b, c = (load_real(name, 0.6, seed=s, standardize=False) for s in (5, 5, 6))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)
    X_raw, y_raw, _, _ = real_module.read_raw(name)
    X, y = full(a)
    rows = np.column_stack([X, y])
    raw_rows = np.column_stack([X_raw, y_raw])
    np.testing.assert_array_equal(rows[np.lexsort(rows.T)], raw_rows[np.lexsort(raw_rows.T)])


def test_the_cache_shares_read_only_arrays():
    first, second = real_module.read_raw("iris"), real_module.read_raw("iris")
    assert first is second
    X, y, _, _ = first
    with pytest.raises(ValueError, match="read-only"):
        X[0, 0] = 99.0
    with pytest.raises(ValueError, match="read-only"):
        y[0] = 2
    ds = load_real("iris")
    with pytest.raises(ValueError, match="read-only"):
        ds.X_train[0, 0] = 99.0


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"name": "mnist"}, "choose one of digits, iris"),
        ({"name": "iris", "train_fraction": 1.0}, "between 0.1 and 0.9"),
        ({"name": "iris", "seed": -3}, "seed"),
    ],
)
def test_bad_arguments(kwargs, phrase):
    with pytest.raises(DataError, match=phrase):
        load_real(**kwargs)


def test_a_missing_asset_says_how_to_rebuild_it(tmp_path, monkeypatch):
    monkeypatch.setattr(real_module, "ASSETS", tmp_path)
    real_module.read_raw.cache_clear()
    try:
        with pytest.raises(DataError, match=r"assets/iris\.csv\.gz is missing.*make_assets\.py"):
            load_real("iris")
    finally:
        real_module.read_raw.cache_clear()  # the next test must read the real file again


@pytest.mark.parametrize(("name", "max_kb"), [("digits", 100), ("iris", 4)])
def test_assets_stay_small(name, max_kb):
    assert (ROOT / "assets" / f"{name}.csv.gz").stat().st_size < max_kb * 1024


def test_assets_match_scikit_learns_bundled_copies():
    datasets = pytest.importorskip("sklearn.datasets")  # dev-only; the app never imports it
    digits, iris = datasets.load_digits(), datasets.load_iris()
    X, y, _, classes = real_module.read_raw("digits")
    np.testing.assert_array_equal(X, digits.data)
    np.testing.assert_array_equal(np.array(classes, dtype=int)[y], digits.target)
    X, y, _, classes = real_module.read_raw("iris")
    np.testing.assert_array_equal(X, iris.data)
    assert [classes[i] for i in y] == list(iris.target_names[iris.target])


def test_the_asset_script_writes_what_is_shipped(tmp_path, monkeypatch):
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("make_assets", ROOT / "assets" / "make_assets.py")
    make_assets = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_assets)
    monkeypatch.setattr(make_assets, "ASSETS", tmp_path)
    make_assets.main()
    for name in REAL_DATASETS:  # the CSV text, not the gzip bytes, which may differ between zlib builds
        written = gzip.decompress((tmp_path / f"{name}.csv.gz").read_bytes())
        assert written == gzip.decompress((ROOT / "assets" / f"{name}.csv.gz").read_bytes())
