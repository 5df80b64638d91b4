"""Links and files: the share link in the address bar, classroom views, export and import.

The address bar always holds the link to the experiment on screen (only settings that differ
from the defaults), so copying it — or the link shown in the Share box — reproduces the same
data, initial weights and trajectory. A link is read once, when a session starts.
"""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from .. import config as C
from ..export import (
    SettingsError,
    WeightsError,
    config_from_json,
    config_json,
    history_csv,
    load_weights,
    weights_json,
    weights_npz,
)
from ..run import Run
from ..share import View, from_query, plain, to_query, view_from_query
from . import keys, state
from .controls import dataset_options, seed_widgets


def start_session() -> tuple[C.Config, View]:
    """On a session's first run, read the link; afterwards, return what it said."""
    s = state.session()
    if not s.started:
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        cfg, warnings = from_query(params, tuple(dataset_options()))
        view, view_warnings = view_from_query(params)
        s.link_config, s.view, s.link_warnings, s.started = cfg, view, warnings + view_warnings, True
        seed_widgets(cfg, overwrite=True)
    if s.link_warnings:
        st.warning("Some link settings were not used and fell back to their defaults: " + _listed(s.link_warnings))
    return s.link_config, s.view


def _listed(warnings: list[str]) -> str:
    """Warnings as one sentence: "a; b; c." (a warning's own full stop would make ".;")."""
    return "; ".join(w.rstrip(". ") for w in warnings) + "."


def publish(run: Run, view: View) -> None:
    """Keep the address bar equal to the link of the experiment on screen."""
    query = to_query(run.cfg, view)
    if dict(st.query_params) != query:
        st.query_params.from_dict(query)


def share_and_export(run: Run, view: View) -> None:
    with st.expander("Share, export, import"):
        query = to_query(run.cfg, view)
        url = (st.context.url or "").split("?")[0]  # None outside a browser (AppTest)
        link = url + ("?" + urlencode(query, safe=",^") if query else "")
        # Inline code, not st.code: its syntax highlighter costs a visitor ~0.3 s of the first visit.
        st.markdown("**Link to this experiment** — same data, same initial weights, same trajectory "
                    f"(it is also the address in your browser's bar):  \n`{link}`")
        if "export" in view.hidden:
            return
        c = st.columns(4)
        # Callables: the files are written when a button is clicked, not on every rerun.
        # on_click="ignore": a download does not rerun the page. A rerun gives every deferred file
        # a new id, and a second click before the browser had the new one found nothing.
        c[0].download_button("Weights (JSON)", lambda: weights_json(run.net, run.cfg), "weights.json",
                             "application/json", on_click="ignore")
        c[1].download_button("Weights (NPZ)", lambda: weights_npz(run.net), "weights.npz", "application/octet-stream",
                             on_click="ignore")
        c[2].download_button("History (CSV)", lambda: history_csv(run), "history.csv", "text/csv", on_click="ignore")
        c[3].download_button("Settings (JSON)", lambda: config_json(run.cfg), "settings.json", "application/json",
                             on_click="ignore")
        if "export" in view.locked:
            return
        c1, c2 = st.columns(2)
        session = state.session()
        w = c1.file_uploader("Import weights (JSON or NPZ) for this network", type=["json", "npz"],
                             key=keys.IMPORT_WEIGHTS)
        if w is not None and session.imported_weights != w.file_id:
            session.imported_weights = w.file_id
            try:
                W, b = load_weights(w.getvalue(), w.name, run.net)  # size limit: export.MAX_WEIGHTS_BYTES
            except WeightsError as err:
                st.error(f"{err} The current weights are kept.")
            else:
                run.set_weights(W, b)
                # The live view above was drawn with the old weights: draw the page again.
                state.flash(f"Loaded {plain(w.name)}; training goes on from these weights.", "success")
                st.rerun()
        s = c2.file_uploader("Import settings (JSON)", type=["json"], key=keys.IMPORT_SETTINGS)
        if s is not None and session.imported_settings != s.file_id:
            session.imported_settings = s.file_id
            try:
                cfg, warnings = config_from_json(s.getvalue(), tuple(dataset_options()))
            except SettingsError as err:
                st.error(f"{err} The current settings are kept.")
            else:
                session.pending_settings = (cfg, warnings)
                st.rerun()


def apply_pending_settings() -> None:
    """Settings from a file are applied at the top of the next run, before any widget is drawn."""
    s = state.session()
    if s.pending_settings:
        (cfg, warnings), s.pending_settings = s.pending_settings, None
        seed_widgets(cfg, overwrite=True)
        if warnings:
            st.warning("Some settings in the file were not used: " + _listed(warnings))
