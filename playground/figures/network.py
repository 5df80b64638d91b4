"""The network as a diagram: neurons in columns, one per layer, and an edge per weight W^(l)_ij.

Edge colour is the sign of W^(l)_ij (blue negative, orange positive) and width grows with |W^(l)_ij|.
A network can have thousands of weights and this chart is redrawn many times a second while
playing, and on every Step. Even grouped into a few traces (sign × width bucket) of NaN-separated
segments, edges as plotly.js lines cost a redraw of ~30-40 ms in a software-rendered browser. So the
edges are painted: frames send each edge as a segment with its width bucket and sign, and the
browser paints them into one layout image under the neurons (~5 ms). Hover comes from invisible
points on the edges, one trace per layer, whose numbers travel in the frame's hover part (applied
when the browser is idle; not sent while ``playing``, when there is no hover).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from .spec import Patch, typed
from .style import (
    FONT_SIZE,
    HIGHLIGHT,
    NEGATIVE,
    NOW_MARK,
    POSITIVE,
    TEXT_COLOUR,
    base_layout,
    compact,
    symmetric_range,
)

N_BUCKETS = 6
MIN_WIDTH, MAX_WIDTH = 0.5, 6.0


def bucket_width(bucket: int) -> float:
    """Line width of a |W| bucket: MIN_WIDTH for the smallest weights up to MAX_WIDTH for the largest."""
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * bucket / (N_BUCKETS - 1)


def _positions(s: int) -> np.ndarray:
    """Vertical positions of a layer's s neurons, neuron 1 on top, centred on 0."""
    return (s - 1) / 2.0 - np.arange(s, dtype=np.float64)


def _layer_labels(n_l: int, activations: Sequence[str] | None) -> list[str]:
    """'layer l' with x for the input, f for l ≥ 2 and h(x) for the output."""
    if activations is not None and len(activations) not in (n_l - 1, n_l):
        raise ValueError(f"activations needs one name per layer 2…{n_l} ({n_l - 1}); got {len(activations)}.")
    offset = 0 if activations is None or len(activations) == n_l else 1  # with n_l names, the first is the input's
    labels = []
    for l in range(1, n_l + 1):
        parts = [f"layer {l}", "x" if l == 1 else (str(activations[l - 1 - offset]) if activations is not None else "")]
        text = "<br>".join(p for p in parts if p)
        labels.append(text + (" → h(x)" if l == n_l else ""))
    return labels


EDGE_TRACES = tuple((positive, b) for b in range(N_BUCKETS) for positive in (False, True))


def _kept_edges(Ws: list[np.ndarray], max_edges: int) -> tuple[list, list[str]]:
    """The edges to draw, (l, i, j) per layer with 0-based i, j; the largest |W| in crowded layers."""
    kept, notes = [], []
    for l, w in enumerate(Ws, start=1):
        flat = np.abs(w).ravel()
        idx = np.arange(flat.size)
        if flat.size > max_edges:
            idx = np.sort(np.argpartition(flat, flat.size - max_edges)[flat.size - max_edges:])
            notes.append(f"layer {l}: {max_edges} of {flat.size} weights shown (largest |W<sup>({l})</sup>|)")
        i, j = np.unravel_index(idx, w.shape)
        kept.append((l, i, j))
    return kept, notes


def _edge_segments(Ws: list[np.ndarray], ys: list[np.ndarray], kept: list) -> list[tuple[np.ndarray, np.ndarray]]:
    """x and y of each EDGE_TRACES trace: the segments (x0, x1, NaN) of its edges, float32.

    Widths are relative to this figure's largest |W|, so a bucket means the same share of it in every frame.
    """
    scale = symmetric_range(*[Ws[l - 1][i, j] for l, i, j in kept])
    parts: dict[tuple[bool, int], list[tuple[np.ndarray, np.ndarray]]] = {t: [] for t in EDGE_TRACES}
    for l, i, j in kept:
        w = Ws[l - 1][i, j]
        buckets = np.minimum((np.abs(w) / scale * N_BUCKETS).astype(int), N_BUCKETS - 1)
        positive = w >= 0
        for key in EDGE_TRACES:
            sel = (positive == key[0]) & (buckets == key[1])
            k = int(sel.sum())
            if not k:
                continue
            xs = np.full(3 * k, np.nan, dtype=np.float32)
            yv = np.full(3 * k, np.nan, dtype=np.float32)
            xs[0::3], xs[1::3] = l, l + 1
            yv[0::3], yv[1::3] = ys[l - 1][j[sel]], ys[l][i[sel]]
            parts[key].append((xs, yv))
    empty = np.zeros(0, dtype=np.float32)
    return [(np.concatenate([p[0] for p in parts[key]]) if parts[key] else empty,
             np.concatenate([p[1] for p in parts[key]]) if parts[key] else empty) for key in EDGE_TRACES]


