"""Preallocated memory for the update's hot path: one flat θ, and arrays reused between updates.

Nothing here is mathematics; it is how ``network.py`` keeps the update close to the cost of its
matrix products. Profiling showed two costs besides the products: NumPy call overhead on small
networks (one call per parameter array in eqs. 7-8), and page faults on large ones (a fresh
multi-megabyte trace every update, handed back to the OS when freed). So every W^(l) and b^(l)
are views into one flat θ (the update is then one call), and step()/train_epoch() write each
update's z, a, δ and gradients into arrays they reuse.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


class Packed:
    """Arrays of the given shapes stored end to end in one flat array, so that one NumPy call
    can touch them all. θ (every W^(l), then every b^(l)) and ∂J/∂θ are kept this way."""

    def __init__(self, shapes: list[tuple[int, ...]]) -> None:
        self.ends = list(itertools.accumulate(math.prod(shape) for shape in shapes))
        self.flat = np.empty(self.ends[-1])
        starts = [0, *self.ends[:-1]]
        self.views = [self.flat[i:j].reshape(shape) for i, j, shape in zip(starts, self.ends, shapes, strict=True)]

    def first(self, n: int) -> Array:
        """The first n arrays, as one flat view."""
        return self.flat[: self.ends[n - 1]]

    def holds(self, arrays: list[Array]) -> bool:
        """Whether arrays are still exactly these views. A caller may have put other arrays in
        their place (the UI imports weights, a test breaks a gradient), or copied them (deepcopy,
        pickle: the copies share no memory); then the flat array no longer stands for them."""
        views = self.views
        return (
            len(arrays) == len(views)
            and views[0].base is self.flat
            and all(x is v for x, v in zip(arrays, views, strict=True))
        )


def theta_shapes(sizes: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The shapes in θ: W^(1), …, W^(n_l-1), then b^(1), …, b^(n_l-1)."""
    L = range(len(sizes) - 1)
    return [(sizes[k + 1], sizes[k]) for k in L] + [(sizes[k + 1],) for k in L]


@dataclass
class Arrays:
    """Where one pass over m examples writes: z, a, δ and f′ of each layer l ≥ 2, (m, s_l), keyed
    by l as in :class:`Trace`, and the gradient ∂J/∂θ laid out like θ (see :class:`Packed`)."""

    z: dict[int, Array]
    a: dict[int, Array]
    delta: dict[int, Array]
    f_prime: dict[int, Array]
    grad: Packed  # views: ∂J/∂W^(l) at index l − 1, then ∂J/∂b^(l)
    mean_k: Array  # (m,), every entry 1/m: the mean over the examples as a matrix-vector product

    @property
    def m(self) -> int:
        return self.mean_k.shape[0]

    @classmethod
    def empty(cls, m: int, sizes: tuple[int, ...]) -> Arrays:
        L = range(2, len(sizes) + 1)
        z, a, delta, f_prime = ({l: np.empty((m, sizes[l - 1])) for l in L} for _ in range(4))
        return cls(z, a, delta, f_prime, Packed(theta_shapes(sizes)), np.full(m, 1.0 / m))

    def first_rows(self, m: int) -> Arrays:
        """The same memory for a smaller batch of m examples: each array's leading m rows."""
        z, a, delta, f_prime = ({l: x[:m] for l, x in d.items()} for d in (self.z, self.a, self.delta, self.f_prime))
        return Arrays(z, a, delta, f_prime, self.grad, np.full(m, 1.0 / m))


class Scratch:
    """The arrays step() and train_epoch reuse from one update to the next.

    Their traces are dropped as soon as they are applied, so the next update may overwrite the
    arrays instead of allocating new ones. That matters on thousands of examples: new
    multi-megabyte arrays every update mean page faults (the allocator hands freed memory back
    to the OS), which cost about as much as the elementwise math. trace() never uses these:
    the UI keeps the traces it returns.
    """

    def __init__(self) -> None:
        self.full: Arrays | None = None  # for the largest batch so far
        self.smaller: dict[int, Arrays] = {}  # views of it for smaller batches, by m

    def __reduce__(self):
        # A copy (deepcopy, pickle) starts empty: these arrays hold no state, and copying them
        # would part the gradient views from the flat array they must share memory with.
        return (Scratch, ())

    def arrays(self, m: int, sizes: tuple[int, ...]) -> Arrays:
        full = self.full
        if full is None or full.m < m:
            self.full, self.smaller = Arrays.empty(m, sizes), {}
            return self.full
        if full.m == m:
            return full
        if m not in self.smaller:
            self.smaller[m] = full.first_rows(m)
        return self.smaller[m]
