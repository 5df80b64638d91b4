"""Equations (1)-(18) of the derivation as LaTeX, with live numbers for one neuron and example.

Pure strings from a Trace: the UI renders them, the tests read them. Where the text has a typo
— eqs. (10), (13), (16) — the corrected form is written and ``erratum`` says what changed
(docs/derivation.md, "Errata"). The completed recursion the text stops short of is added as rows
"15+18" and "9+13".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network, Trace
from .phases import Revealed


@dataclass(frozen=True)
class EquationRow:
    number: str  # "1" … "18", or "15+18" for a completed form
    general: str  # LaTeX of the equation as the text states it (corrected where needed)
    live: str | None  # LaTeX with this neuron's numbers, or None while pending / not applicable
    active: bool  # the current phase evaluates it
    erratum: str = ""


def _n(x: float) -> str:
    return f"{x:.4g}".replace("e", r"\mathrm{e}")


def _p(x: float) -> str:
    """A number as a factor: negative ones in parentheses, so "0.1 · (−0.02)" never reads "0.1 · −0.02"."""
    return f"({_n(x)})" if x < 0 else _n(x)


DELTA = r"\delta"


GROUPS = (
    ("Forward pass", ("1", "2", "3", "4")),
    ("Cost", ("5", "16", "6")),
    ("Error terms, backwards", ("14", "15+17", "15+18")),
    ("Gradients", ("9+13", "10")),
    ("Update", ("7", "8")),
)


def equation_rows(
    net: Network, tr: Trace, rev: Revealed, *, l: int, i: int, k: int, j: int = 0, alpha: float,
) -> list[EquationRow]:
    """The rows for layer l (2..n_l), neuron i of layer l and neuron j of layer l−1 (0-based), example k.

    Numbers use the weights the trace was computed with (tr.W), which differ from net.W once
    the update of a phase walk has been applied.
    """
    n_l = net.n_l
    W, b, lam = tr.W, tr.b, tr.lam
    f = net.f[l]
    now = set(rev.current.eqs) if rev.current is not None else set()
    fwd, dl = l in rev.forward, l in rev.delta
    lp = l - 1  # the weights into layer l are W^(l-1)
    sup = lambda s, v: f"{s}^{{({v})}}"  # noqa: E731 — a one-line notation helper
    z, a = tr.z[l][k, i], tr.a[l][k, i]
    # eq. (1) with its terms written out, so the sum can be checked by hand (the first three)
    terms = [rf"({_n(W[lp][i, jj])})({_n(tr.a[lp][k, jj])})" for jj in range(min(3, W[lp].shape[1]))]
    more = r" + \cdots" if W[lp].shape[1] > 3 else ""
    rows = [
        EquationRow("1", r"z_i^{(l+1)} = \sum_{j=1}^{s_l} W_{ij}^{(l)} a_j^{(l)} + b_i^{(l)}",
                    (rf"\begin{{aligned}}{sup('z', l)}_{{{i + 1}}} &= {' + '.join(terms)}{more} + ({_n(b[lp][i])})"
                     rf"\\ &= {_n(z)}\end{{aligned}}")
                    if fwd else None, 1 in now),
        EquationRow("2", r"z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}", None, 2 in now),
        EquationRow("3", rf"a^{{(l)}} = f(z^{{(l)}}),\quad f(z) = {f.latex}",
                    rf"{sup('a', l)}_{{{i + 1}}} = f({_n(z)}) = {_n(a)}" if fwd else None, 3 in now),
        EquationRow("4", r"h_{W,b}(x) = a^{(n_l)} = f(z^{(n_l)})",
                    rf"h(x^{{({k + 1})}}) = ({', '.join(_n(v) for v in tr.a[n_l][k][:4])}"
                    rf"{', …' if tr.a[n_l].shape[1] > 4 else ''})" if n_l in rev.forward else None, 4 in now),
        EquationRow("5", net.loss.latex + r" = J(W,b;x,y)",
                    rf"J(W,b;x^{{({k + 1})}},y^{{({k + 1})}}) = {_n(tr.per_example[k])}" if rev.cost else None,
                    5 in now),
        EquationRow("6", r"\begin{aligned}J(W,b) &= \tfrac1m \textstyle\sum_{k} J(W,b;x^{(k)},y^{(k)})"
                         r"\\ &\quad + \tfrac{\lambda}{2}\textstyle\sum_{l,i,j} \big(W_{ij}^{(l)}\big)^2\end{aligned}",
                    rf"J = {_n(tr.J_data)} + {_n(tr.J_decay)} = {_n(tr.J)}\quad(m={tr.m},\ \lambda={_n(lam)})"
                    if rev.cost else None, 6 in now),
        EquationRow("14", r"\delta_i^{(l)} = \frac{\partial J}{\partial z_i^{(l)}}", None, 14 in now),
    ]
    d = tr.delta[l][k, i]
    fp = f.f_prime(np.array(z), np.array(a)) if f.name != "softmax" else None
    if l == n_l:
        y_term = "a - y"
        rows.append(EquationRow(
            "15+17", net.loss.delta_latex,
            (rf"{sup(DELTA, l)}_{{{i + 1}}} = ({y_term})\,f'(z) = ({_n(d / fp)})({_n(fp)}) = {_n(d)}"
             if net.loss.name == "squared" and fp else rf"{sup(DELTA, l)}_{{{i + 1}}} = a - y = {_n(d)}")
            if dl else None, bool({15, 17} & now)))
    else:
        back = float(tr.delta[l + 1][k] @ W[l][:, i])
        rows.append(EquationRow(
            "15+18", r"\delta^{(l)} = \big((W^{(l)})^{\mathsf T} \delta^{(l+1)}\big) \circ f'(z^{(l)})",
            rf"{sup(DELTA, l)}_{{{i + 1}}} = \big(\textstyle\sum_j {sup('W', l)}_{{j{i + 1}}}"
            rf"{sup(DELTA, l + 1)}_j\big)\, f'({sup('z', l)}_{{{i + 1}}}) = ({_n(back)})({_n(float(fp))})"
            rf" = {_n(d)}" if dl else None, bool({15, 18} & now)))
    rows.append(EquationRow("16", r"J(W,b;x,y) = \tfrac12 \sum_{i=1}^{s_{n_l}} \big(a_i^{(n_l)} - y_i\big)^2",
                            None, 16 in now, "The text writes aᵢ⁽ˡ⁾; the sum runs over the output layer, aᵢ⁽ⁿˡ⁾."))
    dW, db = tr.dW[lp][i, j], tr.db[lp][i]
    grads = rev.gradients
    rows += [
        EquationRow("9+13",
                    r"\frac{\partial J}{\partial W_{ij}^{(l)}} = \frac1m \sum_{k=1}^m "
                    r"\delta_i^{(l+1,k)} a_j^{(l,k)} + \lambda W_{ij}^{(l)}",
                    rf"\frac{{\partial J}}{{\partial {sup('W', lp)}_{{{i + 1}{j + 1}}}}} = "
                    rf"{_n(dW - lam * W[lp][i, j])} + {_n(lam)}\cdot{_p(W[lp][i, j])} = {_n(dW)}"
                    if grads else None, bool({9, 11, 13} & now),
                    "Eq. (13) in the text reads aᵢ⁽ˡ⁾; the derivative of zᵢ⁽ˡ⁺¹⁾ by Wᵢⱼ⁽ˡ⁾ is aⱼ⁽ˡ⁾."),
        EquationRow("10", r"\frac{\partial J}{\partial b_i^{(l)}} = \frac1m \sum_{k=1}^m \delta_i^{(l+1,k)}",
                    rf"\frac{{\partial J}}{{\partial {sup('b', lp)}_{{{i + 1}}}}} = {_n(db)}" if grads else None,
                    bool({10, 12} & now), "The text's sum writes y⁽ⁱ⁾; it runs over the examples, y⁽ᵏ⁾. No λ term."),
        EquationRow("7", r"W_{ij}^{(l)} \leftarrow W_{ij}^{(l)} - \alpha \frac{\partial J}{\partial W_{ij}^{(l)}}",
                    rf"{sup('W', lp)}_{{{i + 1}{j + 1}}} \leftarrow {_n(W[lp][i, j])} - {_n(alpha)}\cdot{_p(dW)}"
                    rf" = {_n(W[lp][i, j] - alpha * dW)}" if grads else None, 7 in now),
        EquationRow("8", r"b_i^{(l)} \leftarrow b_i^{(l)} - \alpha \frac{\partial J}{\partial b_i^{(l)}}",
                    rf"{sup('b', lp)}_{{{i + 1}}} \leftarrow {_n(b[lp][i])} - {_n(alpha)}\cdot{_p(db)}"
                    rf" = {_n(b[lp][i] - alpha * db)}" if grads else None, 8 in now),
    ]
    return rows
