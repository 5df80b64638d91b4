"""Shared look of every chart: the colour scales, class colours and the light base layout.

One diverging scale is used for everything signed — δ^(l), W^(l), ∂J/∂W^(l), edges of the network
diagram — so blue always means negative and orange positive, as in TensorFlow Playground.
The layout uses ``template="none"`` because a full Plotly template adds several kB of JSON to every
redraw, and the charts are redrawn a few times per second while training.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

NEGATIVE = "#0877bd"  # TensorFlow Playground's blue
POSITIVE = "#f59322"  # TensorFlow Playground's orange
ZERO = "#f7f7f7"
DIVERGING = [[0.0, NEGATIVE], [0.5, ZERO], [1.0, POSITIVE]]

# Class 0 blue and class 1 orange as in TensorFlow Playground; then Kelly's colours of maximum contrast,
# so the ten digit classes stay distinguishable.
CLASS_COLOURS = (
    NEGATIVE, POSITIVE, "#008856", "#be0032", "#875692", "#f3c300", "#a1caf1", "#882d17", "#e68fac",
    "#848482", "#8db600", "#604e97", "#c2b280", "#2b3d26", "#f99379", "#654522", "#b3446c", "#dcd300",
    "#17becf", "#1a1a1a",
)

HIGHLIGHT = "#1a9850"  # the layer of the current phase; green is neither sign colour
NOW_MARK = "◀ now"
PENDING_FILL = "#e6e6e6"
PENDING_TEXT = "#7a7a7a"
TRAIN_COLOUR = "#2f3e4e"
TEST_COLOUR = "#d62728"
TEXT_COLOUR = "#262730"  # Streamlit's body text colour
GRID_COLOUR = "#ececec"
FONT_SIZE = 13


def max_abs(*arrays) -> float:
    """max |x| over all finite entries of the arrays (None skipped); 0 when there are none."""
    r = 0.0
    for a in arrays:
        if a is None:
            continue
        a = np.asarray(a, dtype=float)
        finite = a[np.isfinite(a)]
        if finite.size:
            r = max(r, float(np.abs(finite).max()))
    return r


def symmetric_range(*arrays) -> float:
    """max |x| over all finite entries of the arrays, at least 1e-12 so a colour range is never empty.

    Titles quote :func:`max_abs` instead: below 1e-12 the colours saturate to white, but the number must not lie.
    """
    return max(max_abs(*arrays), 1e-12)


F32 = np.finfo(np.float32)


def compact(a) -> np.ndarray:
    """The array as float32 when every finite value survives the cast, else as float64.

    float32 halves what each redraw sends to the browser; but a diverging run reaches 1e300 and a
    vanishing δ 1e-50, which float32 would turn into inf or 0 (with a warning), so those stay float64.
    """
    a = np.asarray(a, dtype=np.float64)
    mag = np.abs(a[np.isfinite(a) & (a != 0)])
    if mag.size and (mag.max() > F32.max or mag.min() < F32.tiny):
        return a
    return a.astype(np.float32)


def tint(colour: str, amount: float = 0.6) -> str:
    """The colour mixed with white: ``amount`` 0 keeps it, 1 gives white. Backgrounds use tints so points stand out."""
    rgb = np.array([int(colour[k:k + 2], 16) for k in (1, 3, 5)], dtype=float)
    mixed = np.round(rgb + (255.0 - rgb) * amount).astype(int)
    return "#" + "".join(f"{v:02x}" for v in mixed)


def fmt(x: float) -> str:
    """A number for a title: 3 significant digits, scientific when small or large."""
    return f"{x:.3g}"


def base_layout(fig: go.Figure, height: int, title: str | None = None, uirevision: str = "playground") -> go.Figure:
    """Apply the house look to ``fig`` in place and return it.

    ``uirevision`` must be stable for a given chart: while it stays the same Plotly keeps the user's
    zoom and legend toggles across the many redraws of a training run.
    """
    fig.update_layout(
        template="none",
        height=int(height),
        title=dict(text=title, x=0.0, xanchor="left", font=dict(size=FONT_SIZE + 2)) if title else None,
        uirevision=uirevision,
        font=dict(family="Source Sans Pro, Helvetica, Arial, sans-serif", size=FONT_SIZE, color=TEXT_COLOUR),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=60, r=30, t=60 if title else 40, b=50),
        hoverlabel=dict(font_size=FONT_SIZE),
    )
    fig.update_xaxes(gridcolor=GRID_COLOUR, zeroline=False, linecolor="#bbbbbb", automargin=True)
    fig.update_yaxes(gridcolor=GRID_COLOUR, zeroline=False, linecolor="#bbbbbb", automargin=True)
    return fig
