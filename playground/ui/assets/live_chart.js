// live_chart: long-lived plotly.js charts and a readout, played from numbers on one shared clock.
//
// Each Streamlit element (Components v2) receives, per server run:
//   kind       "chart" or "readout"
//   structure  a chart's plotly JSON without its numbers (a string; redrawn only when it changes)
//   frames     snapshots of training: patches of numbers (figures/spec.py documents the format)
//   base       arrays shared by the frames of this message (the loss history)
//   tick, span the server run that sent them, and the seconds to spread them over
//   members    how many elements this drawing sends (they arrive one after another)
//   solo       a whole figure outside the drawings (an instrument): shown at once, on no clock
// All elements of a page share one clock (window.__bpLiveClock). A tick starts once every member of
// it has arrived (or GRACE_MS after the first did: a member that is not coming must not stall the
// rest); until then each element keeps showing what it showed. When the server runs behind, the
// next drawing's first elements can reach the page before this one's last: messages wait per
// element and tick, and the newest complete drawing is played, older ones skipped. Then one requestAnimationFrame loop
// shows frame i of that tick in every element at once, so the charts and the Epoch/J readout never
// disagree. When drawing is slower than the frames arrive, frames are skipped, never queued. The
// loop stops when every element shows its last frame.
//
// plotly.js is loaded once per page, as a plain script from the URL the server gives
// (component_files.plotly_url: Streamlit's static file serving, with validators, so a returning
// visitor's browser revalidates it and reuses its compiled code). An empty "preload" element at the
// top of the page starts it (and KaTeX) before the first chart arrives.

const LOADER_KEY = "__bpLiveChartPlotlyLoader";
const GRACE_MS = 1500;
const elements = new WeakMap(); // parentElement -> element state


function streamlitBaseUrl() {
  const s = document.querySelector('script[src*="/static/js/index."]');
  if (s && s.src) {
    const i = s.src.lastIndexOf("static/js/");
    if (i >= 0) return s.src.slice(0, i);
  }
  return new URL("./", document.baseURI).href;
}

function loadPlotly(relUrl) {
  if (window.Plotly && typeof window.Plotly.react === "function") return Promise.resolve(window.Plotly);
  let p = window[LOADER_KEY];
  if (!p) {
    const url = new URL(relUrl, streamlitBaseUrl()).href;
    p = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = url;
      s.async = true;
      s.dataset.liveChart = "plotly";
      s.onload = () =>
        window.Plotly ? resolve(window.Plotly) : reject(new Error("plotly.js loaded but window.Plotly is missing"));
      s.onerror = () => reject(new Error("live_chart: could not load plotly.js from " + url));
      document.head.appendChild(s);
    });
    // Earlier versions kept a copy in Cache Storage (run from a blob, it lost the code cache): drop it.
    if (window.caches && window.isSecureContext) caches.delete("backprop-playground-plotly").catch(() => {});
    window[LOADER_KEY] = p;
    p.catch(() => {
      if (window[LOADER_KEY] === p) delete window[LOADER_KEY];
    });
  }
  return p;
}

// ------------------------------------------------------------------------------- numbers
const TYPED = { f4: Float32Array, f8: Float64Array, i4: Int32Array, i2: Int16Array, i1: Int8Array, u1: Uint8Array };

function decodeTyped(v) {
  const bin = atob(v.bdata);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const flat = new TYPED[v.dtype](bytes.buffer);
  if (!v.shape) return flat;
  const [rows, cols] = String(v.shape).split(",").map(Number);
  const out = new Array(rows);
  for (let r = 0; r < rows; r++) out[r] = flat.subarray(r * cols, (r + 1) * cols);
  return out;
}

