"""One training run: the network, its data, where training stands, and the update in progress.

A Run is what the UI keeps in session state. It is pure Python and NumPy, so everything a
button does — Step, Epoch, a Phase of one update, a frame of Play — is a method here and is
tested without a browser. The UI never calls the network directly. What is only read off a run
(the metric, the prediction surface, the heatmaps' examples) is in :mod:`playground.readouts`.

The trace at the current weights on the whole training set is cached: with full-batch descent
(the text's, and the default) it is exactly the next update's trace, so drawing δ^(l) and then
applying the update costs one forward and one backward pass, not two.
"""
from __future__ import annotations

import time

import numpy as np

from .buffers import TracePool
from .config import AUTO, Config
from .data import Dataset, targets
from .diagnostics import DiagnosticsHistory, layer_stats, predicted_delta_J
from .history import History
from .network import DivergenceError, Network, Trace
from .phases import Phase, Revealed, Walk, phases, revealed
from .readouts import metric
from .training import Batches


def resolve_head(cfg: Config, data: Dataset) -> tuple[str, str | None]:
    """The (loss, output activation) a config means for this dataset; see Config.loss.

    "auto" follows eq. (4) — the hidden f at the output — where that f can express classes
    (sigmoid, tanh). An unbounded hidden f (ReLU and kin) would make the output unit unbounded
    or, for ReLU, dead for every example, so auto then uses tanh as TensorFlow Playground does.
    Regression gets a linear output so targets of any size are reachable.
    """
    k = data.n_classes
    loss = cfg.loss if cfg.loss != AUTO else ("cross_entropy" if k > 2 else "squared")
    if loss == "cross_entropy":
        return loss, None  # the loss fixes the output: sigmoid or softmax
    if cfg.output_activation != AUTO:
        return loss, cfg.output_activation
    if data.task == "regression":
        return loss, "linear"
    hidden = cfg.hidden_activations()
    last = hidden[-1] if hidden else cfg.activation
    if last in ("sigmoid", "tanh"):
        return loss, last  # eq. (4): the same f at the output
    return loss, "tanh"


# Divergence (Run._diverging): J more than this many times its size at the start of training.
DIVERGING = 1e3
STABLE_EPOCHS = 10  # an α that trained this many epochs without diverging is named as stable


