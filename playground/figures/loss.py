"""The cost J(W,b) of eq. (6) over the epochs, split into its data term and its weight-decay term.

Train and test are told apart by colour; total, data term and decay term by dash, so the split of
eq. (6) reads the same way for both.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from .spec import Patch, typed
from .style import TEST_COLOUR, TRAIN_COLOUR, base_layout, compact

# key -> (legend name, colour, dash), in drawing order
SERIES = {
    "J": ("J(W,b) train", TRAIN_COLOUR, "solid"),
    "J_data": ("data term (mean loss)", TRAIN_COLOUR, "dash"),
    "J_decay": ("λ/2 ΣW²", TRAIN_COLOUR, "dot"),
    "J_test": ("J test", TEST_COLOUR, "solid"),
    "J_test_data": ("data term, test", TEST_COLOUR, "dash"),
}
DIVERGED_COLOUR = "#b2182b"


def _series_points(epochs, series, log_y):
    """Per drawn series: (key, x, y), non-finite values and (on a log axis) non-positive ones dropped."""
    x_all = np.asarray(epochs).ravel()
    x_all = x_all.astype(np.int32 if np.issubdtype(x_all.dtype, np.integer) else np.float32)
    out = []
    for key in SERIES:
        if key not in series:
            continue
        y = np.asarray(series[key], dtype=np.float64).ravel()
        if y.shape != x_all.shape:
            raise ValueError(f"Series {key!r} has {y.size} values for {x_all.size} epochs.")
        keep = np.isfinite(y) & (y > 0) if log_y else np.isfinite(y)
        out.append((key, x_all[keep], compact(y[keep])))
    return out


def _mode(n: int) -> str:
    return "lines+markers" if n < 20 else "lines"  # markers while the curve is short, so the first epochs show


def loss_frames(
    epochs: np.ndarray,
    series: Mapping[str, np.ndarray],
    upto: list[float],
    *,
    log_y: bool = False,
    highlight_now: bool = False,
) -> tuple[list[Patch], dict]:
    """The numbers of :func:`loss_curve` at several moments of one history: one patch per epoch in
    ``upto`` (the curve as it stood then), all referring to the arrays sent once beside them.

    Returns (patches, base): base holds each series' x and y; a patch takes the first n of them.
    """
    points = _series_points(epochs, series, log_y)
    base, patches = {}, []
    for key, x, y in points:
        base[f"{key}.x"], base[f"{key}.y"] = typed(x), typed(y)
    for e in upto:
        traces, k = [], 0
        for key, x, y in points:
            n = int(np.searchsorted(x, e, side="right"))
            traces.append([k, {"x": {"ref": f"{key}.x", "n": n}, "y": {"ref": f"{key}.y", "n": n}, "mode": _mode(n)}])
            k += 1
            if highlight_now and SERIES[key][2] == "solid" and x.size:
                traces.append([k, {"x": typed(x[n - 1:n]), "y": typed(y[n - 1:n])}])
                k += 1
        patches.append({"t": traces, "l": []})
    return patches, base


def loss_curve(
    epochs: np.ndarray,
    series: Mapping[str, np.ndarray],
    *,
    log_y: bool = False,
    diverged_at: int | None = None,
    highlight_now: bool = False,
) -> go.Figure:
    """One line per series, keys among SERIES; each series has one value per entry of ``epochs``.

    Non-finite values (a diverged run) are never drawn; on a log axis non-positive values are dropped
    too — J_decay is exactly 0 when λ = 0. highlight_now marks the latest point of each total, J and J test.
    """
    unknown = set(series) - set(SERIES)
    if unknown:
        raise ValueError(f"Unknown loss series {sorted(unknown)}; expected some of {list(SERIES)}.")
    fig = go.Figure()
    for key, x, y in _series_points(epochs, series, log_y):
        name, colour, dash = SERIES[key]
        fig.add_trace(go.Scatter(
            x=x, y=y, mode=_mode(x.size), name=name,
            line=dict(color=colour, dash=dash, width=2 if dash == "solid" else 1.6),
            # test markers hollow: at the first epochs test J sits on train J, and a filled one hid it
            marker=dict(symbol="circle-open" if colour == TEST_COLOUR else "circle", size=7),
            hovertemplate="%{y:.4g}",
        ))
        if highlight_now and dash == "solid" and x.size:
            # Only the train total is labelled: train and test usually end close together.
            fig.add_trace(go.Scatter(
                x=x[-1:], y=y[-1:], mode="markers+text" if key == "J" else "markers", text=["now"],
                textposition="top center",
                marker=dict(color=colour, size=9, line=dict(color="white", width=1.5)),
                name=f"{name}, now", showlegend=False, hoverinfo="skip", textfont=dict(color=colour),
            ))
    if diverged_at is not None:
        fig.add_shape(
            type="line", xref="x", yref="paper", x0=diverged_at, x1=diverged_at, y0=0, y1=1,
            line=dict(color=DIVERGED_COLOUR, width=2, dash="dash"),
        )
        fig.add_annotation(
            x=diverged_at, xref="x", y=1, yref="paper", yanchor="top", xanchor="left", xshift=4, text="diverged",
            showarrow=False,
            font=dict(color=DIVERGED_COLOUR),
        )
    # Epochs from 0, and at least 0-5 shown: one point at epoch 0 used to sit mid-axis from −1 to 1,
    # with fractional epoch ticks.
    fig.update_xaxes(title_text="epoch", autorangeoptions=dict(include=[-0.25, 5]), tick0=0)
    fig.update_yaxes(title_text="J", type="log" if log_y else "linear", dtick="D2" if log_y else None)
    # The axis type is part of the revision: a zoom kept from a linear axis means nothing on a log one.
    base_layout(fig, 320, uirevision=f"loss_curve_{'log' if log_y else 'linear'}")
    fig.update_layout(
        hovermode="x unified",
        legend=dict(orientation="h", x=0, y=1.02, xanchor="left", yanchor="bottom"),
        margin=dict(t=50),
    )
    return fig