function hexRgb(c) {
  const n = parseInt(c.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// A heatmap as an image: one pixel per cell (row 0 at the bottom of the plot, or at the top with
// row0_top, for a reversed y axis), as a PNG data URL. Each cell comes as a byte q, its place on the
// colour scale (0 … 255, figures/spec.py painted), coloured like plotly.js colours the heatmap: the
// scale's piecewise-linear interpolation, looked up in a table made once per scale.
const LEVELS = 255;
const luts = new Map();
function colourTable(colorscale) {
  const key = JSON.stringify(colorscale);
  let lut = luts.get(key);
  if (lut) return lut;
  const stops = colorscale.map(([t, c]) => [t, hexRgb(c)]);
  lut = new Uint8ClampedArray(4 * (LEVELS + 1));
  for (let q = 0; q <= LEVELS; q++) {
    const t = q / LEVELS;
    let k = 1;
    while (k < stops.length - 1 && stops[k][0] < t) k++;
    const [t0, a] = stops[k - 1];
    const [t1, b] = stops[k];
    const f = t1 > t0 ? Math.min(1, Math.max(0, (t - t0) / (t1 - t0))) : 0;
    for (let ch = 0; ch < 3; ch++) lut[4 * q + ch] = a[ch] + f * (b[ch] - a[ch]);
    lut[4 * q + 3] = 255;
  }
  luts.set(key, lut);
  return lut;
}

let canvas = null;
function paint(spec) {
  const q = decodeTyped(spec.q);
  const rows = q.length;
  const cols = rows ? q[0].length : 0;
  canvas = canvas || document.createElement("canvas");
  canvas.width = Math.max(1, cols);
  canvas.height = Math.max(1, rows);
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(canvas.width, canvas.height);
  const lut = colourTable(spec.colorscale);
  const px = new Uint32Array(img.data.buffer);
  const lut32 = new Uint32Array(lut.buffer);
  for (let r = 0; r < rows; r++) {
    const row = q[spec.row0_top ? r : rows - 1 - r];
    const o = r * cols;
    for (let c = 0; c < cols; c++) px[o + c] = lut32[row[c]];
  }
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL();
}

// A network's edges as an image covering the axes' ranges spec.x × spec.y: segments (x0, y0, x1, y1) in
// data coordinates, each with its width (px) and colour index, stroked in order (runs of one style as
// one path, so overlaps within a run are not darkened twice, as within one plotly.js trace). size is
// the plot area in CSS px; the canvas has the screen's pixels, so lines stay crisp.
let lineCanvas = null;
function paintLines(spec, size) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(size.w * dpr));
  const h = Math.max(1, Math.round(size.h * dpr));
  lineCanvas = lineCanvas || document.createElement("canvas");
  lineCanvas.width = w;
  lineCanvas.height = h;
  const ctx = lineCanvas.getContext("2d");
  ctx.clearRect(0, 0, w, h);
  const seg = decodeTyped(spec.seg);
  const flat = Array.isArray(seg) ? null : seg;
  const at = (k, q) => (flat ? flat[4 * k + q] : seg[k][q]);
  const width = decodeTyped(spec.width);
  const colour = decodeTyped(spec.colour);
  const [x0, x1] = spec.x;
  const [y0, y1] = spec.y;
  const sx = w / (x1 - x0);
  const sy = h / (y1 - y0);
  ctx.globalAlpha = spec.opacity;
  let k = 0;
  while (k < width.length) {
    const lw = width[k];
    const c = colour[k];
    ctx.beginPath();
    for (; k < width.length && width[k] === lw && colour[k] === c; k++) {
      ctx.moveTo((at(k, 0) - x0) * sx, (y1 - at(k, 1)) * sy);
      ctx.lineTo((at(k, 2) - x0) * sx, (y1 - at(k, 3)) * sy);
    }
    ctx.lineWidth = lw * dpr;
    ctx.strokeStyle = spec.colours[c];
    ctx.stroke();
  }
  return lineCanvas.toDataURL();
}

function decode(v, base, size) {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    if (typeof v.bdata === "string") return decodeTyped(v);
    if (v.image) return paint(v.image);
    if (v.lines) return paintLines(v.lines, size); // size: plotSize(), always given with lines
    if (typeof v.ref === "string") {
      const arr = base[v.ref];
      return arr ? arr.subarray(0, v.n) : [];
    }
  }
  return v;
}

function setPath(obj, path, value) {
  const keys = path.split(".");
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i];
    if (obj[k] === undefined || obj[k] === null) obj[k] = {};
    obj = obj[k];
  }
  obj[keys[keys.length - 1]] = value;
}

function applyTraces(fig, patches, base, size) {
  for (const [i, attrs] of patches || []) {
    const trace = fig.data[i];
    if (!trace) continue;
    for (const path in attrs) setPath(trace, path, decode(attrs[path], base, size));
  }
}

function applyPatch(fig, patch, base, size) {
  applyTraces(fig, patch.h, base, size); // hover numbers: with the rest when the whole figure is drawn
  applyTraces(fig, patch.t, base, size);
  for (const [path, value] of patch.l || []) setPath(fig.layout, path, decode(value, base, size));
}

