"""Smoke test of benchmarks/long_run.py's core loop: a short Play past the history bound.

No timing assertions (timed tests are not allowed here): only that the loop runs, draws every
chart, and that History and DiagnosticsHistory stay within their bound.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmark_loader import load_benchmark  # noqa: E402

from playground.diagnostics import MAX_ROWS as DIAG_MAX_ROWS  # noqa: E402
from playground.history import MAX_ROWS  # noqa: E402


def _long_run():
    return load_benchmark("long_run")


def test_long_run_core_loop_keeps_history_bounded() -> None:
    lr = _long_run()
    epochs = MAX_ROWS + 500  # past the first halving of the history
    res = lr.simulate(epochs, speed=50, checkpoints=(MAX_ROWS,), window=2, frame_every=MAX_ROWS,
                      measure_memory=False, max_seconds=300)
    assert res.stopped is None, res.stopped
    assert [c.epoch for c in res.checkpoints] == [MAX_ROWS, epochs]
    assert res.max_history_rows <= MAX_ROWS + 1
    assert res.max_diagnostics_rows <= DIAG_MAX_ROWS + 1
    for c in res.checkpoints:
        assert 0 < c.history_rows <= MAX_ROWS + 1
        assert 0 < c.diagnostics_rows <= DIAG_MAX_ROWS + 1
        assert c.frames == 2 and c.loss_bytes > 0 and c.payload_bytes > c.loss_bytes
    assert "history rows" in lr.report(res)


def test_frame_payloads_draws_every_view_chart() -> None:
    lr = _long_run()
    from playground import config as C
    from playground.experiment import new_run

    run = new_run(C.DEFAULT)
    run.play(3)
    sizes = lr.frame_payloads(run, instrument="none")
    assert set(sizes) == {"network", "deltas", "surface", "loss", "matrices"}
    assert "diagnostics" in lr.frame_payloads(run)
