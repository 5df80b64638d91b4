"""The one module that touches ``st.session_state``.

A session's state is one typed object, :class:`Session`, under one key: its Run (never a module
global, so two visitors never share a network), the comparison run, Play's clock, what the link
said, uploads and imports, and the memory of the sidebar's widgets. Widgets keep their own
values in session state under the keys of :mod:`.keys` (Streamlit's rule); they are read and
seeded through :func:`widget` and :func:`seed_widgets`, so this stays the only module that
touches session state.

Reading the session is a point where Streamlit may abandon a run for a newer one (any session
state access is): code that must not be abandoned half-way (a Step's update) takes the Session
once, before it changes anything, and then works on the object.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from ..config import Config
from ..data import Dataset
from ..frames import Clock
from ..run import Run
from ..share import View
from . import keys

_SESSION = "session"


@dataclass
class Session:
    """Everything a browser session keeps between reruns, besides the widgets' own values."""

    run: Run | None = None
    compare: tuple[Run, str] | None = None  # a second run in lockstep, and what differs ("α = 0.3")
    notice: tuple[str, str] | None = None  # (kind, message) shown once on the next full render
    pause_requested: bool = False  # Play switches off before the toggle is drawn next
    # the live view
    tick: int = 0  # grows with every drawing; the browser plays the newest
    clock: Clock = field(default_factory=Clock)  # Play: how much training the next tick owes
    full_run: bool = False  # this drawing follows a full rerun of the page, not a Play tick
    timer_plays: bool = False  # whether the live fragment was made with Play's timer
    snapshots_per_tick: int | None = None  # adapts to what a tick costs (page.frame)
    last_J: float | None = None  # J of the last snapshot shown (the readout's change of J)
    # the link, read once when the session starts
    started: bool = False
    link_config: Config | None = None
    view: View = field(default_factory=View)
    link_warnings: list[str] = field(default_factory=list)
    # uploads and imports
    upload: Dataset | None = None  # the parsed CSV the "Your CSV file…" dataset uses
    upload_token: tuple | None = None  # (file, target, options) it was parsed with
    upload_error: str | None = None
    imported_weights: str | None = None  # file ids already applied: a rerun does not apply them again
    imported_settings: str | None = None
    pending_settings: tuple[Config, list[str]] | None = None  # from a file, applied before widgets are drawn
    restore: Config | None = None  # settings the widgets show again next run (new ones were refused)
    # instruments and caches
    gradcheck: tuple | None = None  # (epoch, updates, GradCheck)
    raw_images: tuple | None = None  # (dataset key, raw pixels) for the digits' sample images
    action_records: dict[str, dict[str, Any]] = field(default_factory=dict)  # ui/action_bar.py
    widget_memory: dict[str, Any] = field(default_factory=dict)  # last value of each sidebar widget
    widgets_shown: set[str] | None = None  # the sidebar widgets drawn in the last run (None: all are fresh)


def session() -> Session:
    """This browser session's state (created on its first run)."""
    s = st.session_state.get(_SESSION)
    if s is None:
        s = st.session_state[_SESSION] = Session()
    return s


# ------------------------------------------------------------------------- the run
def get_run() -> Run | None:
    return session().run


def set_run(run: Run) -> None:
    session().run = run


def other_run() -> Run | None:
    """The comparison run, if one is training in lockstep with the session's run."""
    held = session().compare
    return held[0] if held else None


def flash(message: str, kind: str = "info") -> None:
    """A one-time message shown on the next full render (e.g. why the run was reset)."""
    session().notice = (kind, message)


def take_flash() -> tuple[str, str] | None:
    s = session()
    notice, s.notice = s.notice, None
    return notice


# ------------------------------------------------------------------------- Play
def is_playing() -> bool:
    return bool(st.session_state.get(keys.PLAYING, False))


def request_pause() -> None:
    """Ask for Play to switch off. Applied before the toggle is drawn on the next full run,
    because a widget's value cannot change once it has been drawn in the current run."""
    session().pause_requested = True


def apply_pause_request() -> None:
    s = session()
    if s.pause_requested:
        s.pause_requested = False
        st.session_state[keys.PLAYING] = False


def next_tick() -> int:
    """A number that grows with every drawing of the live view: the browser plays the newest."""
    s = session()
    s.tick += 1
    return s.tick


# ------------------------------------------------------------------------- widgets
def widget(key: str, default: Any = None) -> Any:
    """The value of the widget ``key`` (one of :mod:`.keys`), or default if it has none."""
    return st.session_state.get(key, default)


def set_widget(key: str, value: Any) -> None:
    """Set a widget's value; only before it is drawn in this run (a callback, or the top of the page)."""
    st.session_state[key] = value


def seed_widgets(values: Mapping[str, Any], *, overwrite: bool) -> None:
    """Put values into the widgets' session state: all of them, or only where a widget has none."""
    for key, value in values.items():
        if overwrite or key not in st.session_state:
            st.session_state[key] = value


def remember_widgets(shown: tuple[str, ...]) -> None:
    """Keep the value of each widget drawn in this run in the session's widget memory.

    Streamlit drops the value of a widget that is not drawn in a run (a control hidden by a mode:
    the batch size while "Full batch" is picked, the feature pills on digits, a layer's size after
    the layer count went down), and a later run may see a stale value under its key instead. The
    sidebar gives such widgets their remembered value when they are drawn again
    (:func:`recall_widgets`), so a control never loses its value by being hidden.
    """
    s = session()
    s.widget_memory.update({key: st.session_state[key] for key in shown if key in st.session_state})
    s.widgets_shown = set(shown)


def recall_widgets(defaults: Mapping[str, Any]) -> None:
    """Give each widget not drawn in the last run (or without a value) its remembered value,
    else its value in defaults. Before any of them is drawn in this run."""
    s = session()
    for key, value in defaults.items():
        if key not in st.session_state or (s.widgets_shown is not None and key not in s.widgets_shown):
            st.session_state[key] = s.widget_memory.get(key, value)


def forget_widgets() -> None:
    """Drop the widget memory: new settings from a link or a file have set every widget."""
    s = session()
    s.widget_memory.clear()
    s.widgets_shown = None
