"""What the network predicts: the TF-Playground-style output surface over (x₁, x₂), and its summaries
for inputs that are not 2-D — predicted against true values (regression) and the confusion matrix.

The surface is a tinted version of the same colour scale as its points, so a point of the wrong
colour on its background is a misfit the eye finds at once. It is drawn with ``zsmooth="fast"``: one
image pixel per grid point, which the browser scales (ui/live_chart.py smooths it); "best" would
interpolate every screen pixel in JavaScript, ~10x the cost of a redraw while playing.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from .spec import Patch, painted, typed
from .style import (
    CLASS_COLOURS,
    DIVERGING,
    NEGATIVE,
    POSITIVE,
    TEST_COLOUR,
    TRAIN_COLOUR,
    ZERO,
    base_layout,
    compact,
    symmetric_range,
    tint,
)

BACKGROUND_DIVERGING = [[0.0, tint(NEGATIVE, 0.45)], [0.5, ZERO], [1.0, tint(POSITIVE, 0.45)]]


def _class_index(y: np.ndarray, n_classes: int, low: float) -> np.ndarray:
    """Class indices from y: already indices (the datasets' int labels), one-hot rows, or binary targets low/1."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1)
    y = y.ravel()
    if np.issubdtype(y.dtype, np.integer):
        return y.astype(np.intp)
    if n_classes == 2:
        return (y > (low + 1.0) / 2).astype(np.intp)
    return np.rint(y).astype(np.intp)


def _discrete_scale(colours: Sequence[str]) -> list[list]:
    """A step colour scale with one flat band per class, for z = class index with zmin = −0.5, zmax = K − 0.5."""
    K = len(colours)
    scale: list[list] = []
    for k, c in enumerate(colours):
        scale += [[k / K, c], [(k + 1) / K, c]]
    return scale


def _surface_z(values: np.ndarray, multiclass: bool) -> np.ndarray:
    return values.astype(np.int8) if multiclass else compact(values)


def _surface_colours(task: str, classes: tuple[str, ...], low: float) -> tuple[list, float, float]:
    """(colour scale, zmin, zmax) of a classification surface: the tinted sign scale from the class-0
    target to 1, or one flat band per class for the arg-max class index."""
    if len(classes) > 2:
        return _discrete_scale([tint(c) for c in CLASS_COLOURS[:len(classes)]]), -0.5, len(classes) - 0.5
    return BACKGROUND_DIVERGING, low, 1.0


def surface_frame(
    values: np.ndarray,
    *,
    task: str,
    classes: tuple[str, ...] = (),
    y_train: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    show_test: bool = True,
    low: float = 0.0,
    playing: bool = False,
) -> Patch:
    """The numbers of :func:`prediction_surface` for a new prediction over the same grid and data:
    the surface (and, for regression, its colour range, shared with the points).

    Two classes: the surface goes to the layout image, as numbers on the heatmap's colour scale,
    which the browser paints (live_chart.js). Only the image layer is redrawn then, not the hundreds
    of data points on top: ~10x cheaper per frame. The invisible heatmap's z, for hover, goes in
    the frame's hover part (not while ``playing``, when there is no hover).
    """
    multiclass = task == "classification" and len(classes) > 2
    if task == "classification" and not multiclass:
        scale, zmin, zmax = _surface_colours(task, classes, low)
        hover = [] if playing else [[0, {"z": typed(_surface_z(np.asarray(values), False))}]]
        return {"t": [], "l": [["images.0.source", painted(values, zmin, zmax, scale)]], "h": hover}
    traces: list = [[0, {"z": typed(_surface_z(np.asarray(values), multiclass))}]]
    if task == "regression":  # the surface and the points (train, then test) share one range
        test_shown = show_test and y_test is not None and len(y_test) > 0
        r = symmetric_range(values, y_train, y_test if test_shown else None)
        traces[0][1] |= {"zmin": -r, "zmax": r}
        traces += [[k, {"marker.cmin": -r, "marker.cmax": r}] for k in range(1, 3 if test_shown else 2)]
    return {"t": traces, "l": []}


def prediction_surface(
    x1: np.ndarray,
    x2: np.ndarray,
    values: np.ndarray,
    *,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray | None,
    y_test: np.ndarray | None,
    task: str,
    classes: tuple[str, ...] = (),
    low: float = 0.0,
    show_test: bool = True,
    playing: bool = False,
) -> go.Figure:
    """The network's output over the grid, with the data on top.

    values[r, c] is the prediction at (x1[c], x2[r]): the scalar output h(x) for two classes and for
    regression, the arg-max class index for more than two classes. ``low`` is the class-0 target,
    the bottom of the output activation (0 for sigmoid, −1 for tanh). Two classes: the frames paint
    the surface as a layout image over the grid's cells (see :func:`surface_frame`); the heatmap
    stays, transparent, for its colour bar and hover. ``playing``: the structure for Play, no hover.
    """
    if task not in ("classification", "regression"):
        raise ValueError(f'task must be "classification" or "regression"; got {task!r}.')
    x1 = compact(x1).ravel()
    x2 = compact(x2).ravel()
    values = np.asarray(values)
    if values.shape != (x2.size, x1.size):
        raise ValueError(f"values must have shape (len(x2), len(x1)) = {(x2.size, x1.size)}; got {values.shape}.")
    multiclass = task == "classification" and len(classes) > 2
    n_classes = len(classes) if task == "classification" else 0
    if task == "classification" and n_classes < 2:
        classes, n_classes = ("0", "1"), 2
    if n_classes > len(CLASS_COLOURS):
        raise ValueError(f"At most {len(CLASS_COLOURS)} classes can be coloured; got {n_classes}.")
    test_shown = show_test and X_test is not None and y_test is not None and len(X_test) > 0
    surface_hover = "h(x) = %{z:.3f} at x₁ = %{x:.2f}, x₂ = %{y:.2f}<extra></extra>"
    colourbar = dict(thickness=10, outlinewidth=0, len=0.8, title=dict(text="h(x)"))

    # Regression: surface and points share one symmetric range, so equal colours mean equal values.
    r = symmetric_range(values, y_train, y_test if test_shown else None) if task == "regression" else 0.0
    fig = go.Figure()
    painted_surface = task == "classification" and not multiclass
    playing = playing and painted_surface
    if task == "classification":
        scale, zmin, zmax = _surface_colours(task, classes, low)
        fig.add_trace(go.Heatmap(
            x=x1, y=x2, z=_surface_z(values, multiclass), colorscale=scale, zmin=zmin, zmax=zmax,
            # class indices are never smoothed: blending two classes' tints would invent a colour
            zmid=None if multiclass else (low + 1.0) / 2, zsmooth=False if multiclass else "fast",
            showscale=not multiclass,
            colorbar=None if multiclass else colourbar, name="predicted class" if multiclass else "h(x)",
            hovertemplate=None if multiclass or playing else surface_hover,
            hoverinfo="skip" if multiclass or playing else None, opacity=0.0 if painted_surface else None,
        ))
        if painted_surface:  # frames paint the surface here: one image pixel per grid cell, centred on the grid
            dx, dy = (x1[-1] - x1[0]) / max(x1.size - 1, 1), (x2[-1] - x2[0]) / max(x2.size - 1, 1)
            fig.add_layout_image(
                source="", xref="x", yref="y", x=float(x1[0] - dx / 2), y=float(x2[-1] + dy / 2),
                sizex=float(x1[-1] - x1[0] + dx), sizey=float(x2[-1] - x2[0] + dy), sizing="stretch",
                xanchor="left", yanchor="top", layer="below",
            )
    else:
        fig.add_trace(go.Heatmap(
            x=x1, y=x2, z=compact(values), colorscale=BACKGROUND_DIVERGING,
            zmin=-r, zmax=r, zmid=0.0, zsmooth="fast", colorbar=colourbar, hovertemplate=surface_hover, name="h(x)",
        ))

    # White outlines vanish on a regression's near-zero (white) colours, so there the train outline is grey.
    parts = [("train", X_train, y_train, "white" if task == "classification" else "#8a8a8a")]
    if test_shown:
        parts.append(("test", X_test, y_test, None))  # rings: no outline
    size = 7 if len(X_train) <= 500 else 5
    for part, X, y, outline in parts:
        X = compact(X)
        # Train points filled (●), test points rings in their class colour (○), as the chart's heading says.
        marker = (dict(size=size, line=dict(color=outline, width=0.8)) if part == "train"
                  else dict(size=size + 1, symbol="circle-open", line=dict(width=2.2)))
        if task == "classification":
            idx = _class_index(y, n_classes, low)
            for k, name in enumerate(classes):
                sel = idx == k
                if not sel.any():
                    continue
                fig.add_trace(go.Scatter(
                    x=X[sel, 0], y=X[sel, 1], mode="markers", marker=dict(color=CLASS_COLOURS[k], **marker),
                    name=f"class {name}" if part == "train" else "test ○",
                    legendgroup=part if part == "test" else f"class {k}",
                    showlegend=bool(part == "train" or k == idx.min()),  # one legend entry stands for all test points
                    hovertemplate=f"class {name} · {part}<br>x₁ = %{{x:.3f}}, x₂ = %{{y:.3f}}<extra></extra>",
                ))
        else:
            fig.add_trace(go.Scatter(
                x=X[:, 0], y=X[:, 1], mode="markers", name=part,
                marker=dict(color=compact(y).ravel(), colorscale=DIVERGING, cmin=-r, cmax=r,
                            cmid=0.0, showscale=False, **marker),
                hovertemplate=f"y = %{{marker.color:.3g}} · {part}<br>x₁ = %{{x:.3f}}, x₂ = %{{y:.3f}}<extra></extra>",
            ))

    fig.update_xaxes(title_text="x₁", range=[float(x1.min()), float(x1.max())], showgrid=False, constrain="domain")
    fig.update_yaxes(
        title_text="x₂", range=[float(x2.min()), float(x2.max())], showgrid=False, scaleanchor="x", scaleratio=1,
        constrain="domain",
    )
    base_layout(fig, 460, uirevision="prediction_surface")
    fig.update_layout(legend=dict(orientation="h", x=0, y=1.02, xanchor="left", yanchor="bottom"), margin=dict(t=50))
    return fig


def _r_squared(y_true: np.ndarray, y_pred: np.ndarray) -> float | None:
    """The coefficient of determination 1 − SS_res/SS_tot; None when the targets are constant."""
    ss_tot = float(np.sum((y_true - y_true.mean()) ** 2))
    if y_true.size == 0 or ss_tot == 0.0:
        return None
    return 1.0 - float(np.sum((y_true - y_pred) ** 2)) / ss_tot


def predicted_vs_true(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    y_true_test: np.ndarray | None = None,
    y_pred_test: np.ndarray | None = None,
) -> go.Figure:
    """Regression fit for inputs that are not 2-D: predicted against true, with the diagonal y = x.

    Several outputs are pooled (flattened), and so is their R².
    """
    pairs = [("train", y_true, y_pred, TRAIN_COLOUR)]
    if y_true_test is not None and y_pred_test is not None:
        pairs.append(("test", y_true_test, y_pred_test, TEST_COLOUR))
    fig = go.Figure()
    r2_parts, lo, hi = [], np.inf, -np.inf
    for part, t, p, colour in pairs:
        t = np.asarray(t, dtype=np.float64).ravel()
        p = np.asarray(p, dtype=np.float64).ravel()
        if t.shape != p.shape:
            raise ValueError(f"{part}: {t.size} true values but {p.size} predictions.")
        finite = np.isfinite(t) & np.isfinite(p)
        t, p = t[finite], p[finite]
        if t.size:
            lo, hi = min(lo, t.min(), p.min()), max(hi, t.max(), p.max())
        r2 = _r_squared(t, p)
        r2_parts.append(f"{part} {'n/a' if r2 is None else f'{r2:.3f}'}")
        fig.add_trace(go.Scatter(
            x=compact(t), y=compact(p), mode="markers", name=part,
            marker=dict(color=colour, size=6, opacity=0.7),
            hovertemplate=f"{part}<br>true y = %{{x:.3g}}<br>predicted h(x) = %{{y:.3g}}<extra></extra>",
        ))
    if np.isfinite(lo):
        fig.add_trace(go.Scatter(
            x=[lo, hi], y=[lo, hi], mode="lines", name="y = x", line=dict(color="#888888", dash="dash", width=1),
            hoverinfo="skip",
        ))
    fig.update_xaxes(title_text="true y")
    fig.update_yaxes(title_text="predicted h(x)")
    base_layout(fig, 420, title="Predicted vs true — R²: " + ", ".join(r2_parts), uirevision="predicted_vs_true")
    return fig


def confusion_matrix(
    counts: np.ndarray, classes: tuple[str, ...], *, title: str = "Confusion matrix (test)"
) -> go.Figure:
    """counts[true, predicted] as an annotated grid, the diagonal being the correct predictions."""
    counts = np.asarray(counts)
    K = len(classes)
    if counts.shape != (K, K):
        raise ValueError(f"counts must be ({K}, {K}) for {K} classes; got {counts.shape}.")
    total = int(counts.sum())
    accuracy = "n/a" if total == 0 else f"{np.trace(counts) / total:.1%}"
    names = [str(c) for c in classes]
    fig = go.Figure(go.Heatmap(
        z=counts.astype(np.int32), x=names, y=names, colorscale=[[0.0, "#ffffff"], [1.0, NEGATIVE]], zmin=0,
        showscale=False, texttemplate="%{z}", hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
    ))
    # Class names such as "0".."9" would otherwise turn into a numeric axis.
    fig.update_xaxes(title_text="predicted", type="category", showgrid=False, side="bottom")
    fig.update_yaxes(title_text="true", type="category", autorange="reversed", showgrid=False)
    base_layout(fig, max(260, 80 + 36 * K), title=f"{title} — accuracy {accuracy}", uirevision="confusion_matrix")
    return fig
