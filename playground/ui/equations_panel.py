"""The equation panel: eqs. (1)-(18) as LaTeX, live numbers for a neuron and example the user picks.

Rows are grouped in the algorithm's order; the group the current phase is in gets a highlighted
title, and the equations it evaluates a marked number.

Each group is ONE formula (a KaTeX array: number and general form, then the same equation with
the numbers), and the formulas are rendered by the browser in one element after the charts are
drawn (live_chart.live_math), not as ~130 Streamlit elements (three columns and two formulas per
equation): a Step reran them all, and laying them out held the new numbers and charts back by
~200 ms, half of a Step's latency.
"""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ..equations import GROUPS, EquationRow, equation_rows
from ..run import Run
from . import keys, state
from .live_chart import live_math, math_available

NOW_COLOUR = "#e8590c"  # the equations the current phase evaluates (Streamlit's orange, readable on both themes)
NEVER_LIVE = ("2", "14", "16")  # restatements and definitions: no numbers of their own, ever


def group_latex(rows: Sequence[EquationRow], *, stepping: bool) -> str:
    """One group's rows as a KaTeX array: "(n)  general form", then, indented, the live numbers (or
    "pending" while a phase walk has not computed them yet)."""
    equations = []
    for row in rows:
        tag = rf"\textbf{{({row.number})}}"
        if row.active:
            tag = rf"\textcolor{{{NOW_COLOUR}}}{{{tag}\ \blacktriangleleft}}"
        lines = [rf"{tag} & \displaystyle {row.general}"]
        if row.live is not None:
            lines.append(rf"& \qquad \displaystyle {row.live}")
        elif stepping and row.number not in NEVER_LIVE:
            lines.append(r"& \qquad \textcolor{gray}{\text{pending: not computed yet in this update}}")
        equations.append(r" \\[3pt] ".join(lines))
    return r"\begin{array}{rl}" + r" \\[14pt] ".join(equations) + r"\end{array}"


def render_equations(run: Run) -> None:
    with st.expander("Equations (1)–(18) with live numbers", expanded=True):
        n_l = run.net.n_l
        tr = run.trace
        phase = run.walk.current if run.walk is not None else None
        c = st.columns([1, 1, 1, 1, 1.2], vertical_alignment="bottom")
        follow = c[4].toggle("Follow the walk", value=True, key=keys.EQ_FOLLOW,
                             help="During Phase ▸, layer l is the layer the phase computes. Off: the layer "
                                  "you pick stays, pinned.")
        # The layer l of the rows: the walk's, while following it; else the one picked (within 2 … n_l).
        if follow and phase is not None and phase.l is not None:
            state.set_widget(keys.EQ_LAYER, phase.l)
        elif state.widget(keys.EQ_LAYER) is None or not 2 <= int(state.widget(keys.EQ_LAYER)) <= n_l:
            state.set_widget(keys.EQ_LAYER, n_l)  # the output layer, where δ starts
        l = int(c[0].number_input("layer l", 2, n_l, key=keys.EQ_LAYER))
        i = int(c[1].number_input("neuron i (layer l)", 1, run.net.sizes[l - 1], 1, key=f"eq_i_{l}")) - 1
        j = int(c[2].number_input("neuron j (layer l−1)", 1, run.net.sizes[l - 2], 1, key=f"eq_j_{l}")) - 1
        k = int(c[3].number_input("example k", 1, tr.m, 1, key="eq_k")) - 1
        if phase is not None:
            st.caption(f"Layer l = {l} follows the walk ({phase.label})." if follow and phase.l is not None else
                       f"Layer l = {l} is pinned; the walk is at {phase.label}." if not follow else
                       f"The walk is at {phase.label}; layer l = {l}.")
        rows = {r.number: r for r in equation_rows(run.net, tr, run.revealed, l=l, i=i, j=j, k=k,
                                                   alpha=run.cfg.alpha)}
        stepping = run.phase is not None
        groups = []
        for title, numbers in GROUPS:
            group = [rows[n] for n in numbers if n in rows]
            notes = [f"({r.number}) {r.erratum}" for r in group if r.erratum]
            groups.append({"title": title, "now": any(r.active for r in group),
                           "tex": group_latex(group, stepping=stepping),
                           "note": "Corrected from the text: " + " ".join(notes) if notes else ""})
        if math_available():
            live_math(key="equations", groups=groups)
            return
        for g in groups:  # this Streamlit's KaTeX module was not found: its markdown elements instead
            with st.container(border=True):
                st.markdown(f":orange-background[**{g['title']} ◀ now**]" if g["now"] else f"**{g['title']}**")
                st.latex(g["tex"])
                if g["note"]:
                    st.caption(g["note"])
