"""The one module that touches ``st.session_state``.

Each browser session holds its own Run here, never in a module global, so two visitors never
share a network. Everything else in the UI asks these functions.
"""
from __future__ import annotations

import streamlit as st

from ..frames import Clock
from ..run import Run

_RUN, _NOTICE, _PAUSE = "run", "notice", "pause_request"
PLAYING = "playing"  # the Play toggle's widget key


def get_run() -> Run | None:
    return st.session_state.get(_RUN)


def set_run(run: Run) -> None:
    st.session_state[_RUN] = run


def flash(message: str, kind: str = "info") -> None:
    """A one-time message shown on the next full render (e.g. why the run was reset)."""
    st.session_state[_NOTICE] = (kind, message)


def take_flash() -> tuple[str, str] | None:
    return st.session_state.pop(_NOTICE, None)


def is_playing() -> bool:
    return bool(st.session_state.get(PLAYING, False))


def request_pause() -> None:
    """Ask for Play to switch off. Applied before the toggle is drawn on the next full run,
    because a widget's value cannot change once it has been drawn in the current run."""
    st.session_state[_PAUSE] = True


def apply_pause_request() -> None:
    if st.session_state.pop(_PAUSE, False):
        st.session_state[PLAYING] = False


def next_tick() -> int:
    """A number that grows with every drawing of the live view: the browser plays the newest."""
    n = st.session_state.get("_tick", 0) + 1
    st.session_state["_tick"] = n
    return n


def play_clock():
    """This session's Play clock (frames.Clock): how much training the next tick owes."""
    return st.session_state.setdefault("_play_clock", Clock())


def get(key: str, default=None):
    return st.session_state.get(key, default)


def put(key: str, value) -> None:
    st.session_state[key] = value
