// live_chart: one long-lived plotly.js chart per Streamlit element, updated in place.
//
// Streamlit (Components v2) imports this module once per page (a blob URL cached by content
// hash) and calls the default export on mount and again whenever `data` changes, always with
// the same `parentElement` while the element stays mounted. So per-chart state is keyed by
// parentElement, the first call draws with Plotly.newPlot and later calls use Plotly.react.
//
// plotly.js itself is loaded ONCE per browser page with a classic <script> tag from the copy
// that the plotly Python package ships (served by Streamlit; see live_chart.py), and the
// promise is kept on `window`, so later mounts and reruns reuse window.Plotly.

const LOADER_KEY = "__bpLiveChartPlotlyLoader";
const charts = new WeakMap(); // parentElement -> per-chart state

function streamlitBaseUrl() {
  // Streamlit's own bundle is loaded from "./static/js/index.<hash>.js" relative to the app's
  // base URL (which includes server.baseUrlPath or a hosting prefix such as Community Cloud's).
  // Its resolved src was fixed at page load, so it is unaffected by multipage URL changes.
  const s = document.querySelector('script[src*="/static/js/index."]');
  if (s && s.src) {
    const i = s.src.lastIndexOf("static/js/");
    if (i >= 0) return s.src.slice(0, i);
  }
  return new URL("./", document.baseURI).href;
}

function loadPlotly(relUrl) {
  if (window.Plotly && typeof window.Plotly.react === "function") {
    return Promise.resolve(window.Plotly);
  }
  let p = window[LOADER_KEY];
  if (!p) {
    p = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = new URL(relUrl, streamlitBaseUrl()).href;
      s.async = true;
      s.dataset.liveChart = "plotly";
      s.onload = () =>
        window.Plotly
          ? resolve(window.Plotly)
          : reject(new Error("plotly.js loaded but window.Plotly is missing"));
      s.onerror = () => reject(new Error("live_chart: could not load plotly.js from " + s.src));
      document.head.appendChild(s);
    });
    window[LOADER_KEY] = p;
    // Allow a retry (e.g. after a reconnect) if this attempt failed.
    p.catch(() => {
      if (window[LOADER_KEY] === p) delete window[LOADER_KEY];
    });
  }
  return p;
}

function cssVar(el, name) {
  return getComputedStyle(el).getPropertyValue(name).trim();
}

// A small Plotly template built from Streamlit's theme CSS custom properties, used when the
// Python side dropped plotly's default template. Re-read on every call, so light/dark switches
// are picked up (Streamlit re-invokes the component when the theme changes).
function themeTemplate(el) {
  const text = cssVar(el, "--st-text-color") || "#31333F";
  const font = cssVar(el, "--st-font") || undefined;
  const border = cssVar(el, "--st-border-color") || "rgba(128,128,128,0.25)";
  const colors = cssVar(el, "--st-chart-categorical-colors");
  const axis = { gridcolor: border, zerolinecolor: border, linecolor: border, automargin: true };
  const layout = {
    font: { color: text, family: font },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    xaxis: axis,
    yaxis: axis,
    margin: { l: 48, r: 16, t: 40, b: 40 },
    hoverlabel: { font: { family: font } },
  };
  if (colors && colors !== "unset") layout.colorway = colors.split(",").map((c) => c.trim());
  return { layout };
}

function prepare(st, d) {
  const fig = JSON.parse(d.spec);
  const layout = fig.layout || {};
  if (d.themed && layout.template === undefined) layout.template = themeTemplate(st.el);
  // Same uirevision across updates => user zoom/pan/legend state survives Plotly.react.
  if (layout.uirevision === undefined) layout.uirevision = "live_chart";
  delete layout.width; // width follows the container
  layout.autosize = true;
  layout.height = d.height;
  const config = Object.assign({ responsive: true, displaylogo: false }, fig.config || {});
  return { data: fig.data || [], layout, config, frames: fig.frames };
}

async function pump(st) {
  if (st.busy) return; // the running loop will pick up st.pending
  st.busy = true;
  try {
    const Plotly = await loadPlotly(st.pending.plotly_url);
    while (st.pending && !st.disposed) {
      const d = st.pending;
      st.pending = null;
      st.el.style.height = d.height + "px";
      const f = prepare(st, d);
      if (!st.drawn) {
        await Plotly.newPlot(st.el, f);
        st.drawn = true;
        st.el.dataset.drawn = "1";
        observeWidth(st, Plotly);
      } else {
        await Plotly.react(st.el, f);
      }
      st.el.dataset.updates = String(Number(st.el.dataset.updates || 0) + 1);
    }
  } catch (err) {
    console.error(err);
    st.el.textContent = String(err && err.message ? err.message : err);
    st.el.classList.add("live-chart-error");
  } finally {
    st.busy = false;
  }
}

function observeWidth(st, Plotly) {
  if (typeof ResizeObserver === "undefined") return;
  let lastWidth = st.el.clientWidth;
  let raf = 0;
  st.ro = new ResizeObserver(() => {
    const w = st.el.clientWidth;
    if (w === lastWidth || w === 0) return;
    lastWidth = w;
    cancelAnimationFrame(raf);
    raf = requestAnimationFrame(() => {
      if (!st.disposed && st.drawn) Plotly.Plots.resize(st.el);
    });
  });
  st.ro.observe(st.el);
}

export default function liveChart(component) {
  const { data, parentElement } = component;
  if (!data || !parentElement) return;
  let st = charts.get(parentElement);
  if (!st) {
    const el = document.createElement("div");
    el.className = "live-chart";
    el.style.height = data.height + "px";
    parentElement.appendChild(el);
    st = { el, pending: null, busy: false, drawn: false, disposed: false, ro: null };
    charts.set(parentElement, st);
  }
  st.el.dataset.key = data.key;
  st.pending = data;
  pump(st);
  // Streamlit calls the cleanup returned by the latest call when the element unmounts.
  return () => {
    st.disposed = true;
    if (st.ro) st.ro.disconnect();
    charts.delete(parentElement);
    if (window.Plotly && st.drawn) window.Plotly.purge(st.el);
    st.el.remove();
  };
}
