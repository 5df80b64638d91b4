"""What is done to whole Runs: one step measured, runs in lockstep, a gradient check of a run.

These take a :class:`Run` and use :mod:`playground.diagnostics` (which works on a Trace), so they
live here, above both: the Run records diagnostics, and nothing below it imports the Run.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .config import Config, replace, validate
from .diagnostics import predicted_delta_J
from .gradcheck import GradCheck, gradient_check
from .run import Run

CHECK_EXAMPLES = 200  # the gradient check uses at most this many training examples


class DeltaJ(NamedTuple):
    predicted: float
    measured: float  # NaN when the update was refused
    ok: bool


def measured_step(run: Run) -> DeltaJ:
    """One ``run.step()`` with the predicted and the measured change of J on the training set.

    Exact for full-batch descent (the text's): the prediction uses the gradient the step applies.
    With mini-batches the step follows one batch's gradient, whose mean is the full gradient, so the
    prediction is what the step achieves on average and single steps scatter around it (and each
    step then costs one extra pass over the training set). With a phase walk under way the step
    completes that walk's update, which this cannot predict: both numbers are then NaN.
    """
    if run.walk is not None:
        return DeltaJ(math.nan, math.nan, run.step())
    before = run.current_trace()
    predicted = predicted_delta_J(before, run.cfg.alpha)
    ok = run.step()
    measured = run.current_trace().J - before.J if ok else math.nan
    return DeltaJ(predicted, measured, ok)


DATA_FIELDS = ("dataset", "noise", "n_points", "train_fraction", "data_seed", "features")


def clone_with(run: Run, **changes) -> Run:
    """A fresh run (epoch 0) of ``run``'s config with ``changes``, on the very same data object.

    A Run is a deterministic function of its config and data: the weights come from cfg.seed and
    the mini-batch order from the same seed. So ``clone_with(clone_with(run, lam=x), lam=run.cfg.lam)``
    trains bit-identically to a fresh copy of ``run``, and any difference between two clones is the
    changed setting's doing. Data settings cannot change: both runs must see the same examples.
    """
    data_changes = sorted(set(changes) & set(DATA_FIELDS))
    if data_changes:
        raise ValueError(f"Compared runs share one dataset; {', '.join(data_changes)} cannot differ.")
    cfg: Config = validate(replace(run.cfg, **changes))
    return type(run)(cfg, run.data, run.plot_data, run.grid_inputs)


class Lockstep:
    """A run and the runs compared with it (compare runs): every move the first makes — a Step,
    an Epoch, a Phase, Play's updates — the others make too, each exactly as it would alone (they
    share no state). A run whose update is refused (it diverged) stays where it is; the others go on.
    The one place where runs move together: the run controls, Play (frames.play) and lockstep().
    """

    MOVES = ("step", "run_epoch", "advance_phase")

    def __init__(self, lead: Run, *others: Run | None) -> None:
        self.lead = lead
        self.others = [r for r in others if r is not None]

    def act(self, move: str) -> bool:
        """Make ``move`` (one of MOVES, a Run method) on every run; whether the lead's was done."""
        if move not in self.MOVES:
            raise ValueError(f"unknown move {move!r}; one of {', '.join(self.MOVES)}")
        ok = getattr(self.lead, move)()
        for run in self.others:
            getattr(run, move)()
        return ok

    def follow(self, n_updates: int) -> None:
        """The others make ``n_updates`` updates: as many as the lead just made (Play)."""
        for run in self.others:
            run.play(n_updates)


def lockstep(run_a: Run, run_b: Run, n_updates: int) -> tuple[int, int]:
    """Step both runs n_updates times, alternately; returns the updates each one made."""
    before = run_a.updates, run_b.updates
    pair = Lockstep(run_a, run_b)
    for _ in range(n_updates):
        pair.act("step")
    return run_a.updates - before[0], run_b.updates - before[1]


# ------------------------------------------------------------------------ gradient check
def check_run(
    run: Run, max_per_layer: int | None = 200, progress: Callable[[float], None] | None = None,
    max_examples: int = CHECK_EXAMPLES,
) -> GradCheck:
    """Gradient check of ``run.net`` at its current weights, with the run's λ.

    On the training set, or on a seeded subset of ``max_examples`` of it so that the 2 forward passes
    per parameter stay quick; at most ``max_per_layer`` parameters per layer (a seeded sample).
    The weights are left exactly as they were.
    """
    X, Y = run.data.X_train, run.Y_train
    if X.shape[0] > max_examples:
        pick = np.sort(np.random.default_rng(0).choice(X.shape[0], size=max_examples, replace=False))
        X, Y = X[pick], Y[pick]
    return gradient_check(
        run.net, X, Y, run.cfg.lam, max_per_layer=max_per_layer, rng=np.random.default_rng(0), progress=progress
    )
