"""What is done to whole Runs: one step measured, two runs in lockstep, a gradient check of a run.

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
    if run.phase is not None:
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


def lockstep(run_a: Run, run_b: Run, n_updates: int) -> tuple[int, int]:
    """Step both runs n_updates times, alternately; returns the updates each one made.

    A run whose update is refused (it diverged) stops for the rest of this call; the other goes on.
    Each run evolves exactly as it would alone: they share no state.
    """
    done = [0, 0]
    going = [True, True]
    for _ in range(n_updates):
        for k, run in enumerate((run_a, run_b)):
            if going[k]:
                going[k] = run.step()
                done[k] += going[k]
        if not any(going):
            break
    return done[0], done[1]


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
