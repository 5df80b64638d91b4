"""A row of action buttons whose clicks are never lost or doubled, however fast they come.

``st.button`` is a *trigger*: True for one run. Streamlit (``runner.fastReruns``, on by default)
answers a new rerun request by abandoning the run in progress and starting another, and a trigger
that a dropped run had not read yet is gone (so is one merged with the next by
``_coalesce_widget_states``): six quick clicks on Step gave five updates.

:func:`action_bar` draws the buttons in a small Components v2 element (``assets/action_bar.js``)
that numbers every click in the browser and sends, as a *state* value (``setStateValue``), the
running total ``n`` and the last :data:`LOG_MAX` clicks as ``[sequence number, button name]``.
The newest value always lists every click, whichever requests are merged or dropped. Python keeps
the highest sequence number processed (through :mod:`state`) and acts on the clicks above it, in
click order, exactly once::

    with action_bar(buttons, key="controls") as clicks:
        for name in clicks:
            act(name)  # marked processed when the loop moves past it

Two script threads of one session can overlap (the abandoned one runs on until its next
``st`` call), so reading the mark, acting and marking happen under a per-bar lock.

Edge cases (:func:`new_clicks`, a pure function):

* first sight in a session: whatever the browser already counted is taken as processed;
* a count below the mark (a stale value, or a browser counter that restarted): nothing is done and
  the mark is kept; the browser lifts its counter to the mark it receives with the element data;
* no value at all (the element is new, or was absent for a run): nothing is done;
* disabled (locked) or unknown buttons: their clicks are ignored;
* a flood: each button acts at most ``ActionButton.limit`` times per run; the rest are dropped.
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from streamlit.components.v2 import component as _component

from . import state
from .component_files import asset_url, ensure_routes, loader_js

__all__ = ["ActionBar", "ActionButton", "Clicks", "action_bar", "exclusive", "new_clicks"]

LOG_MAX = 100  # clicks the browser keeps in its log (assets/action_bar.js uses the same number)
LOCK_TIMEOUT_S = 30.0  # a run that cannot get the bar's lock this soon leaves its clicks to a later run

_COMPONENT_NAME = "backprop_playground.action_bar"
_STATE_KEY = "clicks"  # the component's state value

_STUB_JS = loader_js("__bpActionBarModules", "action-bar-error", "action_bar")

# Styled after Streamlit's own st.button (primary: filled; secondary: outlined), from the theme's
# CSS custom properties, which reach into the element's shadow root by inheritance.
_CSS = """
:host { display: block; }
.action-bar { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: stretch; width: 100%; min-width: 0;
  font-family: var(--st-font, "Source Sans", sans-serif); font-size: 0.875rem; }