// The plot area of a drawn chart in CSS px (where painted images go); before the first draw, a guess
// from the layout (the image is stretched to fit either way).
function plotSize(st) {
  const s = st.el._fullLayout && st.el._fullLayout._size;
  if (s && s.w > 0 && s.h > 0) return { w: s.w, h: s.h };
  return { w: Math.max(100, st.el.clientWidth - 40), h: Math.max(100, (st.fig.layout.height || 300) - 70) };
}

// An annotation's new text written straight into the SVG plotly.js drew, when old and new are plain
// text (lines joined by <br>, no other markup): Plotly.relayout of an annotation's text recalculates
// the whole chart (~20 ms, as much as a full redraw), this costs microseconds. The layout objects get
// the text too, so a later redraw (a resize, a new structure) shows the same. False: take the slow path.
const MARKUP = /[<>&]/;
function fastText(st, i, text) {
  if (typeof text !== "string") return false;
  const lines = text.split("<br>");
  if (lines.some((line) => MARKUP.test(line))) return false;
  const el = st.el.querySelector(`.annotation[data-index="${i}"] text.annotation-text`);
  if (!el) return false;
  const spans = el.querySelectorAll(":scope > tspan.line");
  const targets = spans.length ? Array.from(spans) : [el];
  if (targets.length !== lines.length || targets.some((t) => t.children.length)) return false;
  targets.forEach((t, k) => { t.textContent = lines[k]; });
  el.setAttribute("data-unformatted", text);
  const full = st.el._fullLayout && st.el._fullLayout.annotations && st.el._fullLayout.annotations[i];
  if (full) full.text = text;
  return true;
}

// ------------------------------------------------------------------------------- theme
function cssVar(el, name) {
  return getComputedStyle(el).getPropertyValue(name).trim();
}

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

// The house figures (figures/style.py) are drawn for a light page: white paper, Streamlit's dark
// body text. On a dark theme their paper, text, grid and axis lines take the page's colours instead,
// so no chart is a light box on a dark page; data colours (the sign scale, classes) stay as they are.
const HOUSE = { text: ["#262730", "#2f3e4e"], paper: ["white", "#ffffff"], lines: ["#ececec", "#bbbbbb"] };

function rgbOf(colour) {
  const m = /rgba?\(([^)]+)\)/.exec(colour) || [];
  if (m[1]) return m[1].split(",").slice(0, 3).map(Number);
  if (/^#[0-9a-f]{6}$/i.test(colour)) return hexRgb(colour);
  return null;
}

function darkTheme(el) {
  const rgb = rgbOf(cssVar(el, "--st-background-color"));
  return !!rgb && 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 128;
}

function onDark(fig, el) {
  const text = cssVar(el, "--st-text-color") || "#fafafa";
  const line = cssVar(el, "--st-border-color") || "rgba(250,250,250,0.2)";
  const walk = (o) => {
    if (!o || typeof o !== "object") return;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (typeof v === "string") {
        if ((k === "paper_bgcolor" || k === "plot_bgcolor") && HOUSE.paper.includes(v)) o[k] = "rgba(0,0,0,0)";
        else if (k === "color" && HOUSE.text.includes(v)) o[k] = text;
        else if (/^(grid|line|zeroline)color$/.test(k) && HOUSE.lines.includes(v)) o[k] = line;
      } else if (typeof v === "object") walk(v);
    }
  };
  walk(fig.layout);
  walk(fig.data);
}

// ------------------------------------------------------------------------------- the clock
function clock() {
  let c = window.__bpLiveClock;
  if (!c) {
    // ticks: tick -> {arrived: Set of elements, expect, first (ms)}, for the drawings still arriving
    c = window.__bpLiveClock = { tick: -1, start: 0, span: 0, n: 1, els: new Set(), raf: 0,
                                 ticks: new Map() };
  }
  return c;
}

function wake() {
  const c = clock();
  if (!c.raf) c.raf = requestAnimationFrame(loop);
}

function promote(st, upto) {
  // Show the newest message this element has for a tick ≤ upto; older ones are skipped.
  let best = null;
  for (const [tick, d] of st.pending) {
    if (tick <= upto) {
      if (!best || tick > best.tick) best = d;
      st.pending.delete(tick);
    }
  }
  if (!best) return;
  st.msg = best;
  if (best.fig) {
    st.fig = best.fig; // a new structure, drawn whole with this tick's first frame
    st.structure = best.structure;
  }
}

