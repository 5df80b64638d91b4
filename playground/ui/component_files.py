"""How the page gets this package's Components v2 code, plotly.js and KaTeX, shared by every element.

Components v2 re-sends an element's inline JS in every element message (every Play frame), so
each element's inline JS is only the small loader from :func:`loader_js`; the real code
(``assets/<name>.js``) is fetched once per page as an ES module and cached on ``window``.

This package's files are served by Streamlit's own component file route, registered with the public
``streamlit.components.v1.declare_component(path=...)``; those components are never mounted, they
only make Streamlit serve ``<base>/component/<this module>.<route>/<file>``.

Two third-party browser files are vendored in the app's top-level ``static/vendor`` (each used only
while it matches what the installed packages ship, else the page falls back): plotly.js's cartesian
bundle (:func:`plotly_url`) and KaTeX (:func:`katex_url`). They are served by Streamlit's static
file serving (``server.enableStaticServing`` in ``.streamlit/config.toml``, at ``app/static/...``),
whose responses carry no Cache-Control but a Last-Modified: browsers then keep a response fresh
for a tenth of its age (the HTTP caching RFC's heuristic, which Chromium applies). Git gives
checked-out files the checkout's time, so :func:`ensure_routes` dates the vendored files back
(:data:`VENDORED_MTIME`): a returning visitor's browser then takes them from its cache for months,
without a request, and reuses the code it compiled (V8's code cache) — a warm visit's plotly.js
start-up fell from ~0.65 s to ~0.05 s here. Safe because every URL carries the file's content hash.
The component file route sends neither, so its files are fetched anew on every visit: it is only the
fallback when static serving is off (for example when Streamlit runs from another directory and does
not read this app's config).
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path
from string import Template

import plotly

ASSETS = Path(__file__).with_name("assets")
VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"  # served at app/static/vendor/
_ASSET_ROUTE = "assets"
_VENDOR_ROUTE = "vendor"
VENDORED_MTIME = 1_704_067_200  # 2024-01-01 UTC: any date well in the past (see the module's docstring)
_PLOTLY_ROUTE = "plotly_js"
_PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
_PLOTLY_FULL_URL = f"component/{__name__}.{_PLOTLY_ROUTE}/plotly.min.js?v={plotly.__version__}"
# plotly.js's "cartesian" bundle (MIT, vendor/PLOTLY_LICENSE): the scatter, bar and heatmap traces the
# charts use, a third of the full bundle's 4.8 MB, and ~0.6 s less of a first visit spent compiling
# it in this machine's browser. Used only when it is the version the plotly package writes figures for.
PLOTLY_CARTESIAN_JS = "plotly-cartesian.min.js"
PLOTLY_TRACES = ("bar", "heatmap", "scatter")  # every trace type the figures draw (tests/test_live_chart.py)


def _plotly_js_version(path: Path) -> str:
    with path.open(encoding="utf-8") as fh:
        found = re.search(r"plotly\.js (?:\([a-z]+ - minified\) )?v(\d+\.\d+\.\d+)", fh.read(300))
    return found.group(1) if found else ""


def plotly_versions() -> tuple[str, str]:
    """(the plotly package's plotly.js version, the vendored cartesian bundle's version)."""
    return _plotly_js_version(_PLOTLY_DIR / "plotly.min.js"), _plotly_js_version(VENDOR / PLOTLY_CARTESIAN_JS)


def plotly_url() -> str:
    """The plotly.js the page loads: the vendored cartesian bundle when it matches the plotly
    package's own plotly.js, else that full bundle (served from the package)."""
    return vendor_url(PLOTLY_CARTESIAN_JS) if _cartesian_matches() else _PLOTLY_FULL_URL


@functools.lru_cache(maxsize=1)
def _cartesian_matches() -> bool:
    full, cartesian = plotly_versions()
    return bool(full) and full == cartesian


