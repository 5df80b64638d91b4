"""Epochs and mini-batches: the same update of eqs. (7)-(8) applied to batches of the data.

The text trains with full-batch gradient descent, which stays the default (batch_size=None).
A mini-batch step is the identical update with m = the batch size (docs/derivation.md, "Beyond the text").
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .network import DivergenceError, Network, check_lam


def minibatches(m: int, batch_size: int | None, rng: np.random.Generator) -> Iterator[slice | np.ndarray]:
    """The batches of one epoch, as indices into the m examples.

    A batch that covers all m examples is yielded as ``slice(None)`` in the original order and
    draws nothing from rng, so a batch size of m is exactly full-batch descent. Otherwise the
    examples are reshuffled from rng each epoch; the last batch may be smaller.
    """
    batch_size = check_batch_size(batch_size)
    if batch_size is None or batch_size >= m:
        yield slice(None)
        return
    order = rng.permutation(m)
    for start in range(0, m, batch_size):
        yield order[start : start + batch_size]


def check_batch_size(batch_size) -> int | None:
    if batch_size is None:
        return None
    try:
        ok = not isinstance(batch_size, bool) and float(batch_size).is_integer() and batch_size >= 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"The batch size must be a whole number ≥ 1 (or None for full batch); got {batch_size!r}.")
    return int(batch_size)


def train_epoch(
    net: Network,
    X,
    Y,
    alpha: float,
    lam: float = 0.0,
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
    epoch: int | None = None,
) -> float:
    """One pass over (X, Y); returns the example-weighted mean of J before each update.

    rng reshuffles the mini-batches; None uses the network's own batch stream (``net.rng``,
    seeded from its seed), so consecutive epochs see different orders and a seed fixes them all.

    If an update diverges, the updates before it in this epoch are kept, the diverging one is
    not, and :class:`DivergenceError` names the epoch ("Diverged at epoch N …").
    """
    X, Y = net.check_XY(X, Y)
    lam = check_lam(lam)
    if rng is None:
        rng = net.rng
    m = X.shape[0]
    total = 0.0
    for idx in minibatches(m, batch_size, rng):
        Xb, Yb = X[idx], Y[idx]
        try:
            J = net.apply(net._trace(Xb, Yb, lam), alpha)
        except DivergenceError as err:
            where = f" at epoch {epoch}" if epoch is not None else ""
            raise DivergenceError(
                f"Diverged{where}: {str(err).removeprefix('Diverged: ')}", epoch=epoch, J=err.J
            ) from None
        total += J * Xb.shape[0]
    return total / m
