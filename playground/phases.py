"""The phases of one update, in the derivation's order, and what each has revealed.

Forward pass layer by layer (eqs. 1-4) → cost J (5-6) → δ^(n_l) (15, 17) → δ^(n_l−1) … δ^(2)
(15, 18) → gradients (9-13) → update (7-8). The UI steps through this list; charts ask
:func:`revealed` which values of the update in progress exist yet, and draw the rest as pending.
"""
from __future__ import annotations

from dataclasses import dataclass

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
