"""Heatmaps of the backward pass: the error terms δ^(l) per example, and the matrices W^(l) and ∂J/∂W^(l).

δ^(l) = ∂J/∂z^(l) (eq. 14) is drawn neurons × examples, one panel per layer, with the output layer
n_l at the top because the error terms are computed from the output backwards (eqs. 17, 18).
W^(l) and ∂J/∂W^(l) (eq. 9) are drawn as the matrices they are: row i is neuron i of layer l+1,
column j neuron j of layer l. All use the shared diverging scale centred on 0 with a symmetric range.
Cells are drawn with ``zsmooth="fast"`` (one image pixel per cell, scaled crisp by the browser).

These charts are redrawn many times a second while playing, and on every Step, and a plotly.js
heatmap redraw (~25-35 ms in a software-rendered browser) would cap the frame rate and delay a
Step. So the heatmaps are invisible, there for their axes, colour bar and hover, and a layout image
over each panel shows the cells: frames carry each panel's numbers for the browser to paint there
(~2 ms), and titles in plain text (superscripts as Unicode), which it rewrites in place. The
heatmaps' own numbers go in the frame's hover part, applied when the browser is idle (spec.py);
while ``playing``, hover is off and they are not sent at all.

The δ columns are grouped by class for classification, with a separator between classes. For
regression every example has its own target, so a separator per distinct value would be noise
(and plotly builds each shape slowly: 190 of them took 12 s). Regression columns, ordered by
target, are instead cut into at most TARGET_BANDS quantile bands — a few groups of similar targets,
so a δ that grows with y still reads left to right — with one tick naming each band's range.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Real

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..notation import sup
from .panels import axis_refs, colour_now_titles, label_runs, mark_highlight, mark_pending, panel_title
from .spec import Patch, painted, typed
from .style import DIVERGING, FONT_SIZE, base_layout, compact, fmt, max_abs, symmetric_range

MIN_ROW_PX = 56  # a 1-neuron output layer still gets a readable strip
PX_PER_NEURON = 14
MAX_ROW_PX = 260
TITLE_GAP_PX = 36  # room for a subplot title between stacked panels
MAX_GROUPS = 30  # more label runs than this means the columns were not grouped; ticks would be noise
COLOURBAR_STYLE = dict(thickness=10, outlinewidth=0, tickfont=dict(size=FONT_SIZE - 2), tickformat=".2~g")
TARGET_PREFIX = "y≈"  # run.py labels a regression example by its rounded target, "y≈0.3"
TARGET_BANDS = 4  # regression columns are grouped into target quartiles


def _targets(labels: Sequence) -> np.ndarray | None:
    """The column labels as regression targets — numbers, or "y≈0.3" as run.py writes them — or None
    for class labels."""
    values = []
    for label in labels:
        if isinstance(label, str):
            if not label.startswith(TARGET_PREFIX):
                return None
            label = label[len(TARGET_PREFIX):]
        elif isinstance(label, bool) or not isinstance(label, Real):
            return None
        try:
            values.append(float(label))
        except ValueError:
            return None
    values = np.array(values) + 0.0  # + 0.0: a rounded "y≈-0.0" is named 0, not -0
    return values if values.size and np.isfinite(values).all() else None


def _band_labels(values: np.ndarray) -> list[str]:
    """A label per column naming its quantile band of the targets, "y 0.12 … 0.87" (plain text).

    Band b holds the values in (edge_{b-1}, edge_b]; tied quantiles make one edge, so heavily tied
    targets get fewer bands, and equal targets never straddle a separator.
    """
    edges = np.unique(np.quantile(values, np.arange(1, TARGET_BANDS) / TARGET_BANDS))
    band = np.searchsorted(edges, values, side="left")
    names = {}
    for b in np.unique(band):
        lo, hi = values[band == b].min(), values[band == b].max()
        names[b] = f"y {fmt(lo)}" if lo == hi else f"y {fmt(lo)} … {fmt(hi)}"
    return [names[b] for b in band]


def _separators(fig: go.Figure, row: int, starts: Sequence[int], n: int) -> list[dict]:
    """Vertical lines between column groups of one panel; domain coordinates avoid any category/number
    ambiguity. Returned, not added: the figure takes them all at once (add_shape is slow per call)."""
    xref, yref = axis_refs(fig, row, 1)
    return [dict(type="line", xref=f"{xref} domain", yref=f"{yref} domain", x0=start / n, x1=start / n, y0=0, y1=1,
                 line=dict(color="#333333", width=1)) for start in starts]


def _delta_shown(deltas, order, layers, pending) -> dict[int, np.ndarray]:
    """The δ^(l) drawn: the chosen columns, (s_l, n), as float32 — this chart is redrawn many times a second."""
    return {l: compact(np.asarray(deltas[l])[order].T) for l in layers if l in deltas and l not in pending}


def _delta_title(l: int, s: int | None, shown: np.ndarray | None, now: bool) -> str:
    # plain text (no markup): the browser rewrites it in place while playing
    base = f"δ{sup(l)} — layer {l}" + ("" if s is None else f" ({s} neuron{'' if s == 1 else 's'})")
    if shown is not None:
        base += f", max|δ| = {fmt(max_abs(shown))}"
    return panel_title(base, pending=shown is None, now=now)


def _colour_ticks(r: float) -> dict:
    """The one colour bar's ticks: at ±r of the panel it belongs to; every panel is scaled to its own max."""
    return {"colorbar.tickvals": [-r, 0.0, r]}


