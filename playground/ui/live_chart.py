"""Live charts and the live readout: one Components v2 element each, played from numbers.

``st.plotly_chart`` derives its element identity from the figure, so a chart redrawn every tick
of an ``st.fragment(run_every=...)`` is torn down and rebuilt: it blanks or doubles between frames
and loses the user's zoom (streamlit/streamlit#8882). :func:`live_chart` instead mounts a small
Components v2 element whose identity is its ``key`` alone; its JavaScript keeps ONE plotly.js
chart per key alive and applies each new figure with ``Plotly.react``, with a constant
``layout.uirevision`` so zoom/pan survive updates.

How plotly.js reaches the page: the vendored cartesian bundle in ``static/vendor`` (or, if its
version ever differs from the plotly package's, the full ``plotly/package_data/plotly.min.js``),
from the URL component_files.plotly_url gives: Streamlit's static file serving, which browsers
cache, or a component file route when that is off. ``assets/live_chart.js`` comes through such a
route, registered with the public ``streamlit.components.v1.declare_component(path=...)``; that
component is never mounted, it only makes Streamlit serve the files. The browser loads each once
per page, starting at the top of the page (:func:`preload`).

What travels (see figures/spec.py): a chart's *structure* — its plotly JSON without the numbers,
a string built once per network/data/options and cached by the caller — and *frames*, patches of
float32 numbers, several per message while playing. All elements share one clock in the browser,
so the charts and the readout show the same snapshot at the same time.
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

from streamlit.components.v2 import component as _component

from .component_files import asset_url, ensure_routes, katex_url, loader_js, plotly_url

__all__ = ["live_chart", "live_figure", "live_math", "live_readout", "math_available", "preload", "structure_json"]

_COMPONENT_NAME = "backprop_playground.live_chart"

_STUB_JS = loader_js("__bpLiveChartModules", "live-chart-error", "live_chart")
_CSS = """
/* A chart's size is its own (full width, a set height), so its redraws need not lay out the page:
   plotly.js measures text while drawing, and without containment each measurement re-lays out all of
   Streamlit's page (~30 % of a first visit's chart drawing here). */
.live-chart { width: 100%; min-width: 0; overflow: hidden; contain: strict; }
/* The preload element draws nothing: no row, no gap for it. */
[data-testid="stElementContainer"]:has(.live-preload) { display: none; }
/* Heatmaps are one image pixel per cell (zsmooth "fast"): cells stay crisp squares, ... */
.live-chart .hm image { image-rendering: pixelated !important; }
/* ... and so are the layout images painted while playing (one pixel per cell, or the network's edges at the
   screen's own resolution) ... */
.live-chart .imagelayer image { image-rendering: pixelated !important; }
/* ... but the prediction surface is one image pixel per grid point (zsmooth "fast", or the layout image painted
   while playing): let the browser smooth it. */
.live-chart[data-key="surface"] .hm image, .live-chart[data-key="surface"] .imagelayer image {
  image-rendering: auto !important; }
