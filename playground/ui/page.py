"""The page: settings in, one Run in session state, controls, then the live view.

Full reruns (a widget or button) read the settings and act; the live view is a fragment that
Play re-runs on a timer, training a few updates per frame and redrawing in place.
"""
from __future__ import annotations

import streamlit as st

from .. import config as C
from ..data import DataError
from ..experiment import UPLOAD, build_data, new_run
from ..share import View
from . import state, upload
from .controls import dataset_options, read_config
from .equations_panel import render_equations
from .instruments import other_run, render_instruments, stop_compare
from .sharing import apply_pending_settings, publish, share_and_export, start_session
from .view import render_view

FRAME_CPU_SECONDS = 0.1  # training time one frame may use, whatever the data and network size
FRAME_SECONDS = 0.2  # Play's tick: a frame must finish before the next tick preempts it; Pause lands in < 0.5 s


def main() -> None:
    st.set_page_config(page_title="Backprop Playground", page_icon="∂", layout="wide")
    state.apply_pause_request()
    apply_pending_settings()
    st.markdown(
        "## Backprop Playground\n"
        "Build a network, press **Step**, and watch the error terms δ⁽ˡ⁾ flow backwards — "
        "in the notation and equation numbers of *Derivation of the Backpropagation Algorithm* "
        "(Van Vaerenbergh, after UFLDL)."
    )
    base, view = start_session()
    cfg = read_config(upload.section, base, view)
    run = sync_run(cfg)
    publish(run, view)
    controls_row(run, view)
    state.put("full_run", True)
    state.put("view", view)
    playing = state.is_playing()
    st.fragment(run_every=FRAME_SECONDS if playing else None)(frame)()
    share_and_export(run, view)


def sync_run(cfg: C.Config):
    """Keep, steer, regenerate or replace the session's Run so that it matches cfg."""
    run = state.get_run()
    try:
        C.validate(cfg, tuple(dataset_options()))
    except ValueError as err:
        st.error(f"{err} The previous setting is kept.")
        if run is not None:
            return run
        cfg = C.DEFAULT
    if run is None:
        run = _try_new_run(cfg, fallback=C.DEFAULT)
        state.set_run(run)
        return run
    changed = cfg.changes_reset(run.cfg)
    if upload.is_new_for(run):
        changed.append("uploaded file")
    if changed:
        fresh = _try_new_run(cfg)
        if fresh is None:
            return run
        if run.epoch or run.updates:
            state.flash(f"New run: you changed {', '.join(_LABELS.get(c, c) for c in changed)}, "
                        "so the network restarted at epoch 0.")
        state.set_run(fresh)
        stop_compare()
        return fresh
    if cfg.data_seed != run.cfg.data_seed and cfg.dataset != UPLOAD:
        try:
            run.replace_data(*build_data(cfg, upload.current()))
        except (ValueError, DataError) as err:
            st.error(f"{err} The previous data is kept.")
            return run
        state.flash(f"New data drawn (seed {cfg.data_seed}); the network keeps its weights.")
        stop_compare()
    run.steer(cfg)
    return run


_LABELS = {"n_points": "the number of points", "train_fraction": "the training share", "hidden": "the layers",
           "layer_activations": "the per-layer f", "activation": "f", "output_activation": "the output f",
           "init": "the initializer", "seed": "the weight seed"}


def _try_new_run(cfg: C.Config, fallback: C.Config | None = None):
    try:
        return new_run(cfg, upload.current())
    except (ValueError, DataError) as err:
        st.error(f"{err}")
        return new_run(fallback) if fallback is not None else None


def controls_row(run, view: View) -> None:
    cols = st.columns([1, 1, 1.3, 1, 1.1, 4], vertical_alignment="center")
    shown = lambda name: name not in view.hidden  # noqa: E731
    off = lambda name: name in view.locked  # noqa: E731
    if shown("step") and cols[0].button("Step", type="primary", help="One update (eqs. 7–8) on the next batch.",
                                         width="stretch", disabled=off("step")):
        both("step")
    if shown("step") and cols[1].button("Epoch", help="Updates until every example has been used once.",
                                         width="stretch", disabled=off("step")):
        both("run_epoch")
    if shown("phase") and cols[2].button(
            "Phase ▸", help="Walk one update in the derivation's order: forward, cost, δ backwards, gradients, update.",
            width="stretch", disabled=off("phase")):
        both("advance_phase")
    if shown("reset") and cols[3].button("Reset", help="New initial weights from the seed; epoch 0.",
                                          width="stretch", disabled=off("reset")):
        state.set_run(new_run(run.cfg, upload.current()))
        stop_compare()
        st.rerun()
    if shown("play"):
        cols[4].toggle("Play", key=state.PLAYING, disabled=off("play"),
                       help="Train continuously; updates per frame set in the sidebar.")
    flash = state.take_flash()
    if flash:
        cols[5].info(flash[1])


def both(action: str, *args) -> bool:
    """Do a button's action on the session's run and, when comparing, on the second run too."""
    ok = getattr(state.get_run(), action)(*args)
    other = other_run()
    if other is not None:
        getattr(other, action)(*args)
    return ok


def frame() -> None:
    """One frame of the live view. On a timer tick while playing, train first."""
    run = state.get_run()
    full = state.get("full_run", False)
    state.put("full_run", False)
    if state.is_playing() and not full:
        if not both("play", run.cfg.speed, FRAME_CPU_SECONDS):
            state.request_pause()
            st.rerun()
    render_view(run)
    render_instruments(run)
    if "equations" not in (state.get("view") or View()).hidden:
        render_equations(run)
