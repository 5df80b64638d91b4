"""The page: settings in, one Run in session state, controls, then the live view.

Full reruns (a widget or button) read the settings and act; the live view is a fragment that
Play re-runs on a timer (a tick), training what the speed owes and sending snapshots the browser plays.
"""
from __future__ import annotations

import logging
import time
from typing import NoReturn

import streamlit as st

from .. import config as C
from .. import frames
from ..data import DataError
from ..experiment import UPLOAD, build_data, new_run
from ..runs import Lockstep
from ..share import View, plain
from . import keys, state, upload
from .action_bar import ActionButton, action_bar, exclusive
from .controls import dataset_options, read_config, restore_widgets
from .equations_panel import render_equations
from .instruments import render_instruments, stop_compare
from .live_chart import preload
from .sharing import apply_pending_settings, publish, share_and_export, start_session
from .view import heatmap_order, render_view

# Play: the server ticks every TICK_SECONDS, trains what the speed owes (at most TRAIN_SECONDS of
# CPU), and sends up to DISPLAY_FPS × TICK_SECONDS snapshots in one message; the browser plays
# them over the next tick at display rate. So the eye sees a smooth animation while the server
# runs the script only a few times a second. A tick must end well before the next one is due (else
# runs queue up and Streamlit greys the page as stale): the number of snapshots adapts so that a
# tick takes at most TICK_BUSY of it, fewer for a big network or a busy server.
TICK_SECONDS = 0.5
TRAIN_SECONDS = 0.24
DISPLAY_FPS = 30
TICK_BUSY = 0.75


def main() -> None:
    st.set_page_config(page_title="Backprop Playground", page_icon="∂", layout="wide")
    preload()  # plotly.js and KaTeX start loading while the rest of the page is drawn
    state.apply_pause_request()
    apply_pending_settings()
    restore_widgets()
    st.markdown(
        "## Backprop Playground\n"
        "Build a network, press **Step**, and watch the error terms δ⁽ˡ⁾ flow backwards — "
        "in the notation and equation numbers of *Derivation of the Backpropagation Algorithm* "
        "(Van Vaerenbergh, after UFLDL)."
    )
    base, view = start_session()
    run = state.get_run()
    cfg = read_config(upload.section, run.cfg if run is not None else base, view)
    run = sync_run(cfg)
    publish(run, view)
    s = state.session()
    s.full_run = True
    playing = state.is_playing()
    s.timer_plays = playing
    st.fragment(run_every=TICK_SECONDS if playing else None)(live)()
    share_and_export(run, view)


def live() -> None:
    """The part of the page a Step changes: the controls, the live view, instruments and equations.

    A fragment: a click on Step, Epoch or Phase reruns only this, not the sidebar and the rest of
    the page (a full rerun sends ~4x the elements, and the browser's cost of a rerun grows with
    them), and while playing Play's timer reruns it. Play's toggle is in here too; the timer is set
    when the fragment is made, so toggling it reruns the whole page.
    """
    controls_row(state.get_run(), state.session().view)
    if state.is_playing() != state.session().timer_plays:
        st.rerun()
    frame()


def sync_run(cfg: C.Config):
    """Keep, steer, regenerate or replace the session's Run so that it matches cfg.

    Settings that cannot be used (out of range, or data that cannot be built) leave the run as it
    was: the page is drawn again with the widgets showing the run's settings, and one sentence
    says why, so the controls never show settings that are not in force.
    """
    run = state.get_run()
    try:
        C.validate(cfg, tuple(dataset_options()))
    except ValueError as err:
        if run is not None:
            _keep(run, f"{err} The previous setting is kept.")
        st.error(f"{plain(str(err))} The defaults are used.")
        cfg = C.DEFAULT
    if run is None:
        try:
            run = new_run(cfg, upload.current())
        except (ValueError, DataError) as err:
            st.error(f"{plain(str(err))} The defaults are used.")
            run = new_run(C.DEFAULT)
        state.set_run(run)
        return run
    changed = cfg.changes_reset(run.cfg)
    if upload.is_new_for(run):
        changed.append("uploaded file")
    if changed:
        try:
            fresh = new_run(cfg, upload.current())
        except (ValueError, DataError) as err:
            if cfg.dataset == UPLOAD:  # the picker stays on the upload, whose section says what is missing
                st.error(plain(str(err)))
                return run
            _keep(run, f"{err} The previous settings are kept.")
        if run.epoch or run.updates:
            state.flash(f"New run: you changed {', '.join(_changed(c) for c in changed)}, "
                        "so the network restarted at epoch 0.")
        state.set_run(fresh)
        stop_compare()
        return fresh
    if cfg.data_seed != run.cfg.data_seed and cfg.dataset != UPLOAD:
        try:
            run.replace_data(*build_data(cfg, upload.current()))
        except (ValueError, DataError) as err:
            _keep(run, f"{err} The previous data is kept.")
        state.flash(f"New data drawn (seed {cfg.data_seed}); the network keeps its weights.")
        stop_compare()
    run.steer(cfg)
    return run


def _changed(field: str) -> str:
    """A setting's name in "you changed …" (config.SETTINGS), lower case after "the"."""
    if field not in C.SETTING:
        return f"the {field}"
    label = C.SETTING[field].label
    return "the " + (label if label[1:2].isupper() else label[0].lower() + label[1:])


def _keep(run, message: str) -> NoReturn:
    """Keep run as it is: draw the page again, its widgets showing run's settings, and say why."""
    state.session().restore = run.cfg
    state.flash(plain(message), "error")
    st.rerun()