/* A button never shrinks below its label (narrow screens wrap the row instead of cutting "Step" to "S…"). */
.action-bar button { position: relative; flex: 1 0 auto; min-width: max-content; max-width: 10rem; min-height: 2.5rem;
  margin: 0; padding: 0.25rem 0.75rem; display: inline-flex; align-items: center; justify-content: center;
  font: inherit; font-weight: var(--st-base-font-weight, 400); line-height: 1.6; white-space: nowrap;
  border-radius: var(--st-button-radius, 0.5rem); border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  cursor: pointer; user-select: none; -webkit-user-select: none; -webkit-tap-highlight-color: transparent;
  color: var(--st-text-color, #31333f); background-color: var(--st-background-color, #ffffff); }
.action-bar button .label { overflow: hidden; text-overflow: ellipsis; }
.action-bar button.secondary:hover, .action-bar button.secondary:focus-visible {
  background-color: color-mix(in srgb, var(--st-text-color, #31333f) 5%, var(--st-background-color, #ffffff)); }
.action-bar button.secondary:active {
  background-color: color-mix(in srgb, var(--st-text-color, #31333f) 10%, var(--st-background-color, #ffffff)); }
.action-bar button.primary { color: #ffffff; background-color: var(--st-primary-color, #ff4b4b);
  border-color: var(--st-primary-color, #ff4b4b); }
.action-bar button.primary:hover, .action-bar button.primary:focus-visible {
  background-color: color-mix(in srgb, var(--st-primary-color, #ff4b4b) 72%, #000000);
  border-color: color-mix(in srgb, var(--st-primary-color, #ff4b4b) 72%, #000000); }
.action-bar button.primary:active { background-color: var(--st-primary-color, #ff4b4b); }
.action-bar button:focus { outline: none; }
.action-bar button:focus-visible {
  box-shadow: 0 0 0 0.2rem color-mix(in srgb, var(--st-primary-color, #ff4b4b) 50%, transparent); }
.action-bar button:disabled, .action-bar button:disabled:hover, .action-bar button:disabled:active {
  cursor: not-allowed; background-color: transparent; border-color: var(--st-border-color, rgba(49, 51, 63, 0.2));
  color: color-mix(in srgb, var(--st-text-color, #31333f) 40%, transparent); }
.action-bar .tip { position: absolute; left: 50%; bottom: calc(100% + 0.5rem); z-index: 1000; width: max-content;
  max-width: 20rem; padding: 0.5rem 0.75rem; border-radius: var(--st-base-radius, 0.5rem); pointer-events: none;
  white-space: normal; text-align: left; font-size: 0.875rem; line-height: 1.4; color: var(--st-text-color, #31333f);
  background: var(--st-background-color, #ffffff); border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  box-shadow: 0 4px 16px rgba(0, 0, 0, 0.12); opacity: 0; visibility: hidden; transform: translateX(-50%);
  transition: opacity 120ms ease 0s, visibility 0s linear 120ms; }
.action-bar button:first-child .tip { left: 0; transform: none; }  /* stays clear of the sidebar */
.action-bar button:hover .tip { opacity: 1; visibility: visible;
  transition: opacity 120ms ease 0.5s, visibility 0s 0.5s; }
.action-bar-error { color: var(--st-red-color, #ff4b4b); font-family: var(--st-code-font, monospace);
  font-size: 0.85rem; }
"""

_mount = _component(_COMPONENT_NAME, js=_STUB_JS, css=_CSS, isolate_styles=True)


@dataclass(frozen=True)
class ActionButton:
    """One button: ``name`` identifies it to Python, ``label`` is what the user reads (and its
    accessible name), ``help`` its tooltip; ``limit`` bounds how many of its clicks one run acts on."""

    name: str
    label: str
    help: str = ""
    primary: bool = False
    limit: int = 50


def _parse(sent: Any) -> tuple[int | None, list[tuple[int, str]]]:
    """The browser's state value ``{"n": int, "log": [[seq, name], ...]}`` -> (n or None, log).

    Anything malformed is dropped rather than trusted (the value comes from the browser)."""
    if not isinstance(sent, dict):
        return None, []
    n = sent.get("n")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        return None, []
    log = sent.get("log")
    pairs: list[tuple[int, str]] = []
    if isinstance(log, list):
        for item in log[-2 * LOG_MAX:]:
            if (isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], int)
                    and not isinstance(item[0], bool) and isinstance(item[1], str)):
                pairs.append((item[0], item[1]))
    return n, pairs


def new_clicks(sent: Any, done: int | None, buttons: Sequence[ActionButton],
               disabled: Collection[str] = frozenset()) -> tuple[list[tuple[int, str]], int]:
    """The clicks to act on now, as ``(sequence number, name)`` in click order, and the new mark.

    ``sent`` is the browser's state value (or None), ``done`` the highest sequence number already
    processed (None: this bar was never seen in this session). Pure: nothing is stored here.
    """
    n, log = _parse(sent)
    if done is None:  # first sight: what the browser counted before is not acted on
        return [], 0 if n is None else n
    if n is None or n <= done:  # no value, nothing new, or a stale / restarted count: keep the mark
        return [], done
    limits = {b.name: max(0, int(b.limit)) for b in buttons if b.name not in disabled}
    used: Counter[str] = Counter()
    todo: list[tuple[int, str]] = []
    for seq, name in sorted(dict(log).items()):  # one entry per sequence number, in click order
        if done < seq <= n and name in limits and used[name] < limits[name]:
            used[name] += 1
            todo.append((seq, name))
    return todo, n


def bounded_out(sent: Any, done: int | None, buttons: Sequence[ActionButton],
                disabled: Collection[str] = frozenset()) -> dict[str, int]:
    """How many new clicks of each enabled button :func:`new_clicks` leaves out by its ``limit``
    (so the page can say so instead of dropping them silently), and under "" how many new clicks
    are older than the browser's log (LOG_MAX), whichever button they were. Pure, like new_clicks."""
    n, log = _parse(sent)
    if done is None or n is None or n <= done:
        return {}
    limits = {b.name: max(0, int(b.limit)) for b in buttons if b.name not in disabled}
    new = {seq: name for seq, name in dict(log).items() if done < seq <= n}
    seen = Counter(name for name in new.values() if name in limits)
    out = {name: count - limits[name] for name, count in seen.items() if count > limits[name]}
    if n - done > len(new):
        out[""] = n - done - len(new)
    return out


class Clicks:
    """The new clicks of one run, in click order; iterate over it and act on each name.

    A click is marked processed when the loop moves past it, so a run abandoned inside the loop
    body redoes that click instead of losing it; the loop's end marks the rest (clicks bounded out
    or of disabled buttons). Once the body has changed anything it must not touch
    ``st.session_state`` (nor call ``st``): those are the points where Streamlit abandons a run.
    """

    def __init__(self, todo: list[tuple[int, str]], final: int, record: dict[str, Any],
                 dropped: dict[str, int] | None = None) -> None:
        self._todo, self._final, self._record = todo, final, record
        self.dropped = dropped or {}  # clicks per button beyond its limit: marked done, not acted on

    def __iter__(self) -> Iterator[str]:
        for seq, name in self._todo:
            yield name
            self._mark(seq)  # in place, in a plain dict: not a session-state access
        self._mark(self._final)
        self._todo = []

    def _mark(self, seq: int) -> None:
        self._record["done"] = max(self._record["done"] or 0, seq)

    def __len__(self) -> int:
        return len(self._todo)

    def __bool__(self) -> bool:
        return bool(self._todo)

    @property
    def names(self) -> list[str]:
        return [name for _, name in self._todo]

    @property
    def counts(self) -> dict[str, int]:
        """How many new clicks of each button are to be acted on (those bounded out excluded)."""
        return dict(Counter(self.names))


class ActionBar:
    """What :func:`action_bar` returns: ``with`` it to get this run's :class:`Clicks`.

    Inside the ``with`` block this script thread holds the bar's lock, so an overlapping run of the
    same session waits, then sees the clicks marked here as done.
    """

    def __init__(self, sent: Any, record: dict[str, Any], buttons: Sequence[ActionButton],
                 disabled: frozenset[str]) -> None:
        self._sent, self._record, self._buttons, self._disabled = sent, record, buttons, disabled
        self._locked = False

    def __enter__(self) -> Clicks:
        self._locked = self._record["lock"].acquire(timeout=LOCK_TIMEOUT_S)
        if not self._locked:  # another run is stuck acting: leave these clicks to a later run
            return Clicks([], self._record["done"] or 0, {"done": None})
        try:
            done = self._record["done"]
            todo, final = new_clicks(self._sent, done, self._buttons, self._disabled)
            clicks = Clicks(todo, final, self._record,
                            bounded_out(self._sent, done, self._buttons, self._disabled))
            if not todo:
                clicks._mark(final)
            return clicks
        except BaseException:
            self._record["lock"].release()
            self._locked = False
            raise

    def __exit__(self, *exc: object) -> None:
        if self._locked:
            self._locked = False
            self._record["lock"].release()


def action_bar(buttons: Sequence[ActionButton], *, key: str, disabled: Collection[str] = frozenset()) -> ActionBar:
    """Draw ``buttons`` in one row; ``with`` the result to get this run's new clicks.

    ``disabled`` names are drawn disabled and their clicks ignored. ``key`` is the element's
    identity and names the session-state record of processed clicks.
    """
    if not isinstance(key, str) or not key:
        raise ValueError("action_bar needs a non-empty string key")
    disabled = frozenset(disabled)
    record = _record(key)
    try:
        ensure_routes()
    except Exception:  # never break the page over the file route; the browser shows the error
        pass
    result = _mount(
        key=f"action_bar:{key}",
        data={
            "key": key,
            "done": record["done"] or 0,  # the browser's counter never restarts below this
            "buttons": [{"name": b.name, "label": b.label, "help": b.help, "primary": b.primary,
                         "disabled": b.name in disabled} for b in buttons],
            "module_url": asset_url("action_bar.js"),
        },
        default={_STATE_KEY: None},
        on_clicks_change=_noop,
        width="stretch",
        height="content",
    )
    return ActionBar(result.get(_STATE_KEY), record, buttons, disabled)


def exclusive(key: str) -> threading.Lock:
    """The lock under which the bar ``key`` acts on clicks. Hold it (``with exclusive(key):``) for
    any other change to what those clicks change, such as Play's training in the live-view
    fragment, so that an abandoned run and its successor never change it at the same time."""
    return _record(key)["lock"]


def _record(key: str) -> dict[str, Any]:
    """The session's record of the bar ``key``: a plain dict, mutated in place from here on."""
    records = state.session().action_records  # per bar key: {"done": processed mark, "lock": Lock}
    record = records.get(key)
    if record is None:  # the session's first run, before any click can exist
        record = records[key] = {"done": None, "lock": threading.Lock()}
    return record


def _noop() -> None:
    """The state key's change callback: the work happens in the script, after the bar is drawn."""
