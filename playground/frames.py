"""Core → frames: what the live charts show at one moment of training, as plain arrays.

While playing, one server tick trains for a while and takes several :class:`Snapshot`s on the way;
the browser plays them back at display rate (ui/live.py, assets/live_chart.js). A snapshot holds
exactly what is drawn — the δ^(l) of the heatmaps' fixed examples only, the prediction over the
surface's grid, float32 — so taking one is cheap and sending it is small. Pure NumPy, like the Run.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from . import readouts
from .run import Run
from .runs import Lockstep


@dataclass(frozen=True)
class Snapshot:
    """The numbers on screen at one moment: the readout and each chart's arrays (copies, float64 as the
    core keeps them; the figures' frame functions send them as float32 where every value survives)."""

    epoch: int
    updates: int
    J: float  # eq. (6) on the training set, with its two terms
    J_data: float
    J_decay: float
    metric_train: float
    metric_test: float
    deltas: dict[int, np.ndarray]  # l -> (n_shown, s_l): δ^(l) of the heatmaps' examples, in display order
    W: tuple[np.ndarray, ...]  # W^(1) … W^(n_l − 1)
    dW: tuple[np.ndarray, ...]  # ∂J/∂W^(1) …
    surface: np.ndarray | None  # (G, G) prediction over the input plane, 2-D data only


def take(run: Run, *, order: np.ndarray, surface: bool = True) -> Snapshot:
    """A snapshot of ``run`` as it stands: its shown trace (the update being walked through, or the
    next one at the current weights) and the test numbers measured for this epoch.

    ``order``: the rows of the shown trace that the δ heatmaps draw, in display order.
    """
    run.measure()
    tr = run.trace
    h = run.history.columns()
    grid = readouts.surface(run) if surface else None
    n_l = tr.n_l
    return Snapshot(
        epoch=run.epoch, updates=run.updates, J=float(tr.J), J_data=float(tr.J_data), J_decay=float(tr.J_decay),
        metric_train=float(h["metric_train"][-1]), metric_test=float(h["metric_test"][-1]),
        deltas={l: np.array(tr.delta[l][order]) for l in range(2, n_l + 1)},
        W=tuple(np.array(w) for w in run.net.W),
        dW=tuple(np.array(tr.dW[l]) for l in range(1, n_l)),
        surface=None if grid is None else grid[2],
    )


@dataclass
class Clock:
    """How much training a Play tick owes at a speed in epochs per second (fractions carry over)."""

    owed: float = 0.0  # updates owed from earlier ticks
    last: float | None = None  # time of the last tick
    per_update: float = 0.0  # seconds one update took in the last ticks (play() measures it), 0: not yet

    def due(self, run: Run, epochs_per_second: float, now: float | None = None, max_gap: float = 1.0) -> int:
        """Updates to make now: speed × time since the last tick (at most ``max_gap`` seconds' worth)."""
        now = time.perf_counter() if now is None else now
        gap = min(max_gap, now - self.last) if self.last is not None else 0.0
        self.last = now
        self.owed += epochs_per_second * run.updates_per_epoch * max(gap, 0.0)
        n = math.floor(self.owed)
        self.owed -= n
        return n


def play(run: Run, n_updates: int, n_snapshots: int, *, budget_seconds: float, order: np.ndarray,
         also: Run | None = None, clock: Clock | None = None) -> tuple[list[Snapshot], bool]:
    """Make up to ``n_updates`` updates in ``n_snapshots`` even chunks, a snapshot after each.

    Training stops when ``budget_seconds`` of CPU are spent on it (snapshots not counted: the caller
    sets how many; the first chunk always runs, and each chunk makes at least one update) or an
    update of ``run`` is refused. ``also``: a second run stepped in lockstep (compare runs): exactly
    as many updates as ``run`` made, whatever the budget cut; it may diverge on its own (its notice
    says so) without stopping ``run``. ``clock``: keeps the time an update takes, so that when the
    budget cannot afford ``n_updates`` (a fast speed, a big network) the updates it can afford are
    split into the chunks, and every snapshot is still taken, instead of the first chunks spending
    the budget and the animation getting two frames.
    Returns (snapshots, ok); ok is False once an update of ``run`` was refused. Never empty.
    """
    pair = Lockstep(run, also)
    if clock is not None and clock.per_update > 0:
        n_updates = min(n_updates, max(n_snapshots, int(budget_seconds / clock.per_update)))
    n_snapshots = max(1, min(n_snapshots, n_updates))
    bounds = np.linspace(0, n_updates, n_snapshots + 1).round().astype(int)
    snaps, ok = [], True
    trained, made = 0.0, 0
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        left = budget_seconds - trained
        if snaps and left <= 0:
            break
        before = run.updates
        t0 = time.perf_counter()
        ok = run.play(int(b - a), max(left, 0.0))
        if run.updates > before:
            pair.follow(run.updates - before)
        trained += time.perf_counter() - t0
        made += run.updates - before
        if b > a or not snaps:
            snaps.append(take(run, order=order))
        if not ok:
            break
    if clock is not None and made:
        now = trained / made
        clock.per_update = now if not clock.per_update else 0.5 * (clock.per_update + now)
    return snaps, ok