.live-readout { display: flex; flex-wrap: wrap; gap: 0.25rem 1.5rem; font-family: var(--st-font); }
.live-metric { min-width: 6.5rem; flex: 1 1 6.5rem; }
.live-metric-label { font-size: 0.875rem; color: var(--st-text-color); opacity: 0.75; white-space: nowrap; }
.live-metric-value { font-size: 1.75rem; line-height: 1.3; color: var(--st-text-color);
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.live-metric-note { font-size: 0.8rem; min-height: 1.1em; opacity: 0.8; font-variant-numeric: tabular-nums; }
.live-metric-note.good { color: var(--st-green-color, #21c354); opacity: 1; }
.live-metric-note.bad { color: var(--st-red-color, #ff4b4b); opacity: 1; }
.live-math { display: flex; flex-direction: column; gap: 0.75rem; color: var(--st-text-color); }
.live-math-group { border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2)); border-radius: 0.5rem;
  padding: 0.75rem 1rem; }
.live-math-title { font-weight: 600; margin-bottom: 0.25rem; }
.live-math-group.now .live-math-title span { background: rgba(255, 164, 33, 0.2); border-radius: 0.25rem;
  padding: 0 0.25rem; }
.live-math-tex { overflow-x: auto; overflow-y: hidden; }
.live-math-note { font-size: 0.875rem; opacity: 0.7; }
.live-chart-error { color: var(--st-red-color, #ff4b4b); font-family: var(--st-code-font, monospace);
  font-size: 0.85rem; display: flex; align-items: center; justify-content: center; }
"""

# Not isolated in a shadow root: plotly.js injects its stylesheet (modebar, hover labels) into
# document.head, which would not reach a chart inside a shadow root.
try:
    _mount = _component(_COMPONENT_NAME, js=_STUB_JS, css=_CSS, isolate_styles=False)
    _MOUNT_KWARGS: dict[str, Any] = {}
except TypeError:  # older Streamlit took isolate_styles at mount time
    _mount = _component(_COMPONENT_NAME, js=_STUB_JS, css=_CSS)
    _MOUNT_KWARGS = {"isolate_styles": False}


def structure_json(fig: Any) -> tuple[str, bool]:
    """A chart's structure as compact JSON, and whether the browser should theme it.

    When the figure carries plotly's *default* template (the caller chose none), the template is
    dropped and the browser applies a small one built from Streamlit's theme (light or dark).
    """
    from .. import figures as F

    d = F.spec.figure_dict(fig) if not isinstance(fig, dict) else fig
    layout = dict(d["layout"])
    themed = "template" not in layout or _is_default_template(layout["template"])
    if themed:
        layout.pop("template", None)
    return F.spec.to_json({"data": d["data"], "layout": layout}), themed


def _is_default_template(template: Any) -> bool:
    import plotly.io as pio

    default = pio.templates.default
    if not isinstance(default, str) or default not in pio.templates:
        return False
    want = pio.templates[default].to_plotly_json()
    return json.dumps(template, sort_keys=True, default=str) == json.dumps(want, sort_keys=True, default=str)


def _mount_element(key: str, data: dict, height: int | None) -> None:
    # No state goes back: a state value reruns the script, and a rerun racing Play's ticks makes
    # Streamlit re-create the elements it had not reached yet.
    try:
        ensure_routes()
    except Exception:  # never break the page over the file routes; the browser shows the error
        pass
    _mount(key=key, data={**data, "plotly_url": plotly_url(), "module_url": asset_url("live_chart.js")},
           height=height if height is not None else "content", **_MOUNT_KWARGS)


def live_chart(
    *, key: str, structure: str, themed: bool, frames: Sequence[dict], tick: int, span: float = 0.0,
    members: int = 1, base: dict | None = None, epochs: Sequence[int] = (), height: int = 400,
) -> None:
    """One chart, updated in place: ``structure`` (redrawn only when it changes) and ``frames`` to play.

    key: stable identity; every call with the same key updates the same plotly.js chart, so zoom and
    pan persist. tick: the server run that sends this (increasing); span: seconds over which the
    browser spreads the frames (0: show the last at once); members: how many live elements this
    drawing sends, so the browser starts playing once all have arrived. epochs: the epoch of each
    frame, written on the element for tests and benchmarks.
    """
    if not isinstance(key, str) or not key:
        raise ValueError("live_chart needs a non-empty string key")
    if not frames:
        raise ValueError("live_chart needs at least one frame")
    _mount_element(f"live_chart:{key}", {
        "kind": "chart", "key": key, "structure": structure, "themed": themed, "frames": list(frames),
        "base": base or {}, "tick": int(tick), "span": float(span), "members": int(members), "height": int(height),
        "epochs": [int(e) for e in epochs],
    }, int(height))


_SOLO_TICKS = itertools.count(1)  # solo figures only need their own messages to grow


def live_figure(fig: Any, *, key: str, height: int = 400) -> None:
    """A whole figure (an instrument's chart) drawn at once, outside Play's drawings: its structure is
    the figure itself and it joins no drawing's clock. For charts redrawn with the live view, use
    :func:`live_chart` with a cached structure and numbers-only frames instead."""
    if not isinstance(key, str) or not key:
        raise ValueError("live_figure needs a non-empty string key")
    structure, themed = structure_json(fig)
    _mount_element(f"live_chart:{key}", {
        "kind": "chart", "key": key, "structure": structure, "themed": themed, "frames": [{"t": [], "l": []}],
        "base": {}, "tick": next(_SOLO_TICKS), "span": 0.0, "solo": True, "height": int(height), "epochs": [],
    }, int(height))


def live_readout(*, key: str, frames: Sequence[list[dict]], tick: int, span: float = 0.0, members: int = 1) -> None:
    """Number tiles played on the same clock as the charts: frames[i] is a list of
    {"label", "value", "note"?, "tone"?: "good" | "bad", "help"?} for snapshot i."""
    if not frames:
        raise ValueError("live_readout needs at least one frame")
    _mount_element(f"live_chart:{key}", {
        "kind": "readout", "key": key, "frames": list(frames), "tick": int(tick), "span": float(span),
        "members": int(members),
    }, None)


def math_available() -> bool:
    """Whether :func:`live_math` can render here (the vendored KaTeX matches this Streamlit's CSS)."""
    return katex_url() is not None


def live_math(*, key: str, groups: Sequence[dict]) -> None:
    """Formulas rendered by the browser with KaTeX (the version Streamlit styles), once the live charts are drawn.

    groups: {"title", "now": bool, "tex": display-mode LaTeX, "note"} each, one bordered box per
    group. One element, not a markdown element per formula: a Step's numbers and charts reach the
    screen first, and the formulas follow without delaying them (see component_files.katex_url).
    """
    if not isinstance(key, str) or not key:
        raise ValueError("live_math needs a non-empty string key")
    url = katex_url()
    if url is None:
        raise RuntimeError("KaTeX does not match this Streamlit's styles; check math_available() first.")
    _mount_element(f"live_chart:{key}", {"kind": "math", "key": key, "groups": list(groups), "katex_url": url}, None)


def preload() -> None:
    """Start loading plotly.js (and KaTeX) in the browser now, at the top of the page, not when the
    first chart arrives: a first visit spends ~2 s compiling plotly.js, which can overlap with
    Streamlit drawing the controls and the server's first run instead of following them. An empty
    element; it draws nothing."""
    _mount_element("live_chart:preload", {"kind": "preload", "key": "preload", "katex_url": katex_url()}, 0)
