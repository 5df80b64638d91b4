"""The equation panel: eqs. (1)-(18) as LaTeX, live numbers for a neuron and example the user picks.

Rows are grouped in the algorithm's order; the group the current phase is in gets a highlighted
title, and the equations it evaluates an orange tag.
"""
from __future__ import annotations

import streamlit as st

from ..equations import GROUPS, equation_rows
from ..run import Run


def render_equations(run: Run) -> None:
    with st.expander("Equations (1)–(18) with live numbers", expanded=True):
        n_l = run.net.n_l
        tr = run.trace
        c = st.columns(4)
        l = int(c[0].number_input("layer l", 2, n_l, n_l, key="eq_l"))
        i = int(c[1].number_input("neuron i (layer l)", 1, run.net.sizes[l - 1], 1, key=f"eq_i_{l}")) - 1
        j = int(c[2].number_input("neuron j (layer l−1)", 1, run.net.sizes[l - 2], 1, key=f"eq_j_{l}")) - 1
        k = int(c[3].number_input("example k", 1, tr.m, 1, key="eq_k")) - 1
        rows = {r.number: r for r in equation_rows(run.net, tr, run.revealed, l=l, i=i, j=j, k=k,
                                                   alpha=run.cfg.alpha)}
        stepping = run.phase is not None
        for title, numbers in GROUPS:
            group = [rows[n] for n in numbers if n in rows]
            active = any(r.active for r in group)
            with st.container(border=True):
                st.markdown(f":orange-background[**{title} ◀ now**]" if active else f"**{title}**")
                for row in group:
                    left, mid, right = st.columns([0.8, 3.4, 5], vertical_alignment="center")
                    tag = f"**({row.number})**"
                    left.markdown(f":orange-background[{tag}]" if row.active else tag)
                    mid.latex(row.general)
                    if row.live is not None:
                        right.latex(row.live)
                    elif stepping and row.number not in ("2", "14", "16"):
                        right.caption("pending: not computed yet in this update")
                    if row.erratum:
                        mid.caption(f"Corrected from the text: {row.erratum}")
