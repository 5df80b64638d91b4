"""Smoke test of benchmarks/core_speed.py: its --quick logic runs on tiny sizes and prints its table.

No timing assertions (timed tests are not allowed here; speed is measured by the benchmark
itself). What is asserted is that the script works, and that the scikit-learn model it times
really does our update, so its ratio compares like with like.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmark_loader import load_benchmark  # noqa: E402

from playground import Network  # noqa: E402

pytest.importorskip("sklearn")


def _core_speed():
    return load_benchmark("core_speed")


def test_quick_run_on_tiny_cases_fills_every_column_of_the_table():
    cs = _core_speed()
    cases = [
        cs.Case((2, 3, 1), 12, "sigmoid", "sklearn", epochs=3),
        cs.Case((3, 4, 4, 2), 10, "tanh", "sklearn", epochs=2),
        cs.Case((4, 5, 3), 9, "relu", "floor", epochs=1),
    ]
    rows = cs.run_benchmark(cases, quick=True, repeats=1)
    assert [r.case for r in rows] == cases
    for r in rows:
        for value in (r.ours_ms, r.sklearn_ms, r.floor_ms, r.speedup, r.to_floor):
            assert math.isfinite(value) and value > 0
        assert isinstance(r.passed, bool) and r.repeats == 1
    table = cs.format_table(rows).splitlines()
    assert len(table) == 2 + len(cases)
    for line, case in zip(table[2:], cases, strict=True):
        assert line.startswith(case.name)
        assert ("PASS" in line) != ("FAIL" in line)


def test_the_benchmark_cases_are_the_issues():
    cs = _core_speed()
    assert [(c.sizes, c.m, c.activation, c.target) for c in cs.CASES] == [
        ((2, 8, 8, 1), 500, "sigmoid", "sklearn"),
        ((2, 8, 8, 8, 8, 8, 8, 1), 500, "tanh", "sklearn"),
        ((64, 32, 16, 10), 1797, "relu", "sklearn"),
        ((784, 256, 128, 10), 4096, "relu", "floor"),
    ]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_sklearn_model_makes_our_update_from_the_same_weights(activation):
    """Same start, same data: after a few epochs MLPRegressor's weights equal Network.step's."""
    cs = _core_speed()
    case = cs.Case((3, 5, 4, 2), 16, activation, "sklearn", epochs=1)
    X, Y = cs.make_data(case, seed=1)
    alpha, lam = 0.05, 0.02
    net = Network(case.sizes, activation=activation, output_activation="linear", loss="squared", seed=2)
    model = cs.sklearn_model(case, alpha=alpha, lam=lam)
    cs.sklearn_fit(model, X, Y, 1)  # builds coefs_ and intercepts_; then start it from our weights
    for k in range(len(net.W)):
        model.coefs_[k][...] = net.W[k].T  # sklearn stores W^(l) transposed: (s_l, s_{l+1})
        model.intercepts_[k][...] = net.b[k]
    for _ in range(4):
        net.step(X, Y, alpha, lam)
    cs.sklearn_fit(model, X, Y, 4)
    for k in range(len(net.W)):
        np.testing.assert_allclose(model.coefs_[k].T, net.W[k], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(model.intercepts_[k], net.b[k], rtol=1e-12, atol=1e-14)
