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
import hashlib
import json
from pathlib import Path
from typing import Any

import plotly
import plotly.io as pio
from streamlit.components.v2 import component as _component

__all__ = ["live_chart"]

_ASSETS = Path(__file__).with_name("assets")
_COMPONENT_NAME = "backprop_playground.live_chart"
# Two file routes on Streamlit's component server (``/component/<module>.<name>/<file>``), made
# with the public ``streamlit.components.v1.declare_component(path=...)`` and never mounted:
_PLOTLY_ROUTE = "plotly_js"  # plotly's own package_data dir (plotly.min.js)
_ASSET_ROUTE = "assets"  # this package's assets dir (live_chart.js)
_PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
_PLOTLY_URL = f"component/{__name__}.{_PLOTLY_ROUTE}/plotly.min.js?v={plotly.__version__}"
_MODULE_FILE = _ASSETS / "live_chart.js"

# Components v2 re-sends the component's inline JS inside every element message (every frame),
# so it is kept to a tiny loader; the real code (assets/live_chart.js) is fetched once per page
# as an ES module and cached on ``window``.
_STUB_JS = """
const K = "__bpLiveChartModules";
function base() {
  const s = document.querySelector('script[src*="/static/js/index."]');
  const i = s && s.src ? s.src.lastIndexOf("static/js/") : -1;
  return i >= 0 ? s.src.slice(0, i) : new URL("./", document.baseURI).href;
}
export default function (component) {
  const d = component.data;
  if (!d || !d.module_url) return;
  const mods = (window[K] = window[K] || {});
  let m = mods[d.module_url];
  if (!m) {
    m = mods[d.module_url] = import(new URL(d.module_url, base()).href);
    m.catch(() => { if (mods[d.module_url] === m) delete mods[d.module_url]; });
  }
  return m.then((mod) => mod.default(component)).catch((err) => {
    console.error(err);
    const el = document.createElement("div");
    el.className = "live-chart-error";
    el.textContent = "live_chart: " + (err && err.message ? err.message : err);
    component.parentElement.replaceChildren(el);
  });
}
"""
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


@functools.lru_cache(maxsize=4)
def _module_url(mtime_ns: int) -> str:
    """URL of assets/live_chart.js with a content hash, so browsers never run a stale copy."""
    digest = hashlib.sha1(_MODULE_FILE.read_bytes()).hexdigest()[:12]
    return f"component/{__name__}.{_ASSET_ROUTE}/live_chart.js?v={digest}"


def _ensure_routes() -> None:
    """Register the two file routes on the running Streamlit server (idempotent, per runtime)."""
    from streamlit.components.v1 import declare_component
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return
    registry = Runtime.instance().component_registry
    for name, path in ((_PLOTLY_ROUTE, _PLOTLY_DIR), (_ASSET_ROUTE, _ASSETS)):
        if registry.get_component_path(f"{__name__}.{name}") is None:
            declare_component(name, path=str(path))


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
        _ensure_routes()
    except Exception:  # never break the page over the file routes; the browser shows the error
        pass
    _mount(
        key=f"live_chart:{key}",
        data={
            "spec": spec,
            "themed": themed,
            "height": int(height),
            "key": key,
            "plotly_url": _PLOTLY_URL,
            "module_url": _module_url(_MODULE_FILE.stat().st_mtime_ns),
        },
        height=int(height),
        **_MOUNT_KWARGS,
    )
