"""A small gallery of digit images, so the learner sees what the 64 inputs of x actually are."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import FONT_SIZE, base_layout

CELL_PX = 96  # one image with its title
TITLE_PX = 22


def digit_images(
    images: np.ndarray, labels: Sequence[str], *, shape: tuple[int, int] = (8, 8), ncols: int = 10
) -> go.Figure:
    """images: (n, rows·cols) pixel intensities, one image per row; labels: one title per image.

    Ink is dark on white, one grey scale for the whole gallery so intensities compare across images.
    """
    images = np.asarray(images, dtype=np.float32)
    n = images.shape[0]
    if images.ndim != 2 or images.shape[1] != shape[0] * shape[1]:
        raise ValueError(
            f"images must be (n, {shape[0] * shape[1]}) for {shape[0]}×{shape[1]} images; got {images.shape}."
        )
    if len(labels) != n:
        raise ValueError(f"{n} images need {n} labels; got {len(labels)}.")
    if n == 0:
        raise ValueError("digit_images needs at least one image.")
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    margin_t, margin_b = 30, 10
    total = margin_t + margin_b + CELL_PX * nrows
    fig = make_subplots(
        rows=nrows, cols=ncols, subplot_titles=[str(s) for s in labels],
        horizontal_spacing=0.02,
        vertical_spacing=min(TITLE_PX / (total - margin_t - margin_b), 0.9 / max(nrows - 1, 1)),
    )
    top = float(images.max()) if np.isfinite(images.max()) and images.max() > 0 else 1.0
    for k in range(n):
        fig.add_trace(go.Heatmap(
            z=images[k].reshape(shape), coloraxis="coloraxis",
            hovertemplate="pixel (%{y}, %{x}) = %{z:.3g}<extra></extra>",
        ), row=k // ncols + 1, col=k % ncols + 1)
    fig.update_xaxes(visible=False)
    # Row 0 of an image is its top; each panel keeps square pixels.
    for k in range(n):
        row, col = k // ncols + 1, k % ncols + 1
        x_name = fig.get_subplot(row, col).xaxis.plotly_name.replace("axis", "")
        fig.update_yaxes(autorange="reversed", scaleanchor=x_name, row=row, col=col)
    fig.update_yaxes(visible=False)
    base_layout(fig, total, uirevision="digit_images")
    fig.update_layout(
        coloraxis=dict(colorscale="Greys", cmin=0.0, cmax=top, showscale=False),
        margin=dict(l=10, r=10, t=margin_t, b=margin_b),
    )
    fig.update_annotations(font_size=FONT_SIZE - 1)
    return fig
