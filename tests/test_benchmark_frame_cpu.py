"""Smoke test of benchmarks/frame_cpu.py: its quick logic runs on the default network and prints its table.

No timing assertions (timed tests are not allowed here; speed is measured by the benchmark
itself). What is asserted is that the script works, and that its two paths draw the same frame:
the numbers each new-path patch carries are the numbers of the old path's whole figure, so the
ratio compares like with like.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmark_loader import load_benchmark  # noqa: E402

from playground import readouts  # noqa: E402
from playground.config import DEFAULT  # noqa: E402
from playground.figures import spec  # noqa: E402


def _frame_cpu():
    return load_benchmark("frame_cpu")


@pytest.fixture(scope="module")
def result():
    fc = _frame_cpu()
    return fc.run_case(fc.CASES[0], frames=2, steps=2, structure_repeats=1)


def test_quick_run_on_the_default_case_fills_the_table(result):
    fc = _frame_cpu()
    assert result.case.hidden == DEFAULT.hidden and result.sizes == [2, 4, 2, 1]
    assert set(fc.CHARTS) == {"network", "deltas", "surface", "loss", "matrices"}
    for ms in (result.old_ms, result.new_ms):
        assert set(ms) == set(fc.ROWS)
        for value in ms.values():
            assert math.isfinite(value) and value > 0
    for value in (result.old_total_ms, result.new_total_ms, result.structure_ms, result.ratio):
        assert math.isfinite(value) and value > 0
    assert result.old_bytes > 0 and result.new_bytes > 0 and result.structure_bytes > 0
    table = fc.format_table(result).splitlines()
    names = [line.split()[0] for line in table if line and not line.startswith(("-", "chart"))]
    assert names == [*fc.ROWS, "total"]
    ok, text = fc.verdict(result)
    assert isinstance(ok, bool) and text.startswith("PASS" if ok else "FAIL")
    assert "structures (one-off" in fc.report(result)


def test_main_quick_prints_a_report(capsys):
    fc = _frame_cpu()
    assert fc.main(["--quick", "--cases", "default", "--frames", "1", "--steps", "1"]) == 0
    out = capsys.readouterr().out
    assert "case default" in out and "total" in out and ("PASS" in out or "FAIL" in out)


def test_the_surface_of_both_paths_is_the_runs_prediction(result):
    want = readouts.surface(result.run)[2].astype(np.float32)  # the run has not moved since the last frame
    new = json.loads(result.last_new["surface"])
    old = json.loads(result.last_old["surface"])
    np.testing.assert_array_equal(spec.decode(new["h"][0][1]["z"]), want)  # the invisible heatmap, for hover
    painted = dict(new["l"])["images.0.source"]["image"]  # what the eye sees: painted from a byte per cell
    lo, hi = painted["zmin"], painted["zmax"]  # beyond the scale's ends a heatmap shows their colours too
    half_level = (hi - lo) / spec.LEVELS / 2 * 1.0001
    np.testing.assert_allclose(spec.unpaint(painted), np.clip(want, lo, hi), rtol=0, atol=half_level)
    np.testing.assert_array_equal(np.asarray(spec.decode(old["data"][0]["z"]), dtype=np.float32), want)


def _at(obj, path: str):
    for k in path.split("."):
        obj = obj[int(k)] if isinstance(obj, list) else obj[k]
    return obj


@pytest.mark.parametrize("chart", ["network", "deltas", "surface", "loss", "matrices"])
def test_every_number_a_frame_sends_is_the_old_figures(result, chart):
    """Each value a new-path patch writes equals the value at that path in the old path's figure."""
    old = json.loads(result.last_old[chart])
    new = json.loads(result.last_new[chart])
    base, patch = (new["base"], new["frames"][-1]) if chart == "loss" else (None, new)
    traces = [*patch["t"], *patch.get("h", [])]
    assert traces, "the patch carries numbers"
    painted = [(path, value) for path, value in patch["l"] if isinstance(value, dict)]
    for k, (path, value) in enumerate(painted):  # a layout image the browser paints: the builder leaves it empty
        assert _at(old["layout"], path) == ""
        if "image" in value:  # the k-th painted panel shows the k-th patched heatmap's numbers
            i, attrs = traces[k]
            lo, hi = value["image"]["zmin"], value["image"]["zmax"]
            want = np.clip(np.asarray(spec.decode(attrs["z"]), dtype=np.float64), lo, hi)
            half_level = (hi - lo) / spec.LEVELS / 2 * 1.0001
            np.testing.assert_allclose(spec.unpaint(value["image"]), want, rtol=0, atol=half_level)
    for i, attrs in traces:
        for path, value in attrs.items():
            got = np.asarray(spec.decode(value, base))
            want = np.asarray(spec.decode(_at(old["data"][i], path)))
            assert got.shape == want.shape, (chart, i, path)
            if want.dtype.kind == "f" or got.dtype.kind == "f":  # frames travel as float32
                np.testing.assert_array_equal(got.astype(np.float32), want.astype(np.float32), err_msg=path)
            else:
                np.testing.assert_array_equal(got, want, err_msg=path)
    for path, value in patch["l"]:
        if not isinstance(value, dict):
            assert _at(old["layout"], path) == value, (chart, path)