def _hover_points(sizes, Ws, dWs, ys, kept) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per layer: invisible hover points along each edge, at a fraction that depends on the target
    neuron i, so no two edges of a layer share one (midpoints of crossing edges often coincide);
    customdata (i, j, W_ij, ∂J/∂W_ij) with 1-based i, j."""
    out = []
    for l, i, j in kept:
        t = 0.3 + 0.4 * (i / max(sizes[l] - 1, 1))
        y0, y1 = ys[l - 1][j], ys[l][i]
        grad = dWs[l - 1][i, j] if dWs is not None else np.full(i.shape, np.nan)
        custom = compact(np.column_stack([i + 1, j + 1, Ws[l - 1][i, j], grad]))
        out.append(((l + t).astype(np.float32), (y0 + t * (y1 - y0)).astype(np.float32), custom))
    return out


def _ranges(sizes: list[int]) -> tuple[list[float], list[float]]:
    """The fixed x and y ranges of the diagram: the layers' columns and the tallest layer, with margins."""
    half = (max(sizes) - 1) / 2.0
    return [0.6, len(sizes) + 0.4], [-half - 0.7, half + 0.7]


def _painted_edges(segments: list[tuple[np.ndarray, np.ndarray]], n_edges: int, sizes: list[int]) -> dict:
    """The edges for the browser to paint (live_chart.js): per edge (x0, y0, x1, y1), its line width
    in px and colour (0 negative, 1 positive), in the traces' drawing order, thin first."""
    seg, width, colour = [], [], []
    for (positive, b), (xs, yv) in zip(EDGE_TRACES, segments, strict=True):
        if xs.size:
            seg.append(np.column_stack([xs[0::3], yv[0::3], xs[1::3], yv[1::3]]))
            width.append(np.full(xs.size // 3, bucket_width(b), dtype=np.float32))
            colour.append(np.full(xs.size // 3, int(positive), dtype=np.uint8))
    x, y = _ranges(sizes)
    return {"lines": {
        "seg": typed(np.concatenate(seg).astype(np.float32) if seg else np.zeros((0, 4), np.float32)),
        "width": typed(np.concatenate(width) if width else np.zeros(0, np.float32)),
        "colour": typed(np.concatenate(colour) if colour else np.zeros(0, np.uint8)),
        "colours": [NEGATIVE, POSITIVE], "opacity": _edge_opacity(n_edges), "x": x, "y": y}}


def _edge_opacity(n_edges: int) -> float:
    return 0.85 if n_edges <= 100 else 0.55  # dense layers stay readable where edges cross


def network_frame(
    sizes: list[int],
    W: list[np.ndarray],
    *,
    dW: list[np.ndarray] | None = None,
    pending_dW: bool = False,
    max_edges_per_layer: int = 400,
    playing: bool = False,
) -> Patch:
    """The numbers of :func:`network_diagram` for new weights (same sizes and options): the edges to
    paint, and (for hover; not while ``playing``) the hover points with their W and ∂J/∂W."""
    sizes = [int(s) for s in sizes]
    Ws = [np.asarray(w, dtype=np.float64) for w in W]
    dWs = [np.asarray(g, dtype=np.float64) for g in dW] if dW is not None and not pending_dW else None
    ys = [_positions(s) for s in sizes]
    kept, _ = _kept_edges(Ws, max_edges_per_layer)
    n_edges = sum(i.size for _, i, _ in kept)
    edges = [["images.0.source", _painted_edges(_edge_segments(Ws, ys, kept), n_edges, sizes)]]
    hover = [] if playing else [[k, {"x": typed(x), "y": typed(y), "customdata": typed(c)}]
                                for k, (x, y, c) in enumerate(_hover_points(sizes, Ws, dWs, ys, kept))]
    return {"t": [], "l": edges, "h": hover}


def network_diagram(
    sizes: list[int],
    W: list[np.ndarray],
    *,
    dW: list[np.ndarray] | None = None,
    activations: list[str] | None = None,
    highlight: int | None = None,
    pending_dW: bool = False,
    max_edges_per_layer: int = 400,
    playing: bool = False,
) -> go.Figure:
    """Neurons and weights of a network with layer sizes [s_1, …, s_{n_l}].

    W[l-1] is W^(l), shape (s_{l+1}, s_l) (and dW[l-1] is ∂J/∂W^(l)); Python's list index is l − 1.
    highlight rings the neurons of that layer. Layers with more than max_edges_per_layer weights
    show only the largest |W^(l)_ij|, and a subtitle says so. The edges are a layout image the
    frames paint (see the module's docstring); playing: the structure for Play, without edge hover.
    """
    sizes = [int(s) for s in sizes]
    n_l = len(sizes)
    if n_l < 2 or len(W) != n_l - 1:
        raise ValueError(f"{n_l} layer sizes need {n_l - 1} weight matrices; got {len(W)}.")
    Ws = [np.asarray(w, dtype=np.float64) for w in W]
    for l, w in enumerate(Ws, start=1):
        if w.shape != (sizes[l], sizes[l - 1]):
            raise ValueError(f"W^({l}) must have shape {(sizes[l], sizes[l - 1])}; got {w.shape}.")
    show_dW = dW is not None and not pending_dW
    dWs = [np.asarray(g, dtype=np.float64) for g in dW] if show_dW else None
    ys = [_positions(s) for s in sizes]

    kept, notes = _kept_edges(Ws, max_edges_per_layer)
    fig = go.Figure()
    x_range, y_range = _ranges(sizes)
    # The frames paint the edges here, over exactly the axes' ranges (network_frame).
    fig.add_layout_image(source="", xref="x", yref="y", x=x_range[0], y=y_range[1], sizex=x_range[1] - x_range[0],
                         sizey=y_range[1] - y_range[0], sizing="stretch", xanchor="left", yanchor="top", layer="below")
    for l, (x, y, custom) in enumerate([] if playing else _hover_points(sizes, Ws, dWs, ys, kept), start=1):
        grad_text = "%{customdata[3]:.4g}" if dWs is not None else "pending"
        fig.add_trace(go.Scatter(
            x=x, y=y, mode="markers",
            marker=dict(size=8, opacity=0), customdata=custom, showlegend=False, name=f"W({l}) hover",
            hovertemplate=(
                f"W<sup>({l})</sup><sub>%{{customdata[0]}},%{{customdata[1]}}</sub> = %{{customdata[2]:.4g}}<br>"
                f"∂J/∂W<sup>({l})</sup><sub>%{{customdata[0]}},%{{customdata[1]}}</sub> = {grad_text}<extra></extra>"
            ),
        ))

    # Neurons, one trace per layer; the highlighted layer gets a thick coloured ring.
    s_max = max(sizes)
    node_size = float(np.clip(360 / s_max, 7, 22))
    labels = _layer_labels(n_l, activations)
    for l, s in enumerate(sizes, start=1):
        now = l == highlight
        name = "x" if l == 1 else "a"
        fig.add_trace(go.Scatter(
            x=np.full(s, l, dtype=np.int32), y=ys[l - 1].astype(np.float32), mode="markers", showlegend=False,
            customdata=np.arange(1, s + 1, dtype=np.int32), name=f"layer {l}",
            marker=dict(
                size=node_size + (4 if now else 0), color="white",
                line=dict(color=HIGHLIGHT if now else TEXT_COLOUR, width=4 if now else 1.5),
            ),
            hovertemplate=f"{name}<sub>%{{customdata}}</sub>" + ("" if l == 1 else f"<sup>({l})</sup>")
            + f": neuron %{{customdata}} of layer {l}<extra></extra>",
        ))
        fig.add_annotation(
            x=l, y=1, yref="paper", yanchor="bottom", showarrow=False,
            text=labels[l - 1] + (f" <b>{NOW_MARK}</b>" if now else ""),
            font=dict(color=HIGHLIGHT if now else TEXT_COLOUR, size=FONT_SIZE),
        )
    if notes:
        fig.add_annotation(
            xref="paper", yref="paper", x=0, y=0, yanchor="top", xanchor="left", showarrow=False,
            text="; ".join(notes), font=dict(size=FONT_SIZE - 1, color="#666666"),
        )

    fig.update_xaxes(visible=False, range=x_range)
    fig.update_yaxes(visible=False, range=y_range)
    height = int(np.clip(26 * s_max + 120, 300, 900))
    base_layout(fig, height, uirevision="network_diagram")
    fig.update_layout(hovermode="closest", margin=dict(l=20, r=20, t=50, b=40 if notes else 20))
    return fig
