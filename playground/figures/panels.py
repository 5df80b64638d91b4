"""Per-layer subplot states shared by the heatmaps — "pending" and "◀ now" — and column groups.

During a step-by-step update some layers are not computed yet. Their panels must look empty
rather than show the previous step's numbers, which a learner would read as current; and the
layer of the current phase gets a coloured frame so the eye finds it at once.
"""
from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from .style import FONT_SIZE, HIGHLIGHT, NOW_MARK, PENDING_FILL, PENDING_TEXT


def axis_refs(fig: go.Figure, row: int, col: int) -> tuple[str, str]:
    """The trace-style axis names ("x3", "y3") of the subplot at (row, col)."""
    sub = fig.get_subplot(row, col)
    return sub.xaxis.plotly_name.replace("axis", ""), sub.yaxis.plotly_name.replace("axis", "")


def panel_title(base: str, *, pending: bool, now: bool) -> str:
    """A subplot title with the state marks appended."""
    text = base + (": pending" if pending else "")
    return text + (f"  <b>{NOW_MARK}</b>" if now else "")


def mark_pending(fig: go.Figure, row: int, col: int) -> None:
    """Grey the subplot and write "pending" across it; its trace carries no numbers."""
    xref, yref = axis_refs(fig, row, col)
    fig.add_shape(
        type="rect", xref=f"{xref} domain", yref=f"{yref} domain", x0=0, x1=1, y0=0, y1=1,
        fillcolor=PENDING_FILL, line_width=0, layer="below",
    )
    fig.add_annotation(
        xref=f"{xref} domain", yref=f"{yref} domain", x=0.5, y=0.5, text="pending", showarrow=False,
        font=dict(size=FONT_SIZE + 1, color=PENDING_TEXT),
    )
    fig.update_xaxes(showticklabels=False, showgrid=False, ticks="", row=row, col=col)
    fig.update_yaxes(showticklabels=False, showgrid=False, ticks="", row=row, col=col)


def mark_highlight(fig: go.Figure, row: int, col: int) -> None:
    """A thick frame around the subplot of the current phase."""
    xref, yref = axis_refs(fig, row, col)
    fig.add_shape(
        type="rect", xref=f"{xref} domain", yref=f"{yref} domain", x0=-0.005, x1=1.005, y0=-0.01, y1=1.01,
        line=dict(color=HIGHLIGHT, width=4), fillcolor="rgba(0,0,0,0)", layer="above",
    )


def colour_now_titles(fig: go.Figure) -> None:
    """Give subplot titles carrying the "◀ now" mark the highlight colour."""
    for ann in fig.layout.annotations:
        if ann.text and NOW_MARK in ann.text:
            ann.font = dict(color=HIGHLIGHT, size=FONT_SIZE + 1)


def label_runs(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """Runs of equal consecutive labels as (start, stop, label): the groups of columns ordered by label."""
    runs: list[tuple[int, int, str]] = []
    for c, label in enumerate(labels):
        if runs and runs[-1][2] == label:
            runs[-1] = (runs[-1][0], c + 1, label)
        else:
            runs.append((c, c + 1, label))
    return runs
