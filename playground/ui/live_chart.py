"""A live-updating Plotly chart that is updated in place instead of re-created.

``st.plotly_chart`` derives its element identity from the figure, so a chart redrawn every tick
of an ``st.fragment(run_every=...)`` is torn down and rebuilt: it blanks or doubles between frames
and loses the user's zoom (streamlit/streamlit#8882). :func:`live_chart` instead mounts a small
Components v2 element whose identity is its ``key`` alone; its JavaScript keeps ONE plotly.js
chart per key alive and applies each new figure with ``Plotly.react``, with a constant
``layout.uirevision`` so zoom/pan survive updates.

How plotly.js reaches the page: the copy shipped inside the plotly Python package
(``plotly/package_data/plotly.min.js``, the same version that wrote the figure JSON) is served by
Streamlit's own component file route, registered with the public
``streamlit.components.v1.declare_component(path=...)``; that component is never mounted, it
only makes Streamlit serve ``<base>/component/<name>/plotly.min.js`` (and likewise this package's
``assets/live_chart.js``). The browser loads each once per page (a ``<script>`` tag / dynamic
``import()`` whose promise is kept on ``window``). Nothing is vendored and no app-level config
(static serving) is needed.
"""
from __future__ import annotations

import functools
import json
from typing import Any

import plotly.io as pio
from streamlit.components.v2 import component as _component

from .component_files import PLOTLY_URL, asset_url, ensure_routes, loader_js

__all__ = ["live_chart"]

_COMPONENT_NAME = "backprop_playground.live_chart"

_STUB_JS = loader_js("__bpLiveChartModules", "live-chart-error", "live_chart")
_CSS = """
.live-chart { width: 100%; min-width: 0; overflow: hidden; }
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


@functools.lru_cache(maxsize=8)
def _template_json(name: str) -> str:
    """Canonical JSON of a registered plotly template (static data, cached per name)."""
    return json.dumps(pio.templates[name].to_plotly_json(), sort_keys=True, default=str)


def _figure_json(fig: Any) -> tuple[str, bool]:
    """Serialise ``fig`` to compact JSON; returns (json, themed).

    When the figure carries plotly's *default* template (i.e. the caller did not choose one), the
    ~7 kB template is dropped from every frame and the browser applies a small template built
    from Streamlit's theme instead (``themed=True``), which also makes dark mode work.
    """
    import plotly.graph_objects as go
    from _plotly_utils.utils import PlotlyJSONEncoder

    if not hasattr(fig, "to_plotly_json"):
        fig = go.Figure(fig)  # validates a dict and expands template names plotly.js can't read
    d = fig.to_plotly_json()
    layout = dict(d.get("layout") or {})
    themed = False
    template = layout.get("template")
    default = pio.templates.default
    if template is None:
        themed = True
    elif isinstance(default, str) and default in pio.templates:
        if hasattr(template, "to_plotly_json"):
            template = template.to_plotly_json()
        if json.dumps(template, sort_keys=True, default=str) == _template_json(default):
            layout.pop("template")
            themed = True
    out = {"data": d.get("data") or [], "layout": layout}
    if d.get("frames"):
        out["frames"] = d["frames"]
    # plotly's own to_json() additionally escapes "/" (HTML safety), which inflates the base64
    # typed arrays by ~40 %; this JSON never goes into HTML, so the plain encoder is used.
    return json.dumps(out, cls=PlotlyJSONEncoder, separators=(",", ":")), themed


def live_chart(fig: Any, *, key: str, height: int = 400) -> None:
    """Draw ``fig`` and keep updating the same chart in place on later reruns.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure or dict
        The figure (a dict in plotly's JSON shape is passed through ``go.Figure``). NumPy arrays
        are sent as base64 typed arrays (plotly >= 6). If it carries plotly's default template,
        that template is replaced by one following Streamlit's theme (light/dark); an explicitly
        chosen other template is kept as is.
    key : str
        Required, stable identity of the chart: every call with the same key updates the same
        plotly.js chart, so zoom/pan persist (``layout.uirevision`` defaults to a constant).
    height : int
        Chart height in pixels; the width always follows the container.
    """
    if not isinstance(key, str) or not key:
        raise ValueError("live_chart needs a non-empty string key")
    spec, themed = _figure_json(fig)
    try:
        ensure_routes()
    except Exception:  # never break the page over the file routes; the browser shows the error
        pass
    _mount(
        key=f"live_chart:{key}",
        data={
            "spec": spec,
            "themed": themed,
            "height": int(height),
            "key": key,
            "plotly_url": PLOTLY_URL,
            "module_url": asset_url("live_chart.js"),
        },
        height=int(height),
        **_MOUNT_KWARGS,
    )
