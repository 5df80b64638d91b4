"""The equation panel's live numbers are the trace's numbers, and pending values stay pending."""
from __future__ import annotations

import math

import numpy as np

from playground.config import DEFAULT, replace
from playground.equations import equation_rows
from playground.experiment import new_run
from playground.phases import revealed


def rows_by_number(run, rev, **kw):
    args = dict(l=run.net.n_l, i=0, j=0, k=0, alpha=run.cfg.alpha) | kw
    return {r.number: r for r in equation_rows(run.net, run.trace, rev, **args)}


def test_live_numbers_match_the_trace_by_hand():
    run = new_run(replace(DEFAULT, lam=0.01))
    tr = run.trace
    l, i, j, k = 3, 1, 0, 4
    rows = rows_by_number(run, revealed(run.net.n_l, None), l=l, i=i, j=j, k=k)
    # eq. (1) by hand: z_i^(l) = Σ_j W^(l-1)_ij a_j^(l-1) + b^(l-1)_i
    z = sum(tr.W[l - 1][i, jj] * tr.a[l - 1][k, jj] for jj in range(run.net.sizes[l - 2])) + tr.b[l - 1][i]
    assert f"{z:.4g}" in rows["1"].live.replace(r"\mathrm{e}", "e")
    # eq. (15)+(18) by hand: δ_i^(l) = (Σ_j W^(l)_ji δ_j^(l+1)) · (1 − a²) for tanh
    back = sum(tr.W[l][jj, i] * tr.delta[l + 1][k, jj] for jj in range(run.net.sizes[l]))
    d = back * (1 - math.tanh(z) ** 2)
    assert np.isclose(d, tr.delta[l][k, i])
    assert f"{d:.4g}" in rows["15+18"].live.replace(r"\mathrm{e}", "e")
    # eq. (9): the λW term is shown and the total is the trace's gradient
    assert f"{tr.dW[l - 1][i, j]:.4g}" in rows["9+13"].live.replace(r"\mathrm{e}", "e")
    # eq. (6): data + decay
    assert f"{tr.J:.4g}" in rows["6"].live.replace(r"\mathrm{e}", "e")


def test_errata_are_flagged_and_corrected():
    run = new_run(DEFAULT)
    rows = rows_by_number(run, revealed(run.net.n_l, None))
    # errata in plain Unicode beside the typeset rows, not ASCII (a_j^(l))
    assert "aⱼ⁽ˡ⁾" in rows["9+13"].erratum and r"a_j^{(l,k)}" in rows["9+13"].general
    assert "y⁽ᵏ⁾" in rows["10"].erratum and r"\lambda" not in rows["10"].general
    assert "aᵢ⁽ⁿˡ⁾" in rows["16"].erratum and "a_i^{(n_l)}" in rows["16"].general


def test_pending_rows_have_no_numbers_and_the_current_phase_is_active():
    run = new_run(DEFAULT)
    run.advance_phase()  # forward into layer 2 only
    rev = run.revealed
    rows = rows_by_number(run, rev, l=2)
    assert rows["1"].live is not None and rows["1"].active
    for n in ("5", "6", "15+18", "9+13", "10", "7", "8"):
        assert rows[n].live is None, n
        assert not rows[n].active
    out = rows_by_number(run, rev, l=run.net.n_l)
    assert out["1"].live is None  # the output layer is not computed yet


def test_output_layer_row_uses_the_loss_delta():
    run = new_run(replace(DEFAULT, dataset="digits", hidden=(8,)))
    rows = rows_by_number(run, revealed(run.net.n_l, None), i=3, k=2)
    tr = run.trace
    assert rows["15+17"].general == r"\delta^{(n_l)} = a^{(n_l)} - y"
    assert np.isclose(tr.delta[3][2, 3], tr.a[3][2, 3] - run.Y_train[2, 3])
