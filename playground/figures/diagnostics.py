"""Charts of the instruments: gradient health per layer, predicted vs measured ΔJ, one weight's
gradient taken apart, the gradient-check table, and two runs compared.

Pure builders, like every module here: plain arrays in, a Plotly figure (or a pandas table) out.
A layer l is the weight layer W^(l), and it keeps one colour in every chart of this module, so the
eye can follow layer 1 from the ‖δ‖ panel to the update-ratio panel to the weight histogram.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..notation import sub, sup
from .panels import label_runs
from .style import CLASS_COLOURS, HIGHLIGHT, NEGATIVE, POSITIVE, TEXT_COLOUR, base_layout, compact

# Kelly's colours after the two sign colours (blue and orange mean negative and positive here),
# without the yellow and light blue that vanish on white.
LAYER_COLOURS = tuple(c for c in CLASS_COLOURS[2:] if c not in ("#f3c300", "#a1caf1", "#dcd300"))
RUN_COLOURS = ("#875692", "#008856")  # run A, run B
UPDATE_RATIO_REFERENCE = 1e-3  # the common rule of thumb for α‖∂J/∂W‖/‖W‖
RATIO_BAND = (0.9, 1.1)  # measured/predicted ΔJ inside this: the first-order picture holds

# stat -> (row, col, panel title); the share panel draws "saturated" solid and "dead" dotted.
PANELS = {
    "delta_norm": (1, 1, "‖δ<sup>(l+1)</sup>‖ / √m — error terms, eq. (14)"),
    "grad_norm": (1, 2, "‖∂J/∂W<sup>(l)</sup>‖ — eq. (9)"),
    "update_ratio": (2, 1, "update ratio α‖∂J/∂W<sup>(l)</sup>‖ / ‖W<sup>(l)</sup>‖"),
    "saturated": (2, 2, "share of layer l+1's units: saturated (solid), dead (dotted)"),
    "dead": (2, 2, None),
}
KNOWN_STATS = (*PANELS, "weight_norm")  # weight_norm is accepted (a history holds it) but not drawn


def layer_colour(l: int) -> str:
    """The colour of weight layer l (from 1) in every chart of this module."""
    return LAYER_COLOURS[(l - 1) % len(LAYER_COLOURS)]


def _num(x: float) -> str:
    """2 significant digits, with a short exponent: 1e-06 → 1e-6."""
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", f"{x:.2g}")


# ------------------------------------------------------------------------ gradient health
def diagnostics_figure(
    epochs: np.ndarray, series: Mapping[str, Mapping[int, np.ndarray]], *, log_y: bool = True
) -> go.Figure:
    """2×2 panels over the epochs: ‖δ‖, ‖∂J/∂W‖, update ratio (dashed line at 1e-3) and unit shares.

    series[stat][l]: one value per epoch for weight layer l; stats are LayerStats' field names.
    One colour per layer in all panels, one legend entry per layer. Non-finite values (not
    applicable, or a diverged run) are not drawn; on a log axis neither are values ≤ 0. The share
    panel stays linear, 0 … 1, and a layer gets a share line only where the share applies.
    """
    unknown = set(series) - set(KNOWN_STATS)
    if unknown:
        raise ValueError(f"Unknown statistics {sorted(unknown)}; expected some of {list(KNOWN_STATS)}.")
    x_all = np.asarray(epochs, dtype=np.float64).ravel()
    fig = make_subplots(
        rows=2, cols=2, shared_xaxes=True, vertical_spacing=0.14, horizontal_spacing=0.1,
        subplot_titles=[t for _, _, t in PANELS.values() if t],
    )
    in_legend: set[int] = set()
    for stat, (row, col, _) in PANELS.items():
        log = log_y and row * 10 + col != 22
        for l in sorted(series.get(stat, {})):
            y = np.asarray(series[stat][l], dtype=np.float64).ravel()
            if y.shape != x_all.shape:
                raise ValueError(f"{stat} of layer {l} has {y.size} values for {x_all.size} epochs.")
            keep = np.isfinite(y) & (y > 0) if log else np.isfinite(y)
            if stat in ("saturated", "dead") and not keep.any():
                continue  # not applicable to this layer's activation
            fig.add_trace(go.Scatter(
                x=x_all[keep], y=compact(y[keep]), mode="lines", name=f"W<sup>({l})</sup>", legendgroup=f"l{l}",
                showlegend=l not in in_legend,
                line=dict(color=layer_colour(l), width=2, dash="dot" if stat == "dead" else "solid"),
                hovertemplate=f"{stat.replace('_', ' ')}, l = {l}: %{{y:.3g}}<extra></extra>",
            ), row=row, col=col)
            in_legend.add(l)
        # 10⁻⁹ rather than Plotly's SI "1n": gradients span more decades than SI prefixes read well.
        fig.update_yaxes(type="log" if log else "linear", exponentformat="power" if log else "B", row=row, col=col)
    fig.add_hline(y=UPDATE_RATIO_REFERENCE, row=2, col=1, line=dict(color=TEXT_COLOUR, width=1, dash="dash"))
    # Placed by hand: add_hline's own label lands at the panel's top on a log axis.
    fig.add_annotation(
        text="1e-3 rule of thumb", xref="x3 domain", yref="y3", x=0, xanchor="left", yanchor="bottom",
        y=math.log10(UPDATE_RATIO_REFERENCE) if log_y else UPDATE_RATIO_REFERENCE, showarrow=False,
        font=dict(size=11, color=TEXT_COLOUR),
    )
    fig.update_yaxes(range=[-0.03, 1.03], row=2, col=2)
    fig.update_xaxes(title_text="epoch", row=2)
    base_layout(fig, 520, uirevision=f"diagnostics_{'log' if log_y else 'linear'}")
    fig.update_layout(
        hovermode="x unified", legend=dict(orientation="h", x=0, y=1.06, xanchor="left", yanchor="bottom"),
        margin=dict(t=70),
    )
    return fig


# ------------------------------------------------------------------- predicted vs measured ΔJ
def delta_j_figure(epochs: np.ndarray, predicted: np.ndarray, measured: np.ndarray) -> go.Figure:
    """Top: the first-order prediction ΔJ ≈ −α‖∇J‖² and the measured J_after − J_before.
    Bottom: measured/predicted, with a reference line at 1 and a note on the latest ratio when it
    leaves [0.9, 1.1]: on a quadratic the best step along −∇J gives 0.5, and below 0 J went up.
    """
    x = np.asarray(epochs, dtype=np.float64).ravel()
    p = np.asarray(predicted, dtype=np.float64).ravel()
    m = np.asarray(measured, dtype=np.float64).ravel()
    if not p.shape == m.shape == x.shape:
        raise ValueError(f"Got {x.size} epochs, {p.size} predicted and {m.size} measured values.")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(p != 0, m / p, np.nan)
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.12,
        subplot_titles=["ΔJ per update: predicted −α‖∇J‖² and measured", "measured / predicted"],
    )
    lines = ((p, "predicted −α‖∇J‖²", TEXT_COLOUR, "dash"), (m, "measured ΔJ", HIGHLIGHT, "solid"))
    for y, name, colour, dash in lines:
        keep = np.isfinite(y)
        fig.add_trace(go.Scatter(
            x=x[keep], y=y[keep], mode="lines", name=name, line=dict(color=colour, dash=dash, width=2),
            hovertemplate="%{y:.3g}",
        ), row=1, col=1)
    keep = np.isfinite(ratio)
    fig.add_trace(go.Scatter(
        x=x[keep], y=ratio[keep], mode="lines", name="measured / predicted", line=dict(color=HIGHLIGHT, width=2),
        showlegend=False, hovertemplate="%{y:.3g}",
    ), row=2, col=1)
    fig.add_hline(y=1.0, row=2, col=1, line=dict(color=TEXT_COLOUR, width=1, dash="dash"))
    note = ratio_note(ratio[keep][-1]) if keep.any() else None
    if note:
        fig.add_annotation(
            text=note, xref="paper", yref="paper", x=0, y=-0.2, xanchor="left", yanchor="top", showarrow=False,
            font=dict(color=TEXT_COLOUR),
        )
    fig.update_xaxes(title_text="epoch", row=2, col=1)
    base_layout(fig, 420, uirevision="delta_j")
    fig.update_layout(
        hovermode="x unified", legend=dict(orientation="h", x=0, y=1.08, xanchor="left", yanchor="bottom"),
        margin=dict(t=70, b=90 if note else 50),
    )
    return fig


def ratio_note(r: float) -> str | None:
    """What the latest measured/predicted ratio says about α; None inside RATIO_BAND."""
    if RATIO_BAND[0] <= r <= RATIO_BAND[1]:
        return None
    if r < 0:
        return f"measured/predicted = {_num(r)} < 0: J rose where −α‖∇J‖² said it would fall — α is too large."
    if r < 0.5:
        return (
            f"measured/predicted = {_num(r)}: the step overshoots the best step along −∇J "
            "(0.5 on a quadratic) — α is too large."
        )
    if r < RATIO_BAND[0]:
        return f"measured/predicted = {_num(r)}: curvature already matters — α is near its useful maximum."
    return f"measured/predicted = {_num(r)} > 1: J fell faster than the first-order prediction (J curves down here)."


# --------------------------------------------------------------------- one weight, taken apart
def edge_figure(
    contribs: np.ndarray, labels: Sequence[str], mean: float, decay_term: float, total: float, *,
    order: str = "class", weight: str = "W<sub>ij</sub><sup>(l)</sup>",
) -> go.Figure:
    """The per-example terms δ_i^(l+1,k)·a_j^(l,k) of ∂J/∂W_ij^(l) (eqs. 9, 11-13) as bars, coloured by sign.

    labels[k]: the label of example k (its class). order "class": grouped by label, by value within a
    group; "value": by value alone. A solid line marks their mean, a dashed one the total
    mean + λW_ij = ∂J/∂W_ij^(l), which the annotation spells out.
    """
    c = np.asarray(contribs, dtype=np.float64).ravel()
    if len(labels) != c.size:
        raise ValueError(f"Got {c.size} contributions and {len(labels)} labels; give one label per example.")
    if order not in ("class", "value"):
        raise ValueError(f'order must be "class" or "value"; got {order!r}.')
    lab = np.asarray([str(s) for s in labels], dtype=object)
    idx = np.lexsort((c, lab)) if order == "class" else np.argsort(c, kind="stable")
    y = c[idx]
    pos = np.arange(c.size)
    fig = go.Figure(go.Bar(
        x=pos, y=compact(y), marker=dict(color=np.where(y < 0, NEGATIVE, POSITIVE).tolist(), line_width=0),
        customdata=np.stack([idx + 1, lab[idx]], axis=1), name="δ·a per example",
        hovertemplate="example k = %{customdata[0]} (%{customdata[1]}): δ·a = %{y:.4g}<extra></extra>",
    ))
    fig.add_hline(y=mean, line=dict(color=TEXT_COLOUR, width=2))
    fig.add_hline(y=total, line=dict(color=HIGHLIGHT, width=2, dash="dash"))
    fig.add_annotation(
        xref="paper", yref="paper", x=1, y=1.02, xanchor="right", yanchor="bottom", showarrow=False,
        text=(
            f"mean (1/m)Σ<sub>k</sub> δ·a = {mean:.4g} (solid)  +  λW = {decay_term:.4g}  =  "
            f"<b>∂J/∂{weight} = {total:.4g}</b> (dashed)"
        ),
    )
    if order == "class":
        runs = label_runs(lab[idx])
        fig.update_xaxes(tickmode="array", tickvals=[(a + b - 1) / 2 for a, b, _ in runs],
                         ticktext=[g for _, _, g in runs], title_text="examples, grouped by label")
    else:
        fig.update_xaxes(showticklabels=False, title_text="examples, by value")
    fig.update_yaxes(title_text="δ<sub>i</sub><sup>(l+1)</sup> a<sub>j</sub><sup>(l)</sup>")
    base_layout(fig, 320, uirevision="edge_drill")
    fig.update_layout(showlegend=False, bargap=0.05, margin=dict(t=50))
    return fig


# --------------------------------------------------------------------------- gradient check
def parameter_name(kind: str, l: int, i: int, j: int = 0) -> str:
    """'W⁽¹⁾₂₁' or 'b⁽²⁾₁' from 0-based array indices, counted from 1 as the text does."""
    index = sub(i + 1)
    if kind == "W":
        sep = "," if max(i, j) + 1 >= 10 else ""  # W₁₁,₂ and W₁,₁₂ must not read the same
        index += sep + sub(j + 1)
    return f"{kind}{sup(l)}{index}"


def gradcheck_table(check) -> pd.DataFrame:
    """One row per checked parameter of a GradCheck: layer, name, both gradients, their relative error.

    The per-entry relative error is |g − n| / max(|g| + |n|, 1e-12).
    """
    rows = [
        (lc.l, parameter_name(kind, lc.l, i, j), g, n, abs(g - n) / max(abs(g) + abs(n), 1e-12))
        for lc in check.layers
        for kind, i, j, g, n in lc.entries
    ]
    return pd.DataFrame(rows, columns=["layer l", "parameter", "backprop", "numerical", "relative error"])


def gradcheck_summary(check) -> str:
    """One line: PASS or FAIL, the largest per-layer relative error against the tolerance, ε, coverage."""
    checked = sum(len(lc.entries) for lc in check.layers)
    total = sum(lc.n_total for lc in check.layers)
    err, tol = check.max_rel_error, check.tolerance
    coverage = f"(ε = {_num(check.eps)}, {checked} of {total} parameters)"
    if check.passed:
        return f"PASS: max relative error {_num(err)} ≤ {_num(tol)} {coverage}"
    worst = max(check.layers, key=lambda lc: lc.rel_error)
    return f"FAIL: max relative error {_num(err)} > {_num(tol)} in layer l = {worst.l} {coverage}"


# ---------------------------------------------------------------------------- two runs
def compare_figures(
    hist_a: Mapping[str, np.ndarray], hist_b: Mapping[str, np.ndarray], label_a: str, label_b: str, *,
    log_y: bool = False,
) -> go.Figure:
    """The loss curves of two runs overlaid: colour tells the runs apart, dash train (solid) from test (dotted).

    hist_a, hist_b: History.columns() of each run ("epoch", "J", and "J_test" if there is a test set).
    """
    fig = go.Figure()
    for hist, label, colour in ((hist_a, label_a, RUN_COLOURS[0]), (hist_b, label_b, RUN_COLOURS[1])):
        x_all = np.asarray(hist["epoch"], dtype=np.float64)
        for key, part, dash in (("J", "train", "solid"), ("J_test", "test", "dot")):
            if key not in hist:
                continue
            y = np.asarray(hist[key], dtype=np.float64)
            keep = np.isfinite(y) & (y > 0) if log_y else np.isfinite(y)
            if not keep.any():
                continue
            fig.add_trace(go.Scatter(
                x=x_all[keep], y=compact(y[keep]), mode="lines", name=f"{label}: J {part}",
                line=dict(color=colour, dash=dash, width=2), hovertemplate="%{y:.4g}",
            ))
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="J", type="log" if log_y else "linear")
    base_layout(fig, 320, uirevision=f"compare_{'log' if log_y else 'linear'}")
    fig.update_layout(
        hovermode="x unified", legend=dict(orientation="h", x=0, y=1.02, xanchor="left", yanchor="bottom"),
        margin=dict(t=50),
    )
    return fig


def weight_histograms(
    W_a: Sequence[np.ndarray], W_b: Sequence[np.ndarray], label_a: str = "A", label_b: str = "B", *,
    bins: int = 40,
) -> go.Figure:
    """Histograms of every weight of two networks, side by side on the same bins, stacked by layer.

    W_a[k] is W^(k+1), as Network.W holds them. Biases are left out: weight decay acts on W only.
    """
    finite = [w[np.isfinite(w)] for w in map(np.asarray, [*W_a, *W_b])]
    values = np.concatenate(finite) if finite else np.zeros(0)
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    centres, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]

    def norm(Ws) -> float:
        return float(np.sqrt(sum(float(np.vdot(w, w)) for w in map(np.asarray, Ws))))

    fig = make_subplots(
        rows=1, cols=2, shared_xaxes=True, shared_yaxes=True, horizontal_spacing=0.06,
        subplot_titles=[f"{label_a}: ‖W‖ = {norm(W_a):.3g}", f"{label_b}: ‖W‖ = {norm(W_b):.3g}"],
    )
    for col, Ws in enumerate((W_a, W_b), start=1):
        for l, W in enumerate(Ws, start=1):
            w = np.asarray(W, dtype=np.float64).ravel()
            counts, _ = np.histogram(w[np.isfinite(w)], bins=edges)
            fig.add_trace(go.Bar(
                x=centres, y=counts, width=width, name=f"W<sup>({l})</sup>", legendgroup=f"l{l}",
                showlegend=col == 1, marker=dict(color=layer_colour(l), line_width=0),
                hovertemplate=f"W<sup>({l})</sup>: %{{y}} weights near %{{x:.3g}}<extra></extra>",
            ), row=1, col=col)
    fig.update_xaxes(title_text="weight value")
    fig.update_yaxes(title_text="count", row=1, col=1)
    base_layout(fig, 300, uirevision="weight_histograms")
    fig.update_layout(
        barmode="stack", bargap=0, legend=dict(orientation="h", x=0, y=1.1, xanchor="left", yanchor="bottom"),
        margin=dict(t=70),
    )
    return fig
