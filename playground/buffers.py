"""Preallocated memory for the update's hot path: one flat θ, and arrays reused between updates.

Nothing here is mathematics; it is how ``network.py`` keeps the update close to the cost of its
matrix products. Profiling showed two costs besides the products: NumPy call overhead on small
networks (one call per parameter array in eqs. 7-8), and page faults on large ones (a fresh
multi-megabyte trace every update, handed back to the OS when freed). So every W^(l) and b^(l)
are views into one flat θ (the update is then one call), and step()/train_epoch() write each
update's z, a, δ and gradients into arrays they reuse. Which form each of eq. (9)'s sums takes
is decided here too (sum_transposed): the same products, in the call OpenBLAS runs fastest.
"""
from __future__ import annotations

import itertools
import math
import operator
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


class Packed:
    """Arrays of the given shapes stored end to end in one flat array, so that one NumPy call
    can touch them all. θ (every W^(l), then every b^(l)) and ∂J/∂θ are kept this way."""

    def __init__(self, shapes: list[tuple[int, ...]]) -> None:
        self.ends = list(itertools.accumulate(math.prod(shape) for shape in shapes))
        self._spans = list(zip([0, *self.ends[:-1]], self.ends, shapes, strict=True))
        self._fill()

    def _fill(self) -> None:
        flat = self.flat = np.empty(self.ends[-1])
        self.views = [flat[i:j].reshape(shape) for i, j, shape in self._spans]

    def empty_like(self) -> Packed:
        """A new Packed of the same shapes, in new memory (apply() makes one per update, so
        the layout is worked out once, not per update)."""
        new = object.__new__(Packed)
        new.ends, new._spans = self.ends, self._spans
        new._fill()
        return new

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
            and all(map(operator.is_, arrays, views))  # 3× faster than a generator on small nets
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
    # Σ_k a^(l) (δ^(l+1))ᵀ at l, (s_l, s_{l+1}): eq. (9)'s sum formed transposed, then copied
    # into W^(l)'s layout in grad; None where it is formed in that layout (see sum_transposed).
    sum_T: dict[int, Array | None]
    decay: Array  # λW^(l) for every l, end to end: eq. (9)'s decay term without a new array

    @property
    def m(self) -> int:
        return self.mean_k.shape[0]

    @classmethod
    def empty(cls, m: int, sizes: tuple[int, ...]) -> Arrays:
        L = range(2, len(sizes) + 1)
        z, a, delta, f_prime = ({l: np.empty((m, sizes[l - 1])) for l in L} for _ in range(4))
        grad = Packed(theta_shapes(sizes))
        decay = np.empty(grad.ends[len(sizes) - 2])  # as long as every W^(l)
        return cls(z, a, delta, f_prime, grad, np.full(m, 1.0 / m), _sums_T(m, sizes), decay)

    def first_rows(self, m: int, sizes: tuple[int, ...]) -> Arrays:
        """The same memory for a smaller batch of m examples: each array's leading m rows."""
        z, a, delta, f_prime = ({l: x[:m] for l, x in d.items()} for d in (self.z, self.a, self.delta, self.f_prime))
        return Arrays(z, a, delta, f_prime, self.grad, np.full(m, 1.0 / m), _sums_T(m, sizes), self.decay)


# Which way eq. (9)'s sum over the examples is formed. Σ_k δ^(l+1) (a^(l))ᵀ is one matrix product,
# (Δ^(l+1))ᵀ A^(l) in W^(l)'s layout or ((A^(l))ᵀ Δ^(l+1))ᵀ, the same products and sums. Measured
# with OpenBLAS on two threads (benchmarks/core_speed.py), the transposed call is up to 4× faster
# when W^(l) is small and m large (OpenBLAS splits it between its threads differently), and more
# so when another process holds a core. When W^(l) is large the two cost the same, so copying
# into W^(l)'s layout would be extra work; below 2^18 multiply-adds OpenBLAS uses one thread and
# they cost the same too, so the copy's call would be extra.
TRANSPOSED_MAX_W = 4096  # entries of W^(l)
TRANSPOSED_MIN_WORK = 2**18  # m · s_l · s_{l+1}: about where OpenBLAS starts a second thread


def sum_transposed(m: int, s_l: int, s_next: int) -> bool:
    """Whether eq. (9)'s sum for a W^(l) of shape (s_next, s_l) over m examples is formed transposed."""
    return s_l * s_next <= TRANSPOSED_MAX_W and m * s_l * s_next >= TRANSPOSED_MIN_WORK


def _sums_T(m: int, sizes: tuple[int, ...]) -> dict[int, Array | None]:
    return {
        l: np.empty((sizes[l - 1], sizes[l])) if sum_transposed(m, sizes[l - 1], sizes[l]) else None
        for l in range(1, len(sizes))
    }


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
            self.smaller[m] = full.first_rows(m, sizes)
        return self.smaller[m]


class TracePool:
    """Memory for the traces of Run.play: a few Arrays reused in turn instead of new ones per update.

    A Run keeps up to four traces alive at once (the one on screen, the one being applied, the last
    full-batch step's for ΔJ, a phase walk's), so :meth:`spare` hands out Arrays none of the
    traces it is told about write into. New Arrays cost ~20 % of a small network's update
    (allocation, then page faults on first touch), which is what Play's fastest speed is made of.
    Like :class:`Scratch`, a copy starts empty: copied views would no longer share the flat gradient.
    """

    def __init__(self) -> None:
        self.arrays: list[Arrays] = []

    def __reduce__(self):
        return (TracePool, ())

    def spare(self, m: int, sizes: tuple[int, ...], held: list) -> Arrays:
        """Arrays for m examples that no trace in ``held`` (traces or None) was written into."""
        grads = [getattr(t, "_grad", None) for t in held if t is not None]
        for arr in self.arrays:
            if arr.m == m and not any(arr.grad is g for g in grads):
                return arr
        self.arrays = [a for a in self.arrays if a.m == m][:4]  # a new m (new data): the old ones go
        arr = Arrays.empty(m, sizes)
        self.arrays.append(arr)
        return arr

    def owns(self, trace) -> bool:
        return trace is not None and any(getattr(trace, "_grad", None) is a.grad for a in self.arrays)