function start(c, tick, now) {
  // Every member of this drawing has arrived (or its grace is over): its frames start together.
  c.tick = tick;
  c.start = now;
  for (const t of c.ticks.keys()) if (t <= tick) c.ticks.delete(t);
  for (const st of c.els) {
    promote(st, tick);
    if (st.msg && st.msg.tick === tick) {
      c.span = st.msg.span || 0;
      c.n = Math.max(1, st.msg.frames.length);
    }
  }
}

function loop(now) {
  const c = clock();
  c.raf = 0;
  let ready = -1;
  for (const [tick, p] of c.ticks) {
    if (tick > c.tick && (p.arrived.size >= p.expect || now - p.first > GRACE_MS)) ready = Math.max(ready, tick);
  }
  if (ready >= 0) start(c, ready, now);
  const waiting = c.ticks.size > 0;
  // Lockstep: while any chart is still drawing, nobody moves on, so every element always shows the
  // same frame; the frame rate is the slowest chart's, and frames that fall due meanwhile are skipped.
  let busy = false;
  for (const st of c.els) busy = busy || st.busy;
  if (busy) {
    c.raf = requestAnimationFrame(loop);
    return;
  }
  const elapsed = (now - c.start) / 1000;
  const idx = c.span > 0 ? Math.min(c.n - 1, Math.floor((elapsed / c.span) * c.n)) : c.n - 1;
  let more = false;
  for (const st of c.els) {
    if (!st.msg) continue;
    if (st.kind === "chart" && !window.Plotly) continue; // drawn once plotly.js has loaded (wake)
    const last = st.msg.frames.length - 1;
    const want = st.msg.tick === c.tick ? Math.min(idx, last) : last;
    if (st.shownTick !== st.msg.tick || st.shownIdx !== want) {
      show(st, want);
    }
    if (want < last) more = true;
  }
  if (more || waiting) c.raf = requestAnimationFrame(loop);
}

function show(st, i) {
  st.shownTick = st.msg.tick;
  st.shownIdx = i;
  const frame = st.msg.frames[i];
  if (st.kind === "readout") return showReadout(st, frame);
  if (!window.Plotly || !st.fig) return;
  const t0 = performance.now();
  const base = st.msg.decodedBase || {};
  const size = plotSize(st);
  // A layout-only frame (painted images and plain-text titles; hover numbers, if any, follow when idle)
  // on the structure already drawn goes through Plotly.relayout, which redraws just the images (~2 ms),
  // and titles are written in place; Plotly.react would diff, recalculate and lay out the whole figure.
  const newStructure = st.shownFig !== st.fig;
  const layoutOnly = st.drawn && !newStructure && !(frame.t || []).length;
  let update = null;
  st.hover = null; // a newer frame: numbers for hover that had not been applied yet are out of date
  if (layoutOnly) {
    update = {};
    for (const [path, value] of frame.l || []) {
      const v = decode(value, base, size);
      setPath(st.fig.layout, path, v);
      const text = /^annotations\.(\d+)\.text$/.exec(path);
      if (!(text && fastText(st, Number(text[1]), v))) update[path.replace(/\.(\d+)(?=\.|$)/g, "[$1]")] = v;
    }
    if (!Object.keys(update).length) update = true; // nothing for plotly.js to redraw
    if ((frame.h || []).length) later(st, frame.h, base, size);
  } else if (!st.drawn || newStructure) {
    // A first draw, or a new structure: the picture first; hover numbers (an invisible heatmap's cells
    // cost plotly.js as much as the rest of a chart) follow when the browser is idle.
    applyPatch(st.fig, { t: frame.t, l: frame.l }, base, size);
    if ((frame.h || []).length) later(st, frame.h, base, size);
    st.fig.layout.datarevision = (st.fig.layout.datarevision || 0) + 1;
  } else {
    applyPatch(st.fig, frame, base, size);
    st.fig.layout.datarevision = (st.fig.layout.datarevision || 0) + 1; // new numbers: recalculate
  }
  st.shownFig = st.fig;
  st.busy = true;
  const done = () => {
    st.busy = false;
    st.el.dataset.updates = String(Number(st.el.dataset.updates || 0) + 1);
    st.el.dataset.epoch = String(st.msg.epochs ? st.msg.epochs[i] : "");
  };
  // The cost of a frame's redraw in this browser (the synchronous part, painting included, smoothed), for
  // the benchmarks: what playing costs, so first draws and new structures (dearer, and rare) are left out.
  const steady = st.drawn && !newStructure;
  const run = update === true ? null : update ? window.Plotly.relayout(st.el, update)
    : st.drawn ? window.Plotly.react(st.el, st.fig) : window.Plotly.newPlot(st.el, st.fig);
  if (steady) {
    const ms = performance.now() - t0;
    st.drawMs = st.drawMs ? 0.7 * st.drawMs + 0.3 * ms : ms;
    st.el.dataset.drawMs = st.drawMs.toFixed(1);
  }
  st.drawn = true;
  st.el.dataset.drawn = "1";
  Promise.resolve(run).then(done, (err) => {
    done();
    fail(st, err);
  });
  if (!st.ro) observeWidth(st);
}