_ACTION_LABELS = {"step": "Step", "epoch": "Epoch", "phase": "Phase", "reset": "Reset"}
_LOG = logging.getLogger(__name__)


def controls_row(run, view: View) -> None:
    group = {"step": "step", "epoch": "step", "phase": "phase", "reset": "reset"}  # the View's name of each
    actions = {"step": "step", "epoch": "run_epoch", "phase": "advance_phase"}  # the Run method of each
    buttons = [b for b in (
        ActionButton("step", "Step", "One update (eqs. 7–8) on the next batch.", primary=True, limit=50),
        ActionButton("epoch", "Epoch", "Updates until every example has been used once.", limit=10),
        ActionButton("phase", "Phase ▸", "Walk one update in the derivation's order: forward, cost, δ backwards, "
                     "gradients, update.", limit=50),
        ActionButton("reset", "Reset", "New initial weights from the seed; epoch 0.", limit=5),
    ) if group[b.name] not in view.hidden]
    cols = st.columns([5, 1.9, 3.1], vertical_alignment="center")  # at 1024 px the four buttons and "Play" fit
    with cols[0]:  # clicks arrive as numbered state, never lost to an abandoned rerun (action_bar.py)
        # Phase ▸ walks one update by hand: off while Play trains (its clicks would be ignored anyway).
        off = {b.name for b in buttons if group[b.name] in view.locked} | ({"phase"} if state.is_playing() else set())
        bar = action_bar(buttons, key=keys.RUN_CONTROLS, disabled=off)
    reset, failed, dropped, said = False, None, {}, None
    with bar as clicks:  # one script thread at a time from here to the last click marked done
        dropped = clicks.dropped
        if clicks:
            # The session, taken once before any change: a session-state access lets Streamlit
            # abandon the run, and a click is only marked done when the loop moves past it, so
            # nothing may touch session state after an update. A failing action is reported,
            # never raised: its click must be marked done, or every rerun would replay it.
            s = state.session()
            pair = Lockstep(s.run, s.compare[0] if s.compare else None)  # compare runs: both move
            for name in clicks:
                try:
                    if name == "reset":
                        fresh = new_run(run.cfg, upload.current())
                        s.compare, s.run = None, fresh
                        pair, reset = Lockstep(fresh), True
                    else:
                        walking = s.run.walk is not None and not s.run.walk.updated
                        pair.act(actions[name])
                        if walking and name != "phase":  # the rest of the walk was done at once: say so
                            said = (f"{_ACTION_LABELS[name]} finished the update the phase walk was on "
                                    "(its remaining phases at once).")
                except Exception as err:  # noqa: BLE001 — shown as one sentence, logged in full
                    _LOG.exception("run control %r failed", name)
                    failed = f"{_ACTION_LABELS[name]} failed: {plain(str(err))} The run is kept as it was."
    if failed:
        cols[2].error(failed)
    if said:
        cols[2].info(said)
    if dropped:
        limits = {b.name: b.limit for b in buttons}
        said = "; ".join(f"{limits[n]} {_ACTION_LABELS[n]} clicks were done and {k} more dropped" if n
                         else f"{k} earlier clicks were dropped" for n, k in dropped.items())
        cols[2].warning(f"Clicks came faster than they could be done: {said}.")
    if reset:
        st.rerun()
    if "play" not in view.hidden:
        cols[1].toggle("Play", key=keys.PLAYING, disabled="play" in view.locked,
                       help="Train continuously, at the epochs per second set in the sidebar.")
    flash = state.take_flash()
    if flash:
        kind, message = flash
        {"success": cols[2].success, "error": cols[2].error}.get(kind, cols[2].info)(message)


def frame() -> None:
    """One drawing of the live view. On a timer tick while playing, train first, taking snapshots."""
    s = state.session()
    run = s.run
    full, s.full_run = s.full_run, False
    playing = state.is_playing()
    order = heatmap_order(run)
    clock = s.clock
    began = time.perf_counter()
    most = int(DISPLAY_FPS * TICK_SECONDS)
    n_snaps = s.snapshots_per_tick or most
    if playing and not full:
        with exclusive(keys.RUN_CONTROLS):  # never at the same time as a Step from an overlapping run
            start_epoch, start = run.epoch, clock.last
            due = clock.due(run, run.cfg.speed, max_gap=2 * TICK_SECONDS)
            snaps, ok = frames.play(run, due, n_snaps, budget_seconds=TRAIN_SECONDS, order=order,
                                    also=state.other_run(), clock=clock)
        gap = (clock.last - start) if start is not None else None
        speed = (run.epoch - start_epoch) / gap if gap else None
        span = min(3 * TICK_SECONDS, gap or TICK_SECONDS)  # play them over the time the next tick will take
        if not ok:
            state.request_pause()
            st.rerun()
    else:
        clock.last = time.perf_counter() if playing else None  # Play starts counting from here
        snaps, span, speed = [frames.take(run, order=order)], 0.0, None
    render_view(run, snaps, order=order, tick=state.next_tick(), span=span, speed=speed, playing=playing)
    render_instruments(run)
    if playing and not full:  # fewer snapshots when a tick overran its share, one more when it had room
        busy = (time.perf_counter() - began) / (TICK_BUSY * TICK_SECONDS)
        s.snapshots_per_tick = max(1, int(n_snaps / busy)) if busy > 1 else min(most, n_snaps + 1)
    if "equations" not in s.view.hidden:
        if playing:  # ~18 LaTeX rows per frame would halve the frame rate; numbers return on Pause
            st.caption("Equations (1)–(18) with live numbers: pause to read them.")
        else:
            render_equations(run)
