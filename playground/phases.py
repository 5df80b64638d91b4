"""The phases of one update, in the derivation's order, and what each has revealed.

Forward pass layer by layer (eqs. 1-4) → cost J (5-6) → δ^(n_l) (15, 17) → δ^(n_l−1) … δ^(2)
(15, 18) → gradients (9-13) → update (7-8). The UI steps through this list (a :class:`Walk`);
charts ask :func:`revealed` which values of the update in progress exist yet, and draw the rest as
pending.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Trace
from .notation import sup


@dataclass(frozen=True)
class Phase:
    kind: str  # "forward" | "cost" | "delta" | "gradients" | "update"
    l: int | None  # the layer this phase computes, where there is one
    eqs: tuple[int, ...]  # the equations it evaluates
    label: str


def phases(n_l: int) -> tuple[Phase, ...]:
    """All phases of one update for a network with n_l layers."""
    out = [Phase("forward", l, (1, 2, 3, 4), f"Forward: z{sup(l)}, a{sup(l)}") for l in range(2, n_l + 1)]
    out.append(Phase("cost", None, (5, 6), "Cost J(W,b)"))
    out.append(Phase("delta", n_l, (14, 15, 17), f"Output error δ{sup(n_l)}"))
    out += [Phase("delta", l, (15, 18), f"Backward: δ{sup(l)}") for l in range(n_l - 1, 1, -1)]
    out.append(Phase("gradients", None, (9, 10, 11, 12, 13), "Gradients ∂J/∂W, ∂J/∂b"))
    out.append(Phase("update", None, (7, 8), "Update W, b"))
    return tuple(out)


@dataclass(frozen=True)
class Revealed:
    """What the update in progress has computed so far. None of it means: nothing pending."""

    forward: frozenset[int]  # layers l whose z^(l), a^(l) exist
    cost: bool
    delta: frozenset[int]  # layers l whose δ^(l) exists
    gradients: bool
    updated: bool
    current: Phase | None

    def pending_delta(self, n_l: int) -> set[int]:
        return set(range(2, n_l + 1)) - set(self.delta)

    def pending_forward(self, n_l: int) -> set[int]:
        return set(range(2, n_l + 1)) - set(self.forward)


def revealed(n_l: int, index: int | None) -> Revealed:
    """What is computed after phase ``index`` of :func:`phases`; None: not stepping, all is shown."""
    all_layers = frozenset(range(2, n_l + 1))
    if index is None:
        return Revealed(all_layers, True, all_layers, True, False, None)
    done = phases(n_l)[: index + 1]
    return Revealed(
        frozenset(p.l for p in done if p.kind == "forward"),
        any(p.kind == "cost" for p in done),
        frozenset(p.l for p in done if p.kind == "delta"),
        any(p.kind == "gradients" for p in done),
        any(p.kind == "update" for p in done),
        done[-1],
    )


@dataclass(eq=False)  # eq=False: array fields have no single truth value to compare
class Walk:
    """One update walked through phase by phase (the Phase button): the trace it applies, that
    trace's rows of the training set, and the phase of :func:`phases` revealed last.

    The trace is computed whole when the walk starts, at the weights of that moment; the phases
    only reveal it. The update phase (eqs. 7-8) is the last, so a walk reaches it once and its
    owner applies the update then; after that the walk goes on showing what was applied.
    """

    trace: Trace
    rows: np.ndarray  # the training-set rows of trace, in its row order: a mini-batch's, or all m
    index: int = 0  # into phases(n_l): the first phase is revealed as the walk starts

    @property
    def n_l(self) -> int:
        return self.trace.n_l

    @property
    def phases(self) -> tuple[Phase, ...]:
        return phases(self.n_l)

    @property
    def current(self) -> Phase:
        return self.phases[self.index]

    @property
    def revealed(self) -> Revealed:
        return revealed(self.n_l, self.index)

    @property
    def updated(self) -> bool:
        """The update phase is reached: the walk's update has been made, and nothing is left to reveal."""
        return self.index == len(self.phases) - 1

    def advance(self) -> Phase:
        """Reveal the next phase and return it."""
        if self.updated:
            raise ValueError("This walk has reached its update; start a new walk for the next update.")
        self.index += 1
        return self.current