// Numbers that only feed hover (the invisible traces under painted images), applied once the browser
// is idle: a Step's picture is on screen first, and plotly.js recalculates the chart (~30-70 ms) after.
// Only the newest frame's are kept; nothing is applied while a drawing is still playing or busy.
function later(st, patches, base, size) {
  st.hover = { patches, base, size };
  if (st.hoverTimer) return;
  const run = () => {
    st.hoverTimer = 0;
    const h = st.hover;
    if (!h || st.disposed || !st.drawn) return;
    if (st.busy || clock().raf) { st.hoverTimer = setTimeout(run, 100); return; } // frames first
    st.hover = null;
    applyTraces(st.fig, h.patches, h.base, h.size);
    st.fig.layout.datarevision = (st.fig.layout.datarevision || 0) + 1;
    Promise.resolve(window.Plotly.react(st.el, st.fig)).catch((err) => fail(st, err));
  };
  st.hoverTimer = window.requestIdleCallback ? requestIdleCallback(run, { timeout: 300 }) : setTimeout(run, 50);
}

// The last tiles each readout showed, by key: when Streamlit re-creates the element (a new host), it
// shows them at once instead of an empty row until the next drawing starts.
const lastReadout = (window.__bpLastReadout = window.__bpLastReadout || new Map());

function showReadout(st, frame) {
  lastReadout.set(st.el.dataset.key, frame);
  for (const tile of frame) {
    let el = st.tiles.get(tile.label);
    if (!el) {
      el = document.createElement("div");
      el.className = "live-metric";
      el.dataset.metric = tile.label;
      el.innerHTML = '<div class="live-metric-label"></div><div class="live-metric-value"></div><div class="live-metric-note"></div>';
      el.children[0].textContent = tile.label;
      st.tiles.set(tile.label, el);
      st.el.appendChild(el);
    }
    if (tile.help) el.title = tile.help;
    el.children[1].textContent = tile.value;
    el.children[2].textContent = tile.note || "";
    el.children[2].className = "live-metric-note" + (tile.tone ? " " + tile.tone : "");
  }
  st.el.dataset.updates = String(Number(st.el.dataset.updates || 0) + 1);
}

function fail(st, err) {
  console.error(err);
  st.el.textContent = String(err && err.message ? err.message : err);
  st.el.classList.add("live-chart-error");
}

// The width comes from the observer's entries, not st.el.clientWidth: reading that right after a draw
// forced the browser to lay out the whole page once per chart (a first visit draws five in a row).
// The width plotly.js drew at is its layout's.
function observeWidth(st) {
  if (typeof ResizeObserver === "undefined") return;
  let lastWidth = st.el._fullLayout ? Math.round(st.el._fullLayout.width) : null;
  let raf = 0;
  st.ro = new ResizeObserver((entries) => {
    const w = Math.round(entries[entries.length - 1].contentRect.width);
    if (lastWidth === null) lastWidth = w;
    if (w === 0 || Math.abs(w - lastWidth) <= 1) return;
    lastWidth = w;
    cancelAnimationFrame(raf);
    raf = requestAnimationFrame(() => {
      if (!st.disposed && st.drawn) window.Plotly.Plots.resize(st.el);
    });
  });
  st.ro.observe(st.el);
}

