"""Preallocated memory for the update's hot path: one flat θ, and arrays reused between updates.

Nothing here is mathematics; it is how ``network.py`` keeps the update close to the cost of its
matrix products. Profiling showed two costs besides the products: NumPy call overhead on small
networks (one call per parameter array in eqs. 7-8), and page faults on large ones (a fresh
multi-megabyte trace every update, handed back to the OS when freed). So every W^(l) and b^(l)
are views into one flat θ, and every gradient into one flat ∂J/∂θ laid out alike (:class:`Packed`;
the update is then one call), and step()/train_epoch() write each update's z, a, δ and gradients
into arrays they reuse. Which form each of eq. (9)'s sums takes is decided here too
(sum_transposed, sum_over_examples): the same products, in the call OpenBLAS runs fastest.
"""
from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


class Packed:
    """θ — every W^(l), then every b^(l) — stored end to end in one flat array, so that one NumPy
    call can touch all of it. A network keeps its parameters this way, and a trace its ∂J/∂θ, laid
    out exactly like θ: the update of eqs. (7)-(8) is then one call on the two flat arrays.

    W[l] and b[l] are views into ``flat``, keyed by the text's l = 1 … n_l − 1 as in :class:`Trace`.
    """

    def __init__(self, sizes: tuple[int, ...], flat: Array | None = None) -> None:
        self.sizes = tuple(sizes)
        self._spans_W, self._spans_b, self.n_W, size = _layout(self.sizes)
        self._fill(np.empty(size) if flat is None else flat)

    def _fill(self, flat: Array) -> None:
        self.flat = flat
        self.W = {l: flat[i:j].reshape(shape) for l, (i, j, shape) in self._spans_W.items()}
        self.b = {l: flat[i:j].reshape(shape) for l, (i, j, shape) in self._spans_b.items()}
        self._lists: tuple[Views, Views] | None = None

    def empty_like(self) -> Packed:
        """A new Packed of the same sizes, in new memory (apply() makes one per update)."""
        new = object.__new__(Packed)
        new.sizes, new._spans_W, new._spans_b, new.n_W = self.sizes, self._spans_W, self._spans_b, self.n_W
        new._fill(np.empty_like(self.flat))
        return new

    def copy(self) -> Packed:
        new = self.empty_like()
        np.copyto(new.flat, self.flat)
        return new

    @property
    def all_W(self) -> Array:
        """Every W^(l), end to end, as one flat view: what weight decay acts on (b is left out)."""
        return self.flat[: self.n_W]

    @property
    def W_list(self) -> Views:
        """(W^(1), …, W^(n_l−1)), counted from 0 as Network.W hands them out; made once per Packed."""
        return (self._lists or self._make_lists())[0]

    @property
    def b_list(self) -> Views:
        """(b^(1), …, b^(n_l−1)), counted from 0 as Network.b hands them out."""
        return (self._lists or self._make_lists())[1]

    def _make_lists(self) -> tuple[Views, Views]:
        # Only on demand: most θ (one per update) and every ∂J/∂θ are never listed.
        self._lists = Views(self.W.values()), Views(self.b.values())
        return self._lists

    def __reduce__(self):
        # Copied one by one (deepcopy, pickle), the views would share no memory with the copied
        # flat array; so a copy is rebuilt from the copied flat array, its views made anew.
        return (Packed, (self.sizes, self.flat))


@functools.lru_cache(maxsize=32)
def _layout(sizes: tuple[int, ...]) -> tuple[dict, dict, int, int]:
    """Where θ's arrays lie in its flat array — (start, end, shape) of each W^(l), then each b^(l),
    keyed by l — the entries of every W^(l) together, and of all of θ. Worked out once per sizes."""
    L = range(1, len(sizes))
    shapes = [(sizes[l], sizes[l - 1]) for l in L] + [(sizes[l],) for l in L]
    ends = list(itertools.accumulate(math.prod(shape) for shape in shapes))
    spans = list(zip([0, *ends[:-1]], ends, shapes, strict=True))
    W, b = dict(zip(L, spans[: len(L)], strict=True)), dict(zip(L, spans[len(L) :], strict=True))
    return W, b, ends[len(L) - 1], ends[-1]


class Views(tuple):
    """Arrays that are views into a Packed, in order. Assigning an item copies the values into
    that view, so the Packed stays the one place they live: ``net.W[0] = A`` is an edit of θ."""

    __slots__ = ()

    def __setitem__(self, k: int, value) -> None:
        copy_into([self[operator.index(k)]], [value], f"item {k}")


def copy_into(views: Sequence[Array], arrays, what: str) -> None:
    """Copy ``arrays`` into ``views`` of the same shapes; every shape is checked before any is written."""
    arrays = [np.asarray(x) for x in arrays]
    want, got = [v.shape for v in views], [x.shape for x in arrays]
    if want != got:
        raise ValueError(f"{what} must have the shapes {want}; got {got}.")
    for view, x in zip(views, arrays, strict=True):
        np.copyto(view, x)


@dataclass
class Arrays:
    """Where one pass over m examples writes: z, a, δ and f′ of each layer l ≥ 2, (m, s_l), keyed
    by l as in :class:`Trace`, and the gradient ∂J/∂θ laid out like θ (see :class:`Packed`)."""

    z: dict[int, Array]
    a: dict[int, Array]
    delta: dict[int, Array]
    f_prime: dict[int, Array]
    grad: Packed  # ∂J/∂W^(l) at grad.W[l], ∂J/∂b^(l) at grad.b[l]
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
        grad = Packed(sizes)
        decay = np.empty(grad.n_W)  # as long as every W^(l)
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


def sum_over_examples(delta_next: Array, a: Array, out: Array, sum_T: Array | None) -> Array:
    """Σ_k δ^(l+1) (a^(l))ᵀ, eq. (9)'s sum, into ``out`` (W^(l)'s layout, (s_{l+1}, s_l)), from
    Δ^(l+1) (m, s_{l+1}) and A^(l) (m, s_l): (Δ^(l+1))ᵀ A^(l), or, where ``sum_T`` is given
    (Arrays.sum_T, see sum_transposed), ((A^(l))ᵀ Δ^(l+1))ᵀ formed in it and copied into out."""
    if sum_T is None:
        return np.dot(delta_next.T, a, out=out)
    np.copyto(out, np.dot(a.T, delta_next, out=sum_T).T)
    return out


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
        # would part the smaller batches' views from the full arrays they must share memory with.
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
    Like :class:`Scratch`, a copy starts empty: the arrays hold no state worth copying.
    """

    def __init__(self) -> None:
        self.arrays: list[Arrays] = []

    def __reduce__(self):
        return (TracePool, ())

    def spare(self, m: int, sizes: tuple[int, ...], held: list) -> Arrays:
        """Arrays for m examples that no trace in ``held`` (traces or None) was written into."""
        grads = [t.grad for t in held if t is not None]
        for arr in self.arrays:
            if arr.m == m and not any(arr.grad is g for g in grads):
                return arr
        self.arrays = [a for a in self.arrays if a.m == m][:4]  # a new m (new data): the old ones go
        arr = Arrays.empty(m, sizes)
        self.arrays.append(arr)
        return arr

    def owns(self, trace) -> bool:
        return trace is not None and any(trace.grad is a.grad for a in self.arrays)