def ensure_routes() -> None:
    """Register the file routes on the running Streamlit server (idempotent, per runtime)."""
    from streamlit.components.v1 import declare_component
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return
    registry = Runtime.instance().component_registry
    for name, path in ((_PLOTLY_ROUTE, _PLOTLY_DIR), (_ASSET_ROUTE, ASSETS), (_VENDOR_ROUTE, VENDOR)):
        if registry.get_component_path(f"{__name__}.{name}") is None:
            declare_component(name, path=str(path))
            if path == VENDOR:  # once per server, not on every run
                _date_back(VENDOR)


def _date_back(folder: Path) -> None:
    """Give the files in folder the modification time VENDORED_MTIME (best effort: a read-only
    checkout keeps its times, and browsers then revalidate sooner)."""
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime != VENDORED_MTIME:
                os.utime(path, (VENDORED_MTIME, VENDORED_MTIME))
        except OSError:
            pass


def asset_url(filename: str) -> str:
    """URL of assets/<filename> with a content hash, so browsers never run a stale copy."""
    return _asset_url(filename, (ASSETS / filename).stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _asset_url(filename: str, mtime_ns: int) -> str:
    return f"component/{__name__}.{_ASSET_ROUTE}/{filename}?v={_digest(ASSETS / filename, mtime_ns)}"


@functools.lru_cache(maxsize=16)
def _digest(path: Path, mtime_ns: int) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()[:12]


def static_serving() -> bool:
    """Whether Streamlit serves this app's ``static/`` folder: static serving is on and the running
    app is this one (its main script sits next to that folder)."""
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not st.get_option("server.enableStaticServing"):
        return False
    return Path(ctx.main_script_path).resolve().parent / "static" == VENDOR.parent


def vendor_url(filename: str) -> str:
    """URL of static/vendor/<filename>, with a content hash so browsers never run a stale copy:
    Streamlit's static file serving when it serves this app's static folder, else the component
    file route (see the module's docstring)."""
    path = VENDOR / filename
    digest = _digest(path, path.stat().st_mtime_ns)
    if static_serving():
        return f"app/static/vendor/{filename}?v={digest}"
    return f"component/{__name__}.{_VENDOR_ROUTE}/{filename}?v={digest}"


def loader_js(window_key: str, error_class: str, label: str) -> str:
    """The inline JS of an element: import ``data.module_url`` once per page, run its default
    export; on failure, show the error in the element (class ``error_class``) and the console."""
    return Template("""
const K = "$key";
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
    el.className = "$error_class";
    el.textContent = "$label: " + (err && err.message ? err.message : err);
    component.parentElement.replaceChildren(el);
  });
}
""").substitute(key=window_key, error_class=error_class, label=label)


KATEX_JS = "katex.min.js"  # KaTeX, MIT licence (vendor/KATEX_LICENSE), the version Streamlit's page styles


def vendored_katex_version() -> str:
    return _katex_version((VENDOR / KATEX_JS).read_text(encoding="utf-8"), '"')


@functools.lru_cache(maxsize=1)
def streamlit_katex_version() -> str | None:
    """The KaTeX version Streamlit's markdown renders st.latex with (its CSS and fonts, loaded with
    every Streamlit page, are for that version), or None if it cannot be told."""
    import streamlit

    js = Path(streamlit.__file__).resolve().parent / "static" / "static" / "js"
    for path in sorted(js.glob("rehype-katex.*.js")):
        return _katex_version(path.read_text(encoding="utf-8", errors="replace"), "`")
    return None


def _katex_version(source: str, quote: str) -> str:
    found = re.search(rf"version:{quote}(\d+\.\d+\.\d+){quote}", source)
    return found.group(1) if found else ""


def katex_url() -> str | None:
    """URL of the vendored KaTeX when it is the version whose CSS and fonts Streamlit's page carries
    (so its HTML is styled right), else None: callers then render with st.latex.

    The equation panel renders its formulas with it in the browser, after the live charts are drawn
    (assets/live_chart.js), instead of through Streamlit's markdown elements, whose rerun held a
    Step's numbers and charts back by ~200 ms. tests/test_live_chart.py checks the versions agree.
    """
    if streamlit_katex_version() != vendored_katex_version():
        return None
    return vendor_url(KATEX_JS)
