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


class Batches:
    """The queue of batches an epoch is made of, as :class:`Run` takes them one update at a time.

    Each epoch's order is drawn from ``rng`` by :func:`minibatches` when the epoch's first batch is
    asked for, not before, so a run that steps, walks phases or plays draws exactly the same orders
    as :func:`train_epoch` does epoch by epoch. One batch is under way at a time: :meth:`peek` names
    it, and :meth:`pop` is called once its update has been applied.
    """

    def __init__(self, m: int, batch_size: int | None, rng: np.random.Generator) -> None:
        self.m = m
        self.batch_size = check_batch_size(batch_size or None)  # 0 or None: the whole set, as the text
        self.rng = rng
        # minibatches() makes a batch of all m rows exactly then: the text's full-batch descent
        self.is_full_batch = self.batch_size is None or self.batch_size >= m
        self._epoch: list[slice | np.ndarray] = []  # this epoch's batches; empty: the next draws an order
        self._at = 0  # the batch under way

    @property
    def per_epoch(self) -> int:
        """Updates in one epoch: 1 for full-batch descent, ⌈m / batch size⌉ otherwise."""
        return 1 if self.is_full_batch else -(-self.m // self.batch_size)

    def peek(self) -> slice | np.ndarray:
        """The rows of the batch under way (``slice(None)`` for all m); starts a new epoch if none is."""
        if not self._epoch:
            self._epoch = list(minibatches(self.m, self.batch_size, self.rng))
            self._at = 0
        return self._epoch[self._at]

    @property
    def is_last(self) -> bool:
        """The batch under way is the last of its epoch: its update ends the epoch."""
        return len(self._epoch) - self._at == 1

    def pop(self) -> slice | np.ndarray:
        """The batch under way has been applied: move on to the next (after the last, a new epoch)."""
        idx = self._epoch[self._at]
        self._at += 1
        if self._at == len(self._epoch):
            self.restart()
        return idx

    def restart(self) -> None:
        """Drop the epoch under way; the next :meth:`peek` draws a new order from rng."""
        self._epoch, self._at = [], 0


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