class Run:
    def __init__(self, cfg: Config, data: Dataset, plot_data: Dataset | None = None, grid_inputs=None):
        """data: what the network trains on. plot_data: the same examples in the 2-D plane they
        are drawn in, when the inputs are feature transforms of it. grid_inputs: a function
        mapping (G², 2) plane points to network inputs, for the prediction surface."""
        self.cfg = cfg
        self._set_data(data, plot_data, grid_inputs)
        loss, out = resolve_head(cfg, data)
        n_out = 1 if data.task == "regression" or data.n_classes == 2 else data.n_classes
        hidden = cfg.hidden_activations()
        self.net = Network(
            [data.n_features, *cfg.hidden, n_out],
            activation=list(hidden) if hidden else (out or cfg.activation),
            output_activation=out,
            loss=loss,
            seed=cfg.seed,
            init=cfg.init,
        )
        self.low = self.net.f[self.net.n_l].low if data.task == "classification" else 0.0
        # Checked once here, not on every update (Network.trace(checked=True)).
        self._X_train, self.Y_train = self.net.check_XY(data.X_train, targets(data.y_train, data.n_classes, self.low))
        self.Y_test = targets(data.y_test, data.n_classes, self.low)
        self._batches = Batches(len(self.Y_train), cfg.batch_size, self.net.rng)
        self.epoch = 0
        self.updates = 0
        self.history = History()
        self.diagnostics = DiagnosticsHistory()  # per-layer ‖δ‖, ‖∂J/∂W‖, … and ΔJ, per epoch
        self.notice: str | None = None
        self.diverged_at: int | None = None
        self._J_scale: float | None = None  # J's size when training started from these weights (see _diverging)
        self._alpha_epochs: dict[float, int] = {}  # epochs trained at each α, for "the largest stable α"
        self.walk: Walk | None = None  # the update being walked through phase by phase, if one is
        self._trace: Trace | None = None
        self._last_full: Trace | None = None  # the last full-batch step's trace, for ΔJ when measured
        self._applying: Trace | None = None  # the trace an update is being made from
        self._pool = TracePool()  # play() writes its traces here, not into new memory
        self._measured: int | None = None  # the epoch whose test numbers and diagnostics are recorded
        self._record()
        self.measure()

    def _set_data(self, data: Dataset, plot_data: Dataset | None, grid_inputs) -> None:
        self.data = data
        self.plot_data = plot_data if plot_data is not None else data
        self.grid_inputs = grid_inputs

    def replace_data(self, data: Dataset, plot_data: Dataset | None = None, grid_inputs=None) -> None:
        """New examples of the same shape (Regenerate): the network keeps its weights and its epoch."""
        if data.n_features != self.data.n_features or data.n_classes != self.data.n_classes:
            raise ValueError("The new data has a different shape; start a new run instead.")
        X, Y = self.net.check_XY(data.X_train, targets(data.y_train, data.n_classes, self.low))
        self._set_data(data, plot_data, grid_inputs)
        self._X_train, self.Y_train = X, Y
        self.Y_test = targets(data.y_test, data.n_classes, self.low)
        self._batches, self._trace = Batches(len(Y), self.cfg.batch_size, self.net.rng), None
        self.drop_walk()
        self._measured, self._last_full = None, None  # new weights or data: no step leads here
        self._J_scale = None

    # ------------------------------------------------------------------ state
    @property
    def phases(self) -> tuple[Phase, ...]:
        return phases(self.net.n_l)

    @property
    def phase(self) -> int | None:
        """Index into :attr:`phases` of the phase the walk has revealed last; None: no walk under way."""
        return self.walk.index if self.walk is not None else None

    @property
    def revealed(self) -> Revealed:
        return self.walk.revealed if self.walk is not None else revealed(self.net.n_l, None)

    def drop_walk(self) -> None:
        """Forget the phase walk: its update, if made, stays made; if not, it is never made."""
        self.walk = None

    @property
    def updates_per_epoch(self) -> int:
        """Batches in one epoch: 1 for full-batch descent (the text's), ⌈m / batch size⌉ otherwise."""
        return self._batches.per_epoch

    @property
    def trace(self) -> Trace:
        """The trace shown on screen: the update being stepped through, or the one at the current weights."""
        return self.walk.trace if self.walk is not None else self.current_trace()

    @property
    def trace_rows(self) -> np.ndarray:
        """The training-set rows of :attr:`trace`, in its row order (a mini-batch's during a phase walk)."""
        return self.walk.rows if self.walk is not None else np.arange(len(self.Y_train))

    _pooled = False  # True while play() runs: current_trace() then writes into the TracePool

    def current_trace(self) -> Trace:
        if self._trace is None or self._trace.lam != self.cfg.lam:
            walked = self.walk.trace if self.walk is not None else None
            out = self._pool.spare(len(self.Y_train), self.net.sizes, [
                self._trace, self._applying, self._last_full, walked]) if self._pooled else None
            self._trace = self.net.trace(self._X_train, self.Y_train, self.cfg.lam, checked=True, out=out)
        return self._trace

    def steer(self, cfg: Config) -> None:
        """Adopt α, λ, batch size and speed from cfg for the next update, without resetting."""
        if cfg.batch_size != self.cfg.batch_size:
            # The next update starts a fresh epoch order at the new size; a phase walk under way
            # belongs to a batch of the old size, so it is dropped unapplied.
            self._batches = Batches(len(self.Y_train), cfg.batch_size, self.net.rng)
            if self.walk is not None and not self.walk.updated:
                self.drop_walk()
        self.cfg = cfg

    def set_weights(self, W: list[np.ndarray], b: list[np.ndarray]) -> None:
        """Adopt imported weights (already checked against the network's shapes) and go on from them."""
        self.net.W, self.net.b = W, b  # copied into the network's θ
        self._trace = None
        self._batches.restart()
        self.drop_walk()
        self.notice, self.diverged_at = None, None
        self._measured, self._last_full = None, None  # new weights or data: no step leads here
        self._J_scale = None

    # ---------------------------------------------------------------- actions
    def step(self) -> bool:
        """One update: one batch. If a phase walk is under way, completes its update. False if refused."""
        if self.walk is not None:
            return self._finish_walk()
        return self._apply(self._batch_trace(self._batches.peek()))

    def run_epoch(self) -> bool:
        """Updates until the current epoch ends (a whole epoch if none is under way).

        A walk under way is finished first, and its update counts: if it ended the epoch (a full
        batch), that is the epoch (pressing Epoch mid-walk used to add two)."""
        start = self.epoch
        if self.walk is not None and not self._finish_walk():
            return False
        while self.epoch == start:
            if not self.step():
                return False
        return True

    def play(self, n_updates: int, budget_seconds: float | None = None) -> bool:
        """A frame of Play: n updates, stopping at the first refused one.

        budget_seconds bounds the CPU one frame may take (a big upload times 50 updates could
        take seconds): updates stop once it is spent, after at least one. Each update is the same
        either way, so the trajectory does not depend on the budget, only its speed does.
        """
        start = time.perf_counter()
        # The traces of these updates are dropped as soon as the next is made, so they go to reused
        # memory (TracePool); the ones still kept at the end get memory of their own.
        self._pooled = True
        try:
            for _ in range(n_updates):
                if not self.step():
                    return False
                if budget_seconds is not None and time.perf_counter() - start > budget_seconds:
                    break
            return True
        finally:
            self._pooled = False
            if self._pool.owns(self._trace):
                self._trace = self._trace.own()
            if self._pool.owns(self._last_full):
                self._last_full = self._last_full.own()

    def advance_phase(self) -> bool:
        """Reveal the next phase of the update; the update phase applies it. False if refused."""
        if self.walk is None or self.walk.updated:
            idx = self._batches.peek()
            self.walk = Walk(self._batch_trace(idx), np.arange(len(self.Y_train))[idx])
        else:
            self.walk.advance()
        if self.walk.updated:
            ok = self._apply(self.walk.trace)
            if not ok:
                self.drop_walk()
            return ok
        return True

    def _finish_walk(self) -> bool:
        """Step during a walk: make its update if the walk has not reached it yet, and end the walk."""
        tr, done = self.walk.trace, self.walk.updated
        self.drop_walk()
        return True if done else self._apply(tr)

    # -------------------------------------------------------------- internals
    def _batch_trace(self, idx) -> Trace:
        """The trace an update on batch idx applies; on the whole set it is the cached one."""
        if self._batches.is_full_batch:
            return self.current_trace()
        return self.net.trace(self._X_train[idx], self.Y_train[idx], self.cfg.lam, checked=True)

    def _apply(self, tr: Trace) -> bool:
        self._applying = tr  # the new weights' trace must not be written over this one (TracePool)
        try:
            return self._apply_trace(tr)
        finally:
            self._applying = None

    def _apply_trace(self, tr: Trace) -> bool:
        before = self.net.theta  # apply() makes a new θ, so this one keeps the weights as they were
        epoch_ends = self._batches.is_last  # J on the whole set is checked and recorded once an epoch, at its end
        if self._J_scale is None and np.isfinite(tr.J):
            self._J_scale = max(float(tr.J), 1.0)
        J_new = None  # J on the training set after the update, when that is what refused it
        try:
            self.net.apply(tr, self.cfg.alpha)
            self._trace = None
            if epoch_ends and self._diverging(self.current_trace().J):
                # Finite weights can still put J at inf on the whole training set, or J can be
                # running away by orders of magnitude: refuse the update, keep the last good weights.
                J_new = self.current_trace().J
                self.net.W, self.net.b = before.W_list, before.b_list
                self._trace = None
                raise DivergenceError("J is running away on the training set", J=J_new)
        except DivergenceError as err:
            self.diverged_at = self.epoch + 1
            self.notice = self._divergence_notice(J_new, err.J)
            self._batches.restart()
            return False
        self.notice = None
        self.updates += 1
        self._batches.pop()
        if epoch_ends:
            self.epoch += 1
            self._alpha_epochs[self.cfg.alpha] = self._alpha_epochs.get(self.cfg.alpha, 0) + 1
            # ΔJ is compared (predicted vs measured) only when the epoch is measured, and only for a
            # step that used the whole set: keep that step's trace, not its numbers, until then.
            self._last_full = tr if self._batches.is_full_batch else None
            self._record()
        return True

    def _diverging(self, J: float) -> bool:
        """J (on the training set, after an update) is non-finite, or more than DIVERGING times its
        size when training started from these weights: a healthy run's J falls, or wobbles within
        a few times its start; gradient descent with too large an α grows it geometrically, and
        this catches that within a few updates of its start instead of at J = 1e300."""
        return not np.isfinite(J) or (self._J_scale is not None and J > DIVERGING * self._J_scale)

    def _divergence_notice(self, J_new: float | None, J_before: float | None) -> str:
        if J_new is not None and np.isfinite(J_new):
            what = f"take J to {J_new:.3g}, over {DIVERGING:g}× its size at the start ({self._J_scale:.3g})"
        elif J_new is not None or (J_before is not None and not np.isfinite(J_before)):
            what = "make J non-finite"
        else:
            what = "make a weight non-finite"
        alpha = self.cfg.alpha
        stable = [a for a, n in self._alpha_epochs.items() if a < alpha and n >= STABLE_EPOCHS]
        hint = (f"; α = {max(stable):g} trained this run for {self._alpha_epochs[max(stable)]:,} epochs without "
                "diverging" if stable else f"; try α = {alpha / 3:.2g} or lower")
        return (f"Diverged at epoch {self.diverged_at}: the update would {what}, so it was refused and the "
                f"last good weights kept, and Play paused. Lower α (now {alpha:g}{hint}).")

    def _record(self) -> None:
        """Every epoch: what the update's own trace gives for free (J, its split, the train metric).

        The next update's trace at the new weights is the one cached here, so with full batches
        this costs nothing extra. Test numbers and diagnostics wait for :meth:`measure`.
        """
        tr = self.current_trace()
        self.history.record({
            "epoch": self.epoch, "J": tr.J, "J_data": tr.J_data, "J_decay": tr.J_decay,
            "metric_train": metric(self, tr.a[tr.n_l], self.data.y_train),
        })

    def measure(self) -> None:
        """Complete the current epoch's record: test J and metric, per-layer diagnostics and ΔJ.

        Called when the numbers are drawn (a Step, a frame of Play), not every epoch: a Play frame
        may train hundreds of epochs, and a forward pass over the test set for each would cost more
        than the training itself. Idempotent within an epoch.
        """
        if self._measured == self.epoch:
            return
        tr = self.current_trace()
        tested = len(self.Y_test) > 0
        self.history.complete(self.epoch, {
            "J_test": self.net.cost(self.data.X_test, self.Y_test, self.cfg.lam) if tested else np.nan,
            "metric_test": metric(self, self.net.predict(self.data.X_test), self.data.y_test) if tested else np.nan,
        })
        last = self._last_full  # ΔJ of the step into this epoch: first-order prediction vs the change of J
        dJ = (predicted_delta_J(last, self.cfg.alpha), tr.J - last.J) if last is not None else (np.nan, np.nan)
        self.diagnostics.record(self.epoch, layer_stats(self.net, tr, self.cfg.alpha),
                                dJ_predicted=dJ[0], dJ_measured=dJ[1])
        self._measured = self.epoch