def _relative_bar(symbol: str) -> dict:
    # One bar for all panels (a bar per panel costs ~40 % of a redraw): each panel's max is in its title.
    return dict(ticktext=[f"−max|{symbol}|", "0", f"+max|{symbol}|"], title=dict(text=""), **COLOURBAR_STYLE)


def _painted(z: np.ndarray, r: float) -> dict:
    """A panel's numbers for the browser to paint: row 0 at the top, as the reversed y axis draws
    it, on the heatmap's own scale (spec.painted)."""
    return painted(z, -r, r, DIVERGING, row0_top=True)


def _panel_image(fig: go.Figure, row: int, col: int, x0: float, width: float, rows: int) -> None:
    """The layout image the frames paint a panel into: exactly the heatmap's cells
    (x0 … x0 + width on the x axis, rows 1 … ``rows`` downwards from the top of a reversed y axis)."""
    xref, yref = axis_refs(fig, row, col)
    fig.add_layout_image(source="", xref=xref, yref=yref, x=x0, y=0.5, sizex=width, sizey=rows, sizing="stretch",
                         xanchor="left", yanchor="top", layer="below")


def delta_frame(
    deltas: Mapping[int, np.ndarray],
    *,
    example_order: np.ndarray,
    pending: set[int] | frozenset[int] = frozenset(),
    highlight: int | None = None,
    shared_scale: bool = False,
    playing: bool = False,
) -> Patch:
    """The numbers of :func:`delta_heatmaps` for new δ^(l) (same layers, order and options): each
    layer's painted image and title, and (for hover; not while ``playing``) its heatmap's z and
    colour range. The structure stays; see figures/spec.py."""
    layers = sorted(set(deltas) | set(pending), reverse=True)
    order = np.asarray(example_order, dtype=np.intp).ravel()
    shown = _delta_shown(deltas, order, layers, pending)
    shared = symmetric_range(*shown.values()) if shared_scale else None
    first = next((l for l in layers if l in shown), None)
    hover, titles, images = [], [], []
    for i, l in enumerate(layers):
        s = np.asarray(deltas[l]).shape[1] if l in deltas else None
        titles.append([f"annotations.{i}.text", _delta_title(l, s, shown.get(l), l == highlight)])
        if l in shown:
            r = shared if shared_scale else symmetric_range(shown[l])
            images.append([f"images.{len(images)}.source", _painted(shown[l], r)])
            hover.append([i, {"z": typed(shown[l]), "zmin": -r, "zmax": r,
                              **(_colour_ticks(r) if not shared_scale and l == first else {})}])
    return {"t": [], "l": images + titles, "h": [] if playing else hover}