// ------------------------------------------------------------------------------- messages
async function receive(st, d) {
  const c = clock();
  // plotly.js loads in the background: a drawing starts when its elements have arrived, the readout
  // shows at once, and charts draw as soon as plotly.js is ready (the first visit's longest wait).
  if (!window.Plotly) loadPlotly(d.plotly_url).then(wake, (err) => st.kind === "chart" && fail(st, err));
  if (st.kind === "chart") {
    const base = {};
    for (const k in d.base || {}) base[k] = decodeTyped(d.base[k]);
    let newest = null;
    for (const p of st.pending.values()) if (!newest || p.tick > newest.tick) newest = p;
    if (newest && newest.structure === d.structure) {
      d.fig = newest.fig; // the structure already waiting (null: the one shown)
    } else if (d.structure === st.structure && st.fig) {
      d.fig = null; // unchanged: only numbers
    } else {
      const fig = JSON.parse(d.structure);
      const layout = fig.layout || {};
      if (d.themed && layout.template === undefined) layout.template = themeTemplate(st.el);
      else if (darkTheme(st.el)) onDark(fig, st.el);
      if (layout.uirevision === undefined) layout.uirevision = "live_chart"; // zoom survives updates
      delete layout.width; // width follows the container
      layout.autosize = true;
      layout.height = d.height;
      // On a phone the mode bar (shown at all times on touch screens) covered the charts' labels.
      const phone = window.matchMedia && window.matchMedia("(max-width: 640px)").matches;
      d.fig = { data: fig.data || [], layout, config: { responsive: true, displaylogo: false, displayModeBar: !phone && "hover" } };
    }
    d.decodedBase = base;
    st.el.style.height = d.height + "px";
  }
  if (st.msg && d.tick <= st.msg.tick) return; // older than what this element shows
  st.pending.set(d.tick, d);
  if (d.solo || d.tick <= c.tick) {
    promote(st, d.tick); // a late member of a drawing already playing joins it at once
  } else {
    let p = c.ticks.get(d.tick);
    if (!p) c.ticks.set(d.tick, (p = { arrived: new Set(), expect: d.members || 1, first: performance.now() }));
    p.arrived.add(st);
  }
  wake();
}

// ------------------------------------------------------------------------------- formulas
// The equation panel's formulas, rendered with KaTeX (vendored: the version whose CSS and fonts
// Streamlit's page already carries, component_files.katex_url) once the browser has painted the live
// charts: after a Step the numbers and charts come first, the formulas a frame later, and a group is
// re-rendered only when its LaTeX changed.
const KATEX_KEY = "__bpKatex";

function loadKatex(relUrl) {
  if (window.katex && typeof window.katex.renderToString === "function") return Promise.resolve(window.katex);
  let p = window[KATEX_KEY];
  if (!p) {
    const url = new URL(relUrl, streamlitBaseUrl()).href;
    p = window[KATEX_KEY] = new Promise((resolve, reject) => {
      const s = document.createElement("script"); // a UMD file: it sets window.katex
      s.src = url;
      s.async = true;
      s.onload = () => (window.katex ? resolve(window.katex) : reject(new Error("KaTeX loaded but window.katex is missing")));
      s.onerror = () => reject(new Error("could not load KaTeX from " + url));
      document.head.appendChild(s);
    });
    p.catch(() => { if (window[KATEX_KEY] === p) delete window[KATEX_KEY]; });
  }
  return p;
}

function mathElement(parentElement) {
  let st = elements.get(parentElement);
  if (!st) {
    const el = document.createElement("div");
    el.className = "live-math";
    parentElement.appendChild(el);
    st = { el, kind: "math", boxes: [], data: null, pending: 0 };
    elements.set(parentElement, st);
  }
  return st;
}

function renderMath(st, katex) {
  const groups = st.data.groups || [];
  while (st.boxes.length > groups.length) st.boxes.pop().el.remove();
  groups.forEach((g, i) => {
    let box = st.boxes[i];
    if (!box) {
      const el = document.createElement("div");
      el.innerHTML = '<div class="live-math-title"><span></span></div><div class="live-math-tex"></div>' +
        '<div class="live-math-note"></div>';
      st.el.appendChild(el);
      box = st.boxes[i] = { el, tex: null };
    }
    box.el.className = "live-math-group" + (g.now ? " now" : "");
    box.el.children[0].firstChild.textContent = g.title + (g.now ? " ◀ now" : "");
    box.el.children[2].textContent = g.note || "";
    box.el.children[2].style.display = g.note ? "" : "none";
    if (box.tex !== g.tex) {
      box.tex = g.tex;
      box.el.children[1].innerHTML = katex.renderToString(g.tex, { displayMode: true, throwOnError: false });
    }
  });
  fitMath(st);
  if (!st.fitObserver && typeof ResizeObserver !== "undefined") {
    let width = st.el.clientWidth;
    st.fitObserver = new ResizeObserver((entries) => {
      const w = Math.round(entries[entries.length - 1].contentRect.width);
      if (w !== width) { width = w; fitMath(st); }
    });
    st.fitObserver.observe(st.el);
  }
  st.el.dataset.rendered = String(Number(st.el.dataset.rendered || 0) + 1);
}

