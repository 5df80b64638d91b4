"""The network and its backward pass, in the notation of the derivation.

Index convention, stated once. The text numbers layers l = 1 … n_l (1 = input, n_l = output)
and W^(l) maps layer l to layer l+1, so W^(l) has shape (s_{l+1}, s_l) and b^(l) has shape
(s_{l+1},). ``net.W`` and ``net.b`` count from 0, as Python sequences do: ``net.W[k]`` is W^(k+1)
and ``net.b[k]`` is b^(k+1). Everything else — ``net.f``, ``net.theta.W``, and every field of
:class:`Trace`, its W and b included — is keyed by the text's own l, so ``trace.delta[n_l]`` is
δ^(n_l) and ``trace.W[l]`` is W^(l).

θ has one owner. A network's W^(l) and b^(l) all live in one flat array, ``net.theta``
(:class:`~playground.buffers.Packed`), and ``net.W``, ``net.b`` are views of it; a trace's
gradients live likewise in one flat ∂J/∂θ laid out like θ. So the update, eqs. (7)-(8), is one
call over all of θ, and there is no other path.

Examples are rows. The text writes z^(l) for one example as a column; here z[l] stacks the m
examples as rows, shape (m, s_l), so row k of z[l] is (z^(l) for x^(k))ᵀ. Eq. (2) for the batch
is then Z^(l+1) = A^(l) (W^(l))ᵀ + b^(l), and the completed recursion (docs/derivation.md),
δ^(l) = ((W^(l))ᵀ δ^(l+1)) ∘ f′(z^(l)), becomes Δ^(l) = (Δ^(l+1) W^(l)) ∘ f′(Z^(l)).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .activations import Activation, get_activation
from .buffers import Arrays, Packed, Scratch, Views, copy_into, sum_over_examples
from .initializers import get_initializer
from .losses import Loss, get_loss, output_activation_for

Array = np.ndarray

MAX_LAYER_SIZE = 100_000  # a sanity bound on s_l; the UI applies far tighter limits


class DivergenceError(FloatingPointError):
    """An update would have made J or a weight non-finite; the weights were left as they were."""

    def __init__(self, message: str, *, epoch: int | None = None, J: float | None = None):
        super().__init__(message)
        self.epoch = epoch
        self.J = J


@dataclass
class Trace:
    """Every intermediate of one forward and backward pass, keyed by the text's layer index l.

    a[l], l = 1..n_l and z[l], l = 2..n_l: activations and weighted inputs, (m, s_l), eqs. (1)-(4).
    delta[l], l = 2..n_l: the error terms δ^(l) = ∂J/∂z^(l), (m, s_l), eqs. (14), (15), (17), (18);
        these are the arrays the gradients were built from, so drawing them costs no second pass.
    grad: ∂J/∂θ of the overall cost, laid out like θ; dW[l] = ∂J/∂W^(l) and db[l] = ∂J/∂b^(l),
        l = 1..n_l-1, are its views, eqs. (9), (10) (see :func:`gradients`).
    per_example: J(W,b;x^(k),y^(k)) for each k, eq. (5); J_data is their mean, J_decay the λ term, eq. (6).
    theta: the θ this pass used; W[l] = W^(l) and b[l] = b^(l), l = 1..n_l-1, are its views. An
        update makes a new θ and never writes this one, so W and b stay the ones the pass used.
    """

    a: dict[int, Array]
    z: dict[int, Array]
    delta: dict[int, Array]
    grad: Packed
    per_example: Array
    J_data: float
    J_decay: float
    lam: float
    theta: Packed

    @property
    def dW(self) -> dict[int, Array]:
        return self.grad.W

    @property
    def db(self) -> dict[int, Array]:
        return self.grad.b

    @property
    def W(self) -> dict[int, Array]:
        return self.theta.W

    @property
    def b(self) -> dict[int, Array]:
        return self.theta.b

    @property
    def J(self) -> float:
        """The overall cost J(W,b), eq. (6)."""
        return self.J_data + self.J_decay

    @property
    def n_l(self) -> int:
        return len(self.a)

    @property
    def m(self) -> int:
        return self.a[1].shape[0]

    def own(self) -> Trace:
        """The same trace in memory of its own: copies of what the pass wrote (z, a^(l) for l ≥ 2, δ,
        ∂J/∂θ), for a trace computed into memory that will be reused. θ is shared: no update writes it."""
        return Trace(
            {l: (a if l == 1 else np.array(a)) for l, a in self.a.items()},  # a^(1) is X, never written
            {l: np.array(z) for l, z in self.z.items()}, {l: np.array(d) for l, d in self.delta.items()},
            self.grad.copy(), np.array(self.per_example), self.J_data, self.J_decay, self.lam, self.theta,
        )


class Network:
    """A fully connected network trained by batch gradient descent on J(W,b), eq. (6).

    sizes: [s_1, …, s_{n_l}], input layer first. activation: the hidden layers' f — one name,
    or a list with one name per hidden layer. output_activation: f at layer n_l; None means the
    hidden f, as eq. (4) has it (with a list, the last hidden layer's). loss: "squared" (eq. 5)
    or "cross_entropy". init and seed fix W^(l); biases start at zero.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Sequence[str] = "sigmoid",
        output_activation: str | None = None,
        loss: str = "squared",
        seed: int | None = 0,
        init: str = "xavier",
    ):
        self.sizes = _check_sizes(sizes)
        n_l = len(self.sizes)
        hidden_names = _hidden_names(activation, n_l - 2)
        self.loss: Loss = get_loss(loss)
        self.f: dict[int, Activation] = {l: get_activation(name) for l, name in enumerate(hidden_names, start=2)}
        default_out = get_activation(hidden_names[-1] if hidden_names else activation)  # type: ignore[arg-type]
        self.f[n_l] = output_activation_for(self.loss, self.sizes[-1], output_activation, default_out)
        self.init = get_initializer(init)
        self.seed = seed
        rng = np.random.default_rng(seed)
        self._theta = Packed(self.sizes)  # θ: W^(1), …, W^(n_l-1), then b^(1), …, b^(n_l-1)
        for l in range(1, n_l):
            self._theta.W[l][...] = self.init.draw(rng, self.sizes[l], self.sizes[l - 1])
            self._theta.b[l][...] = 0.0
        # Mini-batch order has its own stream from the same seed: one seed fixes the whole run.
        self.rng = np.random.default_rng([seed, 1]) if seed is not None else rng
        self._scratch = Scratch()

    # ----------------------------------------------------------------- structure
    @property
    def n_l(self) -> int:
        return len(self.sizes)

    @property
    def theta(self) -> Packed:
        """θ: every W^(l), then every b^(l), in one flat array; W and b are its views. Each update
        makes a new θ, so a trace or chart holding the old one keeps seeing the old values."""
        return self._theta

    @property
    def W(self) -> Views:
        """(W^(1), …, W^(n_l-1)) as views of θ, counted from 0: W[k] is W^(k+1). An edit in place
        (``net.W[0][i, j] = v``) is an edit of θ; assigning arrays of the same shapes, to W or to an
        item of it, copies them into θ."""
        return self._theta.W_list

    @W.setter
    def W(self, W: Sequence) -> None:
        copy_into(self._theta.W_list, W, "W")

    @property
    def b(self) -> Views:
        """(b^(1), …, b^(n_l-1)) as views of θ, counted from 0, like :attr:`W`."""
        return self._theta.b_list

    @b.setter
    def b(self, b: Sequence) -> None:
        copy_into(self._theta.b_list, b, "b")

    def copy(self) -> Network:
        """An independent copy: same structure, f, loss and parameters."""
        other = object.__new__(Network)
        other.__dict__.update(self.__dict__)
        other._theta = self._theta.copy()
        other.rng = np.random.default_rng()
        other.rng.bit_generator.state = self.rng.bit_generator.state
        other._scratch = Scratch()  # never shared: each network overwrites its own
        return other

    # ------------------------------------------------------------- forward pass
    def predict(self, X) -> Array:
        """h_{W,b}(x) = a^(n_l) for every row of X, eqs. (2)-(4). Returns (m, s_{n_l})."""
        a = self.check_X(X)
        W, b = self._theta.W, self._theta.b
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):  # huge weights: inf, not a warning
            for l in range(1, self.n_l):
                z = a @ W[l].T  # eq. (2): (m, s_{l+1})
                z += b[l]
                a = self.f[l + 1].f(z)  # eq. (3)
        return a

    def cost(self, X, Y, lam: float = 0.0) -> float:
        """J(W,b), eq. (6), from a forward pass only (the gradient check calls this often)."""
        X, Y = self.check_XY(X, Y)
        lam = check_lam(lam)
        a = X
        W, b = self._theta.W, self._theta.b
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            for l in range(1, self.n_l):
                z = a @ W[l].T
                z += b[l]
                a = self.f[l + 1].f(z)
            return float(self.loss.per_example(z, a, Y).mean()) + self._decay(lam)

    # ------------------------------------------------------------ backward pass
    def trace(self, X, Y, lam: float = 0.0, *, checked: bool = False, out: Arrays | None = None) -> Trace:
        """One forward and one backward pass, keeping every intermediate (see :class:`Trace`).

        checked: X and Y are what :meth:`check_XY` returned for them (a Run checks its data once
        when it gets it, not on every update: on large data the look for NaN is a pass over X).
        out: where to write the pass (Arrays for X's rows and this network's sizes), for a caller
        that reuses memory between traces (Run.play, through a TracePool); new arrays by default.
        """
        if not checked:
            X, Y = self.check_XY(X, Y)
        if out is not None and (out.grad.sizes != self.sizes or any(
                out.z[l].shape != (X.shape[0], self.sizes[l - 1]) for l in range(2, self.n_l + 1))):
            raise ValueError(f"out must hold arrays for {X.shape[0]} examples and layer sizes {self.sizes}.")
        return self._trace(X, Y, check_lam(lam), fresh=out is None, out=out)

    def cost_and_gradients(self, X, Y, lam: float = 0.0) -> tuple[float, list[Array], list[Array]]:
        """J per eq. (6) and its gradients per eqs. (9)-(10), as lists shaped like W and b."""
        tr = self.trace(X, Y, lam)
        L = range(1, self.n_l)
        return tr.J, [tr.dW[l] for l in L], [tr.db[l] for l in L]

    def _trace(self, X: Array, Y: Array, lam: float, *, fresh: bool = False, out: Arrays | None = None) -> Trace:
        """trace() on checked X, Y and λ. Unless fresh, the arrays live in this network's scratch
        space (see :class:`Scratch`) and the next such call overwrites them: only for callers
        that apply the trace and drop it, as step() and train_epoch do.
        """
        n_l, theta, f = self.n_l, self._theta, self.f
        W, b = theta.W, theta.b
        m = X.shape[0]
        if out is None:
            out = Arrays.empty(m, self.sizes) if fresh else self._scratch.arrays(m, self.sizes)
        a: dict[int, Array] = {1: X}
        z: dict[int, Array] = {}
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for l in range(1, n_l):
                zl = np.dot(a[l], W[l].T, out=out.z[l + 1])  # eq. (2): (m, s_{l+1})
                zl += b[l]
                z[l + 1] = zl
                a[l + 1] = f[l + 1].f(zl, out=out.a[l + 1])  # eqs. (3), (4)
            per_example = self.loss.per_example(z[n_l], a[n_l], Y)  # eq. (5): (m,)

            delta: dict[int, Array] = {n_l: self.loss.output_delta(z[n_l], a[n_l], Y, f[n_l])}  # eqs. (15), (17)
            for l in range(n_l - 1, 1, -1):  # δ^(1) is never needed: no weights feed the input layer
                d = np.dot(delta[l + 1], W[l], out=out.delta[l])  # eq. (18): row k is ((W^(l))ᵀ δ^(l+1))ᵀ
                d *= f[l].f_prime(z[l], a[l], out=out.f_prime[l])  # eq. (15)
                delta[l] = d
            grad = gradients(a, delta, lam, theta, out)  # eqs. (9), (10), written once below
            J_data = float(per_example.sum()) / m  # the mean, as ndarray.mean computes it
            J_decay = self._decay(lam)
        return Trace(a, z, delta, grad, per_example, J_data, J_decay, lam, theta)

    def _decay(self, lam: float) -> float:
        """(λ/2) Σ_l Σ_ij (W^(l)_ij)², the second term of eq. (6); callers ignore overflow (errstate)."""
        if not lam:
            return 0.0
        w = self._theta.all_W  # every W^(l), end to end
        return 0.5 * lam * float(np.vdot(w, w))

    # ------------------------------------------------------------------ update
    def step(self, X, Y, alpha: float, lam: float = 0.0) -> float:
        """One gradient-descent update, eqs. (7)-(8). Returns J before the update.

        Refused with :class:`DivergenceError` — W and b untouched — if J or any updated
        parameter would be non-finite.
        """
        # NaN or inf in X or Y is refused with the same ValueError as elsewhere, but looked for
        # only once the update is refused: a non-finite y_i makes J non-finite (eq. 5), and a
        # non-finite x_j makes column j of ∂J/∂W^(1) non-finite, each entry being a sum over k
        # of δ^(2)_i x_j (eq. 9; IEEE arithmetic, kept by BLAS, carries inf and NaN, and inf·0 is
        # NaN; test_core_errors checks it entry by entry, at zero weights and dead units too).
        # apply() refuses exactly that. On thousands of examples this saves a pass over X per update.
        # (Finite X so huge that a column sum overflows used to be refused up front; now only if
        # it makes the update non-finite.)
        X, Y = self.check_XY(X, Y, finite=False)
        lam = check_lam(lam)
        try:
            return self.apply(self._trace(X, Y, lam), alpha)  # the trace is dropped here
        except DivergenceError as err:
            refused = err
        self.check_XY(X, Y)  # raises the ValueError if X or Y is what made the update non-finite
        raise refused

    def apply(self, trace: Trace, alpha: float) -> float:
        """The update of eqs. (7)-(8) from an already computed trace; returns trace.J.

        Split from :meth:`step` so the UI can show a trace and then apply exactly it.
        """
        alpha = _check_alpha(alpha)
        J = trace.J
        theta, grad = self._theta, trace.grad
        if grad.sizes != theta.sizes:
            raise ValueError(f"The trace is of a network of sizes {list(grad.sizes)}, not {list(self.sizes)}.")
        new = theta.empty_like()  # a new θ: a trace or chart holding the old one keeps it
        with np.errstate(over="ignore", invalid="ignore"):
            # eqs. (7), (8): W^(l) − α ∂J/∂W^(l) and b^(l) − α ∂J/∂b^(l), all of θ at once, as (−α ∂J/∂θ) + θ
            np.multiply(grad.flat, -alpha, out=new.flat)
            new.flat += theta.flat
            # One sum over them all: a NaN or inf anywhere makes it non-finite.
            finite = math.isfinite(J) and math.isfinite(new.flat.sum())
        if not finite:
            what = f"J = {J:.3g}" if not math.isfinite(J) else "a weight would become infinite"
            raise DivergenceError(f"Diverged: {what}. Lower α (now {alpha:g}).", J=J)
        self._theta = new
        return J

    # -------------------------------------------------------------- validation
    def check_X(self, X, finite: bool = True) -> Array:
        """X as a float64 (m, s_1) array, or a ValueError saying what is wrong with it.

        finite=False skips the look for NaN and inf, for a caller that finds them another way.
        """
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError("X must be numeric: a table of numbers with one row per example.") from None
        if X.ndim == 1 and self.sizes[0] == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"X has shape {X.shape}, but the network has {self.sizes[0]} input unit(s): "
                f"expected (m, {self.sizes[0]}) with one row per example."
            )
        if X.shape[0] == 0:
            raise ValueError("X has no rows: give at least one example.")
        if finite and not _all_finite(X):  # isnan only on failure
            bad = "NaN" if np.isnan(X).any() else "infinite or huge"
            raise ValueError(f"X contains {bad} values: remove or impute them first.")
        return X

    def check_XY(self, X, Y, finite: bool = True) -> tuple[Array, Array]:
        X = self.check_X(X, finite)
        s_out = self.sizes[-1]
        try:
            Y = np.asarray(Y, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError("Y must be numeric targets, one row per example.") from None
        if Y.ndim == 1 and s_out == 1:
            Y = Y[:, None]
        if Y.shape != (X.shape[0], s_out):
            raise ValueError(
                f"Y has shape {Y.shape}, but X has {X.shape[0]} rows and the network {s_out} output unit(s): "
                f"expected ({X.shape[0]}, {s_out})."
            )
        if finite and not _all_finite(Y):
            raise ValueError("Y contains NaN or infinite values: every example needs a finite target.")
        return X, Y


def gradients(a: dict[int, Array], delta: dict[int, Array], lam: float, theta: Packed, out: Arrays) -> Packed:
    """Eq. (9) and eq. (10): the gradients of the overall cost J(W,b), eq. (6), for l = 1 … n_l-1,

        ∂J/∂W^(l) = (1/m) Σ_k δ^(l+1) (a^(l))ᵀ + λ W^(l)      eq. (9), with eqs. (11), (13)
        ∂J/∂b^(l) = (1/m) Σ_k δ^(l+1)                         eq. (10), with eq. (12)

    δ^(l+1) and a^(l) being example k's (the text's x^(k), y^(k)), written into out.grad, laid out
    like θ. Errata (docs/derivation.md): eq. (13) reads a^(l)_i, but ∂z^(l+1)_i/∂W^(l)_ij is a^(l)_j,
    the activation that weight multiplies — entry (i, j) of δ^(l+1) (a^(l))ᵀ; eq. (10)'s mean names
    the target y^(i), but it runs over the examples: y^(k). The bias gradient has no λ term: eq. (6)
    decays the weights only.

    With the examples as rows each sum over k is one matrix product, (Δ^(l+1))ᵀ A^(l)
    (buffers.sum_over_examples picks the form OpenBLAS runs faster). The 1/m and the λW^(l) are
    then applied to every ∂J/∂W^(l) at once: they lie end to end in grad, as every W^(l) does in θ.
    """
    grad = out.grad
    dW, db = grad.W, grad.b
    for l in dW:
        sum_over_examples(delta[l + 1], a[l], out=dW[l], sum_T=out.sum_T[l])  # Σ_k δ^(l+1) (a^(l))ᵀ
        np.dot(out.mean_k, delta[l + 1], out=db[l])  # (1/m) Σ_k δ^(l+1), the mean as one product
    dW_all = grad.all_W  # every ∂J/∂W^(l), end to end
    dW_all *= 1.0 / out.m
    if lam:
        dW_all += np.multiply(theta.all_W, lam, out=out.decay)
    return grad


def _all_finite(A: Array) -> bool:
    """No entry of the 2-D A is NaN or ±inf (or so huge that a column sum overflows).

    The sum of all entries tells, in one pass and without a temporary. Summing the columns as
    one matrix-vector product lets BLAS make that pass, 2-3× faster than ndarray.sum on the
    large inputs every update checks.
    """
    return math.isfinite(np.dot(np.ones(A.shape[0]), A).sum())


def _check_sizes(sizes) -> tuple[int, ...]:
    try:
        out = tuple(int(s) for s in sizes)
        ok = all(float(s) == int(s) for s in sizes)
    except (TypeError, ValueError, OverflowError):
        raise ValueError("sizes must be a list of whole-number layer sizes, e.g. [2, 4, 1].") from None
    if len(out) < 2 or not ok:
        raise ValueError(f"sizes {list(sizes)} must list whole numbers for at least an input and an output layer.")
    if any(s < 1 for s in out):
        raise ValueError(f"Every layer needs at least 1 neuron; got sizes {list(out)}.")
    if any(s > MAX_LAYER_SIZE for s in out):
        raise ValueError(f"A layer may have at most {MAX_LAYER_SIZE} neurons; got sizes {list(out)}.")
    return out


def _hidden_names(activation, n_hidden: int) -> list[str]:
    if isinstance(activation, str):
        return [activation] * n_hidden
    names = list(activation)
    if len(names) != n_hidden:
        raise ValueError(f"Give one activation per hidden layer: {n_hidden} needed, {len(names)} given.")
    if not names:
        raise ValueError("With no hidden layers, give the activation as a name, not an empty list.")
    return names


def check_lam(lam) -> float:
    try:
        lam = float(lam)
    except (TypeError, ValueError):
        raise ValueError(f"The weight decay λ must be a number ≥ 0; got {lam!r}.") from None
    if not (math.isfinite(lam) and lam >= 0):
        raise ValueError(f"The weight decay λ must be a finite number ≥ 0; got {lam}.")
    return lam


def _check_alpha(alpha) -> float:
    try:
        alpha = float(alpha)
    except (TypeError, ValueError):
        raise ValueError(f"The learning rate α must be a number > 0; got {alpha!r}.") from None
    if not (math.isfinite(alpha) and alpha > 0):
        raise ValueError(f"The learning rate α must be a finite number > 0; got {alpha}.")
    return alpha
