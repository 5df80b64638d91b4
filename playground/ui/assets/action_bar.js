// action_bar: a row of buttons whose clicks reach Python as a *state* value, so none is lost or
// doubled when Streamlit coalesces rerun requests (see action_bar.py).
//
// Every click gets the next sequence number n of its bar; the state value sent with
// setStateValue is {n, log}, log holding the last LOG_MAX clicks as [seq, name]. The newest value
// always lists every click not yet processed, whichever requests the server merges.
//
// The counter lives on `window`, per bar key, so it survives the element remounting; it also
// remembers the last n sent, and any click not sent yet (its bar was torn down in between) is
// sent by the next call for that key. data.done, the server's processed mark, is a floor for n.
//
// Streamlit calls the default export on mount and again whenever `data` changes, with the same
// parentElement while the element stays mounted, and calls the cleanup of the latest call on
// unmount. Because the call is asynchronous (this module is imported by a loader stub), a call
// overtaken by a newer one may have its cleanup run right away, while the element stays: a
// cleanup only tears the bar down once the element has left the page.

const STORE = "__bpActionBarClicks";
const LOG_MAX = 100; // same as action_bar.py
const THROTTLE_MS = 100; // at most one rerun request per bar this often; the newest value lists every click
const bars = new WeakMap(); // parentElement -> per-bar DOM state

function counter(key) {
  const all = (window[STORE] = window[STORE] || {});
  return (all[key] = all[key] || { n: 0, sent: 0, log: [] });
}

function click(bar, name) {
  const b = bar.buttons.get(name);
  if (bar.disposed || !b || b.disabled) return;
  const c = counter(bar.key);
  c.n += 1;
  c.log.push([c.n, name]);
  if (c.log.length > LOG_MAX) c.log.splice(0, c.log.length - LOG_MAX);
  bar.root.dataset.clicks = String(c.n);
  schedule(bar);
}

// The first click is sent at once; a burst is sent as one value per THROTTLE_MS, which spares the
// server a rerun per click (each would abandon the run before it) and loses nothing.
function schedule(bar) {
  if (bar.timer) return;
  const wait = bar.sentAt + THROTTLE_MS - performance.now();
  if (wait <= 0) send(bar);
  else bar.timer = setTimeout(() => send(bar), wait);
}

function send(bar) {
  clearTimeout(bar.timer);
  bar.timer = 0;
  if (bar.disposed || !bar.setStateValue) return; // c.sent < c.n: the next call for this key sends it
  const c = counter(bar.key);
  if (c.n <= c.sent) return;
  bar.sentAt = performance.now();
  c.sent = c.n;
  bar.setStateValue("clicks", { n: c.n, log: c.log.slice() });
}

function render(bar, specs) {
  const seen = new Set();
  let before = bar.root.firstChild;
  for (const s of specs) {
    seen.add(s.name);
    let b = bar.buttons.get(s.name);
    if (!b) {
      b = document.createElement("button");
      b.type = "button";
      b.dataset.name = s.name;
      const label = document.createElement("span");
      label.className = "label";
      const tip = document.createElement("span");
      tip.className = "tip";
      tip.setAttribute("role", "tooltip");
      tip.id = "tip-" + s.name;
      b.append(label, tip);
      b.addEventListener("click", () => click(bar, s.name));
      bar.buttons.set(s.name, b);
    }
    const [label, tip] = b.children;
    if (label.textContent !== s.label) label.textContent = s.label;
    b.setAttribute("aria-label", s.label); // the name is the label alone, whether or not the tip shows
    b.className = s.primary ? "primary" : "secondary";
    b.disabled = !!s.disabled;
    tip.textContent = s.help || "";
    tip.hidden = !s.help;
    if (s.help) b.setAttribute("aria-describedby", tip.id);
    else b.removeAttribute("aria-describedby");
    if (b !== before) bar.root.insertBefore(b, before);
    before = b.nextSibling;
  }
  for (const [name, b] of bar.buttons) {
    if (!seen.has(name)) {
      b.remove();
      bar.buttons.delete(name);
    }
  }
}

export default function actionBar(component) {
  const { data, parentElement, setStateValue } = component;
  if (!data || !parentElement) return;
  let bar = bars.get(parentElement);
  if (!bar) {
    const root = document.createElement("div");
    root.className = "action-bar";
    root.setAttribute("role", "group");
    parentElement.appendChild(root);
    bar = { root, buttons: new Map(), key: null, setStateValue: null, sentAt: -Infinity, timer: 0,
            disposed: false, gen: 0 };
    bars.set(parentElement, bar);
  }
  const gen = ++bar.gen;
  bar.key = String(data.key);
  bar.setStateValue = setStateValue;
  bar.root.dataset.key = bar.key;
  bar.root.dataset.done = String(data.done); // the server's processed mark when it drew the bar
  const c = counter(bar.key);
  if (Number.isInteger(data.done) && data.done > c.n) c.n = c.sent = data.done;
  render(bar, Array.isArray(data.buttons) ? data.buttons : []);
  if (c.n > c.sent) schedule(bar); // clicks a torn-down bar could not send
  return () => {
    // Stale (a newer call owns the bar) or not an unmount (React detaches the element first).
    if (gen !== bar.gen || bar.disposed || parentElement.isConnected) return;
    bar.disposed = true;
    clearTimeout(bar.timer);
    bars.delete(parentElement);
    bar.root.remove();
  };
}