// A formula wider than its box (a long row of numbers, a narrow screen) is set smaller until it fits,
// down to 60 %; past that the box scrolls. KaTeX cannot break a display formula over lines.
const MIN_MATH_SCALE = 0.6;
function fitMath(st) {
  const texes = st.boxes.map((b) => b.el.children[1]);
  for (const tex of texes) tex.style.fontSize = "";
  const over = texes.map((tex) => (tex.clientWidth > 0 ? tex.scrollWidth / tex.clientWidth : 1)); // one layout
  texes.forEach((tex, i) => {
    if (over[i] > 1.001) tex.style.fontSize = `${Math.max(MIN_MATH_SCALE, 0.98 / over[i]) * 100}%`;
  });
}

function receiveMath(component) {
  const st = mathElement(component.parentElement);
  st.data = component.data;
  st.el.dataset.key = component.data.key;
  if (st.pending) return; // a render is already due: it will show this newest data
  st.pending = requestAnimationFrame(() => {
    // rAF runs before the next paint, and the live charts' own rAF (scheduled earlier) draws first;
    // the timeout lets that paint happen before the formulas are laid out.
    setTimeout(() => {
      st.pending = 0;
      const plotly = window[LOADER_KEY] || Promise.resolve(); // after plotly.js, if it is still loading
      plotly.catch(() => {}).then(() => loadKatex(st.data.katex_url)).then((katex) => renderMath(st, katex)).catch((err) => {
        console.error(err);
        st.el.textContent = "Equations: could not load KaTeX (" + (err && err.message ? err.message : err) + ")";
        st.el.classList.add("live-chart-error");
      });
    }, 0);
  });
}

export default function liveChart(component) {
  const { data, parentElement } = component;
  if (!data || !parentElement) return;
  if (data.kind === "preload") {
    if (!parentElement.querySelector(".live-preload")) { // a marker: the page's CSS hides this element's row
      const marker = document.createElement("div");
      marker.className = "live-preload";
      parentElement.appendChild(marker);
    }
    // plotly.js first: the charts need it, the formulas (typeset after the charts anyway) can wait
    const plotly = window.Plotly ? Promise.resolve() : loadPlotly(data.plotly_url);
    plotly.catch((err) => console.error(err)).finally(() => data.katex_url && loadKatex(data.katex_url).catch(() => {}));
    return;
  }
  if (data.kind === "math") {
    receiveMath(component);
    return () => {
      const st = elements.get(parentElement);
      if (st) st.el.remove();
      elements.delete(parentElement);
    };
  }
  let st = elements.get(parentElement);
  if (!st) {
    const el = document.createElement("div");
    el.className = data.kind === "readout" ? "live-readout" : "live-chart";
    if (data.kind !== "readout") el.style.height = data.height + "px";
    parentElement.appendChild(el);
    st = { el, kind: data.kind, msg: null, pending: new Map(), fig: null, structure: null, busy: false, drawn: false,
           disposed: false, ro: null, shownTick: -1, shownIdx: -1, tiles: new Map() };
    elements.set(parentElement, st);
    clock().els.add(st);
    if (data.kind === "readout" && lastReadout.has(data.key)) {
      st.el.dataset.key = data.key;
      showReadout(st, lastReadout.get(data.key));
    }
  }
  st.el.dataset.key = data.key;
  receive(st, data).catch((err) => fail(st, err));
  return () => {
    st.disposed = true;
    clock().els.delete(st);
    if (st.ro) st.ro.disconnect();
    elements.delete(parentElement);
    if (window.Plotly && st.drawn) window.Plotly.purge(st.el);
    st.el.remove();
  };
}