def delta_heatmaps(
    deltas: Mapping[int, np.ndarray],
    *,
    example_order: np.ndarray,
    example_labels: Sequence[str],
    pending: set[int] | frozenset[int] = frozenset(),
    highlight: int | None = None,
    shared_scale: bool = False,
    height: int | None = None,
    playing: bool = False,
) -> go.Figure:
    """δ^(l) for l in deltas ∪ pending, one panel per layer, n_l at the top.

    deltas[l]: (m, s_l), one row per training example, as the core stores them.
    example_order: indices into the m examples, in display order (already grouped by label, or
        sorted by target for regression).
    example_labels: one label per training example, indexed by k like deltas' rows (so the label of
        column c is example_labels[example_order[c]]); groups of equal labels get one tick and a
        separator. Regression targets — numbers, or strings "y≈0.3" — are grouped into quantile bands
        instead (see the module's docstring).
    pending: layers not computed yet in this update; drawn empty and grey, whatever deltas holds.
    shared_scale: one colour range for all layers, so a vanishing gradient shows as fading rows.
    playing: the structure for Play: no hover (the heatmaps' numbers are not sent while playing),
        and the colour bar is relative (±max|δ|, of all layers with shared_scale) since its
        range is not redrawn. The cells are a layout image over each panel (see the module's docstring).
    """
    layers = sorted(set(deltas) | set(pending), reverse=True)
    if not layers:
        raise ValueError("delta_heatmaps needs at least one layer.")
    order = np.asarray(example_order, dtype=np.intp).ravel()
    arrays = {l: np.asarray(deltas[l]) for l in deltas}
    for l, d in arrays.items():
        if d.ndim != 2:
            raise ValueError(f"δ^({l}) must be a 2-D array (examples × neurons); got shape {d.shape}.")
    m_values = {d.shape[0] for d in arrays.values()}
    if len(m_values) > 1:
        raise ValueError(f"Every δ^(l) must have the same number of examples; got {sorted(m_values)}.")
    m = next(iter(m_values)) if m_values else None
    if m is not None and order.size and not 0 <= order.min() <= order.max() < m:
        raise ValueError(f"example_order must index the {m} examples; got {order.min()}…{order.max()}.")
    if order.size and order.max() >= len(example_labels):
        raise ValueError(
            f"example_labels needs one label per training example, indexed by k; got {len(example_labels)} labels "
            f"for example index {order.max()}."
        )
    shown = _delta_shown(arrays, order, layers, pending)  # (s_l, n) per layer
    sizes = {l: arrays[l].shape[1] if l in arrays else None for l in layers}
    ranges = {l: symmetric_range(z) for l, z in shown.items()}
    shared = symmetric_range(*shown.values()) if shared_scale else None
    titles = [_delta_title(l, sizes[l], shown.get(l), l == highlight) for l in layers]

    row_px = [min(MAX_ROW_PX, max(MIN_ROW_PX, PX_PER_NEURON * (sizes[l] or 0))) for l in layers]
    margin_t, margin_b = 40, 60
    auto_height = sum(row_px) + TITLE_GAP_PX * (len(layers) - 1) + margin_t + margin_b
    total = int(height or auto_height)
    plot_px = max(total - margin_t - margin_b, 1)
    spacing = min(TITLE_GAP_PX / plot_px, 0.9 / max(len(layers) - 1, 1))
    fig = make_subplots(
        rows=len(layers), cols=1, shared_xaxes=True, row_heights=row_px, vertical_spacing=spacing,
        subplot_titles=titles,
    )

    ks = (order + 1).astype(np.int32)  # the text's 1-based k of x^(k)
    column_labels = [example_labels[k] for k in order]
    targets = _targets(column_labels)
    column_labels = _band_labels(targets) if targets is not None else [str(g) for g in column_labels]
    runs = label_runs(column_labels)
    grouped = len(runs) == len(set(column_labels))  # every label in one block of columns
    # Unsorted targets have no bands to separate; interleaved classes keep theirs, as they always have.
    separators = runs[1:] if len(runs) <= MAX_GROUPS and (grouped or targets is None) else []
    if len(runs) <= MAX_GROUPS:
        tick_runs = runs
    elif grouped:  # many bins (targets rounded): thin the ticks, keep the order readable
        tick_runs = runs[:: -(-len(runs) // MAX_GROUPS)]
    else:  # labels interleaved: a tick per column would swamp the chart and its payload
        tick_runs = []
    n = len(order)
    first_scaled = next((l for l in layers if l in shown), None)
    lines = []
    for row, l in enumerate(layers, start=1):
        if l in shown:
            r = shared if shared_scale else ranges[l]
            colourbar = (
                dict(y=0.5, len=1.0, title=dict(text="δ"), **COLOURBAR_STYLE) if shared_scale and not playing
                else dict(y=0.5, len=1.0, tickvals=[-r, 0.0, r], **_relative_bar("δ"))
            )
            trace = go.Heatmap(
                z=shown[l], x=ks, y=np.arange(1, sizes[l] + 1, dtype=np.int32),
                colorscale=DIVERGING, zmin=-r, zmax=r, zmid=0.0, zsmooth="fast",
                showscale=l == first_scaled, colorbar=colourbar if l == first_scaled else None,
                hovertemplate=None if playing else
                f"δ<sub>%{{y}}</sub><sup>({l})</sup> for example %{{x}} = %{{z:.4g}}<extra></extra>",
                hoverinfo="skip" if playing else None, opacity=0.0,  # the image above shows the cells
                name=f"δ({l})",
            )
        else:
            trace = go.Heatmap(z=[], showscale=False, hoverinfo="skip", name=f"δ({l}) pending")
        fig.add_trace(trace, row=row, col=1)
        if l in shown:
            _panel_image(fig, row, 1, -0.5, n, sizes[l])
            lines += _separators(fig, row, [start for start, _, _ in separators], n)
            fig.update_yaxes(dtick=1 if sizes[l] <= 12 else None, row=row, col=1)
        else:
            mark_pending(fig, row, 1)
        if l == highlight:
            mark_highlight(fig, row, 1)
    fig.layout.shapes = (*lines, *fig.layout.shapes)  # under the highlight frame, as when added first

    # Examples are categories named by k, in the caller's order; one tick per label group, at its centre.
    fig.update_xaxes(
        type="category", categoryorder="array", categoryarray=ks.tolist(), range=[-0.5, n - 0.5], showgrid=False,
        tickmode="array", tickvals=[int(ks[(a + b - 1) // 2]) for a, b, _ in tick_runs],
        ticktext=[g for _, _, g in tick_runs],
        ticks="",
    )
    if targets is not None:
        x_title = "examples x<sup>(k)</sup>" + (", by target y in quartiles" if grouped else " (not ordered by y)")
    else:
        x_title = "examples x<sup>(k)</sup>" + (", grouped" if grouped else " (not grouped by label)")
    fig.update_xaxes(showticklabels=True, title_text=x_title, row=len(layers), col=1)
    fig.update_yaxes(autorange="reversed", showgrid=False, ticks="", ticklabelstandoff=8)  # clear of the "now" frame
    colour_now_titles(fig)
    base_layout(fig, total, uirevision="delta_heatmaps")
    fig.update_layout(margin=dict(t=margin_t, b=margin_b, r=100), showlegend=False)  # room for "+max|δ|"
    return fig


# From this many panels on, titles take their short form: side by side, the long ones ran into each other.
SHORT_TITLES = 4


def _matrix_title(symbol: str, l: int, a: np.ndarray | None, shown: np.ndarray | None, now: bool,
                  short: bool = False) -> str:
    base = f"{symbol}{sup(l)}"
    if a is not None:
        base += f" {a.shape[0]}×{a.shape[1]}" if short else f" ({a.shape[0]}×{a.shape[1]})"
    if shown is not None:
        base += f"<br>max {fmt(max_abs(shown))}" if short else f"<br>max|{symbol}| = {fmt(max_abs(shown))}"
    return panel_title(base, pending=shown is None, now=now)


def matrix_frame(
    mats: Mapping[int, np.ndarray],
    *,
    kind: str,
    pending: set[int] | frozenset[int] = frozenset(),
    highlight: int | None = None,
    playing: bool = False,
) -> Patch:
    """The numbers of :func:`matrix_heatmaps` for new matrices of the same shapes: painted image and
    title, and for hover (not while ``playing``) z and range, as in :func:`delta_frame`."""
    layers = sorted(set(mats) | set(pending))
    symbol = "W" if kind == "W" else "∂J/∂W"
    first = next((l for l in layers if l in mats and l not in pending), None)
    hover, titles, images = [], [], []
    for i, l in enumerate(layers):
        a = np.asarray(mats[l]) if l in mats else None
        shown = compact(a) if a is not None and l not in pending else None
        titles.append([f"annotations.{i}.text",
                       _matrix_title(symbol, l, a, shown, l == highlight, len(layers) >= SHORT_TITLES)])
        if shown is not None:
            r = symmetric_range(shown)
            images.append([f"images.{len(images)}.source", _painted(shown, r)])
            hover.append([i, {"z": typed(shown), "zmin": -r, "zmax": r, **(_colour_ticks(r) if l == first else {})}])
    return {"t": [], "l": images + titles, "h": [] if playing else hover}


def matrix_heatmaps(
    mats: Mapping[int, np.ndarray],
    *,
    kind: str,
    pending: set[int] | frozenset[int] = frozenset(),
    highlight: int | None = None,
    height: int | None = None,
    playing: bool = False,
) -> go.Figure:
    """W^(l) (kind "W") or ∂J/∂W^(l) (kind "dW") for l in mats ∪ pending, side by side, l = 1 on the left.

    mats[l]: (s_{l+1}, s_l). Each panel has its own symmetric colour range, since the layers' weights
    differ in scale; pending layers are drawn empty and grey, whatever mats holds. The cells are
    layout images over invisible heatmaps; playing: the structure for Play, without hover (as
    :func:`delta_heatmaps`).
    """
    if kind not in ("W", "dW"):
        raise ValueError(f'kind must be "W" or "dW"; got {kind!r}.')
    layers = sorted(set(mats) | set(pending))
    if not layers:
        raise ValueError("matrix_heatmaps needs at least one layer.")
    arrays = {l: np.asarray(mats[l]) for l in mats}
    for l, a in arrays.items():
        if a.ndim != 2:
            raise ValueError(f"{kind}^({l}) must be a 2-D array (s_{{l+1}} × s_l); got shape {a.shape}.")
    shown = {l: compact(arrays[l]) for l in layers if l in arrays and l not in pending}
    ranges = {l: symmetric_range(z) for l, z in shown.items()}
    symbol = "W" if kind == "W" else "∂J/∂W"

    short = len(layers) >= SHORT_TITLES
    titles = [_matrix_title(symbol, l, arrays.get(l), shown.get(l), l == highlight, short) for l in layers]

    widths = [max(arrays[l].shape[1], 3) if l in arrays else 3 for l in layers]
    max_rows = max((arrays[l].shape[0] for l in arrays), default=1)
    margin_t, margin_b = 70, 110  # two-line titles above, axis title and horizontal colour bars below
    total = int(height or (margin_t + margin_b + min(420, max(140, 22 * max_rows))))
    plot_px = max(total - margin_t - margin_b, 1)
    fig = make_subplots(
        rows=1, cols=len(layers), column_widths=widths, horizontal_spacing=min(0.08, 0.5 / len(layers)),
        subplot_titles=titles,
    )
    first_shown = next((l for l in layers if l in shown), None)
    for col, l in enumerate(layers, start=1):
        if l in shown:
            r = ranges[l]
            s_next, s_l = shown[l].shape
            trace = go.Heatmap(
                z=shown[l], x=np.arange(1, s_l + 1, dtype=np.int32), y=np.arange(1, s_next + 1, dtype=np.int32),
                colorscale=DIVERGING, zmin=-r, zmax=r, zmid=0.0, zsmooth="fast", name=f"{kind}({l})",
                showscale=l == first_shown, colorbar=dict(
                    orientation="h", x=0.5, xanchor="center", len=min(1.0, 0.3 * len(layers)), y=-62 / plot_px,
                    yanchor="top", tickvals=[-r, 0.0, r], **_relative_bar(symbol),
                ) if l == first_shown else None,
                hovertemplate=None if playing else (
                    f"{symbol}<sup>({l})</sup><sub>%{{y}},%{{x}}</sub> = %{{z:.4g}}"
                    f"<br>from neuron %{{x}} of layer {l} to neuron %{{y}} of layer {l + 1}<extra></extra>"
                ),
                hoverinfo="skip" if playing else None, opacity=0.0,  # the image above shows the cells
            )
            fig.add_trace(trace, row=1, col=col)
            _panel_image(fig, 1, col, 0.5, s_l, s_next)
            axis = dict(size=FONT_SIZE - 2) if short else None
            fig.update_xaxes(dtick=1 if s_l <= 12 else None, title_text=f"j (layer {l})", title_font=axis,
                             row=1, col=col)
            fig.update_yaxes(dtick=1 if s_next <= 12 else None, title_text=f"i (layer {l + 1})", title_font=axis,
                             row=1, col=col)
        else:
            empty = go.Heatmap(z=[], showscale=False, hoverinfo="skip", name=f"{kind}({l}) pending")
            fig.add_trace(empty, row=1, col=col)
            mark_pending(fig, 1, col)
        if l == highlight:
            mark_highlight(fig, 1, col)
    fig.update_xaxes(showgrid=False, title_standoff=2)
    fig.update_yaxes(autorange="reversed", showgrid=False, title_standoff=2)
    if short:
        for title in fig.layout.annotations[:len(layers)]:  # make_subplots' titles come first
            title.font.size = FONT_SIZE
    colour_now_titles(fig)
    base_layout(fig, total, uirevision=f"matrix_heatmaps_{kind}")
    fig.update_layout(margin=dict(t=margin_t, b=margin_b), showlegend=False)
    return fig
